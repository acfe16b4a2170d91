"""Caption statistics against subtitle norms: cues, % with every line ≤ 42 characters, % with
at most 2 lines, % lasting 1–7 s, % at most 17 characters per second, overlapping cues.

    .venv/bin/python bench/captions.py                       # the committed transcripts/*.vtt
    .venv/bin/python bench/captions.py transcripts/*.json    # rendered now from the JSON
    .venv/bin/python bench/captions.py --speech              # adds real speech, transcribed now

A `.vtt`/`.srt` is measured as it is on disk; a `.json` is rendered with the current caption
renderer. `--speech` transcribes the real-speech clips in tests/data/ (one item each, the 55-s
`longform_dev.mp4`, and a 2.5-minute recording joining every clip three times) with the default
model in a temporary project, and measures them, also as the old one-cue-per-sentence renderer
would have cut them.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lgnet.captions import (  # noqa: E402
    CaptionStats,
    ShownCue,
    caption_stats,
    read_shown_cues,
    shown,
    transcript_cues,
)
from lgnet.transcripts import read_transcript  # noqa: E402

DATA = ROOT / "tests" / "data"
HEADER = "| set | cues | % lines ≤ 42 | % ≤ 2 lines | % 1–7 s | % ≤ 17 cps | overlaps |"


def measure(path: Path, segments: bool = False) -> CaptionStats:
    if path.suffix == ".json" and segments:  # the renderer before issue 17: a cue per sentence
        t = read_transcript(path)
        return caption_stats([ShownCue(s.start, s.end, (s.text,)) for s in t.segments])
    if path.suffix == ".json":
        return caption_stats(shown(transcript_cues(read_transcript(path))))
    return caption_stats(read_shown_cues(path.read_text(encoding="utf-8")))


def row(name: str, s: CaptionStats) -> str:
    return (
        f"| {name} | {s.cues} | {s.share(s.length_ok):.1f} | {s.share(s.lines_ok):.1f} | "
        f"{s.share(s.duration_ok):.1f} | {s.share(s.cps_ok):.1f} | {s.overlaps} |"
    )


def speech_transcripts() -> list[Path]:
    """Transcribe the real-speech clips in a temporary project; their JSON files."""
    from tests.media_factory import concat

    from lgnet.archive import load_archive
    from lgnet.project import Project
    from lgnet.transcribe import TranscribeRequest, transcribe_archive

    root = Path(tempfile.mkdtemp(prefix="lgnet-captions-"))
    (root / "archive" / "items").mkdir(parents=True)
    (root / "mkdocs.yml").write_text("site_name: t\n")
    (root / "archive" / "cities.yml").write_text("- {slug: rete, name: Rete LGNet}\n")
    (root / "archive" / "glossary.yml").write_text("[]\n")
    media = sorted(p for p in DATA.iterdir() if p.suffix in (".mp3", ".wav", ".mp4"))
    clips = [p for p in media if p.suffix != ".mp4"]
    # longer speech: every clip three times over with short pauses (about 2.5 minutes)
    media.append(concat(clips * 3, root / "lungo.wav", gap=0.4))
    for path in media:
        item = path.stem.replace("_", "-").lower()
        (root / "archive" / "items" / f"{item}.yml").write_text(
            f"title: {item}\nkind: pillola\ncity: rete\ndate: 2024\naccess: pubblico\n"
            f"media: {path}\nexternal_media: true\n"
        )
    project = Project(root)
    transcribe_archive(project, load_archive(project), TranscribeRequest(progress=False))
    return sorted(project.transcripts.glob("*.json"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--speech", action="store_true", help="also real speech, transcribed now")
    args = parser.parse_args()
    paths = args.paths or sorted((ROOT / "transcripts").glob("*.vtt"))
    print(HEADER)
    print("|---|---|---|---|---|---|---|")
    total = CaptionStats()
    for path in paths:
        stats = measure(path)
        total.add(stats)
        print(row(path.name, stats))
    print(row("**all**", total))
    if args.speech:
        speech = CaptionStats()
        for path in (transcribed := speech_transcripts()):
            stats = measure(path)
            speech.add(stats)
            print(row(f"speech: {path.stem}", stats))
        print(row("**real speech, all**", speech))
        before = CaptionStats()
        for path in transcribed:
            before.add(measure(path, segments=True))
        print(row("**real speech, one cue per sentence (before)**", before))


if __name__ == "__main__":
    main()
