"""A person's corrections in the VTT or SRT: read what editors write, refuse what cannot be read
without guessing (every problem, with its line, the file left as saved), never lose an edit."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from lgnet.corrections import (
    decode_captions,
    edited,
    is_curated,
    parse_srt,
    parse_vtt,
    sync_corrections,
)
from lgnet.errors import TranscriptError
from lgnet.transcripts import (
    Segment,
    Transcript,
    TranscriptFiles,
    Word,
    read_transcript,
    recover_interrupted,
    write_transcript,
)

EDIT = "Benvenute e benvenuti al laboratorio."


def sample() -> Transcript:
    return Transcript(
        id="prova",
        language="it",
        duration=12.5,
        status="automatico",
        provenance={"engine": "faster-whisper", "model": "base"},
        segments=[
            Segment(0.0, 4.2, "Benvenuti al workshop.", None, [Word(0.0, 0.5, " Benvenuti", 0.9)]),
            Segment(
                4.2, 8.0, "Parliamo di sportello unico.", "Moderatrice", [Word(4.2, 5.0, " P")]
            ),
            Segment(8.5, 12.0, "Grazie a tutte e a tutti.", None, [Word(8.5, 9.0, " Grazie")]),
        ],
    )


def written(folder: Path) -> TranscriptFiles:
    return write_transcript(folder, sample())


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def texts(folder: Path) -> list[str]:
    return [s.text for s in read_transcript(folder / "prova.json").segments]


# --- what editors write --------------------------------------------------------------------

# As Subtitle Edit saves WebVTT on Windows: BOM, CRLF, a timestamp map, a STYLE block, cue
# settings, styling classes, voices, a NOTE, a text identifier and an hour-less timing.
SUBTITLE_EDIT_VTT = (
    "\ufeffWEBVTT\r\n"
    "X-TIMESTAMP-MAP=MPEGTS:900000,LOCAL:00:00:00.000\r\n"
    "\r\n"
    "STYLE\r\n"
    "::cue(.yellow) {\r\n"
    "  color: yellow;\r\n"
    "}\r\n"
    "\r\n"
    "NOTE Revisione di Maria, 12 marzo\r\n"
    "controllare i nomi\r\n"
    "\r\n"
    "1\r\n"
    "00:00:00.000 --> 00:00:04.200 align:start position:10% line:85%\r\n"
    "<i>Benvenute e benvenuti</i>\r\n"
    "al <c.yellow>laboratorio</c>.\r\n"
    "\r\n"
    "intro-2\r\n"
    "00:04.200 --> 00:08.000\r\n"
    "<v.loud Moderatrice>Parliamo di <b>sportello</b> unico.</v>\r\n"
    "\r\n"
    "3\r\n"
    "00:00:08,500 --> 00:00:12,000\r\n"
    "<lang it>Grazie a tutte</lang> &amp; a tutti.\r\n"
    "\r\n"
)

# As Aegisub exports SRT: override tags in braces, <i>, CRLF, cue numbers.
AEGISUB_SRT = (
    "1\r\n"
    "00:00:00,000 --> 00:00:04,200\r\n"
    "{\\an8}Benvenute e benvenuti\r\n"
    "al laboratorio.\r\n"
    "\r\n"
    "2\r\n"
    "00:00:04,200 --> 00:00:08,000\r\n"
    "Moderatrice: {\\i1}Parliamo di sportello unico.{\\i0}\r\n"
    "\r\n"
    "3\r\n"
    "00:00:08,500 --> 00:00:12,000\r\n"
    "<i>Grazie a tutte e a tutti.</i>\r\n"
    "\r\n"
)


def test_a_subtitle_edit_export_is_read_with_voices_tags_and_notes_handled() -> None:
    cues = parse_vtt(SUBTITLE_EDIT_VTT)
    assert [(c.start, c.end, c.text, c.speaker) for c in cues] == [
        (0.0, 4.2, EDIT, None),
        (4.2, 8.0, "Parliamo di sportello unico.", "Moderatrice"),
        (8.5, 12.0, "Grazie a tutte & a tutti.", None),
    ]


def test_an_aegisub_srt_is_read_with_overrides_removed_and_known_speakers() -> None:
    cues = parse_srt(AEGISUB_SRT, speakers=["Moderatrice"])
    assert [(c.start, c.end, c.text, c.speaker) for c in cues] == [
        (0.0, 4.2, EDIT, None),
        (4.2, 8.0, "Parliamo di sportello unico.", "Moderatrice"),
        (8.5, 12.0, "Grazie a tutte e a tutti.", None),
    ]
    # a colon in ordinary text is not a speaker
    assert parse_srt("1\n00:00:01,000 --> 00:00:02,000\nOrario: 9-13\n")[0].speaker is None


def test_old_mac_line_endings_and_two_digit_fractions_are_read() -> None:
    text = "WEBVTT\r\r00:01.5 --> 00:02.25\rUno\r\r00:03.000 --> 00:04.000\rDue\r"
    assert [(c.start, c.end, c.text) for c in parse_vtt(text)] == [
        (1.5, 2.25, "Uno"),
        (3.0, 4.0, "Due"),
    ]


def test_subtitle_edit_export_flows_back_keeping_words_of_unchanged_cues(tmp_path: Path) -> None:
    files = written(tmp_path)
    files.vtt.write_bytes(SUBTITLE_EDIT_VTT.encode("utf-8"))
    assert is_curated(files, read_transcript(files.json))
    assert sync_corrections(tmp_path, "prova")
    after = read_transcript(files.json)
    assert [s.text for s in after.segments] == [
        EDIT,
        "Parliamo di sportello unico.",
        "Grazie a tutte & a tutti.",
    ]
    # the two sentences a person changed are reviewed, the untouched one is not: so the
    # transcript as a whole is not "revisionato", and it is still curated
    assert [s.reviewed for s in after.segments] == [True, False, True]
    assert after.status == "automatico" and is_curated(files, after)
    assert after.segments[0].words == []  # text changed: its word timings no longer match
    assert after.segments[1].words == [Word(4.2, 5.0, " P")]  # unchanged cue keeps them
    assert after.segments[1].speaker == "Moderatrice"
    assert EDIT in files.srt.read_text() and EDIT in files.txt.read_text()
    assert not edited(files, after) and not sync_corrections(tmp_path, "prova")


def test_a_windows_1252_file_is_decoded_not_a_traceback(tmp_path: Path) -> None:
    files = written(tmp_path)
    vtt = files.vtt.read_text().replace(
        "Grazie a tutte e a tutti.", "Perché è già finita? Sì, città."
    )
    raw = vtt.encode("cp1252")
    assert b"Perch\xe9 \xe8 gi\xe0" in raw  # the bytes a Windows editor writes
    files.vtt.write_bytes(raw)
    assert sync_corrections(tmp_path, "prova")
    assert texts(tmp_path)[2] == "Perché è già finita? Sì, città."
    assert "Perché è già finita?" in files.vtt.read_text(encoding="utf-8")  # now UTF-8
    backup = next((tmp_path / ".backup").glob("prova.*.vtt"))
    assert backup.read_bytes() == raw


def test_latin1_typographic_quotes_and_utf16_are_decoded() -> None:
    assert decode_captions("«sì» “così” – è".encode("cp1252"), "x.vtt") == "«sì» “così” – è"
    assert decode_captions("WEBVTT\n\nè".encode("utf-16"), "x.vtt") == "WEBVTT\n\nè"


def test_a_file_mixing_encodings_is_refused_naming_the_line(tmp_path: Path) -> None:
    files = written(tmp_path)
    good = files.vtt.read_text().encode("utf-8").replace(b"workshop", "città".encode())
    mixed = good.replace(b"Grazie", b"Perch\xe9 grazie")
    files.vtt.write_bytes(mixed)
    before = snapshot(tmp_path)
    with pytest.raises(TranscriptError) as caught:
        sync_corrections(tmp_path, "prova")
    assert caught.value.lines() == [
        f"{files.vtt}: riga 14: il file mescola UTF-8 e un'altra codifica; salvare il file con "
        "codifica UTF-8 dall'editor di sottotitoli e rilanciare"
    ]
    assert snapshot(tmp_path) == before


def test_empty_cues_are_dropped_never_published(tmp_path: Path) -> None:
    files = written(tmp_path)
    files.vtt.write_text(
        "WEBVTT\n\n"
        "1\n00:00:00.000 --> 00:00:04.200\nBenvenuti al workshop.\n\n"
        "2\n00:00:04.200 --> 00:00:08.000\n\n"  # text deleted, timing left behind
        "3\n00:00:08.000 --> 00:00:08.400\n<i> </i>&nbsp;\n\n"
        "4\n00:00:08.500 --> 00:00:12.000\nGrazie a tutte e a tutti.\n"
    )
    assert sync_corrections(tmp_path, "prova")
    assert texts(tmp_path) == ["Benvenuti al workshop.", "Grazie a tutte e a tutti."]
    assert "-->" not in files.txt.read_text() and files.vtt.read_text().count("-->") == 2


def test_a_vtt_with_no_text_left_is_refused(tmp_path: Path) -> None:
    files = written(tmp_path)
    files.vtt.write_text("WEBVTT\n\n")
    before = snapshot(tmp_path)
    with pytest.raises(TranscriptError, match=r"prova\.vtt: il file non contiene nessun"):
        sync_corrections(tmp_path, "prova")
    assert snapshot(tmp_path) == before


# --- what is refused, with its line --------------------------------------------------------

HEAD = "WEBVTT\n\n1\n00:00:00.000 --> 00:00:04.200\nBenvenuti al workshop.\n\n"
TAIL = "3\n00:00:08.500 --> 00:00:12.000\nGrazie a tutte e a tutti.\n"
# Lines 1-6 are HEAD; the case's own text starts on line 7.
BROKEN = {
    "arrow typed ->": (
        HEAD + "2\n00:00:04.200 -> 00:00:08.000\nParliamo di sportello unico.\n\n" + TAIL,
        [(8, "la freccia dei tempi va scritta '-->'")],
    ),
    "blank line inside a cue": (
        HEAD + "2\n00:00:04.200 --> 00:00:08.000\nParliamo di\n\nsportello unico.\n\n" + TAIL,
        [(11, "togliere la riga vuota alla riga 10")],
    ),
    "missing blank line before a numbered cue": (
        HEAD[:-1] + "2\n00:00:04.200 --> 00:00:08.000\nParliamo.\n\n" + TAIL,
        [(6, "manca la riga vuota tra due sottotitoli")],
    ),
    "missing blank line before a timing": (
        HEAD[:-1] + "00:00:04.200 --> 00:00:08.000\nParliamo.\n\n" + TAIL,
        [(6, "aggiungere una riga vuota prima della riga 6")],
    ),
    "timing without milliseconds": (
        HEAD + "2\n00:00:04 --> 00:00:08\nParliamo.\n\n" + TAIL,
        [(8, "riga dei tempi non valida «00:00:04 --> 00:00:08»")],
    ),
    "end before start": (
        HEAD + "2\n00:00:08.000 --> 00:00:04.200\nParliamo.\n\n" + TAIL,
        [(8, "il sottotitolo finisce prima di iniziare")],
    ),
    "seconds over 59": (
        HEAD + "2\n00:00:04.200 --> 00:00:75.000\nParliamo.\n\n" + TAIL,
        [(8, "minuti e secondi vanno da 00 a 59")],
    ),
    "cue number followed by text": (
        HEAD + "2\nParliamo di sportello unico.\n\n" + TAIL,
        [(8, "il sottotitolo 2 (riga 7) non ha la riga dei tempi")],
    ),
    "cues out of order": (
        HEAD + "2\n00:00:09.000 --> 00:00:10.000\nParliamo.\n\n" + TAIL,
        [(12, "inizia prima del precedente (riga 8)")],
    ),
    "no blank line after the header": (
        "WEBVTT\n1\n00:00:00.000 --> 00:00:04.200\nBenvenuti.\n\n" + TAIL,
        [(2, "manca la riga vuota tra l'intestazione WEBVTT e il primo sottotitolo")],
    ),
    "an SRT saved as .vtt": (
        "1\n00:00:00,000 --> 00:00:04,200\nBenvenuti.\n",
        [(1, "non è un file WebVTT (sembra un file SRT")],
    ),
}


@pytest.mark.parametrize("case", BROKEN, ids=list(BROKEN))
def test_a_broken_vtt_is_refused_with_its_line_and_nothing_changes(
    tmp_path: Path, case: str
) -> None:
    text, expected = BROKEN[case]
    files = written(tmp_path)
    files.vtt.write_bytes(text.encode("utf-8"))
    before = snapshot(tmp_path)
    with pytest.raises(TranscriptError) as caught:
        sync_corrections(tmp_path, "prova")
    lines = caught.value.lines()
    assert len(lines) == len(expected), lines
    for line, (number, what) in zip(lines, expected, strict=True):
        assert line.startswith(f"{files.vtt}: riga {number}: "), line
        assert what in line, line
        assert "; " in line and "\n" not in line  # what is wrong; what to do
    assert snapshot(tmp_path) == before  # the person's file byte for byte, nothing else written
    assert read_transcript(files.json).status == "automatico"


def test_every_problem_of_a_file_is_reported_in_one_run() -> None:
    text = (
        "WEBVTT\n\n"
        "1\n00:00:00.000 -> 00:00:04.200\nUno.\n\n"  # 4: arrow
        "2\n00:00:04.200 --> 00:00:08.000\nDue.\n"
        "3\n00:00:08.500 --> 00:00:09.000\nTre.\n\n"  # 10: no blank line before cue 3
        "orfano\n\n"  # 14: text without timing after a cue
        "5\n00:00:20.000 --> 00:00:10.000\nCinque.\n"  # 17: end before start
    )
    with pytest.raises(TranscriptError) as caught:
        parse_vtt(text, source="t.vtt")
    found = [
        int(m.group(1))
        for m in (re.match(r"t\.vtt: riga (\d+): ", x) for x in caught.value.lines())
        if m
    ]
    assert found == [4, 10, 14, 17]
    assert "e altri 3 problemi" in str(caught.value)


def test_a_broken_srt_is_refused_with_its_line(tmp_path: Path) -> None:
    files = written(tmp_path)
    srt = files.srt.read_text().replace("\n\n3\n", "\n3\n")  # missing blank line
    files.srt.write_text(srt)
    before = snapshot(tmp_path)
    with pytest.raises(TranscriptError, match=r"prova\.srt: riga 8: manca la riga vuota"):
        sync_corrections(tmp_path, "prova")
    assert snapshot(tmp_path) == before


# --- SRT edits, and both files edited -------------------------------------------------------


def test_srt_edits_flow_back_with_a_backup_and_a_recorded_hash(tmp_path: Path) -> None:
    files = written(tmp_path)
    assert read_transcript(files.json).srt_sha256
    files.srt.write_bytes(AEGISUB_SRT.encode("utf-8"))
    assert edited(files, read_transcript(files.json))
    assert sync_corrections(tmp_path, "prova")
    after = read_transcript(files.json)
    assert [s.reviewed for s in after.segments] == [True, False, False]
    assert after.status == "automatico" and is_curated(files, after)
    assert texts(tmp_path)[0] == EDIT
    assert after.segments[1].speaker == "Moderatrice"
    assert after.segments[1].words == [Word(4.2, 5.0, " P")]
    assert EDIT in files.vtt.read_text()
    backup = next((tmp_path / ".backup").glob("prova.*.srt"))
    assert re.fullmatch(r"prova\.\d{8}T\d{6}Z\.srt", backup.name)
    assert backup.read_bytes() == AEGISUB_SRT.encode("utf-8")
    assert not edited(files, after)


def test_vtt_and_srt_edited_differently_are_refused(tmp_path: Path) -> None:
    files = written(tmp_path)
    files.vtt.write_text(files.vtt.read_text().replace("Benvenuti al workshop.", EDIT))
    files.srt.write_text(files.srt.read_text().replace("Benvenuti al workshop.", "Ciao."))
    before = snapshot(tmp_path)
    with pytest.raises(TranscriptError) as caught:
        sync_corrections(tmp_path, "prova")
    message = str(caught.value)
    assert f"{files.vtt} e {files.srt}: modificati entrambi, in modo diverso" in message
    assert "riga 5 del VTT, riga 2 dell'SRT" in message and "il più recente è prova.srt" in message
    assert snapshot(tmp_path) == before


def test_vtt_and_srt_edited_alike_are_imported_once(tmp_path: Path) -> None:
    files = written(tmp_path)
    files.vtt.write_text(files.vtt.read_text().replace("Benvenuti al workshop.", EDIT))
    files.srt.write_text(files.srt.read_text().replace("Benvenuti al workshop.", EDIT))
    assert sync_corrections(tmp_path, "prova")
    assert texts(tmp_path)[0] == EDIT
    assert len(list((tmp_path / ".backup").iterdir())) == 2


def test_a_resave_without_changes_is_not_a_revision(tmp_path: Path) -> None:
    files = written(tmp_path)
    files.vtt.write_bytes(files.vtt.read_bytes().replace(b"\n", b"\r\n"))
    assert sync_corrections(tmp_path, "prova")
    after = read_transcript(files.json)
    assert after.status == "automatico" and not is_curated(files, after)
    assert after.segments[0].words == sample().segments[0].words


# --- review status: per sentence, derived, honest --------------------------------------------


def test_status_is_derived_from_the_sentences_never_set(tmp_path: Path) -> None:
    transcript = sample()
    assert transcript.status == "automatico" and transcript.reviewed_count == 0
    transcript.segments[0].reviewed = True
    assert transcript.status == "automatico"  # one of three is not "revisionato"
    for seg in transcript.segments:
        seg.reviewed = True
    assert transcript.status == "revisionato"
    files = write_transcript(tmp_path, transcript)
    data = json.loads(files.json.read_text())
    assert data["status"] == "revisionato" and all(s["reviewed"] for s in data["segments"])
    assert Transcript("x", "it", 1.0, "revisionato", {}, []).status == "automatico"  # nothing


def test_a_json_marked_revisionato_before_sentence_flags_reads_all_reviewed(tmp_path: Path) -> None:
    files = written(tmp_path)
    data = json.loads(files.json.read_text())
    data["status"] = "revisionato"
    for seg in data["segments"]:
        del seg["reviewed"]  # as written before sentences had their own flag
    files.json.write_text(json.dumps(data))
    old = read_transcript(files.json)
    assert [s.reviewed for s in old.segments] == [True, True, True]
    assert old.status == "revisionato" and is_curated(files, old)
    # a flag set on any sentence wins over the status written in the file
    data["segments"][0]["reviewed"] = True
    files.json.write_text(json.dumps(data))
    assert [s.reviewed for s in read_transcript(files.json).segments] == [True, False, False]
    assert read_transcript(files.json).status == "automatico"


def test_confirmed_cues_mark_their_sentences_reviewed_nothing_else(tmp_path: Path) -> None:
    files = written(tmp_path)
    assert not sync_corrections(tmp_path, "prova")  # nothing edited, nothing confirmed
    assert sync_corrections(tmp_path, "prova", confirmed=[(4.2, 8.0)])
    after = read_transcript(files.json)
    assert [s.reviewed for s in after.segments] == [False, True, False]
    assert after.segments[1].words == sample().segments[1].words
    assert after.revisions == []  # a confirmation edits nothing
    assert is_curated(files, after) and not list(tmp_path.glob(".backup/*"))


def test_a_deleted_cue_leaves_no_reviewed_sentence_but_the_edit_is_kept(tmp_path: Path) -> None:
    files = written(tmp_path)
    vtt = files.vtt.read_text()
    header, *cues = vtt.split("\n\n")
    files.vtt.write_text("\n\n".join([header, *[c for c in cues if "Grazie" not in c]]))
    assert sync_corrections(tmp_path, "prova")
    after = read_transcript(files.json)
    assert [s.text for s in after.segments] == [s.text for s in sample().segments[:2]]
    assert after.reviewed_count == 0
    assert after.revisions and after.revisions[0]["files"] == ["prova.vtt"]
    # still curated: a new transcription must not bring the deleted sentence back
    assert is_curated(files, after)


def test_without_the_recording_changed_words_keep_interpolated_times(tmp_path: Path) -> None:
    from lgnet.corrections import media_for

    assert media_for(tmp_path, "prova") is None  # a bare folder: no project, no media
    original = long_sentence()
    files = write_transcript(tmp_path, original)
    files.vtt.write_text(files.vtt.read_text().replace("mediatori", "mediatrici", 1))
    assert sync_corrections(tmp_path, "prova")
    words = read_transcript(files.json).segments[0].words
    old = next(w for w in original.segments[0].words if w.word == " mediatori")
    new = next(w for w in words if w.word == " mediatrici")
    assert (new.start, new.end) == (old.start, old.end)


def test_a_json_from_before_srt_hashes_still_detects_srt_edits(tmp_path: Path) -> None:
    files = written(tmp_path)
    data = json.loads(files.json.read_text())
    del data["srt_sha256"]
    files.json.write_text(json.dumps(data))
    assert not edited(files, read_transcript(files.json))
    files.srt.write_text(files.srt.read_text().replace("Grazie", "Grazie mille"))
    assert edited(files, read_transcript(files.json))


# --- interruptions --------------------------------------------------------------------------

# Runs the sync in a child process and kills it (SIGKILL, like `kill -9`) right before its
# KILL_AT-th change to the file system (a rename or a deletion); prints the count otherwise.
CHILD = r"""
import os, signal, sys
from pathlib import Path

kill_at, steps = int(sys.argv[2]), 0

def counted(real):
    def change(*args, **kwargs):
        global steps
        steps += 1
        if steps == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(*args, **kwargs)
    return change

os.replace, os.unlink = counted(os.replace), counted(os.unlink)
from lgnet.corrections import sync_corrections
sync_corrections(Path(sys.argv[1]), "prova")
print(steps)
"""


def run_child(folder: Path, kill_at: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", CHILD, str(folder), str(kill_at)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def edit_in(folder: Path, which: str) -> TranscriptFiles:
    files = written(folder)
    path = files.vtt if which == "vtt" else files.srt
    path.write_text(path.read_text().replace("Grazie a tutte e a tutti.", EDIT))
    return files


@pytest.mark.parametrize("which", ["vtt", "srt"])
def test_a_kill_at_any_step_never_loses_the_edit(tmp_path: Path, which: str) -> None:
    dry = run_child(edit_in(tmp_path / "dry", which).folder, 0)
    assert dry.returncode == 0, dry.stderr
    steps = int(dry.stdout)
    assert steps >= 6  # backup, JSON, marker, VTT, SRT, TXT, marker removed
    for kill_at in range(1, steps + 1):
        folder = tmp_path / f"kill-{kill_at}"
        files = edit_in(folder, which)
        child = run_child(folder, kill_at)
        assert child.returncode == -9, (kill_at, child.stderr)
        # right after the kill the edit is in the caption file or in the JSON
        in_json = EDIT in files.json.read_text()
        in_file = EDIT in (files.vtt if which == "vtt" else files.srt).read_text()
        assert in_json or in_file, kill_at
        # the next run (as `lgnet transcribe` does it) completes the import
        recover_interrupted(folder)
        sync_corrections(folder, "prova")
        after = read_transcript(files.json)
        assert [s.reviewed for s in after.segments] == [False, False, True], kill_at
        assert after.segments[2].text == EDIT, kill_at
        assert after.segments[0].words == sample().segments[0].words
        for path in (files.vtt, files.srt, files.txt):
            assert EDIT in path.read_text(), (kill_at, path)
        assert not edited(files, after)
        assert not files.pending.exists() and not list(folder.glob(".tmp-*"))
        assert any((folder / ".backup").glob(f"prova.*.{which}")) or kill_at == 1


def test_recovery_keeps_a_json_that_holds_an_edit(tmp_path: Path) -> None:
    files = edit_in(tmp_path, "vtt")
    run_child(tmp_path, 3)  # killed as the marker is written: JSON merged, VTT not yet
    assert EDIT in files.json.read_text()
    files.pending.write_text("")  # as if killed later, with the marker in place
    assert recover_interrupted(tmp_path) == []
    assert EDIT in files.vtt.read_text() and not files.pending.exists()
    assert read_transcript(files.json).segments[2].reviewed


# --- captions are cut from sentences: edits are mapped back through the words ---------------


def _timed(text: str, start: float, step: float = 0.4) -> list[Word]:
    return [
        Word(round(start + n * step, 3), round(start + (n + 1) * step - 0.05, 3), " " + w, 0.8)
        for n, w in enumerate(text.split())
    ]


LONG = (
    "Il comune ha attivato uno sportello unico per le persone migranti, con operatori "
    "sociali, mediatori culturali e consulenti legali che lavorano insieme ogni giorno."
)
SHORT = "Grazie a tutte e a tutti."


def long_sentence() -> Transcript:
    words = _timed(LONG, 0.0)
    after = _timed(SHORT, words[-1].end + 1.0)
    return Transcript(
        id="prova",
        language="it",
        duration=after[-1].end + 2,
        status="automatico",
        provenance={},
        segments=[
            Segment(0.0, words[-1].end, LONG, None, words),
            Segment(after[0].start, after[-1].end, SHORT, None, after),
        ],
    )


def test_one_word_edited_in_a_cue_of_a_multi_cue_sentence(tmp_path: Path) -> None:
    original = long_sentence()
    files = write_transcript(tmp_path, original)
    vtt = files.vtt.read_text()
    cues = parse_vtt(vtt)
    assert len(cues) >= 3  # the long sentence is cut into several cues
    assert all(len(line) <= 42 for line in vtt.splitlines())
    second = next(c for c in cues if "mediatori" in c.text)
    assert "mediatori" in vtt
    files.vtt.write_text(vtt.replace("mediatori", "mediatrici", 1))
    assert sync_corrections(tmp_path, "prova")
    after = read_transcript(files.json)
    assert [s.reviewed for s in after.segments] == [True, False]
    assert len(after.segments) == 2  # the sentences stay as they were
    assert after.segments[0].text == LONG.replace("mediatori", "mediatrici")
    assert after.segments[1] == original.segments[1]
    old_words, new_words = original.segments[0].words, after.segments[0].words
    assert len(new_words) == len(old_words)
    for old, new in zip(old_words, new_words, strict=True):
        if old.word == " mediatori":
            assert new.word == " mediatrici" and new.probability == 1.0
            assert second.start <= new.start <= new.end <= second.end + 0.1
        else:
            assert (new.start, new.end, new.word) == (old.start, old.end, old.word)
    assert after.segments[0].start == original.segments[0].start
    assert after.segments[0].end == original.segments[0].end
    # SRT and TXT follow, and the new captions are in step with the JSON
    assert "mediatrici" in files.srt.read_text() and "mediatori" not in files.srt.read_text()
    assert LONG.replace("mediatori", "mediatrici") in files.txt.read_text()
    assert not edited(files, after) and not sync_corrections(tmp_path, "prova")


def test_a_deleted_cue_removes_its_words_and_a_moved_cue_moves_them(tmp_path: Path) -> None:
    original = long_sentence()
    files = write_transcript(tmp_path, original)
    text = files.vtt.read_text()
    blocks = text.split("\n\n")
    # blocks[0] is the header; delete the first cue, move the last one by half a second
    last = blocks[-1].split("\n")
    start, _, end = last[1].partition(" --> ")
    cues = parse_vtt(text)
    moved = f"{_shift(start, 0.5)} --> {_shift(end.strip(), 0.5)}"
    blocks[-1] = "\n".join([last[0], moved, *last[2:]])
    files.vtt.write_text("\n\n".join([blocks[0], *blocks[2:]]))
    assert sync_corrections(tmp_path, "prova")
    after = read_transcript(files.json)
    first_cue_words = cues[0].text.split()
    assert after.segments[0].text == " ".join(LONG.split()[len(first_cue_words) :])
    assert (
        after.segments[0].words[0].start == original.segments[0].words[len(first_cue_words)].start
    )
    thanks = after.segments[-1]
    assert thanks.text == SHORT
    assert thanks.start == pytest.approx(original.segments[1].start + 0.5, abs=0.002)


def _shift(stamp: str, seconds: float) -> str:
    h, m, s = stamp.split(":")
    total = int(h) * 3600 + int(m) * 60 + float(s) + seconds
    return f"{int(total // 3600):02d}:{int(total % 3600 // 60):02d}:{total % 60:06.3f}"


def test_a_cue_added_over_silence_becomes_a_sentence_of_its_own(tmp_path: Path) -> None:
    original = long_sentence()
    files = write_transcript(tmp_path, original)
    end = original.duration - 1.5
    files.vtt.write_text(
        files.vtt.read_text() + f"\n{_shift('00:00:00.000', end)} --> "
        f"{_shift('00:00:00.000', end + 1.2)}\n[applausi]\n"
    )
    assert sync_corrections(tmp_path, "prova")
    after = read_transcript(files.json)
    assert [s.text for s in after.segments] == [LONG, SHORT, "[applausi]"]
    assert after.segments[0] == original.segments[0]
    assert after.segments[2].words == []
