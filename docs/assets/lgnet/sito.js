/*
 * LGNet Archivio: small fixes to the theme, on every page.
 *
 * 1. Material's search overlay is a dialog without a name: screen readers announce it as
 *    "dialog" only. Give it one.
 * 2. The site opened from disk (a copy on a USB stick, file://.../site/index.html): pages live
 *    at folder addresses ("archivio/", "../citta/roma/"), which a browser shows on disk as a
 *    folder listing. Every link into the site that ends in "/" is pointed at the folder's
 *    index.html (query and "#t=" kept): the links in the page when it loads (so "open in a new
 *    tab" works too), links added later by scripts, and, as a safety net, any link at the
 *    moment it is clicked. Material's search box cannot work from disk (it loads its index in
 *    a worker, which file:// forbids): Enter in it opens the site's own search page, /cerca/,
 *    which does work from disk. A <track> cannot load from disk either: its cues are loaded from
 *    the script the site stage writes beside the VTT (media/<id>.vtt.js) and added to the
 *    player. Over http(s) nothing of this runs.
 */
(function () {
  "use strict";

  var script = document.currentScript;

  function nameSearchDialog() {
    var dialog = document.querySelector(".md-search[role='dialog']");
    if (dialog && !dialog.hasAttribute("aria-label") && !dialog.hasAttribute("aria-labelledby")) {
      dialog.setAttribute("aria-label", "Ricerca nel sito");
    }
  }

  /* Returns the function that fixes the links inside a node (called again once parsed). */
  function setUpOffline(siteRoot) {
    /* The file:// address `link` should have, or null when it is fine as it is. */
    function onDisk(link) {
      var raw = link.getAttribute("href");
      if (!raw || raw.charAt(0) === "#") return null;
      var url;
      try {
        url = new URL(raw, document.baseURI);
      } catch (e) {
        return null;
      }
      if (url.protocol !== "file:" || url.pathname.slice(-1) !== "/") return null;
      if (url.href.indexOf(siteRoot) !== 0) return null;
      url.pathname += "index.html";
      return url.href;
    }

    function fixLink(link) {
      var target = onDisk(link);
      if (target) link.setAttribute("href", target);
    }

    // Before the browser follows the link, or offers to open it: capture phase, on window.
    ["click", "auxclick", "contextmenu"].forEach(function (name) {
      window.addEventListener(name, function (event) {
        var link = event.target && event.target.closest ? event.target.closest("a[href]") : null;
        if (link) fixLink(link);
      }, true);
    });

    function openSearchPage(query) {
      var url = new URL("cerca/index.html", siteRoot);
      if (query) url.searchParams.set("q", query);
      location.href = url.href;
    }

    // Ahead of Material's own handling, which listens on window in the bubbling phase.
    window.addEventListener("keydown", function (event) {
      var box = event.target;
      if (event.key !== "Enter" || event.isComposing) return;
      if (!box || !box.matches || !box.matches(".md-search__input")) return;
      event.preventDefault();
      event.stopPropagation();
      openSearchPage(box.value.trim());
    }, true);
    window.addEventListener("submit", function (event) {
      var form = event.target;
      if (!form || !form.matches || !form.matches(".md-search__form, [data-lgnet-cerca-home]")) {
        return;
      }
      event.preventDefault();
      event.stopPropagation();
      var box = form.querySelector(".md-search__input, input[name=q]");
      openSearchPage(box ? box.value.trim() : "");
    }, true);

    /*
     * Material hides its search box when its index cannot load, as from disk: show it again,
     * as a plain form whose Enter opens /cerca/, and say so where its results would appear.
     */
    function reviveSearchBox(dialog) {
      if (!dialog.hidden) return;
      dialog.hidden = false;
      var box = dialog.querySelector(".md-search__input");
      if (box) {
        box.setAttribute("placeholder", "Cerca nelle trascrizioni");
        box.setAttribute("aria-label", "Cerca nelle trascrizioni (Invio per la pagina di ricerca)");
      }
      var meta = dialog.querySelector(".md-search-result__meta");
      if (meta) meta.textContent = "Premere Invio per cercare nelle trascrizioni";
    }

    /*
     * Captions from disk: a <track> cannot load there (every file is its own origin), so the
     * site stage writes each VTT's cues as a script too (media/<id>.vtt.js), which can load.
     */
    var waiting = {};
    window.lgnetSottotitoli = function (id, cues) {
      var done = waiting[id];
      if (done) done(cues);
    };

    function captionsFromDisk(track) {
      var media = track.parentElement;
      var src = track.getAttribute("src");
      if (!src || !/\.vtt$/.test(src) || track.hasAttribute("data-lgnet-da-disco")) return;
      track.setAttribute("data-lgnet-da-disco", "");
      var id = src.split("/").pop().replace(/\.vtt$/, "");
      waiting[id] = function (cues) {
        var shown = track.hasAttribute("default");
        var added = media.addTextTrack("captions", track.label || "Italiano", track.srclang || "it");
        cues.forEach(function (c) {
          if (window.VTTCue) added.addCue(new VTTCue(c[0], c[1], c[2]));
        });
        track.remove();
        added.mode = shown ? "showing" : "hidden";
      };
      var script = document.createElement("script");
      script.src = new URL(src + ".js", document.baseURI).href;
      document.head.appendChild(script);
    }

    var CAPTIONS = "[data-lgnet-media] > track[src]";

    function fixNode(node) {
      if (node.matches("a[href]")) fixLink(node);
      else if (node.matches(".md-search")) reviveSearchBox(node);
      else if (node.matches(CAPTIONS)) captionsFromDisk(node);
    }

    function fixLinksIn(node) {
      if (node.nodeType !== 1) return;
      fixNode(node);
      Array.prototype.forEach.call(node.querySelectorAll("a[href], .md-search, " + CAPTIONS), fixNode);
    }

    if (window.MutationObserver) {
      new MutationObserver(function (changes) {
        changes.forEach(function (change) {
          if (change.type === "attributes") fixNode(change.target);
          else Array.prototype.forEach.call(change.addedNodes, fixLinksIn);
        });
      }).observe(document.documentElement, {
        childList: true,
        subtree: true,
        attributes: true,
        attributeFilter: ["href", "hidden"],
      });
    }
    fixLinksIn(document.documentElement);
    return fixLinksIn;
  }

  // This file is <site>/assets/lgnet/sito.js: links outside <site> are left alone.
  var fixLinksIn = location.protocol === "file:" && script && script.src
    ? setUpOffline(new URL("../../", script.src).href)
    : null;

  function start() {
    nameSearchDialog();
    if (fixLinksIn) fixLinksIn(document.documentElement);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
