// Row selection in results tables and the list table: tick rows, tick a whole page, or (results)
// "select all N matching the filter", which the server expands from the filters, not from this page.
// The tables are redrawn by htmx, so every listener is delegated from the document.
(function () {
  "use strict";

  function scope(el) { return el.closest("#results, #list-view") || document; }

  function rows(root) { return root.querySelectorAll("[data-select-row]"); }

  function refresh(root) {
    var counter = root.querySelector("[data-selected-count]");
    if (!counter) return;
    var all = root.querySelector("[data-all-matching]");
    var ticked = root.querySelectorAll("[data-select-row]:checked").length;
    if (all && all.checked) {
      counter.textContent = "All " + Number(all.dataset.total).toLocaleString() + " selected";
    } else if (ticked) {
      counter.textContent = ticked + " selected";
    } else {
      counter.textContent = counter.dataset.emptyText || "Select creators to move or remove them together.";
    }
    var page = root.querySelector("[data-select-page]");
    if (page) {
      var boxes = rows(root);
      page.checked = boxes.length > 0 && ticked === boxes.length;
      page.indeterminate = ticked > 0 && ticked < boxes.length;
    }
  }

  function syncTarget(root) {
    var target = root.querySelector("[data-list-target]");
    var name = root.querySelector("[data-new-list-name]");
    if (target && name) name.hidden = target.value !== "";
  }

  document.addEventListener("change", function (event) {
    var el = event.target;
    var root = scope(el);
    if (el.matches("[data-select-page]")) {
      rows(root).forEach(function (box) { box.checked = el.checked; });
      var all = root.querySelector("[data-all-matching]");
      if (all && !el.checked) all.checked = false;
    } else if (el.matches("[data-all-matching]")) {
      rows(root).forEach(function (box) { box.checked = el.checked; });
    } else if (el.matches("[data-select-row]")) {
      var every = root.querySelector("[data-all-matching]");
      if (every && !el.checked) every.checked = false;
    } else if (el.matches("[data-list-target]")) {
      syncTarget(root);
      return;
    } else {
      return;
    }
    refresh(root);
  });

  // After creators were added, clear the ticks so the next choice starts fresh.
  document.addEventListener("htmx:afterSwap", function (event) {
    var root = scope(event.target);
    if (event.target.id === "list-add-status" && event.target.querySelector(".ok")) {
      rows(root).forEach(function (box) { box.checked = false; });
      var all = root.querySelector("[data-all-matching]");
      if (all) all.checked = false;
    }
    syncTarget(root);
    refresh(root);
  });

  document.querySelectorAll("#results, #list-view").forEach(function (root) { syncTarget(root); refresh(root); });
})();
