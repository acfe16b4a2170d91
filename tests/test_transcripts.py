"""Transcript files: the four formats agree, VTT edits flow back, crashes leave nothing broken."""

from __future__ import annotations

from pathlib import Path

import pytest

from lgnet.corrections import is_curated, parse_vtt, sync_corrections
from lgnet.errors import TranscriptError
from lgnet.transcripts import (
    Segment,
    Transcript,
    TranscriptFiles,
    Word,
    read_transcript,
    recover_interrupted,
    render_srt,
    render_txt,
    render_vtt,
    write_transcript,
)


def sample() -> Transcript:
    return Transcript(
        id="prova",
        language="it",
        duration=12.5,
        status="automatico",
        provenance={"engine": "faster-whisper", "model": "base"},
        segments=[
            Segment(0.0, 4.2, "Benvenuti al workshop.", None, [Word(0.0, 0.5, " Benvenuti", 0.9)]),
            Segment(4.2, 8.0, "Parliamo di one-stop-shop <e> A&B.", "Moderatrice"),
            Segment(3725.5, 3727.25, "Fine.", None),
        ],
    )


def test_the_four_files_hold_the_same_segments(tmp_path: Path) -> None:
    files = write_transcript(tmp_path, sample())
    back = read_transcript(files.json)
    assert back.segments == sample().segments
    vtt = files.vtt.read_text()
    assert vtt.startswith("WEBVTT")
    assert "01:02:05.500 --> 01:02:07.250" in vtt
    assert "<v Moderatrice>Parliamo di one-stop-shop &lt;e&gt; A&amp;B." in vtt
    assert "01:02:05,500 --> 01:02:07,250" in files.srt.read_text()
    assert "[00:00:04] Moderatrice: Parliamo di one-stop-shop <e> A&B." in files.txt.read_text()
    cues = parse_vtt(vtt)
    # short sentences: one cue each, the same words; a cue ends 80 ms before the next starts
    assert [(c.start, c.text, c.speaker) for c in cues] == [
        (s.start, s.text, s.speaker) for s in sample().segments
    ]
    assert [c.end for c in cues] == [4.12, 8.0, 3727.25]
    assert render_srt(back) == files.srt.read_text() and render_txt(back) == files.txt.read_text()
    assert not list(tmp_path.glob(".*"))  # no temporaries or markers left


def test_vtt_edit_in_a_subtitle_editor_flows_back_and_marks_revised(tmp_path: Path) -> None:
    files = write_transcript(tmp_path, sample())
    edited = files.vtt.read_text().replace("Benvenuti al workshop.", "Benvenute e benvenuti.")
    edited = edited.replace("00:00:04.200 --> 00:00:08.000", "00:00:04.300 --> 00:00:08.100")
    files.vtt.write_text(edited.replace("\n", "\r\n"))  # editors on Windows save CRLF
    before = read_transcript(files.json)
    assert is_curated(files, before)
    assert sync_corrections(tmp_path, "prova")
    after = read_transcript(files.json)
    # only the sentences a person touched are reviewed: the transcript is not yet revisionato
    assert [s.reviewed for s in after.segments] == [True, True, False]
    assert after.status == "automatico" and is_curated(files, after)
    assert after.segments[0].text == "Benvenute e benvenuti."
    assert after.segments[0].words == []  # text changed: old word timings dropped
    assert after.segments[1].start == 4.3 and after.segments[1].speaker == "Moderatrice"
    assert after.segments[2].text == "Fine."
    assert "Benvenute e benvenuti." in files.srt.read_text()
    assert "Benvenute e benvenuti." in files.txt.read_text()
    assert not sync_corrections(tmp_path, "prova")  # in sync now


def test_a_broken_vtt_is_reported_not_imported(tmp_path: Path) -> None:
    files = write_transcript(tmp_path, sample())
    files.vtt.write_text("not a vtt")
    with pytest.raises(TranscriptError, match=r"prova\.vtt: riga 1: non è un file WebVTT"):
        sync_corrections(tmp_path, "prova")
    assert read_transcript(files.json).status == "automatico"


def test_unreadable_json_gives_one_clear_line(tmp_path: Path) -> None:
    (tmp_path / "x.json").write_text("{broken")
    with pytest.raises(TranscriptError, match="trascrizione illeggibile"):
        read_transcript(tmp_path / "x.json")


def test_recovery_after_a_kill_between_file_renames(tmp_path: Path) -> None:
    write_transcript(tmp_path, sample())
    files = TranscriptFiles(tmp_path, "prova")
    files.pending.write_text("")  # as if killed while replacing the four files
    (tmp_path / ".tmp-prova.vtt.abc").write_text("half")
    assert recover_interrupted(tmp_path) == ["prova"]
    assert not files.json.exists() and not files.pending.exists()
    assert not list(tmp_path.glob(".tmp-*"))


def test_rendering_escapes_cue_terminators() -> None:
    t = sample()
    t.segments = [Segment(0, 1, "a --> b")]
    assert "a --&gt; b" in render_vtt(t)
    assert parse_vtt(render_vtt(t))[0].text == "a --> b"
