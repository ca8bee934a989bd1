// Sagarr's only script of its own: the details dialog and where the keyboard focus goes.
// htmx loads a title's details into #details-body; this opens the dialog around them, closes it
// after an action taken inside (the card behind it shows the outcome), and empties it on close so
// it never reopens stale. The focus never falls to the top of the page: closing the dialog
// returns it to the card it came from, and after an action that replaces a card it moves to the
// replacement, or to the next card when the card is done (docs/accessibility.md).
// Without JavaScript, the same links open the details page instead.
(function () {
  "use strict";
  function dialog() { return document.getElementById("details"); }
  function body() { return document.getElementById("details-body"); }
  var actedInside = false;
  var openedFrom = null; // id of the card whose details the dialog shows
  var actedOn = null;    // id of the card an action was just taken on
  function cardIdOf(node) {
    var card = node && node.closest && node.closest("article.card");
    return card ? card.id : null;
  }
  // The first control of the card `id`, or of the next live card when it is done.
  function focusCard(id) {
    var card = id && document.getElementById(id);
    if (!card) { return; }
    var target = card;
    if (card.classList.contains("done")) {
      // The next live card on the page (this row's replacement, or the next row's first);
      // at the very end, the one before it.
      var live = document.querySelectorAll("article.card:not(.done)"), next = null, previous = null;
      for (var i = 0; i < live.length && !next; i++) {
        if (card.compareDocumentPosition(live[i]) & Node.DOCUMENT_POSITION_FOLLOWING) { next = live[i]; }
        else { previous = live[i]; }
      }
      target = next || previous || card;
    }
    var control = target.querySelector(".card-title a, button, a[href]");
    if (!control) { target.setAttribute("tabindex", "-1"); control = target; }
    control.focus();
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("article.card a[hx-get]");
    if (link) { openedFrom = cardIdOf(link); }
  }, true);
  document.addEventListener("submit", function (event) {
    var form = event.target;
    actedInside = !!(form && form.closest && form.closest("#details-body"));
    actedOn = actedInside ? openedFrom : cardIdOf(form);
  }, true);
  document.addEventListener("htmx:after:swap", function () {
    var d = dialog(), b = body();
    if (!d || !b) { return; }
    if (actedInside) {
      actedInside = false;
      if (d.open) { d.close(); }
    } else if (b.childElementCount > 0 && !d.open) {
      d.showModal();
      return;
    }
    if (actedOn && !d.open) {
      var id = actedOn;
      actedOn = null;
      openedFrom = null;
      focusCard(id);
    }
  });
  // A modal dialog makes the page behind it inert, but Tab can still leave for the browser's
  // own controls: wrap it between the dialog's first and last control instead.
  document.addEventListener("keydown", function (event) {
    var d = dialog();
    if (event.key !== "Tab" || !d || !d.open) { return; }
    var controls = Array.prototype.filter.call(
      d.querySelectorAll("a[href], button, input, select, textarea, summary, [tabindex]:not([tabindex='-1'])"),
      function (el) { return !el.disabled && el.getClientRects().length > 0; });
    if (controls.length === 0) { return; }
    var first = controls[0], last = controls[controls.length - 1];
    if (event.shiftKey && (document.activeElement === first || !d.contains(document.activeElement))) {
      event.preventDefault(); last.focus();
    } else if (!event.shiftKey && (document.activeElement === last || !d.contains(document.activeElement))) {
      event.preventDefault(); first.focus();
    }
  });
  document.addEventListener("close", function (event) {
    if (event.target !== dialog()) { return; }
    if (body()) { body().replaceChildren(); }
    // Closed without an action (Esc or the close button): back to the card's title.
    if (openedFrom && !actedOn) {
      var link = document.querySelector("#" + openedFrom + " .card-title a");
      if (link) { link.focus(); }
      openedFrom = null;
    }
  }, true);
})();
