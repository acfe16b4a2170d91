"""The institutional frame (overrides/): slim bar, footer with funding and legal links, skip
link first, Titillium Web served by the site itself, nothing from another origin."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import StaticServer, serve_directory

REPO = Path(__file__).resolve().parents[2]
PAGES = [
    "",
    "citta/palermo/",
    "archivio/",
    "archivio/palermo-safe-space/",
    "cerca/",
    "accessibilita/",
    "privacy/",
    "note-legali/",
    "crediti/",
]
LEGAL = ["accessibilita/", "privacy/", "note-legali/", "crediti/"]

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def look_site(demo_build: Any) -> Iterator[StaticServer]:
    project = demo_build.project  # overrides/ included
    server = serve_directory(project.site)
    yield server
    server.httpd.shutdown()


@pytest.mark.parametrize("path", PAGES)
def test_frame_on_every_page_type(new_page: Any, look_site: StaticServer, path: str) -> None:
    rec = new_page()
    page = rec.page
    page.goto(f"{look_site.url}/{path}")
    bar = page.locator(".lgnet-testata").inner_text()
    assert "LGNet" in bar and "Ministero dell’Interno" in bar and "ANCI" in bar
    assert "Cittalia" in bar
    footer = page.locator("footer .lgnet-piede").inner_text()
    assert "«finanziato con le risorse europee del Fondo FAMI 2014-2020»" in footer
    links = page.locator(".lgnet-piede__legale a")
    assert links.count() == 4
    for i, target in enumerate(LEGAL):
        href = links.nth(i).evaluate("a => a.href")  # resolved: on its own page it is "./"
        assert href == f"{look_site.url}/{target}", href
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className").startswith("lgnet-salta")
    assert page.locator(".lgnet-salta").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "lgnet-contenuto"
    assert page.evaluate("getComputedStyle(document.body).fontFamily").startswith('"Titillium Web"')
    page.wait_for_function("document.fonts.status === 'loaded'")
    assert page.evaluate("document.fonts.check('16px \"Titillium Web\"')")
    fonts = [u for u in rec.requests if u.endswith(".woff2")]
    assert fonts and all(u.startswith(look_site.url + "/assets/fonts/") for u in fonts)
    elsewhere = [u for u in rec.requests if not u.startswith((look_site.url, "data:"))]
    assert not elsewhere
    assert not rec.failed


def test_legal_pages_have_no_sidebar_and_link_back(new_page: Any, look_site: StaticServer) -> None:
    page = new_page(viewport={"width": 1280, "height": 800}).page
    page.goto(f"{look_site.url}/accessibilita/")
    assert page.locator("h1").inner_text().startswith("Dichiarazione di accessibilità")
    for heading in (
        "Stato di conformità",
        "Contenuti non accessibili",
        "Redazione della dichiarazione di accessibilità",
        "Meccanismo di feedback e recapiti",
        "Procedura di attuazione",
    ):
        assert page.locator("h2", has_text=heading).count() == 1
    assert not page.locator(".md-sidebar--primary").is_visible()
