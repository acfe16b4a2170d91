"""Shared fixtures: the repository, and throw-away copies of the project to break or build."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

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


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The test demo project (tests.test_pages.make_demo_project) built once per session into
    `<base>/progetto/site/`. Read-only: a test that changes files builds its own."""
    from tests.test_pages import build_demo_site

    base = tmp_path_factory.mktemp("sito-demo")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LGNET_CACHE_DIR", str(base / "cache"))
        build = build_demo_site(base / "progetto", base / "media")
    return build


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh working folder: where commands write their files by default."""
    monkeypatch.chdir(tmp_path)
    return tmp_path
