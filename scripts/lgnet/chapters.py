"""Chapters of a recording: its segment index as a WebVTT track, and suggestions for a person.

An item's `chapters` (`archive/items/<id>.yml`: start, title, synopsis, keywords) are written
by a person. This module turns them into what the site needs and proposes new ones:

* `chapter_spans` gives each chapter its end (the next chapter's start, or the media's end);
  `render_chapters_vtt` writes them as a WebVTT `kind="chapters"` track (one cue per chapter,
  its text the title), which the publish stage puts next to the captions.
* `suggest_chapters` reads a transcript and proposes where chapters could start and what they
  could be called: boundaries where the words change (lexical cohesion between the windows
  before and after each pause, as in Hearst's TextTiling), where the speakers pause longest
  and, when the transcript knows the voices, where the first voice (the moderator) comes back;
  titles and keywords from the glossary's terms found in each chapter, else from its most
  distinctive words; as synopsis, the sentence closest to the whole chapter.
  `write_suggestions` saves them as a YAML file for a person to review and copy into the
  item's file. Nothing in the build reads such a file: suggestions are never published.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from lgnet.archive import Archive, Chapter, Item, Term, show_time
from lgnet.errors import LgnetError
from lgnet.project import Project
from lgnet.timecode import vtt_time
from lgnet.transcripts import Transcript

# --- the published track ---------------------------------------------------------------------


@dataclass(frozen=True)
class ChapterSpan:
    """A chapter with its end: where the next one starts, or where the media ends."""

    number: int  # from 1
    start: float
    end: float
    title: str
    synopsis: str = ""
    keywords: tuple[str, ...] = ()


def chapter_spans(chapters: Sequence[Chapter], duration: float | None) -> list[ChapterSpan]:
    """The chapters (in time order) with their ends; those starting at or after the media's end
    (reported by `lgnet check`) are left out. Without a known duration the last chapter lasts
    one second, the least a cue may last."""
    ordered = sorted(chapters, key=lambda c: c.start)
    if duration is not None and duration > 0:
        ordered = [c for c in ordered if c.start < duration]
    spans: list[ChapterSpan] = []
    for n, chapter in enumerate(ordered):
        if n + 1 < len(ordered):
            end = ordered[n + 1].start
        elif duration is not None and duration > chapter.start:
            end = duration
        else:
            end = chapter.start + 1.0
        if end <= chapter.start:  # two chapters at the same second: the first has no length
            continue
        spans.append(
            ChapterSpan(
                len(spans) + 1,
                chapter.start,
                end,
                chapter.title,
                chapter.synopsis,
                tuple(chapter.keywords),
            )
        )
    return spans


def _cue_text(text: str) -> str:
    # A cue's text is data: escape what WebVTT would read as markup, keep it on one line.
    text = " ".join(text.split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("-->", "--&gt;")


def render_chapters_vtt(
    chapters: Sequence[Chapter], duration: float | None, language: str = "it"
) -> str:
    """The WebVTT chapters track: one cue per chapter, from its start to the next chapter's
    start (or the media's end), its text the chapter's title."""
    lines = ["WEBVTT", f"Language: {language}", ""]
    for span in chapter_spans(chapters, duration):
        lines += [
            f"capitolo-{span.number}",
            f"{vtt_time(span.start)} --> {vtt_time(span.end)}",
            _cue_text(span.title),
            "",
        ]
    return "\n".join(lines)


def chapters_file_name(item_id: str) -> str:
    """The chapters track's name under `site/media/`, next to `<id>.vtt`."""
    return f"{item_id}.capitoli.vtt"


# --- suggestions -------------------------------------------------------------------------------

LONG_PAUSE = 2.0  # seconds of silence that, in speech, usually close a topic
PAUSE_WEIGHT = 0.6  # share of the pause against the change of words (both scored 0..1)
VOICE_WEIGHT = 0.3  # how much a change of voice counts, when the transcript has voices
CHAPTERS_PER_RECORDING = 10  # about this many, within the lengths of `chapter_lengths`
GLOSSARY_WEIGHT = 2  # a glossary term found in the text counts as much as two words
WINDOW_WORDS = 120  # at most this many content words on each side of a pause are compared
MIN_WORD_CHARS = 4  # shorter words are rarely what a chapter is about
SYNOPSIS_CHARS = 240
MAX_KEYWORDS = 5


@dataclass(frozen=True)
class Boundary:
    """Why a suggested chapter (not the first) starts where it does."""

    pause: float  # seconds of silence before it
    cohesion: float  # similarity of the words before and after (0: none in common, 1: same)
    score: float
    voice: float = 0.0  # 1: the first voice takes the floor back, 0.5: another voice, 0: same


@dataclass(frozen=True)
class SuggestedChapter:
    start: float
    end: float
    title: str
    synopsis: str
    keywords: list[str]
    why: Boundary | None  # None for the first chapter

    def as_chapter(self) -> Chapter:
        return Chapter(
            start=self.start, title=self.title, synopsis=self.synopsis, keywords=self.keywords
        )


@dataclass
class _Sentence:
    start: float
    end: float
    text: str
    speaker: str | None = None
    terms: Counter[str] = field(default_factory=Counter)  # stems and glossary terms, weighted
    surface: dict[str, Counter[str]] = field(default_factory=dict)  # stem -> words as said


def _glossary_patterns(glossary: Sequence[Term]) -> list[tuple[str, re.Pattern[str]]]:
    """(term, pattern matching it or one of its aliases as whole words), longest names first."""
    patterns = []
    for term in glossary:
        names = sorted({term.term, *term.aliases}, key=len, reverse=True)
        body = "|".join(re.escape(n) for n in names if n.strip())
        if body:
            patterns.append((term.term, re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE)))
    return patterns


def _sentences(
    transcript: Transcript, glossary: list[tuple[str, re.Pattern[str]]]
) -> list[_Sentence]:
    from lgnet.index import italian

    analyzer = italian()
    out = []
    for seg in transcript.segments:
        text = " ".join(seg.text.split())
        if not text:
            continue
        sentence = _Sentence(seg.start, seg.end, text, seg.speaker)
        rest = text
        for term, pattern in glossary:
            found = len(pattern.findall(rest))
            if found:
                sentence.terms[f"glossario:{term}"] += found * GLOSSARY_WEIGHT
                rest = pattern.sub(" ", rest)  # its words are not counted again one by one
        for word in analyzer.words(rest):
            if len(word) < MIN_WORD_CHARS or analyzer.is_stop_word(word) or word.isdigit():
                continue
            stem = analyzer.stem(word)
            sentence.terms[stem] += 1
            sentence.surface.setdefault(stem, Counter())[word] += 1
        out.append(sentence)
    return out


def _cosine(a: Counter[str], b: Counter[str]) -> float:
    if not a or not b:
        return 0.0
    dot = sum(v * b[k] for k, v in a.items() if k in b)
    norm = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    return dot / norm if norm else 0.0


def _window(sentences: list[_Sentence], gap: int, step: int, seconds: float) -> Counter[str]:
    """The terms of the sentences before (step -1) or after (step 1) gap `gap` (the gap before
    sentence `gap`) within `seconds` of it: at least one sentence, at most `WINDOW_WORDS`
    words."""
    total: Counter[str] = Counter()
    at = sentences[gap].start
    k = gap - 1 if step < 0 else gap
    while 0 <= k < len(sentences) and sum(total.values()) < WINDOW_WORDS:
        if total and abs((sentences[k].end if step < 0 else sentences[k].start) - at) > seconds:
            break
        total.update(sentences[k].terms)
        k += step
    return total


def _depths(similarity: list[float]) -> list[float]:
    """TextTiling's depth of each gap: how far its similarity falls below the highest peaks on
    either side (climbing while the similarity rises)."""
    depths = []
    for i, value in enumerate(similarity):
        left = value
        for k in range(i - 1, -1, -1):
            if similarity[k] < left:
                break
            left = similarity[k]
        right = value
        for k in range(i + 1, len(similarity)):
            if similarity[k] < right:
                break
            right = similarity[k]
        depths.append((left - value) + (right - value))
    return depths


def _pause_ranks(pauses: list[float]) -> list[float]:
    """Each pause against the recording's own: 0 for the shortest, 1 for the longest (or for a
    silence of `LONG_PAUSE` seconds or more, whatever the rest)."""
    ordered = sorted(pauses)
    out = []
    for pause in pauses:
        if pause >= LONG_PAUSE:
            out.append(1.0)
            continue
        below = sum(1 for p in ordered if p < pause)
        out.append(below / (len(ordered) - 1) if len(ordered) > 1 else 0.0)
    return out


def chapter_lengths(duration: float) -> tuple[float, float]:
    """(shortest chapter, typical chapter) in seconds for a recording this long: about ten
    chapters, between 20 seconds and 10 minutes each; none shorter than half the typical."""
    typical = min(max(duration / CHAPTERS_PER_RECORDING, 20.0), 600.0)
    return typical / 2, typical


def _turns(sentences: list[_Sentence]) -> list[float]:
    """Per gap, the change of voice it brings: 1 when the first voice of the recording (who
    opens it: in a workshop the moderator, who also opens each part) takes the floor back, 0.5
    for another change of voice, 0 for none or when the voices are not known."""
    host = next((s.speaker for s in sentences if s.speaker), None)
    out = []
    for k in range(1, len(sentences)):
        before, now = sentences[k - 1].speaker, sentences[k].speaker
        if not before or not now or before == now:
            out.append(0.0)
        else:
            out.append(1.0 if now == host else 0.5)
    return out


def _distinctive(
    chapters: list[list[_Sentence]],
) -> list[list[tuple[str, float]]]:
    """Per chapter, its terms by tf-idf against the other chapters, best first (ties: the one
    said first)."""
    counts = [sum((s.terms for s in sentences), Counter()) for sentences in chapters]
    seen_in: Counter[str] = Counter()
    for count in counts:
        seen_in.update(count.keys())
    n = len(chapters)
    out = []
    for count in counts:
        scored = [
            (term, tf * (1.0 + math.log((1 + n) / (1 + seen_in[term]))))
            for term, tf in count.items()
        ]  # a Counter keeps the order in which the terms were first said
        scored.sort(key=lambda ts: -ts[1])
        out.append(scored)
    return out


def _surface(term: str, sentences: list[_Sentence]) -> str:
    """How a term is written: a glossary term's name, or the stem's most frequent word."""
    if term.startswith("glossario:"):
        return term.split(":", 1)[1]
    words: Counter[str] = Counter()
    for sentence in sentences:
        words.update(sentence.surface.get(term, Counter()))
    return words.most_common(1)[0][0] if words else term


def _title_and_keywords(
    ranked: list[tuple[str, float]], sentences: list[_Sentence], number: int, used: set[str]
) -> tuple[str, list[str]]:
    """Glossary terms first (the best one not already the title of an earlier chapter is the
    title), then the chapter's distinctive words said at least twice; a chapter without
    either is titled by its three most distinctive words."""
    glossary = [t for t, _ in ranked if t.startswith("glossario:")]
    counts = sum((s.terms for s in sentences), Counter())
    repeated = [t for t, _ in ranked if not t.startswith("glossario:") and counts[t] >= 2]
    keywords: list[str] = []
    for term in glossary + repeated:
        shown = _surface(term, sentences)
        if shown.lower() not in (k.lower() for k in keywords):
            keywords.append(shown)
        if len(keywords) == MAX_KEYWORDS:
            break
    fresh = [t for t in glossary if _surface(t, sentences).lower() not in used]
    if fresh:
        title = _surface(fresh[0], sentences)
    else:
        words = [_surface(t, sentences) for t, _ in ranked if not t.startswith("glossario:")]
        title = ", ".join(words[:3]) if words else f"Capitolo {number}"
    return title[:1].upper() + title[1:], keywords


def _synopsis(sentences: list[_Sentence]) -> str:
    """The sentence closest to the whole chapter (ties: the earliest), cut to a short length."""
    whole = sum((s.terms for s in sentences), Counter())
    best = max(sentences, key=lambda s: (_cosine(s.terms, whole), -s.start))
    text = best.text
    if len(text) > SYNOPSIS_CHARS:
        cut = text[:SYNOPSIS_CHARS]
        text = cut[: cut.rfind(" ")] + " …" if " " in cut else cut + "…"
    return text


START_MARGIN = 0.3  # seconds before a chapter's first word, so that it is heard whole


def _start_time(sentences: list[_Sentence], first: int) -> float:
    """Where a chapter whose first sentence is `first` starts: a little before its first word
    and not before the previous sentence ends (tenths of a second)."""
    start = sentences[first].start - START_MARGIN
    if first > 0:
        start = max(start, sentences[first - 1].end)
    return max(0.0, math.ceil(start * 10) / 10)


def suggest_chapters(
    transcript: Transcript,
    glossary: Sequence[Term] = (),
    *,
    duration: float | None = None,
) -> list[SuggestedChapter]:
    """Chapters proposed from a transcript (see the module docstring); the first starts at 0."""
    sentences = _sentences(transcript, _glossary_patterns(glossary))
    if not sentences:
        return []
    end_of_media = max(duration or 0.0, transcript.duration or 0.0, sentences[-1].end)
    shortest, typical = chapter_lengths(end_of_media)
    gaps = list(range(1, len(sentences)))  # gap k comes before sentence k
    pauses = [max(0.0, sentences[k].start - sentences[k - 1].end) for k in gaps]
    window = typical / 2
    similarity = [
        _cosine(_window(sentences, k, -1, window), _window(sentences, k, 1, window)) for k in gaps
    ]
    depths = _depths(similarity)
    deepest = max(depths, default=0.0) or 1.0
    ranks = _pause_ranks(pauses)
    turns = _turns(sentences)
    voice = VOICE_WEIGHT if any(turns) else 0.0  # one voice, or voices not known: no weight
    pause = PAUSE_WEIGHT * (1 - voice)
    scores = [
        (1 - pause - voice) * (d / deepest) + pause * r + voice * v
        for d, r, v in zip(depths, ranks, turns, strict=True)
    ]
    # Keep the best-scored gaps that leave every chapter long enough, up to about one chapter
    # per typical length; a gap scoring under the average is not a change of topic.
    wanted = max(0, round(end_of_media / typical) - 1)
    average = sum(scores) / len(scores) if scores else 0.0
    chosen: list[int] = []
    for i in sorted(range(len(gaps)), key=lambda i: (-scores[i], gaps[i])):
        if len(chosen) >= wanted or scores[i] < average:
            break
        at = _start_time(sentences, gaps[i])
        cuts = sorted([0.0, end_of_media, *(_start_time(sentences, gaps[c]) for c in chosen)])
        before = max(c for c in cuts if c <= at)
        after = min(c for c in cuts if c > at) if at < end_of_media else end_of_media
        if at - before >= shortest and after - at >= shortest:
            chosen.append(i)
    chosen.sort(key=lambda i: gaps[i])
    firsts = [0, *(gaps[i] for i in chosen)]
    parts = [
        sentences[first : (firsts[n + 1] if n + 1 < len(firsts) else len(sentences))]
        for n, first in enumerate(firsts)
    ]
    ranked = _distinctive(parts)
    used: set[str] = set()
    out = []
    for n, part in enumerate(parts):
        start = 0.0 if n == 0 else _start_time(sentences, firsts[n])
        end = _start_time(sentences, firsts[n + 1]) if n + 1 < len(parts) else end_of_media
        title, keywords = _title_and_keywords(ranked[n], part, n + 1, used)
        used.add(title.lower())
        why = None
        if n > 0:
            i = chosen[n - 1]
            why = Boundary(
                round(pauses[i], 2), round(similarity[i], 3), round(scores[i], 3), turns[i]
            )
        out.append(SuggestedChapter(start, end, title, _synopsis(part), keywords, why))
    return out


# --- the file for a person -------------------------------------------------------------------

SUGGESTION_SUFFIX = ".capitoli.yml"


def default_suggestion_path(item_id: str, folder: Path | None = None) -> Path:
    return (folder or Path.cwd()) / f"{item_id}{SUGGESTION_SUFFIX}"


def _yaml_text(text: str) -> str:
    # JSON strings are valid YAML double-quoted scalars (and keep accents readable).
    return json.dumps(text, ensure_ascii=False)


_VOICE_NOTES = {1.0: ", riprende la parola la prima voce", 0.5: ", cambia la voce"}


def _decimal(value: float, digits: int = 1) -> str:
    return f"{value:.{digits}f}".replace(".", ",")


def render_suggestions(
    item: Item, suggestions: Sequence[SuggestedChapter], today: dt.date | None = None
) -> str:
    """The YAML file of suggested chapters: an Italian header saying what it is and what to do
    with it, then a `chapters:` list to copy into `archive/items/<id>.yml`."""
    today = today or dt.date.today()
    lines = [
        f"# Capitoli PROPOSTI per '{item.id}' da 'lgnet chapters {item.id} --suggest' "
        f"({today.isoformat()}).",
        "# Sono suggerimenti calcolati dalla trascrizione (pause lunghe, cambi di argomento e di",
        "# voce, termini del glossario): NON sono pubblicati e nessuna parte del sito legge questo",
        "# file.",
        "# Da fare: ascoltare la registrazione, correggere inizi, titoli, sinossi e parole chiave,",
        "# togliere o aggiungere capitoli, poi copiare l'elenco 'chapters:' qui sotto nella scheda",
        f"# archive/items/{item.id}.yml (al posto di un eventuale elenco 'chapters:' esistente)",
        "# e controllare con 'lgnet check'. La sinossi proposta è la frase più rappresentativa",
        "# del capitolo: riscriverla in due o tre righe.",
    ]
    if item.chapters:
        lines.append(
            f"# Attenzione: la scheda ha già {len(item.chapters)} capitoli scritti da una "
            "persona; confrontarli prima di sostituirli."
        )
    lines += ["", "chapters:"]
    for chapter in suggestions:
        if chapter.why is not None:
            why = chapter.why
            lines.append(
                f"  # qui: pausa di {_decimal(why.pause)} s, parole in comune con il tratto "
                f"precedente {_decimal(why.cohesion * 100, 0)}%"
                + _VOICE_NOTES.get(why.voice, "")
                + f" (punteggio {_decimal(why.score, 2)})"
            )
        lines.append(f"  - start: {_yaml_text(show_time(chapter.start))}")
        lines.append(f"    title: {_yaml_text(chapter.title)}")
        lines.append(f"    synopsis: {_yaml_text(chapter.synopsis)}")
        keywords = ", ".join(_yaml_text(k) for k in chapter.keywords)
        lines.append(f"    keywords: [{keywords}]")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class SuggestionResult:
    path: Path
    chapters: list[SuggestedChapter]

    def summary(self, shown_path: str) -> str:
        count = len(self.chapters)
        return (
            f"{count} capitol{'o' if count == 1 else 'i'} propost{'o' if count == 1 else 'i'} "
            f"in {shown_path}: da rivedere e copiare nella scheda (non vengono pubblicati così)"
        )


def find_item(project: Project, item_id: str) -> tuple[Archive, Item]:
    """The archive (read even when other items have problems) and the item `item_id`; an
    unknown id or an invalid item file is an error naming it."""
    from lgnet.archive import load_archive

    archive = load_archive(project, strict=False)
    item = archive.items.get(item_id)
    rel = f"archive/items/{item_id}.yml"
    if item is None and any(p.file == rel for p in archive.problems):
        raise LgnetError(
            f"{rel}: scheda non valida", [p for p in archive.problems if p.file == rel]
        )
    if item is None:
        known = ", ".join(sorted(archive.items)) or "nessuno"
        raise LgnetError(
            f"registrazione sconosciuta '{item_id}': non c'è archive/items/{item_id}.yml "
            f"valida (registrazioni: {known})"
        )
    return archive, item


def write_suggestions(
    project: Project,
    item_id: str,
    output: Path | None = None,
    *,
    overwrite: bool = False,
) -> SuggestionResult:
    """Suggest chapters for `item_id` and write them to `output` (default
    `./<id>.capitoli.yml`), never into the project's sources nor over a file without
    `overwrite`."""
    from lgnet.fsutil import atomic_write_text
    from lgnet.outputs import check_output_file
    from lgnet.speakers import published_transcript
    from lgnet.transcripts import TranscriptFiles, read_transcript

    archive, item = find_item(project, item_id)
    files = TranscriptFiles(project.transcripts, item_id)
    if not files.json.is_file():
        raise LgnetError(
            f"transcripts/{item_id}.json: trascrizione mancante; eseguire prima "
            f"'lgnet transcribe {item_id}'"
        )
    # As published: redacted spans stay out (a synopsis copied from here must not publish what
    # was cut) and the item's speaker turns are applied (changes of voice are a signal).
    transcript = published_transcript(read_transcript(files.json), item)
    target = check_output_file(
        project, output or default_suggestion_path(item_id), overwrite, archive=archive
    )
    suggestions = suggest_chapters(transcript, archive.glossary)
    if not suggestions:
        raise LgnetError(
            f"transcripts/{item_id}.json: la trascrizione non ha frasi; nessun capitolo da proporre"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(target, render_suggestions(item, suggestions))
    return SuggestionResult(target, suggestions)
