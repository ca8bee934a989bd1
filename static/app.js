// Sagarr's only script of its own: the details dialog. htmx loads a title's details into
// #details-body; this opens the dialog around them, closes it after an action taken inside
// (the card behind it shows the outcome), and empties it on close so it never reopens stale.
// Without JavaScript, the same links open the details page instead.
(function () {
  "use strict";
  function dialog() { return document.getElementById("details"); }
  function body() { return document.getElementById("details-body"); }
  var actedInside = false;
  document.addEventListener("submit", function (event) {
    var form = event.target;
    actedInside = !!(form && form.closest && form.closest("#details-body"));
  }, true);
  document.addEventListener("htmx:after:swap", function () {
    var d = dialog(), b = body();
    if (!d || !b) { return; }
    if (actedInside) {
      actedInside = false;
      if (d.open) { d.close(); }
    } else if (b.childElementCount > 0 && !d.open) {
      d.showModal();
    }
  });
  document.addEventListener("close", function (event) {
    if (event.target === dialog() && body()) { body().replaceChildren(); }
  }, true);
})();
