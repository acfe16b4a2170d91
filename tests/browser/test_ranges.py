"""Passages of a recording in real Chromium: `#t=START,END`, selecting to share, citing.

The passage citation is made in the browser; it must say exactly what lgnet.citations says
for the same passage (text, BibTeX, RIS, CSL-JSON).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import bibtexparser
import pytest
import rispy

from lgnet.citations import Reference, bibtex, citation_text, csl_json, ris
from tests.browser.conftest import DemoSite, RecordedPage
from tests.test_pages import VIDEO_ID

pytestmark = pytest.mark.browser

MEDIA = "document.querySelector('[data-lgnet-media]')"
LIT = (
    "Array.from(document.querySelectorAll('[data-lgnet-segmenti] li.lgnet-nel-passaggio a'))"
    ".map(a => a.dataset.start)"
)
BOX = "[data-lgnet-brano]"


def open_recording(new_page: Any, url: str, **options: Any) -> RecordedPage:
    recorded: RecordedPage = new_page(**options)
    recorded.page.goto(url)
    recorded.page.wait_for_function(f"{MEDIA} && {MEDIA}.readyState >= 1")
    return recorded


def paused_near(page: Any, seconds: float) -> None:
    """Playback really ran and stopped at `seconds` (± 0.3 s)."""
    page.wait_for_function(
        f"() => {{ const m = {MEDIA}; return m.paused && !m.seeking && "
        f"Math.abs(m.currentTime - {seconds}) <= 0.3 && m.played.length > 0 && "
        f"m.played.end(m.played.length - 1) >= {seconds} - 0.3; }}",
        timeout=20000,
    )


def select_passages(page: Any, first: str, last: str) -> None:
    """Select text from inside passage `first` to inside passage `last` (as a drag would)."""
    page.evaluate(
        """([first, last]) => {
            const words = (start) => document.querySelector(
                `[data-lgnet-segmenti] a[data-start="${start}"]`
            ).parentNode.querySelector(".lgnet-passaggio");
            const startText = words(first).lastChild, endText = words(last).lastChild;
            const range = document.createRange();
            range.setStart(startText, 3);
            range.setEnd(endText, Math.min(8, endText.textContent.length));
            const sel = getSelection();
            sel.removeAllRanges();
            sel.addRange(range);
        }""",
        [first, last],
    )


def python_reference(site: DemoSite, url: str, start: float, end: float) -> Reference:
    item = site.build.archive.items[VIDEO_ID]
    return Reference.of(
        item,
        site.build.archive.city_name(item.city),
        url=url,
        is_video=True,
        accessed=dt.date.today(),
    ).passage(start, end)


def test_a_range_plays_and_pauses_at_its_end_with_its_passages_lit(
    new_page: Any, demo_site: DemoSite
) -> None:
    recorded = open_recording(new_page, demo_site.page_url(f"archivio/{VIDEO_ID}/#t=10.2,13"))
    page = recorded.page
    paused_near(page, 13)
    assert page.evaluate(LIT) == ["10", "12.5"]
    status = page.inner_text("[data-lgnet-brano-stato]")
    assert "dal minuto 0:10 al minuto 0:13" in status
    # A plain moment afterwards clears the passage.
    page.evaluate("location.hash = '#t=2'")
    page.wait_for_function(f"Math.abs({MEDIA}.currentTime - 2) < 0.3")
    assert page.evaluate(LIT) == []
    assert not recorded.page_errors


def test_selecting_text_offers_a_link_and_a_citation_that_match_python(
    new_page: Any, demo_site: DemoSite
) -> None:
    recorded = open_recording(new_page, demo_site.page_url(f"archivio/{VIDEO_ID}/"))
    page = recorded.page
    page_url = page.url.split("#")[0]
    select_passages(page, "7.5", "10")
    page.locator(BOX).wait_for(state="visible")
    assert "dal minuto 0:07 al minuto 0:12 (2 frasi)" in page.inner_text(BOX)
    assert page.evaluate(f"{MEDIA}.paused")  # selecting is not playing

    page.get_by_role("button", name="Copia link a questo passaggio").click()
    link = page.get_by_label("Link a questo passaggio").input_value()
    assert link == page_url + "#t=7.5,12.5"
    page.wait_for_function(
        "/copiato|pronto/.test(document.querySelector('[data-lgnet-brano-stato]').textContent)"
    )

    page.get_by_role("button", name="Cita", exact=True).click()
    page.locator("[data-lgnet-brano-testo]").wait_for(state="visible")
    ref = python_reference(demo_site, page_url, 7.5, 12.5)
    assert page.inner_text("[data-lgnet-brano-testo]") == citation_text(ref)
    bib = page.locator("[data-lgnet-brano-formato=bibtex]").input_value()
    assert bib == bibtex(ref)
    assert not bibtexparser.parse_string(bib).failed_blocks
    ris_text = page.locator("[data-lgnet-brano-formato=ris]").input_value()
    assert ris_text == ris(ref).replace("\r\n", "\n")  # a textarea's value has LF line ends
    assert rispy.loads(ris_text)[0]["urls"] == [page_url + "#t=7.5,12.5"]
    csl = page.evaluate(
        "fetch(document.querySelector('[data-lgnet-brano-csl]').href).then(r => r.json())"
    )
    assert csl == json.loads(json.dumps([csl_json(ref)]))
    download = page.get_attribute("[data-lgnet-brano-csl]", "download")
    assert download == f"lgnet-{VIDEO_ID}-7.5-12.5.json"

    # The shared link reproduces the passage.
    other = open_recording(new_page, link).page
    paused_near(other, 12.5)
    assert other.evaluate(LIT) == ["7.5", "10"]
    assert not recorded.page_errors


def test_a_mouse_drag_over_the_text_selects_passages_without_playing(
    new_page: Any, demo_site: DemoSite
) -> None:
    """A real drag with the mouse (a drag that starts on a link would drag the link instead)."""
    recorded = open_recording(new_page, demo_site.page_url(f"archivio/{VIDEO_ID}/"))
    page = recorded.page
    page.set_viewport_size({"width": 1280, "height": 900})

    def words(start: str) -> Any:
        row = page.locator(f'[data-lgnet-segmenti] li:has(a[data-start="{start}"])')
        row.scroll_into_view_if_needed()
        box = row.locator(".lgnet-passaggio").bounding_box()
        assert box is not None
        return box

    first, last = words("7.5"), words("10")
    page.mouse.move(first["x"] + 12, first["y"] + first["height"] / 2)
    page.mouse.down()
    page.mouse.move(last["x"] + 40, last["y"] + last["height"] / 2, steps=8)
    page.mouse.up()
    assert page.evaluate("getSelection().toString().trim().length") > 10
    page.locator(BOX).wait_for(state="visible")
    assert "dal minuto 0:07 al minuto 0:12 (2 frasi)" in page.inner_text(BOX)
    assert page.evaluate(f"{MEDIA}.paused")  # selecting is not playing
    page.get_by_role("button", name="Copia link a questo passaggio").click()
    link = page.get_by_label("Link a questo passaggio").input_value()
    assert link.endswith("#t=7.5,12.5")

    # A plain click on a passage's words plays it (the time code is the keyboard's way in).
    page.evaluate(f"{MEDIA}.muted = true")
    row = page.locator('[data-lgnet-segmenti] li:has(a[data-start="15"]) .lgnet-passaggio')
    row.click()
    page.wait_for_function(f"{MEDIA}.currentTime >= 15 && !{MEDIA}.paused")
    page.evaluate(f"{MEDIA}.pause()")
    assert not recorded.page_errors


def test_keyboard_alone_selects_passages_and_copies_the_link(
    new_page: Any, demo_site: DemoSite
) -> None:
    page = open_recording(new_page, demo_site.page_url(f"archivio/{VIDEO_ID}/")).page
    page.focus('[data-lgnet-segmenti] a[data-start="2.5"]')
    page.keyboard.press("Shift+ArrowDown")  # selects the focused passage
    page.keyboard.press("Shift+ArrowDown")  # and the next one
    page.locator(BOX).wait_for(state="visible")
    status = "document.querySelector('[data-lgnet-brano-stato]').textContent"
    page.wait_for_function(f"{status}.includes('Premere Tab')")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Copia link a questo passaggio"
    page.keyboard.press("Enter")
    link = page.get_by_label("Link a questo passaggio").input_value()
    assert link.endswith("#t=2.5,7.5")
    page.wait_for_function(f"/copiato|pronto/.test({status})")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Cita"
    page.keyboard.press("Enter")
    page.locator("[data-lgnet-brano-testo]").wait_for(state="visible")
    assert "dal minuto 0:02 al minuto 0:07" in page.inner_text("[data-lgnet-brano-testo]")


def test_passages_work_from_disk(new_page: Any, demo_site: DemoSite) -> None:
    page_file = demo_site.build.project.site / "archivio" / VIDEO_ID / "index.html"
    url = page_file.as_uri() + "#t=10.2,13"
    recorded = open_recording(new_page, url)
    page = recorded.page
    paused_near(page, 13)
    assert page.evaluate(LIT) == ["10", "12.5"]
    select_passages(page, "15", "17.5")
    page.get_by_role("button", name="Copia link a questo passaggio").click()
    link = page.get_by_label("Link a questo passaggio").input_value()
    assert link == page_file.as_uri() + "#t=15,20"
    page.get_by_role("button", name="Cita", exact=True).click()
    csl = page.evaluate(
        "fetch(document.querySelector('[data-lgnet-brano-csl]').href).then(r => r.json())"
    )
    assert csl[0]["URL"] == link
    # Material's own search cannot load its index from disk (see test_offline.py): not ours.
    assert [e for e in recorded.page_errors if "search_index" not in e] == []
