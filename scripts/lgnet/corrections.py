"""A person's corrections, made in a subtitle editor on `<id>.vtt` or `<id>.srt`, carried back
into the transcript without ever losing them.

The import side of the transcript files (`transcripts.py` writes them):

* decoding: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252/Latin-1 as saved by
  Windows editors; a file mixing encodings is refused;
* parsing: a careful line-by-line reader of WebVTT and SRT that accepts what common editors
  write (CRLF, cue identifiers, styling tags, NOTE/STYLE/REGION blocks, cue settings, hour-less
  and comma-decimal timings) and refuses, naming every line at once, whatever it cannot read
  without guessing — a timing typed `->`, a blank line inside a cue, a missing blank line
  between cues;
* voices: a speaker named in a cue (`<v Moderatrice>`, an SRT's "Moderatrice:") is stored as
  the label of the item's voice it names (`lgnet.speakers.VoiceNames`: the label, the shown
  name, the name or the role); a voice the item does not have is refused, naming the line;
* merging: captions are cut to subtitle norms, so a cue is a piece of a sentence (or two short
  ones): the edited cues are mapped back onto the sentences through the words in the same time
  range (`merge_corrections`); unchanged words keep their timings; empty cues are dropped; the
  sentences a person changed (or confirmed, `confirm`) are marked reviewed, and those whose
  words changed are timed on the audio again (`realign`, with `lgnet.align`);
* syncing, in an order that survives `kill -9` at any point: copy of the edited file in
  `transcripts/.backup/`, then the JSON with the merged content, then the VTT/SRT/TXT.
"""

from __future__ import annotations

import codecs
import contextlib
import dataclasses
import datetime as dt
import difflib
import hashlib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from lgnet.captions import CaptionWord, proportional_words, transcript_cues, words_of
from lgnet.captions import Cue as CaptionCue
from lgnet.errors import Problem, TranscriptError
from lgnet.fsutil import atomic_write_bytes
from lgnet.transcripts import (
    Segment,
    Transcript,
    TranscriptFiles,
    Word,
    read_transcript,
    render_srt,
    write_revision,
)

if TYPE_CHECKING:
    from lgnet.archive import Item
    from lgnet.speakers import VoiceNames

Kind = Literal["vtt", "srt"]
BACKUP_FOLDER = ".backup"
TIMING_EXAMPLE = "00:01:02.500 --> 00:01:04.000"

# --- decoding ------------------------------------------------------------------------------

# Bytes Windows-1252 leaves undefined: a file holding them is not Windows-1252 text.
_CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}")


def _line_of(data: bytes, offset: int) -> int:
    head = data[:offset]
    return head.count(b"\n") + 1 if b"\n" in data else head.count(b"\r") + 1


def decode_captions(data: bytes, source: str) -> str:
    """The text of a caption file: UTF-8 first, then Windows-1252 (a superset of Latin-1's
    letters); raises TranscriptError naming the line when neither reads it cleanly."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise _encoding_error(source, 1, "UTF-16 danneggiato") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad_line = _line_of(data, exc.start)
        if _UTF8_MULTIBYTE.search(data):
            # Part of the file is valid UTF-8 with accents: a Windows-1252 reading would turn
            # those into garbage ("Ã¨"), so the file mixes encodings.
            raise _encoding_error(
                source, bad_line, "il file mescola UTF-8 e un'altra codifica"
            ) from None
    undefined = next((i for i, b in enumerate(data) if b in _CP1252_UNDEFINED), None)
    if undefined is not None:
        raise _encoding_error(source, _line_of(data, undefined), "codifica non riconosciuta")
    return data.decode("cp1252")


def _encoding_error(source: str, line: int, what: str) -> TranscriptError:
    return _error(
        [
            Problem(
                source,
                f"riga {line}: {what}; salvare il file con codifica UTF-8 dall'editor di "
                "sottotitoli e rilanciare",
            )
        ]
    )


def _error(problems: list[Problem]) -> TranscriptError:
    first = str(problems[0])
    if len(problems) > 1:
        first += f" (e altri {len(problems) - 1} problemi nello stesso file)"
    return TranscriptError(first, problems)


# --- parsing -------------------------------------------------------------------------------

_TS = r"(?:(\d+):)?(\d{1,2}):(\d{1,2})[.,](\d{1,3})"
_TIMING = re.compile(rf"^\s*{_TS}[ \t]*-->[ \t]*{_TS}(?:[ \t]+.*)?\s*$")
# Something a person meant as a timing line: two clock times joined by an arrow-ish sign,
# optionally followed by cue settings. Ordinary text ("dalle 9:00 alle 13:00") does not match.
_TIMEISH = r"\d+(?::\d+)+(?:[.,:]\d*)?"
_LOOKS_LIKE_TIMING = re.compile(
    rf"^\s*{_TIMEISH}\s*(?:-+>?|=+>|[–—]+>?|>|~|→)\s*{_TIMEISH}(?:\s+[\w-]+:\S*)*\s*$"
)
_NUMBER = re.compile(r"^\s*\d+\s*$")
_VOICE = re.compile(r"<v(?:\.[^ \t>]*)?[ \t]+([^>]*)>")
_VTT_TAG = re.compile(r"</?[a-zA-Z][^>]*>|<\d[\d:.]*>")
# SRT knows only a few HTML-like tags, plus the {\an8}-style overrides Aegisub writes.
_SRT_TAG = re.compile(r"</?(?:i|b|u|s|font)(?:\s[^>]*)?>|\{\\[^}]*\}", re.IGNORECASE)
_ENTITY = re.compile(r"&(amp|lt|gt|nbsp|lrm|rlm|quot|apos|#\d+|#x[0-9a-fA-F]+);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "nbsp": " ", "lrm": "", "rlm": ""}
_ENTITIES |= {"quot": '"', "apos": "'"}


@dataclass(frozen=True)
class Cue:
    """One cue as read from a caption file; `line` is the line of its timing."""

    start: float
    end: float
    text: str
    speaker: str | None
    line: int


@dataclass
class _Block:
    first: int  # line number of lines[0]
    lines: list[str]


def _blocks(lines: list[str], start: int) -> list[_Block]:
    blocks: list[_Block] = []
    current: _Block | None = None
    for number, line in enumerate(lines[start:], start=start + 1):
        if line.strip():
            if current is None:
                current = _Block(number, [])
                blocks.append(current)
            current.lines.append(line)
        else:
            current = None
    return blocks


def _seconds(hours: str | None, minutes: str, secs: str, frac: str) -> float | None:
    if int(minutes) > 59 or int(secs) > 59:
        return None
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(secs) + float(f"0.{frac}")


def _unescape(text: str) -> str:
    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name.startswith("#x"):
            return chr(int(name[2:], 16))
        if name.startswith("#"):
            return chr(int(name[1:]))
        return _ENTITIES[name]

    return _ENTITY.sub(one, text)


class _Reader:
    """Reads the cues of one file, collecting every problem instead of stopping at the first."""

    def __init__(self, source: str, kind: Kind, speakers: Iterable[str]) -> None:
        self.source = source
        self.kind = kind
        self.speakers = sorted({s for s in speakers if s}, key=len, reverse=True)
        self.problems: list[Problem] = []
        self.cues: list[Cue] = []

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.source, f"riga {line}: {message}"))

    def read(self, text: str) -> list[Cue]:
        lines = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
        start = 0
        if self.kind == "vtt":
            start = self._header(lines)
            if start < 0:
                return []
        previous_was_cue = False
        for block in _blocks(lines, start):
            previous_was_cue = self._block(block, previous_was_cue)
        self._check_order()
        return self.cues

    def _header(self, lines: list[str]) -> int:
        first = lines[0].removeprefix("\ufeff")
        if not re.match(r"^WEBVTT(?:[ \t].*)?$", first):
            hint = (
                " (sembra un file SRT: esportarlo dall'editor come WebVTT)"
                if _NUMBER.match(first) or _TIMING.match(first)
                else ""
            )
            self.problem(
                1,
                f"non è un file WebVTT{hint}; la prima riga deve essere 'WEBVTT': correggerla "
                "o ripristinare il file (git checkout)",
            )
            return -1
        for number, line in enumerate(lines[1:], start=2):
            if not line.strip():
                return number
            if "-->" in line or _LOOKS_LIKE_TIMING.match(line):
                at = number - 1  # index of the timing line; its cue number may precede it
                if at > 1 and _NUMBER.match(lines[at - 1]):
                    at -= 1
                self.problem(
                    at + 1,
                    "manca la riga vuota tra l'intestazione WEBVTT e il primo sottotitolo; "
                    f"aggiungere una riga vuota prima della riga {at + 1}",
                )
                return at
        return len(lines)

    def _block(self, block: _Block, previous_was_cue: bool) -> bool:
        """Read one block; returns True when it was a cue."""
        head = block.lines[0].strip()
        if self.kind == "vtt" and (
            head in ("STYLE", "REGION") or re.match(r"^NOTE(?:[ \t]|$)", head)
        ):
            return False  # comment, style sheet or region definition
        timing_at = next(
            (i for i, line in enumerate(block.lines[:2]) if self._is_timing_like(line, first=True)),
            None,
        )
        if timing_at is None:
            self._orphan(block, previous_was_cue)
            return False
        return self._cue(block, timing_at)

    def _is_timing_like(self, line: str, *, first: bool) -> bool:
        if _TIMING.match(line) or _LOOKS_LIKE_TIMING.match(line):
            return True
        # Where a timing is expected, any arrow is a timing that went wrong.
        return first and bool(re.search(r"\d\s*(?:-+>|=>|→)\s*\d", line))

    def _orphan(self, block: _Block, previous_was_cue: bool) -> None:
        if len(block.lines) == 1 and _NUMBER.match(block.lines[0]):
            return  # a lone cue number: no text to lose
        if _NUMBER.match(block.lines[0]):
            self.problem(
                block.first + 1,
                f"il sottotitolo {block.lines[0].strip()} (riga {block.first}) non ha la riga "
                f"dei tempi; inserirla prima del testo, ad esempio '{TIMING_EXAMPLE}'",
            )
        elif previous_was_cue:
            self.problem(
                block.first,
                "testo senza riga dei tempi, forse una riga vuota di troppo dentro il "
                f"sottotitolo precedente; togliere la riga vuota alla riga {block.first - 1} "
                "oppure aggiungere i tempi prima del testo",
            )
        else:
            self.problem(
                block.first,
                "testo senza riga dei tempi; aggiungere prima del testo una riga come "
                f"'{TIMING_EXAMPLE}' oppure cancellare il testo",
            )

    def _cue(self, block: _Block, timing_at: int) -> bool:
        timing_line = block.first + timing_at
        timing = self._timing(block.lines[timing_at], timing_line)
        rest = block.lines[timing_at + 1 :]
        split = next((i for i in range(len(rest)) if self._starts_cue(rest, i)), len(rest))
        if timing is not None:
            self._add(timing, rest[:split], timing_line)
        if split < len(rest):
            number = timing_line + 1 + split
            self.problem(
                number,
                "manca la riga vuota tra due sottotitoli (questa riga inizia un nuovo "
                f"sottotitolo); aggiungere una riga vuota prima della riga {number}",
            )
            # Read on as if the blank line were there, to report the rest of the file.
            self._block(_Block(number, rest[split:]), True)
        return True

    def _starts_cue(self, lines: list[str], i: int) -> bool:
        """Inside a cue's text: a timing, or a cue number followed by a timing."""
        if self._is_timing_like(lines[i], first=False):
            return True
        following = lines[i + 1] if i + 1 < len(lines) else ""
        return bool(_NUMBER.match(lines[i])) and self._is_timing_like(following, first=True)

    def _timing(self, line: str, number: int) -> tuple[float, float] | None:
        match = _TIMING.match(line)
        if match is None:
            shown = line.strip()
            if re.search(r"(?<!-)->", line) or "—>" in line or "–>" in line or "→" in line:
                what = f"la freccia dei tempi va scritta '-->' (due trattini e '>'): «{shown}»"
            else:
                what = f"riga dei tempi non valida «{shown}»"
            self.problem(number, f"{what}; scriverla come '{TIMING_EXAMPLE}'")
            return None
        groups = match.groups()
        start, end = _seconds(*groups[:4]), _seconds(*groups[4:])
        if start is None or end is None:
            self.problem(
                number,
                f"minuti e secondi vanno da 00 a 59 in «{line.strip()}»; correggere i tempi",
            )
            return None
        if end < start:
            self.problem(
                number,
                f"il sottotitolo finisce prima di iniziare («{line.strip()}»); correggere i "
                "tempi di inizio e fine",
            )
            return None
        return start, end

    def _add(self, timing: tuple[float, float], body: list[str], line: int) -> None:
        raw = " ".join(part.strip() for part in body)
        speaker = None
        if self.kind == "vtt":
            voice = _VOICE.search(raw)
            if voice:
                speaker = _unescape(voice.group(1).strip()) or None
            text = _unescape(_VTT_TAG.sub("", raw))
        else:
            text = _SRT_TAG.sub("", raw)
            for name in self.speakers:
                if text.strip().startswith(name + ":"):
                    speaker, text = name, text.strip()[len(name) + 1 :]
                    break
        text = " ".join(text.split())
        if text:  # an empty cue is dropped, never published
            self.cues.append(Cue(timing[0], timing[1], text, speaker, line))

    def _check_order(self) -> None:
        for before, cue in zip(self.cues, self.cues[1:], strict=False):
            if cue.start < before.start:
                self.problem(
                    cue.line,
                    f"il sottotitolo inizia prima del precedente (riga {before.line}); "
                    "correggere i tempi perché i sottotitoli siano in ordine",
                )


def read_cues(text: str, source: str, kind: Kind, speakers: Iterable[str] = ()) -> list[Cue]:
    """The non-empty cues of a WebVTT or SRT text; raises TranscriptError listing every
    problem (`<file>: riga N: <what is wrong>; <what to do>`)."""
    reader = _Reader(source, kind, speakers)
    cues = reader.read(text)
    if reader.problems:
        raise _error(sorted(reader.problems, key=_problem_line))
    return cues


def _problem_line(problem: Problem) -> int:
    match = re.match(r"riga (\d+)", problem.message)
    return int(match.group(1)) if match else 0


def read_caption_file(path: Path, kind: Kind, speakers: Iterable[str] = ()) -> list[Cue]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise TranscriptError(
            f"{path}: impossibile leggere il file ({exc.strerror}); controllarne i permessi"
        ) from None
    cues = read_cues(decode_captions(data, str(path)), str(path), kind, speakers)
    if not cues:
        raise TranscriptError(
            f"{path}: il file non contiene nessun sottotitolo con del testo; ripristinarlo "
            "(git checkout) o cancellarlo per rigenerarlo dalla trascrizione"
        )
    return cues


def _segments(cues: list[Cue]) -> list[Segment]:
    return [Segment(c.start, c.end, c.text, c.speaker) for c in cues]


def parse_vtt(text: str, source: str = "VTT") -> list[Segment]:
    """Cues of a WebVTT text as segments (speaker from a `<v Name>` voice tag)."""
    return _segments(read_cues(text, source, "vtt"))


def parse_srt(text: str, source: str = "SRT", speakers: Iterable[str] = ()) -> list[Segment]:
    """Cues of an SRT text as segments (speaker from a `Name: ` prefix naming a known one)."""
    return _segments(read_cues(text, source, "srt", speakers))


# --- what was edited -----------------------------------------------------------------------


def _file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def vtt_edited(files: TranscriptFiles, transcript: Transcript) -> bool:
    """True when a person changed the VTT since we wrote it."""
    if files.pending.exists() or not files.vtt.exists() or transcript.vtt_sha256 is None:
        return False
    return _file_sha256(files.vtt) != transcript.vtt_sha256


def srt_edited(files: TranscriptFiles, transcript: Transcript) -> bool:
    """True when a person changed the SRT since we wrote it (older JSONs have no hash: the
    SRT is then compared with what the JSON renders to)."""
    if files.pending.exists() or not files.srt.exists():
        return False
    expected = transcript.srt_sha256
    if expected is None:
        expected = hashlib.sha256(render_srt(transcript).encode("utf-8")).hexdigest()
    return _file_sha256(files.srt) != expected


def edited(files: TranscriptFiles, transcript: Transcript) -> bool:
    return vtt_edited(files, transcript) or srt_edited(files, transcript)


def is_curated(files: TranscriptFiles, transcript: Transcript) -> bool:
    """A person's work is in it (a reviewed sentence, an imported edit) or in its caption
    files (edited, not yet imported): a new transcription must not replace it."""
    return transcript.holds_person_work or edited(files, transcript)


# --- merging -------------------------------------------------------------------------------


def _key(start: float, end: float, text: str) -> tuple[int, int, str]:
    return round(start * 1000), round(end * 1000), " ".join(text.split())


def _same_speaker(a: str | None, b: str | None) -> bool:
    # An SRT names the speaker only at the start of a turn: a cue without a name is not a change.
    return a == b or a is None or b is None


def _same_content(a: list[Segment], b: list[Segment]) -> bool:
    return len(a) == len(b) and all(
        _key(x.start, x.end, x.text) == _key(y.start, y.end, y.text)
        and _same_speaker(x.speaker, y.speaker)
        for x, y in zip(a, b, strict=True)
    )


def _voice_named(cues: list[Cue], rendered: list[Segment]) -> bool:
    """Whether an edited cue names a voice where the transcript had none (a change, though
    `_same_content` lets a cue without a voice continue the turn, as SRT files write it)."""
    return any(c.speaker and not r.speaker for c, r in zip(cues, rendered, strict=False))


def _rendered(transcript: Transcript) -> list[Segment]:
    """The cues the transcript's caption files hold, as segments (what a person started from)."""
    return [
        Segment(c.start, c.end, c.text, c.speaker)
        for c in (transcript_cues(transcript) if transcript.segments else [])
    ]


_TIME_TOLERANCE = 0.0015  # caption files hold milliseconds


def _overlap(a_start: float, a_end: float, b_start: float, b_end: float) -> float:
    return min(a_end, b_end) - max(a_start, b_start)


def _assign(originals: list[CaptionCue], cues: list[Cue]) -> list[list[int]]:
    """For each edited cue, the original cues it replaces: each original goes to the edited
    cue it overlaps most in time (none: the person deleted it)."""
    assigned: list[list[int]] = [[] for _ in cues]
    for n, original in enumerate(originals):
        best, best_overlap = None, 0.0
        for k, cue in enumerate(cues):
            if cue.start > original.end + 1.0:
                break
            overlap = _overlap(original.start, original.end, cue.start, cue.end)
            if overlap > best_overlap + 1e-9:
                best, best_overlap = k, overlap
        if best is not None:
            assigned[best].append(n)
    return assigned


def _retimed(words: list[CaptionWord], cue: Cue, originals: list[CaptionCue]) -> list[CaptionWord]:
    """The words of the original cues, their times carried to the edited cue's timing when the
    person moved it (a linear map of the originals' span onto the cue's)."""
    start, end = originals[0].start, originals[-1].end
    moved = abs(start - cue.start) > _TIME_TOLERANCE or abs(end - cue.end) > _TIME_TOLERANCE
    if not moved:
        return words
    scale = (cue.end - cue.start) / (end - start) if end > start else 0.0

    def at(t: float) -> float:
        return min(max(cue.start + (t - start) * scale, cue.start), cue.end)

    return [dataclasses.replace(w, start=at(w.start), end=at(w.end)) for w in words]


@dataclass
class _NewWord:
    start: float
    end: float
    text: str
    owner: tuple[int, int]  # (segment index, -1) or (-1, edited cue number) for a new cue
    old: CaptionWord | None  # the word it keeps, unchanged


def _norm(token: str) -> str:
    return token.casefold()


def _interpolate(
    tokens: list[str], start: float, end: float, owners: list[tuple[int, int]]
) -> list[_NewWord]:
    timed = proportional_words(tokens, start, end)
    return [
        _NewWord(w.start, w.end, w.text, owner, None)
        for w, owner in zip(timed, owners, strict=True)
    ]


def _align(
    old: list[CaptionWord], timed: list[CaptionWord], tokens: list[str], cue: Cue, number: int
) -> list[_NewWord]:
    """The cue's tokens aligned to the original words (difflib on word tokens): unchanged words
    keep their times (`timed`: carried to the cue's new timing, if moved), changed and added
    ones get times interpolated within the cue."""
    if not old:
        return _interpolate(tokens, cue.start, cue.end, [(-1, number)] * len(tokens))
    out: list[_NewWord] = []
    matcher = difflib.SequenceMatcher(
        a=[_norm(w.text) for w in old], b=[_norm(t) for t in tokens], autojunk=False
    )
    opcodes = matcher.get_opcodes()
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "equal":
            for w, t, token in zip(old[i1:i2], timed[i1:i2], tokens[j1:j2], strict=True):
                out.append(_NewWord(t.start, t.end, token, (w.segment, -1), w))
        elif tag == "replace":
            owners = [(old[i1 + (k * (i2 - i1)) // (j2 - j1)].segment, -1) for k in range(j2 - j1)]
            out += _interpolate(tokens[j1:j2], timed[i1].start, timed[i2 - 1].end, owners)
        elif tag == "insert":
            before = timed[i1 - 1] if i1 > 0 else None
            after = timed[i1] if i1 < len(timed) else None
            start = before.end if before else max(cue.start, (after.start if after else 0) - 0.3)
            end = after.start if after else min(cue.end, start + 0.3 * (j2 - j1))
            owner = (before or after or old[0]).segment
            out += _interpolate(tokens[j1:j2], start, max(end, start), [(owner, -1)] * (j2 - j1))
    return out


def merge_corrections(transcript: Transcript, cues: list[Cue]) -> Transcript:
    """The transcript with a person's edited cues carried back into its sentences; every
    sentence the edit changed (words, speaker or timing) is marked reviewed, the others keep
    their flag, so the status says `revisionato` only once every sentence has been reviewed.

    Captions and segments are two views of the same words. Each edited cue takes the words of
    the captions it replaces (same time range); its text is aligned to them word by word:
    words the person did not change keep their timings, changed words get timings
    interpolated within the cue, and each word stays in its sentence, so the segmentation is
    otherwise left as it was. A segment all of whose words are unchanged is kept as it is; a
    cue over silence becomes a segment of its own; a speaker named in a cue applies to its
    words (a different speaker starts a new segment).
    """
    return _merge(transcript, cues)[0]


def _merge(transcript: Transcript, cues: list[Cue]) -> tuple[Transcript, list[int]]:
    """`merge_corrections`, and the indices of the new segments whose words changed (their
    word timings are only interpolated: `realign` times them on the audio)."""
    segments = transcript.segments
    originals = transcript_cues(transcript) if segments else []
    assigned = _assign(originals, cues)
    runs: list[tuple[tuple[int, int], str | None, list[_NewWord]]] = []
    for number, (cue, mine) in enumerate(zip(cues, assigned, strict=True)):
        old = [w for n in mine for w in originals[n].words]
        timed = _retimed(old, cue, [originals[n] for n in mine]) if mine else old
        for word in _align(old, timed, cue.text.split(), cue, number):
            base = segments[word.owner[0]].speaker if word.owner[0] >= 0 else None
            speaker = cue.speaker or base
            if runs and runs[-1][0] == word.owner and runs[-1][1] == speaker:
                runs[-1][2].append(word)
            else:
                runs.append((word.owner, speaker, [word]))
    bounds: dict[int, tuple[CaptionWord, CaptionWord]] = {}
    for original in originals:
        for w in original.words:
            first, _ = bounds.get(w.segment, (w, w))
            bounds[w.segment] = (first, w)
    merged = [
        _segment(segments, owner, speaker, words, bounds.get(owner[0]))
        for owner, speaker, words in runs
    ]
    changed = [
        n
        for n, (seg, (owner, _, _)) in enumerate(zip(merged, runs, strict=True))
        if owner[0] < 0 or _words_key(seg.text) != _words_key(segments[owner[0]].text)
    ]
    return dataclasses.replace(transcript, segments=merged), changed


def _words_key(text: str) -> list[str]:
    return [_norm(t) for t in text.split()]


def _segment(
    segments: list[Segment],
    owner: tuple[int, int],
    speaker: str | None,
    words: list[_NewWord],
    bounds: tuple[CaptionWord, CaptionWord] | None,
) -> Segment:
    text = " ".join(w.text for w in words)
    if owner[0] < 0 or bounds is None:  # a cue a person added over silence
        return Segment(words[0].start, words[-1].end, text, speaker, reviewed=True)
    seg = segments[owner[0]]
    unchanged = (
        speaker == seg.speaker
        and " ".join(text.split()) == " ".join(seg.text.split())
        and all(w.old is not None and (w.old.start, w.old.end) == (w.start, w.end) for w in words)
    )
    if unchanged:
        return seg
    timed = any(w.old is not None and w.old.index >= 0 for w in words)
    first, last = words[0], words[-1]
    # The sentence keeps its own start and end while its first and last words are unchanged.
    start = first.start
    if first.old is not None and first.old == bounds[0] and first.old.start == first.start:
        start = seg.start
    end = last.end
    if last.old is not None and last.old == bounds[1] and last.old.end == last.end:
        end = seg.end
    new_words = (
        [Word(w.start, w.end, " " + w.text, _probability(seg, w)) for w in words] if timed else []
    )
    return Segment(start, max(end, start), text, speaker, new_words, reviewed=True)


# --- review: confirmed sentences, re-timed words ---------------------------------------------


def confirm(transcript: Transcript, spans: Iterable[tuple[float, float]]) -> Transcript:
    """The transcript with every sentence that has a word inside one of `spans` (the times
    of cues a person confirmed as right) marked reviewed."""
    spans = [(start - _TIME_TOLERANCE, end + _TIME_TOLERANCE) for start, end in spans]
    if not spans:
        return transcript
    hit = {
        w.segment
        for w in words_of(transcript.segments)
        if any(start <= (w.start + w.end) / 2 <= end for start, end in spans)
    }
    return dataclasses.replace(
        transcript,
        segments=[
            dataclasses.replace(s, reviewed=True) if n in hit and not s.reviewed else s
            for n, s in enumerate(transcript.segments)
        ],
    )


def realign(
    transcript: Transcript, media: Path | None, indices: list[int], model: str | None = None
) -> Transcript:
    """Words of the segments at `indices` timed on the audio again (`lgnet.align`), so the
    highlight, clips and captions stay word-accurate after a person changed the words; with
    no media to listen to, their interpolated times stay."""
    if media is None or not indices:
        return transcript
    from lgnet.align import realign_segments

    aligned = realign_segments(transcript, media, indices, model=model)
    # alignment times words; whether a person reviewed a sentence is not its business
    return dataclasses.replace(
        aligned,
        segments=[
            dataclasses.replace(new, reviewed=old.reviewed)
            for new, old in zip(aligned.segments, transcript.segments, strict=True)
        ],
    )


def _item_for(folder: Path, item_id: str) -> tuple[Path, Item] | None:
    """The project root and the item `item_id` when `folder` is a project's `transcripts/`
    (None if not, or if the item cannot be read)."""
    from lgnet.archive import load_item
    from lgnet.project import Project

    project = Project(folder.resolve().parent)
    if (
        project.transcripts != folder.resolve()
        or not (project.root / "mkdocs.yml").is_file()
        or not (project.items_dir / f"{item_id}.yml").is_file()
    ):
        return None
    item, _ = load_item(project.items_dir / f"{item_id}.yml", project)
    return (project.root, item) if item is not None else None


def media_for(folder: Path, item_id: str) -> Path | None:
    """The recording of `item_id` when `folder` is a project's `transcripts/` (None if not,
    or if the item or its media cannot be found)."""
    from lgnet.project import Project

    found = _item_for(folder, item_id)
    media = found[1].media_path(Project(found[0])) if found is not None else None
    return media if media is not None and media.is_file() else None


def voice_names_for(folder: Path, item_id: str) -> VoiceNames | None:
    """The voices of `item_id` when `folder` is a project's `transcripts/` (None: no item to
    ask, and the voices named in the files are kept as they are written)."""
    from lgnet.speakers import VoiceNames

    found = _item_for(folder, item_id)
    return VoiceNames(found[1]) if found is not None else None


def _probability(seg: Segment, word: _NewWord) -> float:
    if word.old is not None and 0 <= word.old.index < len(seg.words):
        return seg.words[word.old.index].probability
    return 1.0  # written by a person


# --- backup and sync -----------------------------------------------------------------------


def _fsync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every file system lets a folder be opened
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def backup_edited(path: Path, item_id: str) -> Path:
    """Copy a person's file to `.backup/<id>.<UTC timestamp><suffix>` (atomic, synced)."""
    folder = path.parent / BACKUP_FOLDER
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    target = folder / f"{item_id}.{stamp}{path.suffix}"
    n = 2
    while target.exists():
        target = folder / f"{item_id}.{stamp}-{n}{path.suffix}"
        n += 1
    atomic_write_bytes(target, path.read_bytes())
    _fsync_folder(folder)
    return target


def _first_difference(vtt: list[Cue], srt: list[Cue]) -> str:
    for a, b in zip(vtt, srt, strict=False):
        if _key(a.start, a.end, a.text) != _key(b.start, b.end, b.text) or not _same_speaker(
            a.speaker, b.speaker
        ):
            return f"prima differenza: riga {a.line} del VTT, riga {b.line} dell'SRT"
    return f"il VTT ha {len(vtt)} sottotitoli, l'SRT {len(srt)}"


def _corrected_cues(
    files: TranscriptFiles, transcript: Transcript, names: VoiceNames | None = None
) -> tuple[list[Cue], list[Path]]:
    """The cues a person edited, and the edited files; refuses two different edits. With the
    item's `names`, the voices the cues name become labels (an unknown one is refused)."""
    speakers = [s.speaker for s in transcript.segments if s.speaker]
    if names is not None:
        speakers += names.spellings()
    vtt = read_caption_file(files.vtt, "vtt") if vtt_edited(files, transcript) else None
    srt = read_caption_file(files.srt, "srt", speakers) if srt_edited(files, transcript) else None
    if names is not None:
        vtt = voice_labels(vtt, names, files.vtt) if vtt is not None else None
        srt = voice_labels(srt, names, files.srt) if srt is not None else None
    if vtt is not None and srt is not None:
        if not _same_content(_segments(vtt), _segments(srt)):
            newer = files.vtt if files.vtt.stat().st_mtime >= files.srt.stat().st_mtime else None
            newer = newer or files.srt
            raise TranscriptError(
                f"{files.vtt} e {files.srt}: modificati entrambi, in modo diverso "
                f"({_first_difference(vtt, srt)}); tenere le correzioni in uno solo dei due "
                f"(il più recente è {newer.name}) e cancellare l'altro o ripristinarlo con "
                "git checkout, poi rilanciare"
            )
        return vtt, [files.vtt, files.srt]
    if vtt is not None:
        return vtt, [files.vtt]
    if srt is not None:
        return srt, [files.srt]
    return [], []


def voice_labels(cues: list[Cue], names: VoiceNames, path: Path) -> list[Cue]:
    """The cues with the voice each names stored as its label; raises TranscriptError naming
    every cue whose voice the item does not have."""
    out, problems = [], []
    for cue in cues:
        label = names.label(cue.speaker) if cue.speaker else None
        if cue.speaker and label is None:
            problems.append(Problem(str(path), f"riga {cue.line}: {names.unknown(cue.speaker)}"))
        out.append(dataclasses.replace(cue, speaker=label))
    if problems:
        raise _error(problems)
    return out


def sync_corrections(
    folder: Path,
    item_id: str,
    *,
    media: Path | None = None,
    confirmed: Iterable[tuple[float, float]] = (),
    model: str | None = None,
) -> bool:
    """Carry a person's VTT or SRT edits (and the cues they confirmed) into the JSON and the
    other files.

    Returns True when something was imported. A file that cannot be read is refused
    (TranscriptError) before anything is written. The sentences whose words changed are timed
    on the audio again (`realign`): `media` is the recording, by default found through the
    project that `folder` belongs to. `confirmed` are the times of cues a person confirmed as
    right (the correction view): their sentences are marked reviewed too.

    The order makes any interruption safe:
    1. a copy of each edited file in `.backup/`;
    2. the JSON with the merged content and the old hashes (until the files are regenerated
       the edited one still differs from its hash, and the next run imports it again to the
       same result; the untouched ones still match theirs);
    3. the VTT, SRT and TXT regenerated from the JSON, and the JSON with their new hashes
       (under the `.pending` marker, which `recover_interrupted` resolves by regenerating
       them from the curated JSON).
    """
    files = TranscriptFiles(folder, item_id)
    if not files.json.exists():
        return False
    transcript = read_transcript(files.json)
    cues, sources = _corrected_cues(files, transcript, voice_names_for(folder, item_id))
    confirmed = list(confirmed)
    if not sources and not confirmed:
        return False
    for path in sources:
        backup_edited(path, item_id)
    if transcript.srt_sha256 is None:  # written before SRT hashes: pin what was checked
        transcript.srt_sha256 = hashlib.sha256(render_srt(transcript).encode("utf-8")).hexdigest()
    rendered = _rendered(transcript)
    if not sources or (
        _same_content(_segments(cues), rendered) and not _voice_named(cues, rendered)
    ):
        merged = transcript  # saved again without changes: only the hashes are renewed
    else:
        merged, changed = _merge(transcript, cues)  # keeps the hashes of the files on disk
        if media is None:
            media = media_for(folder, item_id)
        merged = realign(merged, media, changed, model)
        record = {"date": _now(), "files": [p.name for p in sources], "changed": len(changed)}
        provenance = {**merged.provenance, "revisions": [*merged.revisions, record]}
        merged = dataclasses.replace(merged, provenance=provenance)
    merged = confirm(merged, confirmed)
    write_revision(folder, merged)
    return True


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def check_corrections(folder: Path, ids: Iterable[str]) -> list[Problem]:
    """What the next import would refuse in the caption files people edited; writes nothing.

    `lgnet check` reports these with the archive's problems, so a broken edit is found before
    a build, not in the middle of one.
    """
    problems: list[Problem] = []
    for item_id in sorted(ids):
        files = TranscriptFiles(folder, item_id)
        if not files.json.exists():
            continue
        try:
            _corrected_cues(files, read_transcript(files.json), voice_names_for(folder, item_id))
        except TranscriptError as exc:
            if exc.problems:
                problems += exc.problems
            else:
                file, _, message = str(exc).partition(": ")
                problems.append(Problem(file, message))
    return problems
