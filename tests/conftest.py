"""Shared fixtures: the repository, and throw-away copies of the project to break or build."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from lgnet.project import Project

REPO = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def repo() -> Project:
    return Project(REPO)


def copy_project(dest: Path, *, with_media: bool = True) -> Project:
    """A copy of the project's sources (not site/, .venv/ or caches) under `dest`."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("archive", "docs", "transcripts", "overrides"):
        src = REPO / name
        if src.exists():
            ignore = shutil.ignore_patterns("_generato", ".backup", ".tmp-*")
            if name == "archive" and not with_media:
                ignore = shutil.ignore_patterns("media")
            shutil.copytree(src, dest / name, ignore=ignore, dirs_exist_ok=True)
    for name in ("mkdocs.yml",):
        if (REPO / name).exists():
            shutil.copy2(REPO / name, dest / name)
    (dest / "archive" / "items").mkdir(parents=True, exist_ok=True)
    return Project(dest)


@pytest.fixture
def project_copy(tmp_path: Path) -> Project:
    return copy_project(tmp_path / "project")
