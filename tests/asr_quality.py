"""Word error rate as the issues define it: lower case, punctuation removed."""

from __future__ import annotations

import csv
import re
import unicodedata
from pathlib import Path

import jiwer

# The shared real Italian clips (tests/data, see ATTRIBUTION.md), without the long video.
CLIPS = [
    "cv_it_19574384.mp3",
    "cv_it_19574386.mp3",
    "cv_it_20030672.mp3",
    "fleurs_it_1521.wav",
    "picovoice_cheetah_test_it.wav",
    "picovoice_cheetah_test_it_2024.wav",
    "picovoice_leopard_test_it.wav",
]


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFC", text.lower())
    text = text.replace("'", " ").replace("’", " ")
    text = re.sub(r"[^\w\s]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def wer(reference: str, hypothesis: str) -> float:
    return float(jiwer.wer(normalise(reference), normalise(hypothesis) or "∅"))


def pooled_wer(pairs: list[tuple[str, str]]) -> float:
    refs = [normalise(r) for r, _ in pairs]
    hyps = [normalise(h) or "∅" for _, h in pairs]
    return float(jiwer.wer(refs, hyps))


def references(tsv: Path) -> dict[str, str]:
    with tsv.open(encoding="utf-8") as handle:
        rows = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        return {row["file"]: row["transcript"] for row in rows}
