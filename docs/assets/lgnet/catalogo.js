/*
 * LGNet Archivio: filters of the catalogue page (/archivio/), entirely in the browser.
 *
 * The form is in the page from the start (no layout shift when this script takes over); without
 * JavaScript a <noscript> style hides it and the page lists every recording. `data-pronto` on
 * the form says the filters are live.
 * With it, the form filters the list by city, kind, area, year, how far a person reviewed the
 * transcript (every sentence, some, none) and words of the title; the
 * choice is kept in the address (?citta=palermo&anno=2023) so a filtered list can be shared.
 */
(function () {
  "use strict";

  var FIELDS = ["citta", "tipo", "ambito", "anno", "trascrizione", "testo"];

  function normalise(text) {
    return String(text || "").normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function setUp(root) {
    var form = root.querySelector("[data-lgnet-filtri]");
    var cards = Array.prototype.slice.call(root.querySelectorAll(".lgnet-scheda"));
    var count = root.querySelector("[data-lgnet-conteggio]");
    var empty = root.querySelector("[data-lgnet-vuoto]");
    if (!form || !cards.length) return;
    var controls = {};
    FIELDS.forEach(function (name) { controls[name] = form.querySelector('[data-filtro="' + name + '"]'); });
    var timer = null;

    function values() {
      var out = {};
      FIELDS.forEach(function (name) { out[name] = controls[name] ? controls[name].value.trim() : ""; });
      return out;
    }

    function matches(card, v, words) {
      if (v.citta && card.getAttribute("data-citta") !== v.citta) return false;
      if (v.tipo && card.getAttribute("data-tipo") !== v.tipo) return false;
      if (v.anno && card.getAttribute("data-anno") !== v.anno) return false;
      if (v.trascrizione && card.getAttribute("data-trascrizione") !== v.trascrizione) return false;
      if (v.ambito && (" " + card.getAttribute("data-ambiti") + " ").indexOf(" " + v.ambito + " ") < 0) {
        return false;
      }
      var text = card.getAttribute("data-testo") || "";
      return words.every(function (word) { return text.indexOf(word) >= 0; });
    }

    function apply(remember) {
      var v = values();
      var words = normalise(v.testo).split(/\s+/).filter(Boolean);
      var shown = 0;
      cards.forEach(function (card) {
        var ok = matches(card, v, words);
        card.hidden = !ok;
        if (ok) shown += 1;
      });
      var filtered = FIELDS.some(function (name) { return v[name]; });
      var noun = shown === 1 ? "registrazione" : "registrazioni";
      count.textContent = filtered
        ? shown + " " + noun + " su " + cards.length
        : shown + " " + noun;
      if (empty) empty.hidden = shown > 0;
      if (remember && history.replaceState) {
        var params = new URLSearchParams(location.search);
        FIELDS.forEach(function (name) {
          if (v[name]) params.set(name, v[name]); else params.delete(name);
        });
        var query = params.toString();
        history.replaceState(null, "", location.pathname + (query ? "?" + query : "") + location.hash);
      }
    }

    // Start from the address: a shared link opens the same filtered list.
    var params = new URLSearchParams(location.search);
    FIELDS.forEach(function (name) {
      var control = controls[name];
      var wanted = params.get(name);
      if (!control || wanted === null) return;
      if (control.tagName === "SELECT") {
        var known = Array.prototype.some.call(control.options, function (o) { return o.value === wanted; });
        if (known) control.value = wanted;
      } else {
        control.value = wanted;
      }
    });

    form.addEventListener("submit", function (event) { event.preventDefault(); apply(true); });
    form.addEventListener("change", function () { apply(true); });
    form.addEventListener("input", function (event) {
      if (event.target !== controls.testo) return;
      clearTimeout(timer);
      timer = setTimeout(function () { apply(true); }, 250);
    });
    form.setAttribute("data-pronto", "");
    form.addEventListener("reset", function () { setTimeout(function () { apply(true); }, 0); });
    apply(false);
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-lgnet-catalogo]"), setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
