/*
 * LGNet Archivio: the page of a training path (/percorsi/<slug>/).
 *
 * One player for the whole path. It plays excerpt 1 from its start; when playback reaches the
 * excerpt's end it loads the next excerpt (its recording, poster and captions) and goes on,
 * to the last. "Precedente" / "Successivo" and each excerpt's own button move the player; the
 * excerpt in the player is marked with aria-current and named in a status line. "#estratto-N"
 * in the address opens the page on excerpt N.
 *
 * Chromium draws no captions over an audio file played in a <video>: for audio excerpts the
 * current cue is written in a box over the player (hidden from screen readers, which have the
 * transcript below). Without this script the page still shows every excerpt with its
 * transcript and a link to the moment in the whole recording.
 * No framework, no network: only the files the page names.
 */
(function () {
  "use strict";

  var END_TOLERANCE = 0.05; // seconds: an excerpt counts as finished this close to its end

  function setUp(root) {
    var media = root.querySelector("[data-lgnet-percorso-media]");
    var items = Array.prototype.slice.call(root.querySelectorAll("[data-lgnet-estratto]"));
    if (!media || !items.length) return;
    var status = root.querySelector("[data-lgnet-percorso-stato]");
    var controls = root.querySelector("[data-lgnet-percorso-comandi]");
    var audioLabel = root.querySelector("[data-lgnet-solo-audio]");
    var caption = root.querySelector("[data-lgnet-didascalia]");
    var previous = root.querySelector("[data-lgnet-precedente]");
    var next = root.querySelector("[data-lgnet-successivo]");
    var excerpts = items.map(function (li) {
      var link = li.querySelector(".lgnet-estratto__titolo a");
      return {
        li: li,
        id: li.getAttribute("data-id"),
        src: li.getAttribute("data-src"),
        mime: li.getAttribute("data-mime"),
        video: li.getAttribute("data-tipo") === "video",
        poster: li.getAttribute("data-poster"),
        vtt: li.getAttribute("data-vtt"),
        language: li.getAttribute("data-lingua") || "it",
        start: parseFloat(li.getAttribute("data-start")) || 0,
        end: parseFloat(li.getAttribute("data-end")),
        title: link ? link.textContent : ""
      };
    });
    var current = -1;
    var loadedSrc = excerpts[0].src; // the page's markup loads excerpt 1
    var lastTime = 0; // where playback was at the previous check: advance only on crossing the end
    var pending = 0; // bumped on every load, so a late "loadedmetadata" cannot act twice
    var frame = 0;
    var done = false; // the last excerpt has ended: "play" starts the path again
    var captionsOn = true; // the user's choice in the player's menu, kept across excerpts
    var watched = null; // the TextTrack whose cues the caption box shows

    if (controls) controls.hidden = false;
    excerpts.forEach(function (excerpt) {
      var actions = excerpt.li.querySelector("[data-lgnet-azioni]");
      if (actions) actions.hidden = false;
    });

    function setDisabled(button, disabled) {
      if (!button) return;
      // aria-disabled, not disabled: the button keeps the keyboard focus at either end.
      if (disabled) button.setAttribute("aria-disabled", "true");
      else button.removeAttribute("aria-disabled");
    }

    function announce(text) {
      // Only changes are announced (the status line is a live region).
      if (status && status.textContent !== text) status.textContent = text;
    }

    function mark(index) {
      excerpts.forEach(function (excerpt, n) {
        if (n === index) {
          excerpt.li.setAttribute("aria-current", "true");
          excerpt.li.classList.add("lgnet-attivo");
        } else {
          excerpt.li.removeAttribute("aria-current");
          excerpt.li.classList.remove("lgnet-attivo");
        }
      });
      setDisabled(previous, index <= 0);
      setDisabled(next, index >= excerpts.length - 1);
    }

    if (media.textTracks && media.textTracks.addEventListener) {
      media.textTracks.addEventListener("change", function () {
        if (!media.textTracks.length) return;
        captionsOn = Array.prototype.some.call(media.textTracks, function (t) {
          return t.mode !== "disabled";
        });
        showCue();
      });
    }

    function isVideo() {
      return current >= 0 && excerpts[current].video;
    }

    /* For audio: the cue being spoken, as text (never as markup), in the caption box. */
    function showCue() {
      if (!caption) return;
      var text = "";
      if (!isVideo() && watched && watched.mode !== "disabled" && watched.activeCues) {
        text = Array.prototype.map.call(watched.activeCues, function (cue) {
          return cue.getCueAsHTML ? cue.getCueAsHTML().textContent : cue.text;
        }).join("\n");
      }
      caption.textContent = text;
      caption.hidden = !text;
    }

    /* Captions on unless the user turned them off: drawn by the browser for video, by us for audio. */
    function applyCaptions(excerpt) {
      var element = media.querySelector("track");
      var track = element && element.track ? element.track : null;
      if (watched && watched !== track) watched.removeEventListener("cuechange", showCue);
      watched = track;
      if (track) {
        var on = captionsOn;
        track.addEventListener("cuechange", showCue);
        track.mode = on ? (excerpt.video ? "showing" : "hidden") : "disabled";
        captionsOn = on;
      }
      if (audioLabel) audioLabel.hidden = excerpt.video;
      showCue();
    }

    /* The captions file of the new recording replaces the old one. */
    function switchCaptions(excerpt) {
      Array.prototype.forEach.call(media.querySelectorAll("track"), function (track) {
        track.parentNode.removeChild(track);
      });
      if (!excerpt.vtt) return;
      var track = document.createElement("track");
      track.kind = "captions";
      track.label = "Italiano";
      track.srclang = excerpt.language;
      track.src = excerpt.vtt;
      media.appendChild(track);
    }

    function loadMedia(excerpt) {
      var source = media.querySelector("source");
      if (!source) {
        source = document.createElement("source");
        media.insertBefore(source, media.firstChild);
      }
      source.src = excerpt.src;
      source.type = excerpt.mime;
      if (excerpt.poster) media.poster = excerpt.poster;
      else media.removeAttribute("poster");
      media.classList.toggle("lgnet-percorso__media--video", excerpt.video);
      media.classList.toggle("lgnet-percorso__media--audio", !excerpt.video);
      switchCaptions(excerpt);
      loadedSrc = excerpt.src;
      media.load();
    }

    function play() {
      var promise = media.play();
      if (promise && promise.catch) promise.catch(function () { /* blocked: the user presses play */ });
    }

    /* Make excerpt `index` the current one; start playing it if `andPlay`. */
    function select(index, andPlay) {
      if (index < 0 || index >= excerpts.length) return;
      var excerpt = excerpts[index];
      var token = ++pending;
      var reload = excerpt.src !== loadedSrc;
      current = index;
      done = false;
      mark(index);
      announce("Estratto " + (index + 1) + " di " + excerpts.length + ": " + excerpt.title);
      lastTime = excerpt.start;
      if (reload) loadMedia(excerpt); // readyState drops to 0 until the new file's metadata
      applyCaptions(excerpt);
      function go() {
        if (token !== pending) return;
        try { media.currentTime = excerpt.start; } catch (e) { /* not seekable yet */ }
        lastTime = excerpt.start;
        if (andPlay) play();
      }
      if (!reload && media.readyState >= 1) {
        go();
      } else {
        media.addEventListener("loadedmetadata", go, { once: true });
      }
    }

    function finished() {
      if (current < excerpts.length - 1) {
        select(current + 1, true);
      } else {
        done = true;
        media.pause();
        announce("Fine del percorso: " + excerpts.length + " estratti su " + excerpts.length + ".");
      }
    }

    /* Has playback just crossed the end of the current excerpt? */
    function check() {
      if (current < 0 || media.seeking) return;
      var excerpt = excerpts[current];
      var t = media.currentTime;
      var end = isFinite(excerpt.end) ? excerpt.end : Infinity;
      if (!media.paused && lastTime < end - END_TOLERANCE && t >= end - END_TOLERANCE) {
        lastTime = t;
        finished();
        return;
      }
      lastTime = t;
    }

    function tick() {
      check();
      frame = media.paused ? 0 : window.requestAnimationFrame(tick);
    }

    media.addEventListener("play", function () {
      if (done) {
        select(0, true); // the path was over: play it again from the start
        return;
      }
      if (!frame) frame = window.requestAnimationFrame(tick);
    });
    media.addEventListener("timeupdate", check);
    // A seek made by the user starts a new stretch: crossing the end is judged from there.
    media.addEventListener("seeked", function () {
      lastTime = media.currentTime;
      done = false;
    });
    // An excerpt that lasts to the end of its recording: the file ends before the check sees it.
    media.addEventListener("ended", function () {
      var excerpt = excerpts[current];
      if (!excerpt || done) return;
      var end = isFinite(excerpt.end) ? Math.min(excerpt.end, media.duration) : media.duration;
      if (media.currentTime >= end - END_TOLERANCE) finished();
    });

    /* On a narrow screen the player may be out of sight when an excerpt is chosen below. */
    function reveal() {
      var box = media.getBoundingClientRect();
      if (box.bottom <= 0 || box.top >= window.innerHeight) media.scrollIntoView({ block: "nearest" });
    }

    if (previous) {
      previous.addEventListener("click", function () {
        if (current > 0) select(current - 1, !media.paused);
      });
    }
    if (next) {
      next.addEventListener("click", function () {
        if (current < excerpts.length - 1) select(current + 1, !media.paused);
      });
    }
    excerpts.forEach(function (excerpt, n) {
      var button = excerpt.li.querySelector("[data-lgnet-vai]");
      if (button) {
        button.addEventListener("click", function () {
          select(n, true);
          reveal();
        });
      }
    });

    function fromHash() {
      var match = /^#estratto-(\d+)$/.exec(location.hash || "");
      var n = match ? parseInt(match[1], 10) - 1 : -1;
      return n >= 0 && n < excerpts.length ? n : -1;
    }

    window.addEventListener("hashchange", function () {
      var n = fromHash();
      if (n >= 0 && n !== current) select(n, !media.paused);
    });
    var initial = fromHash();
    select(initial >= 0 ? initial : 0, false);
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-lgnet-percorso]"), setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
