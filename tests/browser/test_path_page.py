"""A training path page in real Chromium: it plays the excerpts one after the other.

The site is the repository's own archive built by `lgnet build` (no transcription: the
transcripts are committed), served from a sub-path; the path is
archive/paths/sportello-unico-e-abitare.yml. Media play muted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from lgnet.paths import Excerpt
from tests.browser.conftest import DemoSite, RecordedPage, RepositorySite, StaticServer
from tests.browser.test_a11y import serious
from tests.test_pages import DEMO_PATH, PAYLOAD, XSS_ID

pytestmark = pytest.mark.browser

SLUG = "sportello-unico-e-abitare"
MEDIA = "document.querySelector('[data-lgnet-percorso-media]')"
CURRENT = "document.querySelector('[data-lgnet-estratto][aria-current]')"
STATUS = "document.querySelector('[data-lgnet-percorso-stato]').textContent"
CAPTION = "document.querySelector('[data-lgnet-didascalia]')"


@dataclass
class RepoSite:
    url: str
    server: StaticServer
    excerpts: list[Excerpt]

    def page_url(self, path: str) -> str:
        return self.url + path


@pytest.fixture(scope="module")
def repo_site(repository_site: RepositorySite) -> RepoSite:
    """The repository's site (built once per session, shared with other browser tests)."""
    from lgnet.archive import load_archive
    from lgnet.paths import load_paths

    project = repository_site.project
    paths, _ = load_paths(project, load_archive(project))
    return RepoSite(repository_site.url, repository_site.server, paths[SLUG].excerpts)


def open_path(new_page: Any, site: RepoSite | DemoSite, slug: str = SLUG, hash: str = "") -> Any:
    recorded: RecordedPage = new_page()
    recorded.page.goto(site.page_url(f"percorsi/{slug}/{hash}"))
    recorded.page.wait_for_function(f"{MEDIA}.readyState >= 1")
    recorded.page.evaluate(f"{MEDIA}.muted = true")
    return recorded


def current_index(page: Any) -> int:
    value: str = page.evaluate(f"{CURRENT}.id")
    return int(value.rsplit("-", 1)[1])


def wait_on_excerpt(page: Any, n: int, excerpt: Excerpt, *, playing: bool) -> None:
    """Excerpt n (from 1) is the current one: marked, loaded in the player, at its start."""
    page.wait_for_function(
        f"""() => {{
            const m = {MEDIA}, li = {CURRENT};
            return li && li.id === 'estratto-{n}' && m.readyState >= 1 && !m.seeking
                && m.currentSrc.includes('/media/{excerpt.item}.')
                && m.currentTime >= {excerpt.start} - 0.05 && m.currentTime < {excerpt.start} + 1.5
                && {"!m.paused" if playing else "true"};
        }}""",
        timeout=15000,
    )
    assert page.locator("[data-lgnet-estratto][aria-current]").count() == 1


def test_plays_the_first_excerpt_from_its_start_then_advances(
    new_page: Any, repo_site: RepoSite
) -> None:
    recorded = open_path(new_page, repo_site)
    page = recorded.page
    first, second = repo_site.excerpts[0], repo_site.excerpts[1]
    assert first.item != second.item, "the path should change recording after excerpt 1"
    # Before playing, the player is already cued at excerpt 1's start.
    wait_on_excerpt(page, 1, first, playing=False)
    page.evaluate(f"{MEDIA}.play()")
    page.wait_for_function(
        f"!{MEDIA}.paused && {MEDIA}.currentTime > {first.start} + 0.3", timeout=15000
    )
    assert page.evaluate(f"{MEDIA}.currentTime") < first.end
    assert current_index(page) == 1
    kinds = page.evaluate(
        "[...document.querySelectorAll('[data-lgnet-estratto]')].map(li => li.dataset.tipo)"
    )
    if kinds[0] == "audio":  # Chromium draws no captions over audio: the page shows the cue
        page.wait_for_function(
            f"!{CAPTION}.hidden && {CAPTION}.textContent.length > 10 && {MEDIA}.textTracks[0]"
            f".activeCues[0].text.includes({CAPTION}.textContent.slice(0, 10))"
        )
    # Near the end of excerpt 1: playback carries on into excerpt 2, its recording and captions.
    page.evaluate(f"{MEDIA}.currentTime = {first.end - 0.3}")
    wait_on_excerpt(page, 2, second, playing=True)
    track = page.evaluate(
        f"""(() => {{ const m = {MEDIA}, t = m.querySelector('track');
            return [m.querySelectorAll('track').length, t.src, t.track.mode]; }})()"""
    )
    assert (
        track[0] == 1 and track[1].endswith(f"/media/{second.item}.vtt") and track[2] == "showing"
    )
    if kinds[1] == "video":  # the browser draws the captions: no box of ours
        assert page.evaluate(f"{CAPTION}.hidden")
    assert page.evaluate(STATUS).startswith(f"Estratto 2 di {len(repo_site.excerpts)}:")
    page.evaluate(f"{MEDIA}.pause()")
    origin = repo_site.server.url + "/"
    foreign = [u for u in recorded.requests if not u.startswith((origin, "data:", "blob:"))]
    assert not foreign, foreign
    assert not recorded.failed, recorded.failed
    assert not recorded.page_errors, recorded.page_errors


def test_previous_next_and_an_excerpt_button(new_page: Any, repo_site: RepoSite) -> None:
    page = open_path(new_page, repo_site).page
    excerpts = repo_site.excerpts
    wait_on_excerpt(page, 1, excerpts[0], playing=False)
    previous = page.get_by_role("button", name="Precedente")
    assert previous.get_attribute("aria-disabled") == "true"
    page.get_by_role("button", name="Successivo").click()
    wait_on_excerpt(page, 2, excerpts[1], playing=False)  # paused stays paused
    previous.click()
    wait_on_excerpt(page, 1, excerpts[0], playing=False)
    last = len(excerpts)
    page.get_by_role("button", name=f"Riproduci l'estratto {last}").click()
    wait_on_excerpt(page, last, excerpts[-1], playing=True)  # the excerpt's own button plays
    assert page.get_by_role("button", name="Successivo").get_attribute("aria-disabled") == "true"
    page.evaluate(f"{MEDIA}.pause()")


def test_keyboard_alone_moves_through_the_path(new_page: Any, repo_site: RepoSite) -> None:
    page = open_path(new_page, repo_site).page
    wait_on_excerpt(page, 1, repo_site.excerpts[0], playing=False)
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.hasAttribute('data-lgnet-successivo')"):
            break
    else:
        pytest.fail("il pulsante Successivo non si raggiunge con il tasto Tab")
    # the focus is visible
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", "")
    page.keyboard.press("Enter")
    wait_on_excerpt(page, 2, repo_site.excerpts[1], playing=False)
    page.keyboard.press("Space")
    wait_on_excerpt(page, 3, repo_site.excerpts[2], playing=False)
    assert page.evaluate("document.activeElement.hasAttribute('data-lgnet-successivo')")


def test_address_opens_an_excerpt(new_page: Any, repo_site: RepoSite) -> None:
    page = open_path(new_page, repo_site, hash="#estratto-3").page
    wait_on_excerpt(page, 3, repo_site.excerpts[2], playing=False)


def test_no_serious_accessibility_violations(new_page: Any, repo_site: RepoSite) -> None:
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    for path in ("percorsi/", f"percorsi/{SLUG}/"):
        page = new_page().page
        page.goto(repo_site.page_url(path))
        page.wait_for_load_state("load")
        page.wait_for_timeout(300)
        problems = serious(axe.run(page))
        assert not problems, path + "\n" + "\n".join(problems)
    # and once playback has moved on (a later excerpt lit, the status changed)
    page.get_by_role("button", name="Riproduci l'estratto 2").click()
    page.wait_for_function(f"{CURRENT}.id === 'estratto-2'")
    page.evaluate(f"{MEDIA}.pause()")
    page.wait_for_timeout(600)  # the header's fade after the scroll to the excerpt
    problems = serious(axe.run(page))
    assert not problems, "\n".join(problems)


# --- on the demo site: the path with injected data, and an excerpt to the end of its file ------


def test_demo_path_ends_and_injected_data_stays_text(new_page: Any, demo_site: DemoSite) -> None:
    recorded = open_path(new_page, demo_site, DEMO_PATH)
    page = recorded.page
    assert PAYLOAD in page.inner_text(".lgnet-descrizione")
    assert page.evaluate("typeof window.__pwned") == "undefined"
    # the last excerpt lasts to the end of its recording: the file ends, the path ends
    page.get_by_role("button", name="Riproduci l'estratto 3").click()
    page.wait_for_function(
        f"{CURRENT}.id === 'estratto-3' && {MEDIA}.currentSrc.includes('/media/{XSS_ID}.') "
        f"&& !{MEDIA}.paused && {MEDIA}.currentTime >= 17"
    )
    page.evaluate(f"{MEDIA}.currentTime = 19.5")
    page.wait_for_function(f"{STATUS}.startsWith('Fine del percorso')", timeout=10000)
    assert page.evaluate(f"{MEDIA}.paused")
    assert current_index(page) == 3
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert not recorded.page_errors, recorded.page_errors
