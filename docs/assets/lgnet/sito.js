/*
 * LGNet Archivio: small fixes to the theme, on every page.
 *
 * 1. The header's search box (overrides/partials/search.html) is a plain form for /cerca/. On
 *    small screens the header's magnifier opens it (a CSS toggle): put the cursor in it then,
 *    and let Escape close it again.
 * 2. The site opened from disk (a copy on a USB stick, file://.../site/index.html): pages live
 *    at folder addresses ("archivio/", "../citta/roma/"), which a browser shows on disk as a
 *    folder listing. Every link into the site that ends in "/" is pointed at the folder's
 *    index.html (query and "#t=" kept): the links in the page when it loads (so "open in a new
 *    tab" works too), links added later by scripts, and, as a safety net, any link at the
 *    moment it is clicked. The search form is sent to /cerca/index.html (a form sent to a
 *    folder address would show the folder). A <track> cannot load from disk either: its cues are loaded from
 *    the script the site stage writes beside the VTT (media/<id>.vtt.js) and added to the
 *    player. Over http(s) nothing of this runs.
 */
(function () {
  "use strict";

  var script = document.currentScript;

  function setUpHeaderSearch() {
    var toggle = document.getElementById("__search");
    var box = document.querySelector(".lgnet-ricerca-testata .md-search__input");
    if (!toggle || !box) return;
    toggle.addEventListener("change", function () {
      if (toggle.checked) box.focus();
    });
    box.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && toggle.checked) {
        toggle.checked = false;
        box.blur();
      }
    });
  }

  /*
   * Material names each sub-menu of the navigation after the toggle beside its section's
   * link; with section index pages that toggle is an icon without text, so the menus have no
   * name (screen readers list several unnamed navigation landmarks). Name each after its
   * section.
   */
  function nameSubMenus() {
    Array.prototype.forEach.call(document.querySelectorAll("nav.md-nav[aria-labelledby]"), function (nav) {
      var toggle = document.getElementById(nav.getAttribute("aria-labelledby"));
      if (!toggle || toggle.textContent.trim()) return;
      var link = toggle.parentNode ? toggle.parentNode.querySelector("a.md-nav__link") : null;
      var name = link ? link.textContent.replace(/\s+/g, " ").trim() : "";
      if (!name) return;
      nav.removeAttribute("aria-labelledby");
      nav.setAttribute("aria-label", name);
    });
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
        // The same kind as the <track>: captions, or the chapters (media/<id>.capitoli.vtt.js).
        var kind = track.getAttribute("kind") || "captions";
        var added = media.addTextTrack(kind, track.label || "Italiano", track.srclang || "it");
        cues.forEach(function (c) {
          if (window.VTTCue) added.addCue(new VTTCue(c[0], c[1], c[2]));
        });
        track.remove();
        added.mode = shown && kind !== "chapters" ? "showing" : "hidden";
      };
      var script = document.createElement("script");
      script.src = new URL(src + ".js", document.baseURI).href;
      document.head.appendChild(script);
    }

    var CAPTIONS = "[data-lgnet-media] > track[src]";

    function fixNode(node) {
      if (node.matches("a[href]")) fixLink(node);
      else if (node.matches(CAPTIONS)) captionsFromDisk(node);
    }

    function fixLinksIn(node) {
      if (node.nodeType !== 1) return;
      fixNode(node);
      Array.prototype.forEach.call(node.querySelectorAll("a[href], " + CAPTIONS), fixNode);
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
        attributeFilter: ["href"],
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
    setUpHeaderSearch();
    nameSubMenus();
    if (fixLinksIn) fixLinksIn(document.documentElement);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
