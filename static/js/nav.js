// The header menu: progressive enhancement of <details> elements that work without JavaScript.
// - Escape, or a click elsewhere, closes an open menu (and Escape gives the focus back to it).
// - Opening one of the bar's menus ("More", "Account") closes the other.
// - A browser that cannot show a closed <details>' content on a wide screen (no
//   ::details-content) gets the site menu opened there instead.
(function () {
  "use strict";
  var siteMenu = document.querySelector("[data-site-menu]");
  var menus = Array.prototype.slice.call(document.querySelectorAll("[data-nav-menu]"));
  if (!siteMenu) { return; }

  var wide = window.matchMedia ? window.matchMedia("(min-width: 1024px)") : null;
  var styled = window.CSS && CSS.supports && CSS.supports("selector(::details-content)");
  function fit() {
    if (!styled && wide) { siteMenu.open = wide.matches; }
  }
  fit();
  if (wide && wide.addEventListener) { wide.addEventListener("change", fit); }

  function openOnes() {
    var open = menus.filter(function (m) { return m.open; });
    if (siteMenu.open && !(wide && wide.matches)) { open.push(siteMenu); }
    return open;
  }

  menus.forEach(function (menu) {
    menu.addEventListener("toggle", function () {
      if (!menu.open) { return; }
      menus.forEach(function (other) { if (other !== menu) { other.open = false; } });
    });
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    var open = openOnes();
    if (!open.length) { return; }
    var last = open[open.length - 1];
    open.forEach(function (m) { m.open = false; });
    var summary = (open.indexOf(siteMenu) >= 0 ? siteMenu : last).querySelector("summary");
    if (summary) { summary.focus(); }
  });

  document.addEventListener("click", function (event) {
    openOnes().forEach(function (m) {
      if (!m.contains(event.target)) { m.open = false; }
    });
  });
})();
