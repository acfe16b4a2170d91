"""`lgnet clip`: exact cuts, re-timed captions, redactions honoured, access enforced."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import numpy as np
import pytest

from lgnet.archive import load_archive
from lgnet.clip import ClipRequest, make_clip
from lgnet.errors import AccessError, LgnetError
from lgnet.media import extract_audio, ffmpeg_binary, load_audio, probe
from lgnet.project import Project
from lgnet.transcripts import Segment, Transcript, parse_vtt, write_transcript

from .media_factory import ffmpeg

CITIES = "- {slug: rete, name: Rete LGNet}\n- {slug: roma, name: Roma, lat: 41.9, lon: 12.5}\n"


def tone_bursts_video(path: Path) -> Path:
    """12 s of video whose audio is silent but for 0.2 s beeps at 5.0 s and 9.0 s."""
    beep = "0.5*sin(2*PI*1000*t)*(between(t,5,5.2)+between(t,9,9.2))"
    ffmpeg("-f", "lavfi", "-i", "testsrc=size=320x240:rate=25:d=12", "-f", "lavfi",
           "-i", f"aevalsrc='{beep}':s=48000:d=12", "-c:v", "libx264", "-g", "50",
           "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(path))  # fmt: skip
    return path


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    monkeypatch.setenv("LGNET_CACHE_DIR", str(tmp_path / "cache"))
    root = tmp_path / "p"
    (root / "archive" / "items").mkdir(parents=True)
    (root / "archive" / "media").mkdir()
    (root / "mkdocs.yml").write_text("site_name: t\nsite_url: https://example.org/lgnet/\n")
    (root / "archive" / "cities.yml").write_text(CITIES)
    (root / "archive" / "glossary.yml").write_text("- {term: FAMI, definition: Fondo}\n")
    tone_bursts_video(root / "archive" / "media" / "v.mp4")
    common = "kind: workshop\ncity: roma\ndate: 2022-03-24\nmedia: media/v.mp4\n"
    common += "credits: ANCI\nlicense: CC-BY-4.0\n"
    items = {
        "aperto": "title: Workshop aperto\n",
        "omissis": "title: Con omissis\nredactions: [{start: 8.8, end: 9.5, reason: nome}]\n",
        "interno": "title: Interno\naccess: operatori\n",
        "chiuso": "title: Chiuso\naccess: riservato\n",
    }
    project = Project(root)
    for item_id, text in items.items():
        (root / "archive" / "items" / f"{item_id}.yml").write_text(text + common)
        write_transcript(
            project.transcripts,
            Transcript(item_id, "it", 12.0, "automatico", {}, [
                Segment(0.5, 3.0, "Benvenuti al workshop."),
                Segment(4.5, 6.0, "Qui parla la prima città."),
                Segment(8.5, 10.0, "Mi chiamo Maria."),
            ]),
        )  # fmt: skip
    return project


def first_sound(path: Path) -> float:
    samples = load_audio(extract_audio(path))
    loud = np.flatnonzero(np.abs(samples) > 0.1)
    return float(loud[0]) / 16000


def test_cut_is_exact_and_captions_are_retimed(project: Project) -> None:
    result = make_clip(project, ClipRequest("aperto", 4.0, 8.0))
    info = probe(result.media)
    assert info.has_video and info.duration == pytest.approx(4.0, abs=0.1)
    assert first_sound(result.media) == pytest.approx(1.0, abs=0.1)  # the beep at 5.0 s
    cues = parse_vtt(result.vtt.read_text())
    assert [c.text for c in cues] == ["Qui parla la prima città."]
    assert cues[0].start == pytest.approx(0.5) and cues[0].end == pytest.approx(2.0)
    assert "00:00:00,500 --> 00:00:02,000" in result.srt.read_text()
    citation = result.citation.read_text()
    assert "«Workshop aperto» — Roma, 2022-03-24" in citation
    assert "Licenza: CC-BY-4.0" in citation and "Crediti: ANCI" in citation
    assert "https://example.org/lgnet/archivio/aperto/#t=4" in citation


def test_redaction_is_honoured_in_media_and_captions(project: Project) -> None:
    result = make_clip(project, ClipRequest("omissis", 8.0, 12.0))
    samples = load_audio(extract_audio(result.media))
    beep = samples[int(1.0 * 16000) : int(1.2 * 16000)]  # the 9.0 s beep falls in the span
    assert np.abs(beep).max() < 0.01
    assert [c.text for c in parse_vtt(result.vtt.read_text())] == ["[omissis]"]


def frame_md5(path: Path, at: float) -> str:
    out = subprocess.run(
        [ffmpeg_binary(), "-v", "error", "-ss", str(at), "-i", str(path), "-frames:v", "1",
         "-f", "rawvideo", "-pix_fmt", "gray", "-"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    return hashlib.md5(out).hexdigest()


def test_burned_captions_change_the_picture(project: Project, tmp_path: Path) -> None:
    plain = make_clip(project, ClipRequest("aperto", 4.0, 8.0, output=tmp_path / "a.mp4"))
    burned = make_clip(
        project, ClipRequest("aperto", 4.0, 8.0, output=tmp_path / "b.mp4", burn=True)
    )
    assert frame_md5(plain.media, 1.0) != frame_md5(burned.media, 1.0)  # a cue is on screen


def test_access_levels_decide_the_use(project: Project) -> None:
    with pytest.raises(AccessError, match="chiuso: la registrazione è riservata"):
        make_clip(project, ClipRequest("chiuso", 0, 2))
    with pytest.raises(AccessError, match="--audience operatori"):
        make_clip(project, ClipRequest("interno", 0, 2))
    assert make_clip(project, ClipRequest("interno", 0, 2, audience="operatori")).media.exists()
    with pytest.raises(AccessError):
        make_clip(project, ClipRequest("chiuso", 0, 2, audience="operatori"))


def test_bad_ranges_are_explained(project: Project) -> None:
    with pytest.raises(
        LgnetError, match=r"intervallo 0:10–0:20 non valido; la registrazione dura 0:12"
    ):
        make_clip(project, ClipRequest("aperto", 10, 20))
    with pytest.raises(LgnetError, match="l'inizio deve precedere la fine"):
        make_clip(project, ClipRequest("aperto", 5, 4))
    assert not (project.root / "clips").exists()


def test_the_cli_prints_where_the_files_are(project: Project) -> None:
    from click.testing import CliRunner

    from lgnet.cli import main

    out = project.root / "estratto.mp4"
    result = CliRunner().invoke(
        main, ["clip", "aperto", "00:04", "0:08", "-o", str(out), "--root", str(project.root)]
    )
    assert result.exit_code == 0, result.output
    assert "Estratto:" in result.output and out.exists() and out.with_suffix(".vtt").exists()
    assert load_archive(project).items["aperto"].title == "Workshop aperto"
