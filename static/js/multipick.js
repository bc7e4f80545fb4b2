// Searchable multi-selects: progressive enhancement of the multipick macro's box of checkboxes
// (templates/_macros.html). Without JavaScript the checkboxes post as they are; with it, each
// box gets a filter input above it that hides the options not matching what is typed, the
// chosen options as removable chips, and a live count for screen readers.
// Matching folds as the server does (search_index/normalize.py): lower case, no diacritics,
// đ -> d, so "ban dan" finds "Bán dẫn"; every typed word must appear in the label.
(function () {
  "use strict";

  function fold(text) {
    return (text || "")
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .replace(/đ/g, "d")
      .replace(/Đ/g, "D")
      .toLowerCase()
      .replace(/\s+/g, " ")
      .trim();
  }

  function setUp(box) {
    var list = box.querySelector("[data-multipick-box]");
    if (!list) { return; }
    var options = Array.prototype.slice.call(box.querySelectorAll("[data-multipick-option]"));
    var groups = Array.prototype.slice.call(box.querySelectorAll("[data-multipick-group]"));
    var data = box.dataset;
    var items = options.map(function (label) {
      var input = label.querySelector("input");
      var text = label.textContent.replace(/\s+/g, " ").trim();
      return { label: label, input: input, text: text, folded: fold(text) };
    });

    var filterId = box.id + "-filter";
    var wrap = document.createElement("div");
    wrap.className = "multipick-filter";
    var filterLabel = document.createElement("label");
    filterLabel.setAttribute("for", filterId);
    filterLabel.textContent = data.filterLabel || "Filter";
    var filter = document.createElement("input");
    filter.type = "search";
    filter.id = filterId;
    filter.autocomplete = "off";
    filter.placeholder = data.filterPlaceholder || "";
    list.id = box.id + "-list";
    filter.setAttribute("aria-controls", list.id);
    wrap.appendChild(filterLabel);
    wrap.appendChild(filter);

    var chips = document.createElement("ul");
    chips.className = "multipick-chips";
    chips.setAttribute("aria-label", data.chosenLabel || "Chosen");

    var count = document.createElement("p");
    count.className = "multipick-count";
    count.id = box.id + "-count";
    count.setAttribute("aria-live", "polite");
    filter.setAttribute("aria-describedby", count.id);

    list.parentNode.insertBefore(chips, list);
    list.parentNode.insertBefore(wrap, list);
    list.parentNode.insertBefore(count, list.nextSibling);

    function shownCount() {
      return items.filter(function (item) { return !item.label.hidden; }).length;
    }

    function updateCount() {
      var chosen = items.filter(function (item) { return item.input.checked; }).length;
      var shown = shownCount();
      var text = (data.countText || "{chosen} chosen, {shown} shown")
        .replace("{chosen}", chosen).replace("{shown}", shown);
      if (!shown && data.noneText) { text = data.noneText + " " + text; }
      count.textContent = text;
    }

    function renderChips() {
      while (chips.firstChild) { chips.removeChild(chips.firstChild); }
      items.forEach(function (item) {
        if (!item.input.checked) { return; }
        var li = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.textContent = item.text + " \u00d7";
        button.setAttribute("aria-label", (data.removeLabel || "Remove") + ": " + item.text);
        button.addEventListener("click", function () {
          item.input.checked = false;
          item.input.dispatchEvent(new Event("change", { bubbles: true }));
          filter.focus();
        });
        li.appendChild(button);
        chips.appendChild(li);
      });
      chips.hidden = !chips.firstChild;
      updateCount();
    }

    function applyFilter() {
      var words = fold(filter.value).split(" ").filter(Boolean);
      items.forEach(function (item) {
        item.label.hidden = !words.every(function (w) { return item.folded.indexOf(w) >= 0; });
      });
      groups.forEach(function (group) {
        group.hidden = !group.querySelector("[data-multipick-option]:not([hidden])");
      });
      updateCount();
    }

    filter.addEventListener("input", applyFilter);
    // Enter in the filter must not submit the form; it ticks the only option left, if one.
    filter.addEventListener("keydown", function (event) {
      if (event.key !== "Enter") { return; }
      event.preventDefault();
      var shown = items.filter(function (item) { return !item.label.hidden; });
      if (shown.length === 1) {
        shown[0].input.checked = !shown[0].input.checked;
        shown[0].input.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
    list.addEventListener("change", renderChips);
    box.classList.add("multipick-ready");
    renderChips();
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-multipick]"), setUp);
})();
