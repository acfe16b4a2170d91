"""The bad-input corpus: what a tired operator or an attacker gives the `lgnet` command.

Each case in `tests/bad_input/cases.yml` changes a copy of the demo project (or passes bad
arguments), runs one command, and must get: exit code 1, one `errore:` line per problem that
names the file/key/item, no traceback, and nothing written in the project. The cases run
in process, on one copy that is restored after each case, so the whole corpus takes seconds.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from lgnet.cli import main
from lgnet.project import Project

from .conftest import copy_project

CASES_FILE = Path(__file__).resolve().parent / "bad_input" / "cases.yml"
ROOT = "{root}"
GENERATED = {("docs", "_generato"), ("docs", "archivio"), ("docs", "percorsi")}


@dataclass
class Case:
    id: str
    category: str
    run: list[str]
    expect: list[str]
    edits: list[dict[str, Any]] = field(default_factory=list)
    lines: int | None = None  # exact number of error lines, when the case has several problems


def load_cases() -> list[Case]:
    raw = yaml.safe_load(CASES_FILE.read_text(encoding="utf-8"))
    return [Case(**entry) for entry in raw]


CASES = load_cases()


def tree_state(root: Path) -> dict[str, tuple[int, int]]:
    """Size and modification time of every file in the project but the build's intermediates:
    the build cache (.build/, which holds the build lock) and the pages the build generates
    under docs/ (git-ignored, rewritten by every build). The user cache lives elsewhere."""
    state = {}
    for path in root.rglob("*"):
        parts = path.relative_to(root).parts
        if parts[0] == ".build" or parts[:2] in GENERATED:
            continue
        if path.is_file() or path.is_symlink():
            info = path.lstat()
            state[path.relative_to(root).as_posix()] = (info.st_size, info.st_mtime_ns)
    return state


def _item_yaml(path: Path) -> dict[str, Any]:
    return dict(yaml.safe_load(path.read_text(encoding="utf-8")))


def apply_edit(root: Path, edit: dict[str, Any]) -> None:
    """One change to the project copy (see cases.yml for the operations)."""
    op = edit["op"]
    path = root / edit["path"] if "path" in edit else root
    if op == "write":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(edit["text"], encoding=edit.get("encoding", "utf-8"))
    elif op == "write_bytes":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(bytes.fromhex(edit["hex"]) * int(edit.get("repeat", 1)))
    elif op == "append":
        with path.open("a", encoding="utf-8") as handle:
            handle.write(edit["text"])
    elif op == "replace":
        text = path.read_text(encoding="utf-8")
        assert edit["old"] in text, f"{path}: {edit['old']!r} not found"
        path.write_text(text.replace(edit["old"], edit["new"], 1), encoding="utf-8")
    elif op == "set":  # keys of a YAML mapping (null deletes)
        data = _item_yaml(path)
        for key, value in edit["keys"].items():
            if value is None:
                data.pop(key, None)
            else:
                data[key] = value
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    elif op == "delete":
        path.unlink()
    elif op == "truncate":
        data = path.read_bytes()
        path.write_bytes(data[: int(len(data) * float(edit["keep"]))])
    elif op == "copy":
        shutil.copyfile(root / edit["from"], path)
    elif op == "mkdir_with_file":
        path.mkdir(parents=True, exist_ok=True)
        (path / edit["file"]).write_text("lavoro di una persona\n", encoding="utf-8")
    elif op == "ffmpeg":
        subprocess.run(
            ["ffmpeg", "-v", "error", "-y", *edit["args"], str(path)], check=True, cwd=root
        )
    else:  # pragma: no cover - a typo in cases.yml
        raise AssertionError(f"unknown op {op}")


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Project, Path]]:
    base = tmp_path_factory.mktemp("bad")
    project = copy_project(base / "p")
    pristine = base / "pristine"
    shutil.copytree(project.root, pristine, symlinks=True)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LGNET_CACHE_DIR", str(base / "cache"))
        yield project, pristine


def restore(root: Path, pristine: Path) -> None:
    """Put the copy back as it was: changed files copied back (with their times), new removed."""
    current = tree_state(root)
    original = tree_state(pristine)
    for rel in current.keys() - original.keys():
        (root / rel).unlink()
    for rel in original:
        if current.get(rel) != original[rel]:
            shutil.copy2(pristine / rel, root / rel)
    for folder in sorted((p for p in root.rglob("*") if p.is_dir()), reverse=True):
        rel = folder.relative_to(root)
        if not (pristine / rel).is_dir() and not any(folder.iterdir()):
            folder.rmdir()


def test_the_corpus_is_large_and_varied() -> None:
    assert len(CASES) >= 80
    assert len({c.id for c in CASES}) == len(CASES)
    assert len({c.category for c in CASES}) >= 8


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(case: Case, workspace: tuple[Project, Path]) -> None:
    project, pristine = workspace
    root = project.root
    try:
        for edit in case.edits:
            apply_edit(root, edit)
        before = tree_state(root)
        args = [a.replace(ROOT, str(root)) for a in case.run]
        cwd = Path.cwd()
        os.chdir(root)
        try:
            result = CliRunner().invoke(main, [*args, "--root", str(root)], catch_exceptions=True)
        finally:
            os.chdir(cwd)
        err = result.stderr
        assert not isinstance(result.exception, Exception) or isinstance(
            result.exception, SystemExit
        ), f"uncaught {type(result.exception).__name__}: {result.exception}"
        assert result.exit_code == 1, (result.exit_code, result.output)
        assert "Traceback" not in result.output
        said = err.strip().splitlines()
        # warnings ("avviso: ...") may come along; everything else is one error per line
        assert all(line.startswith(("errore: ", "avviso: ")) for line in said), said
        lines = [line for line in said if line.startswith("errore: ")]
        assert lines, "no message"
        assert all(len(line) < 600 for line in lines), lines
        for needle in case.expect:
            assert any(needle in line for line in lines), (needle, lines)
        if case.lines is not None:
            assert len(lines) == case.lines, lines
        assert tree_state(root) == before, "the command wrote or changed files"
    finally:
        restore(root, pristine)
