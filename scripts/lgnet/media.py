"""The media stage: probe a recording, extract 16 kHz mono audio, grab a poster frame (the
copy the site publishes is made by `lgnet.webmedia` on these foundations).

Everything ffmpeg produces is cached under the user cache, keyed by the media file's sha256,
so a file is decoded once however many times the pipeline runs. Audio is decoded in process
with PyAV (FFmpeg's libraries), else by the ffmpeg program; the ffmpeg binary comes from PATH,
else from the `imageio-ffmpeg` wheel, so `pip install` alone is enough.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import mmap
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Callable
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
    # A good verdict holds for the content wherever it lies (another checkout, a staging
    # folder, a copy): remembered by sha256 too, so a copy is not decoded end to end again. A
    # bad one names the file, so it is remembered by path only.
    digest = media_sha256(path)
    facts = _content_memo(_PROBE_BY_CONTENT, digest)
    if facts is None:
        facts = _remembered(_PROBE_STORE, path, _probed_and_verified)
        if "error" not in facts:
            _content_remember(_PROBE_BY_CONTENT, digest, facts)
    if "error" in facts:
        raise MediaError(str(facts["error"]))
    return MediaInfo(**facts)


# A new name whenever what is remembered changes: entries of an older store were not verified.
_PROBE_STORE = "probe-verificato-1.json"
_PROBE_BY_CONTENT = "probe-verificato-per-contenuto-1.json"


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
PROGRESS_TIME = re.compile(r"^out_time_us=(\d+)$", re.MULTILINE)
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
    times = PROGRESS_TIME.findall(proc.stdout.decode("ascii", "replace"))
    reached = int(times[-1]) / 1e6 if times else 0.0
    errors = proc.stderr.strip()
    expected = info.streams_duration or info.duration
    if proc.returncode == 0 and not errors and reached >= expected - TRUNCATION_TOLERANCE:
        return
    at = _where_it_breaks(base, path, info)
    detail = f" ({LOG_PREFIX.sub('', last_error_line(proc.stderr))})" if errors else ""
    raise MediaError(
        f"{path}: file troncato o danneggiato a {hms(reached if at is None else min(at, reached))}"
        f"{detail}: sostituirlo con una copia integra"
    )


LOG_PREFIX = re.compile(r"^\[[^\]]* @ 0x[0-9a-f]+\]\s*")


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


def hms(seconds: float) -> str:
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


# Entries kept in a store keyed by content (oldest dropped first): its files may be gone.
CONTENT_STORE_LIMIT = 5000


def _content_memo(store_name: str, digest: str) -> Any:
    """What was remembered for the content with this sha256, or None."""
    with _MEMO_LOCK:
        return _read_store(cache_dir() / store_name).get(digest)


def _content_remember(store_name: str, digest: str, value: Any) -> None:
    store = cache_dir() / store_name
    with _MEMO_LOCK:
        known = {k: v for k, v in _read_store(store).items() if k != digest}
        kept = dict(list(known.items())[-(CONTENT_STORE_LIMIT - 1) :])
        kept[digest] = value  # insertion order is age: the file keeps it (no sorting)
        atomic_write_text(store, json.dumps(kept, indent=0))
        _STORES[store] = (_signature(store), kept)


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
