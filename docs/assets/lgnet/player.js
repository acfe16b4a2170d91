/*
 * LGNet Archivio: the interactive transcript of a recording page.
 *
 * The page works without this script: every transcript passage is a link to "#t=SECONDS".
 * With it, a click seeks the player, the passage being played is highlighted (aria-current)
 * and kept in view inside the transcript box (never scrolling the page, and not while the
 * user is scrolling the transcript), "#t=" deep links seek on load and on hashchange, and
 * "Cita questo momento" gives a link to the current moment. No framework, no network.
 */
(function () {
  "use strict";

  var USER_SCROLL_PAUSE_MS = 4000;

  /* Seconds from "84.5", "1:24" or "1:02:03.5"; NaN when it is not a time. */
  function parseTime(text) {
    var parts = String(text).trim().replace(",", ".").split(":");
    if (parts.length > 3 || parts.some(function (p) { return !/^\d+(\.\d+)?$/.test(p); })) {
      return NaN;
    }
    return parts.reduce(function (total, part) { return total * 60 + parseFloat(part); }, 0);
  }

  /* "1:24" or "1:02:03", like the times printed next to each passage. */
  function clock(seconds) {
    var s = Math.floor(seconds);
    var h = Math.floor(s / 3600);
    var m = Math.floor((s % 3600) / 60);
    var rest = String(s % 60).padStart(2, "0");
    return h ? h + ":" + String(m).padStart(2, "0") + ":" + rest : m + ":" + rest;
  }

  /* The time in a "#t=84.5" (or "#t=84.5,90", as in media fragments) hash. */
  function hashTime(hash) {
    var match = /^#t=([^&,]*)/.exec(hash || "");
    return match ? parseTime(decodeURIComponent(match[1])) : NaN;
  }

  function setUp(root) {
    var media = root.querySelector("[data-lgnet-media]");
    if (!media) return;
    var list = root.querySelector("[data-lgnet-segmenti]");
    var segments = list ? Array.prototype.slice.call(list.querySelectorAll("a[data-start]")) : [];
    var starts = segments.map(function (a) { return parseFloat(a.getAttribute("data-start")); });
    var follow = root.querySelector("[data-lgnet-segui]");
    var reducedMotion = window.matchMedia &&
      window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    var current = -1;
    var lastUserScroll = -Infinity;

    if (follow) follow.closest("[data-lgnet-segui-riga]").hidden = false;

    /* The passage playing at time t: the last one started (it stays lit across a pause). */
    function indexAt(t) {
      var lo = 0, hi = starts.length - 1, found = -1;
      while (lo <= hi) {
        var mid = (lo + hi) >> 1;
        if (starts[mid] <= t + 0.05) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
      }
      return found;
    }

    function keepInView(link, force) {
      if (!list || !link) return;
      if (!force && ((follow && !follow.checked) ||
          Date.now() - lastUserScroll < USER_SCROLL_PAUSE_MS)) return;
      var box = list.getBoundingClientRect();
      var row = link.getBoundingClientRect();
      if (row.top >= box.top && row.bottom <= box.bottom) return;
      // Scroll the transcript box only: scrollIntoView would also move the page.
      var top = list.scrollTop + (row.top - box.top) - list.clientHeight / 3;
      if (list.scrollTo) {
        list.scrollTo({ top: Math.max(0, top), behavior: reducedMotion ? "auto" : "smooth" });
      } else {
        list.scrollTop = Math.max(0, top);
      }
    }

    function highlight(index, force) {
      if (index !== current) {
        if (current >= 0) {
          segments[current].removeAttribute("aria-current");
          segments[current].parentNode.classList.remove("lgnet-attivo");
        }
        current = index;
        if (current >= 0) {
          segments[current].setAttribute("aria-current", "true");
          segments[current].parentNode.classList.add("lgnet-attivo");
        }
      } else if (!force) {
        return;
      }
      if (current >= 0) keepInView(segments[current], force);
    }

    function seek(t, play) {
      if (!isFinite(t) || t < 0) return;
      function go() {
        var end = isFinite(media.duration) ? media.duration : t;
        try { media.currentTime = Math.min(t, end); } catch (e) { /* not seekable yet */ }
        highlight(indexAt(t), true);
        if (play) {
          var promise = media.play();
          if (promise && promise.catch) promise.catch(function () { /* blocked: user presses play */ });
        }
      }
      highlight(indexAt(t), true);
      if (media.readyState >= 1) {
        go();
      } else {
        media.addEventListener("loadedmetadata", go, { once: true });
        if (media.preload === "none") media.load();
      }
    }

    // A passage or a chapter: seek there and play (the click is the user's go-ahead).
    root.addEventListener("click", function (event) {
      var link = event.target.closest ? event.target.closest("a[data-start]") : null;
      if (!link || !root.contains(link)) return;
      if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) return;
      event.preventDefault();
      var t = parseFloat(link.getAttribute("data-start"));
      if (history.replaceState) history.replaceState(null, "", "#t=" + link.getAttribute("data-start"));
      seek(t, true);
    });

    ["timeupdate", "seeked"].forEach(function (name) {
      media.addEventListener(name, function () { highlight(indexAt(media.currentTime), false); });
    });

    if (list) {
      ["wheel", "touchstart", "touchmove", "pointerdown", "keydown"].forEach(function (name) {
        list.addEventListener(name, function () { lastUserScroll = Date.now(); }, { passive: true });
      });
    }

    window.addEventListener("hashchange", function () {
      var t = hashTime(location.hash);
      if (!isNaN(t)) seek(t, false);
    });
    var initial = hashTime(location.hash);
    if (!isNaN(initial)) seek(initial, false);

    setUpCitation(root, media);
  }

  function setUpCitation(root, media) {
    var box = root.querySelector("[data-lgnet-cita]");
    if (!box) return;
    var button = box.querySelector("[data-lgnet-cita-pulsante]");
    var result = box.querySelector("[data-lgnet-cita-risultato]");
    var field = box.querySelector("[data-lgnet-cita-link]");
    var text = box.querySelector("[data-lgnet-cita-testo]");
    var status = box.querySelector("[data-lgnet-cita-stato]");
    box.hidden = false;

    button.addEventListener("click", function () {
      var t = Math.floor((media.currentTime || 0) * 10) / 10;
      var url = location.href.split("#")[0] + "#t=" + t;
      field.value = url;
      text.textContent = "«" + text.getAttribute("data-titolo") + "», " +
        text.getAttribute("data-citta") + ", " + text.getAttribute("data-data") +
        ", al minuto " + clock(t) + ". " + url;
      result.hidden = false;
      function copied() { status.textContent = "Link al minuto " + clock(t) + " copiato negli appunti."; }
      function manual() {
        field.focus();
        field.select();
        var ok = false;
        try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
        status.textContent = ok ? "Link al minuto " + clock(t) + " copiato negli appunti."
          : "Link al minuto " + clock(t) + " pronto: copiarlo dal campo qui sopra.";
      }
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(url).then(copied, manual);
      } else {
        manual();
      }
    });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-lgnet-registrazione]"), setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
