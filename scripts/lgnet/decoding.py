"""How one recording is decoded: audio samples in, sentences with word timings out.

`RecordingDecoder.decode` reads in order: the recording is cut into 10-minute windows; per
window, the VAD finds the speech (one window ahead, on its own thread), the speech is merged
into chunks of at most 30 s, the first chunk decides whether the glossary is offered to the
model, and the chunks are decoded in batches, in parallel, on single-threaded model replicas;
speech the model left out at the end of a chunk is decoded again. See
devdocs/transcription.md for the measurements behind each step. The model is any object with
`transcribe_chunks` (`lgnet.engine.ChunkModel`); nothing here touches the engine's internals.
"""

from __future__ import annotations

import itertools
import re
import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, Any

from lgnet.engine import speech_timestamps
from lgnet.media import SAMPLE_RATE, release_audio
from lgnet.transcripts import Segment, Word

if TYPE_CHECKING:
    import numpy as np

# Long recordings are handled in windows so memory stays bounded on a two-hour workshop.
WINDOW_SECONDS = 10 * 60  # a multiple of 0.1 s


@dataclass(frozen=True)
class DecodeOptions:
    """Decoding settings; they are recorded in provenance and changing them re-transcribes.

    The defaults come from `bench/asr.py` (see devdocs/transcription.md): speech is found with
    the VAD, cut at pauses into chunks of at most `chunk_seconds`, and every chunk is decoded
    on its own (one window, no conditioning on earlier text, so no repetition loops) with the
    encoder's zero padding trimmed; chunks are independent, so they run on all cores at once.
    """

    language: str = "it"
    beam_size: int = 5
    word_timestamps: bool = True
    # Speech is cut into chunks of at most this length, each decoded as one Whisper window.
    # 15 s rather than Whisper's 30: the encoder's cost grows much faster than the window's
    # length, and on the evaluation sets 15-second chunks are as accurate or more
    # (devdocs/transcription.md, "Speed on AVX2").
    chunk_seconds: float = 15.0
    # Chunks decoded together in one beam search (per core; fewer when there are few chunks).
    batch_size: int = 4
    # Speech the VAD heard after the last word Whisper wrote, longer than this, is decoded
    # again on its own (Whisper sometimes ends its window early and drops a sentence).
    recover_after_s: float = 1.0
    min_silence_duration_ms: int = 300
    speech_pad_ms: int = 800
    vad_threshold: float = 0.5
    # Windows with less audio than `trim_below_s` are encoded with `encoder_padding_s` of
    # their zero padding, and never shorter than `encoder_min_window_s` in all.
    trim_encoder: bool = True
    trim_below_s: float = 15.0
    encoder_padding_s: float = 8.0
    encoder_min_window_s: float = 2.0
    # How the glossary is offered to the model: auto (as hotwords, for recordings whose first
    # chunk already mentions a glossary term or a city), none, prompt or hotwords (always).
    glossary_hints: str = "auto"
    max_segment_seconds: float = 12.0
    no_speech_threshold: float = 0.6
    log_prob_threshold: float = -1.0
    compression_ratio_threshold: float = 2.4
    # Garbled city and programme names corrected against the vocabulary (`lgnet.names`).
    correct_names: bool = True

    def engine_kwargs(self, vocabulary: list[str]) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "language": self.language,
            "beam_size": self.beam_size,
            "vad_filter": False,  # already cut into chunks by the decoder
            "word_timestamps": self.word_timestamps,
            "condition_on_previous_text": False,
            "no_speech_threshold": self.no_speech_threshold,
            "log_prob_threshold": self.log_prob_threshold,
            "compression_ratio_threshold": self.compression_ratio_threshold,
        }
        if vocabulary and self.glossary_hints in ("hotwords", "auto"):
            kwargs["hotwords"] = ", ".join(vocabulary)
        elif vocabulary and self.glossary_hints == "prompt":
            kwargs["initial_prompt"] = "Glossario: " + ", ".join(vocabulary) + "."
        return kwargs

    def recorded(self, vocabulary: list[str]) -> dict[str, Any]:
        out = asdict(self)
        out["vocabulary"] = vocabulary if self.glossary_hints != "none" else []
        return out


FAST = DecodeOptions()
# `--quality`: Whisper's own 30-second windows, encoded whole.
QUALITY = DecodeOptions(chunk_seconds=30.0, trim_encoder=False)
# `--veloce`: the windows' zero padding cut to 2 s (at least 16 s in all): faster, as
# accurate on long recordings, less on short clips (devdocs/transcription.md).
RAPID = DecodeOptions(encoder_padding_s=2.0, encoder_min_window_s=16.0)


class Interrupted(Exception):
    """The run was stopped (Ctrl-C) while this recording was being decoded."""


# --- the steps' pure parts ---------------------------------------------------------------------


def windows(samples: np.ndarray) -> Iterator[tuple[int, int]]:
    """Windows of at most WINDOW_SECONDS, each cut at the quietest moment of its last 30 s.

    The VAD and the float conversion run per window so memory stays bounded on a two-hour
    workshop; cutting where it is quietest keeps words whole.
    """
    import numpy as np  # heavy: only needed when decoding

    total = len(samples)
    window = WINDOW_SECONDS * SAMPLE_RATE
    search = 30 * SAMPLE_RATE
    frame = SAMPLE_RATE // 10
    start = 0
    while start < total:
        end = start + window
        if end >= total:
            yield start, total
            return
        region = np.asarray(samples[end - search : end], dtype=np.float32)
        energy = np.square(region.reshape(-1, frame)).mean(axis=1)
        cut = end - search + int(np.argmin(energy)) * frame + frame // 2
        yield start, cut
        start = cut


def speech_spans(audio: np.ndarray, options: DecodeOptions) -> list[tuple[int, int]]:
    """Sample ranges the VAD hears as speech (padded by `speech_pad_ms`), none longer than a
    chunk."""
    return speech_timestamps(
        audio,
        threshold=options.vad_threshold,
        min_silence_duration_ms=options.min_silence_duration_ms,
        speech_pad_ms=options.speech_pad_ms,
        max_speech_duration_s=options.chunk_seconds,
    )


def merge_spans(spans: list[tuple[int, int]], limit: int) -> list[tuple[int, int]]:
    """Speech spans merged, in order, into chunks of at most `limit` samples.

    (Cutting at the longest pause instead of the last one that fits was measured: no better on
    the evaluation set, worse on the demo narrations; see devdocs/transcription.md.)
    """
    chunks: list[list[int]] = []
    for start, end in spans:
        if chunks and end - chunks[-1][0] <= limit:
            chunks[-1][1] = end
        else:
            chunks.append([start, end])
    return [(a, b) for a, b in chunks]


def quiet_cuts(
    chunks: list[tuple[int, int]], audio: np.ndarray, limit: int, reach: int = SAMPLE_RATE
) -> list[tuple[int, int]]:
    """Chunks that touch (speech that went on past a chunk's length, which the VAD cut where it
    found no pause) are cut instead at the quietest 50 ms within `reach` of that cut, so a word
    is not cut in two; no chunk grows past `limit` samples."""
    import numpy as np

    out = [list(c) for c in chunks]
    frame, hop = SAMPLE_RATE // 20, SAMPLE_RATE // 100
    for k in range(len(out) - 1):
        cut = out[k][1]
        if out[k + 1][0] != cut:
            continue
        lo = max(out[k][0] + reach, cut - reach, out[k + 1][1] - limit)
        hi = min(cut + reach, out[k][0] + limit, out[k + 1][1] - reach)
        if hi - lo < frame:
            continue
        power = np.square(np.asarray(audio[lo:hi], dtype=np.float64))
        total = np.concatenate([[0.0], np.cumsum(power)])
        sums = (total[frame:] - total[:-frame])[::hop]
        best = lo + int(np.argmin(sums)) * hop + frame // 2
        out[k][1] = out[k + 1][0] = best
    return [(a, b) for a, b in out]


def batches(chunks: list[tuple[int, int]], size: int, workers: int) -> list[list[tuple[int, int]]]:
    """Chunks grouped for batched decoding: by length (a batch is encoded as long as its
    longest chunk), at most `size` per batch, and small enough that every worker gets one.
    The number of batches is a multiple of `workers` (so no core is left alone with the last
    one) and the longest come first, so what is left for the end is short."""
    if not chunks:
        return []
    workers = max(1, workers)
    count = -(-len(chunks) // max(1, size))  # batches needed at `size` chunks each
    count = min(len(chunks), -(-count // workers) * workers)
    ordered = sorted(chunks, key=lambda c: c[0] - c[1])
    cuts = [round(i * len(ordered) / count) for i in range(count + 1)]
    return [ordered[a:b] for a, b in itertools.pairwise(cuts) if b > a]


def seconds(ranges: list[tuple[int, int]]) -> float:
    """The audio, in seconds, that these sample ranges hold."""
    return sum(b - a for a, b in ranges) / SAMPLE_RATE


def unreliable(piece: Any) -> bool:
    """A fragment the model was unsure was speech at all: typically the last fraction of a
    second of a chunk, decoded as a window of its own, where Whisper invents text (a web
    address, a glossary word). Whisper's own rule skips no_speech > 0.6 with log-prob < -1;
    short or half-silent fragments get a stricter one."""
    if piece.avg_logprob >= -1.0:
        return False
    return bool(piece.no_speech_prob > 0.4 or piece.end - piece.start < 1.0)


def split_sentences(segment: Segment, max_seconds: float) -> list[Segment]:
    """Cut a long segment at its sentence ends (by word timings), and at the longest pause
    when a sentence runs past `max_seconds`: the player highlights, and search links to,
    a sentence rather than half a minute."""
    words = segment.words
    if segment.end - segment.start <= max_seconds or len(words) < 2:
        return [segment]
    pieces: list[list[Word]] = [[]]
    for n, word in enumerate(words):
        pieces[-1].append(word)
        current = pieces[-1]
        last = n == len(words) - 1
        sentence_end = word.word.rstrip().endswith((".", "?", "!", ";"))
        if not last and sentence_end and current[-1].end - current[0].start >= 2.0:
            pieces.append([])
    out: list[list[Word]] = []
    for piece in pieces:
        out += _split_at_pauses(piece, max_seconds)
    return [
        Segment(
            start=segment.start if i == 0 else ws[0].start,
            end=segment.end if i == len(out) - 1 else ws[-1].end,
            text="".join(w.word for w in ws).strip(),
            speaker=segment.speaker,
            words=ws,
        )
        for i, ws in enumerate(out)
        if ws
    ]


def _split_at_pauses(words: list[Word], max_seconds: float) -> list[list[Word]]:
    if len(words) < 2 or words[-1].end - words[0].start <= max_seconds:
        return [words]
    gaps = [words[i + 1].start - words[i].end for i in range(len(words) - 1)]
    cut = max(range(len(gaps)), key=lambda i: (gaps[i], -abs(i - len(gaps) / 2))) + 1
    return _split_at_pauses(words[:cut], max_seconds) + _split_at_pauses(words[cut:], max_seconds)


def mentions(text: str, vocabulary: list[str]) -> bool:
    """Whether `text` contains one of the glossary terms (whole words, any case)."""
    haystack = f" {_words(text)} "
    return any(f" {_words(term)} " in haystack for term in vocabulary if _words(term))


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def _norm(word: str) -> str:
    return " ".join(re.findall(r"\w+", word.lower()))


def _rebuilt(segment: Segment, words: list[Word]) -> Segment:
    """A segment with only `words` (its first or last ones may have been replaced)."""
    return Segment(
        start=segment.start if words[0] is segment.words[0] else words[0].start,
        end=segment.end if words[-1] is segment.words[-1] else words[-1].end,
        text="".join(w.word for w in words).strip(),
        speaker=segment.speaker,
        words=words,
    )


def _heard_again(written: Word, new: Word) -> bool:
    """Whether `new` is the whole of a word `written` was cut from: "ri" or "di" written at the
    edge of a decoding, "riconoscimento" when heard whole."""
    a, b = _norm(written.word), _norm(new.word)
    if not a or a == b or len(a) > len(b):
        return False
    return sum(x != y for x, y in zip(a, b, strict=False)) <= max(1, len(a) // 4)


def join(
    written: list[Segment], found: list[Segment], start: float, end: float
) -> list[Segment] | None:
    """What the model wrote for a chunk, with `found` (a new decoding of `start`..`end`,
    which starts at the written word before the speech left out) put in. Where the two
    decodings meet, words heard twice are written once: new words that repeat the written
    ones just before or after them are dropped, and a written word that the new decoding
    heard whole (`_heard_again`) is replaced. None when the new decoding adds no word."""
    new = [w for seg in found for w in seg.words if start - 0.25 <= w.start < end]
    before = [w for seg in written for w in seg.words if w.start < end]
    after = [w for seg in written for w in seg.words if w.start >= end]
    first = 0
    for m in range(min(3, len(before), len(new)), 0, -1):
        if [_norm(w.word) for w in before[-m:]] == [_norm(w.word) for w in new[:m]]:
            first = m
            break
    last = len(new)
    for m in range(min(3, len(after), len(new) - first), 0, -1):
        if [_norm(w.word) for w in new[-m:]] == [_norm(w.word) for w in after[:m]]:
            last = len(new) - m
            break
    new = new[first:last]
    if not new:
        return None
    dropped = (
        {id(before[-1])} if before and first == 0 and _heard_again(before[-1], new[0]) else set()
    )
    keep = {id(w) for w in new}
    out = []
    for seg in written:
        ws = [w for w in seg.words if id(w) not in dropped]
        if ws:
            out.append(_rebuilt(seg, ws))
    for seg in found:
        ws = [w for w in seg.words if id(w) in keep]
        if ws:
            out.append(replace(_rebuilt(seg, ws), start=max(seg.start, ws[0].start)))
    out.sort(key=lambda s: s.start)
    return out


# --- the decoder -------------------------------------------------------------------------------


@dataclass
class Window:
    """One window of the recording as float samples, with the speech the VAD heard in it."""

    audio: np.ndarray
    base: int  # its first sample in the recording
    spans: list[tuple[int, int]]  # VAD speech, in samples from `base`

    def seconds_at(self, sample: int) -> float:
        """Where a sample of this window lies in the recording, in seconds."""
        return (self.base + sample) / SAMPLE_RATE


Batch = list[tuple[int, int]]  # sample ranges of one window, decoded in one beam search


class RecordingDecoder:
    """Transcribes 16 kHz mono samples (int16 or float32) into segments with word timings.

    `on_progress` receives the seconds of audio done so far; setting `stop` makes `decode`
    raise `Interrupted` before the next batch. `idle_cores` says whether cores would otherwise
    wait while the first chunk is decoded alone (default: yes, this is the only recording being
    decoded); only then are the next chunks decoded meanwhile, on a guess.

    With `glossary_hints="auto"` the first chunk is decoded without hints, and only if it
    already mentions a glossary term is the recording decoded with them. Measured on the demo
    narrations, the hints double the glossary terms recognised; on speech about other things
    they cost accuracy, so they are kept for the recordings that are about the network.
    """

    def __init__(
        self,
        model: Any,
        options: DecodeOptions,
        vocabulary: list[str],
        *,
        workers: int = 1,
        on_progress: Callable[[float], None] | None = None,
        stop: threading.Event | None = None,
        idle_cores: Callable[[], bool] | None = None,
    ) -> None:
        self.model = model
        self.options = options
        self.vocabulary = vocabulary
        self.workers = max(1, workers)
        self.on_progress = on_progress
        self.stop = stop
        self.idle_cores = idle_cores
        self.hinted = options.engine_kwargs(vocabulary)
        self.unhinted = options.engine_kwargs([])
        auto = options.glossary_hints == "auto"
        self.kwargs = self.unhinted if auto else self.hinted
        self.undecided = auto and bool(vocabulary)
        self.chunk_limit = int(options.chunk_seconds * SAMPLE_RATE)
        # VAD speech (padded) longer than this with no word written over it is decoded again
        self.missing = (
            int(options.recover_after_s * SAMPLE_RATE) + options.speech_pad_ms * SAMPLE_RATE // 1000
        )
        self._lock = threading.Lock()
        self._done = 0.0

    # 0. the whole recording ------------------------------------------------------------------

    def decode(self, samples: np.ndarray) -> list[Segment]:
        """Decode every window; a pipeline with no idle core: the VAD of the next window runs
        while this one's chunks are decoded, and a window's batches are queued before the
        previous window's are all done. At most three windows of float audio are held at once
        (memory stays bounded)."""
        cuts = list(windows(samples))
        segments: list[Segment] = []
        in_flight: deque[list[Future[list[Segment]]]] = deque()
        with (
            ThreadPoolExecutor(max_workers=self.workers) as pool,
            ThreadPoolExecutor(max_workers=1) as vad,
        ):
            try:
                ahead = vad.submit(self.prepare, samples, *cuts[0]) if cuts else None
                for k, (lo, hi) in enumerate(cuts):
                    assert ahead is not None
                    window = ahead.result()
                    if k + 1 < len(cuts):
                        ahead = vad.submit(self.prepare, samples, *cuts[k + 1])
                    chunks = quiet_cuts(
                        merge_spans(window.spans, self.chunk_limit), window.audio, self.chunk_limit
                    )
                    self.advance((hi - lo) / SAMPLE_RATE - seconds(chunks))  # silence
                    guessed: list[Future[list[Segment]]] = []
                    if self.undecided and chunks:
                        first, guessed, chunks = self.decide_hints(pool, window, chunks)
                        segments.extend(first)
                    in_flight.append(
                        guessed
                        + [
                            pool.submit(self.decode_batch, batch, window)
                            for batch in batches(chunks, self.options.batch_size, self.workers)
                        ]
                    )
                    while len(in_flight) > 1:
                        segments.extend(s for f in in_flight.popleft() for s in f.result())
                while in_flight:
                    segments.extend(s for f in in_flight.popleft() for s in f.result())
            except BaseException:
                pool.shutdown(wait=False, cancel_futures=True)  # the queued batches never start
                raise
        segments.sort(key=lambda s: s.start)
        return segments

    # 1. a window's audio and speech -----------------------------------------------------------

    def prepare(self, samples: np.ndarray, lo: int, hi: int) -> Window:
        """The window's samples as float (the memory-mapped pages are then given back) and the
        speech the VAD hears in it."""
        import numpy as np

        audio = np.asarray(samples[lo:hi], dtype=np.float32)
        release_audio(samples, lo, hi)  # a copy is made: the mapped pages are not needed
        if samples.dtype == np.int16:
            audio /= 32768.0
        return Window(audio, lo, speech_spans(audio, self.options))

    # 2. the glossary hints -----------------------------------------------------------------

    def decide_hints(
        self, pool: ThreadPoolExecutor, window: Window, chunks: Batch
    ) -> tuple[list[Segment], list[Future[list[Segment]]], Batch]:
        """Decode the first chunk without hints; if it mentions a glossary term, the recording
        is decoded with them (the first chunk included). Returns the segments kept, the chunks
        decoded on a guess meanwhile and the chunks still to decode.

        While the first chunk decides whether the recording is about the network, the cores it
        leaves idle decode the next chunks without hints: their text is kept if it is not
        (otherwise those cores only did work they would not have had to do anyway)."""
        self.undecided = False
        idle = self.idle_cores is None or self.idle_cores()
        guesses = chunks[1 : self.workers] if idle else []
        guessed = [
            pool.submit(self.decode_batch, [c], window, self.unhinted, timed=False) for c in guesses
        ]
        first = self.decode_batch(chunks[:1], window, self.unhinted, timed=False)
        if mentions(" ".join(seg.text for seg in first), self.vocabulary):
            self.kwargs = self.hinted  # decode them again, with the glossary
            return [], [], chunks
        self.advance(seconds(chunks[: 1 + len(guesses)]))
        return first, guessed, chunks[1 + len(guesses) :]

    # 3. one batch ------------------------------------------------------------------------------

    def decode_batch(
        self,
        batch: Batch,
        window: Window,
        kwargs: dict[str, Any] | None = None,
        *,
        timed: bool = True,
    ) -> list[Segment]:
        """Decode a batch of chunks in one beam search, then what the model left out."""
        if self.stop is not None and self.stop.is_set():
            raise Interrupted
        kwargs = self.kwargs if kwargs is None else kwargs
        results = self.decode_ranges(window, batch, kwargs)
        self.recover(batch, window, results, kwargs)
        if timed:
            self.advance(seconds(batch))
        return [segment for out in results for segment in out]

    def decode_ranges(
        self, window: Window, ranges: Batch, kwargs: dict[str, Any]
    ) -> list[list[Segment]]:
        """The model on these sample ranges of the window, in one call: per range, its
        sentences, timed in the recording, without the fragments it was unsure of."""
        found = self.model.transcribe_chunks([window.audio[lo:hi] for lo, hi in ranges], **kwargs)
        results = []
        for (lo, _hi), pieces in zip(ranges, found, strict=True):
            offset = window.seconds_at(lo)
            out = []
            for piece in pieces:
                text = piece.text.strip()
                if not text or unreliable(piece):
                    continue
                words = [
                    Word(offset + w.start, offset + w.end, w.word, float(w.probability))
                    for w in (piece.words or [])
                ]
                segment = Segment(offset + piece.start, offset + piece.end, text, None, words)
                out.extend(split_sentences(segment, self.options.max_segment_seconds))
            results.append(out)
        return results

    # 4. speech left out -----------------------------------------------------------------------

    def recover(
        self, batch: Batch, window: Window, results: list[list[Segment]], kwargs: dict[str, Any]
    ) -> None:
        """Decode again the speech the model left out, and put it in `results`.

        Whisper sometimes ends its window before the speech does (it "finishes" and drops the
        last sentence), and sometimes jumps over a sentence in the middle. Where the VAD heard
        more than `recover_after_s` of speech with no word written over it, that stretch is
        decoded again (at most twice per chunk), starting at the start of the word written
        before it: that word, at the edge of what the model wrote, is the one most likely cut
        short or misheard ("di" for the "ri" of "riconoscimento"), and where the new decoding
        hears it whole, that replaces it. Words the new decoding repeats from either side are
        not written twice (`join`)."""
        pending = list(range(len(batch)))
        for _attempt in range(2):
            todo = [(n, hole) for n in pending for hole in self.holes(batch[n], window, results[n])]
            if not todo:
                return
            again = self.decode_ranges(window, [hole for _, hole in todo], kwargs)
            pending = []
            for (n, (lo, hi)), found in zip(todo, again, strict=True):
                merged = join(results[n], found, window.seconds_at(lo), window.seconds_at(hi))
                if merged is not None:
                    results[n] = merged
                    pending.append(n)
            pending = sorted(set(pending))

    def holes(
        self, chunk: tuple[int, int], window: Window, out: list[Segment]
    ) -> list[tuple[int, int]]:
        """Sample ranges of the chunk to decode again: from the start of the last word before
        a stretch of unwritten speech to the first word after it (or the chunk's end)."""
        lo, hi = chunk
        words = sorted((w for seg in out for w in seg.words), key=lambda w: w.start)
        if not words:
            return []  # nothing understood at all: noise, music, another language
        sample = [
            (round(w.start * SAMPLE_RATE) - window.base, round(w.end * SAMPLE_RATE) - window.base)
            for w in words
        ]
        found = []
        # (start of the word before, end of the written speech, start of the word after)
        edges = [(lo, lo, sample[0][0])]
        edges += [(sample[i][0], sample[i][1], sample[i + 1][0]) for i in range(len(sample) - 1)]
        edges.append((sample[-1][0], sample[-1][1], hi))
        for before, written, after in edges:
            unwritten = [
                (a, b)
                for a, b in window.spans
                if a < min(after, hi)
                and b > lo
                and min(b, after, hi) - max(a, written) > self.missing
            ]
            if unwritten:
                found.append((max(lo, before), min(after, hi)))
        return found

    # progress -----------------------------------------------------------------------------------

    def advance(self, done: float) -> None:
        if self.on_progress:
            with self._lock:
                self._done += done
                self.on_progress(self._done)


def decode(
    model: Any,
    samples: np.ndarray,
    options: DecodeOptions,
    vocabulary: list[str],
    *,
    workers: int = 1,
    on_progress: Callable[[float], None] | None = None,
    stop: threading.Event | None = None,
    idle_cores: Callable[[], bool] | None = None,
) -> list[Segment]:
    """Transcribe one recording's samples (see `RecordingDecoder`)."""
    decoder = RecordingDecoder(
        model,
        options,
        vocabulary,
        workers=workers,
        on_progress=on_progress,
        stop=stop,
        idle_cores=idle_cores,
    )
    return decoder.decode(samples)


__all__ = [
    "FAST",
    "QUALITY",
    "RAPID",
    "DecodeOptions",
    "Interrupted",
    "RecordingDecoder",
    "batches",
    "decode",
    "merge_spans",
    "speech_spans",
    "split_sentences",
]
