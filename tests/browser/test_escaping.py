"""Every field a person writes reaches the site as text, never as markup, in the real browser.

One throwaway copy of the project, built once for the module, holds injection attempts in each
person-written field: the recording's YAML (title, description, credits, licence, speakers,
chapters, redaction reason), archive/cities.yml (name, region, partner), archive/glossary.yml
(term, aliases, definition), the front matter of a city sheet and of the glossary page, a
transcript segment (interactive transcript, caption track, search) and a training path (title,
description, note). Each page type is then opened in Chromium: no payload runs, no dialog
opens, no error is logged, and the text is shown exactly as written.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from lgnet.build import run_build
from lgnet.project import Project
from lgnet.transcripts import load_transcripts, write_transcript
from tests.browser.conftest import RecordedPage, StaticServer, serve_directory
from tests.conftest import copy_project

pytestmark = pytest.mark.browser

ATTACKS = (
    "<script>window.__xss=1</script>",
    '"><img src=x onerror="window.__xss=2">',
    "' onmouseover='window.__xss=3",
    "</title><script>window.__xss=4</script>",
    'Ciò "virgolette" & <b>',
)
ATTACK = " ".join(ATTACKS)

ITEM = "palermo-safe-space"  # a video with a redaction, transcript and captions
CITY = "palermo"
PATH = "sportello-unico-e-abitare"
SITE_NAME = "LGNet Archivio"
QUERY = "virgolette"  # a word of the injected transcript segment


def payload(label: str) -> str:
    return f"{label} {ATTACK}"


TITLE = payload("Titolo")
DESCRIPTION = payload("Descrizione")
CREDITS = payload("Crediti")
LICENSE = payload("Licenza")
SPEAKER = payload("Voce")
ROLE = payload("Ruolo")
CHAPTER = payload("Capitolo")
REASON = payload("Motivo")
CITY_NAME = payload("Città")
REGION = payload("Regione")
PARTNER = payload("Ente")
TERM = payload("Termine")
ALIAS = payload("Alias")
DEFINITION = payload("Definizione")
SHEET_TITLE = payload("Scheda")
SHEET_DESCRIPTION = payload("Sommario")
GLOSSARY_DESCRIPTION = payload("Glossario")
SEGMENT = payload("Testo")
PATH_TITLE = payload("Percorso")
PATH_DESCRIPTION = payload("Presentazione")
NOTE = payload("Nota")


# --- the project -------------------------------------------------------------------------------


def _dump(path: Path, data: object) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _edit_front_matter(path: Path, edit: Callable[[dict[str, Any]], None]) -> None:
    """Change the front matter of a Markdown page, leaving its body as it is."""
    _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
    data = yaml.safe_load(front)
    edit(data)
    front = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    path.write_text(f"---\n{front}---\n{body}", encoding="utf-8")


def make_injected_project(dest: Path) -> Project:
    """A copy with one public recording, every person-written field carrying the payloads."""
    project = copy_project(dest)
    for other in project.items_dir.glob("*.yml"):
        if other.stem != ITEM:
            other.unlink()
            for derived in project.transcripts.glob(f"{other.stem}.*"):
                derived.unlink()
    for generated in (project.generated_docs, project.docs / "archivio", project.docs / "percorsi"):
        shutil.rmtree(generated, ignore_errors=True)
    # The knowledge pages cite moments of the recordings removed above (and quote words the
    # payloads replace): `lgnet check` would rightly refuse those citations.
    for page in project.docs.rglob("*.md"):
        text = page.read_text(encoding="utf-8")
        if "[[prova:" in text:
            kept = [line for line in text.splitlines() if "[[prova:" not in line]
            page.write_text("\n".join(kept) + "\n", encoding="utf-8")

    item_file = project.items_dir / f"{ITEM}.yml"
    item = _load(item_file)
    item.update(
        title=TITLE,
        description=DESCRIPTION,
        credits=CREDITS,
        license=LICENSE,
        speakers=[{"name": SPEAKER, "role": ROLE}],
        chapters=[{"start": "00:00", "title": CHAPTER}, {"start": "00:20", "title": CHAPTER}],
    )
    # The reason reaches no page (only lgnet check and the leak audit): a redaction of the
    # audio alone keeps the build short.
    item["redactions"] = [{"start": 39.7, "end": 50.8, "reason": REASON}]
    _dump(item_file, item)

    cities = _load(project.cities_file)
    for city in cities:
        if city["slug"] == CITY:
            city.update(name=CITY_NAME, region=REGION, partner=PARTNER)
    _dump(project.cities_file, cities)

    def sheet(data: dict[str, Any]) -> None:
        data.update(title=SHEET_TITLE, description=SHEET_DESCRIPTION)
        data["partner"]["value"] = PARTNER  # as in cities.yml, or lgnet check refuses it

    _edit_front_matter(project.docs / "citta" / f"{CITY}.md", sheet)
    _edit_front_matter(
        project.docs / "glossario.md", lambda data: data.update(description=GLOSSARY_DESCRIPTION)
    )

    glossary = _load(project.glossary_file)
    glossary.append({"term": TERM, "aliases": [ALIAS], "definition": DEFINITION})
    _dump(project.glossary_file, glossary)

    # The JSON is the source of truth; the VTT is re-rendered from it, so the build sees no
    # person's correction to import.
    transcript = load_transcripts(project.transcripts, [ITEM])[ITEM]
    transcript.segments[0].text = SEGMENT
    write_transcript(project.transcripts, transcript)

    path_file = project.paths_dir / f"{PATH}.yml"
    training = _load(path_file)
    training.update(
        title=PATH_TITLE,
        description=PATH_DESCRIPTION,
        excerpts=[{"item": ITEM, "start": "00:00", "end": "00:15", "note": NOTE}],
    )
    for other in project.paths_dir.glob("*.yml"):
        if other != path_file:
            other.unlink()
    _dump(path_file, training)
    return project


@dataclass
class InjectedSite:
    project: Project
    server: StaticServer
    url: str  # the site's home

    def page_url(self, path: str) -> str:
        return self.url + path


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InjectedSite]:
    base = tmp_path_factory.mktemp("iniezioni")
    server = serve_directory(base)
    url = f"{server.url}/progetto/site/"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LGNET_CACHE_DIR", str(base / "cache"))
        project = make_injected_project(base / "progetto")
        run_build(project, transcribe=False, site_url=url)
    yield InjectedSite(project=project, server=server, url=url)
    server.httpd.shutdown()


# --- helpers -----------------------------------------------------------------------------------


@dataclass
class Visit:
    recorded: RecordedPage
    dialogs: list[str]

    @property
    def page(self) -> Any:
        return self.recorded.page


def visit(new_page: Any, site: InjectedSite, path: str) -> Visit:
    recorded: RecordedPage = new_page()
    dialogs: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    recorded.page.on("dialog", on_dialog)
    recorded.page.goto(site.page_url(path))
    recorded.page.wait_for_load_state("load")
    return Visit(recorded, dialogs)


def assert_inert(visit: Visit) -> None:
    """Nothing ran: no payload flag, no dialog, no error, not even on mouseover."""
    page = visit.page
    page.evaluate(
        "document.querySelectorAll('body *').forEach(n => n.dispatchEvent("
        "new MouseEvent('mouseover', {bubbles: true})))"
    )
    page.wait_for_timeout(100)
    assert page.evaluate("typeof window.__xss") == "undefined", page.url
    assert visit.dialogs == [], page.url
    assert visit.recorded.console_errors == [], page.url
    assert visit.recorded.page_errors == [], page.url
    assert page.locator("img[src='x']").count() == 0, page.url


def meta_description(page: Any) -> str:
    return str(page.get_attribute('meta[name="description"]', "content"))


def text_of(page: Any, selector: str) -> str:
    return " ".join(str(page.inner_text(selector)).split())


# --- the pages ---------------------------------------------------------------------------------


def test_recording_page_shows_every_field_as_text(new_page: Any, site: InjectedSite) -> None:
    visit_ = visit(new_page, site, f"archivio/{ITEM}/")
    page = visit_.page
    assert text_of(page, "h1") == TITLE
    assert page.title() == f"{TITLE} - {SITE_NAME}"
    assert meta_description(page) == DESCRIPTION
    assert text_of(page, ".md-header__topic[data-md-component=header-topic]") == TITLE
    assert text_of(page, ".lgnet-capitoli li >> nth=0").endswith(CHAPTER)
    info = text_of(page, ".lgnet-metadati")
    for value in (CREDITS, LICENSE, SPEAKER, f"({ROLE})", CITY_NAME):
        assert value in info
    assert text_of(page, ".lgnet-descrizione") == DESCRIPTION
    assert text_of(page, "[data-lgnet-segmenti] li >> nth=0").endswith(SEGMENT)
    # The caption track: the cue is the same text, shown as text.
    page.wait_for_function(
        "() => { const t = document.querySelector('video').textTracks[0];"
        " if (t.mode === 'disabled') t.mode = 'hidden'; return t.cues && t.cues.length > 0; }",
        timeout=10000,
    )
    cues = page.evaluate(
        "Array.from(document.querySelector('video').textTracks[0].cues)"
        ".map(c => c.getCueAsHTML().textContent).join(' ')"
    )
    assert "<script>window.__xss=1</script>" in " ".join(cues.split())
    assert 'Ciò "virgolette" & <b>' in " ".join(cues.split())
    # Playing from the injected segment renders the cue; citing the moment copies the title.
    page.evaluate("document.querySelector('video').muted = true")
    page.click("[data-lgnet-segmenti] a >> nth=0")
    page.wait_for_timeout(500)
    page.evaluate("document.querySelector('video').pause()")
    page.click("[data-lgnet-cita-pulsante]")
    assert TITLE in text_of(page, "[data-lgnet-cita-testo]")
    assert_inert(visit_)


def test_canonical_link_is_the_site_url(new_page: Any, site: InjectedSite) -> None:
    visit_ = visit(new_page, site, f"archivio/{ITEM}/")
    canonical = visit_.page.get_attribute('link[rel="canonical"]', "href")
    assert canonical == site.page_url(f"archivio/{ITEM}/")
    not_found = visit(new_page, site, "404.html")
    assert not_found.page.locator("h1").count() == 1
    assert_inert(not_found)


def test_city_sheet_front_matter_is_text(new_page: Any, site: InjectedSite) -> None:
    visit_ = visit(new_page, site, f"citta/{CITY}/")
    page = visit_.page
    assert page.title() == f"{SHEET_TITLE} - {SITE_NAME}"
    assert meta_description(page) == SHEET_DESCRIPTION
    assert text_of(page, ".md-header__topic[data-md-component=header-topic]") == SHEET_TITLE
    generated = text_of(page, ".lgnet-generato--citta")
    assert TITLE in generated and CITY_NAME in generated
    assert_inert(visit_)


def test_home_map_and_catalogue_show_names_as_text(new_page: Any, site: InjectedSite) -> None:
    home = visit(new_page, site, "")
    page = home.page
    labels = page.eval_on_selector_all(".lgnet-mappa__svg text", "ns => ns.map(n => n.textContent)")
    assert CITY_NAME in labels
    table = text_of(page, ".lgnet-mappa table")
    assert CITY_NAME in table and REGION in table
    assert_inert(home)

    catalogue = visit(new_page, site, "archivio/")
    page = catalogue.page
    assert text_of(page, ".lgnet-scheda__titolo") == TITLE
    options = page.eval_on_selector_all(
        "#lgnet-filtro-citta option", "os => os.map(o => o.textContent)"
    )
    assert CITY_NAME in options
    page.fill("#lgnet-filtro-testo", "virgolette")
    page.wait_for_timeout(200)
    assert page.locator(".lgnet-scheda:visible").count() == 1
    assert_inert(catalogue)


def test_search_results_show_titles_and_transcript_as_text(
    new_page: Any, site: InjectedSite
) -> None:
    visit_ = visit(new_page, site, f"cerca/?q={QUERY}")
    page = visit_.page
    page.wait_for_selector(".lgnet-risultato:not([hidden])", timeout=15000)
    assert text_of(page, ".lgnet-risultato__titolo >> nth=0") == TITLE
    assert CITY_NAME in text_of(page, ".lgnet-risultato__meta >> nth=0")
    hit = text_of(page, ".lgnet-risultato__testo >> nth=0")
    assert "<script>window.__xss=1</script>" in hit and "Ciò" in hit
    assert page.locator(".lgnet-risultato__testo mark").count() >= 1
    assert_inert(visit_)


def test_the_search_page_shows_page_titles_as_text(new_page: Any, site: InjectedSite) -> None:
    visit_ = visit(new_page, site, "")
    page = visit_.page
    search = page.locator(".md-search__input")
    search.fill("Scheda")  # the city sheet's injected title
    search.press("Enter")
    page.locator("#lgnet-cerca-pagine .lgnet-risultato-pagina").first.wait_for()
    page.wait_for_timeout(300)
    assert_inert(visit_)


def test_glossary_shows_terms_as_text(new_page: Any, site: InjectedSite) -> None:
    visit_ = visit(new_page, site, "glossario/")
    page = visit_.page
    assert meta_description(page) == GLOSSARY_DESCRIPTION
    terms = page.eval_on_selector_all(".lgnet-glossario dt", "ds => ds.map(d => d.textContent)")
    assert TERM in terms
    definitions = " ".join(
        page.eval_on_selector_all(".lgnet-glossario dd", "ds => ds.map(d => d.textContent)")
    )
    assert DEFINITION in " ".join(definitions.split())
    assert ALIAS in " ".join(definitions.split())
    assert_inert(visit_)


def test_training_path_shows_its_texts_as_text(new_page: Any, site: InjectedSite) -> None:
    visit_ = visit(new_page, site, f"percorsi/{PATH}/")
    page = visit_.page
    assert text_of(page, "h1") == PATH_TITLE
    assert page.title() == f"{PATH_TITLE} - {SITE_NAME}"
    assert meta_description(page) == PATH_DESCRIPTION
    assert text_of(page, ".lgnet-percorso > .lgnet-descrizione") == PATH_DESCRIPTION
    assert text_of(page, ".lgnet-estratto__nota") == f"Nota per chi forma: {NOTE}"
    assert text_of(page, ".lgnet-estratto__titolo a") == TITLE
    assert SEGMENT in text_of(page, ".lgnet-estratto__testo")
    assert CITY_NAME in text_of(page, ".lgnet-estratto__meta")
    assert text_of(page, "[data-lgnet-percorso-stato]").endswith(TITLE)
    index = visit(new_page, site, "percorsi/")
    assert text_of(index.page, ".lgnet-percorsi__titolo") == PATH_TITLE
    assert_inert(index)
    assert_inert(visit_)
