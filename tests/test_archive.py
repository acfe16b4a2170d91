"""The catalogue schema: every kind of bad input is reported, all at once, naming file and key."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

from lgnet import archive as archive_module
from lgnet.archive import Item, load_archive
from lgnet.checks import consent_warnings, run_checks
from lgnet.errors import ValidationError
from lgnet.project import Project

CITIES = """\
- {slug: palermo, name: Palermo, region: Sicilia, lat: 38.12, lon: 13.36}
- {slug: perugia, name: Perugia, region: Umbria, lat: 43.11, lon: 12.39}
- {slug: rete, name: Rete LGNet}
"""
GLOSSARY = '- {term: one-stop-shop, definition: "Sportello unico di accesso ai servizi"}\n'
GOOD = """\
title: "Safe Space al Centro Penc"
kind: testimonianza
city: palermo
date: 2023-11-03
media: media/a.mp3
areas: [presa-in-carico]
speakers: [{name: "Coordinatrice", role: operatrice}]
chapters: [{start: "00:00", title: Introduzione}, {start: "00:05", title: Laboratori}]
redactions: [{start: 1.0, end: "00:02.5", reason: "nome"}]
"""


def make_project(tmp_path: Path, items: dict[str, str]) -> Project:
    root = tmp_path / "p"
    (root / "archive" / "items").mkdir(parents=True)
    (root / "archive" / "media").mkdir()
    (root / "archive" / "media" / "a.mp3").write_bytes(b"x")
    (root / "mkdocs.yml").write_text("site_name: t\n")
    (root / "archive" / "cities.yml").write_text(CITIES)
    (root / "archive" / "glossary.yml").write_text(GLOSSARY)
    for name, text in items.items():
        (root / "archive" / "items" / name).write_text(text)
    return Project(root)


def problems_of(project: Project) -> list[str]:
    with pytest.raises(ValidationError) as info:
        load_archive(project)
    return info.value.lines()


def test_valid_item_loads_with_parsed_times_and_dates(tmp_path: Path) -> None:
    archive = load_archive(make_project(tmp_path, {"safe-space.yml": GOOD}))
    item = archive.items["safe-space"]
    assert item.date == "2023-11-03" and item.year == "2023"
    assert item.chapters[1].start == 5.0
    assert item.redactions[0].end == 2.5
    assert item.access == "pubblico" and item.language == "it"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("title: [unclosed\n", "YAML non valido (riga 2"),
        (GOOD + "titel: x\n", "'titel': chiave sconosciuta"),
        (
            GOOD.replace("city: palermo", "city: palerno"),
            "città sconosciuta 'palerno': forse 'palermo'?",
        ),
        (GOOD.replace("2023-11-03", "03/11/2023"), "'date': data non valida"),
        (GOOD.replace("2023-11-03", "2023-02-30"), "'date': data inesistente"),
        (
            GOOD.replace("media/a.mp3", "media/missing.mp3"),
            "'media': file multimediale non trovato",
        ),
        (
            GOOD.replace("media/a.mp3", "../../etc/passwd"),
            "'media': il percorso ../../etc/passwd esce",
        ),
        (
            GOOD.replace("media/a.mp3", "/etc/hostname"),
            "'media': il percorso assoluto /etc/hostname",
        ),
        (GOOD.replace("testimonianza", "intervista"), "'kind': valore non ammesso 'intervista'"),
        (GOOD.replace("[presa-in-carico]", "[casa]"), "'areas[0]': valore non ammesso 'casa'"),
        (GOOD.replace("title: ", "#title: ", 1), "'title': chiave obbligatoria mancante"),
        (GOOD.replace('end: "00:02.5"', "end: 0.5"), "la fine dell'omissis deve venire dopo"),
        (GOOD.replace('"00:05"', '"00:99"'), "'chapters[1].start': tempo non valido"),
        ("- a\n- b\n", "deve contenere chiavi e valori"),
    ],
)
def test_each_bad_input_names_file_and_key(tmp_path: Path, text: str, expected: str) -> None:
    lines = problems_of(make_project(tmp_path, {"bad.yml": text}))
    assert any(line.startswith("archive/items/bad.yml") and expected in line for line in lines), (
        lines
    )


class _PurePythonLoader(yaml.SafeLoader):
    """The loader `lgnet.archive` falls back to when PyYAML has no libyaml."""


_PurePythonLoader.yaml_implicit_resolvers = archive_module._Loader.yaml_implicit_resolvers


def test_yaml_is_read_by_libyaml_when_pyyaml_has_it() -> None:
    if yaml.__with_libyaml__:
        assert issubclass(archive_module._Loader, yaml.CSafeLoader)


@pytest.mark.parametrize("pure_python", [False, True])
def test_both_yaml_parsers_keep_dates_as_text_and_name_line_and_column(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pure_python: bool
) -> None:
    if pure_python:
        monkeypatch.setattr(archive_module, "_Loader", _PurePythonLoader)
    project = make_project(tmp_path, {"ok.yml": GOOD, "bad.yml": GOOD + "areas: [abitare\n"})
    archive = load_archive(project, strict=False)
    assert archive.items["ok"].date == "2023-11-03"
    assert yaml.load("d: 2023-13-03", Loader=archive_module._Loader) == {"d": "2023-13-03"}
    [problem] = [p for p in archive.problems if p.file.endswith("bad.yml")]
    assert re.search(r"YAML non valido \(riga 11, colonna \d+\): .+; correggere", problem.message)


def test_all_problems_are_reported_at_once(tmp_path: Path) -> None:
    project = make_project(
        tmp_path,
        {
            "one.yml": GOOD + "colour: red\n",
            "two.yml": GOOD.replace("palermo", "atlantide"),
            "three.yml": "title: x\n",
            "ok.yml": GOOD,
        },
    )
    lines = problems_of(project)
    assert {line.split(":")[0] for line in lines} == {
        "archive/items/one.yml",
        "archive/items/two.yml",
        "archive/items/three.yml",
    }
    assert sum("three.yml" in line for line in lines) == 4  # kind, city, date, media missing


def test_duplicate_ids_and_bad_file_names(tmp_path: Path) -> None:
    lines = problems_of(
        make_project(tmp_path, {"a.yml": GOOD, "a.yaml": GOOD, "Bad_Name.yml": GOOD})
    )
    assert any("identificativo ripetuto" in line for line in lines)
    assert any("Bad_Name.yml: nome del file non valido" in line for line in lines)


def test_absolute_media_outside_archive_needs_explicit_permission(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.mp3"
    outside.write_bytes(b"x")
    text = GOOD.replace("media/a.mp3", str(outside))
    problems_of(make_project(tmp_path, {"x.yml": text}))
    archive = load_archive(make_project(tmp_path / "2", {"x.yml": text + "external_media: true\n"}))
    assert archive.items["x"].media_path(Project(tmp_path)) == outside


def test_cities_and_glossary_are_validated(tmp_path: Path) -> None:
    project = make_project(tmp_path, {"ok.yml": GOOD})
    project.cities_file.write_text(CITIES + "- {slug: Bad Slug, name: X, lat: 99}\n")
    project.glossary_file.write_text(GLOSSARY + "- {term: x}\n")
    lines = problems_of(project)
    assert any("archive/cities.yml: '[3].slug'" in line for line in lines)
    assert any("archive/cities.yml: '[3].lat'" in line for line in lines)
    assert any(
        "archive/glossary.yml: '[1].definition': chiave obbligatoria" in line for line in lines
    )


def test_consent_withdrawn_or_expired_makes_an_item_reserved(tmp_path: Path) -> None:
    base = {
        "id": "x",
        "title": "t",
        "kind": "pillola",
        "city": "rete",
        "date": "2024",
        "media": "m",
    }
    today = dt.date(2026, 11, 21)
    assert Item.model_validate(base).published_in("pubblico", today)
    assert not Item.model_validate({**base, "withdrawn": True}).published_in("operatori", today)
    expired = Item.model_validate({**base, "consent_expires": "2026-10"})
    assert expired.effective_access(today) == "riservato"
    soon = Item.model_validate({**base, "consent_expires": "2026-12-31"})
    assert soon.published_in("pubblico", today)
    operators = Item.model_validate({**base, "access": "operatori"})
    assert operators.published_in("operatori", today) and not operators.published_in(
        "pubblico", today
    )


def test_check_warns_about_consent_expiring_within_60_days(tmp_path: Path) -> None:
    project = make_project(
        tmp_path,
        {
            "soon.yml": GOOD + "consent_expires: 2026-12-15\n",
            "later.yml": GOOD + "consent_expires: 2027-06-01\n",
            "gone.yml": GOOD + "withdrawn: true\n",
        },
    )
    warnings = consent_warnings(load_archive(project), dt.date(2026, 11, 21))
    assert any("soon.yml: il consenso scade il 2026-12-15 (tra 24 giorni)" in w for w in warnings)
    assert not any("later.yml" in w for w in warnings)
    assert any("gone.yml: consenso ritirato" in w for w in warnings)


def test_the_shipped_archive_is_valid(repo: Project) -> None:
    report = run_checks(repo)
    assert report.problems == []
    assert len(report.archive.items) >= 6
