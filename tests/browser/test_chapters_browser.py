"""Chapters in real Chromium: the index beside the transcript, seeking, the current chapter
following playback, the WebVTT chapters track (over http and from disk), and a search for a
chapter keyword landing on the chapter's start.

The recording is the demo site's video (tests.test_pages): chapters "Accoglienza" at 0 and
"Servizi" at 10 s, the second with a synopsis and keywords. Media play muted.
"""

from __future__ import annotations

from typing import Any
from urllib.request import urlopen

import pytest

from tests.browser.conftest import DemoSite, RecordedPage, RepositorySite
from tests.browser.test_a11y import serious
from tests.browser.test_offline import assert_only_local_requests, open_from_disk, site_dir
from tests.test_pages import PUBLIC_IDS, VIDEO_ID

pytestmark = pytest.mark.browser

MEDIA = "document.querySelector('[data-lgnet-media]')"
NAV = "document.querySelector('[data-lgnet-capitoli]')"
CURRENT = f"{NAV}.querySelector('a[aria-current=\"true\"]')"
NOW = "document.querySelector('[data-lgnet-capitolo-corrente-titolo]').textContent"
CHAPTERS_TRACK = f"Array.from({MEDIA}.textTracks).find(t => t.kind === 'chapters')"
SECOND = {"title": "Servizi", "start": 10.0}
KEYWORD = "orientamento"  # a keyword of "Servizi" said nowhere in the recording


def open_recording(new_page: Any, site: DemoSite, hash: str = "", **options: Any) -> Any:
    recorded: RecordedPage = new_page(**options)
    recorded.page.goto(site.page_url(f"archivio/{VIDEO_ID}/{hash}"))
    recorded.page.wait_for_function(f"{MEDIA}.readyState >= 1")
    recorded.page.evaluate(f"{MEDIA}.muted = true")
    return recorded.page


def current_title(page: Any) -> str | None:
    value: str | None = page.evaluate(
        f"{CURRENT} ? {CURRENT}.querySelector('.lgnet-capitolo__titolo').textContent : null"
    )
    return value


def layout(page: Any) -> list[list[float]]:
    """Where the chapter index, its rows and the transcript are (to prove nothing moves)."""
    boxes: list[list[float]] = page.evaluate(
        """() => Array.from(document.querySelectorAll(
            '[data-lgnet-capitoli], [data-lgnet-capitoli] li, .lgnet-trascrizione'))
            .map(e => { const r = e.getBoundingClientRect();
                        return [r.x, r.y + window.scrollY, r.width, r.height]; })"""
    )
    return boxes


def test_the_index_lists_chapters_with_synopsis_and_keywords(
    new_page: Any, demo_site: DemoSite
) -> None:
    page = open_recording(new_page, demo_site)
    nav = page.get_by_role("navigation", name="Capitoli (2)")
    assert nav.get_by_role("heading", level=2).inner_text().startswith("Capitoli")
    links = nav.get_by_role("link")
    assert links.count() == 2
    assert [links.nth(i).get_attribute("href") for i in range(2)] == ["#t=0", "#t=10"]
    assert links.nth(1).inner_text().split() == ["0:10", "Servizi"]
    rows = nav.locator("li")
    assert "Orientamento e accompagnamento verso la rete territoriale." in rows.nth(1).inner_text()
    assert "Parole chiave: orientamento, rete territoriale" in rows.nth(1).inner_text()
    # The index is beside the transcript on a wide screen...
    side = page.evaluate(
        f"""() => {{ const n = {NAV}.getBoundingClientRect(),
                t = document.querySelector('.lgnet-trascrizione').getBoundingClientRect();
                return n.right <= t.left + 1; }}"""
    )
    assert side
    # ...and above it on a phone.
    phone = open_recording(new_page, demo_site, viewport={"width": 360, "height": 740})
    above = phone.evaluate(
        f"""() => {{ const n = {NAV}.getBoundingClientRect(),
                t = document.querySelector('.lgnet-trascrizione').getBoundingClientRect();
                return n.bottom <= t.top + 1; }}"""
    )
    assert above


def test_clicking_a_chapter_seeks_and_the_current_one_follows_playback(
    new_page: Any, demo_site: DemoSite
) -> None:
    page = open_recording(new_page, demo_site)
    page.wait_for_function(f"{CURRENT} !== null")
    assert current_title(page) == "Accoglienza" and page.evaluate(NOW) == "Accoglienza"
    before = layout(page)
    page.get_by_role("link", name="0:10 Servizi").click()
    page.wait_for_function(f"{MEDIA}.currentTime >= {SECOND['start']} && !{MEDIA}.paused")
    page.evaluate(f"{MEDIA}.pause()")
    assert page.evaluate("location.hash") == "#t=10"
    page.wait_for_function(f"{NOW} === 'Servizi'")
    assert current_title(page) == "Servizi"
    assert page.locator("[data-lgnet-capitoli] [aria-current]").count() == 1
    assert page.locator("li.lgnet-capitolo--corrente").inner_text().startswith("0:10")
    # Seeking the media element moves the mark back and forth...
    page.evaluate(f"{MEDIA}.currentTime = 4.2")
    page.wait_for_function(f"{NOW} === 'Accoglienza'")
    assert current_title(page) == "Accoglienza"
    # ...and so does playing across a chapter's start.
    page.evaluate(f"() => {{ const m = {MEDIA}; m.currentTime = 9.2; return m.play(); }}")
    page.wait_for_function(f"{MEDIA}.currentTime > 10.3", timeout=15_000)
    page.wait_for_function(f"{NOW} === 'Servizi'")
    page.evaluate(f"{MEDIA}.pause()")
    assert current_title(page) == "Servizi"
    assert layout(page) == before  # colours change, nothing moves


def test_a_chapter_deep_link_and_the_keyboard(new_page: Any, demo_site: DemoSite) -> None:
    page = open_recording(new_page, demo_site, hash="#t=12")
    page.wait_for_function(f"Math.abs({MEDIA}.currentTime - 12) < 0.3")
    page.wait_for_function(f"{NOW} === 'Servizi'")
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.hasAttribute('data-lgnet-capitolo')"):
            break
    else:
        pytest.fail("nessun capitolo raggiungibile con il tasto Tab")
    assert page.evaluate("document.activeElement.dataset.start") == "0"
    page.keyboard.press("Enter")
    page.wait_for_function(f"{MEDIA}.currentTime < 1 && {NOW} === 'Accoglienza'")
    page.evaluate(f"{MEDIA}.pause()")


def test_the_chapters_track_is_present_and_loads_its_cues(
    new_page: Any, demo_site: DemoSite
) -> None:
    page = open_recording(new_page, demo_site)
    track = page.locator("[data-lgnet-media] > track[kind='chapters']")
    assert track.count() == 1
    assert track.get_attribute("srclang") == "it" and track.get_attribute("label") == "Capitoli"
    assert track.get_attribute("src").endswith(f"media/{VIDEO_ID}.capitoli.vtt")
    page.wait_for_function(f"{CHAPTERS_TRACK} && ({CHAPTERS_TRACK}.cues || []).length === 2")
    cues = page.evaluate(
        f"Array.from({CHAPTERS_TRACK}.cues).map(c => [c.startTime, c.endTime, c.text])"
    )
    duration = page.evaluate(f"{MEDIA}.duration")
    assert [c[2] for c in cues] == ["Accoglienza", "Servizi"]
    assert cues[0][:2] == [0, 10] and cues[1][0] == 10
    assert abs(cues[1][1] - duration) < 0.1
    assert page.evaluate(f"{CHAPTERS_TRACK}.mode") == "hidden"  # loaded, never drawn
    # The captions are still the first track, shown.
    assert page.evaluate(f"[{MEDIA}.textTracks[0].kind, {MEDIA}.textTracks[0].mode]") == [
        "captions",
        "showing",
    ]
    with urlopen(demo_site.page_url(f"media/{VIDEO_ID}.capitoli.vtt")) as response:
        assert response.read().decode("utf-8").startswith("WEBVTT")
    # Only published items with chapters have a chapters file (and its script for file://).
    media = site_dir(demo_site) / "media"
    tracks = {p.name.removesuffix(".capitoli.vtt") for p in media.glob("*.capitoli.vtt")}
    assert VIDEO_ID in tracks and tracks <= set(PUBLIC_IDS)
    assert all((media / f"{t}.capitoli.vtt.js").is_file() for t in tracks)


def test_the_chapters_track_loads_from_disk_too(new_page: Any, demo_site: DemoSite) -> None:
    recorded = open_from_disk(new_page, demo_site, f"archivio/{VIDEO_ID}/index.html")
    page = recorded.page
    page.wait_for_function(
        f"() => {{ const t = {CHAPTERS_TRACK}; return t && t.cues && t.cues.length === 2; }}",
        timeout=10_000,
    )
    assert page.evaluate(f"{CHAPTERS_TRACK}.mode") == "hidden"
    assert page.evaluate(f"Array.from({CHAPTERS_TRACK}.cues).map(c => c.text)") == [
        "Accoglienza",
        "Servizi",
    ]
    assert_only_local_requests(recorded)


def test_searching_a_chapter_keyword_lands_on_the_chapter(
    new_page: Any, demo_site: DemoSite
) -> None:
    recorded: RecordedPage = new_page()
    page = recorded.page
    page.goto(demo_site.page_url(f"cerca/?q={KEYWORD}"))
    hit = page.locator("li[data-lgnet-capitolo]").first
    hit.wait_for()
    assert "Capitolo: Servizi" in hit.inner_text()
    assert hit.locator("mark").first.inner_text().lower() == KEYWORD
    link = hit.get_by_role("link")
    assert link.get_attribute("href").endswith(f"archivio/{VIDEO_ID}/#t=10")
    link.click()
    page.wait_for_url(f"**/archivio/{VIDEO_ID}/#t=10")
    page.wait_for_function(f"{MEDIA}.readyState >= 1 && Math.abs({MEDIA}.currentTime - 10) < 0.3")
    page.wait_for_function(f"{NOW} === 'Servizi'")
    assert current_title(page) == "Servizi"
    assert not recorded.page_errors


def test_no_axe_violations_with_a_current_chapter(new_page: Any, demo_site: DemoSite) -> None:
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    # On a phone (test_a11y covers the wide page with a lit passage, hence a current chapter).
    page = open_recording(new_page, demo_site, hash="#t=11", viewport={"width": 360, "height": 740})
    page.wait_for_function(f"{NOW} === 'Servizi'")
    problems = serious(axe.run(page))
    assert not problems, "\n".join(problems)
    search = new_page().page
    search.goto(demo_site.page_url(f"cerca/?q={KEYWORD}"))
    search.locator("li[data-lgnet-capitolo]").first.wait_for()
    problems = serious(axe.run(search))
    assert not problems, "\n".join(problems)


# --- the demo workshop of the repository's archive ---------------------------------------------

WORKSHOP = "rete-workshop-dimostrativo"  # the demo workshop: chapters with synopses, keywords


def test_the_workshop_chapters_seek_follow_play_and_are_found(
    new_page: Any, repository_site: RepositorySite
) -> None:
    """On the repository's own demo workshop: every chapter listed, clicking one seeks there,
    the current chapter follows the media element, the chapters track loads one cue per
    chapter, and a search for a chapter's keyword lands on that chapter's start."""
    from lgnet.archive import load_archive

    chapters = load_archive(repository_site.project).items[WORKSHOP].chapters
    assert len(chapters) >= 3
    recorded: RecordedPage = new_page()
    page = recorded.page
    page.goto(repository_site.page_url(f"archivio/{WORKSHOP}/"))
    page.wait_for_function(f"{MEDIA}.readyState >= 1")
    page.evaluate(f"{MEDIA}.muted = true")
    links = page.locator("[data-lgnet-capitoli] a[data-lgnet-capitolo]")
    assert links.count() == len(chapters)
    titles = [
        links.nth(i).locator(".lgnet-capitolo__titolo").inner_text() for i in range(len(chapters))
    ]
    assert titles == [c.title for c in chapters]

    second = chapters[1]
    links.nth(1).click()
    page.wait_for_function(f"Math.abs({MEDIA}.currentTime - {second.start}) < 0.3")
    page.evaluate(f"{MEDIA}.pause()")
    page.wait_for_function(f"{NOW} === {second.title!r}")
    assert current_title(page) == second.title
    last = chapters[-1]
    page.evaluate(f"{MEDIA}.currentTime = {last.start + 0.5}")
    page.wait_for_function(f"{NOW} === {last.title!r}")
    assert current_title(page) == last.title

    track = page.locator("[data-lgnet-media] > track[kind='chapters']")
    assert track.get_attribute("label") == "Capitoli" and track.get_attribute("srclang") == "it"
    page.wait_for_function(
        f"{CHAPTERS_TRACK} && ({CHAPTERS_TRACK}.cues || []).length === {len(chapters)}"
    )
    starts = page.evaluate(f"Array.from({CHAPTERS_TRACK}.cues).map(c => c.startTime)")
    assert starts == pytest.approx([c.start for c in chapters], abs=0.001)

    # A keyword of a chapter after the first (its last one: the most specific, as the demo's
    # are written; else the longest word of its title) finds it and opens the player there.
    chosen = next((c for c in chapters[1:] if c.keywords), chapters[-1])
    word = chosen.keywords[-1] if chosen.keywords else max(chosen.title.split(), key=len)
    page.goto(repository_site.page_url(f"cerca/?q={word}"))
    hit = page.locator("li[data-lgnet-capitolo]", has_text=f"Capitolo: {chosen.title}").first
    hit.wait_for()
    href = hit.get_by_role("link").get_attribute("href")
    assert href.split("#t=")[0].endswith(f"archivio/{WORKSHOP}/")
    assert float(href.split("#t=")[1]) == pytest.approx(chosen.start, abs=0.05)
    hit.get_by_role("link").click()
    page.wait_for_function(
        f"{MEDIA}.readyState >= 1 && Math.abs({MEDIA}.currentTime - {chosen.start}) < 0.3"
    )
    page.wait_for_function(f"{NOW} === {chosen.title!r}")
    assert not recorded.page_errors
