"""The transcription stage with the real default model on real Italian speech."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lgnet.archive import load_archive
from lgnet.errors import LgnetError
from lgnet.project import Project
from lgnet.transcribe import TranscribeRequest, transcribe_archive
from lgnet.transcripts import TranscriptFiles, read_transcript

from .asr_quality import CLIPS, pooled_wer, references, wer
from .conftest import DATA
from .media_factory import concat, music, noise, silence, truncated, video_without_audio

pytestmark = pytest.mark.slow

REFS = references(DATA / "references.tsv")
CITIES = "- {slug: rete, name: Rete LGNet}\n- {slug: roma, name: Roma, lat: 41.9, lon: 12.5}\n"
GLOSSARY = '- {term: one-stop-shop, definition: "Sportello unico"}\n'


def make_project(root: Path, media: dict[str, Path]) -> Project:
    """A project whose items point at the given media files (item id -> media path)."""
    (root / "archive" / "items").mkdir(parents=True, exist_ok=True)
    (root / "mkdocs.yml").write_text("site_name: t\n")
    (root / "archive" / "cities.yml").write_text(CITIES)
    (root / "archive" / "glossary.yml").write_text(GLOSSARY)
    for item_id, path in media.items():
        (root / "archive" / "items" / f"{item_id}.yml").write_text(
            f"title: {item_id}\nkind: pillola\ncity: rete\ndate: 2024\naccess: pubblico\n"
            f"media: {path}\nexternal_media: true\n"
        )
    return Project(root)


def run(project: Project, **kwargs: object) -> list[tuple[str, str]]:
    archive = load_archive(project)
    result = transcribe_archive(project, archive, TranscribeRequest(progress=False, **kwargs))  # type: ignore[arg-type]
    return sorted((o.id, o.action) for o in result.outcomes)


def lgnet(project: Project, *args: str, **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lgnet.cli", *args, "--root", str(project.root)],
        capture_output=True,
        text=True,
        check=False,
        **kw,  # type: ignore[call-overload]
    )


@pytest.fixture(scope="module")
def clips_project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    root = tmp_path_factory.mktemp("clips")
    project = make_project(root, {Path(c).stem.replace("_", "-"): DATA / c for c in CLIPS})
    assert run(project) == sorted((Path(c).stem.replace("_", "-"), "trascritto") for c in CLIPS)
    return project


def test_real_italian_speech_meets_the_wer_threshold(clips_project: Project) -> None:
    pairs = []
    for clip in CLIPS:
        t = read_transcript(
            TranscriptFiles(clips_project.transcripts, Path(clip).stem.replace("_", "-")).json
        )
        pairs.append((REFS[clip], t.text))
        assert wer(REFS[clip], t.text) <= 0.6, (clip, t.text)
    assert pooled_wer(pairs) <= 0.3


def test_transcript_has_provenance_words_and_all_formats(clips_project: Project) -> None:
    files = TranscriptFiles(clips_project.transcripts, "fleurs-it-1521")
    data = json.loads(files.json.read_text())
    prov = data["provenance"]
    assert prov["engine"] == "faster-whisper" and prov["model"] == "base"
    assert len(prov["audio_sha256"]) == 64 and prov["created"].endswith("Z")
    # speech without the network's names: nothing corrected, and the record says so
    assert prov["options"]["correct_names"] is True and prov["name_corrections"] == []
    assert data["status"] == "automatico" and data["language"] == "it"
    words = [w for s in data["segments"] for w in s["words"]]
    assert words and all(0 <= w["start"] <= w["end"] <= data["duration"] + 0.5 for w in words)
    assert "satellite" in files.vtt.read_text().lower()
    assert "satellite" in files.srt.read_text().lower()
    assert "satellite" in files.txt.read_text().lower()


def test_second_run_transcribes_nothing(clips_project: Project) -> None:
    files = TranscriptFiles(clips_project.transcripts, "cv-it-19574384")
    before = files.json.stat().st_mtime_ns
    assert {a for _, a in run(clips_project)} == {"invariato"}
    assert files.json.stat().st_mtime_ns == before


def test_curated_transcript_survives_force_and_vtt_edits_flow_back(clips_project: Project) -> None:
    files = TranscriptFiles(clips_project.transcripts, "cv-it-19574386")
    vtt = files.vtt.read_text()
    # an edit that differs from what the model wrote (base may get this clip right): the whole
    # text of the first cue (two caption lines) replaced by one line
    header, cue, *rest = vtt.split("\n\n")
    number, timing, *_ = cue.split("\n")
    edited = f"{number}\n{timing}\nOgnuno è libero di leggere, correggere e riscrivere il codice."
    files.vtt.write_text("\n\n".join([header, edited, *rest]))
    outcome = run(clips_project, ids=["cv-it-19574386"], force=True)
    assert outcome == [("cv-it-19574386", "corretto")]
    curated = read_transcript(files.json)
    assert curated.status == "revisionato"
    assert curated.text == "Ognuno è libero di leggere, correggere e riscrivere il codice."
    assert "riscrivere il codice" in files.txt.read_text()
    # --force alone never overwrites it
    assert run(clips_project, ids=["cv-it-19574386"], force=True) == [
        ("cv-it-19574386", "protetto")
    ]
    assert read_transcript(files.json).text == curated.text
    # the explicit flag redoes it, after a backup
    run(clips_project, ids=["cv-it-19574386"], force=True, overwrite_curated=True)
    backups = list(
        (clips_project.transcripts / ".backup").glob("cv-it-19574386-*/cv-it-19574386.json")
    )
    assert backups and read_transcript(backups[0]).status == "revisionato"
    assert read_transcript(files.json).status == "automatico"


def test_changed_options_or_media_retranscribe(tmp_path: Path) -> None:
    media = tmp_path / "clip.wav"
    media.write_bytes((DATA / "picovoice_leopard_test_it.wav").read_bytes())
    project = make_project(tmp_path / "p", {"clip": media})
    assert run(project) == [("clip", "trascritto")]
    assert run(project, quality=True) == [("clip", "trascritto")]  # options changed
    assert run(project, rapid=True) == [("clip", "trascritto")]  # --veloce: options changed
    assert (
        read_transcript(TranscriptFiles(project.transcripts, "clip").json).provenance["options"][
            "encoder_padding_s"
        ]
        == 2.0
    )
    proc = lgnet(project, "transcribe", "--quality", "--veloce")
    assert proc.returncode == 1 and "non si possono usare insieme" in proc.stderr
    media.write_bytes((DATA / "picovoice_cheetah_test_it.wav").read_bytes())
    assert run(project, quality=True) == [("clip", "trascritto")]  # media changed
    assert "vetta" in read_transcript(TranscriptFiles(project.transcripts, "clip").json).text


@pytest.mark.parametrize("maker", [silence, noise, music])
def test_no_text_on_silence_noise_or_music(tmp_path: Path, maker: object) -> None:
    path = maker(tmp_path / "audio.wav")  # type: ignore[operator]
    project = make_project(tmp_path / "p", {"vuoto": path})
    assert run(project) == [("vuoto", "trascritto")]
    transcript = read_transcript(TranscriptFiles(project.transcripts, "vuoto").json)
    assert transcript.segments == [], transcript.text
    assert transcript.duration == pytest.approx(60, abs=0.5)


def test_long_video_goes_through_the_whole_stage(tmp_path: Path) -> None:
    project = make_project(tmp_path, {"lungo": DATA / "longform_dev.mp4"})
    assert run(project) == [("lungo", "trascritto")]
    t = read_transcript(TranscriptFiles(project.transcripts, "lungo").json)
    reference = REFS["longform_dev.mp4"]
    assert t.duration > 30 and t.segments[-1].end > 40
    assert wer(reference, t.text) <= 0.35
    starts = [s.start for s in t.segments]
    assert starts == sorted(starts)
    # the operator is told how much audio was done, how fast
    proc = lgnet(project, "transcribe", "--force")
    assert proc.returncode == 0, proc.stderr
    assert re.search(
        r"1 trascritta.*\(0,9 min di audio in \d+ s, \d+ volt[ae] il tempo reale\)", proc.stdout
    )


def test_bad_media_fails_its_item_only_with_one_line_each(tmp_path: Path) -> None:
    project = make_project(
        tmp_path / "p",
        {
            "buono": DATA / "picovoice_cheetah_test_it.wav",
            "rotto": truncated(DATA / "longform_dev.mp4", tmp_path / "rotto.mp4"),
            "muto": video_without_audio(tmp_path / "muto.mp4"),
        },
    )
    proc = lgnet(project, "transcribe")
    assert proc.returncode == 1
    errors = [line for line in proc.stderr.splitlines() if line.startswith("errore:")]
    assert len(errors) == 2 and "Traceback" not in proc.stderr
    assert any("rotto.yml" in e and "danneggiato" in e for e in errors)
    assert any("muto.yml" in e and "traccia audio" in e for e in errors)
    assert TranscriptFiles(project.transcripts, "buono").json.exists()
    assert not TranscriptFiles(project.transcripts, "rotto").json.exists()
    assert sorted(p.name for p in project.transcripts.iterdir()) == [
        "buono.json", "buono.srt", "buono.txt", "buono.vtt",
    ]  # fmt: skip


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGINT])
def test_interrupted_run_resumes_without_corrupt_files(tmp_path: Path, how: int) -> None:
    long_audio = concat([DATA / c for c in CLIPS] * 3, tmp_path / "lungo.wav")
    project = make_project(
        tmp_path / "p", {"a-breve": DATA / "picovoice_leopard_test_it.wav", "b-lungo": long_audio}
    )
    env = {**os.environ, "LGNET_ROOT": str(project.root)}
    # One recording at a time: the short one is done first, then the signal falls inside the
    # long one (two at a time, the short one's chunk could wait for the long one's).
    proc = subprocess.Popen(
        [sys.executable, "-m", "lgnet.cli", "transcribe", "--jobs", "1"],
        env=env,
        # a shell runs background jobs with SIGINT ignored, and a child inherits that: give
        # it the default, as in a terminal (Python then turns it into KeyboardInterrupt)
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    first = TranscriptFiles(project.transcripts, "a-breve").json
    deadline = time.monotonic() + 120
    while not first.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1.0)  # well inside the long item
    proc.send_signal(how)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode != 0
    if how == signal.SIGINT:
        assert "interrotto" in stderr and "Traceback" not in stderr
    assert not TranscriptFiles(project.transcripts, "b-lungo").json.exists()
    read_transcript(first)  # the finished item is intact
    assert run(project) == [("a-breve", "invariato"), ("b-lungo", "trascritto")]
    assert not [p for p in project.transcripts.iterdir() if p.name.startswith(".")]


def test_unknown_id_is_a_clear_error(tmp_path: Path) -> None:
    project = make_project(tmp_path, {"uno": DATA / "picovoice_leopard_test_it.wav"})
    with pytest.raises(LgnetError, match="registrazione sconosciuta: due"):
        run(project, ids=["due"])
