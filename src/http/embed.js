/* Marquee widget loader.
 *
 *   <a href="https://marquee.example/embed/SITE/meetings">Upcoming meetings</a>
 *   <script src="https://marquee.example/embed.js" data-site="SITE" data-widget="meetings" async></script>
 *
 * Replaces the link just before the script (the no-JavaScript fallback) with an iframe of the
 * widget, and keeps the iframe as tall as its content. Options: data-widget ("meetings",
 * "webinars", "recordings" or "meeting"), data-meeting (for "meeting"), data-lang, data-theme, data-accent,
 * data-font; for lists data-per-page (1-50), data-host (e-mail or Zoom user id), data-months
 * (recordings, 1-24), data-layout ("compact" or "detailed"); data-height, the frame's height
 * until the widget reports its own (see docs/embedding.md). Several widgets per page are fine:
 * each script tag mounts its own.
 *
 * Messages are checked both ways: the widget only talks to the origin it was given (and only
 * if the site allows that origin), and this loader only listens to Marquee's origin and to the
 * window of an iframe it created.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var base = new URL(script.src, document.baseURI);
  var site = script.getAttribute("data-site");
  if (!site || !/^[a-z0-9-]{3,63}$/.test(site)) return;
  var widget = script.getAttribute("data-widget") || "meetings";
  var path;
  if (widget === "meeting") {
    var id = script.getAttribute("data-meeting") || "";
    if (!/^[0-9]{1,20}$/.test(id)) return;
    path = "/embed/" + site + "/meetings/" + id;
  } else if (widget === "meetings" || widget === "webinars" || widget === "recordings") {
    path = "/embed/" + site + "/" + widget;
  } else {
    return;
  }
  var src = new URL(path, base.origin);
  // data-per-page becomes per_page; the server checks every value (a bad one is its notice).
  ["lang", "theme", "accent", "font", "per-page", "host", "months", "layout"].forEach(function (name) {
    var value = script.getAttribute("data-" + name);
    if (value) src.searchParams.set(name.replace("-", "_"), value);
  });
  src.searchParams.set("origin", window.location.origin);

  var frame = document.createElement("iframe");
  frame.src = src.toString();
  frame.title = script.getAttribute("data-title") || "Marquee " + widget;
  frame.setAttribute("data-marquee-widget", widget);
  frame.style.width = "100%";
  frame.style.border = "0";
  frame.style.display = "block";
  // Start at the height the snippet reserves (about the widget's size), so the host page does
  // not jump when the widget reports its own height.
  var hint = Number(script.getAttribute("data-height"));
  frame.style.height = (isFinite(hint) && hint >= 100 && hint < 10000 ? Math.round(hint) : 320) + "px";

  var fallback = script.previousElementSibling;
  if (fallback && fallback.tagName === "A" && fallback.hasAttribute("data-marquee-fallback")) {
    fallback.parentNode.replaceChild(frame, fallback);
  } else {
    script.parentNode.insertBefore(frame, script);
  }

  window.addEventListener("message", function (event) {
    if (event.origin !== base.origin || event.source !== frame.contentWindow) return;
    var data = event.data;
    if (!data || data.type !== "marquee:resize") return;
    var height = Number(data.height);
    if (isFinite(height) && height > 0 && height < 100000) {
      frame.style.height = Math.ceil(height) + "px";
    }
  });
})();
