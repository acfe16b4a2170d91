"""Diarization benchmark: diarization error rate (DER) of `lgnet.diarize` on conversations
assembled from the real Italian clips (tests/data, from the shared evaluation set; see
tests/data/ATTRIBUTION.md for origins and licences).

Voices. The clips' sources do not name their speakers, so who is who was judged by ear
and pitch and checked against the upstream numbering: six voices. The two Common Voice clips
cv_it_19574384 and cv_it_19574386 (consecutive contribution numbers, the same pitch range,
median F0 about 145 Hz) are taken as one speaker, CV-1; the others differ in corpus,
recording or pitch (FLEURS about 205 Hz, Picovoice A 165 Hz, B 96 Hz, C 136 Hz, CV-2
125 Hz). Picovoice C and CV-2 are the closest pair and the least certain to be different.

Conversations. Each clip's speech (its extent from `bench/align.py`, labelled by eye on
spectrograms) is cut in two at its quietest 20 ms near the middle, so a voice comes back
several times; the pieces alternate between voices with silences of 0.2-2.5 s, and some
turn changes have no pause at all (the next voice starts where the last one stops). A faint
noise floor (-66 dBFS) replaces digital silence. The reference is each piece's speech span.

DER = (missed speech + false alarm + speaker confusion) / reference speech, scored in 10 ms
frames outside a 0.25 s collar around every reference turn boundary (the NIST md-eval
convention), with the optimal one-to-one mapping of suggested to reference voices (exhaustive
search: at most 8 voices on either side here). No overlapping speech in these references.
Compared side by side: `lgnet.diarize` with its threshold (the voice count is found),
the same with the true number of voices given (`--voci N`), and a trivial baseline that
keeps the same speech regions but gives them all to one voice.

Speed: the conversations are joined into one long recording (repeated, with varied
pauses) of `--long-minutes` minutes, timed from samples to turns, model loaded before;
on the machine as it is (other work on it slows it down).

    .venv/bin/python bench/diarization.py
    .venv/bin/python bench/diarization.py --long-minutes 120 --json
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.align import SPEECH, decode  # noqa: E402

DATA = ROOT / "tests" / "data"
RATE = 16_000
FRAME = 0.01  # seconds per scoring frame
COLLAR = 0.25
MARGIN = 0.15  # seconds of the clip's own silence kept around a piece where there is a pause

VOICES = {
    "fleurs_it_1521.wav": "FLEURS",
    "picovoice_cheetah_test_it.wav": "PV-A",
    "picovoice_cheetah_test_it_2024.wav": "PV-B",
    "picovoice_leopard_test_it.wav": "PV-C",
    "cv_it_19574384.mp3": "CV-1",
    "cv_it_19574386.mp3": "CV-1",
    "cv_it_20030672.mp3": "CV-2",
}
FL, PA, PB, PC = (
    "fleurs_it_1521.wav",
    "picovoice_cheetah_test_it.wav",
    "picovoice_cheetah_test_it_2024.wav",
    "picovoice_leopard_test_it.wav",
)
CV1A, CV1B, CV2 = "cv_it_19574384.mp3", "cv_it_19574386.mp3", "cv_it_20030672.mp3"

# (name, pieces as (clip, part: 0 first half, 1 second half, None whole), pauses between)
CONVERSATIONS: list[tuple[str, list[tuple[str, int | None]], list[float]]] = [
    ("2 voci", [(FL, 0), (PB, 0), (FL, 1), (PB, 1)], [0.7, 0.0, 1.2]),
    (
        "2 voci, una da due registrazioni",
        [(CV1A, 0), (PC, 0), (CV1A, 1), (PC, 1), (CV1B, None)],
        [0.4, 1.0, 0.0, 2.0],
    ),
    (
        "3 voci",
        [(PA, 0), (CV2, 0), (FL, 0), (PA, 1), (CV2, 1), (FL, 1)],
        [0.5, 0.0, 1.5, 0.3, 0.8],
    ),
    (
        "4 voci",
        [(PB, 0), (PC, 0), (CV2, 0), (FL, 0), (PB, 1), (CV2, 1), (PC, 1), (FL, 1)],
        [0.6, 0.2, 0.0, 1.8, 0.5, 0.0, 1.0],
    ),
    (
        "4 voci, turni interi",
        [(CV1A, None), (PA, None), (PB, None), (CV1B, None), (PC, None)],
        [1.0, 0.0, 2.5, 0.3],
    ),
]


@dataclass
class Conversation:
    name: str
    audio: np.ndarray  # float32, 16 kHz
    reference: list[tuple[float, float, str]] = field(default_factory=list)  # speech turns

    @property
    def voices(self) -> int:
        return len({v for *_, v in self.reference})

    @property
    def duration(self) -> float:
        return len(self.audio) / RATE


_clips: dict[str, np.ndarray] = {}


def clip_audio(name: str) -> np.ndarray:
    if name not in _clips:
        _clips[name] = decode(DATA / name)
    return _clips[name]


def cut_point(name: str) -> float:
    """The quietest 20 ms in the middle 30-70 % of the clip's speech (seconds in the clip)."""
    audio = clip_audio(name)
    on, off = SPEECH[name]
    step = int(0.02 * RATE)
    lo, hi = int((on + 0.3 * (off - on)) * RATE), int((on + 0.7 * (off - on)) * RATE)
    frames = audio[lo : lo + (hi - lo) // step * step].reshape(-1, step)
    quietest = int(np.argmin(np.square(frames).mean(axis=1)))
    return (lo + quietest * step + step // 2) / RATE


def piece_span(name: str, part: int | None) -> tuple[float, float]:
    """Where the piece's speech is in the clip (seconds)."""
    on, off = SPEECH[name]
    if part is None:
        return on, off
    cut = cut_point(name)
    return (on, cut) if part == 0 else (cut, off)


def assemble(
    name: str,
    pieces: list[tuple[str, int | None]],
    pauses: list[float],
    seed: int = 0,
) -> Conversation:
    """One conversation of the pieces with these pauses between them (0: the next voice
    starts where the last one stops), 0.5 s of silence at both ends."""
    rng = np.random.default_rng(seed)
    parts: list[np.ndarray] = [np.zeros(int(0.5 * RATE), dtype=np.float32)]
    reference: list[tuple[float, float, str]] = []
    at = len(parts[0])
    for index, (clip, part) in enumerate(pieces):
        start, end = piece_span(clip, part)
        before = pauses[index - 1] if index else 1.0
        after = pauses[index] if index < len(pauses) else 1.0
        # around a pause the clip keeps a little of its own silence; at a change without a
        # pause it is cut at the speech (and at a mid-sentence cut there is none to keep)
        lead = MARGIN if before > 0 and part != 1 else 0.0
        tail = MARGIN if after > 0 and part != 0 else 0.0
        audio = clip_audio(clip)
        a, b = max(0, int((start - lead) * RATE)), min(len(audio), int((end + tail) * RATE))
        if index:
            gap = np.zeros(int(pauses[index - 1] * RATE), dtype=np.float32)
            parts.append(gap)
            at += len(gap)
        lead_samples = int(start * RATE) - a
        speech_start = (at + lead_samples) / RATE
        speech_end = (at + int(end * RATE) - a) / RATE
        reference.append((speech_start, speech_end, VOICES[clip]))
        parts.append(audio[a:b])
        at += b - a
    parts.append(np.zeros(int(0.5 * RATE), dtype=np.float32))
    audio = np.concatenate(parts)
    audio = audio + rng.normal(0.0, 10 ** (-66 / 20), size=len(audio)).astype(np.float32)
    return Conversation(name, audio.astype(np.float32), _joined(reference))


def _joined(turns: list[tuple[float, float, str]]) -> list[tuple[float, float, str]]:
    out: list[tuple[float, float, str]] = []
    for start, end, voice in turns:
        if out and out[-1][2] == voice and start - out[-1][1] < 0.01:
            out[-1] = (out[-1][0], end, voice)
        else:
            out.append((start, end, voice))
    return out


def conversations() -> list[Conversation]:
    return [
        assemble(name, pieces, pauses, seed=n)
        for n, (name, pieces, pauses) in enumerate(CONVERSATIONS)
    ]


def long_recording(minutes: float) -> Conversation:
    """The conversations one after the other, again and again, with pauses of 0.5-3 s, until
    `minutes` of audio."""
    rng = np.random.default_rng(7)
    parts, reference, at = [], [], 0.0
    base = conversations()
    for n in itertools.count():
        if at >= minutes * 60:
            break
        conv = base[n % len(base)]
        for start, end, voice in conv.reference:
            reference.append((at + start, at + end, voice))
        parts.append(conv.audio)
        at += conv.duration
        pause = np.zeros(int(rng.uniform(0.5, 3.0) * RATE), dtype=np.float32)
        parts.append(pause)
        at += len(pause) / RATE
    return Conversation(f"{minutes:g} min", np.concatenate(parts), _joined(reference))


# --- scoring -------------------------------------------------------------------------------


def _frames(turns: list[tuple[float, float, str]], count: int, names: list[str]) -> np.ndarray:
    """-1 for silence, else the index of the voice, per 10 ms frame."""
    labels = np.full(count, -1, dtype=np.int64)
    for start, end, voice in turns:
        labels[round(start / FRAME) : round(end / FRAME)] = names.index(voice)
    return labels


@dataclass
class Score:
    reference: float  # seconds of scored reference speech
    missed: float
    false_alarm: float
    confusion: float
    voices_found: int

    @property
    def der(self) -> float:
        return (self.missed + self.false_alarm + self.confusion) / self.reference

    def add(self, other: Score) -> Score:
        return Score(
            self.reference + other.reference,
            self.missed + other.missed,
            self.false_alarm + other.false_alarm,
            self.confusion + other.confusion,
            0,
        )


def der(
    reference: list[tuple[float, float, str]],
    hypothesis: list[tuple[float, float, str]],
    duration: float,
    collar: float = COLLAR,
) -> Score:
    """Missed speech, false alarm and confusion (seconds) outside the collar, with the best
    one-to-one mapping of hypothesis voices to reference voices."""
    count = int(np.ceil(duration / FRAME)) + 1
    ref_names = sorted({v for *_, v in reference})
    hyp_names = sorted({v for *_, v in hypothesis})
    ref = _frames(reference, count, ref_names)
    hyp = _frames(hypothesis, count, hyp_names)
    scored = np.ones(count, dtype=bool)
    width = round(collar / FRAME)
    for start, end, _voice in reference:
        for edge in (start, end):
            centre = round(edge / FRAME)
            scored[max(0, centre - width) : centre + width] = False
    ref, hyp = ref[scored], hyp[scored]
    speech = ref >= 0
    missed = int(np.sum(speech & (hyp < 0)))
    false_alarm = int(np.sum(~speech & (hyp >= 0)))
    both = speech & (hyp >= 0)
    # overlap[i, j]: frames where reference voice i and hypothesis voice j speak together
    overlap = np.zeros((len(ref_names), max(1, len(hyp_names))), dtype=np.int64)
    np.add.at(overlap, (ref[both], hyp[both]), 1)
    best = _best_mapping(overlap)
    confusion = int(np.sum(both)) - best
    return Score(
        float(np.sum(speech)) * FRAME,
        missed * FRAME,
        false_alarm * FRAME,
        confusion * FRAME,
        len(hyp_names),
    )


def _best_mapping(overlap: np.ndarray) -> int:
    """The most frames matched by a one-to-one mapping (exhaustive: few voices here; the
    Hungarian algorithm gives the same for more)."""
    rows, cols = overlap.shape
    if max(rows, cols) > 8:
        raise SystemExit("più di 8 voci: usare l'algoritmo ungherese (scipy)")
    size = max(rows, cols)
    square = np.zeros((size, size), dtype=np.int64)
    square[:rows, :cols] = overlap
    return max(
        int(square[np.arange(size), list(perm)].sum())
        for perm in itertools.permutations(range(size))
    )


def as_tuples(turns: Any) -> list[tuple[float, float, str]]:
    return [(t.start, t.end, t.speaker) for t in turns]


def baseline(samples: np.ndarray) -> list[tuple[float, float, str]]:
    """Everything one voice: the speech regions diarize starts from, all labelled S1."""
    from lgnet.diarize import DiarizeSettings, speech_regions

    return [(s / RATE, e / RATE, "S1") for s, e in speech_regions(samples, DiarizeSettings())]


def evaluate(
    conv: Conversation, encoder: Any, voices: int | None = None, threshold: float | None = None
) -> tuple[Score, float]:
    from lgnet.diarize import DiarizeSettings, diarize

    settings = DiarizeSettings() if threshold is None else DiarizeSettings(threshold=threshold)
    started = time.perf_counter()
    result = diarize(conv.audio, encoder, voices=voices, settings=settings)
    elapsed = time.perf_counter() - started
    return der(conv.reference, as_tuples(result.turns), conv.duration), elapsed


def score_item(item_id: str, encoder: Any) -> None:
    """DER of an item of the archive against its `turns` (which may include pauses inside a
    turn: "missed" then counts pauses too, so confusion is given apart)."""
    from lgnet.archive import load_archive
    from lgnet.diarize import diarize
    from lgnet.media import extract_audio, load_audio
    from lgnet.project import Project

    item = load_archive(Project(ROOT)).items[item_id]
    reference = [(t.start, t.end, t.speaker) for t in item.turns]
    samples = load_audio(extract_audio(item.media_path(Project(ROOT))))
    duration = len(samples) / RATE
    print(f"\n{item_id} ({duration / 60:.1f} min, {len(item.speakers)} voci, turni della scheda):")
    for voices in (None, len(item.speakers)):
        started = time.perf_counter()
        result = diarize(samples, encoder, voices=voices)
        elapsed = time.perf_counter() - started
        score = der(reference, as_tuples(result.turns), duration)
        how = f"--voci {voices}" if voices else "automatico"
        print(
            f"  {how:12} DER {score.der:6.1%} (miss {score.missed:.1f} s, FA "
            f"{score.false_alarm:.1f} s, confusione {score.confusion:.1f} s = "
            f"{score.confusion / score.reference:.1%}), {score.voices_found} voci, {elapsed:.1f} s"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--long-minutes", type=float, default=10.0, help="speed test length")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    parser.add_argument(
        "--sweep", action="store_true", help="pooled DER for thresholds 0.25-0.45 as well"
    )
    parser.add_argument(
        "--item",
        metavar="ID",
        help="also score an archive item against its hand-given turns (e.g. the synthetic "
        "rete-workshop-dimostrativo)",
    )
    args = parser.parse_args()

    from lgnet.diarize import VoiceEncoder

    encoder = VoiceEncoder.load()
    rows: list[dict[str, Any]] = []
    pooled = {k: Score(0, 0, 0, 0, 0) for k in ("auto", "oracle", "baseline")}
    print(
        f"{'conversazione':36} {'dur s':>6} {'voci':>4} | {'DER auto':>8} {'trovate':>7} "
        f"{'miss':>5} {'FA':>5} {'conf':>5} | {'DER N':>6} | {'1 voce':>6}"
    )
    for conv in conversations():
        auto, _ = evaluate(conv, encoder)
        oracle, _ = evaluate(conv, encoder, voices=conv.voices)
        base = der(conv.reference, baseline(conv.audio), conv.duration)
        for key, score in (("auto", auto), ("oracle", oracle), ("baseline", base)):
            pooled[key] = pooled[key].add(score)
        print(
            f"{conv.name:36} {conv.duration:6.1f} {conv.voices:4d} | {auto.der:8.1%} "
            f"{auto.voices_found:7d} {auto.missed:5.2f} {auto.false_alarm:5.2f} "
            f"{auto.confusion:5.2f} | {oracle.der:6.1%} | {base.der:6.1%}"
        )
        rows.append(
            {
                "conversation": conv.name,
                "duration_s": round(conv.duration, 2),
                "voices": conv.voices,
                "reference_speech_s": round(auto.reference, 2),
                "der": round(auto.der, 4),
                "voices_found": auto.voices_found,
                "missed_s": round(auto.missed, 2),
                "false_alarm_s": round(auto.false_alarm, 2),
                "confusion_s": round(auto.confusion, 2),
                "der_given_voices": round(oracle.der, 4),
                "der_one_voice": round(base.der, 4),
            }
        )
    print(
        f"{'insieme (pooled)':36} {'':6} {'':4} | {pooled['auto'].der:8.1%} {'':7} "
        f"{pooled['auto'].missed:5.2f} {pooled['auto'].false_alarm:5.2f} "
        f"{pooled['auto'].confusion:5.2f} | {pooled['oracle'].der:6.1%} | "
        f"{pooled['baseline'].der:6.1%}"
    )
    if args.sweep:
        from lgnet.diarize import DiarizeSettings

        print(
            f"\nsoglia (predefinita {DiarizeSettings().threshold}): DER complessivo, voci trovate"
        )
        for threshold in (0.25, 0.28, 0.30, 0.32, 0.35, 0.40, 0.45):
            total, found = Score(0, 0, 0, 0, 0), []
            for conv in conversations():
                score, _ = evaluate(conv, encoder, threshold=threshold)
                total = total.add(score)
                found.append(f"{score.voices_found}/{conv.voices}")
            print(f"  {threshold:.2f}: {total.der:6.1%}  {' '.join(found)}")
    if args.item:
        score_item(args.item, encoder)
    long = long_recording(args.long_minutes)
    score, elapsed = evaluate(long, encoder)
    minutes = long.duration / 60
    print(
        f"\nregistrazione lunga {minutes:.1f} min ({long.voices} voci): DER {score.der:.1%}, "
        f"{score.voices_found} voci trovate; {elapsed:.1f} s, "
        f"{elapsed / minutes:.2f} s per minuto di audio (modello già caricato)"
    )
    if args.json:
        print(
            json.dumps(
                {
                    "conversations": rows,
                    "pooled": {k: round(v.der, 4) for k, v in pooled.items()},
                    "long": {
                        "minutes": round(minutes, 2),
                        "der": round(score.der, 4),
                        "voices_found": score.voices_found,
                        "seconds": round(elapsed, 1),
                        "seconds_per_media_minute": round(elapsed / minutes, 2),
                    },
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
