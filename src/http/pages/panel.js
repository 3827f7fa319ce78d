// The admin panel's enhancements; every page works without them. "What the site shows": the
// preview follows the theme, colour, font and language chosen in the form before it is saved
// (the widget takes them as query parameters, as embed.js passes them).
(function () {
  "use strict";
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
})();
