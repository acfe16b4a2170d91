"""The catalogue (/archivio/) in real Chromium: filters that work without a server."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import DemoSite
from tests.test_pages import AUDIO_ID, PUBLIC_IDS, VIDEO_ID, XSS_ID

pytestmark = pytest.mark.browser


def visible_ids(page: Any) -> set[str]:
    hrefs: list[str] = page.evaluate(
        """Array.from(document.querySelectorAll('.lgnet-scheda'))
            .filter(li => !li.hidden)
            .map(li => li.querySelector('a').getAttribute('href'))"""
    )
    return {h.strip("/").split("/")[-1] for h in hrefs}


def open_catalogue(new_page: Any, site: DemoSite, query: str = "") -> Any:
    page = new_page().page
    page.goto(site.page_url(f"archivio/{query}"))
    page.wait_for_selector("[data-lgnet-filtri][data-pronto]")
    return page


def test_every_recording_is_listed_with_its_details(new_page: Any, demo_site: DemoSite) -> None:
    page = open_catalogue(new_page, demo_site)
    assert visible_ids(page) == set(PUBLIC_IDS)
    card = page.locator(".lgnet-scheda", has=page.locator(f'a[href="{VIDEO_ID}/"]'))
    text = card.inner_text()
    assert "Testimonianza" in text and "Palermo" in text and "2023" in text and "0:20" in text
    assert card.locator("img").get_attribute("src") == f"../media/{VIDEO_ID}-320.jpg"
    assert (
        page.evaluate(
            f"document.querySelector('img[src=\"../media/{VIDEO_ID}-320.jpg\"]').naturalWidth"
        )
        > 0
    )


def test_filters_by_city_kind_area_and_year(new_page: Any, demo_site: DemoSite) -> None:
    page = open_catalogue(new_page, demo_site)
    status = page.locator("[data-lgnet-conteggio]")
    page.get_by_role("combobox", name="Città").select_option("roma")
    assert visible_ids(page) == {AUDIO_ID}
    assert status.inner_text() == "1 registrazione su 3"
    page.get_by_role("combobox", name="Città").select_option("")
    page.get_by_role("combobox", name="Tipo").select_option("testimonianza")
    assert visible_ids(page) == {VIDEO_ID}
    page.get_by_role("combobox", name="Tipo").select_option("")
    page.get_by_role("combobox", name="Ambito").select_option("abitare")
    assert visible_ids(page) == {AUDIO_ID, XSS_ID}
    page.get_by_role("combobox", name="Anno").select_option("2024")
    assert visible_ids(page) == {XSS_ID}
    page.get_by_role("combobox", name="Città").select_option("roma")
    assert visible_ids(page) == set()
    assert page.locator("[data-lgnet-vuoto]").is_visible()
    page.get_by_role("button", name="Azzera i filtri").click()
    page.wait_for_function(
        "document.querySelector('[data-lgnet-conteggio]').textContent === '3 registrazioni'"
    )
    assert visible_ids(page) == set(PUBLIC_IDS)


def test_words_of_the_title_filter_as_you_type(new_page: Any, demo_site: DemoSite) -> None:
    page = open_catalogue(new_page, demo_site)
    page.get_by_label("Parole nel titolo").fill("ABITARE")
    page.wait_for_function(
        "document.querySelector('[data-lgnet-conteggio]').textContent.startsWith('1 ')"
    )
    assert visible_ids(page) == {AUDIO_ID}


def test_filters_are_kept_in_the_address(new_page: Any, demo_site: DemoSite) -> None:
    page = open_catalogue(new_page, demo_site, "?citta=palermo")
    assert page.get_by_role("combobox", name="Città").input_value() == "palermo"
    assert visible_ids(page) == {VIDEO_ID}
    page.get_by_role("combobox", name="Anno").select_option("2023")
    assert "citta=palermo" in page.url and "anno=2023" in page.url
    shared = open_catalogue(new_page, demo_site, "?anno=2022")
    assert visible_ids(shared) == {AUDIO_ID}
