"""The /cerca/ page in Chromium: type, see highlighted passages, filter, click, land on the second.

The site here is a minimal MkDocs Material build of the real page (docs/cerca/index.md and its
script and style) with stand-in recording pages, plus the index published by `publish_search`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from lgnet.index import publish_search
from lgnet.pagesearch import publish_page_search
from tests.browser.conftest import StaticServer, serve_directory
from tests.browser.test_a11y import serious
from tests.test_index import PUBLIC_IDS, build, make_search_project

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
MKDOCS_YML = """\
site_name: Prova ricerca
use_directory_urls: true
theme:
  name: material
  custom_dir: overrides
  language: it
  font: false
plugins:
  - search:
      lang: it
markdown_extensions:
  - md_in_html
  - attr_list
"""

MODEL_PAGE = """\
# Il modello

## Sportelli unici

Uno sportello unico riunisce in un solo luogo servizi diversi.

## Abitare

Le soluzioni abitative temporanee.
"""


def build_site(root: Path) -> Path:
    """Index the test archive, build a small site around the real search page, publish."""
    project = make_search_project(root / "progetto")
    build(project, shards=4, passage_words=0)
    docs = root / "sito" / "docs"
    (docs / "cerca").mkdir(parents=True)
    (docs / "assets" / "lgnet").mkdir(parents=True)
    shutil.copy2(REPO / "docs" / "cerca" / "index.md", docs / "cerca" / "index.md")
    for name in ("cerca.js", "cerca.css"):
        shutil.copy2(REPO / "docs" / "assets" / "lgnet" / name, docs / "assets" / "lgnet" / name)
    (docs / "index.md").write_text("# Prova\n\n[Cerca](cerca/index.md)\n", "utf-8")
    (docs / "modello.md").write_text(MODEL_PAGE, "utf-8")
    # The site's header search box (a form for /cerca/), not the theme's own search.
    (root / "sito" / "overrides" / "partials").mkdir(parents=True)
    shutil.copy2(
        REPO / "overrides" / "partials" / "search.html",
        root / "sito" / "overrides" / "partials" / "search.html",
    )
    (docs / "archivio").mkdir()
    for item_id in PUBLIC_IDS:  # stand-ins for the recording pages
        (docs / "archivio" / f"{item_id}.md").write_text(f"# Registrazione {item_id}\n", "utf-8")
    (root / "sito" / "mkdocs.yml").write_text(MKDOCS_YML, "utf-8")
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--quiet", "--site-dir", "site"],
        cwd=root / "sito",
        check=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    site = root / "sito" / "site"
    publish_search(project, "pubblico", site)
    assert publish_page_search(site)
    return site


@pytest.fixture(scope="module")
def search_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StaticServer]:
    site = build_site(tmp_path_factory.mktemp("cerca"))
    server = serve_directory(site.parent)  # served under a sub-path: /site/
    yield server
    server.httpd.shutdown()


def open_search(new_page: Any, server: StaticServer, query: str = "") -> Any:
    recorded = new_page()
    page = recorded.page
    page.goto(f"{server.url}/site/cerca/{query}")
    page.wait_for_selector("#lgnet-cerca[data-pronto]")
    return recorded


def test_type_see_highlighted_results_click_and_land_at_the_second(
    new_page: Any, search_site: StaticServer
) -> None:
    recorded = open_search(new_page, search_site)
    page = recorded.page
    page.get_by_label("Parole da cercare").fill("sportello unico")
    page.keyboard.press("Enter")
    status = page.locator("#lgnet-cerca-stato")
    status.filter(has_text="3 passaggi in 3 registrazioni").wait_for()
    assert status.get_attribute("aria-live") == "polite"
    results = page.locator(".lgnet-risultato")
    assert results.count() == 3
    marks = page.locator(".lgnet-risultato mark").all_inner_texts()
    assert {m.lower() for m in marks} == {"sportello", "unico"}
    assert page.url.endswith("/site/cerca/?q=sportello+unico")
    assert page.locator("#lgnet-cerca-altri").is_hidden()  # all results are on the page
    palermo = page.get_by_role("link", name="00:04 Safe Space al Centro Penc")
    assert palermo.get_attribute("href").endswith("/site/archivio/palermo-safe-space/#t=4")
    palermo.click()
    page.wait_for_url("**/archivio/palermo-safe-space/#t=4")
    assert page.locator("h1").inner_text() == "Registrazione palermo-safe-space"
    assert recorded.console_errors == []
    assert all(urlsplit(u).netloc == urlsplit(search_site.url).netloc for u in recorded.requests)


def test_morphology_facets_and_shared_address(new_page: Any, search_site: StaticServer) -> None:
    page = open_search(new_page, search_site, "?q=abitativa&citta=bologna").page
    page.locator("#lgnet-cerca-stato").filter(has_text="per «abitativa» con i filtri").wait_for()
    assert page.get_by_label("Parole da cercare").input_value() == "abitativa"
    assert not page.locator("#__search").is_checked()  # the header's search stays closed
    page.wait_for_url("**/cerca/?q=abitativa&citta=bologna")
    assert page.get_by_role("checkbox", name="Bologna").is_checked()
    texts = page.locator(".lgnet-risultato__testo").all_inner_texts()
    assert any("soluzioni abitative" in t for t in texts)
    metas = page.locator(".lgnet-risultato__meta").all_inner_texts()
    assert {t.split(" · ")[0] for t in metas} == {"Bologna"}
    counts = page.locator("fieldset", has_text="Città").inner_text()
    assert "Palermo (1)" in counts and "Bologna (2)" in counts
    page.get_by_role("checkbox", name="Bologna").uncheck()
    page.locator("#lgnet-cerca-stato").filter(has_text="4 passaggi in 3 registrazioni").wait_for()
    assert page.url.endswith("/cerca/?q=abitativa")
    page.get_by_label("Parole da cercare").fill("di che")
    page.locator("#lgnet-cerca-stato").filter(has_text="troppo comuni").wait_for()
    page.get_by_label("Parole da cercare").fill("zanzibar")
    page.locator("#lgnet-cerca-stato").filter(has_text="Nessun risultato per «zanzibar»").wait_for()
    assert page.locator(".lgnet-risultato").count() == 0


def test_page_works_from_disk(new_page: Any, search_site: StaticServer) -> None:
    page = new_page().page
    page.goto((search_site.root / "site" / "cerca" / "index.html").as_uri() + "?q=sanitarie")
    page.locator("#lgnet-cerca-stato").filter(has_text="per «sanitarie»").wait_for()
    link = page.locator("#lgnet-cerca-risultati .lgnet-risultato__link").first.get_attribute("href")
    assert link.startswith("file://") and "/index.html#t=" in link


def test_results_and_facets_have_no_serious_accessibility_problem(
    new_page: Any, search_site: StaticServer
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    page = open_search(new_page, search_site, "?q=sportello&tipo=pillola").page
    page.locator("#lgnet-cerca-stato").filter(has_text="con i filtri scelti").wait_for()
    page.wait_for_timeout(300)  # Material's header finishes its transitions
    # Only the page's own content: the theme's chrome is fixed site-wide (test_a11y.py).
    problems = serious(Axe().run(page, context=".md-content"))
    assert not problems, "\n".join(problems)


def test_pages_of_the_site_are_found_too_and_results_come_first_on_a_phone(
    new_page: Any, search_site: StaticServer
) -> None:
    recorded = open_search(new_page, search_site, "?q=sportelli+unici")
    page = recorded.page
    page.set_viewport_size({"width": 360, "height": 740})
    page.locator("#lgnet-cerca-stato").filter(has_text="1 pagina del sito").wait_for()
    pages = page.locator("#lgnet-cerca-pagine")
    assert pages.get_by_role("heading", name="Nelle pagine del sito").is_visible()
    link = pages.get_by_role("link", name="Il modello › Sportelli unici")
    assert link.get_attribute("href").endswith("/site/modello/#sportelli-unici")
    assert [m.lower() for m in pages.locator("mark").all_inner_texts()] == ["sportello", "unico"]
    # On a phone the results come before the filters.
    first = page.locator(".lgnet-risultato").first.bounding_box()
    filters = page.locator("#lgnet-cerca-filtri").bounding_box()
    assert first is not None and filters is not None
    assert first["y"] < filters["y"]
    link.click()
    page.wait_for_url("**/modello/#sportelli-unici")
    assert recorded.console_errors == []
