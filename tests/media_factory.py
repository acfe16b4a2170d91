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


def tone(path: Path, seconds: float = 8, rate: int = 44100) -> Path:
    """A 440 Hz sine, peak 0.125 (RMS 0.088): every millisecond has sound in it."""
    codec = ["-c:a", "aac", "-b:a", "128k"] if path.suffix in (".m4a", ".mp4") else []
    ffmpeg("-f", "lavfi", "-i", f"sine=frequency=440:sample_rate={rate}:d={seconds}",
           *codec, str(path))  # fmt: skip
    return path


def faststart_mp4(path: Path, seconds: float = 20) -> Path:
    """H.264 + AAC with the index (moov) at the front, as web encoders write it."""
    ffmpeg("-f", "lavfi", "-i", f"testsrc=size=320x240:rate=25:d={seconds}",
           "-f", "lavfi", "-i", f"sine=frequency=440:d={seconds}",
           "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-c:a", "aac",
           "-shortest", "-movflags", "+faststart", str(path))  # fmt: skip
    return path


def cut_in_half(source: Path, path: Path) -> Path:
    data = source.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


# Codecs for a subtitle track in each container.
SUBTITLE_CODECS = {".mkv": "srt", ".webm": "webvtt", ".mp4": "mov_text"}


def video_with_everything(
    path: Path,
    *,
    secret: str,
    seconds: float = 6,
    subtitles: bool = True,
) -> Path:
    """Video + audio + (a subtitle track saying `secret`) + a second audio track, a chapter
    and global and per-stream tags (title, comment, location, creation_time) naming `secret`:
    all a published copy must leave out."""
    folder = path.parent
    srt = folder / f"{path.stem}-sub.srt"
    srt.write_text(f"1\n00:00:00,500 --> 00:00:03,000\nla parola è {secret}\n", "utf-8")
    chapters = folder / f"{path.stem}-meta.txt"
    chapters.write_text(
        f";FFMETADATA1\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=3000\ntitle=Capitolo {secret}\n",
        "utf-8",
    )
    webm = path.suffix == ".webm"
    video = (
        ["-c:v", "libvpx", "-b:v", "200k"] if webm else ["-c:v", "libx264", "-pix_fmt", "yuv420p"]
    )
    audio = ["-c:a", "libopus"] if webm else ["-c:a", "aac"]
    args = [
        "-f", "lavfi", "-i", f"testsrc=size=160x120:rate=25:d={seconds}",
        "-f", "lavfi", "-i", f"sine=frequency=440:d={seconds}",
        "-f", "lavfi", "-i", f"sine=frequency=660:d={seconds}",
        "-i", str(chapters),
    ]  # fmt: skip
    maps = ["-map", "0:v", "-map", "1:a", "-map", "2:a"]
    if subtitles:
        args += ["-i", str(srt)]
        maps += ["-map", "4:s", "-c:s", SUBTITLE_CODECS[path.suffix]]
    ffmpeg(
        *args, *maps, "-map_metadata", "3", "-map_chapters", "3", *video, *audio,
        "-metadata", f"title=Intervista a {secret}", "-metadata", f"comment=girato da {secret}",
        "-metadata", "location=+45.4642+009.1900/",
        "-metadata", "creation_time=2021-03-04T05:06:07Z",
        "-metadata:s:a:0", f"title=voce di {secret}", "-metadata:s:v:0", f"handler_name={secret}",
        "-t", str(seconds), str(path),
    )  # fmt: skip
    return path
