"""The CLI edge: help everywhere, errors as single lines with exit 1, commands documented."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from lgnet.cli import main
from lgnet.project import Project

from .conftest import REPO

COMMANDS = sorted(main.commands)  # type: ignore[attr-defined]


def test_every_command_has_italian_help() -> None:
    runner = CliRunner()
    top = runner.invoke(main, ["--help"])
    assert top.exit_code == 0
    for name in COMMANDS:
        result = runner.invoke(main, [name, "--help"])
        assert result.exit_code == 0, name
        command = main.commands[name]  # type: ignore[attr-defined]
        assert command.help and len(command.help) > 20, name
        for param in command.params:
            if isinstance(param, click.Option) and param.name != "help":
                assert param.help, f"{name} {param.opts} has no help text"


@pytest.mark.parametrize("doc", ["README.md", "docs/guida/index.md"])
def test_every_command_is_documented(doc: str) -> None:
    text = "".join(p.read_text() for p in [REPO / doc, *(REPO / "docs/guida").glob("*.md")])
    missing = [name for name in COMMANDS if f"lgnet {name}" not in text]
    assert not missing, f"{doc} does not document: {missing}"


def test_check_reports_each_problem_on_one_line_without_traceback(tmp_path: Path) -> None:
    from .test_archive import GOOD, make_project

    project = make_project(tmp_path, {"a.yml": GOOD + "colour: x\n", "b.yml": "title: [\n"})
    proc = subprocess.run(
        [sys.executable, "-m", "lgnet.cli", "check", "--root", str(project.root)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert lines and all(line.startswith("errore: ") for line in lines)
    assert any("a.yml: 'colour': chiave sconosciuta" in line for line in lines)
    assert any("b.yml: YAML non valido" in line for line in lines)
    assert "Traceback" not in proc.stderr


def test_outside_a_project_says_where_to_go(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["check", "--root", str(tmp_path)])
    assert result.exit_code == 1
    assert "non è una cartella del progetto" in result.output


def test_bad_time_on_the_command_line_is_explained(repo: Project) -> None:
    result = CliRunner().invoke(main, ["clip", "x", "1:99", "2:00"])
    assert result.exit_code == 2
    assert "tempo non valido" in result.output


def test_build_refuses_a_site_url_that_is_no_web_address() -> None:
    result = CliRunner().invoke(main, ["build", "--site-url", "comune.example.it/lgnet"])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("errore: --site-url: indirizzo non valido")
    assert "Traceback" not in result.output


def test_build_passes_the_site_url_on(repo: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    import lgnet.build

    seen: dict[str, object] = {}

    class Done:
        def summary(self) -> str:
            return "fatto"

    def fake_run_build(project: Project, **options: object) -> Done:
        seen.update(options)
        return Done()

    monkeypatch.setattr(lgnet.build, "run_build", fake_run_build)
    args = ["build", "--no-transcribe", "--site-url", "https://www.comune.example.it/lgnet"]
    result = CliRunner().invoke(main, [*args, "--root", str(repo.root)])
    assert result.exit_code == 0, result.output
    assert seen["site_url"] == "https://www.comune.example.it/lgnet/"
    assert CliRunner().invoke(main, ["build", "--help"]).output.count("--site-url") == 1


def test_index_force_rebuilds_an_index_that_is_current(project_copy: Project) -> None:
    from lgnet.index import index_dir

    runner = CliRunner()
    args = ["index", "--root", str(project_copy.root)]
    assert runner.invoke(main, args).exit_code == 0
    folder = index_dir(project_copy, "pubblico")

    def stamps() -> dict[Path, int]:
        return {p: p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}

    before = stamps()
    assert before and runner.invoke(main, args).exit_code == 0
    assert stamps() == before  # current: kept as it is
    result = runner.invoke(main, [*args, "--force"])
    assert result.exit_code == 0 and "Indice di ricerca" in result.output
    assert stamps() != before
