"""`lgnet review`: items and cues ordered by how much they need a person, cited ones first."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from lgnet.archive import load_archive
from lgnet.cli import main
from lgnet.project import Project
from lgnet.review import LOW_CONFIDENCE, looks_like_name, review_queue
from lgnet.transcripts import Segment, Transcript, Word, load_transcripts, write_transcript

CITIES = """\
- {slug: palermo, name: Palermo, region: Sicilia, lat: 38.12, lon: 13.36}
- {slug: rete, name: Rete LGNet}
"""
GLOSSARY = """\
- {term: Centro Penc, definition: "Centro di Palermo"}
- {term: one-stop-shop, definition: "Sportello unico di accesso ai servizi"}
"""
SURE, UNSURE = 0.95, 0.2


def item_yaml(title: str) -> str:
    return (
        f'title: "{title}"\nkind: testimonianza\ncity: palermo\ndate: 2023\n'
        "media: media/a.mp3\naccess: pubblico\n"
    )


def sentence(
    start: float, text: str, unsure: tuple[str, ...] = (), reviewed: bool = False
) -> Segment:
    words = []
    for n, token in enumerate(text.split()):
        p = UNSURE if token.strip(".,") in unsure else SURE
        words.append(Word(start + n * 0.4, start + n * 0.4 + 0.35, " " + token, p))
    return Segment(start, words[-1].end, text, None, words, reviewed)


# Each item's sentences, and the order the queue must give: the only cited item first (though
# it needs the least), then by work: b (1 + 1 cue unreviewed, 3 uncertain words: 2 + 6 = 8),
# then c (1 cue, 2 unknown names: 1 + 4 = 5); a is fully reviewed and e has no transcript.
TRANSCRIPTS = {
    "a-rivista": [sentence(0, "Tutto è stato riletto.", reviewed=True)],
    "b-incerta": [
        sentence(0, "Il comune ha aperto uno sportello.", unsure=("sportello",)),
        sentence(10, "Le persone arrivano da sole o accompagnate.", unsure=("arrivano", "sole")),
    ],
    "c-nomi": [sentence(0, "Al Centro Penc lavora Zienda con Volzano.")],
    "d-citata": [sentence(0, "Questa frase è citata in una pagina.")],
}
EXPECTED = ["d-citata", "b-incerta", "c-nomi"]


@pytest.fixture
def project(tmp_path: Path) -> Project:
    root = tmp_path / "p"
    (root / "archive" / "items").mkdir(parents=True)
    (root / "archive" / "media").mkdir()
    (root / "archive" / "media" / "a.mp3").write_bytes(b"x")
    (root / "archive" / "cities.yml").write_text(CITIES)
    (root / "archive" / "glossary.yml").write_text(GLOSSARY)
    (root / "mkdocs.yml").write_text("site_name: t\n")
    (root / "docs").mkdir()
    (root / "docs" / "pagina.md").write_text(
        '# Una pagina\n\n[[prova: d-citata 0:01-0:02 "frase è citata"]]\n'
    )
    project = Project(root)
    for item_id in [*TRANSCRIPTS, "e-senza"]:
        (project.items_dir / f"{item_id}.yml").write_text(item_yaml(f"Registrazione {item_id}"))
    for item_id, segments in TRANSCRIPTS.items():
        write_transcript(project.transcripts, Transcript(item_id, "it", 30.0, None, {}, segments))
    return project


def test_the_queue_orders_a_known_archive(project: Project) -> None:
    archive = load_archive(project, strict=False)
    transcripts = load_transcripts(project.transcripts, list(archive.items))
    queue = review_queue(project, archive, transcripts)
    assert [q.id for q in queue] == EXPECTED
    by_id = {q.id: q for q in queue}
    assert by_id["d-citata"].citations == 1 and by_id["d-citata"].cues[0].cited
    assert [q.need for q in queue] == [1, 8, 5]
    # inside an item: the cue with most work first
    assert [c.uncertain for c in by_id["b-incerta"].cues] == [["arrivano", "sole"], ["sportello"]]
    # names the glossary knows (Centro Penc) are not suspects; the others are
    assert by_id["c-nomi"].cues[0].names == ["Zienda", "Volzano"]


def test_a_reviewed_sentence_needs_nobody_even_with_uncertain_words(project: Project) -> None:
    segments = [sentence(0, "Il comune ha aperto uno sportello.", ("sportello",), reviewed=True)]
    write_transcript(project.transcripts, Transcript("b-incerta", "it", 30.0, None, {}, segments))
    archive = load_archive(project, strict=False)
    queue = review_queue(
        project, archive, load_transcripts(project.transcripts, list(archive.items))
    )
    assert [q.id for q in queue] == ["d-citata", "c-nomi"]


def test_names_are_capitals_inside_a_sentence() -> None:
    assert looks_like_name("Zienda", sentence_start=False)
    assert not looks_like_name("Zienda", sentence_start=True)
    assert looks_like_name("FAMI,", sentence_start=False)  # an acronym
    assert not looks_like_name("servizi", sentence_start=False)
    assert LOW_CONFIDENCE == 0.5


def test_the_command_prints_json_and_an_italian_table_and_exits_0(project: Project) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["review", "--json", "--root", str(project.root)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [d["id"] for d in data] == EXPECTED
    first = data[1]
    assert first["low_confidence"] == 3 and first["reviewed_sentences"] == 0
    assert first["cues"][0]["low_confidence"] == ["arrivano", "sole"]
    assert set(first["cues"][0]) == {
        "start", "end", "text", "low_confidence", "unknown_names", "cited", "need"
    }  # fmt: skip
    table = runner.invoke(main, ["review", "--root", str(project.root)])
    assert table.exit_code == 0
    lines = table.output.splitlines()
    assert lines[0].startswith("Da rivedere: 3 registrazioni")
    assert "frasi revisionate" in lines[2] and "incerte" in lines[2]
    rows = [line.split()[0] for line in lines[3:] if line and not line.startswith(" ")]
    assert rows[:3] == EXPECTED
    assert "incerte: arrivano, sole" in table.output and "nomi: Zienda, Volzano" in table.output
    # one item only; an unknown id is one Italian line and exit 1
    one = runner.invoke(main, ["review", "c-nomi", "--json", "--root", str(project.root)])
    assert [d["id"] for d in json.loads(one.output)] == ["c-nomi"]
    bad = runner.invoke(main, ["review", "nessuno", "--root", str(project.root)])
    assert bad.exit_code == 1 and "registrazione sconosciuta: nessuno" in bad.output
