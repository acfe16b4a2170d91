"""`lgnet review`: the recordings, and their cues, that most need a person.

A cue needs a person when no one has reviewed its sentences yet; it needs one more when the
model was unsure of a word (`probability` below `LOW_CONFIDENCE`) or when a word looks like a
name (a capital letter inside a sentence) that neither the glossary, the cities, the item's
speakers nor its title spell that way: the names are what a small model gets wrong most.

Order: items cited by the hand-written pages first (`lgnet.evidence`: a cited recording is
what visitors are sent to), the most cited first; then the most work. Inside an item, cited
cues first, then the most work, then time. Items every sentence of which is reviewed, items
without a transcript, and demo narrations whose known script was aligned to their audio
(`narration_aligned`: their words are right) are left out.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from lgnet.archive import Archive, Item
from lgnet.captions import Cue, transcript_cues
from lgnet.project import Project
from lgnet.timecode import clock
from lgnet.transcripts import Transcript, narration_aligned

# Below this a word is marked "incerta". On the demo's Whisper base transcripts (bench/review.py,
# devdocs/captions.md) it marks one word in six, and more than half of the marked words are
# wrong: the best precision of the thresholds tried; a higher one marks too much to be read.
LOW_CONFIDENCE = 0.5
WEIGHT_UNREVIEWED = 1  # every cue nobody reviewed
WEIGHT_UNCERTAIN = 2  # each uncertain word
WEIGHT_NAME = 2  # each name the glossary does not know
_SENTENCE_END = re.compile(r"[.!?…]+[»\"')\]]*$")
_STRIP = "«»\"'()[]¿¡.,;:!?…—–-"


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()


def _tokens(text: str) -> list[str]:
    return [t for t in re.split(r"[\s'’\-/]+", text) if t]


def known_words(archive: Archive, item: Item | None) -> set[str]:
    """Spellings a person already checked: glossary terms and aliases, cities, the item's
    speakers and title (folded: no accents, no case)."""
    texts: list[str] = []
    for term in archive.glossary:
        texts += [term.term, *term.aliases]
    texts += [city.name for city in archive.cities.values()]
    if item is not None:
        texts.append(item.title)
        for speaker in item.speakers:
            texts += [speaker.name or "", speaker.role or ""]
    return {_fold(t.strip(_STRIP)) for text in texts for t in _tokens(text) if t.strip(_STRIP)}


def looks_like_name(token: str, sentence_start: bool) -> bool:
    """A word with a capital letter that is not there because a sentence starts."""
    word = token.strip(_STRIP)
    if len(word) < 2 or sentence_start or not any(c.isalpha() for c in word):
        return False
    return word[0].isupper() or (sum(c.isupper() for c in word) >= 2)


@dataclass
class CueNeed:
    start: float
    end: float
    text: str
    uncertain: list[str]
    names: list[str]
    cited: bool

    @property
    def need(self) -> int:
        return (
            WEIGHT_UNREVIEWED
            + WEIGHT_UNCERTAIN * len(self.uncertain)
            + WEIGHT_NAME * len(self.names)
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "start": round(self.start, 3),
            "end": round(self.end, 3),
            "text": self.text,
            "low_confidence": self.uncertain,
            "unknown_names": self.names,
            "cited": self.cited,
            "need": self.need,
        }


@dataclass
class ItemNeed:
    id: str
    title: str
    citations: int
    sentences: int
    reviewed: int
    cues: list[CueNeed] = field(default_factory=list)  # not reviewed, most needed first

    @property
    def need(self) -> int:
        return sum(c.need for c in self.cues)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "citations": self.citations,
            "sentences": self.sentences,
            "reviewed_sentences": self.reviewed,
            "low_confidence": sum(len(c.uncertain) for c in self.cues),
            "unknown_names": sum(len(c.names) for c in self.cues),
            "need": self.need,
            "cues": [c.to_json() for c in self.cues],
        }


def cited_moments(project: Project) -> dict[str, list[tuple[float, float]]]:
    """Item id -> the moments the hand-written pages cite (`[[prova: ...]]`)."""
    from lgnet.evidence import hand_written_pages, scan_text

    out: dict[str, list[tuple[float, float]]] = {}
    for path in hand_written_pages(project):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        for _, evidence, _ in scan_text(text):
            if evidence is not None:
                end = evidence.end if evidence.end is not None else evidence.start
                out.setdefault(evidence.item_id, []).append((evidence.start, end))
    return out


def _cue_need(
    cue: Cue, transcript: Transcript, known: set[str], moments: list[tuple[float, float]]
) -> CueNeed | None:
    """What one cue needs; None when every sentence it shows is reviewed."""
    segments = transcript.segments
    if all(segments[w.segment].reviewed for w in cue.words):
        return None
    uncertain: list[str] = []
    names: list[str] = []
    for w in cue.words:
        seg = segments[w.segment]
        if seg.reviewed:
            continue
        if 0 <= w.index < len(seg.words) and seg.words[w.index].probability < LOW_CONFIDENCE:
            uncertain.append(w.text.strip(_STRIP) or w.text)
        before = seg.words[w.index - 1].word.strip() if 0 < w.index <= len(seg.words) else ""
        sentence_start = w.index <= 0 or bool(_SENTENCE_END.search(before))
        if looks_like_name(w.text, sentence_start) and not all(
            _fold(t.strip(_STRIP)) in known for t in _tokens(w.text) if t.strip(_STRIP)
        ):
            names.append(w.text.strip(_STRIP))
    cited = any(start <= cue.end and cue.start <= end for start, end in moments)
    return CueNeed(cue.start, cue.end, cue.text, uncertain, names, cited)


def item_need(
    archive: Archive, item: Item, transcript: Transcript, moments: list[tuple[float, float]]
) -> ItemNeed:
    known = known_words(archive, item)
    cues = [
        need
        for cue in (transcript_cues(transcript) if transcript.segments else [])
        if (need := _cue_need(cue, transcript, known, moments)) is not None
    ]
    cues.sort(key=lambda c: (not c.cited, -c.need, c.start))
    return ItemNeed(
        item.id,
        item.title,
        len(moments),
        len(transcript.segments),
        transcript.reviewed_count,
        cues,
    )


def review_queue(
    project: Project,
    archive: Archive,
    transcripts: dict[str, Transcript],
    ids: Iterable[str] = (),
) -> list[ItemNeed]:
    """The items that need a person, in the order they should get one."""
    moments = cited_moments(project)
    wanted = list(ids) or sorted(archive.items)
    queue = [
        item_need(archive, archive.items[i], transcripts[i], moments.get(i, []))
        for i in wanted
        if i in archive.items and i in transcripts and not narration_aligned(transcripts[i])
    ]
    queue = [q for q in queue if q.cues]
    queue.sort(key=lambda q: (-q.citations, -q.need, q.id))
    return queue


def format_queue(queue: list[ItemNeed], cues_per_item: int = 3) -> str:
    """The queue as an Italian table, with each item's most needed cues under it."""
    if not queue:
        return "Niente da rivedere: ogni frase trascritta è già stata revisionata da una persona."
    rows = [
        (
            q.id,
            str(q.citations),
            f"{q.reviewed} su {q.sentences}",
            str(sum(len(c.uncertain) for c in q.cues)),
            str(sum(len(c.names) for c in q.cues)),
            str(len(q.cues)),
        )
        for q in queue
    ]
    head = ("registrazione", "citazioni", "frasi revisionate", "incerte", "nomi", "da rivedere")
    widths = [max(len(r[k]) for r in [head, *rows]) for k in range(len(head))]

    def line(cells: tuple[str, ...]) -> str:
        first = cells[0].ljust(widths[0])
        rest = [c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True)]
        return "  ".join([first, *rest]).rstrip()

    count = len(queue)
    out = [
        f"Da rivedere: {count} {'registrazione' if count == 1 else 'registrazioni'} (prima le "
        "più citate nelle pagine del sito, poi quelle con più lavoro)",
        "",
        line(head),
    ]
    for q, row in zip(queue, rows, strict=True):
        out.append(line(row))
        for cue in q.cues[: max(cues_per_item, 0)]:
            out.append(f"    {clock(cue.start)}  {_why(cue)}: «{_short(cue.text)}»")
    out += [
        "",
        "incerte: parole riconosciute con poca sicurezza; nomi: parole con la maiuscola che il "
        "glossario non conosce. Per correggere: 'lgnet serve', poi la vista di correzione.",
    ]
    return "\n".join(out)


def _why(cue: CueNeed) -> str:
    parts = []
    if cue.cited:
        parts.append("citato")
    if cue.uncertain:
        parts.append(f"incerte: {', '.join(cue.uncertain)}")
    if cue.names:
        parts.append(f"nomi: {', '.join(cue.names)}")
    return "; ".join(parts) or "mai revisionato"


def _short(text: str, limit: int = 70) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
