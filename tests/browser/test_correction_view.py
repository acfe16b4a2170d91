"""The correction view in Chromium: a word corrected with the keyboard reaches the VTT, the JSON
(timed on the audio), the search index and the public page; a file changed meanwhile is
shown, never overwritten; the view passes axe; nothing of it is in the built site.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from lgnet.project import Project
from lgnet.transcripts import TranscriptFiles, read_transcript
from tests.browser.test_a11y import serious
from tests.test_correction_view import (
    FIRST,
    HEARD,
    ITEM,
    ONSET,
    RIGHT,
    TOKEN,
    Running,
    add_correction_item,
    start_preview,
)
from tests.test_pages import make_demo_project

pytestmark = pytest.mark.browser


@dataclass
class View:
    running: Running
    url: str

    @property
    def project(self) -> Project:
        return self.running.project

    @property
    def files(self) -> TranscriptFiles:
        return TranscriptFiles(self.project.transcripts, ITEM)


@pytest.fixture
def view(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[View]:
    shared = tmp_path_factory.getbasetemp()
    monkeypatch.setenv("LGNET_CACHE_DIR", str(shared / "cache-correzione"))
    project = make_demo_project(tmp_path / "progetto", shared / "demo-media")
    add_correction_item(project, shared / "correzione-media")
    running, httpd = start_preview(project)
    yield View(running, f"http://127.0.0.1:{running.port}/_correzione/{ITEM}/?token={TOKEN}")
    httpd.shutdown()
    httpd.server_close()


def open_view(new_page: Any, view: View) -> Any:
    recorded = new_page()
    page = recorded.page
    page.goto(view.url)
    page.wait_for_selector("li.lgc-cue textarea")
    return recorded


def test_a_word_corrected_in_the_view_reaches_json_index_and_public_page(
    new_page: Any, view: View
) -> None:
    from lgnet.search import search_index
    from tests.test_pages import generate_demo

    recorded = open_view(new_page, view)
    page = recorded.page
    second = page.get_by_label("Testo del sottotitolo 2")
    assert second.input_value() == HEARD
    # keyboard first: F4 goes to the next word the model was unsure of (after the cursor, at
    # the end of the first cue's text once focused), and selects it
    page.get_by_label("Testo del sottotitolo 1").focus()
    page.keyboard.press("F4")
    assert page.evaluate("document.activeElement.id") == "lgc-testo-1"
    selected = page.evaluate(
        "(() => { const a = document.activeElement; "
        "return a.value.slice(a.selectionStart, a.selectionEnd); })()"
    )
    assert selected == "colici."
    page.locator("[data-lgc-esito]", has_text="Parola incerta «colici.»").wait_for()
    # the correction: "Ogni uno" is one word, typed in the cue's text
    second.focus()
    page.keyboard.press("Control+Home")
    page.keyboard.press("Shift+End")
    page.keyboard.type(RIGHT)
    assert "1 sottotitolo modificato" in page.locator("[data-lgc-modifiche]").inner_text()
    page.keyboard.press("Control+s")
    # (the view's Content-Security-Policy forbids eval: wait with a locator, not a function)
    page.locator("[data-lgc-esito]", has_text="Salvato").wait_for(timeout=120_000)
    assert "Frasi revisionate: 1 su 2" in page.locator("[data-lgc-esito]").inner_text()
    states = page.locator(".lgc-cue__stato").all_inner_texts()
    assert [s.split()[-1] for s in states] == ["automatico", "revisionato"]
    assert not recorded.page_errors and not recorded.console_errors
    assert all(u.startswith(f"http://127.0.0.1:{view.running.port}/") for u in recorded.requests)

    # the VTT and the JSON: the word, timed on the audio, and only its sentence reviewed
    vtt = " ".join(view.files.vtt.read_text().split())
    assert RIGHT in vtt and "Ogni uno" not in vtt
    after = read_transcript(view.files.json)
    assert [s.text for s in after.segments] == [FIRST, RIGHT]
    assert [s.reviewed for s in after.segments] == [False, True]
    word = after.segments[1].words[0]
    assert word.word.strip() == "Ognuno" and abs(word.start - ONSET) <= 0.2, word

    # after a build: the search index and the public page
    demo = generate_demo(view.project)
    from lgnet.index import build_index
    from lgnet.site import render_site

    build_index(demo.project, demo.archive, demo.transcripts, "pubblico")
    render_site(demo.project, demo.archive, "pubblico", media=demo.media)
    hits = search_index(view.project, "Ognuno")
    assert [h.id for h in hits] == [ITEM]
    site = view.project.site
    public = (site / "archivio" / ITEM / "index.html").read_text(encoding="utf-8")
    assert "Ognuno è libero di leggere" in public and "Ogni uno" not in public
    assert "Trascrizione revisionata in parte: 1 frase su 2" in public
    assert public.count('class="lgnet-revisionata"') == 1
    assert "lgnet-incerta" not in public  # the public build shows no confidence marks
    assert "Ognuno è libero" in " ".join((site / "media" / f"{ITEM}.vtt").read_text().split())

    # nothing of the correction view, or of the preview's reload, is in the site (the staff
    # guide's page explains the view and its address: words about it, not the view)
    traces = (
        "correzione.js", "correzione.css", "lgnet-correzione-dati", "data-lgc-", "lgnet-token",
        "ricarica.js", "/_lgnet/", TOKEN,
    )  # fmt: skip
    found = [
        f"{path.relative_to(site)}: {trace}"
        for path in sorted(site.rglob("*"))
        if path.is_file()
        for trace in traces
        if trace.encode() in path.read_bytes()
    ]
    assert found == []


def test_a_file_changed_meanwhile_is_shown_beside_the_edit_not_overwritten(
    new_page: Any, view: View
) -> None:
    page = open_view(new_page, view).page
    page.get_by_label("Testo del sottotitolo 2").fill(RIGHT)
    other = view.files.vtt.read_text().replace("cresta sud.", "cresta nord.")
    view.files.vtt.write_text(other)  # another editor saves meanwhile
    page.get_by_role("button", name="Salva le correzioni").click()
    conflict = page.locator("[data-lgc-conflitto]")
    conflict.wait_for(state="visible")
    assert "non è stato sovrascritto" in page.get_by_role("alert").inner_text()
    assert "Ognuno è libero" in conflict.locator("[data-lgc-mia]").inner_text()
    assert "cresta nord." in conflict.locator("[data-lgc-disco]").inner_text()
    assert view.files.vtt.read_text() == other
    assert page.evaluate("document.activeElement.id") == "lgc-conflitto-titolo"
    # reloading takes the file on disk; the edit has to be made again
    page.get_by_role("button", name="Ricarica la versione sul disco").click()
    conflict.wait_for(state="hidden")
    assert "cresta nord." in page.get_by_label("Testo del sottotitolo 1").input_value()


def test_the_view_has_no_accessibility_violations(new_page: Any, view: View) -> None:
    from axe_playwright_python.sync_playwright import Axe

    page = open_view(new_page, view).page
    axe = Axe()
    problems = serious(axe.run(page))
    assert not problems, "\n".join(problems)
    # with an error shown, a cue confirmed and a word selected
    page.get_by_role("button", name="Confermo").first.click()
    page.keyboard.press("F4")
    payload = json.dumps({"errore": "prova"})
    page.evaluate(
        "p => { const e = document.querySelector('[data-lgc-errore]'); "
        "e.textContent = JSON.parse(p).errore; e.hidden = false; }",
        payload,
    )
    problems = serious(axe.run(page))
    assert not problems, "\n".join(problems)
    # the list of recordings
    page.goto(f"http://127.0.0.1:{view.running.port}/_correzione/?token={TOKEN}")
    problems = serious(axe.run(page))
    assert not problems, "\n".join(problems)


def test_the_catalogue_filters_fully_reviewed_recordings(new_page: Any, demo_site: Any) -> None:
    page = new_page().page
    page.goto(demo_site.page_url("archivio/"))
    page.wait_for_selector("[data-lgnet-filtri][data-pronto]")
    page.get_by_label("Trascrizione").select_option("revisionata")
    shown = page.locator(".lgnet-scheda:not([hidden]) .lgnet-scheda__titolo").all_inner_texts()
    assert shown == ["Workshop sull'abitare"]  # the demo's one transcript reviewed throughout
    assert "trascrizione=revisionata" in page.url
    assert page.locator("[data-lgnet-conteggio]").inner_text() == "1 registrazione su 3"


def test_split_merge_and_nudge_a_cue(new_page: Any, view: View) -> None:
    page = open_view(new_page, view).page
    first = page.get_by_label("Testo del sottotitolo 1")
    at = FIRST.index("lungo")
    first.focus()
    page.evaluate(f"document.activeElement.setSelectionRange({at}, {at})")
    page.get_by_role("group", name="Sottotitolo 1").get_by_role(
        "button", name="Dividi al cursore"
    ).click()
    texts = [a.input_value() for a in page.locator("li.lgc-cue textarea").all()]
    assert texts == ["Dal passo si sale sulla vetta", "lungo la cresta sud.", HEARD]
    # the second piece starts where the model heard "lungo"
    assert page.locator(".lgc-cue__tempo").nth(1).inner_text().startswith("0:02,8")
    assert page.evaluate("document.activeElement.id") == "lgc-testo-1"
    assert "2 sottotitoli modificati" in page.locator("[data-lgc-modifiche]").inner_text()
    group = page.get_by_role("group", name="Sottotitolo 1")
    group.get_by_role("button", name="Unisci al successivo").click()
    texts = [a.input_value() for a in page.locator("li.lgc-cue textarea").all()]
    assert texts == [FIRST, HEARD]
    page.get_by_role("group", name="Sottotitolo 2").get_by_role(
        "button", name="Ritarda la fine di 0,1 secondi"
    ).click()
    page.locator("[data-lgc-esito]", has_text="Fine del sottotitolo 2: 0:08,5").wait_for()
    assert page.locator(".lgc-cue__stato").nth(1).inner_text().endswith("modificato, da salvare")
    # undone: the page is back to the file on disk
    page.get_by_role("button", name="Annulla le modifiche non salvate").click()
    assert "Nessuna modifica da salvare." in page.locator("[data-lgc-modifiche]").inner_text()
