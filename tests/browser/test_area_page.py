"""An area page in real Chromium on a 360 px phone: the comparison table scrolls sideways inside
its own region, which the keyboard reaches and scrolls; the page itself never overflows."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import DemoSite

pytestmark = pytest.mark.browser

REGION = "document.querySelector('.lgnet-confronto')"


def test_table_scrolls_in_its_region_on_a_narrow_screen(new_page: Any, demo_site: DemoSite) -> None:
    recorded = new_page(viewport={"width": 360, "height": 740})
    page = recorded.page
    page.goto(demo_site.page_url("modello/presa-in-carico/"))
    page.wait_for_load_state("load")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    region = page.get_by_role("region", name="Che cosa fa ogni città")
    assert region.count() == 1
    assert page.evaluate(f"{REGION}.scrollWidth > {REGION}.clientWidth")
    assert page.evaluate(f"{REGION}.getBoundingClientRect().right") <= 360
    # reached with the keyboard: Tab from the last link before it lands on the region
    page.locator("a[href$='guida/schede/']").last.focus()
    page.keyboard.press("Tab")
    assert page.evaluate(f"document.activeElement === {REGION}")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.wait_for_function(f"{REGION}.scrollLeft > 0")
    # the city names stay in view while the other columns scroll
    city = page.get_by_role("rowheader", name="Palermo")
    assert city.bounding_box()["x"] >= 0
    assert page.get_by_role("columnheader", name="Stato").count() == 1
    assert not recorded.page_errors and not recorded.failed
