/*
 * LGNet Archivio, `lgnet serve` only: reloads the page after the preview rebuilt the site, or
 * says why the rebuild failed. The preview adds this script to the pages it sends; it is
 * never part of a built site.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var seen = script ? Number(script.getAttribute("data-versione")) : 0;
  var banner = null;

  function show(lines) {
    if (!banner) {
      banner = document.createElement("div");
      banner.setAttribute("role", "alert");
      banner.className = "lgnet-anteprima-errore";
      banner.style.cssText = "position:fixed;left:0;right:0;bottom:0;z-index:10;padding:.8em 1em;" +
        "background:#fff3cd;color:#1a1a1a;border-top:3px solid #8a6d00;font:14px/1.4 sans-serif";
      document.body.appendChild(banner);
    }
    banner.textContent = "Il sito non è stato ricostruito: " + lines.join(" · ");
  }

  function check() {
    fetch("/_lgnet/versione", { cache: "no-store" })
      .then(function (response) { return response.json(); })
      .then(function (status) {
        if (status.errori && status.errori.length) {
          show(status.errori);
        } else if (status.versione > seen && !status.in_corso) {
          location.reload();
          return;
        }
        window.setTimeout(check, 1000);
      })
      .catch(function () { window.setTimeout(check, 3000); });
  }

  window.setTimeout(check, 1000);
})();
