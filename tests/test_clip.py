"""`lgnet clip`: exact cuts, re-timed captions, redactions honoured, access enforced."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import numpy as np
import pytest

from lgnet.archive import load_archive
from lgnet.clip import ClipRequest, make_clip
from lgnet.corrections import parse_vtt
from lgnet.errors import AccessError, LgnetError
from lgnet.media import extract_audio, ffmpeg_binary, load_audio, probe
from lgnet.outputs import OutputError
from lgnet.project import Project
from lgnet.transcripts import Segment, Transcript, write_transcript

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
        "aperto": "title: Workshop aperto\naccess: pubblico\n",
        "omissis": (
            "title: Con omissis\naccess: pubblico\n"
            "redactions: [{start: 8.8, end: 9.5, reason: nome}]\n"
        ),
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


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_clip_never_writes_over_the_archive_or_the_transcripts(project: Project) -> None:
    media = project.archive / "media" / "v.mp4"
    before = {p.name: sha(p) for p in (*project.transcripts.iterdir(), media)}
    with pytest.raises(OutputError, match=r"archive/media/v\.mp4: è dentro archive/"):
        make_clip(project, ClipRequest("aperto", 4.0, 8.0, output=media, overwrite=True))
    with pytest.raises(OutputError, match=r"transcripts/aperto\.mp4: è dentro transcripts/"):
        make_clip(
            project,
            ClipRequest("aperto", 4.0, 8.0, output=project.transcripts / "aperto.mp4"),
        )
    assert {p.name: sha(p) for p in (*project.transcripts.iterdir(), media)} == before


def test_clip_checks_all_four_files_before_writing_any(project: Project, tmp_path: Path) -> None:
    out = tmp_path / "aula" / "estratto.mp4"
    out.parent.mkdir()
    out.with_suffix(".srt").write_text("sottotitoli corretti a mano\n")
    with pytest.raises(OutputError, match=r"estratto\.srt: il file esiste già; usare --overwrite"):
        make_clip(project, ClipRequest("aperto", 4.0, 8.0, output=out))
    assert sorted(p.name for p in out.parent.iterdir()) == ["estratto.srt"]  # nothing half-done
    result = make_clip(project, ClipRequest("aperto", 4.0, 8.0, output=out, overwrite=True))
    assert "Qui parla la prima città." in result.srt.read_text()
    assert sorted(p.name for p in out.parent.iterdir()) == [
        "estratto.citazione.txt", "estratto.mp4", "estratto.srt", "estratto.vtt",
    ]  # fmt: skip


def test_the_default_clips_folder_keeps_what_lgnet_did_not_write(project: Project) -> None:
    first = make_clip(project, ClipRequest("aperto", 4.0, 6.0))
    clips = project.root / "clips"
    assert first.media.parent == clips and (clips / ".lgnet-output.json").exists()
    (clips / "appunti.txt").write_text("di una persona")
    with pytest.raises(OutputError, match="il file esiste già; usare --overwrite"):
        make_clip(project, ClipRequest("aperto", 4.0, 6.0))
    make_clip(project, ClipRequest("aperto", 4.0, 6.0, overwrite=True))
    second = make_clip(project, ClipRequest("aperto", 0.0, 2.0))
    assert first.media.exists() and second.media.exists()  # earlier clips are not pruned
    assert (clips / "appunti.txt").read_text() == "di una persona"
    assert not [p for p in clips.iterdir() if p.name.startswith(".tmp-")]


def test_a_clips_folder_of_unknown_files_is_refused(project: Project) -> None:
    clips = project.root / "clips"
    clips.mkdir()
    (clips / "vecchio.mp4").write_bytes(b"non di lgnet")
    with pytest.raises(OutputError, match="la cartella clips contiene già altri file"):
        make_clip(project, ClipRequest("aperto", 4.0, 6.0, overwrite=True))
    assert [p.name for p in clips.iterdir()] == ["vecchio.mp4"]


def test_a_symlink_into_the_archive_is_refused(project: Project, tmp_path: Path) -> None:
    link = tmp_path / "originale.mp4"
    link.symlink_to(project.archive / "media" / "v.mp4")
    before = sha(project.archive / "media" / "v.mp4")
    with pytest.raises(OutputError, match=r"porta a archive/media/v\.mp4"):
        make_clip(project, ClipRequest("aperto", 4.0, 8.0, output=link, overwrite=True))
    assert sha(project.archive / "media" / "v.mp4") == before and link.is_symlink()


def test_the_cli_refuses_to_overwrite_the_original(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from lgnet.cli import main

    monkeypatch.chdir(project.root)
    media = project.archive / "media" / "v.mp4"
    before = sha(media)
    result = CliRunner().invoke(
        main, ["clip", "aperto", "4", "8", "-o", "archive/media/v.mp4", "--overwrite"]
    )
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output.startswith("errore: archive/media/v.mp4: è dentro archive/")
    assert len(result.output.strip().splitlines()) == 1
    assert sha(media) == before
    ok = CliRunner().invoke(main, ["clip", "aperto", "4", "8", "-o", "estratto.mp4"])
    assert ok.exit_code == 0, ok.output
    again = CliRunner().invoke(main, ["clip", "aperto", "4", "8", "-o", "estratto.mp4"])
    assert again.exit_code == 1 and "usare --overwrite" in again.output
    forced = ["clip", "aperto", "4", "8", "-o", "estratto.mp4", "--overwrite"]
    assert CliRunner().invoke(main, forced).exit_code == 0


def test_a_clip_carries_no_other_stream_and_no_metadata(tmp_path: Path) -> None:
    """The original's subtitle track, second sound track, chapters and tags stay behind."""
    import json

    from .conftest import copy_project
    from .media_factory import video_with_everything

    project = copy_project(tmp_path / "p")
    source = project.archive / "media" / "tutto.mkv"
    video_with_everything(source, secret="Segretissimo")
    item = project.items_dir / "tutto.yml"
    item.write_text(
        "title: Prova\nkind: pillola\ncity: rete\ndate: 2024\nmedia: media/tutto.mkv\n"
        "access: pubblico\n",
        encoding="utf-8",
    )
    transcript = Transcript(
        "tutto", "it", 3.0, "automatico", {}, [Segment(0.0, 2.0, "una frase di prova")]
    )
    write_transcript(project.transcripts, transcript)
    result = make_clip(project, ClipRequest("tutto", 0.0, 1.5, tmp_path / "out" / "c.mp4"))
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-show_streams", "-show_format", "-show_chapters", "-of",
         "json", str(result.media)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    data = json.loads(probe.stdout)
    kinds = sorted(s["codec_type"] for s in data["streams"])
    assert kinds == ["audio", "video"]
    assert data.get("chapters") == []
    tags = data["format"].get("tags", {})
    assert not {"title", "comment", "location", "creation_time"} & {k.lower() for k in tags}
    assert "segretissimo" not in result.media.read_bytes().decode("latin-1").lower()


# --- ready to hand out ----------------------------------------------------------------------


def test_default_names_are_readable_and_links_say_when_they_are_relative(
    project: Project,
) -> None:
    (project.root / "mkdocs.yml").write_text("site_name: t\nhooks:\n  - !!python/name:x.y\n")
    result = make_clip(project, ClipRequest("aperto", 4.0, 8.5))
    assert result.media.name == "aperto_00m04s-00m08s.mp4"
    assert result.vtt.name == "aperto_00m04s-00m08s.vtt"
    citation = result.citation.read_text()
    assert (
        "Collegamento al momento: archivio/aperto/#t=4 (indirizzo del sito non indicato: "
        "link relativo)" in citation
    )
    other = make_clip(
        project, ClipRequest("aperto", 0, 2, site_url="https://www.comune.example.it/lgnet")
    )
    assert "https://www.comune.example.it/lgnet/archivio/aperto/#t=0\n" in (
        other.citation.read_text()
    )


def test_burned_captions_sit_on_a_box_sized_to_the_picture() -> None:
    from lgnet.clip import burn_style

    wide, narrow = burn_style(1920, 1080), burn_style(480, 360)
    for style in (wide, narrow):
        assert "BorderStyle=3" in style and "BackColour=&H40000000" in style
        assert "WrapStyle=2" in style  # the cues' own 2 lines, never wrapped again
    size = {s: float(s.split("FontSize=")[1].split(",")[0]) for s in (wide, narrow)}
    assert size[wide] == 17 and size[narrow] < size[wide]  # 4:3: smaller, 42 characters fit


def test_an_ambiguous_time_on_the_command_line_says_what_to_write(project: Project) -> None:
    from click.testing import CliRunner

    from lgnet.cli import main

    result = CliRunner().invoke(main, ["clip", "aperto", "1.20", "8", "--root", str(project.root)])
    assert result.exit_code != 0
    assert "tempo ambiguo: '1.20'" in result.output and "'1:20' oppure '80'" in result.output
    assert not (project.root / "clips").exists()
    ok = CliRunner().invoke(
        main, ["clip", "aperto", "00:00:01", "6.5", "--root", str(project.root)]
    )
    assert ok.exit_code == 0, ok.output
    assert (project.root / "clips" / "aperto_00m01s-00m06s.mp4").exists()


def test_clip_captions_follow_the_words_heard_in_the_excerpt(project: Project) -> None:
    from lgnet.transcripts import Word

    text = "a b c d e f"
    words = [Word(0.5 + n * 0.5, 0.9 + n * 0.5, " " + w) for n, w in enumerate(text.split())]
    segment = Segment(0.5, 3.4, text, None, words)
    write_transcript(
        project.transcripts, Transcript("aperto", "it", 12.0, "automatico", {}, [segment])
    )
    result = make_clip(project, ClipRequest("aperto", 2.0, 4.0))
    cues = parse_vtt(result.vtt.read_text())
    assert " ".join(c.text for c in cues) == "d e f"  # a, b, c were said before the cut
    assert cues[0].start == pytest.approx(0.0, abs=0.5)
