"""Media made on the fly with ffmpeg for tests: silence, noise, music-like tones, broken files."""

from __future__ import annotations

import subprocess
from pathlib import Path

from lgnet.media import ffmpeg_binary


def ffmpeg(*args: str) -> None:
    subprocess.run(
        [ffmpeg_binary(), "-hide_banner", "-loglevel", "error", "-y", *args],
        check=True,
        capture_output=True,
    )


def silence(path: Path, seconds: float = 60) -> Path:
    ffmpeg("-f", "lavfi", "-i", f"anullsrc=r=16000:cl=mono:d={seconds}", str(path))
    return path


def noise(path: Path, seconds: float = 60) -> Path:
    ffmpeg("-f", "lavfi", "-i", f"anoisesrc=d={seconds}:c=pink:r=16000:a=0.3", str(path))
    return path


def music(path: Path, seconds: float = 60) -> Path:
    """A melody of changing chords with a beat: tonal, rhythmic, and no words."""
    expr = (
        "0.2*sin(2*PI*(220+110*floor(mod(t,4)))*t)+0.15*sin(2*PI*(330+55*floor(mod(t*2,3)))*t)"
        "+0.1*sin(2*PI*440*t)*lt(mod(t,0.5),0.1)"
    )
    ffmpeg("-f", "lavfi", "-i", f"aevalsrc='{expr}':s=16000:d={seconds}", str(path))
    return path


def video_without_audio(path: Path, seconds: float = 3) -> Path:
    ffmpeg(
        "-f", "lavfi", "-i", f"testsrc=size=160x120:rate=10:d={seconds}",
        "-pix_fmt", "yuv420p", str(path),
    )  # fmt: skip
    return path


def truncated(source: Path, path: Path, keep: int = 4000) -> Path:
    path.write_bytes(source.read_bytes()[:keep])
    return path


def concat(sources: list[Path], path: Path, gap: float = 0.8) -> Path:
    """Join clips (any format) into one 16 kHz mono WAV with pauses between them."""
    inputs: list[str] = []
    parts = []
    for n, src in enumerate(sources):
        inputs += ["-i", str(src)]
        parts.append(
            f"[{n}:a]aresample=16000,aformat=channel_layouts=mono,apad=pad_dur={gap}[a{n}]"
        )
    joined = "".join(f"[a{n}]" for n in range(len(sources)))
    graph = ";".join(parts) + f";{joined}concat=n={len(sources)}:v=0:a=1[out]"
    ffmpeg(*inputs, "-filter_complex", graph, "-map", "[out]", str(path))
    return path
