"""Web copies (`lgnet.webmedia.web_copy` through `lgnet.redact.published_media`): what a 1080p
high-bitrate recording becomes, what is copied instead of encoded, the cache, `web: originale`,
and a copy that fails (withheld from the build, nothing half-written published)."""

from __future__ import annotations

import datetime as dt
import json
import os
import struct
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from lgnet.archive import Archive, Item, load_item
from lgnet.audit import audit_media_file
from lgnet.errors import BuildError, MediaError
from lgnet.media import ffmpeg_binary, probe
from lgnet.project import Project
from lgnet.publish import WEB_COPY_FAILED, decide, publish_media
from lgnet.redact import FAILED_SUFFIX, PUBLISHED_DIR, published_media
from lgnet.webmedia import WEB, progress_report, web_copy, web_plan

from .media_factory import ffmpeg, tone
from .test_redact import mean_luma, mean_volume, packets_md5

SECONDS = 6.0


def make_item(item_id: str, media: str, **extra: object) -> Item:
    base = {"id": item_id, "title": f"Registrazione {item_id}", "kind": "workshop",
            "city": "rete", "date": "2024", "access": "pubblico", "media": media}  # fmt: skip
    return Item.model_validate({**base, **extra})


def ffprobe(path: Path, *args: str) -> dict[str, Any]:
    proc = subprocess.run(
        ["ffprobe", "-v", "error", "-of", "json", *args, str(path)],
        capture_output=True, check=True,
    )  # fmt: skip
    data: dict[str, Any] = json.loads(proc.stdout)
    return data


def streams(path: Path) -> dict[str, dict[str, Any]]:
    """The first video and audio stream of `path`, by codec type."""
    out: dict[str, dict[str, Any]] = {}
    for stream in ffprobe(path, "-show_streams")["streams"]:
        out.setdefault(stream["codec_type"], stream)
    return out


def video_packets(path: Path) -> list[tuple[float, int, bool]]:
    """(time, size in bytes, keyframe) of every video packet."""
    data = ffprobe(path, "-select_streams", "v:0", "-show_entries", "packet=pts_time,size,flags")
    return [(float(p["pts_time"]), int(p["size"]), "K" in p["flags"]) for p in data["packets"]]


def picture_md5(path: Path) -> str:
    """MD5 of the coded pictures of the first video stream, without SEI messages (a copy drops
    them: they carry the encoder's name and options): equal for a stream copied as it is,
    different once re-encoded. Nothing is decoded."""
    proc = subprocess.run(
        [ffmpeg_binary(), "-v", "error", "-i", str(path), "-map", "0:v:0", "-c", "copy",
         "-bsf:v", "filter_units=remove_types=6", "-f", "md5", "-"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return proc.stdout.strip()


def top_level_boxes(path: Path) -> list[str]:
    """The MP4 file's top-level boxes (ISO/IEC 14496-12), read from its bytes, in order."""
    names = []
    with path.open("rb") as handle:
        size_total = path.stat().st_size
        at = 0
        while at < size_total:
            handle.seek(at)
            size, kind = struct.unpack(">I4s", handle.read(8))
            if size == 1:  # a 64-bit size follows the type
                size = struct.unpack(">Q", handle.read(8))[0]
            elif size == 0:  # the box runs to the end of the file
                size = size_total - at
            names.append(kind.decode("latin-1"))
            at += size
    return names


def archived(project: Project, name: str) -> Path:
    path = project.archive / "media" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def test_the_web_key_is_checked_like_every_other(tmp_path: Path) -> None:
    project = Project(tmp_path)
    path = project.items_dir / "x.yml"
    path.parent.mkdir(parents=True)
    common = "title: T\nkind: pillola\ncity: rete\ndate: 2024\nmedia: m.mp4\naccess: pubblico\n"
    path.write_text(common, encoding="utf-8")
    assert load_item(path, project)[0].web == "automatico"  # type: ignore[union-attr]
    path.write_text(common + "web: originale\n", encoding="utf-8")
    assert load_item(path, project)[0].web == "originale"  # type: ignore[union-attr]
    path.write_text(common + "web: originali\n", encoding="utf-8")
    item, problems = load_item(path, project)
    assert item is None
    assert [str(p) for p in problems] == [
        "archive/items/x.yml: 'web': valore non ammesso 'originali'; valori ammessi: "
        "'automatico', 'originale'"
    ]


# --- a 1080p high-bitrate recording -----------------------------------------------------------


class HD:
    """The 1080p input, its web copy, and what making the copy cost."""

    def __init__(self, project: Project, item: Item, original: Path) -> None:
        self.project, self.item, self.original = project, item, original
        started = time.monotonic()
        self.published = published_media(project, item)
        self.seconds = time.monotonic() - started


@pytest.fixture(scope="module")
def hd(tmp_path_factory: pytest.TempPathFactory) -> HD:
    """6 s of 1080p25 testsrc2 with film grain (noise: every frame differs everywhere, as in a
    camera's picture, so CRF alone would spend far more than the cap) at 8.6 Mbit/s, and a
    48 kHz stereo sine at 192 kbit/s."""
    root = tmp_path_factory.mktemp("hd")
    os.environ["LGNET_CACHE_DIR"] = str(root / "cache")  # restored by the finaliser below
    project = Project(root / "p")
    original = archived(project, "workshop-hd.mp4")
    ffmpeg(
        "-f", "lavfi", "-i", f"testsrc2=size=1920x1080:rate=25:d={SECONDS},noise=alls=12:allf=t",
        "-f", "lavfi", "-i", f"sine=frequency=300:sample_rate=48000:d={SECONDS}",
        "-c:v", "libx264", "-preset", "ultrafast", "-b:v", "8M", "-maxrate", "8M",
        "-bufsize", "16M", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "192k", "-ac", "2",
        "-metadata", "title=Workshop riservato", "-shortest", str(original),
    )  # fmt: skip
    return HD(project, make_item("workshop-hd", "media/workshop-hd.mp4"), original)


@pytest.fixture(scope="module", autouse=True)
def _restore_cache_dir() -> Any:
    saved = os.environ.get("LGNET_CACHE_DIR")
    yield
    if saved is None:
        os.environ.pop("LGNET_CACHE_DIR", None)
    else:
        os.environ["LGNET_CACHE_DIR"] = saved


def test_the_input_really_is_1080p_at_high_bitrate(hd: HD) -> None:
    video = streams(hd.original)["video"]
    assert (video["width"], video["height"]) == (1920, 1080)
    assert int(video["bit_rate"]) > 7_000_000


def test_a_1080p_high_bitrate_input_becomes_a_720p_faststart_mp4(hd: HD) -> None:
    published = hd.published
    assert published.parent == hd.project.build_dir / PUBLISHED_DIR
    assert published.suffix == ".mp4"
    found = streams(published)
    video, audio = found["video"], found["audio"]
    assert (video["codec_name"], video["profile"], video["pix_fmt"]) == ("h264", "High", "yuv420p")
    assert (video["width"], video["height"]) == (1280, 720)
    assert (audio["codec_name"], audio["profile"], audio["channels"]) == ("aac", "LC", 2)
    assert int(audio["bit_rate"]) == pytest.approx(WEB.audio_bitrate, rel=0.1)
    boxes = top_level_boxes(published)
    assert boxes.index("moov") < boxes.index("mdat"), boxes  # faststart: the index first
    assert probe(published).duration == pytest.approx(SECONDS, abs=0.1)


def test_the_video_bitrate_is_within_the_cap(hd: HD) -> None:
    """The VBV model of x264 (`-maxrate 1.5M -bufsize 3M`) guarantees that in any T seconds
    the stream carries at most maxrate·T + bufsize bits: over this 6 s clip an average of at
    most 2.0 Mbit/s, falling to 1.5 Mbit/s on long recordings (+0.03 over a 2-minute one,
    as bench/transcode.py measures). The grainy picture would take 2.9 Mbit/s at CRF 23
    alone, so the cap, not the quality target, must be what decided: the stream uses at least
    80% of it."""
    packets = video_packets(hd.published)
    bits = 8 * sum(size for _, size, _ in packets)
    assert bits <= WEB.maxrate * SECONDS + WEB.bufsize
    assert bits >= 0.8 * WEB.maxrate * SECONDS
    # and over every 2-second window, which is what a viewer's connection has to carry
    for start in range(0, int(SECONDS) - 1):
        window = [s for t, s, _ in packets if start <= t < start + 2]
        assert 8 * sum(window) <= WEB.maxrate * 2 + WEB.bufsize


def test_a_keyframe_at_least_every_two_seconds(hd: HD) -> None:
    keyframes = [t for t, _, key in video_packets(hd.published) if key]
    gaps = [b - a for a, b in zip([0.0, *keyframes], [*keyframes, SECONDS], strict=True)]
    assert max(gaps) <= WEB.keyframe_seconds + 0.05, keyframes


def test_the_web_copy_passes_the_leak_audit(hd: HD) -> None:
    assert b"Workshop riservato" in hd.original.read_bytes()
    assert audit_media_file(hd.published, []) == []
    data = hd.published.read_bytes()
    assert b"Workshop riservato" not in data and b"x264 - core" not in data


def test_an_unchanged_item_is_not_encoded_again(hd: HD) -> None:
    before = hd.published.stat()
    started = time.monotonic()
    again = published_media(hd.project, hd.item)
    elapsed = time.monotonic() - started
    assert again == hd.published
    after = again.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert elapsed < 0.5 < hd.seconds  # the first time it was encoded


def test_web_originale_publishes_the_original_streams_without_metadata(hd: HD) -> None:
    item = make_item("workshop-hd-originale", "media/workshop-hd.mp4", web="originale")
    published = published_media(hd.project, item)
    assert published.suffix == ".mp4"
    assert (streams(published)["video"]["width"], streams(published)["video"]["height"]) == (
        1920,
        1080,
    )
    assert packets_md5(published, "a") == packets_md5(hd.original, "a")
    assert picture_md5(published) == picture_md5(hd.original)
    assert audit_media_file(published, []) == []
    assert b"Workshop riservato" not in published.read_bytes()


# --- size, shape and frame rate ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "rate", "expected"),
    [
        ("1440x1080", 25, (960, 720, 25.0)),  # 4:3: the height decides
        # a phone held upright: 720 wide; 59.94 fps halved
        ("1080x1920", 60000 / 1001, (720, 1280, 30000 / 1001)),
        # smaller than 720p: never enlarged, sides made even; 50 fps halved
        ("321x241", 50, (320, 240, 25.0)),
    ],
)
def test_pictures_fit_720p_keep_their_shape_and_at_most_30_fps(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    size: str,
    rate: float,
    expected: tuple[int, int, float],
) -> None:
    monkeypatch.setenv("LGNET_CACHE_DIR", str(tmp_path / "cache"))
    project = Project(tmp_path)
    original = archived(project, "v.mkv")  # MPEG-4 Part 2: never web-ready, always encoded
    ffmpeg("-f", "lavfi", "-i", f"testsrc2=size={size}:rate={rate}:d=1", "-c:v", "mpeg4",
           "-q:v", "5", str(original))  # fmt: skip
    published = published_media(project, make_item("v", "media/v.mkv"))
    video = streams(published)["video"]
    num, den = video["avg_frame_rate"].split("/")
    assert (video["width"], video["height"]) == expected[:2]
    assert int(num) / int(den) == pytest.approx(expected[2], rel=1e-3)
    assert video.get("sample_aspect_ratio", "1:1") in ("1:1", "0:1")


# --- what is copied, not encoded ------------------------------------------------------------


@pytest.mark.parametrize(("name", "sound_copied"), [("pronto.mp4", True), ("pronto.mkv", False)])
def test_a_web_ready_video_is_copied_into_mp4_without_a_second_encoding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, sound_copied: bool
) -> None:
    """H.264 High 640x360 at 0.3 Mbit/s with AAC 64k: the picture is copied (no generation
    loss, a fraction of a second) into an MP4 with its index in front, and so is the sound
    when the file says its bit rate (MP4 does; Matroska written by ffmpeg does not, and an
    unknown rate is encoded: AAC at 64k costs a second per ten minutes)."""
    monkeypatch.setenv("LGNET_CACHE_DIR", str(tmp_path / "cache"))
    project = Project(tmp_path)
    original = archived(project, name)
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25:d=4",
           "-f", "lavfi", "-i", "sine=frequency=440:d=4", "-c:v", "libx264", "-preset",
           "veryfast", "-b:v", "300k", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "64k",
           "-metadata", "title=Segreto", str(original))  # fmt: skip
    plan = web_plan(original)
    assert (plan.copy_video, plan.copy_audio) == (True, sound_copied)
    published = published_media(project, make_item("pronto", f"media/{name}"))
    assert published.suffix == ".mp4"
    assert picture_md5(published) == picture_md5(original)
    assert (packets_md5(published, "a") == packets_md5(original, "a")) is sound_copied
    boxes = top_level_boxes(published)
    assert boxes.index("moov") < boxes.index("mdat")
    assert audit_media_file(published, []) == []
    assert b"Segreto" not in published.read_bytes()


def test_a_redaction_encodes_only_the_stream_it_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A web-ready video with a sound-only redaction: the picture is copied packet for
    packet, the sound encoded (AAC 64k) with the span silenced. With `video: true` the
    picture is encoded too, blacked out in the span."""
    monkeypatch.setenv("LGNET_CACHE_DIR", str(tmp_path / "cache"))
    project = Project(tmp_path)
    original = archived(project, "r.mp4")
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:d=6",
           "-f", "lavfi", "-i", "sine=frequency=440:d=6", "-c:v", "libx264", "-preset",
           "veryfast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "64k",
           str(original))  # fmt: skip
    spans = [{"start": 2.0, "end": 4.0, "reason": "nome"}]
    published = published_media(project, make_item("r", "media/r.mp4", redactions=spans))
    assert picture_md5(published) == picture_md5(original)
    assert mean_volume(published, 2.2, 3.8) < -80 and mean_volume(published, 0.3, 1.7) > -30
    blacked = [{**spans[0], "video": True}]
    published = published_media(project, make_item("r", "media/r.mp4", redactions=blacked))
    assert picture_md5(published) != picture_md5(original)
    assert mean_luma(published, 3.0) < 20 and mean_luma(published, 1.0) > 50
    assert mean_volume(published, 2.2, 3.8) < -80


@pytest.mark.parametrize(
    ("name", "make", "suffix", "copied"),
    [
        ("voce.wav", ["-c:a", "pcm_s16le"], ".m4a", False),  # PCM: 768 kbit/s
        ("voce.mp3", ["-c:a", "libmp3lame", "-b:a", "192k"], ".m4a", False),
        ("voce.m4a", ["-c:a", "aac", "-b:a", "160k"], ".m4a", False),
        ("voce.opus", ["-c:a", "libopus", "-b:a", "48k"], ".m4a", False),  # not on old iPhones
        ("leggera.mp3", ["-c:a", "libmp3lame", "-b:a", "64k"], ".mp3", True),  # plays anywhere
        ("leggera.m4a", ["-c:a", "aac", "-b:a", "64k"], ".m4a", True),
    ],
)
def test_sound_only_items_become_aac_64k_unless_already_light(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    make: list[str],
    suffix: str,
    copied: bool,
) -> None:
    monkeypatch.setenv("LGNET_CACHE_DIR", str(tmp_path / "cache"))
    project = Project(tmp_path)
    original = archived(project, name)
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:d=4", "-ac", "2", *make,
           str(original))  # fmt: skip
    published = published_media(project, make_item("voce", f"media/{name}"))
    assert published.suffix == suffix
    audio = streams(published)["audio"]
    assert "video" not in streams(published)
    if copied:
        assert packets_md5(published, "a") == packets_md5(original, "a")
    else:
        assert (audio["codec_name"], audio["profile"]) == ("aac", "LC")
        assert int(audio["bit_rate"]) == pytest.approx(WEB.audio_bitrate, rel=0.1)
        boxes = top_level_boxes(published)
        assert boxes.index("moov") < boxes.index("mdat")
    assert audit_media_file(published, []) == []


# --- progress ---------------------------------------------------------------------------------


def test_progress_is_read_from_ffmpeg_and_shown_in_tenths_without_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LGNET_CACHE_DIR", str(tmp_path / "cache"))
    original = tmp_path / "lungo.mkv"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:d=8", "-c:v", "mpeg4",
           str(original))  # fmt: skip
    seen: list[float] = []
    web_copy(original, tmp_path / "lungo.mp4", web_plan(original), on_progress=seen.append)
    # the last report is the time of the last packets written (their start): within 0.25 s
    assert seen == sorted(seen) and seen[-1] == pytest.approx(8, abs=0.25)
    with progress_report("Copia per il web di lungo", 7200) as advance:
        for done in (0, 700, 1500, 3600, 3600, 7100, 7200):
            advance(done)
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == "Copia per il web di lungo: 10% (00:12:00 di 02:00:00)"
    assert [line.split(": ")[1].split("%")[0] for line in lines] == [
        str(n) for n in range(10, 100, 10)
    ]


# --- a copy that fails ------------------------------------------------------------------------


def broken_in_the_middle(path: Path) -> Path:
    """A video that `probe` accepts (its packets are all there, the container is sound) but
    whose picture cannot be decoded half-way: 2 KB of the coded frames zeroed. MPEG-4 Part 2,
    so the web copy must decode it (a web-ready H.264 would be copied as it is)."""
    whole = path.with_name("intero.mp4")
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:d=4", "-c:v", "mpeg4",
           "-q:v", "2", str(whole))  # fmt: skip
    data = bytearray(whole.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 2000] = bytes(2000)
    path.write_bytes(bytes(data))
    whole.unlink()
    return path


def test_a_copy_that_fails_mid_way_leaves_nothing_and_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LGNET_CACHE_DIR", str(tmp_path / "cache"))
    project = Project(tmp_path)
    broken = broken_in_the_middle(archived(project, "rotto.mp4"))
    assert probe(broken).duration == pytest.approx(4, abs=0.1)  # the check stage accepts it
    item = make_item("rotto", "media/rotto.mp4")
    with pytest.raises(MediaError) as caught:
        published_media(project, item)
    message = str(caught.value)
    assert message.startswith(f"{broken}: copia per il web non riuscita (")
    assert "sostituire il file con una copia integra" in message and "'web: originale'" in message
    assert "\n" not in message
    folder = project.build_dir / PUBLISHED_DIR
    left = sorted(p.name for p in folder.iterdir())
    assert len(left) == 1 and left[0].endswith(".mp4" + FAILED_SUFFIX)  # no copy, no temporary
    # The same original is not tried again (a two-hour file would cost half an hour each time)…
    started = time.monotonic()
    with pytest.raises(MediaError, match="copia per il web non riuscita"):
        published_media(project, item)
    assert time.monotonic() - started < 0.3
    # …and `web: originale` publishes the streams as they are.
    assert published_media(project, make_item("rotto", "media/rotto.mp4", web="originale"))


def test_the_build_goes_on_without_a_recording_whose_copy_failed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The single publication decision withholds it with its reason, one warning line names
    the file, what failed and what to do; the other recordings are published. When a
    hand-written page cites it, it cannot be left out: the build stops, naming the page."""
    monkeypatch.setenv("LGNET_CACHE_DIR", str(tmp_path / "cache"))
    project = Project(tmp_path)
    broken_in_the_middle(archived(project, "rotto.mp4"))
    tone(archived(project, "buona.m4a"), 3)
    items = {
        "rotto": make_item("rotto", "media/rotto.mp4"),
        "buona": make_item("buona", "media/buona.m4a"),
    }
    archive = Archive(items=items, cities={}, glossary=[])
    publication = decide(archive, {}, "pubblico", dt.date(2026, 1, 1))
    after, media, warnings = publish_media(project, publication)
    assert sorted(media) == ["buona"]
    assert [i.id for i in after.items] == ["buona"] and not after.allows("rotto")
    assert after.withheld == {"rotto": WEB_COPY_FAILED}
    assert "rotto: copia per il web non riuscita" in after.summary()
    assert len(warnings) == 1
    assert warnings[0].startswith("archive/media/rotto.mp4: copia per il web non riuscita (")
    assert warnings[0].endswith("intanto la registrazione 'rotto' è esclusa dal sito")
    assert not list((project.build_dir / PUBLISHED_DIR).glob("rotto-*.mp4"))

    page = project.docs / "modello" / "pagina.md"
    page.parent.mkdir(parents=True)
    page.write_text("# Pagina\n\n[[prova: rotto 1]]\n", encoding="utf-8")
    with pytest.raises(BuildError) as caught:
        publish_media(project, publication)
    lines = caught.value.lines()
    assert len(lines) == 1
    assert lines[0].startswith("archive/items/rotto.yml: 'media': archive/media/rotto.mp4: ")
    assert lines[0].endswith(
        "non può essere esclusa dal sito perché la cita docs/modello/pagina.md"
    )


def test_lgnet_build_publishes_the_rest_and_warns_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The whole `lgnet build` of the demo archive plus a recording that cannot be copied:
    the site is built without it (no page, no file, no search entry), the others are there,
    stderr has the one warning line and the summary the reason."""
    from lgnet.build import run_build

    from .conftest import copy_project

    monkeypatch.setenv("LGNET_CACHE_DIR", str(tmp_path / "cache"))
    project = copy_project(tmp_path / "p")
    broken_in_the_middle(project.archive / "media" / "rete-rotto.mp4")
    (project.items_dir / "rete-rotto.yml").write_text(
        "title: Workshop con il file rovinato\nkind: workshop\ncity: rete\ndate: 2024\n"
        "media: media/rete-rotto.mp4\naccess: pubblico\n",
        encoding="utf-8",
    )
    result = run_build(project, transcribe=False)
    err = capsys.readouterr().err
    warnings = [line for line in err.splitlines() if line.startswith("attenzione: ")]
    assert len(warnings) == 1
    assert warnings[0].startswith(
        "attenzione: archive/media/rete-rotto.mp4: copia per il web non riuscita ("
    )
    assert "rete-rotto: copia per il web non riuscita" in result.summary()
    site = project.site
    assert not (site / "archivio" / "rete-rotto").exists()
    assert not list((site / "media").glob("rete-rotto*"))
    assert (site / "media" / "palermo-safe-space.mp4").is_file()
    for path in site.rglob("*"):
        if path.suffix in (".html", ".json", ".js", ".xml"):
            assert "rete-rotto" not in path.read_text(encoding="utf-8", errors="replace"), path
