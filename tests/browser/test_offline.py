"""The site opened from disk (file://, as from a USB stick): every page reachable by clicking.

With `use_directory_urls` the site's links end in "/", which a browser shows on disk as a
folder listing; sito.js points them at the folder's index.html. These tests click through the
built demo site opened from its folder, and check nothing is fetched from anywhere else.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import DemoSite, RecordedPage
from tests.test_pages import SEGMENT_TEXTS, VIDEO_ID

pytestmark = pytest.mark.browser

VIDEO_TITLE = "Safe Space al Centro Penc"


def site_dir(site: DemoSite) -> Path:
    path: Path = site.build.project.site
    return path


def open_from_disk(new_page: Any, site: DemoSite, rel: str = "index.html") -> RecordedPage:
    recorded: RecordedPage = new_page()
    recorded.page.goto((site_dir(site) / rel).as_uri())
    return recorded


def assert_on_page(page: Any, site: DemoSite, rel: str, heading: str) -> None:
    """The browser shows the page `rel` of the site (not a folder listing) titled `heading`."""
    page.wait_for_url((site_dir(site) / rel).as_uri() + "*")
    assert not page.title().startswith("Index of"), page.url
    shown = page.locator(".md-content h1").first.inner_text()
    assert shown.strip().removesuffix("¶").strip() == heading  # ¶: the heading's permalink
    assert page.title().endswith("LGNet Archivio")


def assert_only_local_requests(recorded: RecordedPage) -> None:
    elsewhere = [u for u in recorded.requests if urlsplit(u).scheme not in ("file", "data", "blob")]
    assert not elsewhere, elsewhere
    assert not recorded.page_errors, recorded.page_errors


def test_click_through_the_site_from_disk(new_page: Any, demo_site: DemoSite) -> None:
    recorded = open_from_disk(new_page, demo_site)
    page = recorded.page
    assert_on_page(page, demo_site, "index.html", "LGNet Archivio")
    # Rewritten as soon as the page is there, so "open in a new tab" lands on the page too.
    tab = page.locator(".md-tabs__link", has_text="Archivio")
    assert tab.get_attribute("href") == (site_dir(demo_site) / "archivio" / "index.html").as_uri()

    tab.click()
    assert_on_page(page, demo_site, "archivio/index.html", "Archivio delle registrazioni")
    page.wait_for_selector("[data-lgnet-filtri][data-pronto]")

    page.locator(".lgnet-scheda").get_by_role("link", name=VIDEO_TITLE).click()
    assert_on_page(page, demo_site, f"archivio/{VIDEO_ID}/index.html", VIDEO_TITLE)
    page.locator("[data-lgnet-segmenti]").get_by_text(SEGMENT_TEXTS[1]).wait_for()

    page.locator(".md-content").get_by_role("link", name="Palermo", exact=True).first.click()
    assert_on_page(page, demo_site, "citta/palermo/index.html", "Palermo")

    page.locator(".md-content").locator(f'a[href*="/archivio/{VIDEO_ID}/index.html"]').first.click()
    assert_on_page(page, demo_site, f"archivio/{VIDEO_ID}/index.html", VIDEO_TITLE)
    assert_only_local_requests(recorded)


def test_links_added_later_keep_query_and_moment(new_page: Any, demo_site: DemoSite) -> None:
    recorded = open_from_disk(new_page, demo_site, "archivio/index.html")
    page = recorded.page
    page.wait_for_selector("[data-lgnet-filtri][data-pronto]")
    added = page.evaluate(
        """() => {
            const a = document.createElement('a');
            a.id = 'aggiunto';
            a.href = '../citta/palermo/?da=archivio#chi-partecipa';
            a.textContent = 'Palermo';
            document.querySelector('.md-content').append(a);
            return a.id;
        }"""
    )
    palermo = (site_dir(demo_site) / "citta" / "palermo" / "index.html").as_uri()
    page.wait_for_function(
        f"document.getElementById('{added}').getAttribute('href').includes('index.html')"
    )
    assert page.get_attribute("#aggiunto", "href") == palermo + "?da=archivio#chi-partecipa"

    # Clicked before anything else could see it: the click itself is fixed on the way.
    with page.expect_navigation():
        page.evaluate(
            f"""() => {{
                const a = document.createElement('a');
                a.href = '{VIDEO_ID}/#t=12.5';
                document.querySelector('.md-content').append(a);
                a.click();
            }}"""
        )
    assert_on_page(page, demo_site, f"archivio/{VIDEO_ID}/index.html", VIDEO_TITLE)
    assert page.url.endswith(f"/archivio/{VIDEO_ID}/index.html#t=12.5")
    page.wait_for_function(
        "document.querySelector('[data-lgnet-segmenti] a[aria-current]')?.dataset.start === '12.5'"
    )
    assert_only_local_requests(recorded)


def test_search_box_leads_to_the_search_page_from_disk(new_page: Any, demo_site: DemoSite) -> None:
    recorded = open_from_disk(new_page, demo_site, "citta/index.html")
    page = recorded.page
    box = page.locator(".md-search__input")
    box.click()
    box.fill("sanitari")
    box.press("Enter")
    page.wait_for_url("**/cerca/index.html?q=sanitari")
    page.locator("#lgnet-cerca-stato").filter(has_text="per «sanitari»").wait_for()
    link = page.locator("#lgnet-cerca-risultati .lgnet-risultato__link").first.get_attribute("href")
    recording = (site_dir(demo_site) / "archivio" / VIDEO_ID / "index.html").as_uri()
    assert link.startswith(recording + "#t=")
    assert_only_local_requests(recorded)


def test_nothing_changes_over_http(new_page: Any, demo_site: DemoSite) -> None:
    recorded = new_page()
    page = recorded.page
    page.goto(demo_site.url)
    page.wait_for_load_state("load")
    assert page.locator(".md-tabs__link", has_text="Archivio").get_attribute("href") == "archivio/"
    assert page.locator(".md-search__input").get_attribute("placeholder") == "Cerca"
    # No page loads a search index before someone searches (the theme's would, everywhere).
    assert not [u for u in recorded.requests if "search" in u or "/cerca/" in u], recorded.requests


def test_the_header_search_is_the_same_online(new_page: Any, demo_site: DemoSite) -> None:
    recorded = new_page()
    page = recorded.page
    page.goto(demo_site.page_url("citta/"))
    box = page.locator(".md-search__input")
    box.click()
    box.fill("sanitari")
    box.press("Enter")
    page.wait_for_url("**/cerca/?q=sanitari")
    page.locator("#lgnet-cerca-stato").filter(has_text="per «sanitari»").wait_for()
    assert (
        page.locator("#lgnet-cerca-risultati .lgnet-risultato__link")
        .first.get_attribute("href")
        .startswith(demo_site.page_url(f"archivio/{VIDEO_ID}/#t="))
    )
    # The site's pages are found there too: the glossary explains its terms.
    page.get_by_label("Parole da cercare").fill("glossario")
    pages = page.locator("#lgnet-cerca-pagine")
    pages.get_by_role("heading", name="Nelle pagine del sito").wait_for()
    assert pages.get_by_role("link").count() >= 1
    assert not recorded.page_errors


def test_captions_show_from_disk_too(new_page: Any, demo_site: DemoSite) -> None:
    """A <track> cannot load from file://: its cues come from media/<id>.vtt.js instead."""
    recorded = open_from_disk(new_page, demo_site, f"archivio/{VIDEO_ID}/index.html")
    page = recorded.page
    page.wait_for_function(
        "() => { const v = document.querySelector('video[data-lgnet-media]');"
        " return v && Array.from(v.textTracks).some(t => t.cues && t.cues.length > 0"
        " && t.mode === 'showing'); }",
        timeout=10_000,
    )
    first = page.evaluate(
        "() => { const v = document.querySelector('video[data-lgnet-media]');"
        " const t = Array.from(v.textTracks).find(t => t.kind === 'captions' && t.cues);"
        " return t.cues[0].text; }"
    )
    vtt = (site_dir(demo_site) / "media" / f"{VIDEO_ID}.vtt").read_text(encoding="utf-8")
    assert first.split("\n")[0].split(">")[-1].strip() in vtt
    assert_only_local_requests(recorded)
