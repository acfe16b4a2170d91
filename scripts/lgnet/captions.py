"""Captions cut to subtitle norms from the transcript's word timings.

Segments are sentences (the interactive transcript, search); captions are the same words cut
for reading on screen: at most 2 lines of at most 42 characters, 1–7 s per cue, at most 17
characters per second where the timing allows, never overlapping, with a small gap between
cues. Pure functions, plain dataclasses:

    words_of(segments) -> CaptionWord list -> make_cues(...) -> Cue list (lines)

Cues are cut where a reader expects them (sentence end, clause punctuation, a long pause),
chosen by dynamic programming over the word boundaries of one speaker's turn; lines are
broken so that an article, preposition, conjunction or auxiliary never ends a line apart from
its word. A speaker change always starts a new cue. A segment without word timings (a
person's edit) has its words timed proportionally to their characters.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lgnet.transcripts import Segment, Transcript

MAX_LINE = 42
MAX_LINES = 2
MIN_DURATION = 1.0
MAX_DURATION = 7.0
MAX_CPS = 17.0
GAP = 0.08  # two frames at 25 fps between cues
LEAD_IN = 0.4  # a cue may appear this much before its first word, when it needs the time
LONG_PAUSE = 0.6  # a pause this long is a natural place to cut
HARD_PAUSE = 2.0  # a pause this long never sits inside a cue
SOFT_SHARE = 0.05  # share of cues that may miss the soft norms (1–7 s, 17 cps)

# Words that must not end a line (or a cue) apart from the word they introduce.
_FUNCTION_WORDS = """
    il lo la i gli le l un uno una di a da in con su per tra fra e ed o od ma che
    del dello della dei degli delle al allo alla ai agli alle dal dallo dalla dai dagli dalle
    nel nello nella nei negli nelle sul sullo sulla sui sugli sulle col coi
    è ha hanno ho hai abbiamo avete sono sei siamo siete era erano sia siano sarà sarebbe
    stato stata stati state non ci si mi ti vi ne se come quando dove cui
    questo questa questi queste quel quello quella quei quegli quelle suo sua suoi sue
    nostro nostra nostri nostre mio mia tuo tua molto più
"""
FUNCTION_WORDS = frozenset(_FUNCTION_WORDS.split())
_SENTENCE_END = re.compile(r"[.!?…]+[»\"')\]]*$")
_CLAUSE_END = re.compile(r"[,;:—–]+[»\"')\]]*$")
_STRIP = "«»\"'()[]¿¡.,;:!?…—–-"


@dataclass(frozen=True)
class CaptionWord:
    start: float
    end: float
    text: str
    segment: int  # index of its segment in the transcript
    index: int  # index in the segment's `words`; -1 when timed from the characters
    speaker: str | None = None


@dataclass
class Cue:
    start: float
    end: float
    lines: list[str]
    speaker: str | None = None
    words: list[CaptionWord] = field(default_factory=list)
    label: str = ""  # "Name:" at the start of lines[0] (a turn's first cue; SRT shows it)

    @property
    def text(self) -> str:
        """The cue's words on one line, without the speaker label."""
        return " ".join(w.text for w in self.words) if self.words else " ".join(self.lines)

    @property
    def shown(self) -> str:
        return " ".join(self.lines)

    def unlabelled(self) -> list[str]:
        """The lines without the speaker label (WebVTT names the voice in a tag instead)."""
        if not self.label:
            return list(self.lines)
        fitted = break_lines([w.text for w in self.words]) if self.words else None
        if fitted is None:
            first = self.lines[0][len(self.label) :].strip()
            return [first, *self.lines[1:]] if first else list(self.lines[1:])
        return fitted[0]


# --- words -----------------------------------------------------------------------------------


def _has_timed_words(seg: Segment) -> bool:
    tokens = [w.word.strip() for w in seg.words if w.word.strip()]
    return bool(tokens) and tokens == seg.text.split()


def proportional_words(
    tokens: Sequence[str], start: float, end: float, segment: int = -1, speaker: str | None = None
) -> list[CaptionWord]:
    """Tokens timed over [start, end] in proportion to their characters (and a space each)."""
    weights = [len(t) + 1 for t in tokens]
    total = sum(weights) or 1
    span = max(end - start, 0.0)
    out, at = [], start
    for token, weight in zip(tokens, weights, strict=True):
        step = span * weight / total
        out.append(CaptionWord(at, at + step, token, segment, -1, speaker))
        at += step
    return out


def _split_long(word: CaptionWord) -> list[CaptionWord]:
    """A token longer than a line (a web address) in line-sized pieces."""
    if len(word.text) <= MAX_LINE:
        return [word]
    pieces = [word.text[i : i + MAX_LINE] for i in range(0, len(word.text), MAX_LINE)]
    timed = proportional_words(pieces, word.start, word.end, word.segment, word.speaker)
    return [CaptionWord(w.start, w.end, w.text, w.segment, word.index, w.speaker) for w in timed]


def words_of(segments: Sequence[Segment]) -> list[CaptionWord]:
    """Every word of the segments, in order, with its timing and segment."""
    out: list[CaptionWord] = []
    for n, seg in enumerate(segments):
        if not seg.text.strip():
            continue
        if _has_timed_words(seg):
            words = [
                CaptionWord(w.start, max(w.end, w.start), w.word.strip(), n, i, seg.speaker)
                for i, w in enumerate(seg.words)
                if w.word.strip()
            ]
        else:
            words = proportional_words(seg.text.split(), seg.start, seg.end, n, seg.speaker)
        for word in words:
            out += _split_long(word)
    return out


# --- lines -----------------------------------------------------------------------------------


def is_weak(token: str) -> bool:
    """An article, preposition, conjunction or auxiliary that belongs with the next word."""
    if token and token[-1] in ".,;:!?…»\"')":
        return False
    return token.strip(_STRIP).lower() in FUNCTION_WORDS


def break_lines(tokens: Sequence[str], label: str = "") -> tuple[list[str], float] | None:
    """The best way to show the tokens in at most 2 lines of at most 42 characters, and its
    cost (0 is perfect); None when they do not fit. `label` ("Nome:") goes before line one."""
    head = [label] if label else []
    words = [*head, *tokens]
    text = " ".join(words)
    if len(text) <= MAX_LINE:
        return [text], 0.0
    best: tuple[list[str], float] | None = None
    # With a label, its own line is a layout too (a long voice name leaves no room for words
    # beside it), the last resort: a label shares the first line whenever it can.
    for k in range(len(head) if head else 1, len(words)):
        one, two = " ".join(words[:k]), " ".join(words[k:])
        if len(one) > MAX_LINE or len(two) > MAX_LINE:
            continue
        last = words[k - 1]
        cost = abs(len(one) - len(two)) / 10
        if head and k == len(head):
            cost += 10.0
        elif is_weak(last):
            cost += 20
        elif _SENTENCE_END.search(last) or _CLAUSE_END.search(last):
            cost -= 1.5
        if len(one) > len(two):
            cost += 0.3  # a slight preference for the bottom-heavy shape
        if best is None or cost < best[1]:
            best = ([one, two], cost)
    return best


def speaker_label(speaker: str) -> str:
    """The "Name:" before a turn's first line (SRT), fitting a line: a longer name loses its
    trailing parenthesis ("(voce sintetica)"), then its last words ("…")."""
    label = f"{' '.join(speaker.split())}:"
    if len(label) <= MAX_LINE:
        return label
    bare = re.sub(r"\s*\([^()]*\)$", "", speaker.strip())
    if bare and len(bare) + 1 <= MAX_LINE:
        return f"{bare}:"
    words = bare.split() or speaker.split()
    while len(words) > 1 and len(" ".join(words)) + 2 > MAX_LINE:
        words.pop()
    return (" ".join(words)[: MAX_LINE - 2]).rstrip(",;") + "…:"


# --- cues ------------------------------------------------------------------------------------


def _break_cost(words: Sequence[CaptionWord], j: int) -> float:
    """How natural a cut after words[j - 1] is (0 best)."""
    last, following = words[j - 1], words[j]
    pause = following.start - last.end
    if _SENTENCE_END.search(last.text):
        cost = 0.0
    elif _CLAUSE_END.search(last.text) or pause >= LONG_PAUSE:
        cost = 1.0
    elif pause >= 0.25:
        cost = 2.2
    else:
        cost = 3.0
    if following.segment != last.segment:
        cost = min(cost, 0.5)
    if is_weak(last.text):
        cost += 6.0
    return cost


def _cue_cost(
    words: Sequence[CaptionWord], i: int, j: int, limit: float, label: str
) -> tuple[float, list[str]] | None:
    """Cost of one cue holding words[i:j] (None if it breaks a hard rule)."""
    tokens = [w.text for w in words[i:j]]
    fitted = break_lines(tokens, label)
    if fitted is None:
        return None
    lines, line_cost = fitted
    start, end = words[i].start, words[j - 1].end
    if end - start > MAX_DURATION and j - i > 1:
        return None
    chars = len(" ".join(lines))
    next_start = words[j].start if j < len(words) else limit
    before = words[i - 1].end if i > 0 else start - LEAD_IN
    lead = min(LEAD_IN, max(start - before - GAP, 0.0))
    room = min(MAX_DURATION, max(next_start - GAP - start, end - start) + lead)
    cost = 1.0 + line_cost / 10
    if room > 0 and chars / room > MAX_CPS:
        # in proportion to the text: merging or splitting does not hide fast speech
        cost += (15.0 * (chars / room / MAX_CPS - 1.0) + 2.0) * chars / 40
    if room < MIN_DURATION:
        cost += 3.0 + 4.0 * (MIN_DURATION - room)
    for k in range(i, j - 1):
        if (
            words[k + 1].segment != words[k].segment
            and min(words[k].end - start, end - words[k + 1].start) >= MIN_DURATION
        ):
            return None  # two sentences share a cue only when one of them is very short
    inner = sum(1 for w in words[i : j - 1] if _SENTENCE_END.search(w.text))
    cost += 4.0 * inner
    if j < len(words):
        cost += _break_cost(words, j)
    return cost, lines


def _cut_turn(words: Sequence[CaptionWord], limit: float, label: str) -> list[Cue]:
    """Cues for one speaker's consecutive words, the cheapest cut by dynamic programming."""
    n = len(words)
    best: list[float] = [0.0] + [float("inf")] * n
    back: list[tuple[int, list[str]]] = [(0, [])] * (n + 1)
    for j in range(1, n + 1):
        for i in range(j - 1, -1, -1):
            if i < j - 1 and words[i + 1].start - words[i].end > HARD_PAUSE:
                break  # a long silence never sits inside a cue
            if best[i] == float("inf"):
                continue
            result = _cue_cost(words, i, j, limit, label if i == 0 else "")
            if result is None:
                if j - i > 1:
                    break  # longer cues only get worse
                # one word that cannot fit: shown as it is
                result = (50.0, [words[i].text])
            cost, lines = result
            if best[i] + cost < best[j]:
                best[j] = best[i] + cost
                back[j] = (i, lines)
    cues: list[Cue] = []
    j = n
    while j > 0:
        i, lines = back[j]
        part = list(words[i:j])
        cues.append(
            Cue(
                part[0].start,
                part[-1].end,
                lines,
                part[0].speaker,
                part,
                label if i == 0 else "",
            )
        )
        j = i
    cues.reverse()
    return cues


def _time_cues(cues: list[Cue], duration: float) -> None:
    """Cue times: extended into pauses for reading, never overlapping, GAP apart."""
    end_of_media = duration if duration > 0 else float("inf")
    for k, cue in enumerate(cues):
        chars = len(cue.shown)
        target = min(MAX_DURATION, max(MIN_DURATION, chars / MAX_CPS))
        limit = cues[k + 1].start - GAP if k + 1 < len(cues) else max(end_of_media, cue.end)
        end = max(cue.end, cue.start + target)
        end = min(end, limit, cue.start + max(MAX_DURATION, cue.end - cue.start))
        if end - cue.start < 0.2:
            # words running into the next cue's: keep a minimum, push the next one later
            end = cue.start + 0.2
            if k + 1 < len(cues):
                following = cues[k + 1]
                following.start = max(following.start, end + GAP)
                following.end = max(following.end, following.start + 0.2)
        cue.end = end
    previous_end = -GAP
    for cue in cues:
        chars = len(cue.shown)
        target = min(MAX_DURATION, max(MIN_DURATION, chars / MAX_CPS))
        short = target - (cue.end - cue.start)
        if short > 0:
            cue.start = max(cue.start - min(short, LEAD_IN), previous_end + GAP, 0.0)
        previous_end = cue.end


def make_cues(words: Sequence[CaptionWord], duration: float = 0.0) -> list[Cue]:
    """The caption cues of the words (in time order), cut and timed to the norms."""
    cues: list[Cue] = []
    turn: list[CaptionWord] = []
    turns: list[list[CaptionWord]] = []
    for word in words:
        if turn and word.speaker != turn[-1].speaker:
            turns.append(turn)
            turn = []
        turn.append(word)
    if turn:
        turns.append(turn)
    for n, part in enumerate(turns):
        limit = turns[n + 1][0].start if n + 1 < len(turns) else (duration or float("inf"))
        label = speaker_label(part[0].speaker) if part[0].speaker else ""
        cues += _cut_turn(part, limit, label)
    _time_cues(cues, duration)
    return cues


def transcript_cues(transcript: Transcript) -> list[Cue]:
    """The caption cues of a transcript."""
    return make_cues(words_of(transcript.segments), transcript.duration)


# --- norms -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShownCue:
    """A cue as shown: its times and lines (as read from a file, or rendered)."""

    start: float
    end: float
    lines: tuple[str, ...]


@dataclass
class CaptionStats:
    cues: int = 0
    lines_ok: int = 0  # at most 2 lines
    length_ok: int = 0  # every line at most 42 characters
    duration_ok: int = 0  # 1–7 s
    cps_ok: int = 0  # at most 17 characters per second
    overlaps: int = 0

    def add(self, other: CaptionStats) -> None:
        self.cues += other.cues
        self.lines_ok += other.lines_ok
        self.length_ok += other.length_ok
        self.duration_ok += other.duration_ok
        self.cps_ok += other.cps_ok
        self.overlaps += other.overlaps

    def share(self, count: int) -> float:
        return 100.0 * count / self.cues if self.cues else 100.0

    @property
    def meets_hard_norms(self) -> bool:
        return self.lines_ok == self.cues == self.length_ok and self.overlaps == 0

    @property
    def meets_norms(self) -> bool:
        return (
            self.meets_hard_norms
            and self.share(self.duration_ok) >= 100 * (1 - SOFT_SHARE)
            and self.share(self.cps_ok) >= 100 * (1 - SOFT_SHARE)
        )


def shown(cues: Sequence[Cue]) -> list[ShownCue]:
    """The cues as shown (with the speaker label of a turn's first cue, as in the SRT)."""
    return [ShownCue(c.start, c.end, tuple(c.lines)) for c in cues]


def cps(cue: ShownCue) -> float:
    length = cue.end - cue.start
    chars = len(" ".join(cue.lines))
    return chars / length if length > 0 else float("inf")


def caption_stats(cues: Sequence[ShownCue]) -> CaptionStats:
    stats = CaptionStats(cues=len(cues))
    previous_end = float("-inf")
    for cue in cues:
        stats.lines_ok += len(cue.lines) <= MAX_LINES
        stats.length_ok += all(len(line) <= MAX_LINE for line in cue.lines)
        stats.duration_ok += MIN_DURATION - 0.0005 <= cue.end - cue.start <= MAX_DURATION + 0.0005
        stats.cps_ok += cps(cue) <= MAX_CPS + 0.05
        stats.overlaps += cue.start < previous_end - 0.0005
        previous_end = max(previous_end, cue.end)
    return stats


def _clock(seconds: float) -> str:
    from lgnet.timecode import vtt_time

    return vtt_time(seconds)[:11]


def cue_problems(cues: Sequence[ShownCue]) -> list[str]:
    """What breaks the norms, in Italian: every cue that breaks a hard rule (lines, length,
    overlap), and one line when more than 5% miss the duration or reading-speed norm."""
    out = []
    previous_end = float("-inf")
    for n, cue in enumerate(cues, start=1):
        where = f"sottotitolo {n} ({_clock(cue.start)})"
        if len(cue.lines) > MAX_LINES:
            out.append(f"{where}: {len(cue.lines)} righe (al massimo {MAX_LINES}); dividerlo")
        for line in cue.lines:
            if len(line) > MAX_LINE:
                out.append(
                    f"{where}: riga di {len(line)} caratteri (al massimo {MAX_LINE}); andare a "
                    "capo prima o dividere il sottotitolo"
                )
        if cue.start < previous_end - 0.0005:
            out.append(
                f"{where}: si sovrappone al precedente (che finisce a {_clock(previous_end)}); "
                "correggere i tempi"
            )
        previous_end = max(previous_end, cue.end)
    stats = caption_stats(cues)
    if stats.cues and stats.share(stats.duration_ok) < 100 * (1 - SOFT_SHARE):
        out.append(
            f"{stats.cues - stats.duration_ok} sottotitoli su {stats.cues} durano meno di "
            f"{MIN_DURATION:g} s o più di {MAX_DURATION:g} s; rigenerarli dalla trascrizione "
            "o correggerne i tempi"
        )
    if stats.cues and stats.share(stats.cps_ok) < 100 * (1 - SOFT_SHARE):
        out.append(
            f"{stats.cues - stats.cps_ok} sottotitoli su {stats.cues} superano "
            f"{MAX_CPS:g} caratteri al secondo; accorciarne il testo o allungarne i tempi"
        )
    return out


def caption_problems(transcript: Transcript) -> list[str]:
    """The cues of a transcript's captions that break the subtitle norms (empty: all good)."""
    return cue_problems(shown(transcript_cues(transcript)))


# --- reading a caption file (for measurements) ----------------------------------------------

_TIMING = re.compile(
    r"^\s*((?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})\s*-->\s*((?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})"
)
_TAG = re.compile(r"</?[a-zA-Z][^>]*>|<\d[\d:.]*>")


def _seconds(stamp: str) -> float:
    parts = stamp.replace(",", ".").split(":")
    return float(sum(float(p) * 60**k for k, p in enumerate(reversed(parts))))


def read_shown_cues(text: str) -> list[ShownCue]:
    """The cues of a WebVTT or SRT text as shown (tags removed), for measuring them."""
    from html import unescape

    out = []
    blocks = re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n").replace("\r", "\n"))
    for block in blocks:
        lines = block.split("\n")
        at = next((k for k, line in enumerate(lines) if _TIMING.match(line)), None)
        if at is None:
            continue
        match = _TIMING.match(lines[at])
        assert match is not None
        body = [unescape(_TAG.sub("", line)).strip() for line in lines[at + 1 :]]
        body = [line for line in body if line]
        if body:
            out.append(ShownCue(_seconds(match.group(1)), _seconds(match.group(2)), tuple(body)))
    return out
