"""How well "probability below a threshold" finds the words the model got wrong, and where
a corrected word lands once re-aligned.

    .venv/bin/python bench/review.py                      # the confidence threshold
    .venv/bin/python bench/review.py --revision a9ce70a   # on the transcripts of a commit
    .venv/bin/python bench/review.py --realign            # also: a correction re-timed

For every demo transcript in transcripts/ whose reference text is known (the real-speech item
against tests/data/references.tsv, the synthetic narrations against their script in
scripts/make_demo_media.py), the recognised words are matched to the reference words
(difflib on words folded to letters and digits); a word is *wrong* when it is not part of a
match. Transcripts that are a narration's script aligned to its audio (not recognised) are
skipped; `--revision` reads the transcripts of a git commit (the demo narrations were Whisper's
until they were aligned to their script). For several thresholds it prints how many words would be marked "incerta", how many of
those are wrong (precision) and how many wrong words are marked (recall). `lgnet.review`'s
LOW_CONFIDENCE is chosen from this table.

`--realign` imports, as the correction view does, the correction "Ogni uno" -> "Ognuno" on the
test recording of tests/test_correction_view.py (two read sentences cut at known points, so
the word is known to start at ONSET) and prints the re-aligned start, the start it would have
kept without the audio, and the import's time. Never run by the tests.
"""

from __future__ import annotations

import argparse
import csv
import difflib
import importlib.util
import json
import re
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7)


def fold(token: str) -> str:
    plain = unicodedata.normalize("NFKD", token).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "", plain)


def references() -> dict[str, str]:
    """Item id -> what is really said."""
    with (REPO / "tests" / "data" / "references.tsv").open(encoding="utf-8") as handle:
        rows = {row["file"]: row["transcript"] for row in csv.DictReader(handle, delimiter="\t")}
    out = {"rete-prova-voci-reali": rows["longform_dev.mp4"]}
    spec = importlib.util.spec_from_file_location(
        "make_demo_media", REPO / "scripts" / "make_demo_media.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_demo_media"] = module
    spec.loader.exec_module(module)
    for value in vars(module).values():
        if isinstance(value, module.Recording) and not value.name.startswith("rete-prova"):
            out[value.name.rsplit(".", 1)[0]] = " ".join(line.text for line in value.lines)
    return out


def transcript_data(item_id: str, revision: str | None) -> dict[str, Any] | None:
    path = f"transcripts/{item_id}.json"
    if revision is None:
        text = (REPO / path).read_text(encoding="utf-8") if (REPO / path).exists() else None
    else:
        shown = subprocess.run(
            ["git", "show", f"{revision}:{path}"], cwd=REPO, capture_output=True, text=True
        )
        text = shown.stdout if shown.returncode == 0 else None
    data = json.loads(text) if text else None
    if data is None or data.get("provenance", {}).get("method"):
        return None  # none, or not recognised (a script aligned to the audio)
    return dict(data)


def scored_words(data: dict[str, Any], reference: str) -> list[tuple[float, bool]]:
    """(probability, right) for every recognised word of the transcript."""
    words = [(w["word"], float(w["probability"])) for s in data["segments"] for w in s["words"]]
    heard, said = [fold(w) for w, _ in words], [fold(w) for w in reference.split()]
    right = [False] * len(words)
    matcher = difflib.SequenceMatcher(a=heard, b=said, autojunk=False)
    for tag, i1, i2, _, _ in matcher.get_opcodes():
        if tag == "equal":
            right[i1:i2] = [True] * (i2 - i1)
    return [(p, ok) for (_, p), ok in zip(words, right, strict=True)]


def main(revision: str | None) -> None:
    scored: list[tuple[float, bool]] = []
    items = 0
    for item_id, reference in sorted(references().items()):
        data = transcript_data(item_id, revision)
        if data is not None:
            scored += scored_words(data, reference)
            items += 1
    print(f"{items} recognised transcripts ({revision or 'working tree'})")
    wrong = sum(not ok for _, ok in scored)
    print(f"{len(scored)} recognised words, {wrong} wrong ({100 * wrong / len(scored):.0f}%)")
    print("threshold  marked (share)  wrong among marked (precision)  recall")
    for t in THRESHOLDS:
        marked = [ok for p, ok in scored if p < t]
        hits = sum(not ok for ok in marked)
        print(
            f"p < {t:.1f}    {len(marked):4d} ({100 * len(marked) / len(scored):3.0f}%)"
            f"     {hits:4d} ({hits / max(len(marked), 1):.2f})"
            f"                      {hits / max(wrong, 1):.2f}"
        )


def realign() -> None:
    sys.path.insert(0, str(REPO))
    from tests.test_correction_view import HEARD, ITEM, ONSET, RIGHT, WORDS_2, correction_project

    from lgnet.corrections import sync_corrections
    from lgnet.transcripts import TranscriptFiles, read_transcript

    with tempfile.TemporaryDirectory() as tmp:
        project = correction_project(Path(tmp) / "p", Path(tmp) / "media")
        files = TranscriptFiles(project.transcripts, ITEM)
        vtt = files.vtt.read_text(encoding="utf-8")
        first_line = HEARD.split(",")[0]
        files.vtt.write_text(vtt.replace(first_line, RIGHT.split(",")[0]), encoding="utf-8")
        started = time.monotonic()
        sync_corrections(project.transcripts, ITEM)
        elapsed = time.monotonic() - started
        word = read_transcript(files.json).segments[1].words[0]
    before = WORDS_2[0][1]
    print(f"'{word.word.strip()}' spoken from {ONSET:.3f} s")
    print(f"  re-aligned start {word.start:.3f} s: error {abs(word.start - ONSET) * 1000:.0f} ms")
    print(f"  without the audio {before:.3f} s: error {abs(before - ONSET) * 1000:.0f} ms")
    print(f"  import with re-alignment (model loaded): {elapsed:.1f} s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--realign", action="store_true", help="also measure a re-aligned correction"
    )
    parser.add_argument("--revision", default=None, help="read transcripts/ at this git commit")
    args = parser.parse_args()
    main(args.revision)
    if args.realign:
        realign()
