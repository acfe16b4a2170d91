"""Review status on the site: the recording page says how much a person reviewed and marks
which passages; the operators' build marks the words the model was unsure of (the public one
does not); the catalogue filters by how far the transcript is reviewed."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from lgnet.project import Project
from lgnet.transcripts import TranscriptFiles, Word, read_transcript, write_transcript
from tests.test_pages import AUDIO_ID, VIDEO_ID, XSS_ID, generate_demo, make_demo_project

UNSURE = "itineranti"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    base = tmp_path_factory.mktemp("revisione")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LGNET_CACHE_DIR", str(base / "cache"))
        project = make_demo_project(base / "project", base / "media")
        path = TranscriptFiles(project.transcripts, VIDEO_ID).json
        transcript = read_transcript(path)
        # two sentences reviewed by a person; the model unsure of one word of another
        for n in (0, 1):
            transcript.segments[n].reviewed = True
        seg = transcript.segments[4]
        tokens = seg.text.split()
        step = (seg.end - seg.start) / len(tokens)
        seg.words = [
            Word(
                seg.start + k * step,
                seg.start + (k + 1) * step,
                " " + token,
                0.3 if UNSURE in token else 0.9,
            )
            for k, token in enumerate(tokens)
        ]
        write_transcript(project.transcripts, transcript)
        yield project


_generated: dict[tuple[Project, str], dict[str, str]] = {}


def recording_page(project: Project, audience: str, item_id: str = VIDEO_ID) -> str:
    """The generated page (each audience's pages are generated once: the folder is shared)."""
    if (project, audience) not in _generated:
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("LGNET_CACHE_DIR", str(project.root.parent / "cache"))
            generate_demo(project, audience)
        folder = project.docs / "archivio"
        _generated[(project, audience)] = {
            str(path.relative_to(folder)): path.read_text(encoding="utf-8")
            for path in folder.rglob("index.md")
        }
    return _generated[(project, audience)][f"{item_id}/index.md"]


def passages(page: str) -> list[str]:
    return re.findall(r"<li(?: class=\"[^\"]*\")?><a class=\"lgnet-tempo\".*?</li>", page)


def test_the_page_says_how_much_is_reviewed_and_marks_which(project: Project) -> None:
    page = recording_page(project, "pubblico")
    assert "<strong>Trascrizione revisionata in parte: 2 frasi su 8</strong>" in page
    assert "Le frasi revisionate sono segnate con ✓." in page
    rows = passages(page)
    assert len(rows) == 8
    marked = [n for n, row in enumerate(rows) if 'class="lgnet-revisionata"' in row]
    assert marked == [0, 1]
    # a symbol and words for screen readers, outside the passage's own text (citations)
    assert '<span class="lgnet-sr">frase revisionata</span>' in rows[0]
    assert re.search(
        r'<span class="lgnet-passaggio">[^<]*</span> <span class="lgnet-segno', rows[1]
    )
    # the public build shows no doubts of the model
    assert "lgnet-incerta" not in page
    # the metadata tell the same
    assert page.count("revisionata in parte: 2 frasi su 8") == 2


def test_a_fully_reviewed_or_automatic_transcript_marks_no_passage(project: Project) -> None:
    reviewed = recording_page(project, "pubblico", AUDIO_ID)
    assert "Trascrizione revisionata da una persona" in reviewed
    automatic = recording_page(project, "pubblico", XSS_ID)
    assert "Trascrizione automatica" in automatic
    for page in (reviewed, automatic):
        assert "lgnet-revisionata" not in page and "segnate con ✓" not in page


def test_the_operators_build_marks_uncertain_words(project: Project) -> None:
    page = recording_page(project, "operatori")
    rows = passages(page)
    assert [n for n, row in enumerate(rows) if "lgnet-incerta" in row] == [4]
    note = "Parola incerta: da verificare ascoltando"
    assert f'<span class="lgnet-incerta" title="{note}">{UNSURE}</span>' in rows[4]
    # the words around it are the passage's text, unchanged
    text = re.sub(r"<[^>]+>", "", rows[4].split('class="lgnet-passaggio">', 1)[1])
    assert text.startswith("Le équipe itineranti raggiungono chi non arriva ai servizi.")


def test_the_catalogue_filters_by_review(project: Project) -> None:
    recording_page(project, "pubblico")
    catalogue = _generated[(project, "pubblico")]["index.md"]
    assert '<label for="lgnet-filtro-trascrizione">Trascrizione</label>' in catalogue
    options = re.findall(r'<option value="(revisionata|parziale|automatica)">([^<]+)<', catalogue)
    assert options == [
        ("revisionata", "Revisionate da una persona"),
        ("parziale", "Revisionate in parte"),
        ("automatica", "Solo automatiche"),
    ]
    by_item = {
        href.rstrip("/").split("/")[-1]: state
        for state, href in re.findall(
            r'<li class="lgnet-scheda"[^>]*data-trascrizione="(\w*)".*?<a href="([^"]+)"',
            catalogue,
            re.DOTALL,
        )
    }
    assert by_item == {VIDEO_ID: "parziale", AUDIO_ID: "revisionata", XSS_ID: "automatica"}
