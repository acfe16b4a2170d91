"""The media stage on real files: probing, audio extraction, posters, and broken media."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lgnet import media
from lgnet.archive import Item
from lgnet.errors import MediaError
from lgnet.project import Project

from .conftest import DATA
from .media_factory import cut_in_half, faststart_mp4, truncated, video_without_audio

CLIP = DATA / "fleurs_it_1521.wav"
MP3 = DATA / "cv_it_19574384.mp3"
VIDEO = DATA / "longform_dev.mp4"


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LGNET_CACHE_DIR", str(tmp_path / "cache"))


def test_probe_reads_duration_and_streams() -> None:
    wav = media.probe(CLIP)
    assert wav.has_audio and not wav.has_video
    assert wav.duration == pytest.approx(10.98, abs=0.05)
    video = media.probe(VIDEO)
    assert video.has_video and video.has_audio and video.width and video.duration > 30


def test_probe_without_ffprobe_uses_the_bundled_ffmpeg(monkeypatch: pytest.MonkeyPatch) -> None:
    media.ffmpeg_binary.cache_clear()
    monkeypatch.setenv("PATH", "/nonexistent")
    try:
        info = media.probe(MP3)
        assert "imageio_ffmpeg" in media.ffmpeg_binary()
    finally:
        media.ffmpeg_binary.cache_clear()
    assert info.has_audio and info.duration == pytest.approx(6.9, abs=0.2)


def test_extracted_audio_is_16k_mono_and_cached() -> None:
    wav = media.extract_audio(MP3)
    samples = media.load_audio(wav)
    assert len(samples) / media.SAMPLE_RATE == pytest.approx(6.9, abs=0.2)
    assert samples.dtype.name == "float32" and 0.05 < abs(samples).max() <= 1.0
    mtime = wav.stat().st_mtime_ns
    assert media.extract_audio(MP3) == wav and wav.stat().st_mtime_ns == mtime
    assert wav.name == media.media_sha256(MP3) + ".wav"


def test_truncated_media_is_a_clear_error(tmp_path: Path) -> None:
    bad = truncated(VIDEO, tmp_path / "rotto.mp4")
    with pytest.raises(MediaError, match=r"rotto\.mp4: .*(illeggibile o danneggiato|troncato)"):
        media.extract_audio(bad)
    assert not list((tmp_path / "cache").rglob("*.wav"))


def test_a_truncated_mp4_with_its_index_in_front_is_refused_with_the_time_it_breaks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the index (moov) at the front, ffprobe still reports the full duration of a file
    whose data (mdat) was cut in half: only reading every packet finds it out."""
    whole = faststart_mp4(tmp_path / "intero.mp4", 20)
    assert media.probe(whole).duration == pytest.approx(20, abs=0.1)
    half = cut_in_half(whole, tmp_path / "rotto.mp4")
    ffprobe = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0",
         str(half)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert float(ffprobe.stdout) == pytest.approx(20, abs=0.1)  # the index does not know
    message = (
        r"rotto\.mp4: file troncato o danneggiato a 00:00:(0[6-9]|1[0-2]) .*"
        r"sostituirlo con una copia integra$"
    )
    with pytest.raises(MediaError, match=message) as caught:
        media.probe(half)
    assert "\n" not in str(caught.value)
    # The verdict is remembered: the file is not read again while it is unchanged...
    monkeypatch.setattr(media, "verify", lambda *a: pytest.fail("read again"))
    with pytest.raises(MediaError, match=message):
        media.probe(half)
    with pytest.raises(MediaError, match=message):
        media.extract_audio(half)
    assert media.probe(whole).duration == pytest.approx(20, abs=0.1)
    monkeypatch.undo()
    # ...and is asked again once it is replaced by a sound copy.
    half.write_bytes(whole.read_bytes())
    assert media.probe(half).duration == pytest.approx(20, abs=0.1)


def test_corrupt_audio_in_the_middle_is_found(tmp_path: Path) -> None:
    from .media_factory import tone

    good = tone(tmp_path / "buono.m4a", 20)
    data = bytearray(good.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 4000] = bytes(4000)  # zeroed AAC frames: the decoder complains
    bad = tmp_path / "guasto.m4a"
    bad.write_bytes(bytes(data))
    with pytest.raises(MediaError, match=r"guasto\.m4a: file troncato o danneggiato a 00:00:"):
        media.probe(bad)


def test_reading_a_whole_video_once_is_cheap() -> None:
    """Every packet of tests/data/longform_dev.mp4 (55 s, H.264 + AAC) demuxed and its audio
    decoded: about 0.1 s (most of it starting ffmpeg), once per file thanks to the memo."""
    import time

    info = media._probe(VIDEO)
    began = time.perf_counter()
    media.verify(VIDEO, info)
    assert time.perf_counter() - began < 2.0


def test_a_file_without_audio_is_a_clear_error(tmp_path: Path) -> None:
    mute = video_without_audio(tmp_path / "muto.mp4")
    with pytest.raises(MediaError, match=r"muto\.mp4: il file non contiene una traccia audio"):
        media.extract_audio(mute)


def test_poster_frame_for_video_only(tmp_path: Path) -> None:
    project = Project(tmp_path)
    base = {"title": "t", "kind": "pillola", "city": "rete", "date": "2024", "access": "pubblico"}
    video = Item.model_validate({**base, "id": "v", "media": str(VIDEO), "external_media": True})
    audio = Item.model_validate({**base, "id": "a", "media": str(CLIP), "external_media": True})
    poster = media.poster_frame(project, video)
    assert poster is not None and poster.read_bytes()[:2] == b"\xff\xd8"  # JPEG
    assert media.poster_frame(project, audio) is None


def test_fixity_hash_is_remembered_and_follows_changes(tmp_path: Path) -> None:
    copy = tmp_path / "x.wav"
    copy.write_bytes(CLIP.read_bytes())
    first = media.media_sha256(copy)
    copy.write_bytes(CLIP.read_bytes() + b"\0")
    os.utime(copy, ns=(1, 1))
    assert media.media_sha256(copy) != first


def test_remembered_facts_are_read_once_and_follow_other_processes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "x.wav"
    copy.write_bytes(CLIP.read_bytes())
    digest = media.media_sha256(copy)
    parsed: list[str] = []
    real_loads = media.json.loads
    monkeypatch.setattr(media.json, "loads", lambda text: parsed.append(text) or real_loads(text))
    monkeypatch.setattr(media, "sha256_file", lambda path: pytest.fail("hashed again"))
    for _ in range(3):
        assert media.media_sha256(copy) == digest
    assert parsed == []  # the store did not change: not even parsed again
    # Another process rewrites the store: the next question reads it again.
    store = tmp_path / "cache" / "fixity.json"
    key = next(iter(real_loads(store.read_text("utf-8"))))
    store.write_text(json.dumps({key: "altro"}), "utf-8")
    assert media.media_sha256(copy) == "altro"
    assert len(parsed) == 1


def test_the_store_forgets_files_that_are_gone_or_changed(tmp_path: Path) -> None:
    kept, gone, changed = (tmp_path / f"{name}.wav" for name in ("kept", "gone", "changed"))
    for path in (kept, gone, changed):
        path.write_bytes(CLIP.read_bytes() + path.name.encode())
        media.media_sha256(path)
    gone.unlink()
    changed.write_bytes(b"nuovo contenuto")
    os.utime(changed, ns=(1, 1))
    media.media_sha256(changed)  # a new entry: the store is rewritten, and pruned
    store = json.loads((tmp_path / "cache" / "fixity.json").read_text("utf-8"))
    assert sorted(key.rsplit("|", 2)[0] for key in store) == sorted(
        [str(kept.resolve()), str(changed.resolve())]
    )


def test_importing_the_build_stages_loads_neither_numpy_nor_ffmpeg() -> None:
    """A build where nothing changed needs neither: importing them costs a tenth of a second."""
    code = (
        "import sys\n"
        "import lgnet.audit, lgnet.build, lgnet.checks, lgnet.index, lgnet.media, lgnet.pages\n"
        "import lgnet.publish, lgnet.site\n"
        "print(sorted({'numpy', 'ffmpeg'} & set(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]"


def test_audio_is_decoded_in_process_exactly_as_the_ffmpeg_program_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import numpy as np

    for source in (MP3, VIDEO):
        # in process (PyAV): starting the ffmpeg program would fail the test
        with monkeypatch.context() as m:
            m.setattr(media, "_run_ffmpeg", lambda *a: pytest.fail("ffmpeg program started"))
            inside = media.load_audio(media.extract_audio(source))
        # the ffmpeg program, as when PyAV cannot read a file
        m_cache = tmp_path / f"program-{source.suffix[1:]}"
        with monkeypatch.context() as m:
            m.setenv("LGNET_CACHE_DIR", str(m_cache))
            m.setattr(media, "_decode_in_process", lambda path, wav: False)
            program = media.load_audio(media.extract_audio(source))
        assert len(inside) == len(program)
        assert float(np.abs(inside - program).max()) <= 2 / 32768  # the same samples


def _mapped_kb(path: Path) -> int:
    """Resident kB of this process's mappings of `path` (from /proc/self/smaps)."""
    total, inside = 0, False
    for line in Path("/proc/self/smaps").read_text().splitlines():
        if "-" in line.split(" ", 1)[0]:  # a mapping's header line
            inside = line.endswith(str(path))
        elif inside and line.startswith("Rss:"):
            total += int(line.split()[1])
    return total


def test_the_pages_of_a_decoded_window_are_given_back(tmp_path: Path) -> None:
    import numpy as np

    from .media_factory import noise

    wav = media.extract_audio(noise(tmp_path / "rumore.wav", 60))
    samples = media.open_audio(wav)
    assert samples.dtype == np.int16 and len(samples) == 60 * media.SAMPLE_RATE
    total = float(np.asarray(samples, dtype=np.float64).sum())
    assert _mapped_kb(wav) >= 1800  # 60 s of 16-bit samples, read through the mapping
    half = len(samples) // 2
    media.release_audio(samples, 0, half)
    assert 800 <= _mapped_kb(wav) <= 1000
    media.release_audio(samples, half, len(samples))
    assert _mapped_kb(wav) <= 8
    assert float(np.asarray(samples, dtype=np.float64).sum()) == total  # still readable
    media.release_audio(np.zeros(10, dtype=np.int16), 0, 10)  # not mapped: nothing to do
