"""Training paths: validation, and `lgnet pack` producing every file with matching time codes."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from docx import Document

from lgnet.archive import load_archive
from lgnet.errors import LgnetError, ValidationError
from lgnet.media import probe
from lgnet.paths import load_paths, pack
from lgnet.project import Project
from lgnet.transcripts import parse_vtt

from .conftest import copy_project

SLUG = "sportello-unico-e-abitare"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return copy_project(tmp_path_factory.mktemp("paths") / "p")


def test_the_demo_path_is_valid_and_spans_three_cities(repo: Project) -> None:
    archive = load_archive(repo)
    paths, problems = load_paths(repo, archive)
    assert problems == []
    cities = {archive.items[e.item].city for e in paths[SLUG].excerpts} - {"rete"}
    assert len(cities) >= 3


def test_pack_contains_every_file_and_the_sheet_matches_the_clips(demo: Project) -> None:
    result = pack(demo, SLUG)
    names = sorted(p.name for p in result.files)
    path = load_paths(demo, load_archive(demo))[0][SLUG]
    for n, excerpt in enumerate(path.excerpts, start=1):
        stem = f"{n:02d}-{excerpt.item}"
        media = next(p for p in result.files if p.stem == stem)
        assert {f"{stem}.vtt", f"{stem}.srt", f"{stem}.citazione.txt"} <= set(names)
        assert probe(media).duration == pytest.approx(excerpt.end - excerpt.start, abs=0.1)
        cues = parse_vtt((result.folder / f"{stem}.vtt").read_text())
        assert cues and cues[0].start < 2.0 and cues[-1].end <= excerpt.end - excerpt.start + 0.01
    sheet = (result.folder / "scheda.md").read_text()
    ranges = re.findall(r"Dalla registrazione:\*\* (\d+:\d\d)–(\d+:\d\d)", sheet)
    assert ranges == [("0:21", "0:43"), ("0:00", "0:30"), ("0:00", "0:25"), ("0:00", "0:20")]
    assert "Nota per chi forma" in sheet and "Licenza: CC0-1.0" in sheet
    docx_text = "\n".join(p.text for p in Document(str(result.folder / "scheda.docx")).paragraphs)
    assert "Dalla registrazione: 0:21–0:43" in docx_text
    with zipfile.ZipFile(result.zip) as zf:
        assert sorted(Path(n).name for n in zf.namelist()) == names


def test_redactions_are_honoured_in_the_pack(demo: Project) -> None:
    result = pack(demo, SLUG)
    sheet = (result.folder / "scheda.md").read_text()
    assert "333" not in sheet and "chiocciola" not in sheet


def test_unknown_or_unpublishable_items_are_reported(demo: Project) -> None:
    bad = demo.paths_dir / "sbagliato.yml"
    bad.write_text(
        "title: x\naudience: pubblico\nexcerpts:\n"
        "  - {item: genova-testimonianza-riservata, start: 0, end: 5}\n"
        "  - {item: non-esiste, start: 0, end: 5}\n"
    )
    backwards = demo.paths_dir / "rovescio.yml"
    backwards.write_text("title: x\nexcerpts: [{item: palermo-safe-space, start: 9, end: 5}]\n")
    try:
        problems = load_paths(demo, load_archive(demo))[1]
        lines = [str(p) for p in problems]
        assert any(
            "'excerpts[0].item': 'genova-testimonianza-riservata' non è pubblicabile" in x
            for x in lines
        )
        assert any("'excerpts[1].item': registrazione sconosciuta 'non-esiste'" in x for x in lines)
        assert any("la fine dell'estratto deve venire dopo l'inizio" in x for x in lines)
        with pytest.raises(ValidationError):
            pack(demo, SLUG)
    finally:
        bad.unlink()
        backwards.unlink()
    with pytest.raises(LgnetError, match="percorso sconosciuto: nessuno-cosi"):
        pack(demo, "nessuno-cosi")
