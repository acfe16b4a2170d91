"""Real-browser fixtures: Debian's Chromium driven by Playwright, and a static server on loopback.

Every request the page makes is recorded, so tests can assert nothing leaves the origin.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

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


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass
class StaticServer:
    root: Path
    url: str
    httpd: http.server.ThreadingHTTPServer = field(repr=False)


def serve_directory(root: Path) -> StaticServer:
    """Serve `root` on 127.0.0.1 with a free port; media needs HTTP range requests (supported)."""
    handler = functools.partial(_QuietHandler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return StaticServer(root=root, url=f"http://127.0.0.1:{httpd.server_address[1]}", httpd=httpd)


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


@pytest.fixture
def new_page(browser: Any) -> Iterator[Any]:
    """Factory: `new_page()` gives a fresh page whose requests and console errors are recorded."""
    contexts = []

    def make() -> RecordedPage:
        context = browser.new_context()
        contexts.append(context)
        page = context.new_page()
        recorded = RecordedPage(page=page, requests=[], console_errors=[])
        page.on("request", lambda r: recorded.requests.append(r.url))
        page.on(
            "console",
            lambda m: recorded.console_errors.append(m.text) if m.type == "error" else None,
        )
        return recorded

    yield make
    for context in contexts:
        context.close()
