"""`lgnet check`: media read for real, times inside the recording, every problem in one run."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from lgnet.checks import run_checks
from lgnet.project import Project

from .media_factory import silence
from .test_archive import BILLION_LAUGHS, GOOD, make_project

TEN_SECONDS = GOOD.replace("media/a.mp3", "media/dieci.wav")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    monkeypatch.setenv("LGNET_CACHE_DIR", str(tmp_path / "cache"))
    project = make_project(tmp_path, {})
    silence(project.archive / "media" / "dieci.wav", seconds=10)
    return project


def write(project: Project, items: dict[str, str]) -> None:
    for name, text in items.items():
        (project.items_dir / name).write_text(text, encoding="utf-8")


def lines_of(project: Project) -> list[str]:
    return [str(p) for p in run_checks(project).problems]


def test_a_valid_item_with_real_media_passes(project: Project) -> None:
    write(project, {"ok.yml": TEN_SECONDS + "poster_time: 9.5\n"})
    assert lines_of(project) == []


def test_every_time_past_the_end_of_the_media_is_reported(project: Project) -> None:
    text = TEN_SECONDS.replace('"00:05"', '"00:12"').replace(
        'redactions: [{start: 1.0, end: "00:02.5", reason: "nome"}]',
        "redactions: [{start: 2, end: 10.8, reason: fino alla fine},"
        " {start: 3, end: '01:40', reason: refuso}, {start: '00:10.5', end: 12, reason: dopo}]",
    )
    write(project, {"x.yml": text + "poster_time: '00:15'\n"})
    assert sorted(lines_of(project)) == sorted(
        [
            "archive/items/x.yml: 'chapters[1].start': 00:12 è oltre la fine della registrazione "
            "(durata 00:10); correggere il tempo",
            "archive/items/x.yml: 'poster_time': 00:15 è oltre la fine della registrazione "
            "(durata 00:10); scegliere un momento prima",
            "archive/items/x.yml: 'redactions[1].end': 01:40 è oltre la fine della registrazione "
            "(durata 00:10); correggere il tempo (per coprire fino alla fine: 00:10)",
            "archive/items/x.yml: 'redactions[2]': l'omissis 00:10.5–00:12 si sovrappone a "
            "redactions[1] (00:03–01:40); unirli in un solo omissis o correggere i tempi",
            "archive/items/x.yml: 'redactions[2].start': 00:10.5 è oltre la fine della "
            "registrazione (durata 00:10); correggere il tempo: l'omissis non copre nulla",
            "archive/items/x.yml: 'redactions[1]': l'omissis 00:03–01:40 si sovrappone a "
            "redactions[0] (00:02–00:10.8); unirli in un solo omissis o correggere i tempi",
        ]
    )


def test_unreadable_media_is_a_problem_of_its_media_key(project: Project) -> None:
    (project.archive / "media" / "rotto.mp4").write_bytes(b"non un video" * 100)
    write(
        project,
        {
            "rotto.yml": GOOD.replace("media/a.mp3", "media/rotto.mp4"),
            "ok.yml": TEN_SECONDS.replace('"00:05"', '"00:20"'),
        },
    )
    lines = lines_of(project)
    assert len(lines) == 2, lines
    assert lines[0].startswith("archive/items/ok.yml: 'chapters[1].start': 00:20 è oltre")
    assert lines[1].startswith(
        "archive/items/rotto.yml: 'media': file multimediale illeggibile o danneggiato"
    )
    assert lines[1].endswith("sostituirlo con una copia integra")
    assert str(project.root) not in lines[1]


def test_all_problems_of_all_kinds_come_in_one_run(project: Project) -> None:
    write(
        project,
        {
            "sintassi.yml": "title: [non chiusa\n",
            "schema.yml": TEN_SECONDS.replace('"00:05"', '"00:30"') + "colour: red\n",
            "senza-accesso.yml": TEN_SECONDS.replace("access: pubblico\n", ""),
            "sovrapposti.yml": TEN_SECONDS.replace(
                'redactions: [{start: 1.0, end: "00:02.5", reason: "nome"}]',
                "redactions: [{start: 1, end: 4, reason: a}, {start: 3, end: 5, reason: b}]",
            ),
            "bomba.yml": TEN_SECONDS + BILLION_LAUGHS,
            "controllo.yml": TEN_SECONDS.replace("Introduzione", '"Intro\\x07"'),
            "maiuscole.YML": TEN_SECONDS,
            "ok.yml": TEN_SECONDS,
        },
    )
    report = run_checks(project)
    keys = {(p.file.removeprefix("archive/items/"), p.key) for p in report.problems}
    assert keys == {
        ("sintassi.yml", None),
        ("schema.yml", "colour"),
        ("schema.yml", "chapters[1].start"),  # the media checked although the schema is wrong
        ("senza-accesso.yml", "access"),
        ("sovrapposti.yml", "redactions[1]"),
        ("bomba.yml", None),
        ("controllo.yml", "chapters[0].title"),
        ("maiuscole.YML", None),
    }, report.problems
    assert sorted(report.archive.items) == ["ok", "sovrapposti"]


def test_lgnet_check_refuses_a_billion_laughs_item_quickly_in_few_lines(project: Project) -> None:
    write(project, {"bomba.yml": BILLION_LAUGHS, "ok.yml": TEN_SECONDS})
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "lgnet.cli", "check", "--root", str(project.root)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert time.monotonic() - started < 20  # interpreter start-up included
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [
        "errore: archive/items/bomba.yml: YAML rifiutato (riga 5): il file, con i riferimenti "
        "'*' espansi, conta più di 50.000 valori (alias annidati, come nell'attacco 'billion "
        "laughs'); scrivere i valori per esteso senza '&' e '*'"
    ]


def test_near_miss_file_names_are_warnings_of_lgnet_check(project: Project) -> None:
    write(project, {"ok.yml": TEN_SECONDS, "ok2.yml.txt": TEN_SECONDS})
    report = run_checks(project)
    assert report.problems == []
    assert report.warnings == [
        "archive/items/ok2.yml.txt: non finisce con .yml e non viene letto; se è la scheda di una "
        "registrazione rinominarlo in ok2.yml, altrimenti spostarlo fuori da archive/items/"
    ]
