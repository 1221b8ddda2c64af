// Behaviour every page's forms share.
// - A form that failed comes back with an error summary: focus it, so the problem is read out first.
// - A button or form with data-confirm asks before it submits.
// - A menu that saves on change (data-commit) saves on a click or Enter, or when focus leaves it, never
//   on each arrow press: Chromium changes a closed <select> on arrow keys and fires "change" at once.
//   Saving is a "commit" event for htmx, or (data-submit) submitting the menu's form.
// - After htmx redraws part of a page, focus goes back to the control that asked (found again by its
//   data-focus-key: the first of its keys whose control is still there and enabled), and the new
//   part's data-announce text is read out in the page's live region.
(function () {
  "use strict";

  function focusSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) summary.focus();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", focusSummary);
  else focusSummary();

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[data-confirm]");
    if (button && !window.confirm(button.dataset.confirm)) event.preventDefault();
  });
  document.addEventListener("submit", function (event) {
    var message = event.target.dataset && event.target.dataset.confirm;
    if (message && !window.confirm(message)) event.preventDefault();
  });

  var keyed = null;  // the data-commit menu whose value the keyboard changed and that has not saved yet
  function commit(select) {
    keyed = null;
    if (select.value !== select.dataset.saved) {
      select.dataset.saved = select.value;
      select.dispatchEvent(new CustomEvent("commit", {bubbles: true}));
      if (select.hasAttribute("data-submit") && select.form) select.form.requestSubmit();
    }
  }
  document.addEventListener("focusin", function (event) {
    var select = event.target;
    if (select.matches && select.matches("select[data-commit]") && select.dataset.saved === undefined) {
      select.dataset.saved = select.value;
    }
  });
  document.addEventListener("keydown", function (event) {
    var select = event.target;
    if (!select.matches || !select.matches("select[data-commit]")) return;
    if (event.key === "Enter") { event.preventDefault(); commit(select); }
    else if (event.key.indexOf("Arrow") === 0 || event.key === "Home" || event.key === "End" || event.key.length === 1) keyed = select;
  });
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.matches || !select.matches("select[data-commit]")) return;
    if (keyed !== select) commit(select);
  });
  document.addEventListener("focusout", function (event) {
    if (event.target === keyed) commit(keyed);
  });

  var focusKeys = null;
  document.addEventListener("htmx:beforeRequest", function () {
    var active = document.activeElement;
    focusKeys = active && active.dataset && active.dataset.focusKey ? active.dataset.focusKey.split(" ") : null;
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    var announce = document.querySelector("[data-announce]");
    var region = document.getElementById("live-status");
    if (announce && region) {
      var words = announce.dataset.announce;
      announce.removeAttribute("data-announce");
      region.textContent = "";
      // A moment later, so the same words said twice in a row are read out again.
      setTimeout(function () { region.textContent = words; }, 50);
    }
    if (!focusKeys || (document.activeElement && document.activeElement !== document.body)) return;
    for (var i = 0; i < focusKeys.length; i++) {
      var key = focusKeys[i];
      var control = document.querySelector('[data-focus-key="' + key + '"], [data-focus-key^="' + key + ' "]');
      if (control && !control.disabled) { control.focus(); break; }
    }
    focusKeys = null;
  });
})();
