// Results tables: a row's details open under it (htmx loads them on the first click); the column picker applies as boxes are ticked; and
// when the table reloads itself (filters, a running search, new columns) the rows someone ticked, the
// details they opened and the picker they were using stay as they were.
(function () {
  "use strict";

  function setOpen(toggle, open) {
    var row = document.getElementById(toggle.getAttribute("aria-controls"));
    if (!row) return;
    toggle.setAttribute("aria-expanded", String(open));
    row.hidden = !open;
  }

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest("[data-details-toggle]");
    if (toggle) setOpen(toggle, toggle.getAttribute("aria-expanded") !== "true");
  });

  function values(root, selector, attribute) {
    return Array.prototype.map.call(root.querySelectorAll(selector), function (el) {
      return attribute ? el.getAttribute(attribute) : el.value;
    });
  }

  var kept = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var old = document.getElementById("results");
    if (!old || event.detail.target !== old) return;
    kept = {
      open: values(old, "[data-details-toggle][aria-expanded=true]", "aria-controls"),
      ticked: values(old, "[data-select-row]:checked"),
      all: !!old.querySelector("[data-all-matching]:checked"),
      picker: !!old.querySelector(".column-picker[open]"),
    };
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var table = document.getElementById("results");
    if (!kept || !table || event.detail.target.id !== "results" && event.detail.elt !== table) return;
    var state = kept;
    kept = null;
    state.open.forEach(function (id) {
      var toggle = table.querySelector('[aria-controls="' + id + '"]');
      if (!toggle) return;
      setOpen(toggle, true);
      // The reloaded row's details are not loaded yet: fetch them as its first click would.
      if (window.htmx) window.htmx.ajax("GET", toggle.getAttribute("hx-get"), { target: "#" + id + " > td", swap: "innerHTML" });
    });
    var changed = null;
    table.querySelectorAll("[data-select-row]").forEach(function (box) {
      if (state.ticked.indexOf(box.value) >= 0) { box.checked = true; changed = box; }
    });
    var all = table.querySelector("[data-all-matching]");
    if (all && state.all) { all.checked = true; changed = all; }
    // The selection counter listens for changes.
    if (changed) changed.dispatchEvent(new Event("change", { bubbles: true }));
    var picker = table.querySelector(".column-picker");
    if (picker && state.picker) picker.open = true;
  });
})();
