// The association member picker (people, or businesses): progressive enhancement of a plain GET search form.
// Without JavaScript the form lists the people found (server-rendered), each with a "Choose"
// button that comes back with the person chosen. With it, typing queries the candidates
// endpoint (JSON, the browser's session) and shows the matches as an ARIA combobox's listbox;
// choosing one (click, or arrow keys and Enter) fills the add-member form's hidden person id.
(function () {
  "use strict";
  var picker = document.querySelector("[data-person-picker]");
  if (!picker || !window.fetch) { return; }
  var search = picker.querySelector("[data-picker-search]");
  var input = search.querySelector("input[name=q]");
  var chosen = picker.querySelector("[data-picker-chosen]");
  var data = picker.dataset;
  // The same picker chooses businesses: data-field names the hidden input, data-items the
  // list in the JSON answer and data-name-key each item's name.
  var hidden = document.querySelector("[data-picker-form] input[name=" + (data.field || "person") + "]");
  var itemsKey = data.items || "people";
  var nameKey = data.nameKey || "full_name";
  if (!input || !hidden) { return; }
  var min = parseInt(data.min || "2", 10);

  var listbox = document.createElement("ul");
  listbox.id = "person-q-listbox";
  listbox.className = "picker-results picker-listbox";
  listbox.setAttribute("role", "listbox");
  listbox.setAttribute("aria-label", input.labels && input.labels[0] ? input.labels[0].textContent : "");
  listbox.hidden = true;
  var status = document.createElement("p");
  status.className = "visually-hidden";
  status.setAttribute("aria-live", "polite");
  input.parentNode.parentNode.insertBefore(listbox, input.parentNode.nextSibling);
  search.appendChild(status);

  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", listbox.id);

  var people = [];
  var active = -1;
  var timer = null;
  var controller = null;

  function where(person) {
    return [person.city, person.country_name].filter(Boolean).join(", ");
  }

  function close() {
    listbox.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function highlight(index) {
    var options = listbox.querySelectorAll("[role=option]");
    if (!options.length) { return; }
    active = (index + options.length) % options.length;
    Array.prototype.forEach.call(options, function (option, i) {
      option.setAttribute("aria-selected", i === active ? "true" : "false");
    });
    input.setAttribute("aria-activedescendant", options[active].id);
    options[active].scrollIntoView({ block: "nearest" });
  }

  function choose(person) {
    hidden.value = person.id;
    input.value = person[nameKey];
    while (chosen.firstChild) { chosen.removeChild(chosen.firstChild); }
    chosen.appendChild(document.createTextNode(
      (data.chosenText || "{name}").replace("{name}", person[nameKey]) + " "));
    if (where(person)) {
      var place = document.createElement("span");
      place.className = "muted";
      place.textContent = "(" + where(person) + ")";
      chosen.appendChild(place);
    }
    close();
  }

  function render(list) {
    people = list;
    while (listbox.firstChild) { listbox.removeChild(listbox.firstChild); }
    var old = search.querySelector("[data-picker-results]");
    if (old) { old.parentNode.removeChild(old); }
    if (!list.length) {
      var none = document.createElement("li");
      none.className = "muted";
      none.textContent = data.noneText || "";
      listbox.appendChild(none);
      status.textContent = data.noneText || "";
    } else {
      list.forEach(function (person, i) {
        var option = document.createElement("li");
        option.id = "person-option-" + i;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.dataset.personId = person.id;
        var name = document.createElement("span");
        name.className = "picker-name";
        name.textContent = person[nameKey];
        option.appendChild(name);
        if (where(person)) {
          var place = document.createElement("span");
          place.className = "muted";
          place.textContent = " " + where(person);
          option.appendChild(place);
        }
        option.addEventListener("mousedown", function (event) { event.preventDefault(); });
        option.addEventListener("click", function () { choose(person); });
        listbox.appendChild(option);
      });
      status.textContent = (data.countText || "{count}").replace("{count}", list.length);
    }
    listbox.hidden = false;
    input.setAttribute("aria-expanded", "true");
    active = -1;
  }

  function lookup() {
    var text = input.value.trim();
    if (text.replace(/\s+/g, "").length < min) { close(); return; }
    if (controller) { controller.abort(); }
    controller = window.AbortController ? new AbortController() : null;
    var url = data.url + "?q=" + encodeURIComponent(text);
    fetch(url, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
      signal: controller ? controller.signal : undefined,
    })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) {
        if (body && body.q === text) { render(body[itemsKey] || []); }
      })
      .catch(function () { /* aborted or offline: the Search button still works */ });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(lookup, 200);
  });
  input.addEventListener("keydown", function (event) {
    var open = !listbox.hidden && people.length;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!open) { lookup(); return; }
      event.preventDefault();
      highlight(active + (event.key === "ArrowDown" ? 1 : -1));
    } else if (event.key === "Enter" && open && (active >= 0 || people.length === 1)) {
      event.preventDefault();
      choose(people[Math.max(active, 0)]);
    } else if (event.key === "Escape" && !listbox.hidden) {
      event.preventDefault();
      close();
    }
  });
  input.addEventListener("blur", function () { setTimeout(close, 150); });
})();
