"""Real-browser fixtures: Debian's Chromium driven by Playwright, and a static server on loopback.

Every request the page makes is recorded, so tests can assert nothing leaves the origin.
"""

from __future__ import annotations

import http.server
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from lgnet.serve import serve_in_background

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


@dataclass
class StaticServer:
    root: Path
    url: str
    httpd: http.server.ThreadingHTTPServer = field(repr=False)


def serve_directory(root: Path) -> StaticServer:
    """Serve `root` on 127.0.0.1 with a free port; media needs HTTP range requests (supported)."""
    url, httpd = serve_in_background(root)
    return StaticServer(root=root, url=url, httpd=httpd)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    path = chromium_path()
    if path is None:
        pytest.fail("Chromium non trovato: eseguire 'make setup' (installa il pacchetto chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield b
        b.close()


@dataclass
class RecordedPage:
    page: Any
    requests: list[str]
    console_errors: list[str]
    failed: list[str] = field(default_factory=list)  # responses with status >= 400
    page_errors: list[str] = field(default_factory=list)  # uncaught exceptions


@pytest.fixture
def new_page(browser: Any) -> Iterator[Any]:
    """Factory: `new_page()` gives a fresh page whose requests and console errors are recorded.

    Keyword arguments go to `browser.new_context` (for example `viewport=...`).
    """
    contexts = []

    def make(**context_options: Any) -> RecordedPage:
        context = browser.new_context(**context_options)
        contexts.append(context)
        page = context.new_page()
        recorded = RecordedPage(page=page, requests=[], console_errors=[])
        page.on("request", lambda r: recorded.requests.append(r.url))
        page.on(
            "console",
            lambda m: recorded.console_errors.append(m.text) if m.type == "error" else None,
        )
        page.on(
            "response",
            lambda r: recorded.failed.append(f"{r.status} {r.url}") if r.status >= 400 else None,
        )
        page.on("pageerror", lambda e: recorded.page_errors.append(str(e)))
        return recorded

    yield make
    for context in contexts:
        context.close()


# --- the demo site (see tests/test_pages.py) ---------------------------------------------------


@dataclass
class DemoSite:
    build: Any  # tests.test_pages.DemoBuild
    url: str  # the site's home, served under a sub-path
    server: StaticServer

    def page_url(self, path: str) -> str:
        return self.url + path


@pytest.fixture(scope="session")
def demo_site(demo_build: Any) -> Iterator[DemoSite]:
    """The demo project built once, served from a sub-path (/progetto/site/) as it may be online."""
    build = demo_build
    base = build.project.root.parent
    server = serve_directory(base)
    yield DemoSite(build=build, url=f"{server.url}/progetto/site/", server=server)
    server.httpd.shutdown()


# --- the repository's own archive, built once (training paths, the demo workshop) -------------


@dataclass
class RepositorySite:
    project: Any  # lgnet.project.Project: a copy of this repository, built
    url: str  # the site's home, served under a sub-path
    server: StaticServer

    def page_url(self, path: str) -> str:
        return self.url + path


@pytest.fixture(scope="session")
def repository_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RepositorySite]:
    """The repository's archive built by `lgnet build` (no transcription: the transcripts are
    committed) once per session, served from a sub-path (/progetto/site/)."""
    from lgnet.build import run_build
    from tests.conftest import copy_project

    base = tmp_path_factory.mktemp("sito-archivio")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LGNET_CACHE_DIR", str(base / "cache"))
        project = copy_project(base / "progetto")
        run_build(project, transcribe=False)
    server = serve_directory(base)
    yield RepositorySite(project, f"{server.url}/progetto/site/", server)
    server.httpd.shutdown()
