"""Who speaks: an item's voices as the published outputs show them, and its speaker turns.

The transcript JSON is curated data: each segment's `speaker` is a label of the item's
`speakers` (`S1`, or the label the item gives), or null. An item may also give its speaker
turns by hand (`turns`: time ranges with a label). The two meet here, and only at publication
and output time: the pages, the captions and the transcript text published beside the media,
the search index, the open data, the excerpts of `lgnet clip` and of the training paths all
read a *derived view*; `transcripts/` is never rewritten by it.

* `apply_turns` gives each word the label of the turn covering its midpoint (a sentence
  without word timings: the turn it overlaps most) and splits a sentence where the speaker
  changes; a sentence whose speaker a person chose (its `speaker` is set) keeps it.
  It is idempotent, so every stage may apply it to what it receives.
* `voices` says what each label is shown as: the name, or the role alone when the item gives
  no name (the consent of a person who may be described but not named). The label itself is
  never published: it may be anything the operator typed.
* `shown_voices` replaces the labels by those names, for the files whose format names the
  voice in words (WebVTT `<v Name>`, the SRT's "Name:", the TXT); an unknown label is
  dropped rather than shown.
* `VoiceNames` maps back what a person writes in a caption file (`<v Moderatrice>`, an SRT's
  "S2:") to the label, for `lgnet.corrections`.
* `speaker_problems`: segments whose label the item does not define, for `lgnet check`.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from lgnet.errors import Problem
from lgnet.timecode import clock
from lgnet.transcripts import Segment, Transcript, Word

if TYPE_CHECKING:
    from lgnet.archive import Archive, Item
    from lgnet.project import Project


# --- the voices ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Voice:
    """One voice of a recording, as the published outputs show it."""

    label: str
    name: str | None
    role: str | None
    shown: str  # the name or the role alone; numbered ("operatrice 2") when two would read alike

    @property
    def described(self) -> str:
        """At a change of speaker on the page: "Name (role)" when a name is shown, else `shown`."""
        return f"{self.shown} ({self.role})" if self.name and self.role else self.shown


def voices(item: Item) -> dict[str, Voice]:
    """The item's voices by label, in the order of `speakers`."""
    bases = [s.shown for s in item.speakers]
    repeated = Counter(b.casefold() for b in bases)
    seen: Counter[str] = Counter()
    out: dict[str, Voice] = {}
    for label, speaker, base in zip(item.speaker_labels(), item.speakers, bases, strict=True):
        key = base.casefold()
        seen[key] += 1
        shown = f"{base} {seen[key]}" if repeated[key] > 1 else base
        out[label] = Voice(label, speaker.name, speaker.role, shown)
    return out


def shown_voices(transcript: Transcript, item: Item) -> Transcript:
    """The transcript with each segment's label replaced by the voice's shown name (for the
    caption and text files); a label the item does not define is dropped, never shown."""
    known = voices(item)
    segments = []
    for seg in transcript.segments:
        voice = known.get(seg.speaker) if seg.speaker else None
        shown = voice.shown if voice is not None else None
        segments.append(seg if shown == seg.speaker else replace(seg, speaker=shown))
    return replace(transcript, segments=segments)


def has_speakers(transcript: Transcript) -> bool:
    return any(seg.speaker for seg in transcript.segments)


class VoiceNames:
    """What a person may write for a voice in a caption file, mapped to its label: the label,
    the shown name, and the name, the role or "Name (role)" where only one voice has it.
    Case and spacing do not matter."""

    def __init__(self, item: Item) -> None:
        self.item_id = item.id
        self.voices = voices(item)
        owners: dict[str, set[str]] = {}
        spelled: dict[str, str] = {}
        for voice in self.voices.values():
            for text in (voice.shown, voice.name, voice.role, voice.described):
                if text:
                    owners.setdefault(_key(text), set()).add(voice.label)
                    spelled.setdefault(_key(text), " ".join(text.split()))
        self._labels = {key: next(iter(found)) for key, found in owners.items() if len(found) == 1}
        for label in self.voices:  # a label always names its own voice
            self._labels[_key(label)] = label
            spelled[_key(label)] = label
        self._spelled = {key: spelled[key] for key in self._labels}

    def label(self, text: str) -> str | None:
        """The label `text` names, or None."""
        return self._labels.get(_key(text))

    def spellings(self) -> list[str]:
        """Every accepted way of writing a voice (to find an SRT's "Name:" prefix)."""
        return sorted(self._spelled.values())

    def listing(self) -> str:
        """The voices for a message: `S1 «Moderatrice», S2 «operatrice»`."""
        if not self.voices:
            return "nessuna voce indicata in speakers"
        return ", ".join(f"{v.label} «{v.shown}»" for v in self.voices.values())

    def unknown(self, text: str) -> str:
        """What to say of a voice no speaker of the item has (one line, without the file)."""
        return (
            f"la voce «{' '.join(text.split())}» non è tra le voci di {self.item_id} "
            f"({self.listing()}); usare una di queste oppure aggiungerla a speakers in "
            f"archive/items/{self.item_id}.yml"
        )


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


# --- speaker turns ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Turns:
    starts: list[float]
    spans: list[tuple[float, float, str]]

    @classmethod
    def of(cls, item: Item) -> _Turns:
        spans = sorted((t.start, t.end, t.speaker) for t in item.turns)
        return cls([s for s, _, _ in spans], spans)

    def at(self, time: float) -> str | None:
        """The label of the turn covering `time` (turns never overlap: `lgnet check`)."""
        n = bisect.bisect_right(self.starts, time) - 1
        if n >= 0 and time < self.spans[n][1]:
            return self.spans[n][2]
        return None

    def most_overlapping(self, start: float, end: float) -> str | None:
        """The label whose turns overlap [start, end] most (None: no turn does)."""
        overlap: dict[str, float] = {}
        for s, e, label in self.spans:
            if s >= end:
                break
            shared = min(e, end) - max(s, start)
            if shared > 0:
                overlap[label] = overlap.get(label, 0.0) + shared
        return max(overlap, key=lambda label: overlap[label]) if overlap else None


def apply_turns(transcript: Transcript, item: Item) -> Transcript:
    """The transcript with the item's hand-given turns applied (see the module docstring).

    Each word takes the label of the turn covering its midpoint; a word between turns stays
    with the words around it in its sentence; a sentence is split where the label changes,
    each part keeping its words, their timings and the sentence's `reviewed` flag (the first
    part keeps the sentence's start, the last its end). A sentence without word timings that
    match its text takes, whole, the label of the turn it overlaps most. Sentences a person
    gave a speaker, and sentences no turn reaches, are left as they are."""
    if not item.turns:
        return transcript
    turns = _Turns.of(item)
    segments: list[Segment] = []
    for seg in transcript.segments:
        segments += [seg] if seg.speaker else _split(seg, turns)
    return replace(transcript, segments=segments)


def _split(seg: Segment, turns: _Turns) -> list[Segment]:
    if not seg.words or _spaced("".join(w.word for w in seg.words)) != _spaced(seg.text):
        label = turns.most_overlapping(seg.start, seg.end)
        return [replace(seg, speaker=label)] if label else [seg]
    # Whisper's words may be pieces of one ("psico", "-socio"): a piece without a leading
    # space belongs to the word before it, and a word is never split between two voices.
    groups: list[list[Word]] = []
    for word in seg.words:
        if not groups or (word.word[:1].isspace() and word.word.strip()):
            groups.append([word])
        else:
            groups[-1].append(word)
    labels = [turns.at((group[0].start + group[-1].end) / 2) for group in groups]
    filled = _filled(labels)
    if filled is None:
        return [seg]
    parts: list[tuple[str, list[Word]]] = []
    for group, label in zip(groups, filled, strict=True):
        if parts and parts[-1][0] == label:
            parts[-1][1].extend(group)
        else:
            parts.append((label, list(group)))
    if len(parts) == 1:
        return [replace(seg, speaker=parts[0][0])]
    out = []
    for k, (label, words) in enumerate(parts):
        start = seg.start if k == 0 else words[0].start
        end = seg.end if k == len(parts) - 1 else words[-1].end
        text = "".join(w.word for w in words).strip()
        out.append(
            replace(seg, start=start, end=max(end, start), text=text, speaker=label, words=words)
        )
    return out


def _spaced(text: str) -> str:
    return " ".join(text.split())


def _filled(labels: Sequence[str | None]) -> list[str] | None:
    """Each position's label, a gap taking the label before it (at the start: the first one
    after it); None when there is no label at all."""
    first = next((label for label in labels if label is not None), None)
    if first is None:
        return None
    out: list[str] = []
    current = first
    for label in labels:
        current = label if label is not None else current
        out.append(current)
    return out


# --- checks ----------------------------------------------------------------------------------


def label_problems(item: Item, transcript: Transcript, rel: str) -> list[Problem]:
    """One problem per label the transcript's segments use that the item does not define
    (naming its first segment and how many more use it)."""
    known = set(item.speaker_labels())
    unknown: dict[str, list[int]] = {}
    for n, seg in enumerate(transcript.segments):
        if seg.speaker and seg.speaker not in known:
            unknown.setdefault(seg.speaker, []).append(n)
    problems = []
    for label, found in unknown.items():
        first = found[0]
        others = f" (e altri {len(found) - 1} segmenti)" if len(found) > 1 else ""
        listing = VoiceNames(item).listing()
        problems.append(
            Problem(
                rel,
                f"segmento {first + 1} ({clock(transcript.segments[first].start)}){others}: "
                f"la voce {label!r} non è tra le voci di archive/items/{item.id}.yml "
                f"({listing}); aggiungerla a speakers con label: {label} oppure correggere la "
                "voce del segmento (vista di correzione di lgnet serve)",
                f"segments[{first}].speaker",
            )
        )
    return problems


def speaker_problems(project: Project, archive: Archive) -> list[Problem]:
    """Segments of every item's transcript whose speaker label the item does not define
    (an unreadable transcript is reported by the corrections' check, not here)."""
    from lgnet.errors import TranscriptError
    from lgnet.transcripts import TranscriptFiles, read_transcript

    problems: list[Problem] = []
    for item_id, item in sorted(archive.items.items()):
        path = TranscriptFiles(project.transcripts, item_id).json
        if not path.is_file():
            continue
        try:
            transcript = read_transcript(path)
        except TranscriptError:
            continue
        problems += label_problems(item, transcript, project.rel(path))
    return problems


def published_transcript(transcript: Transcript, item: Item) -> Transcript:
    """What every published output reads: the redactions applied ("[omissis]"), then the
    speaker turns (labels still: `shown_voices` names them for the caption files)."""
    from lgnet.redact import redact_transcript

    return apply_turns(redact_transcript(transcript, item.redactions), item)


def voiced_captions(transcript: Transcript, item: Item) -> bool:
    """Whether the published captions differ from `transcripts/<id>.vtt`: redacted, or with
    voices to name (the working files name them by label)."""
    return bool(item.redactions or item.turns or has_speakers(transcript))
