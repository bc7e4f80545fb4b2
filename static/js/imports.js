// Import progress: polls the batch's status.json and reloads the page when the job is over.
// Progressive enhancement only: without JavaScript the page offers a reload link.
(function () {
  "use strict";
  var box = document.getElementById("import-progress");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-status-url");
  var bar = box.querySelector("progress");
  var text = box.querySelector("[data-progress-text]");
  var template = text ? text.textContent : "";
  var firstNumbers = template.match(/\d+/g) || [];

  function render(data) {
    if (bar) { bar.value = data.percent; bar.textContent = data.percent + "%"; }
    if (text && firstNumbers.length >= 2) {
      // Keep the translated sentence and only swap its two numbers.
      var i = 0;
      text.textContent = template.replace(/\d+/g, function (n) {
        i += 1;
        if (i === 1) { return String(data.processed_rows); }
        if (i === 2) { return String(data.total_rows); }
        return n;
      });
    }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        render(data);
        if (!data.running) { window.location.assign(data.url); return; }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
})();
