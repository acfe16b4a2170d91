"""The catalogue schema: every kind of bad input is reported, all at once, naming file and key."""

from __future__ import annotations

import datetime as dt
import os
import re
import time
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError as PydanticError

from lgnet import archive as archive_module
from lgnet import yamlsafe
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
access: pubblico
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
    project = make_project(tmp_path, {"ok.yml": GOOD, "bad.yml": GOOD + "personal_data: [Rossi\n"})
    archive = load_archive(project, strict=False)
    assert archive.items["ok"].date == "2023-11-03"
    assert yaml.load("d: 2023-13-03", Loader=archive_module._Loader) == {"d": "2023-13-03"}
    [problem] = [p for p in archive.problems if p.file.endswith("bad.yml")]
    assert re.search(r"YAML non valido \(riga 12, colonna \d+\): .+; correggere", problem.message)


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
    assert sum("three.yml" in line for line in lines) == 5  # kind, city, date, media, access


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
        "access": "pubblico",
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


# --- access is required ----------------------------------------------------------------------


def test_an_item_without_access_is_refused_and_the_levels_are_explained(tmp_path: Path) -> None:
    text = GOOD.replace("access: pubblico\n", "")
    [line] = problems_of(make_project(tmp_path, {"dimenticata.yml": text}))
    assert line.startswith("archive/items/dimenticata.yml: 'access': chiave obbligatoria mancante")
    assert "'pubblico' (sito pubblico)" in line
    assert "'operatori' (solo sito interno degli operatori)" in line
    assert "'riservato' (mai pubblicata)" in line
    base = {"id": "x", "title": "t", "kind": "pillola", "city": "rete", "date": "2024"}
    with pytest.raises(PydanticError):
        Item.model_validate({**base, "media": "m"})


def test_a_wrong_access_value_lists_the_levels_with_their_meaning(tmp_path: Path) -> None:
    text = GOOD.replace("access: pubblico", "access: publico")
    [line] = problems_of(make_project(tmp_path, {"x.yml": text}))
    assert "'access': valore non ammesso 'publico'" in line
    assert "'riservato' (mai pubblicata)" in line


def test_a_repeated_key_is_refused_rather_than_the_last_one_winning(tmp_path: Path) -> None:
    text = GOOD.replace("access: pubblico", "access: riservato") + "access: pubblico\n"
    [line] = problems_of(make_project(tmp_path, {"x.yml": text}))
    assert line.startswith(
        "archive/items/x.yml: 'access': YAML rifiutato (riga 11): chiave ripetuta"
    )


# --- YAML that would take the machine down ---------------------------------------------------

BILLION_LAUGHS = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]\n"
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True)
)


def test_the_billion_laughs_document_is_refused_at_once_in_one_line(tmp_path: Path) -> None:
    assert len(BILLION_LAUGHS) < 1024  # 9**9 = 387 million "lol" once expanded
    project = make_project(tmp_path, {"ok.yml": GOOD, "bomba.yml": GOOD + BILLION_LAUGHS})
    project.glossary_file.write_text(BILLION_LAUGHS, encoding="utf-8")
    started = time.perf_counter()
    archive = load_archive(project, strict=False)
    assert time.perf_counter() - started < 0.5
    assert list(archive.items) == ["ok"]
    lines = [str(p) for p in archive.problems]
    assert len(lines) == 2 and all(len(line) < 300 and "\n" not in line for line in lines)
    for rel in ("archive/items/bomba.yml", "archive/glossary.yml"):
        assert any(line.startswith(f"{rel}: YAML rifiutato (riga") for line in lines), lines
    assert all("billion laughs" in line for line in lines)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("areas: " + "[" * 40 + "]" * 40 + "\n", "annidata su più di 20 livelli"),
        ("a: &a [x, *a]\n", "rimanda al valore che lo contiene"),
        ("a: &a x\nb: [" + ", ".join(["*a"] * 101) + "]\n", "più di 100 riferimenti"),
        ("description: " + "x" * (1024 * 1024) + "\n", "file troppo grande (oltre 1024 KB)"),
        ("title: *nessuno\n", "YAML non valido (riga 1, colonna 8): found undefined alias"),
    ],
)
def test_yaml_over_the_limits_is_refused_before_it_is_built(
    tmp_path: Path, text: str, expected: str
) -> None:
    [line] = problems_of(make_project(tmp_path, {"x.yml": text}))
    assert line.startswith("archive/items/x.yml: ") and expected in line, line
    assert len(line) < 300


def test_a_list_file_may_be_bigger_than_an_item(tmp_path: Path) -> None:
    project = make_project(tmp_path, {"ok.yml": GOOD})
    definition = "d" * 10_000
    terms = "".join(f"- {{term: t{n}, definition: {definition}}}\n" for n in range(200))
    assert len(terms) > yamlsafe.ITEM_LIMITS.max_bytes
    project.glossary_file.write_text(terms, encoding="utf-8")
    assert len(load_archive(project).glossary) == 200


def test_an_item_path_that_is_not_a_regular_file_does_not_hang(tmp_path: Path) -> None:
    project = make_project(tmp_path, {"ok.yml": GOOD})
    (project.items_dir / "cartella.yml").mkdir()
    os.symlink("/dev/zero", project.items_dir / "zeri.yml")
    lines = problems_of(project)
    assert (
        "archive/items/cartella.yml: è una cartella, non un file YAML; spostarla altrove" in lines
    )
    assert any("zeri.yml: file troppo grande" in line for line in lines)  # rel() resolves links


def test_front_matter_lines_count_from_the_file(tmp_path: Path) -> None:
    data, problems = yamlsafe.load_text(
        "a: 1\na: 2\n", "docs/x.md", loader=yaml.SafeLoader,
        limits=yamlsafe.FRONT_MATTER_LIMITS, first_line=2,
    )  # fmt: skip
    assert data is None
    assert [str(p) for p in problems] == [
        "docs/x.md: 'a': YAML rifiutato (riga 3): chiave ripetuta, YAML terrebbe solo l'ultima; "
        "lasciarne una sola"
    ]


# --- files in archive/items/ that would not be read ------------------------------------------


def test_near_miss_item_file_names_are_reported(tmp_path: Path) -> None:
    project = make_project(
        tmp_path,
        {
            "ok.yml": GOOD,
            "maiuscole.YML": GOOD,
            "misto.Yaml": GOOD,
            "testo.yml.txt": GOOD,
            "vecchia.yaml~": GOOD,
            "copia.yml.bak": GOOD,
            "note.md": "appunti\n",
            ".gitkeep": "",
        },
    )
    (project.items_dir / "sottocartella").mkdir()
    archive = load_archive(project, strict=False)
    assert list(archive.items) == ["ok"]
    lines = [str(p) for p in archive.problems]
    assert lines == [
        "archive/items/maiuscole.YML: estensione '.YML' con maiuscole: il file non viene letto; "
        "rinominarlo in maiuscole.yml",
        "archive/items/misto.Yaml: estensione '.Yaml' con maiuscole: il file non viene letto; "
        "rinominarlo in misto.yaml",
    ]
    warnings = archive.warnings
    assert len(warnings) == 5, warnings
    assert any(
        w.startswith("archive/items/testo.yml.txt: non finisce con .yml")
        and "rinominarlo in testo.yml" in w
        for w in warnings
    )
    for name in ("vecchia.yaml~", "copia.yml.bak"):
        assert f"archive/items/{name}: sembra una copia di riserva e non viene letta" in "".join(
            warnings
        )
    assert any(w.startswith("archive/items/note.md: non è una scheda .yml") for w in warnings)
    assert any(w.startswith("archive/items/sottocartella: le sottocartelle") for w in warnings)
    assert run_checks(project).warnings[: len(warnings)] == warnings


# --- text that would break the documents -----------------------------------------------------


def test_control_characters_in_any_text_are_refused(tmp_path: Path) -> None:
    text = GOOD.replace('"Safe Space al Centro Penc"', '"Safe\\x07 Space"').replace(
        "role: operatrice", 'role: "opera\\x1btrice"'
    )
    project = make_project(tmp_path, {"x.yml": text + 'description: "riga\\tuno\\nriga due"\n'})
    project.cities_file.write_text(CITIES + '- {slug: bari, name: "Ba\\x0cri"}\n')
    project.glossary_file.write_text(GLOSSARY + '- {term: SAI, definition: "Sistema\\x00"}\n')
    lines = problems_of(project)
    assert len(lines) == 4, lines
    assert any(
        line.startswith("archive/items/x.yml: 'title': carattere di controllo U+0007")
        and "toglierlo" in line
        for line in lines
    )
    assert any("x.yml: 'speakers[0].role': carattere di controllo U+001B" in line for line in lines)
    assert any("cities.yml: '[3].name': carattere di controllo U+000C" in line for line in lines)
    assert any(
        "glossary.yml: '[1].definition': carattere di controllo U+0000" in line for line in lines
    )


def test_absurdly_long_texts_are_refused_without_echoing_them(tmp_path: Path) -> None:
    text = GOOD.replace('"Safe Space al Centro Penc"', "T" * 5000)
    text = text.replace("testimonianza", "k" * 100_000)
    lines = problems_of(make_project(tmp_path, {"x.yml": text}))
    assert any("'title': testo troppo lungo (5000 caratteri, al massimo 500)" in x for x in lines)
    assert any("'kind': valore non ammesso 'kkkk" in x for x in lines)
    assert all(len(line) < 300 for line in lines), lines


def test_overlapping_redactions_and_unordered_chapters_are_reported(tmp_path: Path) -> None:
    text = GOOD.replace(
        'redactions: [{start: 1.0, end: "00:02.5", reason: "nome"}]',
        "redactions: [{start: 1, end: 30, reason: a}, {start: 40, end: 41, reason: b},"
        " {start: 10, end: 12, reason: c}, {start: 30, end: 35, reason: d}]",
    ).replace('"00:05"', '"00:00"')
    lines = problems_of(make_project(tmp_path, {"x.yml": text}))
    assert lines == [
        "archive/items/x.yml: 'chapters[1].start': i capitoli devono essere in ordine di tempo "
        "(00:00 viene dopo 00:00); correggere l'inizio o spostare il capitolo",
        "archive/items/x.yml: 'redactions[2]': l'omissis 00:10–00:12 si sovrappone a "
        "redactions[0] (00:01–00:30); unirli in un solo omissis o correggere i tempi",
    ]
