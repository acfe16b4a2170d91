"""Web copies: transcode speed (× real time) and size per hour, against publishing the original.

    .venv/bin/python bench/transcode.py                  # 150 s inputs, the main table
    .venv/bin/python bench/transcode.py --seconds 60     # quicker, noisier
    .venv/bin/python bench/transcode.py --compare        # adds the settings comparison (30 s)

Inputs, made in a temporary folder (nothing of the repository is changed):

* **HD clean**: 1080p25 `testsrc2` (moving pattern, scrolling text) at ~12 Mbit/s, the rate
  of a consumer camera, with real Italian speech (the clips of tests/data, looped) as 48 kHz
  stereo AAC at 192 kbit/s;
* **HD grain**: the same with film grain (`noise=alls=12:allf=t`): every pixel changes in
  every frame, as in a camera's picture in a dim room, the hard case for the bit-rate cap;
* **sound only**: the speech track alone as 48 kHz stereo AAC at 192 kbit/s (a recorder);
* **demo video**: archive/media/rete-da-lgnetea-a-lgnet2.mp4 (640x360, already web-ready, so
  the web copy is a stream copy), and the same forced through the encoder.

Each row: the original published as it is (`web: originale`: streams copied, metadata
dropped), then its web copy (`lgnet.webmedia.web_copy`, the settings in `lgnet.webmedia.WEB`).
Speed is media seconds per wall-clock second of the ffmpeg run; "CPU s/min" is the CPU
time ffmpeg used per minute of media (the fairer figure on a shared machine). Size per hour
is extrapolated linearly from the file's size.

`--compare` encodes the first 30 s of both HD inputs with other settings (CRF, cap, preset)
and reports video bit rate, speed and SSIM against the source scaled to 720p, the
measurements behind the chosen settings.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lgnet import webmedia  # noqa: E402
from lgnet.media import ffmpeg_binary, probe  # noqa: E402
from lgnet.webmedia import WEB, publishable_copy, web_copy, web_plan  # noqa: E402

DATA = ROOT / "tests" / "data"
DEMO = ROOT / "archive" / "media" / "rete-da-lgnetea-a-lgnet2.mp4"
HEADER = (
    "| input | published | resolution | video kbit/s | audio kbit/s | time (s) | × real time "
    "| CPU s/min | MB | MB per hour |"
)


def run(*args: str) -> None:
    subprocess.run(
        [ffmpeg_binary(), "-hide_banner", "-loglevel", "error", "-y", *args],
        check=True,
        capture_output=True,
    )


def speech_track(folder: Path, seconds: float) -> Path:
    """The real speech clips of tests/data joined with short pauses, looped to `seconds`,
    as 48 kHz stereo PCM."""
    clips = sorted(p for p in DATA.iterdir() if p.suffix in (".mp3", ".wav"))
    inputs: list[str] = []
    parts = []
    for n, clip in enumerate(clips):
        inputs += ["-i", str(clip)]
        parts.append(
            f"[{n}:a]aresample=48000,aformat=channel_layouts=stereo,apad=pad_dur=0.6[a{n}]"
        )
    joined = "".join(f"[a{n}]" for n in range(len(clips)))
    once = folder / "parlato-una-volta.wav"
    run(*inputs, "-filter_complex", ";".join(parts) + f";{joined}concat=n={len(clips)}:v=0:a=1",
        str(once))  # fmt: skip
    looped = folder / "parlato.wav"
    run("-stream_loop", "-1", "-i", str(once), "-t", f"{seconds}", "-c:a", "pcm_s16le",
        str(looped))  # fmt: skip
    return looped


def hd_input(folder: Path, name: str, speech: Path, seconds: float, grain: bool) -> Path:
    source = f"testsrc2=size=1920x1080:rate=25:d={seconds}" + (
        ",noise=alls=12:allf=t" if grain else ""
    )
    path = folder / name
    run("-f", "lavfi", "-i", source, "-i", str(speech), "-map", "0:v", "-map", "1:a",
        "-c:v", "libx264", "-preset", "ultrafast", "-b:v", "12M", "-maxrate", "12M",
        "-bufsize", "24M", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "192k",
        "-t", f"{seconds}", str(path))  # fmt: skip
    return path


def sound_input(folder: Path, speech: Path) -> Path:
    path = folder / "registratore.m4a"
    run("-i", str(speech), "-c:a", "aac", "-b:a", "192k", str(path))
    return path


def stream_rates(path: Path) -> tuple[str, float | None, float | None]:
    """Resolution and the video and audio bit rates (kbit/s) of a file, by ffprobe."""
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-of", "csv=p=0", "-show_entries",
         "stream=codec_type,width,height,bit_rate", str(path)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    size, video, audio = "–", None, None
    for line in out.splitlines():
        fields = line.split(",")
        if fields[0] == "video":
            size = f"{fields[1]}x{fields[2]}"
            video = int(fields[3]) / 1000 if fields[3].isdigit() else None
        elif fields[0] == "audio":
            audio = int(fields[-1]) / 1000 if fields[-1].isdigit() else None
    return size, video, audio


def timed(make: Callable[[], None]) -> tuple[float, float]:
    """Wall-clock and children's CPU seconds of `make()`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    make()
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def _kbits(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f}"


def row(name: str, how: str, path: Path, wall: float, cpu: float, duration: float) -> str:
    size, video, audio = stream_rates(path)
    megabytes = path.stat().st_size / 1e6
    return (
        f"| {name} | {how} | {size} | {_kbits(video)} | {_kbits(audio)} | {wall:.1f} | "
        f"{duration / wall:.1f} | {cpu / duration * 60:.0f} | {megabytes:.1f} | "
        f"{megabytes * 3600 / duration:.0f} |"
    )


def measure(name: str, source: Path, out: Path, *, force_encode: bool = False) -> list[str]:
    duration = probe(source).duration
    rows = []
    original = out / f"{source.stem}-originale{source.suffix}"
    wall, cpu = timed(partial(publishable_copy, source, original))
    rows.append(row(name, "original (`web: originale`)", original, wall, cpu, duration))
    plan = web_plan(source)
    if force_encode:
        plan = dataclasses.replace(plan, copy_video=False, copy_audio=False)
    target = out / f"{source.stem}-web{plan.suffix}"
    wall, cpu = timed(partial(web_copy, source, target, plan))
    how = "web copy" + (" (stream copy)" if not plan.encodes else "")
    how += " (forced encode)" if force_encode else ""
    rows.append(row(name, how, target, wall, cpu, duration))
    return rows


def ssim(copy: Path, source: Path) -> float:
    """SSIM of `copy` against `source` scaled the same way (1.0: identical)."""
    proc = subprocess.run(
        [ffmpeg_binary(), "-hide_banner", "-i", str(copy), "-i", str(source), "-filter_complex",
         f"[1:v]{webmedia.WEB_SCALE},fps=25[ref];[0:v]fps=25[cmp];[cmp][ref]ssim",
         "-f", "null", "-"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    match = re.search(r"All:([\d.]+)", proc.stderr)
    return float(match.group(1)) if match else float("nan")


def compare(sources: dict[str, Path], out: Path) -> None:
    variants = [
        ("CRF 23, cap 1.5M, veryfast (chosen)", {}),
        ("CRF 23, no cap, veryfast", {"maxrate": 0, "bufsize": 0}),
        ("CRF 26, cap 1.5M, veryfast", {"crf": 26}),
        ("CRF 23, cap 1.5M, faster", {"preset": "faster"}),
        ("CRF 23, cap 1.5M, medium", {"preset": "medium"}),
    ]
    print()
    print("| input (first 30 s) | settings | video kbit/s | SSIM vs source at 720p | × real time "
          "| CPU s/min |")  # fmt: skip
    print("|---|---|---|---|---|---|")
    for name, full in sources.items():
        source = out / f"{full.stem}-30s.mp4"
        run("-i", str(full), "-t", "30", "-c", "copy", str(source))
        seconds = probe(source).duration
        plan = dataclasses.replace(web_plan(source), copy_video=False, copy_audio=False)
        for label, changes in variants:
            webmedia.WEB = dataclasses.replace(WEB, **changes)  # type: ignore[arg-type]
            try:
                target = out / f"cmp-{len(os.listdir(out))}.mp4"
                wall, cpu = timed(partial(web_copy, source, target, plan))
            finally:
                webmedia.WEB = WEB
            _, video, _ = stream_rates(target)
            print(
                f"| {name} | {label} | {video or 0:.0f} | {ssim(target, source):.4f} | "
                f"{seconds / wall:.1f} | {cpu / seconds * 60:.0f} |"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=150.0, help="length of the HD inputs")
    parser.add_argument("--compare", action="store_true", help="also compare settings (30 s)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lgnet-transcode-") as tmp:
        folder = Path(tmp)
        os.environ.setdefault("LGNET_CACHE_DIR", str(folder / "cache"))
        out = folder / "out"
        out.mkdir()
        print(f"Making the inputs ({args.seconds:.0f} s)…", file=sys.stderr)
        speech = speech_track(folder, args.seconds)
        clean = hd_input(folder, "hd-pulito.mp4", speech, args.seconds, grain=False)
        grain = hd_input(folder, "hd-grana.mp4", speech, args.seconds, grain=True)
        sound = sound_input(folder, speech)
        print(f"ffmpeg {ffmpeg_binary()}, {os.cpu_count()} cores, settings {WEB}")
        print()
        print(HEADER)
        print("|---|---|---|---|---|---|---|---|---|---|")
        for name, source, force in (
            ("HD clean, 1080p", clean, False),
            ("HD grain, 1080p", grain, False),
            ("sound only", sound, False),
            ("demo video, 640x360", DEMO, False),
            ("demo video, 640x360", DEMO, True),
        ):
            print(f"Measuring {name}…", file=sys.stderr)
            for line in measure(name, source, out, force_encode=force):
                print(line, flush=True)
        if args.compare:
            compare({"HD clean": clean, "HD grain": grain}, out)


if __name__ == "__main__":
    main()
