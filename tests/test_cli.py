"""The CLI edge: help everywhere, errors as single lines with exit 1, commands documented."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
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
    assert result.exit_code == 1
    assert "tempo non valido" in result.output
    assert len(result.output.strip().splitlines()) == 1 and "Usage" not in result.output


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["build", "--audience", "tutti"], "valori ammessi: pubblico, operatori"),
        (["build", "--colore"], "opzione sconosciuta --colore"),
        (["clip"], "manca"),
        (["costruisci"], "comando sconosciuto"),
    ],
)
def test_usage_errors_are_one_italian_line(args: list[str], expected: str) -> None:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("errore: ") and expected in lines[0], lines


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


@pytest.mark.parametrize("command", ["clip", "pack"])
def test_writing_commands_offer_overwrite_and_the_guide_explains_it(command: str) -> None:
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0 and "--overwrite" in result.output
    assert "--overwrite" in (REPO / "docs" / "guida" / "ricerca.md").read_text()


def test_pack_into_the_project_root_is_one_line_not_a_traceback(project_copy: Project) -> None:
    before = sorted(p.name for p in project_copy.root.iterdir())
    proc = subprocess.run(
        [sys.executable, "-m", "lgnet.cli", "pack", "sportello-unico-e-abitare", "-o", "."],
        cwd=project_copy.root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert "è la cartella del progetto" in proc.stderr
    assert sorted(p.name for p in project_copy.root.iterdir()) == before


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 3 MB file system (tmpfs), so a full disk is a real ENOSPC from the kernel."""
    folder = tmp_path / "disco"
    folder.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip("mounting a small tmpfs needs root (CI runs as root)")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(folder: Path) -> None:
    with (folder / "riempitivo.bin").open("wb", buffering=0) as handle:
        try:
            while True:
                handle.write(b"\0" * 4096)
        except OSError:
            pass


@pytest.mark.slow
def test_a_full_disk_during_transcription_is_one_line_and_nothing_half_written(
    small_disk: Path,
) -> None:
    project = Project(small_disk / "p")
    (project.items_dir).mkdir(parents=True)
    (project.archive / "media").mkdir()
    shutil.copy2(REPO / "mkdocs.yml", project.root / "mkdocs.yml")
    shutil.copy2(REPO / "archive" / "cities.yml", project.cities_file)
    shutil.copy2(REPO / "archive" / "glossary.yml", project.glossary_file)
    shutil.copy2(REPO / "tests" / "data" / "fleurs_it_1521.wav", project.archive / "media")
    (project.items_dir / "prova.yml").write_text(
        "title: Prova\nkind: pillola\ncity: rete\ndate: 2024\naccess: pubblico\n"
        "media: media/fleurs_it_1521.wav\n",
        encoding="utf-8",
    )
    project.transcripts.mkdir()
    fill(small_disk)
    proc = subprocess.run(
        [sys.executable, "-m", "lgnet.cli", "transcribe", "--root", str(project.root)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.startswith("errore: ")]
    assert len(lines) == 1 and "disco pieno" in lines[0], proc.stderr
    # no half-written transcript: at most the marker that tells the next run to check
    assert [p.name for p in project.transcripts.iterdir()] in ([], [".prova.pending"])
    (small_disk / "riempitivo.bin").unlink()  # space freed: the same command finishes the job
    again = subprocess.run(
        [sys.executable, "-m", "lgnet.cli", "transcribe", "--root", str(project.root)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert again.returncode == 0, again.stderr
    names = sorted(p.name for p in project.transcripts.iterdir())
    assert names == ["prova.json", "prova.srt", "prova.txt", "prova.vtt"]
