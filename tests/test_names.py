"""Names right (lgnet.names): garbled city and programme names corrected against the known
vocabulary, conservatively, with a record of every change."""

from __future__ import annotations

from pathlib import Path

import pytest

from lgnet.archive import load_archive
from lgnet.names import NameCorrector, correct_names, edit_distance, fold
from lgnet.project import Project
from lgnet.transcripts import Segment, TranscriptFiles, Word, read_transcript

from .conftest import REPO

NAMES = load_archive(Project(REPO)).vocabulary()


def segment(text: str, probability: float = 0.6, start: float = 0.0) -> Segment:
    words = [
        Word(start + i, start + i + 0.9, (" " if i else "") + w, probability)
        for i, w in enumerate(text.split())
    ]
    return Segment(start, start + len(words), text, None, words)


def corrected(*texts: str, probability: float = 0.6) -> tuple[list[str], list[dict[str, object]]]:
    segments = [segment(t, probability, 100.0 * n) for n, t in enumerate(texts)]
    out, corrections = correct_names(segments, NAMES)
    return [s.text for s in out], [c.as_json() for c in corrections]


def test_the_garbled_cities_of_the_demo_narration_are_corrected() -> None:
    text = (
        "insedi città, Pologna, Bolzano, Camerta, Fivenze, Genoma, Latina, Milano, Apoli, Perugna."
    )
    (out,), corrections = corrected(text)
    assert out == (
        "insedi città, Bologna, Bolzano, Caserta, Firenze, Genova, Latina, Milano, Napoli, Perugia."
    )
    assert [(c["from"], c["to"]) for c in corrections] == [
        ("Pologna", "Bologna"), ("Camerta", "Caserta"), ("Fivenze", "Firenze"),
        ("Genoma", "Genova"), ("Apoli", "Napoli"), ("Perugna", "Perugia"),
    ]  # fmt: skip
    assert {c["segment"] for c in corrections} == {0}
    assert corrections[0]["start"] == 2.0 and corrections[0]["rule"] == "unknown-word"


def test_a_capitalised_rare_word_inside_a_sentence_is_a_name() -> None:
    # "genoma" is an Italian word, but rare, and capitalised in the middle of a sentence
    counts = {"genoma": 50, "progetto": 90000, "a": 10**6}
    corrector = NameCorrector(NAMES, frequency=lambda w: counts.get(w, 0))
    out, corrections = corrector.correct([segment("il progetto a Genoma.")])
    assert out[0].text == "il progetto a Genova." and corrections[0].rule == "capitalised-name"
    # at the start of a sentence a capital says nothing: "Genoma" stays
    out, corrections = corrector.correct([segment("Genoma umano.")])
    assert out[0].text == "Genoma umano." and corrections == []


def test_common_italian_words_are_never_changed() -> None:
    # "vino" (Torino?), "coma" (Roma?), "latino" (Latina?): words, wherever they are
    texts = ["Coma, gennaio 2024.", "un bicchiere di Vino rosso", "il latino e il greco"]
    out, corrections = corrected(*texts)
    assert out == texts and corrections == []


def test_words_the_model_was_sure_of_or_too_far_from_a_name_stay() -> None:
    # sure: a surname heard clearly is not a garbled city
    assert corrected("parla la dottoressa Milani.", probability=0.95)[1] == []
    # far: two edits from a six-letter name
    assert corrected("andiamo a Kenoba.")[1] == []
    assert corrected("andiamo a Genopa.")[1][0]["to"] == "Genova"
    # as close to two names: which one was said is not known
    two = NameCorrector(["Lucca", "Lecca"], frequency=lambda w: 0)
    assert two.correct([segment("andiamo a Licca.")])[1] == []
    # short words are too ambiguous
    assert corrected("a Rama.")[1] == []


def test_known_names_and_their_parts_are_left_as_they_are() -> None:
    texts = ["Al Centro Penc di Palermo, con ANCI Liguria e LGNet2."]
    assert corrected(*texts) == (texts, [])


def test_two_words_that_are_one_name() -> None:
    (out,), corrections = corrected("la rete di Sassar ri e di Taranto")
    assert out == "la rete di Sassari e di Taranto"
    assert corrections == [
        {"segment": 0, "start": 3.0, "from": "Sassar ri", "to": "Sassari", "rule": "two-words"}
    ]
    (out,), _ = corrected("al Centro Pench di Palermo")
    assert out == "al Centro Penc di Palermo"


def test_a_corrected_word_keeps_its_timing_and_punctuation() -> None:
    out, _ = correct_names([segment("città: Pologna, e altre")], NAMES)
    (word,) = [w for w in out[0].words if "Bologna" in w.word]
    assert word.word == " Bologna," and (word.start, word.end) == (1.0, 1.9)


def test_edit_distance_and_folding() -> None:
    assert fold("Perù È") == "peru e"
    assert edit_distance("pologna", "bologna", 2) == 1
    assert edit_distance("apoli", "napoli", 1) == 1
    assert edit_distance("abcdef", "uvwxyz", 2) == 3  # stops counting past the limit


@pytest.mark.slow
def test_a_transcript_records_the_names_it_corrected(tmp_path: Path) -> None:
    """The real model on a demo narration that says "Bolzano", which Whisper base writes
    "Volzano": the transcript says Bolzano and records the change for a reviewer."""
    from lgnet.transcribe import TranscribeRequest, transcribe_archive

    from .test_transcribe import make_project

    media = REPO / "archive" / "media" / "bolzano-nota-operatori.m4a"
    project = make_project(tmp_path, {"nota": media})
    (project.root / "archive" / "cities.yml").write_text(
        "- {slug: rete, name: Rete LGNet}\n"
        "- {slug: bolzano, name: Bolzano, lat: 46.5, lon: 11.35}\n"
    )
    archive = load_archive(project)
    transcribe_archive(project, archive, TranscribeRequest(progress=False))
    transcript = read_transcript(TranscriptFiles(project.transcripts, "nota").json)
    recorded = transcript.provenance["name_corrections"]
    assert {"from": "Volzano", "to": "Bolzano"}.items() <= recorded[0].items(), recorded
    segment = transcript.segments[recorded[0]["segment"]]
    assert "Bolzano" in segment.text and segment.start <= recorded[0]["start"] <= segment.end
    assert "Volzano" not in transcript.text
