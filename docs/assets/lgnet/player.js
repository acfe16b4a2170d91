/*
 * LGNet Archivio: the interactive transcript of a recording page.
 *
 * The page works without this script: every transcript passage is a link to "#t=SECONDS".
 * With it, a click seeks the player, the passage being played is highlighted (aria-current)
 * and kept in view inside the transcript box (never scrolling the page, and not while the
 * user is scrolling the transcript), "#t=" deep links seek on load and on hashchange, and
 * "Cita questo momento" gives a link to the current moment. The chapter index (when the
 * recording has chapters) marks the chapter being played the same way.
 *
 * Passages: "#t=START,END" (W3C media fragments) plays from START and pauses at END, with the
 * passages in that span highlighted. Selecting text in the transcript (with the mouse, or
 * with Shift+Arrow down/up on a passage) offers "Copia link a questo passaggio" and "Cita":
 * the citation of that span as text, BibTeX, RIS and a CSL-JSON file made in the browser
 * (same wording as lgnet/citations.py: keep the two in step). The recording's facts are read
 * from the page (data attributes of the article when present, else the "Informazioni" list).
 * No framework, no network: it works from file:// too.
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

  /* {start, end} of a "#t=12.5,20" hash (end NaN when absent). */
  function hashRange(hash) {
    var match = /^#t=([^&,]*)(?:,([^&]*))?/.exec(hash || "");
    if (!match) return { start: NaN, end: NaN };
    var start = match[1] === "" ? 0 : parseTime(decodeURIComponent(match[1]));
    var end = match[2] === undefined ? NaN : parseTime(decodeURIComponent(match[2]));
    return { start: start, end: end > start ? end : NaN };
  }

  /* "12.5", "20": seconds as a fragment writes them (at most 3 decimals). */
  function secondsText(t) {
    var text = (Math.round(t * 1000) / 1000).toFixed(3).replace(/0+$/, "").replace(/\.$/, "");
    return text === "" || text === "-0" ? "0" : text;
  }

  var STYLE = [
    ".lgnet-segmenti li.lgnet-nel-passaggio{background:rgba(255,213,79,.35);",
    "box-shadow:inset 4px 0 0 #8a6d00}",
    ".lgnet-brano{margin:.6rem 0;padding:.5rem .8rem;border:1px solid currentColor;",
    "border-radius:4px}",
    ".lgnet-brano[hidden]{display:none}",
    ".lgnet-brano .md-button{margin:.2rem .4rem .2rem 0}",
    ".lgnet-brano input,.lgnet-brano textarea{width:100%;box-sizing:border-box;",
    "font-family:monospace;font-size:.75rem}",
    ".lgnet-brano textarea{min-height:7rem}",
    "@media print{.lgnet-brano{display:none}}"
  ].join("");

  function addStyle() {
    if (document.getElementById("lgnet-stile-passaggi")) return;
    var style = document.createElement("style");
    style.id = "lgnet-stile-passaggi";
    style.textContent = STYLE;
    document.head.appendChild(style);
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

    // A passage's time code, a chapter, or a plain click on a passage's text: seek there and
    // play (the click is the user's go-ahead). A drag over the text selects it instead.
    root.addEventListener("click", function (event) {
      if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) return;
      var target = event.target;
      if (!target.closest) return;
      var link = target.closest("a[data-start]");
      if (link) {
        if (!root.contains(link)) return;
        event.preventDefault();
      } else {
        if (target.closest("a, button, input, textarea, select")) return;
        var row = list ? target.closest("li") : null;
        if (!row || row.parentNode !== list) return;
        link = row.querySelector("a[data-start]");
        if (!link) return;
      }
      var selection = window.getSelection ? window.getSelection() : null;
      if (selection && !selection.isCollapsed && String(selection).trim() &&
          list && list.contains(selection.anchorNode)) {
        return; // the reader selected text to share it, not to jump there
      }
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

    // "#t=START,END": play the passage, pause at its end, highlight its passages.
    var rangeStart = NaN;
    var stopAt = NaN;

    function markRange(start, end) {
      segments.forEach(function (a) {
        var s = parseFloat(a.getAttribute("data-start"));
        var e = parseFloat(a.getAttribute("data-end"));
        if (isNaN(e)) e = s;
        var inside = !isNaN(start) && s < end - 0.01 && Math.max(e, s + 0.01) > start + 0.01;
        a.parentNode.classList.toggle("lgnet-nel-passaggio", inside);
        if (inside) {
          a.setAttribute("data-lgnet-nel-passaggio", "");
        } else {
          a.removeAttribute("data-lgnet-nel-passaggio");
        }
      });
    }

    function checkStop() {
      if (isNaN(stopAt) || media.seeking) return;
      if (media.currentTime >= stopAt - 0.04) {
        var end = stopAt;
        stopAt = NaN;
        media.pause();
        try { media.currentTime = end; } catch (e) { /* not seekable */ }
      }
    }

    function watch() {
      checkStop();
      if (!isNaN(stopAt) && !media.paused && window.requestAnimationFrame) {
        window.requestAnimationFrame(watch);
      }
    }

    media.addEventListener("playing", watch);
    media.addEventListener("timeupdate", checkStop);
    media.addEventListener("seeking", function () {
      if (isNaN(stopAt)) return;
      var t = media.currentTime;
      if (t < rangeStart - 0.5 || t > stopAt + 0.05) stopAt = NaN; // the user went elsewhere
    });

    function playRange(start, end) {
      rangeStart = start;
      stopAt = end;
      markRange(start, end);
      var count = root.querySelectorAll("li.lgnet-nel-passaggio").length;
      announce(root, "Passaggio dal minuto " + clock(start) + " al minuto " + clock(end) +
        (count ? " (" + count + (count === 1 ? " frase evidenziata" : " frasi evidenziate") + ")" : "") +
        ": la riproduzione si ferma alla fine del passaggio.");
      seek(start, true);
    }

    function followHash() {
      var range = hashRange(location.hash);
      if (isNaN(range.start)) return;
      if (!isNaN(range.end)) {
        playRange(range.start, range.end);
      } else {
        stopAt = NaN;
        markRange(NaN, NaN);
        seek(range.start, false);
      }
    }

    window.addEventListener("hashchange", followHash);
    followHash();

    setUpCitation(root, media);
    setUpPassages(root, media, list, segments);
    setUpChapters(root, media);
  }

  // --- chapters: the index beside the transcript follows playback ---------------------------

  /*
   * The chapter being played is marked (aria-current="true" on its link, a class on its row
   * for the visible style) and named in the line "Capitolo in corso" (a polite live region:
   * chapters change every few minutes, not every sentence). Only words and colours change,
   * never sizes, so nothing moves. Clicks on a chapter are the transcript's own: any
   * a[data-start] in the recording seeks there (see setUp). The chapters <track> is switched
   * to "hidden" so the browser loads its cues (a disabled track is never fetched) without
   * showing anything.
   */
  function setUpChapters(root, media) {
    var nav = root.querySelector("[data-lgnet-capitoli]");
    if (!nav) return;
    var links = Array.prototype.slice.call(nav.querySelectorAll("a[data-lgnet-capitolo]"));
    if (!links.length) return;
    var starts = links.map(function (a) { return parseFloat(a.getAttribute("data-start")); });
    var box = nav.querySelector("[data-lgnet-capitoli-elenco]");
    var name = nav.querySelector("[data-lgnet-capitolo-corrente-titolo]");
    var current = -2;

    function indexAt(t) {
      var found = -1;
      for (var i = 0; i < starts.length; i++) {
        if (starts[i] <= t + 0.05) found = i; else break;
      }
      return found;
    }

    function keepInView(link) {
      if (!box) return;
      var outer = box.getBoundingClientRect();
      var row = link.parentNode.getBoundingClientRect();
      if (row.top >= outer.top && row.bottom <= outer.bottom) return;
      // Scroll the list only, never the page.
      box.scrollTop = Math.max(0, box.scrollTop + (row.top - outer.top));
    }

    function mark(index) {
      if (index === current) return;
      if (current >= 0) {
        links[current].removeAttribute("aria-current");
        links[current].parentNode.classList.remove("lgnet-capitolo--corrente");
      }
      current = index;
      if (current >= 0) {
        var link = links[current];
        link.setAttribute("aria-current", "true");
        link.parentNode.classList.add("lgnet-capitolo--corrente");
        var title = link.querySelector(".lgnet-capitolo__titolo");
        if (name) name.textContent = (title || link).textContent.trim();
        keepInView(link);
      } else if (name) {
        name.textContent = "nessuno (prima del primo capitolo)";
      }
    }

    function follow() { mark(indexAt(media.currentTime || 0)); }

    ["timeupdate", "seeking", "seeked", "loadedmetadata"].forEach(function (event) {
      media.addEventListener(event, follow);
    });
    function loadTrack() {
      Array.prototype.forEach.call(media.textTracks || [], function (track) {
        if (track.kind === "chapters" && track.mode === "disabled") track.mode = "hidden";
      });
    }
    loadTrack();
    if (media.textTracks && media.textTracks.addEventListener) {
      media.textTracks.addEventListener("addtrack", loadTrack); // sito.js, from disk
    }
    follow();
  }

  /* The live region of a recording, created once (announces passages and copies). */
  function announce(root, message) {
    var status = root.querySelector("[data-lgnet-brano-stato]");
    if (!status) {
      status = document.createElement("p");
      status.className = "lgnet-sr";
      status.setAttribute("role", "status");
      status.setAttribute("aria-live", "polite");
      status.setAttribute("data-lgnet-brano-stato", "");
      root.appendChild(status);
    }
    status.textContent = "";
    // A new text node after clearing, so screen readers announce a repeated message too.
    window.setTimeout(function () { status.textContent = message; }, 30);
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

  // --- passages: selection, shared link, citation -----------------------------------------

  var SITE_NAME = "LGNet Archivio";
  var MONTHS = ["gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio",
    "agosto", "settembre", "ottobre", "novembre", "dicembre"];
  var KIND_LABELS = { workshop: "Workshop", pillola: "Video pillola",
    testimonianza: "Testimonianza", docufilm: "Docufilm" };
  var LANGUAGE_CODES = { italiano: "it", inglese: "en", francese: "fr", spagnolo: "es",
    tedesco: "de", arabo: "ar", ucraino: "uk", russo: "ru", portoghese: "pt", rumeno: "ro" };
  var BABEL = { it: "italian", en: "english", fr: "french", es: "spanish", de: "ngerman",
    pt: "portuguese", ru: "russian", uk: "ukrainian", ro: "romanian" };

  function oneLine(text) { return String(text || "").split(/\s+/).filter(Boolean).join(" "); }

  function italianDate(text) {
    var parts = String(text).split("-");
    if (parts.length === 3) {
      return parseInt(parts[2], 10) + " " + MONTHS[parseInt(parts[1], 10) - 1] + " " + parts[0];
    }
    if (parts.length === 2) return MONTHS[parseInt(parts[1], 10) - 1] + " " + parts[0];
    return parts[0];
  }

  function todayIso() {
    var d = new Date();
    return d.getFullYear() + "-" + String(d.getMonth() + 1).padStart(2, "0") + "-" +
      String(d.getDate()).padStart(2, "0");
  }

  /* What the page says about the recording: data attributes of the article first
   * (data-titolo, data-tipo, data-citta-nome, data-data, data-lingua, data-crediti,
   * data-licenza), else the "Informazioni" list and the citation box. */
  function pageFacts(root, media) {
    var rows = {};
    Array.prototype.forEach.call(root.querySelectorAll("dl.lgnet-metadati dt"), function (dt) {
      var dd = dt.nextElementSibling;
      if (dd && dd.tagName === "DD") rows[oneLine(dt.textContent)] = dd;
    });
    function row(label) { return rows[label] ? oneLine(rows[label].textContent) : ""; }
    function attr(name) {
      var value = root.getAttribute(name);
      return value === null ? null : oneLine(value);
    }
    var cite = root.querySelector("[data-lgnet-cita-testo]");
    var heading = root.querySelector("h1");
    var time = rows["Data"] ? rows["Data"].querySelector("time[datetime]") : null;
    time = time || root.querySelector("time[datetime]");
    var kind = attr("data-tipo");
    var kindLabel = kind ? (KIND_LABELS[kind] || kind) : row("Tipo");
    if (!kind) {
      Object.keys(KIND_LABELS).forEach(function (k) { if (KIND_LABELS[k] === kindLabel) kind = k; });
    }
    var track = media.querySelector("track[srclang]");
    var language = attr("data-lingua") ||
      LANGUAGE_CODES[row("Lingua").toLowerCase()] ||
      (track ? track.getAttribute("srclang") : "") || "it";
    return {
      id: root.getAttribute("data-id") || "registrazione",
      title: attr("data-titolo") || (cite && oneLine(cite.getAttribute("data-titolo"))) ||
        (heading ? oneLine(heading.textContent) : document.title),
      city: attr("data-citta-nome") || (cite && oneLine(cite.getAttribute("data-citta"))) ||
        row("Città"),
      date: attr("data-data") || (time ? time.getAttribute("datetime") : ""),
      kind: kind || "",
      kindLabel: kindLabel,
      language: language,
      credits: attr("data-crediti") !== null ? attr("data-crediti") : row("Crediti"),
      license: attr("data-licenza") !== null ? attr("data-licenza") : row("Licenza"),
      isVideo: media.tagName === "VIDEO"
    };
  }

  /* A passage's citation in every format; wording as lgnet/citations.py. */
  function citation(facts, start, end, pageUrl) {
    var s = secondsText(start), e = secondsText(end);
    var link = pageUrl + "#t=" + s + "," + e;
    var span = "dal minuto " + clock(start) + " al minuto " + clock(end);
    var genre = facts.kindLabel + " (" + (facts.isVideo ? "video" : "solo audio") + ")";
    var accessed = todayIso();
    var credits = oneLine(facts.credits);
    var title = oneLine(facts.title);
    var text = "«" + title + "», " + facts.city + ", " + italianDate(facts.date) + ", " + span +
      ". " + genre + ". ";
    if (credits) text += "Crediti: " + (/[.!?]$/.test(credits) ? credits : credits + ".") + " ";
    text += SITE_NAME + ", " + link + " (consultato il " + italianDate(accessed) + ").";

    var key = "lgnet-" + facts.id + "-" + s + "-" + e;
    var dateParts = facts.date.split("-").map(function (p) { return parseInt(p, 10); });
    var csl = {
      id: key,
      type: facts.kind === "testimonianza" ? "interview" : (facts.isVideo ? "motion_picture" : "song"),
      title: title,
      publisher: SITE_NAME,
      "publisher-place": facts.city,
      "event-place": facts.city,
      issued: { "date-parts": [dateParts] },
      accessed: { "date-parts": [accessed.split("-").map(function (p) { return parseInt(p, 10); })] },
      URL: link,
      language: facts.language,
      genre: facts.kindLabel,
      medium: facts.isVideo ? "video" : "solo audio"
    };
    if (credits) csl.author = [{ literal: credits }];
    if (facts.license) csl.license = oneLine(facts.license);
    csl.dimensions = clock(end - start);
    csl.note = "Passaggio " + span;

    function latex(value) {
      return oneLine(value).replace(/[\\{}&%$#_~^]/g, function (c) {
        return { "\\": "\\textbackslash{}", "{": "\\{", "}": "\\}", "&": "\\&", "%": "\\%",
          "$": "\\$", "#": "\\#", "_": "\\_", "~": "\\textasciitilde{}",
          "^": "\\textasciicircum{}" }[c];
      });
    }
    var fields = [["title", latex(title)]];
    if (credits) fields.push(["author", "{" + latex(credits) + "}"]);
    fields.push(["year", String(dateParts[0])]);
    if (dateParts.length > 1) fields.push(["month", String(dateParts[1])]);
    fields.push(["date", facts.date], ["address", latex(facts.city)],
      ["location", latex(facts.city)], ["publisher", SITE_NAME], ["howpublished", latex(genre)],
      ["url", link], ["urldate", accessed]);
    if (BABEL[facts.language]) fields.push(["langid", BABEL[facts.language]]);
    fields.push(["note", latex("D" + span.slice(1) + ". Consultato il " + italianDate(accessed))]);
    var bib = "@misc{" + key + ",\n" + fields.map(function (f) {
      return "  " + f[0] + " = {" + f[1] + "}";
    }).join(",\n") + "\n}\n";

    var risDate = dateParts.map(function (p, i) { return i ? String(p).padStart(2, "0") : String(p); })
      .join("/") + "////".slice(0, 4 - dateParts.length);
    var lines = [["TY", facts.isVideo ? "VIDEO" : "SOUND"], ["TI", title]];
    if (credits) lines.push(["AU", credits]);
    lines.push(["PY", String(dateParts[0])], ["DA", risDate], ["CY", facts.city],
      ["PB", SITE_NAME], ["M3", genre], ["UR", link], ["Y2", accessed.replace(/-/g, "/") + "/"],
      ["LA", facts.language], ["N1", "Passaggio " + span]);
    var ris = lines.map(function (l) { return l[0] + "  - " + oneLine(l[1]) + "\r\n"; }).join("") +
      "ER  - \r\n";
    return { link: link, span: span, text: text, csl: [csl], bibtex: bib, ris: ris, key: key };
  }

  function copyText(text, field, done, fallback) {
    function manual() {
      var ok = false;
      if (field) {
        field.focus();
        field.select();
        try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      }
      (ok ? done : fallback)();
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, manual);
    } else {
      manual();
    }
  }

  function element(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text) node.textContent = text;
    return node;
  }

  function setUpPassages(root, media, list, segments) {
    if (!list || !segments.length) return;
    addStyle();
    var id = root.getAttribute("data-id") || "registrazione";
    segments.forEach(function (a) { a.setAttribute("draggable", "false"); });

    // The box, right after the transcript: hidden until a passage is selected.
    var box = element("div", { "class": "lgnet-brano", "data-lgnet-brano": "", role: "group",
      "aria-labelledby": "lgnet-brano-titolo-" + id, "data-search-exclude": "" });
    box.hidden = true;
    var heading = element("p", { id: "lgnet-brano-titolo-" + id, "data-lgnet-brano-descrizione": "" });
    var linkButton = element("button", { type: "button", "class": "md-button",
      "data-lgnet-brano-link": "" }, "Copia link a questo passaggio");
    var citeButton = element("button", { type: "button", "class": "md-button",
      "data-lgnet-brano-cita": "" }, "Cita");
    var linkLabel = element("label", { "for": "lgnet-brano-url-" + id }, "Link a questo passaggio");
    var linkField = element("input", { id: "lgnet-brano-url-" + id, type: "text", readonly: "",
      "data-lgnet-brano-url": "" });
    var linkRow = element("div", { "data-lgnet-brano-riga-link": "" });
    linkRow.hidden = true;
    linkRow.appendChild(linkLabel);
    linkRow.appendChild(linkField);
    var citeBox = element("div", { "data-lgnet-brano-citazione": "" });
    citeBox.hidden = true;
    var citeText = element("p", { "data-lgnet-brano-testo": "" });
    var copyCite = element("button", { type: "button", "class": "md-button",
      "data-lgnet-brano-copia-testo": "" }, "Copia la citazione");
    // A real href from the start (crawlers and Lighthouse want one); the Blob URL replaces it
    // when a passage is chosen.
    var download = element("a", { "class": "md-button", "data-lgnet-brano-csl": "",
      href: "#lgnet-trascrizione-titolo" }, "Scarica la citazione (CSL-JSON)");
    citeBox.appendChild(citeText);
    citeBox.appendChild(copyCite);
    citeBox.appendChild(download);
    var formats = {};
    [["bibtex", "BibTeX"], ["ris", "RIS"]].forEach(function (f) {
      var details = element("details");
      details.appendChild(element("summary", {}, f[1]));
      var label = element("label", { "for": "lgnet-brano-" + f[0] + "-" + id }, "Citazione in " + f[1]);
      var area = element("textarea", { id: "lgnet-brano-" + f[0] + "-" + id, readonly: "",
        rows: "8", "data-lgnet-brano-formato": f[0] });
      var copy = element("button", { type: "button", "class": "md-button" }, "Copia " + f[1]);
      copy.addEventListener("click", function () {
        copyText(area.value, area, function () { announce(root, f[1] + " copiato negli appunti."); },
          function () { announce(root, f[1] + " pronto: copiarlo dal campo di testo."); });
      });
      details.appendChild(label);
      details.appendChild(area);
      details.appendChild(copy);
      citeBox.appendChild(details);
      formats[f[0]] = area;
    });
    box.appendChild(heading);
    box.appendChild(linkButton);
    box.appendChild(citeButton);
    box.appendChild(linkRow);
    box.appendChild(citeBox);
    list.parentNode.insertBefore(box, list.nextSibling);

    var chosen = null; // {first, last} indexes of the selected passages
    var anchor = -1; // keyboard selection: where Shift+Arrow started
    var blobUrl = null;

    function pageUrl() { return location.href.split("#")[0]; }
    function bounds() {
      var first = segments[chosen.first], last = segments[chosen.last];
      var start = parseFloat(first.getAttribute("data-start"));
      var end = parseFloat(last.getAttribute("data-end"));
      if (isNaN(end) || end <= start) end = start + 1;
      return { start: start, end: end };
    }

    function show(first, last, fromKeyboard) {
      chosen = { first: Math.min(first, last), last: Math.max(first, last) };
      var b = bounds();
      var count = chosen.last - chosen.first + 1;
      heading.textContent = "Passaggio selezionato: dal minuto " + clock(b.start) +
        " al minuto " + clock(b.end) + " (" + count + (count === 1 ? " frase" : " frasi") + ").";
      linkField.value = pageUrl() + "#t=" + secondsText(b.start) + "," + secondsText(b.end);
      linkRow.hidden = true;
      citeBox.hidden = true;
      box.hidden = false;
      announce(root, heading.textContent + (fromKeyboard
        ? " Premere Tab per copiarne il link o citarlo."
        : " I pulsanti per copiarne il link o citarlo seguono la trascrizione."));
    }

    function indexOf(node) {
      for (var i = 0; i < segments.length; i++) {
        if (segments[i].parentNode === node || segments[i].parentNode.contains(node)) return i;
      }
      return -1;
    }

    /* The words of a passage that the selection covers (a triple click or a drag that ends at
       the very start of the next passage touches it without selecting any of its words). */
    function selectedText(range, row) {
      var words = row.querySelector(".lgnet-passaggio") || row;
      var part = document.createRange();
      part.selectNodeContents(words);
      if (range.compareBoundaryPoints(Range.START_TO_START, part) > 0) {
        part.setStart(range.startContainer, range.startOffset);
      }
      if (range.compareBoundaryPoints(Range.END_TO_END, part) < 0) {
        part.setEnd(range.endContainer, range.endOffset);
      }
      return String(part).trim();
    }

    function fromSelection() {
      var selection = window.getSelection ? window.getSelection() : null;
      if (!selection || selection.isCollapsed || !selection.rangeCount) return;
      if (!String(selection).trim()) return;
      var range = selection.getRangeAt(0);
      if (!list.contains(range.commonAncestorContainer) &&
          !range.commonAncestorContainer.contains(list)) return;
      var hit = [];
      segments.forEach(function (a, i) {
        if (range.intersectsNode(a.parentNode) && selectedText(range, a.parentNode)) hit.push(i);
      });
      if (!hit.length) return;
      if (chosen && chosen.first === hit[0] && chosen.last === hit[hit.length - 1]) return;
      show(hit[0], hit[hit.length - 1], anchor >= 0);
    }

    var pending = 0;
    document.addEventListener("selectionchange", function () {
      window.clearTimeout(pending);
      pending = window.setTimeout(fromSelection, 200);
    });

    // Keyboard: Shift+Arrow down/up on a passage extends the selection by passages.
    list.addEventListener("keydown", function (event) {
      var index = segments.indexOf(document.activeElement);
      if (index < 0) return;
      if (event.shiftKey && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
        event.preventDefault();
        if (anchor < 0 || !chosen) anchor = index;
        var next = Math.max(0, Math.min(segments.length - 1,
          index + (event.key === "ArrowDown" ? 1 : -1)));
        if (!chosen) next = index; // the first press selects the focused passage
        var selection = window.getSelection();
        var range = document.createRange();
        range.setStartBefore(segments[Math.min(anchor, next)].parentNode);
        range.setEndAfter(segments[Math.max(anchor, next)].parentNode);
        selection.removeAllRanges();
        selection.addRange(range);
        segments[next].focus();
        show(anchor, next, true);
      } else if (event.key === "Tab" && !event.shiftKey && chosen && anchor >= 0 && !box.hidden) {
        event.preventDefault();
        linkButton.focus();
      } else if (event.key === "Escape") {
        anchor = -1;
      }
    });
    box.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && chosen) {
        segments[chosen.first].focus();
        anchor = -1;
      }
    });

    linkButton.addEventListener("click", function () {
      if (!chosen) return;
      var b = bounds();
      var text = "dal minuto " + clock(b.start) + " al minuto " + clock(b.end);
      linkField.value = pageUrl() + "#t=" + secondsText(b.start) + "," + secondsText(b.end);
      linkRow.hidden = false;
      copyText(linkField.value, linkField,
        function () { announce(root, "Link al passaggio " + text + " copiato negli appunti."); },
        function () { announce(root, "Link al passaggio " + text + " pronto: copiarlo dal campo."); });
    });

    citeButton.addEventListener("click", function () {
      if (!chosen) return;
      var b = bounds();
      var cite = citation(pageFacts(root, media), b.start, b.end, pageUrl());
      citeText.textContent = cite.text;
      formats.bibtex.value = cite.bibtex;
      formats.ris.value = cite.ris;
      if (blobUrl && window.URL && URL.revokeObjectURL) URL.revokeObjectURL(blobUrl);
      blobUrl = URL.createObjectURL(new Blob([JSON.stringify(cite.csl, null, 2) + "\n"],
        { type: "application/vnd.citationstyles.csl+json" }));
      download.setAttribute("href", blobUrl);
      download.setAttribute("download", cite.key + ".json");
      linkField.value = cite.link;
      linkRow.hidden = false;
      citeBox.hidden = false;
      announce(root, "Citazione del passaggio " + cite.span + " pronta: " + cite.text);
      copyCite.onclick = function () {
        copyText(cite.text, null, function () { announce(root, "Citazione copiata negli appunti."); },
          function () { announce(root, "Citazione pronta: selezionarla e copiarla."); });
      };
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
