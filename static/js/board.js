// The list board: drag a card to another bucket or to another place in its bucket (HTML5 drag and
// drop). The drop is sent as "this card, this bucket, before that card" and the server answers with
// the board as it now is, so the page also shows what collaborators changed meanwhile. Each card's
// bucket menu does the same without a mouse.
(function () {
  "use strict";
  var dragged = null;
  var origin = null;  // where the dragged card was, to put it back if the drag is abandoned
  var dropped = false;

  function board() { return document.querySelector("#list-view[data-editable]"); }

  function nextCard(card) {
    var next = card.nextElementSibling;
    while (next && !next.classList.contains("board-card")) next = next.nextElementSibling;
    return next;
  }

  // The first card (other than the dragged one) whose middle lies below the pointer.
  function cardBelow(list, y) {
    var cards = list.querySelectorAll(".board-card:not(.dragging)");
    for (var i = 0; i < cards.length; i++) {
      var box = cards[i].getBoundingClientRect();
      if (y < box.top + box.height / 2) return cards[i];
    }
    return null;
  }

  function dropList(event) {
    var column = event.target.closest && event.target.closest(".board-column");
    return column && board() && board().contains(column) ? column.querySelector(".board-cards") : null;
  }

  document.addEventListener("dragstart", function (event) {
    var card = event.target.closest && event.target.closest(".board-card[draggable=true]");
    if (!card || !board()) return;
    dragged = card;
    origin = {parent: card.parentElement, next: card.nextElementSibling};
    dropped = false;
    dragged.dataset.from = card.parentElement.dataset.bucket;
    dragged.dataset.before = (nextCard(card) || {dataset: {}}).dataset.item || "";
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.item);
    // Styled on the next frame, so the drag image is the card as it looked.
    requestAnimationFrame(function () { if (dragged) dragged.classList.add("dragging"); });
  });

  document.addEventListener("dragover", function (event) {
    if (!dragged) return;
    var list = dropList(event);
    if (!list) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    var below = cardBelow(list, event.clientY);
    var empty = list.querySelector(".board-empty");
    if (below) {
      if (below !== dragged.nextElementSibling) list.insertBefore(dragged, below);
    } else if (dragged.nextElementSibling !== empty) {
      list.insertBefore(dragged, empty);
    }
  });

  document.addEventListener("drop", function (event) {
    if (!dragged) return;
    var list = dropList(event);
    if (!list) return;
    event.preventDefault();
    dropped = true;
    var card = dragged;
    var before = nextCard(card);
    var beforeId = before ? before.dataset.item : "";
    if (list.dataset.bucket === card.dataset.from && beforeId === card.dataset.before) return;
    card.classList.add("saving");
    htmx.ajax("POST", board().dataset.moveUrl, {
      source: board(), target: "#list-view", swap: "outerHTML",
      values: {item: card.dataset.item, bucket: list.dataset.bucket, before: beforeId},
    });
  });

  document.addEventListener("dragend", function () {
    if (dragged) {
      dragged.classList.remove("dragging");
      if (!dropped && origin) origin.parent.insertBefore(dragged, origin.next);
    }
    dragged = null;
    origin = null;
  });
})();
