"""A recording page in real Chromium: playback, the interactive transcript, deep links, safety.

Debian's Chromium plays H.264/AAC, so these tests really play the demo video (muted).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import DemoSite, RecordedPage
from tests.test_pages import AUDIO_ID, PAYLOAD, VIDEO_ID, XSS_ID

pytestmark = pytest.mark.browser

CURRENT = "document.querySelector('[data-lgnet-segmenti] a[aria-current]')"
MEDIA = "document.querySelector('[data-lgnet-media]')"


def open_recording(
    new_page: Any, site: DemoSite, item_id: str = VIDEO_ID, hash: str = "", **options: Any
) -> RecordedPage:
    recorded: RecordedPage = new_page(**options)
    recorded.page.goto(site.page_url(f"archivio/{item_id}/{hash}"))
    recorded.page.wait_for_function(f"{MEDIA}.readyState >= 1")
    return recorded


def current_start(page: Any) -> str | None:
    value: str | None = page.evaluate(f"{CURRENT} ? {CURRENT}.dataset.start : null")
    return value


def seek(page: Any, seconds: float) -> None:
    page.evaluate(f"{MEDIA}.currentTime = {seconds}")


def test_playing_moves_the_highlight_with_current_time(new_page: Any, demo_site: DemoSite) -> None:
    page = open_recording(new_page, demo_site).page
    page.evaluate(f"() => {{ const m = {MEDIA}; m.muted = true; return m.play(); }}")
    # Really playing: time advances and the lit passage is the one being heard.
    page.wait_for_function(
        f"""() => {{
            const m = {MEDIA}, a = {CURRENT};
            return m.currentTime > 2.7 && a && +a.dataset.start <= m.currentTime + 0.05
                && m.currentTime < +a.dataset.end + 0.5;
        }}""",
        timeout=15000,
    )
    page.evaluate(f"{MEDIA}.pause()")
    seek(page, 12.6)
    page.wait_for_function(f"{CURRENT} && {CURRENT}.dataset.start === '12.5'")
    assert page.locator("[data-lgnet-segmenti] a[aria-current]").count() == 1
    seek(page, 0.4)
    page.wait_for_function(f"{CURRENT} && {CURRENT}.dataset.start === '0'")


def test_deep_link_seeks_on_load(new_page: Any, demo_site: DemoSite) -> None:
    page = open_recording(new_page, demo_site, hash="#t=10.5").page
    page.wait_for_function(f"Math.abs({MEDIA}.currentTime - 10.5) < 0.3")
    page.wait_for_function(f"{CURRENT} && {CURRENT}.dataset.start === '10'")
    # and later changes of the address seek too
    page.evaluate("location.hash = '#t=0:15'")
    page.wait_for_function(f"Math.abs({MEDIA}.currentTime - 15) < 0.3")
    page.wait_for_function(f"{CURRENT} && {CURRENT}.dataset.start === '15'")


def test_clicking_a_passage_seeks_and_plays(new_page: Any, demo_site: DemoSite) -> None:
    page = open_recording(new_page, demo_site).page
    page.evaluate(f"{MEDIA}.muted = true")
    page.click('[data-lgnet-segmenti] a[data-start="7.5"]')
    page.wait_for_function(f"{MEDIA}.currentTime >= 7.5 && !{MEDIA}.paused")
    assert current_start(page) in ("7.5", "10")
    assert page.evaluate("location.hash") == "#t=7.5"
    page.evaluate(f"{MEDIA}.pause()")


def test_keyboard_alone_reaches_and_activates_a_passage(new_page: Any, demo_site: DemoSite) -> None:
    page = open_recording(new_page, demo_site).page
    page.evaluate(f"{MEDIA}.muted = true")
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('[data-lgnet-segmenti]') !== null"):
            break
    else:
        pytest.fail("nessun passaggio della trascrizione raggiungibile con il tasto Tab")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.dataset.start")
    page.keyboard.press("Enter")
    page.wait_for_function(f"{MEDIA}.currentTime >= {focused}")
    page.evaluate(f"{MEDIA}.pause()")


def test_chapters_seek(new_page: Any, demo_site: DemoSite) -> None:
    page = open_recording(new_page, demo_site).page
    page.evaluate(f"{MEDIA}.muted = true")
    page.locator(".lgnet-capitoli a", has_text="Servizi").click()
    page.wait_for_function(f"{MEDIA}.currentTime >= 10")
    page.evaluate(f"{MEDIA}.pause()")


def test_captions_are_on_by_default_for_video(new_page: Any, demo_site: DemoSite) -> None:
    page = open_recording(new_page, demo_site).page
    page.wait_for_function(
        f"{MEDIA}.textTracks.length >= 1 && ({MEDIA}.textTracks[0].cues || []).length === 8"
    )
    track = page.evaluate(
        f"(() => {{ const t = {MEDIA}.textTracks[0]; return [t.kind, t.language, t.mode]; }})()"
    )
    assert track == ["captions", "it", "showing"]


def test_audio_recording_has_player_and_transcript(new_page: Any, demo_site: DemoSite) -> None:
    page = open_recording(new_page, demo_site, AUDIO_ID).page
    assert page.evaluate(f"{MEDIA}.tagName") == "AUDIO"
    seek(page, 12)
    page.wait_for_function(f"{CURRENT} && {CURRENT}.dataset.start === '10'")


def test_follow_keeps_passage_in_view_without_stealing_scroll(
    new_page: Any, demo_site: DemoSite
) -> None:
    page = open_recording(new_page, demo_site, viewport={"width": 390, "height": 640}).page
    box = "document.querySelector('[data-lgnet-segmenti]')"
    assert page.evaluate(f"{box}.scrollHeight > {box}.clientHeight"), (
        "la trascrizione deve scorrere"
    )
    page_scroll = page.evaluate("window.scrollY")
    seek(page, 17.6)
    page.wait_for_function(f"{CURRENT} && {CURRENT}.dataset.start === '17.5'")
    page.wait_for_function(f"{box}.scrollTop > 0")  # followed inside the transcript box...
    assert page.evaluate("window.scrollY") == page_scroll  # ...never by moving the page
    # The reader scrolls the transcript back to the top: playback must not pull it away.
    page.locator("[data-lgnet-segmenti]").hover()
    page.mouse.wheel(0, -2000)
    page.wait_for_function(f"{box}.scrollTop === 0")
    seek(page, 0.2)
    page.wait_for_function(f"{CURRENT}.dataset.start === '0'")
    seek(page, 17.6)
    page.wait_for_function(f"{CURRENT}.dataset.start === '17.5'")
    page.wait_for_timeout(600)
    assert page.evaluate(f"{box}.scrollTop") == 0


def test_cite_this_moment(new_page: Any, demo_site: DemoSite) -> None:
    page = open_recording(new_page, demo_site).page
    seek(page, 12.6)
    page.wait_for_function(f"{CURRENT} && {CURRENT}.dataset.start === '12.5'")
    page.get_by_role("button", name="Cita questo momento").click()
    link = page.get_by_label("Link a questo momento")
    link.wait_for()
    value = link.input_value()
    assert value.startswith(demo_site.page_url(f"archivio/{VIDEO_ID}/")) and value.endswith(
        "#t=12.6"
    )
    page.wait_for_function(
        "document.querySelector('[data-lgnet-cita-stato]').textContent.includes('0:12')"
    )
    assert (
        "«Safe Space al Centro Penc», Palermo, 3 novembre 2023, al minuto 0:12"
        in page.inner_text("[data-lgnet-cita-testo]")
    )


def test_print_shows_the_whole_transcript(new_page: Any, demo_site: DemoSite) -> None:
    page = open_recording(new_page, demo_site).page
    page.emulate_media(media="print")
    assert page.evaluate(f"getComputedStyle({MEDIA}).display") == "none"
    assert (
        page.evaluate("getComputedStyle(document.querySelector('[data-lgnet-segmenti]')).maxHeight")
        == "none"
    )


def test_injected_script_never_runs(new_page: Any, demo_site: DemoSite) -> None:
    recorded = open_recording(new_page, demo_site, XSS_ID)
    page = recorded.page
    heading = page.inner_text("h1")
    assert PAYLOAD in heading  # shown as text
    page.evaluate(f"{MEDIA}.muted = true")
    page.click("[data-lgnet-segmenti] a >> nth=0")
    page.wait_for_timeout(300)
    page.evaluate(f"{MEDIA}.pause()")
    assert PAYLOAD in page.inner_text("[data-lgnet-segmenti]")
    for path in ("archivio/", "citta/napoli/", "modello/abitare/", "citta/"):
        page.goto(demo_site.page_url(path))
        page.wait_for_load_state("load")
        assert page.evaluate("typeof window.__pwned") == "undefined", path
    # The search page renders the titles of the pages it finds.
    page.goto(demo_site.page_url(""))
    search = page.locator(".md-search__input")
    search.fill("Prova")
    search.press("Enter")
    page.locator("#lgnet-cerca-pagine .lgnet-risultato-pagina").first.wait_for()
    assert PAYLOAD in page.inner_text("#lgnet-cerca-pagine")  # as text
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert not recorded.page_errors


def test_no_request_leaves_the_origin(new_page: Any, demo_site: DemoSite) -> None:
    recorded = open_recording(new_page, demo_site)
    page = recorded.page
    page.evaluate(f"() => {{ const m = {MEDIA}; m.muted = true; return m.play(); }}")
    page.wait_for_function(f"{MEDIA}.currentTime > 0.5")
    for path in (
        "",
        "archivio/",
        "citta/",
        "citta/palermo/",
        "modello/abitare/",
        "glossario/",
        f"archivio/{AUDIO_ID}/",
    ):
        page.goto(demo_site.page_url(path))
        page.wait_for_load_state("load")
        page.wait_for_timeout(150)  # let scripts start their own requests (search worker)
    origin = demo_site.server.url + "/"
    foreign = [u for u in recorded.requests if not u.startswith((origin, "data:", "blob:"))]
    assert not foreign, foreign
    assert not recorded.failed, recorded.failed  # every asset found from the sub-path
    assert not recorded.page_errors, recorded.page_errors
