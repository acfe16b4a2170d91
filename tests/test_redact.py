"""Redaction: [omissis] in the text, silence (and black) in the media, personal data found."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from lgnet import webmedia
from lgnet.archive import Item, Redaction
from lgnet.audit import Secret, audit_media_file
from lgnet.media import ffmpeg_binary, probe
from lgnet.project import Project
from lgnet.redact import PUBLISHED_DIR, published_media, redact_transcript, suggest
from lgnet.transcripts import REDACTED, Segment, Transcript, Word

from .media_factory import ffmpeg, tone, video_with_everything

if TYPE_CHECKING:
    import numpy as np


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
    base = {"id": "x", "title": "t", "kind": "testimonianza", "city": "rete", "date": "2024",
            "access": "pubblico"}  # fmt: skip
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
    published = published_media(project, item(media="media/v.mp4", redactions=spans))
    assert published != original and original.read_bytes() == before
    assert probe(published).duration == pytest.approx(8, abs=0.2)
    assert mean_volume(published, 3.2, 4.8) < -80
    assert mean_volume(published, 0.5, 2.5) > -30
    assert (mean_luma(published, 4.0) < 20) is video
    assert mean_luma(published, 1.0) > 50


# --- what a published copy leaves out ------------------------------------------------------

SECRET = "Zanzibarotti"


def ffprobe_json(path: Path) -> dict[str, object]:
    proc = subprocess.run(
        ["ffprobe", "-v", "error", "-of", "json", "-show_format", "-show_streams",
         "-show_chapters", str(path)],
        capture_output=True, check=True,
    )  # fmt: skip
    data: dict[str, object] = json.loads(proc.stdout)
    return data


def packets_md5(path: Path, stream: str) -> str:
    proc = subprocess.run(
        [ffmpeg_binary(), "-v", "error", "-i", str(path), "-map", f"0:{stream}:0",
         "-c", "copy", "-f", "md5", "-"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return proc.stdout.strip()


def archived(tmp_path: Path, name: str) -> tuple[Project, Path]:
    original = tmp_path / "archive" / "media" / name
    original.parent.mkdir(parents=True, exist_ok=True)
    return Project(tmp_path), original


@pytest.mark.parametrize(
    ("name", "redacted", "web"),
    [
        ("v.mkv", False, "originale"),
        ("v.webm", False, "originale"),
        ("v.mp4", False, "originale"),
        ("v.mp4", True, "originale"),
        ("v.mkv", False, "automatico"),
        ("v.webm", False, "automatico"),
        ("v.mp4", True, "automatico"),
    ],
)
def test_published_copy_has_one_picture_one_sound_and_nothing_else(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, redacted: bool, web: str
) -> None:
    """Subtitle tracks (subrip, webvtt, mov_text), a second audio track, chapters, and global
    and per-stream tags all name the secret in the original; the published copy has none,
    whether it is the web copy (H.264/AAC MP4, the default) or the original's streams
    (`web: originale`, in the original's container)."""
    monkeypatch.setenv("LGNET_CACHE_DIR", str(tmp_path / "cache"))
    project, original = archived(tmp_path, name)
    video_with_everything(original, secret=SECRET)
    secrets = [Secret("x", "testo omesso (nome)", SECRET.lower())]
    assert SECRET.encode() in original.read_bytes()
    before = audit_media_file(original, secrets)
    leaked = " ".join(str(p) for p in before).lower()  # Matroska writes keys in capitals
    for what in ("subtitle", "capitoli", "'title'", "'comment'", "'location'", "'creation_time'",
                 "'encoder'", "tracce audio", f"«{SECRET.lower()}» nei sottotitoli"):  # fmt: skip
        assert what in leaked, what
    spans = [{"start": 1.0, "end": 2.0, "reason": "nome"}] if redacted else []
    published = published_media(project, item(media=f"media/{name}", redactions=spans, web=web))
    assert published.parent == project.build_dir / PUBLISHED_DIR
    assert published.suffix == (original.suffix if web == "originale" else ".mp4")
    facts = ffprobe_json(published)
    streams = facts["streams"]
    assert isinstance(streams, list)
    assert [s["codec_type"] for s in streams] == ["video", "audio"]
    assert facts["chapters"] == []
    format_tags = facts["format"].get("tags", {})  # type: ignore[attr-defined]
    assert set(format_tags) <= {"major_brand", "minor_version", "compatible_brands", "encoder"}
    assert format_tags.get("encoder", "Lavf") == "Lavf"  # no version, nothing of the original
    for stream in streams:
        assert set(stream.get("tags", {})) <= set(webmedia.ALLOWED_STREAM_TAGS), stream
    assert SECRET.encode() not in published.read_bytes()
    assert b"Lavf5" not in published.read_bytes() and b"x264 - core" not in published.read_bytes()
    assert audit_media_file(published, secrets) == []
    assert probe(published).duration == pytest.approx(probe(original).duration, abs=0.1)
    # The original's streams without redactions: the sound is the original's, packet for packet.
    if web == "originale" and not redacted:
        assert packets_md5(published, "a") == packets_md5(original, "a")
    if web == "automatico":
        assert [s["codec_name"] for s in streams] == ["h264", "aac"]


def test_published_copies_are_cached_and_stale_ones_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LGNET_CACHE_DIR", str(tmp_path / "cache"))
    project, original = archived(tmp_path, "a.m4a")
    tone(original, 4)
    (project.build_dir / PUBLISHED_DIR).mkdir(parents=True)
    neighbour = project.build_dir / PUBLISHED_DIR / "a-b-0123456789abcdef.m4a"  # item "a-b"
    neighbour.write_bytes(b"x")
    first = published_media(project, item(id="a", media="media/a.m4a"))
    mtime = first.stat().st_mtime_ns
    assert published_media(project, item(id="a", media="media/a.m4a")) == first
    assert first.stat().st_mtime_ns == mtime
    spans = [{"start": 1.0, "end": 2.0, "reason": "nome"}]
    second = published_media(project, item(id="a", media="media/a.m4a", redactions=spans))
    assert second != first and not first.exists() and neighbour.exists()
    assert sorted(p.name for p in second.parent.iterdir()) == sorted([second.name, neighbour.name])


# --- silence to the sample ------------------------------------------------------------------


def decoded(path: Path, rate: int) -> np.ndarray:
    """The first audio stream of `path` as mono float samples, decoded by ffmpeg."""
    import numpy as np

    pcm = subprocess.run(
        [ffmpeg_binary(), "-v", "error", "-i", str(path), "-map", "0:a:0", "-f", "s16le",
         "-ac", "1", "-ar", str(rate), "-"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    return np.frombuffer(pcm, dtype="<i2").astype(np.float64) / 32768


# A span that starts and ends inside decoded frames (not on a multiple of 1024 or 4096).
START, END = 3.0371, 5.0113


def test_silence_is_exact_to_the_sample_in_a_lossless_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PCM in WAV: every sample of the span is zero, every sample outside it is the
    original's. Tolerance: one sample at each edge (the span's ends fall between samples)."""
    import numpy as np

    monkeypatch.setenv("LGNET_CACHE_DIR", str(tmp_path / "cache"))
    rate = 44100
    project, original = archived(tmp_path, "t.wav")
    tone(original, 8, rate)
    spans = [{"start": START, "end": END, "reason": "nome"}]
    wav = item(media="media/t.wav", redactions=spans, web="originale")  # the web copy is AAC
    published = published_media(project, wav)
    before, after = decoded(original, rate), decoded(published, rate)
    assert len(after) == len(before)
    a, b = int(np.ceil(START * rate)), int(np.floor(END * rate))
    assert np.all(after[a + 1 : b] == 0)
    assert np.array_equal(after[: a - 1], before[: a - 1])  # the sound right up to the span
    assert np.array_equal(after[b + 2 :], before[b + 2 :])  # and right after it
    assert np.abs(before[a - 50 : a - 1]).max() > 0.05  # (there was sound to keep there)


def test_silence_in_aac_is_exact_within_one_codec_frame(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """AAC cannot be cut to the sample: it codes 1024-sample frames with overlapping
    2048-sample windows, so a step from sound to silence spreads quantisation noise over at
    most one frame (23 ms at 44.1 kHz) on each side. Inside the span beyond that frame the
    decoded sound is silent (below -60 dBFS); outside, the sound is kept up to that frame."""
    import numpy as np

    monkeypatch.setenv("LGNET_CACHE_DIR", str(tmp_path / "cache"))
    rate, frame = 44100, 1024
    project, original = archived(tmp_path, "t.m4a")
    tone(original, 8, rate)
    spans = [{"start": START, "end": END, "reason": "nome"}]
    published = published_media(project, item(media="media/t.m4a", redactions=spans))
    after = decoded(published, rate)
    a, b = round(START * rate), round(END * rate)
    assert np.abs(after[a + frame : b - frame]).max() < 1e-3
    for window in (after[a - 2 * frame : a - frame], after[b + frame : b + 2 * frame]):
        assert np.sqrt(np.mean(window**2)) > 0.08  # the tone's RMS (0.088), right outside
