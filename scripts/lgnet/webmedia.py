"""The copy of a recording the site publishes: `web_copy` (H.264/AAC MP4 at most 720p with
`faststart`, or AAC for sound alone; the settings are `WEB`) or, when an item asks for its
original (`web: originale`) or a copy is already fit for the web, `publishable_copy` (the
original's streams as they are). Either way one picture and one sound, and nothing of the
original's metadata, chapters, subtitles or encoder names.

The probing, caching and audio extraction these rely on are in `lgnet.media`.
"""

from __future__ import annotations

import contextlib
import math
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from lgnet.errors import MediaError
from lgnet.fsutil import atomic_output
from lgnet.media import (
    LOG_PREFIX,
    MP4_FAMILY,
    PROGRESS_TIME,
    audio_codec_args,
    ffmpeg_binary,
    hms,
    last_error_line,
    media_facts,
    probe,
    video_codec_args,
)

# --- publishable copies: one picture, one sound, nothing else ------------------------------

# The only tags a published copy may show (to ffprobe), and the values they may have: facts
# the muxer writes itself, never anything carried over from the original. Anything else is a
# leak for the audit (lgnet.audit.audit_media_file).
ALLOWED_FORMAT_TAGS: dict[str, re.Pattern[str]] = {
    # MP4 brands, written by the mov muxer from the file type
    "major_brand": re.compile(r"[A-Za-z0-9 ]{4}"),
    "minor_version": re.compile(r"\d{1,10}"),
    "compatible_brands": re.compile(r"[A-Za-z0-9 ]{0,64}"),
    # Matroska/WebM must name a muxing application: with +bitexact it is a bare "Lavf"
    "encoder": re.compile(r"Lavf"),
}
ALLOWED_STREAM_TAGS: dict[str, re.Pattern[str]] = {
    "language": re.compile(r"und"),
    # MP4 handler and vendor boxes: the mov muxer's defaults, never the original's
    "handler_name": re.compile(r"VideoHandler|SoundHandler"),
    "vendor_id": re.compile(r"\[0\]\[0\]\[0\]\[0\]"),
    # Matroska writes each track's duration as a tag
    "DURATION": re.compile(r"\d{2}:\d{2}:\d{2}\.\d{9}"),
    # a re-encoded stream names its encoder (MP4 keeps it in the sample description), with
    # +bitexact without any version: "Lavc libx264"; the MP3 muxer's Xing/LAME header names
    # the muxer instead: "Lavf"
    "encoder": re.compile(r"Lavc [a-z0-9_]+|Lavf"),
}

# SEI messages of H.264/H.265 carry the encoder's name and options and can carry closed
# captions (CEA-608/708): a copied bitstream drops them all (decoding does not need them).
_SEI_FILTERS = {"h264": "filter_units=remove_types=6", "hevc": "filter_units=remove_types=39|40"}


def publishable_copy(
    source: Path,
    target: Path,
    *,
    audio_filter: str | None = None,
    video_filter: str | None = None,
) -> None:
    """Write `target` (same container as its suffix says) with only the first video stream
    that is not a cover picture and the first audio stream of `source`: no subtitles, data,
    attachments, chapters, metadata or encoder names. Streams are copied as they are unless a
    filter must change them, and only that stream is re-encoded."""
    info = probe(source)
    suffix = target.suffix.lower()
    video: list[str] = []
    coded: str | None = None
    if info.has_video:
        if video_filter:
            video = ["-vf", video_filter, *video_codec_args(suffix)]
            coded = "h264" if video_codec_args(suffix)[1] == "libx264" else None
        else:
            video = ["-c:v", "copy"]
            coded = info.video_codec
    audio: list[str] = []
    if info.has_audio:
        if audio_filter:
            codec = audio_codec_args(suffix)
            if suffix == ".wav" and (info.audio_codec or "").startswith("pcm_"):
                codec = ["-c:a", str(info.audio_codec)]  # the same samples, bit for bit
            audio = ["-af", audio_filter, *codec]
        else:
            audio = ["-c:a", "copy"]

    def failed(error: str, _reached: float) -> MediaError:
        return MediaError(
            f"{source}: impossibile preparare la copia da pubblicare ({error}); "
            "verificare che il file sia integro"
        )

    _write_stripped(source, target, video, coded, audio, failed)


def _write_stripped(
    source: Path,
    target: Path,
    video: list[str],
    video_codec: str | None,
    audio: list[str],
    failed: Callable[[str, float], MediaError],
    *,
    strict: bool = False,
    on_progress: Callable[[float], None] | None = None,
) -> None:
    """Run ffmpeg to write `target` from `source` with the given codec options for the first
    picture (`video`, empty: none) and the first sound (`audio`), and nothing else of the
    original: no other stream, no chapters, no metadata, no encoder names (bitexact), no SEI
    of H.264/H.265 (encoder options, closed captions). Written atomically: when ffmpeg fails,
    nothing is left at `target` and `failed(ffmpeg's last error line, seconds written)` is
    raised. `strict` stops at the first decoding error (ffmpeg would otherwise conceal it and
    write a damaged picture)."""
    suffix = target.suffix.lower()
    args = [ffmpeg_binary(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y"]
    args += ["-xerror"] if strict else []
    args += ["-i", str(source), "-map_metadata", "-1", "-map_chapters", "-1"]
    args += ["-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact"]
    if video:
        args += ["-map", "0:V:0", *video]
        if video_codec in _SEI_FILTERS:
            args += ["-bsf:v", _SEI_FILTERS[video_codec]]
    if audio:
        args += ["-map", "0:a:0", *audio]
    if suffix in MP4_FAMILY:
        args += ["-movflags", "+faststart"]
    if suffix == ".mp3":
        args += ["-id3v2_version", "0"]
    # Streams that start at different times need more than ffmpeg's default queue.
    args += ["-max_muxing_queue_size", "4096", "-progress", "pipe:1", "-nostats"]
    with atomic_output(target) as tmp:
        code, stderr, reached = _run_with_progress([*args, str(tmp)], on_progress)
        if code != 0:  # raised inside the block: the temporary file is removed, not renamed
            error = LOG_PREFIX.sub("", last_error_line(stderr)).removeprefix(f"{source}: ")
            raise failed(error, reached)


def _run_with_progress(
    args: list[str], on_progress: Callable[[float], None] | None
) -> tuple[int, bytes, float]:
    """Run an ffmpeg command that reports with `-progress pipe:1`: its exit code, its stderr
    and the last output time it reported (seconds). stderr goes to a file, not a pipe, so a
    flood of decoder warnings can never block ffmpeg while this reads its progress."""
    import tempfile

    reached = 0.0
    with (
        tempfile.TemporaryFile() as errors,
        subprocess.Popen(args, stdout=subprocess.PIPE, stderr=errors) as proc,
    ):
        assert proc.stdout is not None
        try:
            for raw in proc.stdout:
                match = PROGRESS_TIME.match(raw.decode("ascii", "replace").strip())
                if match:
                    reached = max(reached, int(match.group(1)) / 1e6)
                    if on_progress is not None:
                        on_progress(reached)
            code = proc.wait()
        except BaseException:  # Ctrl-C: stop ffmpeg before the temporary file is removed
            proc.kill()
            raise
        errors.seek(0)
        return code, errors.read(), reached


# --- web copies: what the site publishes unless an item asks for its original -------------


@dataclass(frozen=True)
class WebSettings:
    """How a published recording is made fit for the web. Measured and explained in
    devdocs/media.md; every value is part of each copy's cache key, so changing one makes
    every web copy again on the next build."""

    max_long_side: int = 1280  # 720p: 1280x720 landscape, 720x1280 portrait, never upscaled
    max_short_side: int = 720
    max_fps: float = 30.0  # 50/60 fps are halved: the same bits for half the frames
    preset: str = "veryfast"
    crf: int = 23  # quality target; the cap below binds only on hard (noisy, busy) pictures
    maxrate: int = 1_500_000  # video bits per second, capped over any bufsize window
    bufsize: int = 3_000_000  # two seconds at maxrate
    keyframe_seconds: float = 2.0  # a seek never decodes more than two seconds of picture
    audio_bitrate: int = 64_000  # AAC-LC: speech stays clear, 29 MB per hour
    # Published as they are (no generation loss): H.264 that fits the box at <= maxrate, and
    # sound in AAC (MP3 for audio-only items) at up to this rate; every browser plays them.
    audio_copy_max: int = 96_000


WEB = WebSettings()
WEB_VIDEO_PROFILES = ("Constrained Baseline", "Baseline", "Main", "High")
WEB_AAC_PROFILES = ("LC", "HE-AAC", "HE-AACv2")
WEB_PIXEL_FORMATS = ("yuv420p", "yuvj420p")
_INTERLACED = ("tt", "bb", "tb", "bt")


@dataclass(frozen=True)
class WebPlan:
    """How one original becomes its web copy: the container, which stream is copied as it is
    and which is encoded, and with what changes."""

    suffix: str  # ".mp4" for video, ".m4a" (AAC) or ".mp3" (a copied MP3) for sound only
    has_video: bool
    has_audio: bool
    copy_video: bool = False
    copy_audio: bool = False
    fps: str | None = None  # frame rate of the encoded picture, when the original's is higher
    deinterlace: bool = False
    channels: int | None = None  # downmix to this many channels (surround sound)

    @property
    def encodes(self) -> bool:
        return (self.has_video and not self.copy_video) or (self.has_audio and not self.copy_audio)


class MediaToolError(MediaError):
    """ffmpeg cannot make web copies on this computer (no H.264 or AAC encoder, no room on
    disk): a problem of the installation, not of one recording, so no build goes on."""


def _number(value: Any) -> float | None:
    """A positive number from ffprobe's text ("1500000", "30000/1001"), else None."""
    text = str(value)
    try:
        if "/" in text:
            num, den = text.split("/", 1)
            number = float(num) / float(den)
        else:
            number = float(text)
    except (ValueError, ZeroDivisionError):
        return None
    return number if number > 0 else None


def _first_stream(facts: dict[str, Any], kind: str) -> dict[str, Any] | None:
    for stream in facts.get("streams", []):
        if stream.get("codec_type") != kind:
            continue
        if kind == "video" and (stream.get("disposition") or {}).get("attached_pic"):
            continue
        return dict(stream)
    return None


def _bit_rate(stream: dict[str, Any], fallback: float | None) -> float | None:
    """A stream's bit rate from ffprobe, Matroska's BPS tag (mkvmerge), or `fallback`."""
    tags = stream.get("tags") or {}
    for value in (stream.get("bit_rate"), tags.get("BPS"), tags.get("BPS-eng")):
        rate = _number(value)
        if rate is not None:
            return rate
    return fallback


def fits_web_box(width: int, height: int) -> bool:
    return max(width, height) <= WEB.max_long_side and min(width, height) <= WEB.max_short_side


def _video_is_web_ready(stream: dict[str, Any], file_rate: float | None) -> bool:
    width, height = int(stream.get("width") or 0), int(stream.get("height") or 0)
    rate = _bit_rate(stream, file_rate)  # the whole file's rate is an upper bound
    fps = _number(stream.get("avg_frame_rate"))
    return (
        stream.get("codec_name") == "h264"
        and stream.get("profile") in WEB_VIDEO_PROFILES
        and stream.get("pix_fmt") in WEB_PIXEL_FORMATS
        and width > 0
        and height > 0
        and fits_web_box(width, height)
        and (fps is None or fps <= WEB.max_fps + 0.5)
        and stream.get("field_order") not in _INTERLACED
        and rate is not None
        and rate <= WEB.maxrate
    )


def _audio_is_web_ready(stream: dict[str, Any], file_rate: float | None, alone: bool) -> bool:
    rate = _bit_rate(stream, file_rate if alone else None)
    codec = stream.get("codec_name")
    playable = (codec == "aac" and stream.get("profile") in WEB_AAC_PROFILES) or (
        alone and codec == "mp3"
    )
    return (
        playable
        and int(stream.get("channels") or 0) in (1, 2)
        and rate is not None
        and rate <= WEB.audio_copy_max
    )


def web_plan(source: Path, *, video_filter: bool = False, audio_filter: bool = False) -> WebPlan:
    """How `source` becomes its web copy. A stream that already plays everywhere at the
    target's size and rate, and that no redaction must change, is copied (a second encoding
    would only lose quality); any other is encoded. Without ffprobe every stream is encoded,
    which is always correct."""
    info = probe(source)
    try:
        facts = media_facts(source)
    except MediaError:
        facts = {}
    file_rate = _number((facts.get("format") or {}).get("bit_rate"))
    video = _first_stream(facts, "video") if info.has_video else None
    audio = _first_stream(facts, "audio") if info.has_audio else None
    copy_video = bool(video) and not video_filter and _video_is_web_ready(video or {}, file_rate)
    copy_audio = (
        bool(audio)
        and not audio_filter
        and _audio_is_web_ready(audio or {}, file_rate, alone=not info.has_video)
    )
    fps: str | None = None
    rate = _number((video or {}).get("avg_frame_rate"))
    if rate is not None and rate > WEB.max_fps + 0.5:
        num, _, den = str((video or {})["avg_frame_rate"]).partition("/")
        fps = f"{num}/{int(den or 1) * math.ceil(rate / WEB.max_fps - 0.01)}"
    if info.has_video:
        suffix = ".mp4"
    else:
        suffix = ".mp3" if copy_audio and (audio or {}).get("codec_name") == "mp3" else ".m4a"
    channels = int((audio or {}).get("channels") or 0)
    return WebPlan(
        suffix=suffix,
        has_video=info.has_video,
        has_audio=info.has_audio,
        copy_video=copy_video,
        copy_audio=copy_audio,
        fps=None if copy_video else fps,
        deinterlace=not copy_video and (video or {}).get("field_order") in _INTERLACED,
        channels=2 if channels > 2 and not copy_audio else None,
    )


# Fit the picture in 1280x720 (720x1280 when portrait), keeping its shape, never enlarging it,
# with even sides (H.264 in 4:2:0 needs them).
_LONG, _SHORT = WEB.max_long_side, WEB.max_short_side
WEB_SCALE = (
    f"scale=w='min(iw,if(gte(iw,ih),{_LONG},{_SHORT}))':h='min(ih,if(gte(iw,ih),{_SHORT},{_LONG}))'"
    ":force_original_aspect_ratio=decrease:force_divisible_by=2"
)


def web_video_args(plan: WebPlan, video_filter: str | None = None) -> list[str]:
    """ffmpeg options for the picture of a web copy (after `-map`)."""
    if plan.copy_video:
        return ["-c:v", "copy"]
    filters = ["bwdif=mode=send_frame"] if plan.deinterlace else []
    filters.append(WEB_SCALE)
    if plan.fps:
        filters.append(f"fps={plan.fps}")
    if video_filter:
        filters.append(video_filter)
    return [
        "-vf", ",".join(filters),
        "-c:v", "libx264", "-preset", WEB.preset, "-crf", str(WEB.crf),
        "-maxrate", str(WEB.maxrate), "-bufsize", str(WEB.bufsize),
        "-profile:v", "high", "-pix_fmt", "yuv420p",
        "-force_key_frames", f"expr:gte(t,n_forced*{WEB.keyframe_seconds:g})",
    ]  # fmt: skip


def web_audio_args(plan: WebPlan, audio_filter: str | None = None) -> list[str]:
    """ffmpeg options for the sound of a web copy (after `-map`)."""
    if plan.copy_audio:
        return ["-c:a", "copy"]
    args = ["-af", audio_filter] if audio_filter else []
    args += ["-c:a", "aac", "-b:a", str(WEB.audio_bitrate)]
    return args + (["-ac", str(plan.channels)] if plan.channels else [])


@cache
def _encoders() -> str:
    proc = subprocess.run(
        [ffmpeg_binary(), "-hide_banner", "-encoders"], capture_output=True, check=False
    )
    return proc.stdout.decode("utf-8", "replace")


def _require_room(folder: Path, seconds: float) -> None:
    """MediaToolError when the disk holding `folder` has no room for a web copy this long."""
    need = seconds * (WEB.maxrate + WEB.audio_bitrate) / 8 * 1.1 + WEB.bufsize / 8
    folder.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(folder).free
    if free < need:
        raise MediaToolError(
            f"{folder}: spazio su disco insufficiente per la copia per il web (servono circa "
            f"{need / 1e6:.0f} MB, liberi {free / 1e6:.0f} MB); liberare spazio e rilanciare"
        )


def web_copy(
    source: Path,
    target: Path,
    plan: WebPlan,
    *,
    audio_filter: str | None = None,
    video_filter: str | None = None,
    on_progress: Callable[[float], None] | None = None,
) -> None:
    """Write the web copy of `source` at `target` (suffix `plan.suffix`) in one ffmpeg pass:
    picture H.264 (High, 4:2:0) in at most 1280x720 at CRF 23 capped at 1.5 Mbit/s with a
    keyframe every 2 s, sound AAC 64 kbit/s, redaction filters applied, index in front
    (faststart); streams the plan copies are copied. Only the first picture and sound, no
    metadata: as `publishable_copy`.

    MediaError (with about where it stopped) when ffmpeg fails on this file: a decoding error
    stops it, so a damaged picture is never published; MediaToolError when the fault is this
    computer's (no encoder, no room on disk). Nothing is left at `target` on failure."""
    info = probe(source)
    if plan.encodes:
        found = _encoders()
        missing = [name for name in ("libx264", " aac ") if name not in found]
        if missing:
            raise MediaToolError(
                f"{ffmpeg_binary()}: questo ffmpeg non sa codificare in "
                f"{' e '.join('H.264' if m == 'libx264' else 'AAC' for m in missing)}; "
                "installare il pacchetto ffmpeg completo (apt-get install ffmpeg)"
            )
    _require_room(target.parent, info.duration)
    video = web_video_args(plan, video_filter) if plan.has_video else []
    audio = web_audio_args(plan, audio_filter) if plan.has_audio else []
    coded = info.video_codec if plan.copy_video else "h264"

    def failed(error: str, reached: float) -> MediaError:
        if "No space left on device" in error:
            return MediaToolError(
                f"{target.parent}: disco pieno durante la copia per il web di {source.name}; "
                "liberare spazio e rilanciare"
            )
        # ffmpeg reports the time written, which trails the time read by the encoder's
        # look-ahead and by half a second of reporting: "about".
        where = f", interrotta a circa {hms(reached)}" if reached >= 1 else ""
        return MediaError(
            f"{source}: copia per il web non riuscita ({error}{where}); sostituire il file con "
            "una copia integra (oppure, per pubblicare l'originale così com'è, scrivere "
            "'web: originale' nella scheda)"
        )

    _write_stripped(
        source, target, video, coded, audio, failed, strict=True, on_progress=on_progress
    )


# Below this much media, a web copy takes a few seconds and shows no progress.
PROGRESS_AFTER = 60.0


@contextlib.contextmanager
def progress_report(label: str, total: float) -> Iterator[Callable[[float], None]]:
    """A callback taking the seconds done out of `total`: a bar on stderr when it is a
    terminal (tqdm), else a line at every tenth (a log file gets ten lines, not thousands)."""
    if sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(
            total=round(total),
            unit="s",
            desc=label,
            leave=False,
            bar_format="{desc}: {percentage:3.0f}%|{bar}| {n:.0f}/{total:.0f} s "
            "[{elapsed}<{remaining}]",
        )
        shown = 0.0

        def advance(done: float) -> None:
            nonlocal shown
            done = min(done, total)
            if done > shown:
                bar.update(done - shown)
                shown = done

        try:
            yield advance
        finally:
            bar.close()
        return
    next_tenth = 1

    def line(done: float) -> None:
        nonlocal next_tenth
        while next_tenth < 10 and done >= total * next_tenth / 10:
            print(
                f"{label}: {next_tenth * 10}% ({hms(total * next_tenth / 10)} di {hms(total)})",
                file=sys.stderr,
                flush=True,
            )
            next_tenth += 1

    yield line
