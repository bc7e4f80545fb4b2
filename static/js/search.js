// Search as you type on /search: progressive enhancement of a plain GET form.
// Without JavaScript the form submits normally; with it, the results fragment (filters, hits,
// pages) is fetched from the same URL and swapped in, and the URL is kept in the history so
// that results are shareable and the back button works.
(function () {
  "use strict";
  var form = document.getElementById("search-form");
  var results = document.getElementById("search-results");
  if (!form || !results || !window.fetch || !window.URLSearchParams || !window.history.pushState) {
    return;
  }
  document.documentElement.classList.add("js-search");
  var input = document.getElementById("search-q");
  var sort = document.getElementById("search-sort");
  var timer = null;
  var controller = null;

  // The filters panel (a <details>): on a phone it stays as the reader left it when the results
  // are swapped; a browser that cannot show a closed <details>' content gets it opened on a
  // wide screen.
  var wide = window.matchMedia ? window.matchMedia("(min-width: 761px)") : null;
  var styled = window.CSS && CSS.supports && CSS.supports("selector(::details-content)");
  function facetsPanel() { return results.querySelector("[data-facets-panel]"); }
  function fitPanel(wasOpen) {
    var panel = facetsPanel();
    if (!panel) { return; }
    if (!styled && wide && wide.matches) { panel.open = true; } else if (wasOpen) { panel.open = true; }
  }
  fitPanel(false);
  if (wide && wide.addEventListener) { wide.addEventListener("change", function () { fitPanel(false); }); }

  function currentUrl() {
    var params = new URLSearchParams();
    var data = new FormData(form);
    data.forEach(function (value, key) {
      if (value === "" || key === "page" || (key === "sort" && value === "relevance")) { return; }
      params.append(key, value);
    });
    var query = params.toString();
    return form.getAttribute("action") + (query ? "?" + query : "");
  }

  function syncControls(url) {
    var params = new URL(url, window.location.href).searchParams;
    if (input && document.activeElement !== input) { input.value = params.get("q") || ""; }
    if (sort) { sort.value = params.get("sort") || "relevance"; }
  }

  function load(url, mode) {
    if (controller) { controller.abort(); }
    controller = window.AbortController ? new AbortController() : null;
    results.setAttribute("aria-busy", "true");
    return fetch(url, {
      headers: { "X-Search-Fragment": "1" },
      credentials: "same-origin",
      signal: controller ? controller.signal : undefined
    }).then(function (response) {
      return response.text().then(function (html) {
        var panel = facetsPanel();
        var wasOpen = !!(panel && panel.open);
        results.innerHTML = html;
        fitPanel(wasOpen);
        if (mode === "push") { window.history.pushState({ search: true }, "", url); }
        if (mode === "replace") { window.history.replaceState({ search: true }, "", url); }
        syncControls(url);
      });
    }).catch(function (error) {
      if (error && error.name === "AbortError") { return; }
      window.location.href = url; // fall back to a normal page load
    }).then(function () {
      results.removeAttribute("aria-busy");
    });
  }

  var typedSincePush = false;
  form.addEventListener("input", function (event) {
    if (event.target !== input) { return; }
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      // The first keystrokes of a new query make one history entry; the rest replace it.
      load(currentUrl(), typedSincePush ? "replace" : "push");
      typedSincePush = true;
    }, 250);
  });
  form.addEventListener("change", function (event) {
    var target = event.target;
    if (target.type === "checkbox" || target === sort) {
      typedSincePush = false;
      load(currentUrl(), "push");
    }
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    window.clearTimeout(timer);
    typedSincePush = false;
    load(currentUrl(), "push");
  });
  results.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[data-search-link]") : null;
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) { return; }
    event.preventDefault();
    typedSincePush = false;
    load(link.href, "push").then(function () {
      var heading = document.getElementById("hits-title");
      if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
    });
  });
  window.addEventListener("popstate", function () {
    typedSincePush = false;
    syncControls(window.location.href);
    load(window.location.href, null);
  });
})();
