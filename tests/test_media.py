"""The media stage on real files: probing, audio extraction, posters, and broken media."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lgnet import media
from lgnet.archive import Item
from lgnet.errors import MediaError
from lgnet.project import Project

from .conftest import DATA
from .media_factory import truncated, video_without_audio

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


def test_a_file_without_audio_is_a_clear_error(tmp_path: Path) -> None:
    mute = video_without_audio(tmp_path / "muto.mp4")
    with pytest.raises(MediaError, match=r"muto\.mp4: il file non contiene una traccia audio"):
        media.extract_audio(mute)


def test_poster_frame_for_video_only(tmp_path: Path) -> None:
    project = Project(tmp_path)
    base = {"title": "t", "kind": "pillola", "city": "rete", "date": "2024"}
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
