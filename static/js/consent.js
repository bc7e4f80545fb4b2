// Consent evidence: the source, date and reference inputs are shown only while a consent box
// is ticked. Progressive enhancement only: without JavaScript every input stays visible.
(function () {
  "use strict";
  var boxes = document.querySelectorAll("[data-consent-evidence]");
  Array.prototype.forEach.call(boxes, function (box) {
    var inputs = box.querySelector("[data-consent-evidence-inputs]");
    var ticks = box.querySelectorAll("input[type=checkbox]");
    if (!inputs || !ticks.length) { return; }
    function update() {
      var any = Array.prototype.some.call(ticks, function (t) { return t.checked; });
      var invalid = inputs.querySelector("[aria-invalid=true], .error");
      inputs.hidden = !any && !invalid;
    }
    Array.prototype.forEach.call(ticks, function (t) { t.addEventListener("change", update); });
    update();
  });
})();
