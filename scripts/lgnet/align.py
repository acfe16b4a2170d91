"""Forced alignment: the words of a known text, timed on the audio that says them.

Used where the words are right but their timings are not: after a person corrected a
transcript (`realign_segments`: the corrected sentences get word timings again, so the
player's highlight, clips and captions stay word-accurate) and for the demo narrations, whose
text is known (`scripts/align_demo.py`).

How: the Whisper model already on disk (the one `lgnet transcribe` uses) encodes the audio,
and its decoder is *given* the text instead of choosing it; the cross-attention of the
model's alignment heads, matched to the audio frames by dynamic time warping (DTW), times
each token, and tokens are grouped into words with punctuation attached, exactly as Whisper's
own word timestamps are made. DTW gives every audio frame to some word, so the silence before
a sentence becomes part of its first word (0.7-1.8 s too early on real speech); the word
edges that DTW put in silence are then moved onto the sound (`_snap_to_sound`: 10 ms frame
levels against the window's background noise). Measured on real speech by `bench/align.py`:
see devdocs/transcription.md, "Forced alignment".

Whisper hears 30 seconds at a time. A span up to `WINDOW_SECONDS` is aligned in one window;
a longer one in consecutive windows: each is given a little more text than it should hold
(estimated from the span's speaking rate), only the words that end well before the window's
end are kept, and the next window starts where the last kept word ends, so an error in the
estimate never accumulates.

Word probabilities: words whose text was given are not a recognition guess, so
`align_words` and `realign_segments` set them to 1.0 (the value `lgnet.redact` gives its
`[omissis]` and `lgnet.transcripts.Word` defaults to). `Aligner.align` keeps Whisper's own
probability of the given tokens, a diagnostic of text that the audio does not say.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lgnet import engine
from lgnet.asr import ModelSpec, load_model, resolve_model
from lgnet.errors import LgnetError
from lgnet.media import SAMPLE_RATE, extract_audio, media_sha256, open_audio
from lgnet.transcripts import Transcript, Word

if TYPE_CHECKING:
    import numpy as np

# --- the engine ------------------------------------------------------------------------------
# What this module needs of faster-whisper beyond `lgnet.asr.load_model` is in the engine
# boundary, `lgnet.engine` ("forced alignment" section, checked by its `RELIED_ON` contract):
# the tokenizer, the feature extractor and (trimmed) encoder of one window, and
# `WhisperModel.add_word_timestamps` (CTranslate2's `Whisper.align` plus Whisper's grouping of
# tokens into words, its punctuation merging and its "long word at a sentence boundary" rules).
# These four calls are the only ones; nothing here imports faster-whisper itself.


# --- alignment -------------------------------------------------------------------------------

WINDOW_SECONDS = 30.0  # what Whisper hears at once
# Longer spans: the text given to a window is this much more than its estimated share...
OVERSHOOT = 1.25
# ...and of its words only those ending this long before the window's end are kept.
KEEP_BEFORE_END_S = 6.0
# Sound: 10 ms frames louder than the window's quiet level (10th percentile) by this
# fraction of the way to its loud level (95th percentile), in dB.
FRAME_S = 0.01
LOUD_FRACTION = 0.25
MIN_SOUND_FRAMES = 6  # a run of loud frames this long is sound (not a click)
BRIDGE_FRAMES = 5  # quieter gaps up to this long inside a run are bridged (stop closures)
PAUSE_FRAMES = 20  # a silence this long is a pause (longer than a stop consonant's closure)
MIN_CONTRAST_DB = 6.0
SPEECH_RANGE_DB = 40.0
EXTEND_S = 0.5  # how far a word's end may move later, into sound that goes on
SILENT_FLOOR_DB = -90.0  # digital silence counts as this level


class AlignError(LgnetError):
    """A span outside the recording, or segments that do not exist."""


@dataclass(frozen=True)
class AlignOptions:
    """How edges are placed; `edges="dtw"` keeps Whisper's timings untouched."""

    edges: str = "sound"  # sound | dtw
    window_seconds: float = WINDOW_SECONDS
    trim_encoder: bool = True  # as lgnet transcribe (same timings within 40 ms, 4x faster)

    def recorded(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _float_audio(samples: np.ndarray, lo: int, hi: int) -> np.ndarray:
    import numpy as np

    audio = np.asarray(samples[lo:hi], dtype=np.float32)
    if samples.dtype == np.int16:
        audio /= 32768.0
    return audio


def _levels(audio: np.ndarray) -> np.ndarray:
    """Level in dB of each 10 ms frame."""
    import numpy as np

    hop = int(FRAME_S * SAMPLE_RATE)
    n = len(audio) // hop
    if n == 0:
        return np.zeros(0)
    power = np.square(audio[: n * hop].reshape(n, hop).astype(np.float64)).mean(axis=1)
    levels: np.ndarray = np.maximum(10 * np.log10(power + 1e-12), SILENT_FLOOR_DB)
    return levels


def _sound_runs(levels: np.ndarray) -> list[tuple[int, int]]:
    """Frame ranges [a, b) of sound: louder than the window's quiet level by `LOUD_FRACTION`
    of the way to its loud level, with gaps shorter than `BRIDGE_FRAMES` (a stop consonant's
    closure) bridged and runs shorter than `MIN_SOUND_FRAMES` (a click) dropped."""
    import numpy as np

    # The quiet level is the background noise: measured without digital silence (the gaps
    # put between joined clips, the pauses of a synthetic voice), which says nothing about
    # it. Digital silence *between* sounds means there is no background noise at all (a
    # synthetic voice: its quietest other frames are quiet speech): then the quiet level is
    # taken `SPEECH_RANGE_DB` below the loud one.
    digital = levels <= SILENT_FLOOR_DB + 10
    live_at = np.nonzero(~digital)[0]
    if len(live_at) < MIN_SOUND_FRAMES:
        return []
    live = levels[live_at]
    quiet, loud = np.percentile(live, 10), np.percentile(live, 95)
    if digital[live_at[0] : live_at[-1]].sum() >= MIN_SOUND_FRAMES:
        quiet = min(quiet, loud - SPEECH_RANGE_DB)
    elif loud - quiet < MIN_CONTRAST_DB:  # all speech or all noise: no edges to find
        return [(0, len(levels))]
    above = levels > quiet + LOUD_FRACTION * (loud - quiet)
    runs: list[list[int]] = []
    for i in np.nonzero(above)[0]:
        if runs and i - runs[-1][1] <= BRIDGE_FRAMES:
            runs[-1][1] = int(i) + 1
        else:
            runs.append([int(i), int(i) + 1])
    return [(a, b) for a, b in runs if b - a >= MIN_SOUND_FRAMES]


def _snap_to_sound(
    words: list[Word], runs: list[tuple[int, int]], origin: float, limit: float
) -> list[Word]:
    """Move the word edges that DTW placed in silence onto the sound.

    DTW gives every frame to some word, so the silence of a pause (with whatever breath or
    click is in it) ends up inside the word before or after it, and a word before a pause
    ends a little before its sound does. Only edges that are in silence, or before a pause,
    move (inside continuous speech the DTW's timings are kept):

    * a start in silence goes to the start of the sound run that holds the word's end (so a
      breath before a sentence, with silence between them, is not taken for its first word);
    * an end in silence goes back to the end of the word's last sound run;
    * an end in sound that is followed by a pause (the next word starts later, or none does)
      goes on to the end of its run: at most `EXTEND_S` later, never into the next word.

    A word with no sound at all keeps its times.
    """
    out = [dataclasses.replace(w) for w in words]

    def frame(t: float) -> int:
        return round((t - origin) / FRAME_S)

    def time(f: int) -> float:
        return origin + f * FRAME_S

    def holding(f: int) -> tuple[int, int] | None:
        return next((r for r in runs if r[0] <= f < r[1]), None)

    for w in out:
        lo, hi = frame(w.start), frame(w.end)
        if hi <= lo:
            continue
        run = holding(hi - 1) or next((r for r in runs if lo < r[0] < hi), None)
        if run is None or not lo < run[0] < hi:
            continue
        before = [r for r in runs if r[1] <= run[0]]
        pause = run[0] - (before[-1][1] if before else -PAUSE_FRAMES)
        if holding(lo) is None or pause >= PAUSE_FRAMES:
            w.start = time(run[0])
    for n, w in enumerate(out):
        lo, hi = frame(w.start), frame(w.end)
        if hi <= lo:
            continue
        run = holding(hi - 1)
        if run is None:
            inside = [r for r in runs if lo < r[1] <= hi]
            if inside:
                w.end = time(inside[-1][1])
            continue
        following = out[n + 1].start if n + 1 < len(out) else limit
        if following > w.end:
            w.end = max(w.end, min(time(run[1]), w.end + EXTEND_S, following, limit))
    return out


def _text_words(text: str) -> list[str]:
    return text.split()


class Aligner:
    """A loaded model that aligns texts to the audio of recordings (load once, align many).

    `model` is what `lgnet transcribe --model` takes (None: the bundled Whisper base).
    """

    def __init__(
        self,
        model: str | None = None,
        language: str = "it",
        *,
        options: AlignOptions | None = None,
        cpu_threads: int = 0,
    ) -> None:
        self.spec: ModelSpec = resolve_model(model)
        self.language = language
        self.options = options or AlignOptions()
        self.model = load_model(
            self.spec, cpu_threads=cpu_threads or min(4, os.cpu_count() or 1), num_workers=1
        )
        self.tokenizer = engine.tokenizer(self.model, language)

    def provenance(self) -> dict[str, Any]:
        """What aligned the words, for a transcript's provenance."""
        return {
            "engine": "faster-whisper",
            "engine_version": engine.engine_version(),
            "model": self.spec.label,
            "model_sha256": self.spec.sha256,
            "align_options": self.options.recorded(),
        }

    # -- one window --------------------------------------------------------------------------

    def _window(
        self, samples: np.ndarray, words: list[str], start: float, end: float
    ) -> list[Word]:
        """`words` (text split at spaces) aligned in the window [start, end] (≤ 30 s)."""
        lo, hi = round(start * SAMPLE_RATE), round(end * SAMPLE_RATE)
        audio = _float_audio(samples, lo, hi)
        tokens = engine.text_tokens(self.tokenizer, " ".join(words))
        if not tokens or len(audio) < SAMPLE_RATE // 50:
            return []
        encoded, frames = engine.encode_window(self.model, audio, self.options.trim_encoder)
        timed = engine.word_timings(self.model, self.tokenizer, tokens, encoded, frames)
        origin = lo / SAMPLE_RATE
        out = [
            Word(
                start=min(max(origin + float(w["start"]), start), end),
                end=min(max(origin + float(w["end"]), start), end),
                word=str(w["word"]),
                probability=float(w["probability"]),
            )
            for w in timed
            if w["word"]
        ]
        if self.options.edges == "sound":
            out = _snap_to_sound(out, _sound_runs(_levels(audio)), origin, end)
        return out

    # -- any span ----------------------------------------------------------------------------

    def align(self, samples: np.ndarray, text: str, start: float, end: float) -> list[Word]:
        """The words of `text`, timed inside [start, end] of `samples` (16 kHz mono, int16 or
        float32); Whisper's own word probabilities are kept (see the module's docstring)."""
        total = len(samples) / SAMPLE_RATE
        start, end = max(0.0, start), min(end, total)
        if end - start < 0.02:
            raise AlignError(
                f"intervallo {start:.2f}–{end:.2f} s vuoto o fuori dalla registrazione "
                f"({total:.2f} s): indicare un intervallo dentro la registrazione"
            )
        words = _text_words(text)
        if not words:
            return []
        window = self.options.window_seconds
        out: list[Word] = []
        cursor, index = start, 0
        while index < len(words):
            if end - cursor <= window:
                out += self._window(samples, words[index:], cursor, end)
                break
            rest = words[index:]
            rate = sum(len(w) + 1 for w in rest) / (end - cursor)  # characters per second
            budget = rate * window * OVERSHOOT
            taken, chars = 0, 0
            while taken < len(rest) and (taken == 0 or chars + len(rest[taken]) + 1 <= budget):
                chars += len(rest[taken]) + 1
                taken += 1
            if taken == len(rest):
                # All the rest fits in this window by the estimate; the final window (which
                # ends at `end`) is aligned once the cursor is close enough. Until then, hold
                # the last words back so that a window never ends with them.
                taken = max(1, len(rest) - max(1, len(rest) // 4))
            timed = self._window(samples, rest[:taken], cursor, cursor + window)
            if not timed:
                raise AlignError(f"{cursor:.2f} s: il testo non si allinea all'audio")
            limit = cursor + window - KEEP_BEFORE_END_S
            kept = max(1, _whole_words_before(timed, limit))  # always progress
            kept_timed = _words_for(timed, kept)
            out += kept_timed
            index += kept
            cursor = max(cursor + 0.01, kept_timed[-1].end if kept_timed else cursor + 1.0)
        return out


def _groups(timed: list[Word]) -> list[list[Word]]:
    """Timed words grouped by the text word (space-separated) they belong to: Whisper may
    split one text word in two (`all` + `'istante.`), but only the first starts with a space."""
    groups: list[list[Word]] = []
    for w in timed:
        if w.word.startswith(" ") or not groups:
            groups.append([w])
        else:
            groups[-1].append(w)
    return groups


def _whole_words_before(timed: list[Word], limit: float) -> int:
    """How many text words, from the first, end before `limit`."""
    done = 0
    for group in _groups(timed):
        if group[-1].end > limit:
            break
        done += 1
    return done


def _words_for(timed: list[Word], count: int) -> list[Word]:
    """The timed words that make up the first `count` text words."""
    return [w for group in _groups(timed)[:count] for w in group]


# --- the public functions ----------------------------------------------------------------


def _media_samples(media: Path) -> np.ndarray:
    """The media's audio as 16 kHz mono int16 (decoded once, cached, as for transcription)."""
    return open_audio(extract_audio(media, media_sha256(media)))


def _certain(words: list[Word]) -> list[Word]:
    return [dataclasses.replace(w, probability=1.0) for w in words]


@functools.lru_cache(maxsize=2)
def _loaded(model: str | None, language: str) -> Aligner:
    """One Aligner per model and language for the life of the process: `lgnet serve` saves a
    correction in a second or two instead of loading the model again each time."""
    return Aligner(model, language)


_ALIGNING = threading.Lock()  # one alignment at a time per process (the server is threaded)


def align_words(
    media: Path,
    text: str,
    start: float,
    end: float,
    *,
    model: str | None = None,
    language: str = "it",
) -> list[Word]:
    """The words of `text` with times inside [start, end] of the media's audio.

    Each word carries its punctuation and leading space as Whisper writes words; joined, the
    words give `text` back. Probabilities are 1.0 (the text is given, not recognised).
    """
    samples = _media_samples(media)
    with _ALIGNING:
        return _certain(_loaded(model, language).align(samples, text, start, end))


def realign_segments(
    transcript: Transcript,
    media: Path,
    indices: Iterable[int],
    *,
    model: str | None = None,
) -> Transcript:
    """A new Transcript where the segments at `indices` have words force-aligned to their own
    text within their own [start, end]; segment bounds, texts, speakers and every other
    segment are unchanged. The model stays loaded for later calls; re-aligned words have
    probability 1.0 (a person wrote them). A segment with no text gets no words."""
    wanted = sorted(set(indices))
    bad = [i for i in wanted if not 0 <= i < len(transcript.segments)]
    if bad:
        raise AlignError(
            f"{transcript.id}: segmenti inesistenti {bad} (la trascrizione ne ha "
            f"{len(transcript.segments)}): indicare gli indici dei segmenti da riallineare"
        )
    segments = list(transcript.segments)
    if not wanted:
        return dataclasses.replace(transcript, segments=segments)
    samples = _media_samples(media)
    with _ALIGNING:
        aligner = _loaded(model, transcript.language)
        for i in wanted:
            seg = segments[i]
            words = aligner.align(samples, seg.text, seg.start, seg.end) if seg.text.strip() else []
            segments[i] = dataclasses.replace(seg, words=_certain(words))
    return dataclasses.replace(transcript, segments=segments)


def segment_text(words: list[Word]) -> str:
    """A segment's text made of its words (as `lgnet.transcribe` does)."""
    return "".join(w.word for w in words).strip()


def normalise(text: str) -> str:
    """Lower case words without punctuation: for comparing texts whatever their spacing."""
    return " ".join(re.findall(r"\w+", text.lower()))


__all__ = [
    "AlignError",
    "AlignOptions",
    "Aligner",
    "align_words",
    "normalise",
    "realign_segments",
    "segment_text",
]
