// Search wizard: show the input that fits the chosen tile, keywords as chips, custom target.
(function () {
  "use strict";
  var form = document.querySelector("form.wizard");
  if (!form) return;

  function syncTile() {
    var chosen = form.querySelector("input[name=tile]:checked");
    var type = chosen ? chosen.dataset.type : "keyword";
    form.querySelectorAll("[data-for]").forEach(function (field) {
      field.hidden = field.dataset.for !== type;
    });
    // Filters only one kind of search takes (TikTok's region) show for that tile alone.
    form.querySelectorAll("[data-tile]").forEach(function (field) {
      field.hidden = !chosen || field.dataset.tile !== chosen.value;
    });
  }
  form.querySelectorAll("input[name=tile]").forEach(function (radio) { radio.addEventListener("change", syncTile); });
  syncTile();

  var custom = form.querySelector("#id_custom_target");
  function syncTarget() {
    var chosen = form.querySelector("input[name=target]:checked");
    custom.hidden = !(chosen && chosen.value === "custom");
  }
  form.querySelectorAll("input[name=target]").forEach(function (radio) { radio.addEventListener("change", syncTarget); });
  syncTarget();

  // Keywords as chips. The real field stays a comma-separated text input, so the form works without this.
  var box = form.querySelector("[data-chips]");
  var source = box.querySelector("input");
  var entry = document.createElement("input");
  entry.type = "text";
  entry.className = "chip-entry";
  entry.placeholder = source.placeholder;
  entry.setAttribute("aria-label", "Add a keyword");
  // The entry takes the field's place for its label, help and errors; the real field only holds the value.
  entry.id = source.id;
  source.id = source.id + "_value";
  ["aria-describedby", "aria-invalid"].forEach(function (name) {
    if (source.hasAttribute(name)) entry.setAttribute(name, source.getAttribute(name));
  });
  source.type = "hidden";
  box.appendChild(entry);
  var MAX = 10;

  function words() { return source.value.split(",").map(function (w) { return w.trim(); }).filter(Boolean); }
  function render() {
    box.querySelectorAll(".chip").forEach(function (chip) { chip.remove(); });
    words().forEach(function (word, index) {
      var chip = document.createElement("span");
      chip.className = "chip";
      chip.textContent = word;
      var remove = document.createElement("button");
      remove.type = "button";
      remove.setAttribute("aria-label", "Remove " + word);
      remove.textContent = "×";
      remove.addEventListener("click", function () {
        var list = words(); list.splice(index, 1); source.value = list.join(", "); render(); entry.focus();
      });
      chip.appendChild(remove);
      box.insertBefore(chip, entry);
    });
    entry.disabled = words().length >= MAX;
    entry.placeholder = entry.disabled ? "10 keywords is the most per search" : (words().length ? "Add another" : source.placeholder);
  }
  function commit() {
    // Nothing typed, nothing to redraw: redrawing on blur would swap the chip whose × is being
    // clicked for a new one between mouse down and up, and the click would be lost.
    if (!entry.value.trim()) return;
    var list = words();
    entry.value.split(",").forEach(function (part) {
      var word = part.trim();
      if (word && list.length < MAX && list.map(function (w) { return w.toLowerCase(); }).indexOf(word.toLowerCase()) < 0) list.push(word);
    });
    entry.value = "";
    source.value = list.join(", ");
    render();
  }
  entry.addEventListener("keydown", function (event) {
    if (event.key === "Enter" || event.key === ",") { event.preventDefault(); commit(); }
    else if (event.key === "Backspace" && !entry.value) { var list = words(); list.pop(); source.value = list.join(", "); render(); }
  });
  entry.addEventListener("blur", commit);
  // A suggested keyword joins the chips when clicked, and its button goes while it is one of them.
  function syncSuggestions() {
    var chosen = words().map(function (w) { return w.toLowerCase(); });
    form.querySelectorAll("[data-keyword]").forEach(function (button) {
      button.parentElement.hidden = chosen.indexOf(button.dataset.keyword.toLowerCase()) >= 0;
    });
  }
  form.querySelectorAll("[data-keyword]").forEach(function (button) {
    button.addEventListener("click", function () {
      entry.value = button.dataset.keyword;
      commit();
      entry.focus();
    });
  });
  new MutationObserver(syncSuggestions).observe(box, { childList: true });
  syncSuggestions();
  form.addEventListener("submit", commit);
  box.addEventListener("click", function () { entry.focus(); });
  render();
})();
