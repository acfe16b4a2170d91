"""Accessibility: axe-core, in Chromium, on every page type: no violation of any impact."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import DemoSite
from tests.test_pages import AUDIO_ID, DEMO_PATH, VIDEO_ID

pytestmark = pytest.mark.browser

PAGES = [
    "",  # home
    "archivio/",  # catalogue
    f"archivio/{VIDEO_ID}/",  # recording (video)
    f"archivio/{AUDIO_ID}/",  # recording (audio)
    "citta/",  # network map
    "citta/palermo/",  # a city page
    "glossario/",
    "cerca/?q=abitativa",  # search page with a query
    "percorsi/",  # training paths
    f"percorsi/{DEMO_PATH}/",  # a training path
    "modello/",  # the operating model
    "modello/presa-in-carico/",  # an area page: the cities compared in a table
    "accessibilita/",  # the accessibility statement
    "guida/",  # the staff guide
]


@pytest.fixture(scope="module")
def axe() -> Any:
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


def serious(results: Any) -> list[str]:
    """Every violation, whatever its impact (minor and moderate ones too)."""
    out = []
    for violation in results.response["violations"]:
        targets = [" ".join(map(str, n["target"])) for n in violation["nodes"][:5]]
        out.append(f"{violation['id']} ({violation['impact']}): {violation['help']} -> {targets}")
    return out


@pytest.mark.parametrize("path", PAGES, ids=[p or "home" for p in PAGES])
def test_no_violations_of_any_impact(
    new_page: Any, demo_site: DemoSite, axe: Any, path: str
) -> None:
    page = new_page().page
    page.goto(demo_site.page_url(path))
    page.wait_for_load_state("load")
    page.wait_for_timeout(300)  # Material's header and tabs finish their transitions
    problems = serious(axe.run(page))
    assert not problems, "\n".join(problems)


PHONE_PAGES = ["", f"archivio/{VIDEO_ID}/", "citta/palermo/", "cerca/?q=abitativa"]


@pytest.mark.parametrize("path", PHONE_PAGES, ids=[p or "home" for p in PHONE_PAGES])
def test_no_violations_on_a_phone(new_page: Any, demo_site: DemoSite, axe: Any, path: str) -> None:
    """At 360 px the navigation lives in the drawer, with its sub-menus (named by sito.js)."""
    page = new_page().page
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(demo_site.page_url(path))
    page.wait_for_load_state("load")
    page.wait_for_timeout(300)
    problems = serious(axe.run(page))
    assert not problems, "\n".join(problems)


def test_recording_page_with_a_lit_passage_and_open_citation(
    new_page: Any, demo_site: DemoSite, axe: Any
) -> None:
    """The states that only exist after interaction: highlighted passage, citation box."""
    page = new_page().page
    page.goto(demo_site.page_url(f"archivio/{VIDEO_ID}/#t=12.6"))
    page.wait_for_selector("[data-lgnet-segmenti] a[aria-current]")
    page.get_by_role("button", name="Cita questo momento").click()
    page.get_by_label("Link a questo momento").wait_for()
    problems = serious(axe.run(page))
    assert not problems, "\n".join(problems)


def test_catalogue_with_no_result(new_page: Any, demo_site: DemoSite, axe: Any) -> None:
    page = new_page().page
    page.goto(demo_site.page_url("archivio/?anno=2024&citta=roma"))
    page.wait_for_selector("[data-lgnet-vuoto]:not([hidden])")
    problems = serious(axe.run(page))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    "path", ["archivio/", f"archivio/{VIDEO_ID}/#t=3", f"percorsi/{DEMO_PATH}/#estratto-2"]
)
def test_dark_scheme_too(new_page: Any, demo_site: DemoSite, axe: Any, path: str) -> None:
    page = new_page(color_scheme="dark").page
    page.goto(demo_site.page_url(path))
    page.wait_for_load_state("load")
    page.wait_for_timeout(300)
    assert page.evaluate("document.body.dataset.mdColorScheme") == "slate"
    problems = serious(axe.run(page))
    assert not problems, "\n".join(problems)
