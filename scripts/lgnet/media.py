"""The media stage: probe a recording, extract 16 kHz mono audio, grab a poster frame, and
make the copy the site publishes (`web_copy`: H.264/AAC at most 720p, or the original's
streams, `publishable_copy`), with nothing of the original's metadata.

Everything ffmpeg produces is cached under the user cache, keyed by the media file's sha256,
so a file is decoded once however many times the pipeline runs. Audio is decoded in process
with PyAV (FFmpeg's libraries), else by the ffmpeg program; the ffmpeg binary comes from PATH,
else from the `imageio-ffmpeg` wheel, so `pip install` alone is enough.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import math
import mmap
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lgnet.archive import Item
from lgnet.errors import MediaError
from lgnet.fsutil import atomic_output, atomic_write_text, sha256_file
from lgnet.project import Project, cache_dir

if TYPE_CHECKING:  # numpy and ffmpeg-python are imported where used: most builds need neither
    import ffmpeg
    import numpy as np

SAMPLE_RATE = 16_000


@dataclass(frozen=True)
class MediaInfo:
    duration: float
    has_video: bool
    has_audio: bool
    width: int | None = None
    height: int | None = None
    video_codec: str | None = None  # of the first video stream that is not a cover picture
    audio_codec: str | None = None  # of the first audio stream
    # how long those two streams last, when the container says (the file's duration may be
    # that of a longer subtitle or data stream, which the integrity check does not read)
    streams_duration: float | None = None


@cache
def ffmpeg_binary() -> str:
    found = shutil.which("ffmpeg")
    if found:
        return found
    try:
        import imageio_ffmpeg

        return str(imageio_ffmpeg.get_ffmpeg_exe())
    except (ImportError, RuntimeError):
        raise MediaError(
            "ffmpeg non trovato: installarlo (apt-get install ffmpeg) o reinstallare il "
            "progetto con 'make setup'"
        ) from None


def last_error_line(stderr: bytes | None) -> str:
    lines = [ln.strip() for ln in (stderr or b"").decode("utf-8", "replace").splitlines()]
    lines = [ln for ln in lines if ln]
    return lines[-1] if lines else "errore sconosciuto"


def _unreadable(path: Path, stderr: bytes | None) -> MediaError:
    return MediaError(
        f"{path}: file multimediale illeggibile o danneggiato ({last_error_line(stderr)}); "
        "sostituirlo con una copia integra"
    )


_DURATION = re.compile(r"Duration: (\d+):(\d+):(\d+(?:\.\d+)?)")
_STREAM = re.compile(r"Stream #\S+.*?: (Video|Audio): (.*)")
_SIZE = re.compile(r"\b(\d{2,5})x(\d{2,5})\b")


def probe(path: Path) -> MediaInfo:
    """Duration and streams of a media file; MediaError if it is unreadable, truncated or
    corrupt anywhere. The file is read end to end once (see `verify`), and the verdict, good or
    bad, is remembered while the file keeps its size and time."""
    if not path.is_file():
        raise MediaError(f"{path}: file multimediale non trovato")
    facts = _remembered(_PROBE_STORE, path, _probed_and_verified)
    if "error" in facts:
        raise MediaError(str(facts["error"]))
    return MediaInfo(**facts)


# A new name whenever what is remembered changes: entries of an older store were not verified.
_PROBE_STORE = "probe-verificato-1.json"


def _probed_and_verified(path: Path) -> dict[str, Any]:
    try:
        info = _probe(path)
        verify(path, info)
    except MediaError as exc:
        return {"error": str(exc)}
    return asdict(info)


# How far short of the announced duration the readable data may end: containers round the
# duration, and the last packet's time is its start, not its end.
TRUNCATION_TOLERANCE = 0.5
_PROGRESS_TIME = re.compile(r"^out_time_us=(\d+)$", re.MULTILINE)
_PACKET_TIME = re.compile(r"demuxer -> .*?pkt_(?:pts|dts)_time:(-?\d+(?:\.\d+)?)")


def _reading_args(path: Path, info: MediaInfo) -> list[str]:
    args = ["-i", str(path)]
    if info.has_video:
        args += ["-map", "0:V:0", "-c:v", "copy"]
    if info.has_audio:
        args += ["-map", "0:a:0", "-c:a", "pcm_s16le"]
    return [*args, "-f", "null", "-"]


def verify(path: Path, info: MediaInfo) -> None:
    """Read `path` end to end: every packet of every stream is demuxed, the video packets are
    copied to nowhere (no decoding: that would cost as much as playing it) and the first audio
    stream is decoded. MediaError, naming the time where the file breaks, when the demuxer or
    the audio decoder report an error or the data end before the announced duration (a
    truncated MP4 whose index is at the front still announces its full length).

    About 0.15 s for tests/data/longform_dev.mp4 (55 s of H.264 + AAC), mostly the cost of
    starting ffmpeg; decoding the audio runs at several hundred times real time."""
    base = [ffmpeg_binary(), "-nostdin", "-hide_banner", "-nostats"]
    proc = subprocess.run(
        [*base, "-loglevel", "error", "-progress", "pipe:1", *_reading_args(path, info)],
        capture_output=True,
        check=False,
    )
    times = _PROGRESS_TIME.findall(proc.stdout.decode("ascii", "replace"))
    reached = int(times[-1]) / 1e6 if times else 0.0
    errors = proc.stderr.strip()
    expected = info.streams_duration or info.duration
    if proc.returncode == 0 and not errors and reached >= expected - TRUNCATION_TOLERANCE:
        return
    at = _where_it_breaks(base, path, info)
    detail = f" ({_LOG_PREFIX.sub('', last_error_line(proc.stderr))})" if errors else ""
    raise MediaError(
        f"{path}: file troncato o danneggiato a {_hms(reached if at is None else min(at, reached))}"
        f"{detail}: sostituirlo con una copia integra"
    )


_LOG_PREFIX = re.compile(r"^\[[^\]]* @ 0x[0-9a-f]+\]\s*")


def _where_it_breaks(base: list[str], path: Path, info: MediaInfo) -> float | None:
    """Time of the last packet read before the first error (None: no error reported).

    Run only on a broken file: it logs a line per packet."""
    proc = subprocess.run(
        [*base, "-loglevel", "level+info", "-debug_ts", "-xerror", *_reading_args(path, info)],
        capture_output=True,
        check=False,
    )
    last = 0.0
    for line in proc.stderr.decode("utf-8", "replace").splitlines():
        if line.startswith(("[error]", "[fatal]", "[panic]")):
            return last
        if match := _PACKET_TIME.search(line):
            last = max(last, float(match.group(1)))
    return None


def _hms(seconds: float) -> str:
    whole = max(int(seconds), 0)
    return f"{whole // 3600:02d}:{whole // 60 % 60:02d}:{whole % 60:02d}"


def _probe(path: Path) -> MediaInfo:
    ffprobe = shutil.which("ffprobe")
    if ffprobe:
        import ffmpeg

        try:
            data = ffmpeg.probe(str(path), cmd=ffprobe)
        except ffmpeg.Error as exc:
            raise _unreadable(path, exc.stderr) from None
        streams = data.get("streams", [])
        video = [
            s
            for s in streams
            if s.get("codec_type") == "video" and not s.get("disposition", {}).get("attached_pic")
        ]
        audio = [s for s in streams if s.get("codec_type") == "audio"]
        duration = float(data.get("format", {}).get("duration") or 0.0)
        width = int(video[0]["width"]) if video else None
        height = int(video[0]["height"]) if video else None
        return _checked(
            path,
            MediaInfo(
                duration,
                bool(video),
                bool(audio),
                width,
                height,
                str(video[0].get("codec_name")) if video else None,
                str(audio[0].get("codec_name")) if audio else None,
                max((_stream_duration(s) for s in (video[:1] + audio[:1])), default=None),
            ),
        )
    # Without ffprobe (pip-only install), read what `ffmpeg -i` reports.
    proc = subprocess.run(
        [ffmpeg_binary(), "-hide_banner", "-i", str(path)], capture_output=True, check=False
    )
    text = proc.stderr.decode("utf-8", "replace")
    match = _DURATION.search(text)
    streams_found = _STREAM.findall(text)
    if not match or not streams_found:
        raise _unreadable(path, proc.stderr)
    h, m, s = match.groups()
    duration = int(h) * 3600 + int(m) * 60 + float(s)
    video_desc = [d for kind, d in streams_found if kind == "Video" and "attached pic" not in d]
    audio_desc = [d for kind, d in streams_found if kind == "Audio"]
    size = _SIZE.search(video_desc[0]) if video_desc else None
    return _checked(
        path,
        MediaInfo(
            duration,
            bool(video_desc),
            bool(audio_desc),
            int(size.group(1)) if size else None,
            int(size.group(2)) if size else None,
            video_desc[0].split()[0].rstrip(",") if video_desc else None,
            audio_desc[0].split()[0].rstrip(",") if audio_desc else None,
        ),
    )


_TAG_DURATION = re.compile(r"(\d+):(\d{2}):(\d{2}(?:\.\d+)?)")


def _stream_duration(stream: dict[str, Any]) -> float:
    """A stream's duration from ffprobe, or from Matroska's DURATION tag (0 when unknown)."""
    try:
        return float(stream["duration"])
    except (KeyError, ValueError):
        pass
    match = _TAG_DURATION.fullmatch(str((stream.get("tags") or {}).get("DURATION", "")))
    if not match:
        return 0.0
    h, m, s = match.groups()
    return int(h) * 3600 + int(m) * 60 + float(s)


def _checked(path: Path, info: MediaInfo) -> MediaInfo:
    if info.duration <= 0:
        raise MediaError(
            f"{path}: durata non leggibile, il file sembra troncato; "
            "sostituirlo con una copia integra"
        )
    return info


# --- facts about a file, remembered while it does not change ------------------------------

_MEMO_LOCK = threading.Lock()


# store file -> ((inode, size, mtime) of the file when read, its entries): a build asks about
# every recording several times, and the store is parsed again only when it changed on disk.
_STORES: dict[Path, tuple[tuple[int, int, int], dict[str, Any]]] = {}


def _signature(path: Path) -> tuple[int, int, int]:
    stat = path.stat()
    return stat.st_ino, stat.st_size, stat.st_mtime_ns


def _memo_key(path: Path) -> str:
    stat = path.stat()
    return f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"


def _read_store(store: Path) -> dict[str, Any]:
    """The entries of a store (never modified in place: callers copy before changing them)."""
    try:
        signature = _signature(store)
    except FileNotFoundError:
        return {}
    cached = _STORES.get(store)
    if cached is not None and cached[0] == signature:
        return cached[1]
    try:
        loaded = json.loads(store.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        loaded = {}
    known = loaded if isinstance(loaded, dict) else {}
    _STORES[store] = (signature, known)
    return known


def _still_valid(known: dict[str, Any]) -> dict[str, Any]:
    """The entries whose file still exists with the size and time they were computed for:
    without this, the store would grow with every deleted copy and every edit."""
    current: dict[str, str | None] = {}
    kept = {}
    for key, value in known.items():
        name = key.rsplit("|", 2)[0]
        if name not in current:
            try:
                current[name] = _memo_key(Path(name))
            except OSError:
                current[name] = None
        if current[name] == key:
            kept[key] = value
    return kept


def _remembered(store_name: str, path: Path, compute: Callable[[Path], Any]) -> Any:
    """`compute(path)`, remembered in the cache by (path, size, mtime): big files and unchanged
    archives are hashed and probed once, not on every build."""
    key = _memo_key(path)
    store = cache_dir() / store_name
    with _MEMO_LOCK:
        known = _read_store(store)
    if key in known:
        return known[key]
    value = compute(path)
    with _MEMO_LOCK:
        known = {**_still_valid(_read_store(store)), key: value}
        atomic_write_text(store, json.dumps(known, indent=0, sort_keys=True))
        _STORES[store] = (_signature(store), known)
    return value


def media_sha256(path: Path) -> str:
    """sha256 of a media file (fixity), remembered while the file is unchanged."""
    return str(_remembered("fixity.json", path, sha256_file))


MP4_FAMILY = (".mp4", ".m4a", ".m4v", ".mov")


def audio_codec_args(suffix: str) -> list[str]:
    """ffmpeg options to re-encode audio into a container with this file suffix."""
    suffix = suffix.lower()
    if suffix == ".mp3":
        return ["-c:a", "libmp3lame", "-q:a", "3"]
    if suffix == ".wav":
        return ["-c:a", "pcm_s16le"]
    if suffix == ".flac":
        return ["-c:a", "flac"]
    if suffix in (".ogg", ".oga", ".opus", ".webm"):
        return ["-c:a", "libopus", "-b:a", "64k"]
    if suffix in (".mkv", ".aac"):
        return ["-c:a", "aac", "-b:a", "128k"]
    return ["-c:a", "aac", "-b:a", "128k", "-movflags", "+faststart"]


def video_codec_args(suffix: str) -> list[str]:
    """ffmpeg options to re-encode video into a container with this file suffix."""
    suffix = suffix.lower()
    if suffix == ".webm":
        return ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-row-mt", "1"]
    if suffix == ".ogv":
        return ["-c:v", "libtheora", "-q:v", "7"]
    return ["-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p"]


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
            error = _LOG_PREFIX.sub("", last_error_line(stderr)).removeprefix(f"{source}: ")
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
                match = _PROGRESS_TIME.match(raw.decode("ascii", "replace").strip())
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
        where = f", interrotta a circa {_hms(reached)}" if reached >= 1 else ""
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
                f"{label}: {next_tenth * 10}% ({_hms(total * next_tenth / 10)} di {_hms(total)})",
                file=sys.stderr,
                flush=True,
            )
            next_tenth += 1

    yield line


def media_facts(path: Path) -> dict[str, Any]:
    """What ffprobe reports of a file's container, streams and chapters (its JSON), plus the
    text of each subtitle stream under "subtitle_text" (index -> text); remembered while the
    file is unchanged. MediaError when ffprobe is missing or cannot read the file."""
    return dict(_remembered("facts-1.json", path, _media_facts))


def _media_facts(path: Path) -> dict[str, Any]:
    ffprobe = shutil.which("ffprobe")
    if not ffprobe:
        raise MediaError(
            f"{path}: ffprobe non trovato, impossibile controllare il file; "
            "installarlo (apt-get install ffmpeg)"
        )
    proc = subprocess.run(
        [ffprobe, "-v", "error", "-of", "json", "-show_format", "-show_streams",
         "-show_chapters", str(path)],
        capture_output=True, check=False,
    )  # fmt: skip
    if proc.returncode != 0:
        raise _unreadable(path, proc.stderr)
    facts: dict[str, Any] = json.loads(proc.stdout.decode("utf-8", "replace") or "{}")
    texts: dict[str, str] = {}
    for stream in facts.get("streams", []):
        if stream.get("codec_type") != "subtitle":
            continue
        index = int(stream.get("index", 0))
        sub = subprocess.run(
            [ffmpeg_binary(), "-nostdin", "-hide_banner", "-loglevel", "error", "-i", str(path),
             "-map", f"0:{index}", "-f", "srt", "-"],
            capture_output=True, check=False,
        )  # fmt: skip
        # A picture-based track (DVD, Blu-ray) has no text to read: it is reported as a stream.
        texts[str(index)] = sub.stdout.decode("utf-8", "replace") if sub.returncode == 0 else ""
    facts["subtitle_text"] = texts
    return facts


# --- derived files -------------------------------------------------------------------------


def _run_ffmpeg(stream: ffmpeg.nodes.OutputStream, source: Path, what: str) -> None:
    import ffmpeg

    try:
        stream.overwrite_output().run(cmd=ffmpeg_binary(), quiet=True)
    except ffmpeg.Error as exc:
        raise MediaError(
            f"{source}: impossibile {what} ({last_error_line(exc.stderr)}); "
            "verificare che il file sia integro"
        ) from None


def extract_audio(path: Path, sha256: str | None = None) -> Path:
    """The recording's audio as 16 kHz mono PCM WAV, cached by the media file's hash."""
    info = probe(path)
    if not info.has_audio:
        raise MediaError(
            f"{path}: il file non contiene una traccia audio; non c'è nulla da trascrivere"
        )
    digest = sha256 or media_sha256(path)
    target = cache_dir() / "audio" / f"{digest}.wav"
    if not target.exists():
        with atomic_output(target) as tmp:
            if not _decode_in_process(path, tmp):
                import ffmpeg

                stream = ffmpeg.input(str(path)).output(
                    str(tmp), ac=1, ar=SAMPLE_RATE, acodec="pcm_s16le", f="wav", vn=None
                )
                _run_ffmpeg(stream, path, "estrarre l'audio")
    return target


def _decode_in_process(path: Path, wav: Path) -> bool:
    """Decode the first audio stream to 16 kHz mono PCM `wav` with PyAV (FFmpeg's libraries,
    installed with faster-whisper), frame by frame, so memory stays flat on a two-hour file.

    Starting the ffmpeg program costs 0.1-0.3 s, as much as transcribing a few seconds of
    speech; in-process decoding costs a few milliseconds. Returns False (and the caller runs
    the ffmpeg program, whose Debian build knows more codecs) when PyAV is missing or cannot
    decode the file."""
    try:
        import av
    except ImportError:  # pragma: no cover - PyAV comes with faster-whisper
        return False
    import wave

    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            if not container.streams.audio:
                return False
            stream = container.streams.audio[0]
            resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
            with wave.open(str(wav), "wb") as out:
                out.setnchannels(1)
                out.setsampwidth(2)
                out.setframerate(SAMPLE_RATE)
                for frame in itertools.chain(container.decode(stream), [None]):
                    for resampled in resampler.resample(frame):
                        out.writeframesraw(resampled.to_ndarray().tobytes())
    except (av.FFmpegError, ValueError, OSError, EOFError):
        return False
    return True


def open_audio(wav: Path) -> np.ndarray:
    """Samples of a WAV written by `extract_audio`, as int16, mapped from disk (not read):
    a two-hour recording costs no memory until a window of it is used, and `release_audio`
    gives back the pages of a window once it is done."""
    import numpy as np

    with wav.open("rb") as handle:
        header = handle.read(4096)
        offset = header.find(b"data")
        size = handle.seek(0, os.SEEK_END)
        if offset < 0 or size <= offset + 8:
            raise MediaError(f"{wav}: audio estratto danneggiato; cancellare la cache e riprovare")
        mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    count = (size - offset - 8) // 2
    return np.frombuffer(mapped, dtype="<i2", count=count, offset=offset + 8)


def release_audio(samples: np.ndarray, start: int, end: int) -> None:
    """Drop the pages of samples [start, end) of an `open_audio` array from this process (they
    stay in the page cache and are read again if used): otherwise every page a long recording
    has touched counts in the process's memory until the end."""
    import numpy as np

    mapped: Any = samples
    while isinstance(mapped, np.ndarray):
        mapped = mapped.base
    if isinstance(mapped, memoryview):
        mapped = mapped.obj
    if not isinstance(mapped, mmap.mmap) or end <= start:
        return
    origin = samples.__array_interface__["data"][0] - _address(mapped)
    first = (origin + start * samples.itemsize) // mmap.PAGESIZE * mmap.PAGESIZE
    last = origin + end * samples.itemsize
    with contextlib.suppress(OSError, ValueError):
        mapped.madvise(mmap.MADV_DONTNEED, first, last - first)


def _address(mapped: mmap.mmap) -> int:
    import numpy as np

    return int(np.frombuffer(mapped, dtype=np.uint8, count=1).ctypes.data)


def load_audio(wav: Path) -> np.ndarray:
    """All samples of a WAV written by `extract_audio`, as float32 in [-1, 1]."""
    import numpy as np

    return np.asarray(open_audio(wav), dtype=np.float32) / 32768.0


def poster_frame(project: Project, item: Item, media: Path | None = None) -> Path | None:
    """A JPEG still for a video item (None for audio-only), cached by content hash.

    `media` is the file to take it from when not the original (e.g. a redacted copy).
    """
    path = media or item.media_path(project)
    info = probe(path)
    if not info.has_video:
        return None
    digest = media_sha256(path)
    at = item.poster_time if item.poster_time is not None else min(5.0, info.duration / 3)
    target = cache_dir() / "posters" / f"{digest}-{at:.2f}-v2.jpg"
    if not target.exists():
        import ffmpeg

        with atomic_output(target) as tmp:
            # bitexact: no "Lavc" comment in the JPEG; no metadata of the original either
            stream = ffmpeg.input(str(path), ss=at).output(
                str(tmp),
                vframes=1,
                vf="scale=640:-2",
                map_metadata=-1,
                fflags="+bitexact",
                **{"q:v": 4, "flags:v": "+bitexact"},
            )
            _run_ffmpeg(stream, path, "estrarre il fotogramma di copertina")
    return target


def thumbnail(poster: Path) -> Path:
    """A small copy of a poster (320 px wide) for the catalogue's and the home page's cards,
    where the 640 px poster would cost a phone three times the bytes. Cached by the poster's
    name, which already carries the media's hash and the frame's time."""
    target = poster.with_name(poster.stem + "-320.jpg")
    if not target.exists():
        import ffmpeg

        with atomic_output(target) as tmp:
            stream = ffmpeg.input(str(poster)).output(
                str(tmp),
                vf="scale=320:-2",
                map_metadata=-1,
                fflags="+bitexact",
                **{"q:v": 5, "flags:v": "+bitexact"},
            )
            _run_ffmpeg(stream, poster, "ridurre il fotogramma di copertina")
    return target
