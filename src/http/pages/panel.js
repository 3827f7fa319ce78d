// The admin panel's enhancements; every page works without them.
// * "What the site shows": the preview follows the theme, colour, font and language chosen in
//   the form before it is saved (the widget takes them as query parameters, as embed.js passes
//   them).
// * Embed: copy buttons beside the snippets (without JavaScript the text is selectable).
// * Sync: while a sync waits or runs, its part of the page is fetched again every few seconds
//   (not when the owner asked for reduced motion: the refresh link does it then).
(function () {
  "use strict";

  function livePreview() {
    var form = document.getElementById("site-form");
    var preview = document.getElementById("preview");
    if (!form || !preview) { return; }
    var base = preview.getAttribute("data-base");
    var accentPattern = /^#?[0-9a-fA-F]{6}$/;
    var value = function (name) {
      var field = form.elements[name];
      return field ? String(field.value).trim() : "";
    };
    var update = function () {
      var params = new URLSearchParams();
      params.set("theme", value("theme"));
      params.set("font", value("font"));
      params.set("lang", value("language"));
      var accent = value("accent_color");
      if (accentPattern.test(accent)) {
        params.set("accent", accent.charAt(0) === "#" ? accent : "#" + accent);
      }
      var next = base + "?" + params.toString();
      if (preview.getAttribute("src") !== next) { preview.setAttribute("src", next); }
    };
    form.addEventListener("change", update);
    form.addEventListener("input", function (event) {
      if (event.target && event.target.name === "accent_color") { update(); }
    });
  }

  function copyButtons() {
    var buttons = document.querySelectorAll("button[data-copy]");
    Array.prototype.forEach.call(buttons, function (button) {
      var source = document.getElementById(button.getAttribute("data-copy"));
      var status = button.parentNode.querySelector("[role=status]");
      if (!source) { return; }
      button.parentNode.hidden = false;
      button.addEventListener("click", function () {
        var say = function (text) { if (status) { status.textContent = text; } };
        source.select();
        var copied = navigator.clipboard && window.isSecureContext
          ? navigator.clipboard.writeText(source.value)
          : Promise.reject(new Error("no clipboard"));
        copied.then(
          function () { say(button.getAttribute("data-copied")); },
          function () { say(button.getAttribute("data-failed")); }
        );
      });
    });
  }

  function syncRefresh() {
    var live = document.getElementById("sync-live");
    if (!live || !window.fetch || !window.DOMParser) { return; }
    if (window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches) { return; }
    var refresh = function () {
      if (live.getAttribute("data-running") !== "true") { return; }
      window.setTimeout(function () {
        fetch(window.location.pathname, { credentials: "same-origin" })
          .then(function (response) { return response.ok ? response.text() : Promise.reject(); })
          .then(function (html) {
            var next = new DOMParser().parseFromString(html, "text/html").getElementById("sync-live");
            if (!next) { return; }
            live.innerHTML = next.innerHTML;
            live.setAttribute("data-running", next.getAttribute("data-running"));
            refresh();
          })
          .catch(function () { /* the refresh link still works */ });
      }, 2000);
    };
    refresh();
  }

  livePreview();
  copyButtons();
  syncRefresh();
})();
