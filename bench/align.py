"""Forced-alignment benchmark: how close the aligned words' times are to where speech is.

Real Italian clips with reference transcripts (tests/data, from the shared evaluation set) are
joined into conversations at known points, with silences between them; the reference texts
are aligned with `lgnet.align` and the first word's start and last word's end of each clip
are compared with where that clip's speech starts and ends in the conversation (the cut
point plus the clip's own leading silence; the cut point plus its last speech).

Where speech starts and ends inside each clip (`SPEECH`) was labelled by eye on
spectrograms of the clip's first and last two seconds (ffmpeg `showspectrumpic`, about
±20 ms), with ffmpeg `silencedetect` and the Silero VAD as guides: neither can be used
as-is, because two Common Voice clips have 22 dB of background noise, where both mark noise
as speech (Silero puts the speech of cv_it_19574386 at 0.25 s, where the spectrogram shows
only noise until 0.65 s; and it hears speech at 5.85-6.30 s of cv_it_19574384, after the
final /t/ at 5.42 s). `NOISY` marks the boundaries that are harder to place for that reason
(about ±50 ms).

Scenarios:
* sentence: each clip's text aligned within its share of the conversation (from the middle
  of the pause before it to the middle of the pause after it), as `realign_segments` does
  for a segment;
* whole: all the texts in one call over the whole conversation (longer than Whisper's 30 s,
  so aligned in windows).
Each with the word edges moved off silence (`edges=sound`, the default) and as Whisper's
DTW places them (`edges=dtw`). Time per minute of audio: alignment only, model loaded
before; on the machine as it is (other work on it slows it down).

    .venv/bin/python bench/align.py
    .venv/bin/python bench/align.py --json     # the per-boundary errors as well
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.asr_quality import references  # noqa: E402

DATA = ROOT / "tests" / "data"
RATE = 16_000

# (speech start, speech end) inside each clip, seconds: see the module docstring.
SPEECH = {
    "fleurs_it_1521.wav": (0.96, 9.58),
    "picovoice_cheetah_test_it_2024.wav": (1.36, 9.40),
    "cv_it_19574384.mp3": (0.70, 5.42),
    "picovoice_leopard_test_it.wav": (0.63, 5.20),
    "cv_it_19574386.mp3": (0.65, 4.20),
    "picovoice_cheetah_test_it.wav": (0.59, 3.45),
    "cv_it_20030672.mp3": (0.85, 5.42),
}
NOISY = {"cv_it_19574384.mp3", "cv_it_19574386.mp3"}
ORDER = list(SPEECH)  # the order of longform_dev.mp4

# (name, clip order, silence between clips in seconds, silence before the first)
CONVERSATIONS = [
    ("A: 7 clips, 0.8 s pauses", ORDER, 0.8, 0.5),
    ("B: reversed, 0.3 s pauses", ORDER[::-1], 0.3, 0.2),
]


@dataclass
class Placed:
    clip: str
    cut_start: float  # where the clip's audio starts in the conversation
    cut_end: float
    share_start: float  # its share of the surrounding pauses
    share_end: float

    @property
    def speech(self) -> tuple[float, float]:
        on, off = SPEECH[self.clip]
        return self.cut_start + on, self.cut_start + off


def decode(path: Path):  # type: ignore[no-untyped-def]
    import numpy as np

    raw = subprocess.run(
        [
            "ffmpeg",
            "-nostdin",
            "-loglevel",
            "error",
            "-i",
            str(path),
            "-ac",
            "1",
            "-ar",
            str(RATE),
            "-f",
            "s16le",
            "-",
        ],
        capture_output=True,
        check=True,
    ).stdout
    return np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0


def conversation(order: list[str], gap: float, lead: float):  # type: ignore[no-untyped-def]
    import numpy as np

    parts = [np.zeros(int(lead * RATE), dtype=np.float32)]
    placed = []
    t = lead
    for n, clip in enumerate(order):
        audio = decode(DATA / clip)
        if n:
            parts.append(np.zeros(int(gap * RATE), dtype=np.float32))
            t += int(gap * RATE) / RATE
        start = t
        parts.append(audio)
        t += len(audio) / RATE
        placed.append(Placed(clip, start, t, start, t))
    parts.append(np.zeros(int(lead * RATE), dtype=np.float32))
    total = t + int(lead * RATE) / RATE
    for i, p in enumerate(placed):
        p.share_start = 0.0 if i == 0 else (placed[i - 1].cut_end + p.cut_start) / 2
        p.share_end = total if i == len(placed) - 1 else p.cut_end + gap / 2
    return np.concatenate(parts), placed


def errors(words_by_clip: list[list], placed: list[Placed]) -> list[dict]:  # type: ignore[type-arg]
    out = []
    for words, p in zip(words_by_clip, placed, strict=True):
        on, off = p.speech
        first, last = words[0].start, words[-1].end
        for edge, ref, got in (("start", on, first), ("end", off, last)):
            out.append(
                {
                    "clip": p.clip,
                    "edge": edge,
                    "reference": round(ref, 3),
                    "aligned": round(got, 3),
                    "error_ms": round((got - ref) * 1000),
                    "noisy": p.clip in NOISY,
                }
            )
    return out


def split_by_clip(words: list, texts: list[str]) -> list[list]:  # type: ignore[type-arg]
    """The words of a whole-conversation alignment, cut back into the clips' texts."""
    from lgnet.align import _groups

    groups = _groups(words)
    out, i = [], 0
    for text in texts:
        n = len(text.split())
        out.append([w for g in groups[i : i + n] for w in g])
        i += n
    return out


def stats(values: list[float]) -> dict[str, float]:
    values = sorted(abs(v) for v in values)
    p90 = values[min(len(values) - 1, round(0.9 * (len(values) - 1)))]
    return {
        "n": len(values),
        "mean": statistics.fmean(values),
        "median": statistics.median(values),
        "p90": p90,
        "max": values[-1],
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--json", action="store_true", help="print every boundary's error too")
    parser.add_argument("--model", default=None, help="model (default: the bundled base)")
    args = parser.parse_args()

    from lgnet.align import Aligner, AlignOptions

    refs = references(DATA / "references.tsv")
    aligners = {
        edges: Aligner(args.model, "it", options=AlignOptions(edges=edges))
        for edges in ("sound", "dtw")
    }
    rows: list[dict[str, Any]] = []
    detail: list[dict[str, Any]] = []
    for name, order, gap, lead in CONVERSATIONS:
        audio, placed = conversation(order, gap, lead)
        minutes = len(audio) / RATE / 60
        texts = [refs[p.clip] for p in placed]
        for edges, aligner in aligners.items():
            started = time.perf_counter()
            per_clip = [
                aligner.align(audio, text, p.share_start, p.share_end)
                for text, p in zip(texts, placed, strict=True)
            ]
            sentence_time = time.perf_counter() - started
            started = time.perf_counter()
            whole = aligner.align(audio, " ".join(texts), 0.0, len(audio) / RATE)
            whole_time = time.perf_counter() - started
            for scenario, words, seconds in (
                ("sentence", per_clip, sentence_time),
                ("whole", split_by_clip(whole, texts), whole_time),
            ):
                found = errors(words, placed)
                for e in found:
                    e.update(conversation=name, scenario=scenario, edges=edges)
                detail += found
                rows.append(
                    {
                        "conversation": name,
                        "scenario": scenario,
                        "edges": edges,
                        "all": stats([e["error_ms"] for e in found]),
                        "clean": stats([e["error_ms"] for e in found if not e["noisy"]]),
                        "bias": statistics.fmean(e["error_ms"] for e in found),
                        "s_per_min": seconds / minutes,
                    }
                )

    print(
        f"{'conversation':28} {'scenario':9} {'edges':6} "
        f"{'mean':>6} {'median':>6} {'p90':>6} {'max':>6} | {'clean p90':>9} "
        f"{'bias':>6} {'s/min audio':>11}"
    )
    for r in rows:
        a = r["all"]
        print(
            f"{r['conversation']:28} {r['scenario']:9} {r['edges']:6} "
            f"{a['mean']:6.0f} {a['median']:6.0f} {a['p90']:6.0f} {a['max']:6.0f} | "
            f"{r['clean']['p90']:9.0f} {r['bias']:6.0f} {r['s_per_min']:11.1f}"
        )
    for edges in aligners:
        pooled = [e["error_ms"] for e in detail if e["edges"] == edges]
        s = stats(pooled)
        print(
            f"pooled, edges={edges}: {s['n']} boundaries, absolute error mean {s['mean']:.0f} ms, "
            f"median {s['median']:.0f} ms, p90 {s['p90']:.0f} ms, max {s['max']:.0f} ms"
        )
    print("(errors in ms; 'clean p90' leaves out the two noisy Common Voice clips; bias: mean")
    print(" signed error, positive = the aligned edge is later than the speech)")
    if args.json:
        print(json.dumps(detail, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
