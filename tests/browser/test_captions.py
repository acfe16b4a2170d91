"""The caption track in real Chromium: two-line cues of at most 42 characters, in sync with the
video, the same cues as the WebVTT file the site publishes."""

from __future__ import annotations

import re
from typing import Any
from urllib.request import urlopen

import pytest

from lgnet.captions import MAX_LINE, read_shown_cues
from tests.browser.conftest import DemoSite
from tests.test_pages import VIDEO_ID

pytestmark = pytest.mark.browser

MEDIA = "document.querySelector('[data-lgnet-media]')"
ACTIVE = f"""() => {{
    const m = {MEDIA}, t = m.textTracks[0];
    if (!t || !t.activeCues) return null;
    return {{time: m.currentTime,
             cues: Array.from(t.activeCues).map(c => [c.startTime, c.endTime, c.text])}};
}}"""


def _plain(text: str) -> list[str]:
    return [re.sub(r"<[^>]*>", "", line) for line in text.split("\n")]


def test_the_caption_track_shows_two_line_cues_in_sync(new_page: Any, demo_site: DemoSite) -> None:
    with urlopen(demo_site.page_url(f"media/{VIDEO_ID}.vtt")) as response:
        published = read_shown_cues(response.read().decode("utf-8"))
    assert len(published) >= 4
    assert any(len(c.lines) == 2 for c in published)  # real two-line cues
    page = new_page().page
    page.goto(demo_site.page_url(f"archivio/{VIDEO_ID}/"))
    page.wait_for_function(f"{MEDIA}.readyState >= 1 && {MEDIA}.textTracks.length >= 1")
    page.wait_for_function(
        f"{MEDIA}.textTracks[0].cues && {MEDIA}.textTracks[0].cues.length === {len(published)}"
    )
    # Playing: once past the first cue's start, the cue shown is the one for the current time.
    page.evaluate(f"() => {{ const m = {MEDIA}; m.muted = true; return m.play(); }}")
    page.wait_for_function(f"{MEDIA}.currentTime > {published[1].start + 0.3}", timeout=15000)
    page.evaluate(f"{MEDIA}.pause()")
    state = page.evaluate(ACTIVE)
    now = state["time"]
    expected = [c for c in published if c.start <= now < c.end]
    assert [tuple(_plain(text)) for _, _, text in state["cues"]] == [c.lines for c in expected]
    # Seeking into each cue shows exactly that cue, two lines at most, 42 characters a line.
    for cue in published:
        middle = (cue.start + cue.end) / 2
        page.evaluate(f"{MEDIA}.currentTime = {middle}")
        page.wait_for_function(
            f"""() => {{ const s = ({ACTIVE})();
                return s && Math.abs(s.time - {middle}) < 0.05 && s.cues.length === 1
                    && Math.abs(s.cues[0][0] - {cue.start}) < 0.002; }}"""
        )
        _, end, text = page.evaluate(ACTIVE)["cues"][0]
        lines = _plain(text)
        assert tuple(lines) == cue.lines
        assert 1 <= len(lines) <= 2 and all(len(line) <= MAX_LINE for line in lines)
        assert end == pytest.approx(cue.end, abs=0.002)
    # Between two cues (the gap), nothing is shown.
    gap = (published[0].end + published[1].start) / 2
    if published[1].start - published[0].end > 0.02:
        page.evaluate(f"{MEDIA}.currentTime = {gap}")
        page.wait_for_function(
            f"() => {{ const s = ({ACTIVE})(); return s && Math.abs(s.time - {gap}) < 0.01 "
            "&& s.cues.length === 0; }"
        )
