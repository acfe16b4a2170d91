"""Speakers in Chromium, on the demo workshop (`rete-workshop-dimostrativo`: five synthetic
voices shown by role only, speaker turns in its item): the transcript names who speaks at each
change, the caption track's cues carry `<v>` voices, and the "Chi parla" filter of /cerca/
keeps what one role says (the same passages as `lgnet search --role`)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

from lgnet.archive import Item, load_archive
from lgnet.build import run_build
from lgnet.project import Project
from lgnet.search import run_search
from lgnet.speakers import voices
from tests.browser.conftest import serve_directory
from tests.browser.test_a11y import axe, serious  # noqa: F401 (axe is a fixture)
from tests.test_speakers import single_item_project

pytestmark = pytest.mark.browser

DEMO = "rete-workshop-dimostrativo"
MEDIA = "document.querySelector('[data-lgnet-media]')"
# The captions track (found by kind: a chapters track may follow it); its cues load once it is
# at least hidden.
TRACK = f"Array.from({MEDIA}.textTracks).find(t => t.kind === 'captions')"


@dataclass
class VoicedSite:
    project: Project
    item: Item
    url: str  # the site's home

    def page_url(self, path: str) -> str:
        return self.url + path


@pytest.fixture(scope="module")
def voiced_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VoicedSite]:
    base = tmp_path_factory.mktemp("voci")
    server = serve_directory(base)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LGNET_CACHE_DIR", str(base / "cache"))
        project = single_item_project(base / "progetto", DEMO)
        run_build(project, transcribe=False)
        item = load_archive(project).items[DEMO]
        yield VoicedSite(project, item, f"{server.url}/progetto/site/")
    server.httpd.shutdown()


def test_the_transcript_names_who_speaks_at_each_change(
    new_page: Any,
    voiced_site: VoicedSite,
    axe: Any,  # noqa: F811 (the fixture imported above)
) -> None:
    item = voiced_site.item
    shown = {label: voice.shown for label, voice in voices(item).items()}
    assert len(shown) >= 3 and all(not v.name for v in voices(item).values())
    recorded = new_page()
    page = recorded.page
    page.goto(voiced_site.page_url(f"archivio/{DEMO}/"))
    rows = page.locator("[data-lgnet-segmenti] li")
    rows.first.wait_for()
    said = page.locator("[data-lgnet-segmenti] .lgnet-voce").all_inner_texts()
    first = item.turns[0].speaker
    assert said[0] == f"{shown[first]}:"
    assert {s.removesuffix(":") for s in said} == set(shown.values())  # every voice speaks
    # named at each change of voice, not on every sentence; by role, never by label
    assert 10 < len(said) < rows.count()
    assert all(a != b for a, b in itertools.pairwise(said))
    words = page.locator("[data-lgnet-segmenti]").inner_text()
    assert not any(f"{label}:" in words for label in shown if label not in shown.values())
    # the voice is outside the passage's words: a citation quotes only what was said
    assert not rows.first.locator(".lgnet-passaggio").inner_text().startswith(shown[first])
    assert serious(axe.run(page)) == []
    assert recorded.console_errors == [] and recorded.page_errors == []


def test_the_caption_track_carries_the_voices(new_page: Any, voiced_site: VoicedSite) -> None:
    item = voiced_site.item
    shown = {label: voice.shown for label, voice in voices(item).items()}
    page = new_page().page
    page.goto(voiced_site.page_url(f"archivio/{DEMO}/"))
    page.wait_for_function(f"{MEDIA}.readyState >= 1 && !!({TRACK})")
    page.evaluate(f"({TRACK}).mode = 'hidden'")
    page.wait_for_function(f"({TRACK}).cues && ({TRACK}).cues.length > 50")
    cues = page.evaluate(f"Array.from(({TRACK}).cues).map(c => [c.startTime, c.endTime, c.text])")
    tags = [text.split(">", 1)[0] + ">" for _, _, text in cues]
    assert all(tag.startswith("<v ") for tag in tags)
    assert set(tags) == {f"<v {name}>" for name in shown.values()}
    # each voice's first turn (from the item): its cues name that voice, and playing there
    # shows them
    for label in shown:
        turn = next(t for t in item.turns if t.speaker == label)
        inside = [c for c in cues if turn.start <= (c[0] + c[1]) / 2 < turn.end]
        assert inside and all(text.startswith(f"<v {shown[label]}>") for _, _, text in inside)
        start, end, text = inside[0]
        page.evaluate(f"{MEDIA}.currentTime = {(start + end) / 2}")
        page.wait_for_function(
            f"() => {{ const t = {TRACK}; return t.activeCues && t.activeCues.length === 1"
            f" && Math.abs(t.activeCues[0].startTime - {start}) < 0.002; }}"
        )
        assert page.evaluate(f"({TRACK}).activeCues[0].text") == text


def test_chi_parla_filters_the_search_by_role(new_page: Any, voiced_site: VoicedSite) -> None:
    query = "sportello"
    everything = run_search(voiced_site.project, query, limit=500)
    counts = everything.facets["role"]
    assert len(counts) >= 2  # the filter is offered when it can narrow
    role = max(counts, key=lambda r: counts[r])
    expected = run_search(voiced_site.project, query, role=role, limit=500)
    assert 0 < expected.total < everything.total
    recorded = new_page()
    page = recorded.page
    page.goto(voiced_site.page_url(f"cerca/?q={query}"))
    status = page.locator("#lgnet-cerca-stato")
    status.filter(has_text=f"per «{query}»").wait_for()
    facet = page.locator("fieldset", has_text="Chi parla")
    assert facet.locator("legend").inner_text() == "Chi parla"
    box = page.get_by_role("checkbox", name=role)
    box.focus()
    page.keyboard.press("Space")  # a native checkbox: the keyboard works
    status.filter(has_text="con i filtri scelti").wait_for()
    assert box.is_checked()
    assert unquote(urlsplit(page.url).query).replace("+", " ") == f"q={query}&ruolo={role}"
    total = expected.total
    assert status.inner_text().startswith(f"{total} passaggi" if total > 1 else "1 passaggio")
    metas = page.locator(".lgnet-risultato__meta").all_inner_texts()
    assert len(metas) == min(total, 20) and all(m.endswith(f"parla: {role}") for m in metas)
    link = page.locator(".lgnet-risultato__link").first.get_attribute("href")
    assert link.endswith(f"archivio/{DEMO}/#t={round(expected.hits[0].start, 1):g}")
    assert recorded.console_errors == [] and recorded.page_errors == []
