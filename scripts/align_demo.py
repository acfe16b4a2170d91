#!/usr/bin/env python3
"""Write the demo narrations' transcripts from their known text, aligned to the audio.

The synthetic demo recordings were spoken by espeak-ng from texts written for the demo
(scripts/make_demo_media.py): what they say is known, so their transcripts need not be what
Whisper base heard (it garbles a synthetic voice). For every synthetic item this script:

1. takes the narration the media file was made from (`make_demo_media.narration`);
2. finds where each line is spoken: the generator puts 0.6-0.9 s of digital silence between
   lines and nowhere else pauses that long (espeak-ng's own pauses, at a full stop, are
   under 0.45 s), so the line spans are what lies between the silences of at least
   `LINE_PAUSE_S`; their number must be the number of lines, and where the catalogue
   depends on them (chapters, the redacted span, speaker turns) they must agree with it;
3. aligns each line's words inside its span (`lgnet.align`, the Whisper model on disk) and
   cuts them into sentences (longer than `MAX_SEGMENT_S`: at the longest pause), each
   carrying the label of the line's voice when the narration gives one (the demo workshop);
4. writes transcripts/<id>.json/.vtt/.srt/.txt with status `automatico` (no person reviewed
   them) and `provenance.method = "allineamento-narrazione"`: `lgnet transcribe` leaves them
   alone (even with --force) and the site labels them "Testo della narrazione sintetica
   allineato all'audio".

A transcript holding a person's work (a reviewed sentence, an edited VTT/SRT) is not
replaced unless `--overwrite`, and then a copy goes to transcripts/.backup/.

    .venv/bin/python scripts/align_demo.py                      # every synthetic item
    .venv/bin/python scripts/align_demo.py palermo-safe-space   # some of them
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import importlib.util
import itertools
import shutil
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

REPO = Path(__file__).resolve().parent.parent
SOURCE = "scripts/make_demo_media.py"
LINE_PAUSE_S = 0.5  # silence at least this long is the pause between two lines
SILENCE_DB = -60.0  # 10 ms frames quieter than this are silent (the pauses are digital zeros)
SPAN_PAD_S = 0.2  # a line is aligned from this much before its sound to this much after
MAX_SEGMENT_S = 12.0  # as lgnet transcribe: longer sentences are cut at their longest pause
CATALOGUE_TOLERANCE_S = 0.15  # chapters and redactions were copied with 0.1 s precision

if TYPE_CHECKING:
    import numpy as np

    from lgnet.transcripts import Segment, Word


def demo_media() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_demo_media", REPO / SOURCE)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("make_demo_media", module)
    spec.loader.exec_module(module)
    return module


def silences(samples: np.ndarray, min_seconds: float) -> list[tuple[float, float]]:
    """(start, end) of every stretch of silence at least `min_seconds` long."""
    import numpy as np

    hop = 160  # 10 ms at 16 kHz
    n = len(samples) // hop
    frames = np.asarray(samples[: n * hop], dtype=np.float64).reshape(n, hop) / 32768.0
    quiet = 10 * np.log10(np.square(frames).mean(axis=1) + 1e-12) < SILENCE_DB
    out = []
    i = 0
    while i < n:
        if not quiet[i]:
            i += 1
            continue
        j = i
        while j < n and quiet[j]:
            j += 1
        if (j - i) * 0.01 >= min_seconds:
            out.append((i * 0.01, j * 0.01))
        i = j
    return out


def line_spans(samples: np.ndarray, lines: int, item_id: str) -> list[tuple[float, float]]:
    """Where each of the `lines` is spoken: between the long silences."""
    total = len(samples) / 16000
    pauses = [(a, b) for a, b in silences(samples, LINE_PAUSE_S) if a > 0.05 and b < total - 0.05]
    if len(pauses) != lines - 1:
        sys.exit(
            f"{item_id}: {len(pauses)} pauses between lines found, {lines - 1} expected: the "
            "media file does not match the narration in scripts/make_demo_media.py"
        )
    lead = silences(samples, 0.1)
    start = lead[0][1] if lead and lead[0][0] == 0.0 else 0.0
    tail = lead[-1][0] if lead and lead[-1][1] >= total - 0.05 else total
    bounds = [start] + [x for pause in pauses for x in pause] + [tail]
    return [(bounds[2 * i], bounds[2 * i + 1]) for i in range(lines)]


def check_catalogue(item: object, rec: object, spans: list[tuple[float, float]]) -> list[str]:
    """Where the catalogue's times (chapters, redactions, turns) disagree with the line spans."""
    total_cuts = [0.0] + [(a[1] + b[0]) / 2 for a, b in itertools.pairwise(spans)]
    problems = []
    marks = {line.mark: n for n, line in enumerate(rec.lines) if line.mark}  # type: ignore[attr-defined]
    for chapter in getattr(item, "chapters", []):
        n = marks.get(chapter.title)
        if n is not None and abs(chapter.start - total_cuts[n]) > CATALOGUE_TOLERANCE_S:
            problems.append(
                f"chapter {chapter.title!r} at {chapter.start} s, line starts at "
                f"{total_cuts[n]:.2f} s"
            )
    for redaction in getattr(item, "redactions", []):
        speech = [s for s in spans if s[0] < redaction.end and s[1] > redaction.start]
        for a, b in speech:
            if a < redaction.start or b > redaction.end:
                problems.append(
                    f"redaction {redaction.start}-{redaction.end} s does not cover the line "
                    f"spoken at {a:.2f}-{b:.2f} s"
                )
    turns = getattr(item, "turns", [])
    for n, (line, (a, b)) in enumerate(zip(rec.lines, spans, strict=True)):  # type: ignore[attr-defined]
        if line.speaker is None:
            continue
        if not any(
            t.speaker == line.speaker
            and t.start - CATALOGUE_TOLERANCE_S <= a
            and b <= t.end + CATALOGUE_TOLERANCE_S
            for t in turns
        ):
            problems.append(
                f"line {n + 1} ({line.speaker}, {a:.2f}-{b:.2f} s) is in no turn of that voice"
            )
    return problems


def _split_long(words: list[Word]) -> list[list[Word]]:
    if len(words) < 2 or words[-1].end - words[0].start <= MAX_SEGMENT_S:
        return [words]
    gaps = [words[i + 1].start - words[i].end for i in range(len(words) - 1)]
    cut = max(range(len(gaps)), key=lambda i: (gaps[i], -abs(i - len(gaps) / 2))) + 1
    return _split_long(words[:cut]) + _split_long(words[cut:])


def sentences(words: list[Word], speaker: str | None = None) -> list[Segment]:
    """The words cut into sentences (at . ? !), long ones at their longest pause."""
    from lgnet.align import segment_text
    from lgnet.transcripts import Segment

    pieces: list[list[Word]] = [[]]
    for n, word in enumerate(words):
        pieces[-1].append(word)
        if word.word.rstrip().endswith((".", "?", "!")) and n < len(words) - 1:
            pieces.append([])
    out = []
    for piece in pieces:
        for ws in _split_long(piece):
            if ws:
                out.append(Segment(ws[0].start, ws[-1].end, segment_text(ws), speaker, ws))
    return out


def word_error_rate(reference: str, hypothesis: str) -> float:
    from lgnet.align import normalise

    ref, hyp = normalise(reference).split(), normalise(hypothesis).split()
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, start=1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, start=1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[-1] / max(1, len(ref))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("ids", nargs="*", help="items to align (default: every synthetic one)")
    parser.add_argument("--model", default=None, help="model (default: the bundled base)")
    parser.add_argument(
        "--overwrite", action="store_true", help="replace transcripts a person worked on too"
    )
    args = parser.parse_args(argv)

    from lgnet.align import Aligner, normalise, segment_text
    from lgnet.archive import load_archive
    from lgnet.corrections import is_curated
    from lgnet.media import extract_audio, media_sha256, open_audio, probe
    from lgnet.project import Project
    from lgnet.transcripts import (
        NARRATION_ALIGNED,
        Transcript,
        TranscriptFiles,
        narration_aligned,
        read_transcript,
        write_transcript,
    )

    module = demo_media()
    project = Project(REPO)
    archive = load_archive(project)
    by_media = {item.media_path(project).name: item for item in archive.items.values()}
    recordings = {by_media[rec.name].id: rec for rec in module.SYNTHETIC if rec.name in by_media}
    unknown = [i for i in args.ids if i not in recordings]
    if unknown:
        sys.exit(f"not a synthetic demo item: {', '.join(unknown)}; known: {', '.join(recordings)}")
    wanted = args.ids or list(recordings)

    aligner: Aligner | None = None
    for item_id in wanted:
        rec, item = recordings[item_id], archive.items[item_id]
        files = TranscriptFiles(project.transcripts, item_id)
        existing = read_transcript(files.json) if files.json.exists() else None
        if existing is not None and is_curated(files, existing) and not args.overwrite:
            print(f"{item_id}: a person worked on this transcript; not replaced (--overwrite)")
            continue
        media = item.media_path(project)
        sha = media_sha256(media)
        texts = module.narration(rec)
        wav = extract_audio(media, sha)
        samples = open_audio(wav)
        spans = line_spans(samples, len(texts), item_id)
        problems = check_catalogue(item, rec, spans)
        if problems:
            sys.exit(f"{item_id}: the catalogue disagrees with the audio: " + "; ".join(problems))
        if aligner is None:
            aligner = Aligner(args.model, item.language)
        started = time.perf_counter()
        words: list[Word] = []
        segments: list[Segment] = []
        gaps = [0.0] + [b[0] - a[1] for a, b in itertools.pairwise(spans)] + [0.0]
        for n, (text, (a, b)) in enumerate(zip(texts, spans, strict=True)):
            before = min(SPAN_PAD_S, gaps[n] / 2) if n else SPAN_PAD_S
            after = min(SPAN_PAD_S, gaps[n + 1] / 2) if n + 1 < len(texts) else SPAN_PAD_S
            line = aligner.align(samples, text, a - before, b + after)
            if normalise(segment_text(line)) != normalise(text):
                sys.exit(f"{item_id}: line {n + 1} aligned words do not give its text back")
            line = [dataclasses.replace(w, probability=1.0) for w in line]  # given, not heard
            words += line
            segments += sentences(line, rec.lines[n].speaker)
        seconds = time.perf_counter() - started
        asr = ""
        if existing is not None and not narration_aligned(existing):
            wer = word_error_rate(" ".join(texts), existing.text)
            asr = f", WER of the automatic transcript {wer:.2f}"
        if existing is not None and files.json.exists() and is_curated(files, existing):
            backup = project.transcripts / ".backup" / f"{item_id}-{time.strftime('%Y%m%d-%H%M%S')}"
            backup.mkdir(parents=True, exist_ok=True)
            for path in (files.json, files.vtt, files.srt, files.txt):
                if path.exists():
                    shutil.copy2(path, backup / path.name)
        transcript = Transcript(
            id=item_id,
            language=item.language,
            duration=probe(media).duration,
            status="automatico",
            provenance={
                "method": NARRATION_ALIGNED,
                "source": SOURCE,
                **aligner.provenance(),
                "media_sha256": sha,
                "audio_sha256": media_sha256(wav),
                "created": dt.datetime.now(dt.UTC)
                .replace(microsecond=0)
                .isoformat()
                .replace("+00:00", "Z"),
            },
            segments=segments,
        )
        write_transcript(project.transcripts, transcript)
        print(
            f"{item_id}: {len(texts)} lines, {len(segments)} sentences, {len(words)} words "
            f"aligned in {seconds:.1f} s{asr}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
