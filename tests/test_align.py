"""Forced alignment (`lgnet.align`) with the real model on real speech, and the demo
transcripts aligned to their narration scripts."""

from __future__ import annotations

import dataclasses
import itertools
from pathlib import Path

import pytest

from lgnet.align import AlignError, align_words, normalise, realign_segments, segment_text
from lgnet.archive import load_archive
from lgnet.media import media_sha256, probe
from lgnet.pages.recording import render_recording
from lgnet.project import Project
from lgnet.transcribe import TranscribeRequest, transcribe_archive
from lgnet.transcripts import (
    NARRATION_ALIGNED,
    STATUS_LABELS,
    Segment,
    Transcript,
    TranscriptFiles,
    Word,
    load_transcripts,
    narration_aligned,
)

from .asr_quality import references
from .conftest import DATA
from .media_factory import concat
from .test_content import demo_media
from .test_evidence import public_site

REFS = references(DATA / "references.tsv")
GAP = 0.8
# Where speech starts and ends inside these clips (labelled on spectrograms; bench/align.py).
SPEECH = {
    "picovoice_cheetah_test_it.wav": (0.59, 3.45),
    "picovoice_leopard_test_it.wav": (0.63, 5.20),
    "fleurs_it_1521.wav": (0.96, 9.58),
    "picovoice_cheetah_test_it_2024.wav": (1.36, 9.40),
}
# The largest boundary error bench/align.py measured when a sentence is aligned within its own
# span is 0.26 s (on a noisy clip; 0.08 s on these clean ones), and Whisper's DTW alone is off
# by 0.7-1.8 s at the start of a sentence: 0.3 s passes the first and catches the second.
TOLERANCE = 0.3


@dataclasses.dataclass(frozen=True)
class Joined:
    media: Path
    clips: list[str]
    cuts: list[float]  # where each clip starts in the joined file
    duration: float


def join(tmp: Path, clips: list[str]) -> Joined:
    """The clips joined with GAP seconds of silence after each (tests.media_factory.concat)."""
    path = concat([DATA / c for c in clips], tmp / "joined.wav", gap=GAP)
    cuts, t = [], 0.0
    for clip in clips:
        cuts.append(t)
        t += probe(DATA / clip).duration + GAP
    return Joined(path, clips, cuts, probe(path).duration)


@pytest.fixture(scope="module")
def two(tmp_path_factory: pytest.TempPathFactory) -> Joined:
    return join(
        tmp_path_factory.mktemp("align"),
        ["picovoice_cheetah_test_it.wav", "picovoice_leopard_test_it.wav"],
    )


def in_order_inside(words: list[Word], start: float, end: float) -> bool:
    ordered = all(a.end <= b.start + 1e-6 for a, b in itertools.pairwise(words))
    return ordered and all(start <= w.start <= w.end <= end for w in words)


@pytest.mark.slow
def test_a_sentence_is_aligned_to_where_it_is_said(two: Joined) -> None:
    clip = two.clips[1]
    text = REFS[clip]
    start, end = two.cuts[1] - GAP / 2, two.duration
    words = align_words(two.media, text, start, end)
    assert segment_text(words) == text  # every word, punctuation attached, nothing else
    assert in_order_inside(words, start, end)
    assert {w.probability for w in words} == {1.0}
    on, off = SPEECH[clip]
    assert abs(words[0].start - (two.cuts[1] + on)) < TOLERANCE
    assert abs(words[-1].end - (two.cuts[1] + off)) < TOLERANCE


@pytest.mark.slow
def test_realign_changes_only_the_given_segments(two: Joined) -> None:
    first, second = (REFS[c] for c in two.clips)
    cut = two.cuts[1] - GAP / 2
    stale = [Word(cut, cut + 0.1, " " + w, 0.3) for w in second.split()]  # timings gone wrong
    own = [Word(0.5, 1.0, " Dal", 0.9), Word(1.0, 3.4, " resto", 0.8)]
    transcript = Transcript(
        "prova",
        "it",
        two.duration,
        "automatico",
        {"engine": "faster-whisper"},
        [
            Segment(0.0, cut, first, None, own),
            Segment(cut, two.duration, second, "S1", stale),
        ],
    )
    before = Transcript.from_json(transcript.to_json())
    again = realign_segments(transcript, two.media, [1])
    assert transcript.to_json() == before.to_json()  # the input is not changed
    assert again.segments[0] == transcript.segments[0]  # nor is the other segment
    seg = again.segments[1]
    assert (seg.start, seg.end, seg.text, seg.speaker) == (cut, two.duration, second, "S1")
    assert segment_text(seg.words) == second
    assert in_order_inside(seg.words, seg.start, seg.end)
    assert {w.probability for w in seg.words} == {1.0}
    on, off = SPEECH[two.clips[1]]
    assert abs(seg.words[0].start - (two.cuts[1] + on)) < TOLERANCE
    assert abs(seg.words[-1].end - (two.cuts[1] + off)) < TOLERANCE
    assert realign_segments(transcript, two.media, []).segments == transcript.segments
    with pytest.raises(AlignError, match="segmenti inesistenti"):
        realign_segments(transcript, two.media, [2])


@pytest.mark.slow
def test_a_span_longer_than_whisper_hears_is_aligned_in_windows(tmp_path: Path) -> None:
    clips = list(SPEECH)[::-1]  # 30.9 s of clips, 34 s with the pauses
    joined = join(tmp_path, clips)
    assert joined.duration > 30
    texts = [REFS[c] for c in clips]
    words = align_words(joined.media, " ".join(texts), 0.0, joined.duration)
    assert segment_text(words) == " ".join(texts)
    assert in_order_inside(words, 0.0, joined.duration)
    # each clip's words were put in that clip's stretch of audio
    n = 0
    for k, (clip, text) in enumerate(zip(clips, texts, strict=True)):
        count = len(text.split())
        own = [w for w in words if w.word.startswith(" ")][n : n + count]
        n += count
        on, off = SPEECH[clip]
        assert abs(own[0].start - (joined.cuts[k] + on)) < 2 * TOLERANCE, clip
        assert own[-1].start < joined.cuts[k] + off


# --- the demo transcripts ------------------------------------------------------------------


def synthetic_items(repo: Project) -> dict[str, object]:
    """Item id -> the narration (make_demo_media.Recording) its media was made from."""
    by_media = {i.media_path(repo).name: i.id for i in load_archive(repo).items.values()}
    return {by_media[rec.name]: rec for rec in demo_media().SYNTHETIC}


def test_demo_transcripts_say_what_the_narration_says(repo: Project) -> None:
    module = demo_media()
    items = synthetic_items(repo)
    assert len(items) == 8 and "rete-prova-voci-reali" not in items
    archive = load_archive(repo)
    transcripts = load_transcripts(repo.transcripts, list(items))
    for item_id, rec in items.items():
        transcript = transcripts[item_id]
        sha = media_sha256(archive.items[item_id].media_path(repo))
        said = " ".join(module.narration(rec))
        assert normalise(transcript.text) == normalise(said), item_id
        assert narration_aligned(transcript) and transcript.status == "automatico", item_id
        assert transcript.provenance["method"] == NARRATION_ALIGNED
        assert transcript.provenance["media_sha256"] == sha  # aligned to this very file
        words = [w for s in transcript.segments for w in s.words]
        assert normalise("".join(w.word for w in words)) == normalise(said)
        assert all(a.start <= b.start for a, b in itertools.pairwise(words))
    # the real voices stay an automatic transcript: it shows what recognition does
    real = load_transcripts(repo.transcripts, ["rete-prova-voci-reali"])["rete-prova-voci-reali"]
    assert not narration_aligned(real) and real.provenance.get("method") is None


def test_aligned_sentences_carry_the_voice_of_their_line(repo: Project) -> None:
    """The demo workshop's narration names a voice per line: every sentence of its transcript
    carries that label, in the order the lines are said."""
    module = demo_media()
    transcript = load_transcripts(repo.transcripts, ["rete-workshop-dimostrativo"])[
        "rete-workshop-dimostrativo"
    ]
    voices = [line.speaker for line in module.DEMO_WORKSHOP.lines]
    said = [s.speaker for s in transcript.segments]
    assert None not in said and set(said) == set(voices)
    assert [v for v, _ in itertools.groupby(said)] == [v for v, _ in itertools.groupby(voices)]


def test_transcribe_force_leaves_aligned_transcripts_alone(project_copy: Project) -> None:
    ids = ["palermo-safe-space", "rete-workshop-one-stop-shop"]
    files = [TranscriptFiles(project_copy.transcripts, i) for i in ids]
    before = [f.json.read_bytes() + f.vtt.read_bytes() for f in files]
    result = transcribe_archive(
        project_copy,
        load_archive(project_copy),
        TranscribeRequest(ids=ids, force=True, progress=False),
    )
    assert [(o.id, o.action) for o in result.outcomes] == [(i, "allineato") for i in ids]
    assert [f.json.read_bytes() + f.vtt.read_bytes() for f in files] == before
    assert "2 allineate al testo della narrazione (non toccate)" in result.summary()


def test_the_recording_page_says_the_text_is_the_narration_aligned(repo: Project) -> None:
    site = public_site(repo)
    archive = site.archive
    aligned = render_recording(site, archive.items["palermo-safe-space"])
    label = STATUS_LABELS[NARRATION_ALIGNED].replace("'", "&#x27;")
    assert label in aligned
    assert "lgnet-stato--allineato" in aligned
    assert "errori di riconoscimento" not in aligned and "revisionata" not in aligned
    # the redacted span is still hidden in the aligned transcript's passages
    assert "[omissis]" in aligned and "chiocciola" not in aligned
    real = render_recording(site, archive.items["rete-prova-voci-reali"])
    assert "Trascrizione automatica" in real and "errori di riconoscimento" in real
