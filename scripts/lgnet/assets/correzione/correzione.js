/*
 * LGNet Archivio: the correction view of `lgnet serve` (/_correzione/<id>/), never part of a
 * built site.
 *
 * The state in #lgnet-correzione-dati holds the cues of transcripts/<id>.vtt as they are on
 * disk (with the model's words and doubts, and whether their sentences are reviewed) and the
 * hash of that file. A person edits cues (text, voice, timing, split, merge) and confirms the
 * right ones; "Salva" posts all the cues and the confirmed ones with that hash and this run's
 * token (header X-LGNet-Token). The server refuses when the file changed meanwhile (both
 * versions are shown), or when the import would refuse the file (its error line is shown);
 * otherwise it answers with the new state.
 */
(function () {
  "use strict";

  var NUDGE = 0.1; // seconds per press of a timing button
  var REPLAY = 3; // seconds replayed by F2

  var data = JSON.parse(document.getElementById("lgnet-correzione-dati").textContent);
  var token = document.querySelector('meta[name="lgnet-token"]').getAttribute("content");
  var media = document.querySelector("[data-lgc-media]");
  var list = document.querySelector("[data-lgc-sottotitoli]");
  var statusLine = document.querySelector("[data-lgc-esito]");
  var errorBox = document.querySelector("[data-lgc-errore]");
  var pendingLine = document.querySelector("[data-lgc-modifiche]");
  var progress = document.querySelector("[data-lgc-avanzamento]");
  var notice = document.querySelector("[data-lgc-avviso]");
  var conflict = document.querySelector("[data-lgc-conflitto]");

  var cues = []; // {start, end, text, speaker, reviewed, words, orig, confirmed, selected}
  var current = 0; // index of the cue being worked on
  var stopAt = null; // play a cue and stop at its end
  var saving = false;

  // --- formatting --------------------------------------------------------------------------

  function clock(t) {
    t = Math.max(0, t);
    var m = Math.floor(t / 60);
    var s = t - m * 60;
    var text = s.toFixed(1).replace(".", ",");
    return m + ":" + (s < 10 ? "0" : "") + text;
  }

  function spoken(t) {
    var m = Math.floor(t / 60);
    var s = Math.floor(t - m * 60);
    return m + " minuti e " + s + " secondi";
  }

  function round(t) { return Math.round(t * 1000) / 1000; }

  function say(message) {
    statusLine.textContent = "";
    window.setTimeout(function () { statusLine.textContent = message; }, 30);
  }

  function fail(message) {
    errorBox.textContent = message;
    errorBox.hidden = !message;
  }

  // --- state -------------------------------------------------------------------------------

  function load(state) {
    data = state;
    cues = (state.cues || []).map(function (c) {
      return {
        start: c.start, end: c.end, text: c.text, speaker: c.speaker || "",
        reviewed: c.reviewed, words: c.words || [],
        orig: { start: c.start, end: c.end, text: c.text, speaker: c.speaker || "" },
        confirmed: false, selected: false
      };
    });
    current = Math.min(current, Math.max(cues.length - 1, 0));
    notice.hidden = !(state.error || state.pending);
    notice.textContent = state.error
      ? state.error
      : (state.pending ? "Il file dei sottotitoli è stato modificato fuori da questa vista e non è " +
        "ancora stato importato: le sue modifiche entrano con il prossimo salvataggio." : "");
    render();
  }

  function changed(cue) {
    var o = cue.orig;
    if (!o) return true;
    return o.text !== cue.text.replace(/\s+/g, " ").trim() || o.speaker !== cue.speaker ||
      Math.abs(o.start - cue.start) > 0.0005 || Math.abs(o.end - cue.end) > 0.0005;
  }

  function pendingCount() {
    var edits = cues.filter(changed).length + removed;
    var confirmed = cues.filter(function (c) { return c.confirmed && !changed(c); }).length;
    return { edits: edits, confirmed: confirmed };
  }

  var removed = 0; // cues merged away since the last load

  function updatePending() {
    var p = pendingCount();
    var parts = [];
    if (p.edits) parts.push(p.edits + (p.edits === 1 ? " sottotitolo modificato" : " sottotitoli modificati"));
    if (p.confirmed) parts.push(p.confirmed + (p.confirmed === 1 ? " confermato" : " confermati"));
    pendingLine.textContent = parts.length ? "Da salvare: " + parts.join(", ") + "." : "Nessuna modifica da salvare.";
    progress.textContent = data.sentences
      ? "frasi revisionate da una persona: " + data.reviewed + " su " + data.sentences
      : "";
  }

  function stateText(cue) {
    if (changed(cue)) return "modificato, da salvare";
    if (cue.confirmed) return "confermato, da salvare";
    return cue.reviewed ? "revisionato" : "automatico";
  }

  // --- rendering ---------------------------------------------------------------------------

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function button(label, action, extra) {
    var b = el("button", Object.assign({ type: "button", "data-azione": action }, extra || {}), label);
    return b;
  }

  function row(cue, i) {
    var n = i + 1;
    var li = el("li", { "class": "lgc-cue", "data-i": String(i) });
    if (cue.reviewed && !changed(cue)) li.classList.add("lgc-cue--revisionato");
    var head = el("div", { "class": "lgc-cue__testa" });
    var time = button(clock(cue.start) + " – " + clock(cue.end), "ascolta", {
      "class": "lgc-cue__tempo",
      "aria-label": "Ascolta il sottotitolo " + n + ", da " + spoken(cue.start)
    });
    head.appendChild(time);
    var mark = el("span", { "class": "lgc-cue__stato" });
    mark.appendChild(el("span", { "aria-hidden": "true" }, cue.reviewed && !changed(cue) ? "✓ " : (changed(cue) || cue.confirmed ? "✎ " : "")));
    mark.appendChild(document.createTextNode(stateText(cue)));
    head.appendChild(mark);
    var pick = el("label", { "class": "lgc-cue__scelta" });
    var box = el("input", { type: "checkbox", "data-azione": "seleziona" });
    box.checked = cue.selected;
    pick.appendChild(box);
    pick.appendChild(document.createTextNode(" Seleziona"));
    pick.appendChild(el("span", { "class": "lgc-sr" }, " il sottotitolo " + n));
    head.appendChild(pick);
    li.appendChild(head);

    var fields = el("div", { "class": "lgc-cue__campi" });
    var voiceId = "lgc-voce-" + i;
    fields.appendChild(el("label", { "for": voiceId }, "Voce"));
    var select = el("select", { id: voiceId, "data-azione": "voce" });
    var names = (data.speakers || []).slice();
    if (cue.speaker && names.indexOf(cue.speaker) < 0) names.push(cue.speaker);
    select.appendChild(el("option", { value: "" }, "nessuna"));
    names.forEach(function (name) { select.appendChild(el("option", { value: name }, name)); });
    select.value = cue.speaker;
    fields.appendChild(select);
    var textId = "lgc-testo-" + i;
    fields.appendChild(el("label", { "for": textId }, "Testo del sottotitolo " + n));
    var area = el("textarea", { id: textId, rows: "2", "data-azione": "testo", spellcheck: "true" });
    area.value = cue.text;
    fields.appendChild(area);
    li.appendChild(fields);

    var doubts = cue.words.filter(function (w) { return w.uncertain; });
    if (doubts.length && !changed(cue)) {
      var p = el("p", { "class": "lgc-cue__incerte" }, "Parole incerte: ");
      doubts.forEach(function (w, k) {
        if (k) p.appendChild(document.createTextNode(" "));
        p.appendChild(button(w.text, "incerta", {
          "class": "lgc-incerta", "data-w": String(cue.words.indexOf(w)),
          "aria-label": "Parola incerta «" + w.text + "» al minuto " + clock(w.start) + ": ascoltala e selezionala nel testo"
        }));
      });
      li.appendChild(p);
    }

    var tools = el("div", { "class": "lgc-cue__azioni", role: "group", "aria-label": "Sottotitolo " + n });
    tools.appendChild(button("Inizio −0,1 s", "inizio-meno", { "aria-label": "Anticipa l'inizio di 0,1 secondi" }));
    tools.appendChild(button("Inizio +0,1 s", "inizio-piu", { "aria-label": "Ritarda l'inizio di 0,1 secondi" }));
    tools.appendChild(button("Fine −0,1 s", "fine-meno", { "aria-label": "Anticipa la fine di 0,1 secondi" }));
    tools.appendChild(button("Fine +0,1 s", "fine-piu", { "aria-label": "Ritarda la fine di 0,1 secondi" }));
    tools.appendChild(button("Dividi al cursore", "dividi"));
    if (i + 1 < cues.length) tools.appendChild(button("Unisci al successivo", "unisci"));
    var confirm = button(cue.confirmed ? "Confermato" : "Confermo", "conferma", { "aria-pressed": cue.confirmed ? "true" : "false" });
    tools.appendChild(confirm);
    li.appendChild(tools);
    return li;
  }

  function render(focusIndex, focusAction) {
    list.textContent = "";
    cues.forEach(function (cue, i) { list.appendChild(row(cue, i)); });
    updatePending();
    if (focusIndex !== undefined && cues[focusIndex]) {
      var target = list.children[focusIndex].querySelector('[data-azione="' + (focusAction || "testo") + '"]') ||
        list.children[focusIndex].querySelector("textarea");
      target.focus();
    }
  }

  function refreshRow(i) {
    var old = list.children[i];
    if (!old) return;
    var active = document.activeElement;
    var action = active && old.contains(active) ? active.getAttribute("data-azione") : null;
    var caret = action === "testo" ? [active.selectionStart, active.selectionEnd] : null;
    var fresh = row(cues[i], i);
    list.replaceChild(fresh, old);
    if (action) {
      var target = fresh.querySelector('[data-azione="' + action + '"]');
      if (target) {
        target.focus();
        if (caret) target.setSelectionRange(caret[0], caret[1]);
      }
    }
    updatePending();
  }

  // --- actions -----------------------------------------------------------------------------

  function indexOf(node) {
    var li = node.closest ? node.closest("li.lgc-cue") : null;
    return li ? Number(li.getAttribute("data-i")) : -1;
  }

  function playCue(i) {
    var cue = cues[i];
    if (!cue || !media) return;
    media.currentTime = cue.start;
    stopAt = cue.end;
    media.play();
  }

  function nudge(i, which, delta) {
    var cue = cues[i];
    var value = round(Math.max(0, cue[which] + delta));
    if (which === "start" && value >= cue.end) value = round(cue.end - 0.05);
    if (which === "end" && value <= cue.start) value = round(cue.start + 0.05);
    cue[which] = Math.max(0, value);
    refreshRow(i);
    say((which === "start" ? "Inizio" : "Fine") + " del sottotitolo " + (i + 1) + ": " + clock(cue[which]) + ".");
  }

  function timeAt(cue, offset) {
    // Where the text splits: the start of the first word after the cursor when the words are
    // the model's, else in proportion to the characters.
    var before = cue.text.slice(0, offset).trim().split(/\s+/).filter(Boolean).length;
    var tokens = cue.text.trim().split(/\s+/);
    if (!changed(cue) && cue.words.length === tokens.length && cue.words[before]) {
      return cue.words[before].start;
    }
    var share = offset / Math.max(cue.text.length, 1);
    return cue.start + (cue.end - cue.start) * share;
  }

  function split(i) {
    var cue = cues[i];
    var area = list.children[i].querySelector("textarea");
    var at = area.selectionStart;
    var first = cue.text.slice(0, at).trim();
    var second = cue.text.slice(at).trim();
    if (!first || !second) {
      say("Per dividere, mettere il cursore del testo nel punto in cui dividere il sottotitolo.");
      area.focus();
      return;
    }
    var t = round(Math.min(Math.max(timeAt(cue, at), cue.start + 0.05), cue.end - 0.05));
    var next = {
      start: t, end: cue.end, text: second, speaker: cue.speaker, reviewed: false, words: [],
      orig: null, confirmed: false, selected: false
    };
    cue.end = round(Math.max(cue.start + 0.04, t - 0.04));
    cue.text = first;
    cue.words = [];
    cues.splice(i + 1, 0, next);
    render(i + 1);
    say("Sottotitolo " + (i + 1) + " diviso: il secondo pezzo comincia a " + clock(t) + ".");
  }

  function merge(i) {
    var cue = cues[i];
    var next = cues[i + 1];
    if (!next) return;
    cue.text = (cue.text.trim() + " " + next.text.trim()).trim();
    cue.end = Math.max(cue.end, next.end);
    cue.words = [];
    cues.splice(i + 1, 1);
    removed += 1;
    render(i);
    say("Sottotitoli " + (i + 1) + " e " + (i + 2) + " uniti.");
  }

  function confirmCue(i, value) {
    var cue = cues[i];
    cue.confirmed = value === undefined ? !cue.confirmed : value;
    refreshRow(i);
    say(cue.confirmed ? "Sottotitolo " + (i + 1) + " confermato: sarà segnato come revisionato al salvataggio."
      : "Conferma del sottotitolo " + (i + 1) + " tolta.");
  }

  function focusCue(i) {
    if (i < 0 || i >= cues.length) return;
    current = i;
    var area = list.children[i].querySelector("textarea");
    area.focus();
    area.scrollIntoView({ block: "nearest" });
  }

  function selectWord(i, k) {
    var cue = cues[i];
    var word = cue.words[k];
    if (!word) return;
    // the k-th token of the text is the k-th word, while the cue is unchanged
    var tokens = cue.text.split(/(\s+)/);
    var offset = 0;
    var seen = 0;
    for (var t = 0; t < tokens.length; t++) {
      if (!tokens[t] || /^\s+$/.test(tokens[t])) { offset += tokens[t].length; continue; }
      if (seen === k) break;
      seen += 1;
      offset += tokens[t].length;
    }
    var area = list.children[i].querySelector("textarea");
    current = i;
    area.focus();
    area.setSelectionRange(offset, offset + (tokens[t] || "").length);
    area.scrollIntoView({ block: "nearest" });
    if (media) {
      media.currentTime = Math.max(0, word.start - 0.3);
      stopAt = null;
    }
    say("Parola incerta «" + word.text + "» al minuto " + clock(word.start) + ", selezionata nel testo del sottotitolo " + (i + 1) + ".");
  }

  function nextDoubt(step) {
    var area = document.activeElement && document.activeElement.tagName === "TEXTAREA" ? document.activeElement : null;
    var from = current;
    var caretWord = -1;
    if (area && indexOf(area) === current) {
      caretWord = area.value.slice(0, area.selectionEnd).trim().split(/\s+/).filter(Boolean).length - 1;
      if (step < 0) caretWord = area.value.slice(0, area.selectionStart).trim().split(/\s+/).filter(Boolean).length;
    }
    for (var n = 0; n <= cues.length; n++) {
      var i = (from + step * n + cues.length * 2) % cues.length;
      var cue = cues[i];
      if (!cue || changed(cue)) continue;
      var ks = [];
      cue.words.forEach(function (w, k) { if (w.uncertain) ks.push(k); });
      if (step < 0) ks.reverse();
      for (var j = 0; j < ks.length; j++) {
        var k = ks[j];
        if (n === 0 && (step > 0 ? k <= caretWord : k >= caretWord) && caretWord >= 0) continue;
        selectWord(i, k);
        return;
      }
    }
    say("Nessun'altra parola incerta.");
  }

  function togglePlay() {
    if (!media) return;
    stopAt = null;
    if (media.paused) media.play(); else media.pause();
  }

  function replay() {
    if (!media) return;
    media.currentTime = Math.max(0, media.currentTime - REPLAY);
    stopAt = null;
    media.play();
  }

  // --- saving ------------------------------------------------------------------------------

  function save() {
    if (saving || data.error) return;
    var p = pendingCount();
    if (!p.edits && !p.confirmed) {
      say("Nessuna modifica da salvare.");
      return;
    }
    var confirmed = [];
    cues.forEach(function (c, i) { if (c.confirmed) confirmed.push(i); });
    var body = JSON.stringify({
      base: data.sha,
      cues: cues.map(function (c) {
        return { start: round(c.start), end: round(c.end), text: c.text, speaker: c.speaker || null };
      }),
      confirmed: confirmed
    });
    saving = true;
    fail("");
    say("Salvataggio in corso…");
    fetch("salva", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-LGNet-Token": token },
      body: body,
      credentials: "same-origin"
    }).then(function (response) {
      return response.text().then(function (text) {
        var answer = null;
        try { answer = JSON.parse(text); } catch (e) { answer = { errore: text.trim() }; }
        return { status: response.status, answer: answer };
      });
    }).then(function (result) {
      saving = false;
      var a = result.answer || {};
      if (result.status === 200) {
        removed = 0;
        conflict.hidden = true;
        if (a.stato) load(a.stato);
        say(a.messaggio + (a.messaggio.indexOf("Salvato") === 0 ? " L'anteprima del sito si aggiorna da sola." : ""));
        return;
      }
      if (result.status === 409 && a.conflitto) {
        conflict.querySelector("[data-lgc-mia]").textContent = a.mia;
        conflict.querySelector("[data-lgc-disco]").textContent = a.disco;
        conflict.hidden = false;
        fail(a.errore);
        conflict.querySelector("h2").focus();
        return;
      }
      fail(a.errore || ("Salvataggio non riuscito (" + result.status + ")."));
      if (typeof a.sottotitolo === "number" && cues[a.sottotitolo]) {
        focusCue(a.sottotitolo);
      }
    }).catch(function () {
      saving = false;
      fail("Salvataggio non riuscito: l'anteprima non risponde (lgnet serve è ancora in funzione?). Nulla è stato perso in questa pagina: riprovare.");
    });
  }

  function reloadFromDisk() {
    fetch("stato?token=" + encodeURIComponent(token), { cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (state) {
        removed = 0;
        conflict.hidden = true;
        fail("");
        load(state);
        say("Ricaricata la versione sul disco.");
        document.getElementById("lgc-sottotitoli-titolo").focus();
      });
  }

  // --- events ------------------------------------------------------------------------------

  list.addEventListener("click", function (event) {
    var target = event.target.closest("[data-azione]");
    if (!target) return;
    var i = indexOf(target);
    if (i < 0) return;
    current = i;
    var action = target.getAttribute("data-azione");
    if (action === "ascolta") playCue(i);
    else if (action === "inizio-meno") nudge(i, "start", -NUDGE);
    else if (action === "inizio-piu") nudge(i, "start", NUDGE);
    else if (action === "fine-meno") nudge(i, "end", -NUDGE);
    else if (action === "fine-piu") nudge(i, "end", NUDGE);
    else if (action === "dividi") split(i);
    else if (action === "unisci") merge(i);
    else if (action === "conferma") confirmCue(i);
    else if (action === "incerta") selectWord(i, Number(target.getAttribute("data-w")));
  });

  list.addEventListener("change", function (event) {
    var i = indexOf(event.target);
    if (i < 0) return;
    var action = event.target.getAttribute("data-azione");
    if (action === "seleziona") cues[i].selected = event.target.checked;
    if (action === "voce") {
      cues[i].speaker = event.target.value;
      refreshRow(i);
    }
  });

  list.addEventListener("input", function (event) {
    if (event.target.getAttribute("data-azione") !== "testo") return;
    var i = indexOf(event.target);
    var cue = cues[i];
    var was = changed(cue);
    cue.text = event.target.value;
    if (was !== changed(cue)) refreshRow(i); else updatePending();
  });

  list.addEventListener("focusin", function (event) {
    var i = indexOf(event.target);
    if (i >= 0) current = i;
  });

  document.querySelector("[data-lgc-salva]").addEventListener("click", save);
  document.querySelector("[data-lgc-annulla]").addEventListener("click", function () {
    removed = 0;
    load(data);
    say("Modifiche non salvate annullate.");
  });
  document.querySelector("[data-lgc-conferma-selezione]").addEventListener("click", function () {
    var picked = 0;
    cues.forEach(function (c) { if (c.selected) { c.confirmed = true; c.selected = false; picked += 1; } });
    render();
    say(picked ? picked + (picked === 1 ? " sottotitolo confermato" : " sottotitoli confermati") + ": salvare per segnarli come revisionati."
      : "Nessun sottotitolo selezionato: spuntare «Seleziona» sui sottotitoli giusti.");
  });
  document.querySelector("[data-lgc-ricarica]").addEventListener("click", reloadFromDisk);

  if (media) {
    media.addEventListener("timeupdate", function () {
      if (stopAt !== null && media.currentTime >= stopAt) {
        media.pause();
        stopAt = null;
      }
      var t = media.currentTime;
      Array.prototype.forEach.call(list.children, function (li, i) {
        var on = cues[i] && t >= cues[i].start && t < cues[i].end;
        if (on) li.setAttribute("aria-current", "true"); else li.removeAttribute("aria-current");
      });
    });
  }

  document.addEventListener("keydown", function (event) {
    var key = event.key;
    if (key === "Escape") { event.preventDefault(); togglePlay(); }
    else if (key === "F2") { event.preventDefault(); replay(); }
    else if (key === "F4") { event.preventDefault(); nextDoubt(event.shiftKey ? -1 : 1); }
    else if (key === "F8") { event.preventDefault(); if (cues[current]) confirmCue(current); }
    else if ((event.ctrlKey || event.metaKey) && (key === "s" || key === "S")) { event.preventDefault(); save(); }
    else if (event.altKey && key === "ArrowDown") { event.preventDefault(); focusCue(current + 1); }
    else if (event.altKey && key === "ArrowUp") { event.preventDefault(); focusCue(current - 1); }
    else if (event.altKey && key === "Enter") { event.preventDefault(); playCue(current); }
  });

  window.addEventListener("beforeunload", function (event) {
    var p = pendingCount();
    if (p.edits || p.confirmed) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  load(data);
})();
