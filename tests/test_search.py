"""Searching the transcripts: Italian morphology, facets, the CLI, and the page's engine (run in
node on the published files) answering exactly like `lgnet search`."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from lgnet.cli import main
from lgnet.errors import LgnetError
from lgnet.index import index_dir, load_index, publish_search
from lgnet.project import Project
from lgnet.search import format_hits, run_search, search_index
from lgnet.transcripts import read_transcript, write_transcript
from tests.test_index import CERCA_JS, build, make_search_project, node


@pytest.fixture
def indexed(tmp_path: Path) -> Project:
    project = make_search_project(tmp_path / "progetto")
    build(project)
    return project


def ids(hits: list[Any]) -> list[str]:
    return [h.id for h in hits]


def test_morphology_abitativa_finds_abitative(indexed: Project) -> None:
    hits = search_index(indexed, "abitativa")
    texts = " ".join(h.text for h in hits)
    assert "soluzioni abitative" in texts and "politiche abitative" in texts
    assert "emergenza abitativa" in texts
    assert sorted(set(ids(hits))) == ["bologna-abitare", "palermo-safe-space", "rete-racconto"]


def test_morphology_sanitarie_finds_sanitaria(indexed: Project) -> None:
    hits = search_index(indexed, "sanitarie")
    assert {h.id for h in hits} == {"palermo-safe-space", "torino-salute"}
    assert any("assistenza sanitaria" in h.text for h in hits)
    assert [h.id for h in search_index(indexed, "sanitaria")] == ids(hits)


def test_every_word_is_required_and_the_hit_starts_at_the_matching_segment(
    indexed: Project,
) -> None:
    hits = search_index(indexed, "Sportello Unico")
    assert sorted(ids(hits)) == ["palermo-safe-space", "rete-racconto", "torino-salute"]
    by_id = {h.id: h for h in hits}
    palermo = by_id["palermo-safe-space"]
    assert palermo.start == 4.0 and palermo.end == 8.0  # second segment of the passage
    assert palermo.passage_start == 0.0
    assert palermo.text.startswith("Qui al centro abbiamo aperto uno sportello unico")
    assert by_id["torino-salute"].start == 11.0
    assert all(h.all_terms for h in hits)
    assert palermo.to_json()["link"] == "archivio/palermo-safe-space/#t=4"
    assert set(palermo.to_json()) >= {"id", "start", "end", "text", "score"}


def test_when_no_passage_has_every_word_some_words_are_enough(indexed: Project) -> None:
    results = run_search(indexed, "sportello dormitori")
    assert not results.all_terms and results.hits
    assert {h.id for h in results.hits} >= {"bologna-abitare", "torino-salute"}
    text = format_hits(results.hits, "sportello dormitori", color=False)
    assert text.splitlines()[0].startswith("Nessun passaggio contiene tutte le parole")


def test_stop_words_and_unknown_words_find_nothing(indexed: Project) -> None:
    assert search_index(indexed, "di che per") == []
    assert search_index(indexed, "zanzibar") == []
    assert format_hits([], "zanzibar") == "Nessun risultato per «zanzibar»"


def test_facets_filter_and_count_what_the_other_facets_allow(indexed: Project) -> None:
    everything = run_search(indexed, "sportello unico")
    assert everything.facets["city"] == {"palermo": 1, "torino": 1, "rete": 1}
    assert everything.facets["kind"] == {"testimonianza": 1, "pillola": 1, "docufilm": 1}
    palermo = run_search(indexed, "sportello unico", city="palermo")
    assert ids(palermo.hits) == ["palermo-safe-space"] and palermo.total == 1
    assert palermo.facets["city"] == everything.facets["city"]  # own facet: not narrowed
    assert palermo.facets["kind"] == {"testimonianza": 1}
    assert ids(search_index(indexed, "abitative", kind="docufilm")) == ["rete-racconto"]
    assert ids(search_index(indexed, "abitative", area="impegno-civico")) == ["rete-racconto"]
    assert set(ids(search_index(indexed, "abitative", area="abitare"))) == {
        "bologna-abitare",
        "rete-racconto",
    }
    assert ids(run_search(indexed, "sanitarie", year="2022").hits) == ["torino-salute"]


def test_invalid_facet_values_name_the_allowed_ones(indexed: Project) -> None:
    with pytest.raises(LgnetError) as err:
        search_index(indexed, "casa", city="plermo")
    assert str(err.value) == (
        "città sconosciuta 'plermo' (forse 'palermo'?); valori ammessi: bologna, palermo, rete, "
        "torino"
    )
    with pytest.raises(LgnetError, match="valori ammessi: workshop, pillola, testimonianza"):
        search_index(indexed, "casa", kind="intervista")
    with pytest.raises(LgnetError, match="valori ammessi: abitare, presa-in-carico, impegno"):
        search_index(indexed, "casa", area="salute")


def test_unpublished_items_are_never_found(indexed: Project) -> None:
    assert search_index(indexed, "riunioneinterna") == []
    assert search_index(indexed, "segretissimo") == []
    internal = search_index(indexed, "riunioneinterna", audience="operatori")
    assert ids(internal) == ["bologna-interno"]
    assert search_index(indexed, "segretissimo", audience="operatori") == []


def test_missing_or_stale_index_is_rebuilt_before_searching(tmp_path: Path) -> None:
    project = make_search_project(tmp_path / "progetto")
    assert ids(search_index(project, "coabitazione")) == ["bologna-abitare"]  # built on the fly
    path = project.transcripts / "torino-salute.json"
    transcript = read_transcript(path)
    transcript.segments[0].text = "Parliamo di coabitazione anche a Torino."
    time.sleep(0.01)
    write_transcript(project.transcripts, transcript)
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 10_000_000))
    assert sorted(ids(search_index(project, "coabitazione"))) == [
        "bologna-abitare",
        "torino-salute",
    ]


def test_an_archive_without_transcripts_has_an_empty_index(tmp_path: Path) -> None:
    project = make_search_project(tmp_path / "progetto")
    for path in project.transcripts.iterdir():
        path.unlink()
    assert build(project).summary().startswith("Indice di ricerca: 0 passaggi da 0 registrazioni")
    assert search_index(project, "sportello") == []
    site = tmp_path / "site"
    publish_search(project, "pubblico", site)
    js = node(
        "engine",
        str(site / "assets" / "cerca"),
        str(CERCA_JS),
        data={"queries": [{"q": "sportello"}]},
    )
    assert js[0]["refs"] == []


def test_format_hits_one_line_per_hit(indexed: Project) -> None:
    hits = search_index(indexed, "sportello unico", city="palermo")
    assert format_hits(hits, "sportello unico", color=False) == (
        "palermo-safe-space  00:04  «… Qui al centro abbiamo aperto uno *sportello* *unico* per le "
        "persone migranti. …»  (Palermo, testimonianza)"
    )
    colored = format_hits(hits, "sportello unico", color=True)
    assert "\033[1;33msportello\033[0m" in colored


def test_cli_index_and_search(tmp_path: Path) -> None:
    project = make_search_project(tmp_path / "progetto")
    runner = CliRunner()
    done = runner.invoke(main, ["index", "--root", str(project.root)])
    assert done.exit_code == 0, done.output
    assert done.output.startswith("Indice di ricerca: 6 passaggi da 4 registrazioni (pubblico)")
    done = runner.invoke(
        main, ["search", "emergenza abitativa", "--json", "--root", str(project.root)]
    )
    assert done.exit_code == 0, done.output
    data = json.loads(done.output)
    assert {d["id"] for d in data} == {"bologna-abitare", "palermo-safe-space"}
    assert all({"id", "start", "end", "text", "score"} <= set(d) for d in data)
    done = runner.invoke(
        main, ["search", "sportello", "--city", "torino", "--root", str(project.root)]
    )
    assert done.exit_code == 0
    assert done.output.startswith("torino-salute  00:11  «… Lo *sportello* unico di Torino")
    done = runner.invoke(main, ["search", "casa", "--city", "plermo", "--root", str(project.root)])
    assert done.exit_code == 1
    assert "errore: città sconosciuta 'plermo' (forse 'palermo'?)" in done.output
    assert "Traceback" not in done.output


ENGINE_QUERIES: list[dict[str, Any]] = [
    {"q": "abitativa"},
    {"q": "sanitarie"},
    {"q": "sportello unico"},
    {"q": "Sportello unico", "filters": {"city": ["palermo", "torino"]}},
    {"q": "abitative", "filters": {"area": ["abitare"]}},
    {"q": "abitative", "filters": {"kind": ["docufilm"], "year": ["2024"]}},
    {"q": "sportello dormitori"},
    {"q": "l'accoglienza dell'équipe"},
    {"q": "di che"},
    {"q": "zanzibar"},
    {"q": "città rete inclusione"},
]


@pytest.mark.parametrize("shards", [1, 4])
def test_page_engine_in_node_answers_like_lgnet_search(tmp_path: Path, shards: int) -> None:
    project = make_search_project(tmp_path / "progetto")
    build(project, shards=shards, passage_words=0)
    site = tmp_path / "site"
    publish_search(project, "pubblico", site)
    js = node(
        "engine", str(site / "assets" / "cerca"), str(CERCA_JS), data={"queries": ENGINE_QUERIES}
    )
    stored = load_index(project, "pubblico")
    for query, answer in zip(ENGINE_QUERIES, js, strict=True):
        filters = query.get("filters", {})
        single = {k: v[0] for k, v in filters.items() if len(v) == 1}
        results = run_search(project, query["q"], limit=100, stored=stored, **single)
        if all(len(v) == 1 for v in filters.values()):
            assert answer["refs"] == [h.ref for h in results.hits], query
            assert answer["scores"] == pytest.approx([h.score for h in results.hits]), query
            assert [(h["id"], h["start"], h["end"]) for h in answer["hits"]] == [
                (h.id, h.start, h.end) for h in results.hits[:20]
            ], query
            assert answer["facets"] == results.facets, query
        assert answer["words"] == results.words and answer["stems"] == results.stems
        assert answer["allTerms"] == results.all_terms, query
    multi = js[3]
    assert {h["id"] for h in multi["hits"]} == {"palermo-safe-space", "torino-salute"}
    assert multi["facets"]["city"] == {"palermo": 1, "torino": 1, "rete": 1}
    if shards > 1:  # a search loads only the shards of its words
        assert len([f for f in js[0]["files"] if f.startswith("indice/")]) == 1
    assert index_dir(project, "pubblico").is_dir()
