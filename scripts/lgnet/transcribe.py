"""The transcription stage: audio in, curated-safe transcripts out.

An item is transcribed only when its media, the model or the decoding options changed since
its transcript was written (all three are recorded in the transcript's provenance). Curated
transcripts (status `revisionato`, or a VTT edited by a person) are never overwritten: VTT
edits are carried into the other files instead. Each item's files are written atomically when
the item is finished, so an interrupted run loses at most the item in progress.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from tqdm import tqdm

from lgnet.archive import Archive, Item
from lgnet.asr import ModelSpec, load_model, model_label, resolve_model
from lgnet.corrections import edited, is_curated, sync_corrections
from lgnet.decoding import (
    FAST,
    QUALITY,
    RAPID,
    DecodeOptions,
    Interrupted,
    batches,
    decode,
    merge_spans,
    speech_spans,
)
from lgnet.engine import engine_version
from lgnet.errors import LgnetError, Problem
from lgnet.media import extract_audio, media_sha256, open_audio, probe
from lgnet.names import Correction, NameCorrector
from lgnet.project import Project
from lgnet.transcripts import (
    Transcript,
    TranscriptFiles,
    captions_outdated,
    narration_aligned,
    read_transcript,
    recover_interrupted,
    write_transcript,
)


@dataclass
class TranscribeRequest:
    ids: list[str] = field(default_factory=list)
    force: bool = False
    overwrite_curated: bool = False
    model: str | None = None
    quality: bool = False
    rapid: bool = False  # --veloce: faster, a little less accurate (decoding.RAPID)
    jobs: int | None = None
    progress: bool = True


@dataclass
class ItemOutcome:
    id: str
    action: str  # trascritto | invariato | protetto | allineato | corretto | errore
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
        if self.count("allineato"):
            parts.append(
                _count(
                    self.count("allineato"),
                    "allineata al testo della narrazione (non toccata)",
                    "allineate al testo della narrazione (non toccate)",
                )
            )
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


# --- the stage -----------------------------------------------------------------------------


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


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
    # A narration's script aligned to the audio is kept like a person's work (even by
    # --force): the words are right, a transcription could only make them worse.
    aligned = existing is not None and narration_aligned(existing)
    if existing is not None and (aligned or is_curated(files, existing)):
        if not (request.force and request.overwrite_curated):
            action = "allineato" if aligned and outcome is None else "protetto"
            if existing.provenance.get("media_sha256") not in (None, sha):
                what = "allineata al testo della narrazione" if aligned else "revisionata"
                detail = (
                    f"il file multimediale è cambiato ma la trascrizione è {what}: non "
                    "sovrascritta (usare --force --overwrite-curated per rifarla, con copia)"
                )
                return None, ItemOutcome(item.id, action, detail)
            return None, outcome or ItemOutcome(item.id, action)
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


def load_decoder_model(spec: ModelSpec, options: DecodeOptions, workers: int) -> Any:
    """The model as `options` decode with it: one single-threaded replica per worker (Whisper
    base's matrices are too small for two threads to share one well, while independent chunks
    keep every core busy), with the encoder's trimming."""
    return load_model(
        spec,
        cpu_threads=1,
        num_workers=workers,
        trim_encoder=options.trim_encoder,
        trim_below_s=options.trim_below_s,
        encoder_padding_s=options.encoder_padding_s,
        encoder_min_window_s=options.encoder_min_window_s,
    )


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
    if request.quality and request.rapid:
        raise LgnetError(
            "--quality e --veloce non si possono usare insieme: scegliere l'una o l'altra"
        )
    decode_options = QUALITY if request.quality else RAPID if request.rapid else FAST
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
    model = load_decoder_model(spec, options, cores)
    recorded = options.recorded(vocabulary)
    corrector = NameCorrector(vocabulary)
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
            corrections: list[Correction] = []
            if options.correct_names:
                segments, corrections = corrector.correct(segments)
            transcript = Transcript(
                id=job.item.id,
                language=options.language,
                duration=job.duration,
                status="automatico",
                provenance={
                    "engine": "faster-whisper",
                    "engine_version": engine_version(),
                    "model": spec.label,
                    "model_sha256": spec.sha256,
                    "options": recorded,
                    "media_sha256": job.media_sha,
                    "audio_sha256": media_sha256(wav),
                    "created": _now(),
                    # what the name correction changed, for a reviewer to check
                    "name_corrections": [c.as_json() for c in corrections],
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
    "RAPID",
    "DecodeOptions",
    "Interrupted",
    "ItemOutcome",
    "TranscribeRequest",
    "TranscribeResult",
    "batches",
    "decode",
    "load_decoder_model",
    "merge_spans",
    "speech_spans",
    "transcribe_archive",
]
