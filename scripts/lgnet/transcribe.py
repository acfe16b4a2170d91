"""The transcription stage: audio in, curated-safe transcripts out.

An item is transcribed only when its media, the model or the decoding options changed since
its transcript was written (all three are recorded in the transcript's provenance). Curated
transcripts (status `revisionato`, or a VTT edited by a person) are never overwritten: VTT
edits are carried into the other files instead. Each item's files are written atomically when
the item is finished, so an interrupted run loses at most the item in progress.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import re
import shutil
import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from tqdm import tqdm

from lgnet.archive import Archive, Item
from lgnet.asr import ModelSpec, load_model, model_label, resolve_model
from lgnet.corrections import edited, is_curated, sync_corrections
from lgnet.errors import LgnetError, Problem
from lgnet.media import (
    SAMPLE_RATE,
    extract_audio,
    media_sha256,
    open_audio,
    probe,
    release_audio,
)
from lgnet.project import Project
from lgnet.transcripts import (
    Segment,
    Transcript,
    TranscriptFiles,
    Word,
    captions_outdated,
    read_transcript,
    recover_interrupted,
    write_transcript,
)

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
    chunk_seconds: float = 30.0
    # Chunks decoded together in one beam search (per core; fewer when there are few chunks).
    batch_size: int = 4
    # Speech the VAD heard after the last word Whisper wrote, longer than this, is decoded
    # again on its own (Whisper sometimes ends its window early and drops a sentence).
    recover_after_s: float = 1.0
    min_silence_duration_ms: int = 300
    speech_pad_ms: int = 800
    vad_threshold: float = 0.5
    trim_encoder: bool = True
    trim_below_s: float = 20.0
    encoder_padding_s: float = 8.0
    # How the glossary is offered to the model: auto (as hotwords, for recordings whose first
    # chunk already mentions a glossary term or a city), none, prompt or hotwords (always).
    glossary_hints: str = "auto"
    max_segment_seconds: float = 12.0
    no_speech_threshold: float = 0.6
    log_prob_threshold: float = -1.0
    compression_ratio_threshold: float = 2.4

    def engine_kwargs(self, vocabulary: list[str]) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "language": self.language,
            "beam_size": self.beam_size,
            "vad_filter": False,  # already cut into chunks by `decode`
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
QUALITY = DecodeOptions(trim_encoder=False)


@dataclass
class TranscribeRequest:
    ids: list[str] = field(default_factory=list)
    force: bool = False
    overwrite_curated: bool = False
    model: str | None = None
    quality: bool = False
    jobs: int | None = None
    progress: bool = True


@dataclass
class ItemOutcome:
    id: str
    action: str  # trascritto | invariato | protetto | corretto | errore
    detail: str = ""


@dataclass
class TranscribeResult:
    outcomes: list[ItemOutcome]
    audio_seconds: float = 0.0
    elapsed: float = 0.0

    def count(self, action: str) -> int:
        return sum(1 for o in self.outcomes if o.action == action)

    @property
    def transcribed(self) -> list[str]:
        return [o.id for o in self.outcomes if o.action == "trascritto"]

    def summary(self) -> str:
        parts = [
            _count(self.count("trascritto"), "trascritta", "trascritte"),
            _count(self.count("invariato"), "già aggiornata", "già aggiornate"),
            _count(
                self.count("protetto"), "revisionata (non toccata)", "revisionate (non toccate)"
            ),
        ]
        if self.count("corretto"):
            parts.append(
                _count(
                    self.count("corretto"),
                    "correzione dal VTT applicata",
                    "correzioni dal VTT applicate",
                )
            )
        lines = ["Trascrizioni: " + ", ".join(parts)]
        if self.transcribed and self.elapsed > 0:
            minutes = f"{self.audio_seconds / 60:.1f}".replace(".", ",")
            speed = _count(round(self.audio_seconds / self.elapsed), "volta", "volte")
            lines[0] += f" ({minutes} min di audio in {self.elapsed:.0f} s, {speed} il tempo reale)"
        lines += [
            f"  {o.id}: {o.detail}" for o in self.outcomes if o.detail and o.action != "errore"
        ]
        return "\n".join(lines)


def _count(n: int, singular: str, plural: str) -> str:
    """`1 trascritta`, `3 trascritte`: the number with the word that agrees with it."""
    return f"{n} {singular if n == 1 else plural}"


class Interrupted(Exception):
    """The run was stopped (Ctrl-C) while this recording was being decoded."""


# --- the decoding of one recording ---------------------------------------------------------


def _windows(samples: np.ndarray) -> Iterator[tuple[int, int]]:
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
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    vad = VadOptions(
        threshold=options.vad_threshold,
        min_silence_duration_ms=options.min_silence_duration_ms,
        speech_pad_ms=options.speech_pad_ms,
        max_speech_duration_s=options.chunk_seconds,
    )
    return [(int(s["start"]), int(s["end"])) for s in get_speech_timestamps(audio, vad)]


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


def _seconds(ranges: list[tuple[int, int]]) -> float:
    """The audio, in seconds, that these sample ranges hold."""
    return sum(b - a for a, b in ranges) / SAMPLE_RATE


def _unreliable(piece: Any) -> bool:
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
    """Transcribe 16 kHz mono samples (int16 or float32) into segments with word timings.

    `on_progress` receives the seconds of audio done so far; setting `stop` makes the call
    raise `Interrupted` before the next chunk. `idle_cores` says whether cores would
    otherwise wait while the first chunk is decoded alone (default: yes, this is the only
    recording being decoded); only then are the next chunks decoded meanwhile, on a guess.

    With `glossary_hints="auto"` the first chunk is decoded without hints, and only if it
    already mentions a glossary term is the recording decoded with them. Measured on the demo
    narrations, the hints double the glossary terms recognised; on speech about other things
    they cost accuracy, so they are kept for the recordings that are about the network.
    """
    import numpy as np  # heavy: only needed when decoding

    hinted = options.engine_kwargs(vocabulary)
    unhinted = options.engine_kwargs([])
    state = {"kwargs": unhinted if options.glossary_hints == "auto" else hinted}
    undecided = options.glossary_hints == "auto" and bool(vocabulary)
    segments: list[Segment] = []
    lock = threading.Lock()
    done = 0.0

    def advance(seconds: float) -> None:
        nonlocal done
        if on_progress:
            with lock:
                done += seconds
                on_progress(done)

    def decode_ranges(
        audio: np.ndarray, ranges: list[tuple[int, int]], base: int, kwargs: dict[str, Any]
    ) -> list[list[Segment]]:
        found = model.transcribe_chunks([audio[lo:hi] for lo, hi in ranges], **kwargs)
        results = []
        for (lo, _hi), pieces in zip(ranges, found, strict=True):
            offset = (base + lo) / SAMPLE_RATE
            out = []
            for piece in pieces:
                text = piece.text.strip()
                if not text or _unreliable(piece):
                    continue
                words = [
                    Word(offset + w.start, offset + w.end, w.word, float(w.probability))
                    for w in (piece.words or [])
                ]
                segment = Segment(offset + piece.start, offset + piece.end, text, None, words)
                out.extend(split_sentences(segment, options.max_segment_seconds))
            results.append(out)
        return results

    limit = int(options.chunk_seconds * SAMPLE_RATE)
    # VAD speech (padded) longer than this after the last word written is decoded again
    missing = (
        int(options.recover_after_s * SAMPLE_RATE) + options.speech_pad_ms * SAMPLE_RATE // 1000
    )

    def run(
        batch: list[tuple[int, int]],
        audio: np.ndarray,
        base: int,
        spans: list[tuple[int, int]],
        kwargs: dict[str, Any],
    ) -> list[Segment]:
        if stop is not None and stop.is_set():
            raise Interrupted
        results = decode_ranges(audio, batch, base, kwargs)
        # Speech after the last word: Whisper ended the window early. Decode the rest again
        # (at most twice), as faster-whisper itself does when the last segment is unfinished.
        pending = list(range(len(batch)))
        for _attempt in range(2):
            todo: list[tuple[int, int, int]] = []  # (chunk, where the rest starts, last word)
            for n in pending:
                lo, hi = batch[n]
                out = results[n]
                ends = [w.end for seg in out for w in seg.words] or [seg.end for seg in out]
                if not ends:
                    continue  # nothing understood at all: noise, music, another language
                last = round(max(ends) * SAMPLE_RATE) - base
                rest = [
                    (a, b)
                    for a, b in spans
                    if a < hi and b > lo and min(b, hi) - max(a, last) > missing
                ]
                if rest:
                    todo.append((n, max(last, rest[0][0]), last))
            if not todo:
                break
            again = decode_ranges(
                audio, [(start, batch[n][1]) for n, start, _ in todo], base, kwargs
            )
            pending = []
            for (n, _start, last), found in zip(todo, again, strict=True):
                more = [s for s in found if s.start * SAMPLE_RATE >= base + last - SAMPLE_RATE // 4]
                if more:
                    results[n].extend(more)
                    pending.append(n)
        return [segment for out in results for segment in out]

    def prepare(lo: int, hi: int) -> tuple[np.ndarray, list[tuple[int, int]]]:
        audio = np.asarray(samples[lo:hi], dtype=np.float32)
        release_audio(samples, lo, hi)  # a copy is made: the mapped pages are not needed
        if samples.dtype == np.int16:
            audio /= 32768.0
        return audio, speech_spans(audio, options)

    def timed(
        batch: list[tuple[int, int]], audio: np.ndarray, base: int, spans: list[tuple[int, int]]
    ) -> list[Segment]:
        found = run(batch, audio, base, spans, state["kwargs"])
        advance(_seconds(batch))
        return found

    # A pipeline with no idle core: the VAD of the next window runs while this one's chunks
    # are decoded, and a window's batches are queued before the previous window's are all
    # done. At most three windows of float audio are held at once (memory stays bounded).
    windows = list(_windows(samples))
    in_flight: deque[list[Future[list[Segment]]]] = deque()
    with (
        ThreadPoolExecutor(max_workers=max(1, workers)) as pool,
        ThreadPoolExecutor(max_workers=1) as vad,
    ):
        try:
            ahead = vad.submit(prepare, *windows[0]) if windows else None
            for k, (lo, hi) in enumerate(windows):
                assert ahead is not None
                audio, spans = ahead.result()
                if k + 1 < len(windows):
                    ahead = vad.submit(prepare, *windows[k + 1])
                chunks = merge_spans(spans, limit)
                advance((hi - lo) / SAMPLE_RATE - _seconds(chunks))  # silence
                guessed: list[Future[list[Segment]]] = []
                if undecided and chunks:
                    undecided = False
                    # While the first chunk decides whether the recording is about the network,
                    # the cores it leaves idle decode the next chunks without hints: their text
                    # is kept if it is not (otherwise those cores only did work they would not
                    # have had to do anyway).
                    guesses = chunks[1:workers] if idle_cores is None or idle_cores() else []
                    guessed = [pool.submit(run, [c], audio, lo, spans, unhinted) for c in guesses]
                    first = run(chunks[:1], audio, lo, spans, unhinted)
                    if mentions(" ".join(seg.text for seg in first), vocabulary):
                        state["kwargs"] = hinted  # decode them again, with the glossary
                        guessed = []
                    else:
                        segments.extend(first)
                        advance(_seconds(chunks[: 1 + len(guesses)]))
                        chunks = chunks[1 + len(guesses) :]
                in_flight.append(
                    guessed
                    + [
                        pool.submit(timed, batch, audio, lo, spans)
                        for batch in batches(chunks, options.batch_size, workers)
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


# --- the stage -----------------------------------------------------------------------------


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _engine_version() -> str:
    import faster_whisper

    return str(getattr(faster_whisper, "__version__", "unknown"))


def _backup(project: Project, files: TranscriptFiles) -> None:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    folder = project.transcripts / ".backup" / f"{files.id}-{stamp}"
    folder.mkdir(parents=True, exist_ok=True)
    for path in (files.json, files.vtt, files.srt, files.txt):
        if path.exists():
            shutil.copy2(path, folder / path.name)


@dataclass
class _Job:
    item: Item
    files: TranscriptFiles
    media_sha: str
    duration: float


def _plan(
    project: Project,
    item: Item,
    request: TranscribeRequest,
    label: str,
    options: dict[str, Any],
) -> tuple[_Job | None, ItemOutcome | None]:
    """Decide what to do with one item; (job, None) to transcribe, (None, outcome) otherwise."""
    files = TranscriptFiles(project.transcripts, item.id)
    existing = read_transcript(files.json) if files.json.exists() else None
    outcome: ItemOutcome | None = None
    if existing is not None and edited(files, existing):
        sync_corrections(project.transcripts, item.id)
        existing = read_transcript(files.json)
        outcome = ItemOutcome(
            item.id, "corretto", "correzioni del VTT o dell'SRT riportate nella trascrizione"
        )
    elif existing is not None and captions_outdated(files, existing):
        # Nobody edited them, but the captions were cut by older rules: same words, new cues.
        write_transcript(project.transcripts, existing)
    path = item.media_path(project)
    sha = media_sha256(path)
    if existing is not None and is_curated(files, existing):
        if not (request.force and request.overwrite_curated):
            if existing.provenance.get("media_sha256") not in (None, sha):
                detail = (
                    "il file multimediale è cambiato ma la trascrizione è revisionata: non "
                    "sovrascritta (usare --force --overwrite-curated per rifarla, con copia)"
                )
                return None, ItemOutcome(item.id, "protetto", detail)
            return None, outcome or ItemOutcome(item.id, "protetto")
        _backup(project, files)
    elif existing is not None and not request.force:
        prov = existing.provenance
        if (
            prov.get("media_sha256") == sha
            and prov.get("model") == label
            and prov.get("options") == options
        ):
            return None, outcome or ItemOutcome(item.id, "invariato")
    return _Job(item, files, sha, probe(path).duration), None


def default_jobs() -> int:
    """Recordings transcribed at once: one per core (each also spreads its chunks)."""
    return max(1, os.cpu_count() or 1)


def transcribe_archive(
    project: Project, archive: Archive, request: TranscribeRequest
) -> TranscribeResult:
    """Bring every transcript (or the requested ones) up to date with its media."""
    unknown = [i for i in request.ids if i not in archive.items]
    if unknown:
        raise LgnetError(
            f"{'registrazione sconosciuta' if len(unknown) == 1 else 'registrazioni sconosciute'}"
            f": {', '.join(unknown)}; gli ID sono i nomi dei file in archive/items/ senza .yml"
        )
    project.transcripts.mkdir(parents=True, exist_ok=True)
    recover_interrupted(project.transcripts)
    chosen = (
        [archive.items[i] for i in request.ids] if request.ids else list(archive.items.values())
    )
    decode_options = QUALITY if request.quality else FAST
    vocabulary = archive.vocabulary()
    recorded_options = decode_options.recorded(vocabulary)
    label = model_label(request.model)  # the model itself is verified only if it is needed

    outcomes: list[ItemOutcome] = []
    problems: list[Problem] = []
    jobs: list[_Job] = []
    for item in chosen:
        try:
            job, outcome = _plan(project, item, request, label, recorded_options)
        except LgnetError as exc:
            problems += [Problem(f"archive/items/{item.id}.yml", line) for line in exc.lines()]
            outcomes.append(ItemOutcome(item.id, "errore", "; ".join(exc.lines())))
            continue
        if outcome:
            outcomes.append(outcome)
        if job:
            jobs.append(job)

    result = TranscribeResult(outcomes)
    if jobs:
        spec = resolve_model(request.model)
        result = _run_jobs(
            project, jobs, spec, decode_options, vocabulary, request, result, problems
        )
    if problems:
        raise LgnetError("trascrizione non completata", problems)
    return result


def _run_jobs(
    project: Project,
    jobs: list[_Job],
    spec: ModelSpec,
    options: DecodeOptions,
    vocabulary: list[str],
    request: TranscribeRequest,
    result: TranscribeResult,
    problems: list[Problem],
) -> TranscribeResult:
    import time

    cores = os.cpu_count() or 1
    n_jobs = max(1, min(request.jobs or default_jobs(), len(jobs)))
    # One single-threaded model replica per core: Whisper base's matrices are too small for
    # two threads to share one well, while independent chunks keep every core busy.
    model = load_model(
        spec,
        cpu_threads=1,
        num_workers=cores,
        trim_encoder=options.trim_encoder,
        trim_below_s=options.trim_below_s,
        encoder_padding_s=options.encoder_padding_s,
    )
    recorded = options.recorded(vocabulary)
    total = sum(j.duration for j in jobs)
    lock = threading.Lock()
    started = time.monotonic()
    bar = tqdm(
        total=round(total, 1),
        unit="s",
        desc="Trascrizione di " + _count(len(jobs), "registrazione", "registrazioni"),
        disable=not request.progress or None,
        bar_format="{desc}: {percentage:3.0f}%|{bar}| {n:.0f}/{total:.0f} s di audio "
        "[{elapsed}<{remaining}]",
    )

    active = 0  # recordings being decoded now

    def idle_cores() -> bool:
        with lock:
            return active < cores

    def run(job: _Job) -> ItemOutcome:
        nonlocal active
        reported = 0.0
        with lock:
            active += 1

        def advance(done: float) -> None:
            nonlocal reported
            done = min(done, job.duration)
            with lock:
                if done > reported:
                    bar.update(done - reported)
                    reported = done

        try:
            wav = extract_audio(job.item.media_path(project), job.media_sha)
            segments = decode(
                model,
                open_audio(wav),
                options,
                vocabulary,
                workers=cores,
                on_progress=advance,
                stop=stop,
                idle_cores=idle_cores,
            )
            advance(job.duration)
            transcript = Transcript(
                id=job.item.id,
                language=options.language,
                duration=job.duration,
                status="automatico",
                provenance={
                    "engine": "faster-whisper",
                    "engine_version": _engine_version(),
                    "model": spec.label,
                    "model_sha256": spec.sha256,
                    "options": recorded,
                    "media_sha256": job.media_sha,
                    "audio_sha256": media_sha256(wav),
                    "created": _now(),
                },
                segments=segments,
            )
            write_transcript(project.transcripts, transcript)
            return ItemOutcome(job.item.id, "trascritto")
        except LgnetError as exc:
            with lock:
                problems.extend(
                    Problem(f"archive/items/{job.item.id}.yml", line) for line in exc.lines()
                )
            return ItemOutcome(job.item.id, "errore", "; ".join(exc.lines()))
        finally:
            with lock:
                active -= 1

    stop = threading.Event()
    pool = ThreadPoolExecutor(max_workers=n_jobs)
    try:
        result.outcomes.extend(pool.map(run, jobs))
    except KeyboardInterrupt:
        # Finished items are on disk; the ones in progress stop after their current chunk
        # and write nothing, the queued ones never start.
        stop.set()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
        bar.close()
    result.audio_seconds = total
    result.elapsed = time.monotonic() - started
    return result


__all__ = [
    "FAST",
    "QUALITY",
    "DecodeOptions",
    "ItemOutcome",
    "TranscribeRequest",
    "TranscribeResult",
    "decode",
    "transcribe_archive",
]
