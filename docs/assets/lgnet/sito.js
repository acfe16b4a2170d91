/*
 * LGNet Archivio: small accessibility fixes to the theme, on every page.
 * Material's search overlay is a dialog without a name: screen readers announce it as
 * "dialog" only. Give it one.
 */
(function () {
  "use strict";
  function start() {
    var dialog = document.querySelector(".md-search[role='dialog']");
    if (dialog && !dialog.hasAttribute("aria-label") && !dialog.hasAttribute("aria-labelledby")) {
      dialog.setAttribute("aria-label", "Ricerca nel sito");
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
