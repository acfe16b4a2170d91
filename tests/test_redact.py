"""Redaction: [omissis] in the text, silence (and black) in the media, personal data found."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from lgnet.archive import Item, Redaction
from lgnet.media import ffmpeg_binary, probe
from lgnet.project import Project
from lgnet.redact import redact_transcript, redacted_media, suggest
from lgnet.transcripts import REDACTED, Segment, Transcript, Word

from .media_factory import ffmpeg


def words(text: str, start: float, step: float = 0.5) -> list[Word]:
    return [
        Word(start + n * step, start + (n + 1) * step, " " + w, 0.9)
        for n, w in enumerate(text.split())
    ]


def transcript_with(*texts: str) -> Transcript:
    segments = []
    t = 0.0
    for text in texts:
        ws = words(text, t)
        segments.append(Segment(t, ws[-1].end, text, None, ws))
        t = ws[-1].end + 1
    return Transcript("x", "it", t, "automatico", {}, segments)


def item(**extra: object) -> Item:
    base = {"id": "x", "title": "t", "kind": "testimonianza", "city": "rete", "date": "2024"}
    return Item.model_validate({**base, "media": "m.mp4", **extra})


def test_words_inside_a_span_become_one_omissis() -> None:
    t = transcript_with("mi chiamo Maria Rossi e abito qui", "seconda frase intatta")
    spans = [Redaction(start=1.0, end=2.0, reason="nome")]  # words 3 and 4
    out = redact_transcript(t, spans)
    assert out.segments[0].text == f"mi chiamo {REDACTED} e abito qui"
    assert out.segments[1].text == "seconda frase intatta"
    assert "Maria" not in " ".join(w.word for w in out.segments[0].words)
    assert t.segments[0].text.startswith("mi chiamo Maria")  # the original is untouched


def test_a_cue_without_word_timings_is_hidden_whole() -> None:
    t = Transcript("x", "it", 5, "revisionato", {}, [Segment(0, 5, "Maria Rossi, via Roma 3")])
    out = redact_transcript(t, [Redaction(start=4.0, end=4.5, reason="indirizzo")])
    assert out.segments[0].text == REDACTED


PLANTED = [
    "per informazioni chiamate il 333 123 4567 grazie",
    "scrivete a mario.rossi@example.org oppure a anna punto bianchi chiocciola comune punto it",
    "il codice fiscale è RSSMRA80A01H501U ricordatelo",
    "l'IBAN è IT60 X054 2811 1010 0000 0123 456 per le donazioni",
    "abito in via Giuseppe Garibaldi 12 a Palermo e il fisso è 091 6543210",
    "ne ha parlato Amina Diallo nel laboratorio",
]


def test_suggestions_find_planted_personal_data_with_times() -> None:
    t = transcript_with(*PLANTED)
    found = suggest(t, item(personal_data=["Amina Diallo"]))
    by_kind: dict[str, list[str]] = {}
    for s in found:
        by_kind.setdefault(s.kind, []).append(s.text)
    assert by_kind["numero di telefono"] == ["333 123 4567", "091 6543210"]
    assert by_kind["indirizzo e-mail"] == [
        "mario.rossi@example.org",
        "anna punto bianchi chiocciola comune punto it",
    ]
    assert by_kind["codice fiscale"] == ["RSSMRA80A01H501U"]
    assert by_kind["IBAN"] == ["IT60 X054 2811 1010 0000 0123 456"]
    assert by_kind["indirizzo"] == ["via Giuseppe Garibaldi 12"]
    assert "Amina Diallo" in by_kind["nome"]
    phone = next(s for s in found if s.text == "333 123 4567")
    seg = t.segments[0]
    assert phone.start == seg.words[4].start and phone.end == seg.words[6].end
    pattern = r'  - \{start: \d+\.\d, end: \d+\.\d, reason: "numero di telefono"\}'
    assert re.fullmatch(pattern, phone.yaml())


def test_already_redacted_spans_are_not_suggested_again() -> None:
    t = transcript_with(PLANTED[0])
    first = suggest(t, item())
    assert first
    spans = [{"start": first[0].start, "end": first[0].end, "reason": "telefono"}]
    assert suggest(t, item(redactions=spans)) == []


def mean_volume(path: Path, start: float, end: float) -> float:
    proc = subprocess.run(
        [ffmpeg_binary(), "-hide_banner", "-ss", str(start), "-t", str(end - start),
         "-i", str(path), "-af", "volumedetect", "-vn", "-f", "null", "-"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    match = re.search(r"mean_volume: (-?[\d.]+|-inf) dB", proc.stderr)
    assert match, proc.stderr
    return float(match.group(1))


def mean_luma(path: Path, at: float) -> float:
    proc = subprocess.run(
        [ffmpeg_binary(), "-hide_banner", "-ss", str(at), "-i", str(path), "-frames:v", "1",
         "-vf", "signalstats,metadata=print:key=lavfi.signalstats.YAVG", "-f", "null", "-"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    match = re.search(r"YAVG=([\d.]+)", proc.stderr)
    assert match, proc.stderr
    return float(match.group(1))


@pytest.mark.parametrize("video", [False, True])
def test_published_media_is_silenced_and_blacked_out_in_the_span(
    tmp_path: Path, video: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LGNET_CACHE_DIR", str(tmp_path / "cache"))
    original = tmp_path / "archive" / "media" / "v.mp4"
    original.parent.mkdir(parents=True)
    ffmpeg("-f", "lavfi", "-i", "testsrc=size=160x120:rate=25:d=8", "-f", "lavfi",
           "-i", "sine=frequency=440:d=8", "-c:v", "libx264", "-pix_fmt", "yuv420p",
           "-c:a", "aac", "-shortest", str(original))  # fmt: skip
    before = original.read_bytes()
    spans = [{"start": 3.0, "end": 5.0, "reason": "nome", "video": video}]
    project = Project(tmp_path)
    published = redacted_media(project, item(media="media/v.mp4", redactions=spans))
    assert published != original and original.read_bytes() == before
    assert probe(published).duration == pytest.approx(8, abs=0.2)
    assert mean_volume(published, 3.2, 4.8) < -80
    assert mean_volume(published, 0.5, 2.5) > -30
    assert (mean_luma(published, 4.0) < 20) is video
    assert mean_luma(published, 1.0) > 50
