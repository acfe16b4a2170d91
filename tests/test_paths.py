"""Training paths: validation, and `lgnet pack` producing every file with matching time codes."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest
from docx import Document

from lgnet.archive import load_archive
from lgnet.clip import time_label
from lgnet.corrections import parse_vtt
from lgnet.errors import LgnetError, ValidationError
from lgnet.media import probe
from lgnet.outputs import OutputError
from lgnet.paths import TrainingPath, _sheet_docx, _sheet_markdown, load_paths, pack
from lgnet.project import Project

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
        stem = f"{n:02d}_{excerpt.item}_{time_label(excerpt.start, excerpt.end)}"
        media = next(p for p in result.files if p.stem == stem)
        assert {f"{stem}.vtt", f"{stem}.srt", f"{stem}.citazione.txt"} <= set(names)
        assert probe(media).duration == pytest.approx(excerpt.end - excerpt.start, abs=0.1)
        cues = parse_vtt((result.folder / f"{stem}.vtt").read_text())
        assert cues and cues[0].start < 2.0 and cues[-1].end <= excerpt.end - excerpt.start + 0.01
    sheet = (result.folder / "scheda.md").read_text()
    ranges = re.findall(r"Dalla registrazione:\*\* (\d+:\d\d)–(\d+:\d\d)", sheet)
    assert ranges == [("0:21", "0:43"), ("0:00", "0:30"), ("0:00", "0:25"), ("0:00", "0:20")]
    assert "Nota per chi forma" in sheet and "Licenza: CC0-1.0" in sheet
    assert "01_rete-workshop-one-stop-shop_00m21s-00m43s.mp4" not in names  # audio: .m4a
    assert "01_rete-workshop-one-stop-shop_00m21s-00m43s.m4a" in names
    assert "02_palermo-safe-space_00m00s-00m30s.mp4" in names
    # no site address in the demo's mkdocs.yml: the links are relative, and the sheet says so
    assert "(indirizzo del sito non indicato: link relativo)" in sheet
    # The demo's narrations: their script aligned to the audio, said as such (not "automatic").
    aligned = "testo della narrazione sintetica allineato all'audio"
    assert sheet.count(f"**Trascrizione** ({aligned})") == 4
    assert "trascrizione automatica" not in sheet
    docx_text = "\n".join(p.text for p in Document(str(result.folder / "scheda.docx")).paragraphs)
    assert "Dalla registrazione: 0:21–0:43" in docx_text
    assert f"Trascrizione ({aligned})" in docx_text
    with zipfile.ZipFile(result.zip) as zf:
        assert sorted(Path(n).name for n in zf.namelist()) == names


def test_redactions_are_honoured_in_the_pack(demo: Project) -> None:
    result = pack(demo, SLUG, overwrite=True)  # the pack made above is replaced, when told
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


BREVE = "breve"


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """A copy of the project with a one-excerpt path (2 s): quick to pack again and again."""
    project = copy_project(tmp_path_factory.mktemp("small") / "p")
    (project.paths_dir / f"{BREVE}.yml").write_text(
        "title: Breve\nexcerpts: [{item: palermo-safe-space, start: 0, end: 2, note: Nota}]\n"
    )
    return project


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_pack_never_empties_a_folder_holding_someone_elses_files(
    small: Project, tmp_path: Path
) -> None:
    folder = tmp_path / "aula"
    folder.mkdir()
    (folder / "appunti.docx").write_bytes(b"lavoro di una persona")
    with pytest.raises(OutputError, match=r"la cartella .*aula contiene già altri file"):
        pack(small, BREVE, folder, overwrite=True)
    assert tree(folder) == {"appunti.docx": b"lavoro di una persona"}
    assert not (tmp_path / "aula.zip").exists()


def test_a_pack_made_again_keeps_a_persons_file(small: Project, tmp_path: Path) -> None:
    folder = tmp_path / "corso"
    first = pack(small, BREVE, folder)
    assert (folder / ".lgnet-output.json").exists() and first.zip == tmp_path / "corso.zip"
    (folder / "appunti.txt").write_text("domande per l'aula")
    with pytest.raises(
        OutputError, match=r"01_palermo-safe-space_00m00s-00m02s\.mp4: il file esiste già"
    ):
        pack(small, BREVE, folder)
    again = pack(small, BREVE, folder, overwrite=True)
    assert (folder / "appunti.txt").read_text() == "domande per l'aula"
    assert "appunti.txt" not in {p.name for p in again.files}
    with zipfile.ZipFile(again.zip) as zf:
        names = sorted(Path(n).name for n in zf.namelist())
    assert names == sorted(p.name for p in again.files) and "appunti.txt" not in names
    assert ".lgnet-output.json" not in names


def test_the_zip_next_to_the_pack_is_not_overwritten_unless_told(
    small: Project, tmp_path: Path
) -> None:
    (tmp_path / "lezione.zip").write_bytes(b"zip di una persona")
    with pytest.raises(OutputError, match=r"lezione\.zip: il file esiste già; usare --overwrite"):
        pack(small, BREVE, tmp_path / "lezione")
    assert not (tmp_path / "lezione").exists()  # refused before anything was written
    assert (tmp_path / "lezione.zip").read_bytes() == b"zip di una persona"


def test_the_cli_refuses_the_archive_and_the_project_root(
    small: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from lgnet.cli import main

    monkeypatch.chdir(small.root)
    before = tree(small.archive)
    for target, why in (("archive", "è dentro archive/"), (".", "è la cartella del progetto")):
        result = CliRunner().invoke(main, ["pack", BREVE, "-o", target, "--overwrite"])
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output and why in result.output
        assert len(result.output.strip().splitlines()) == 1
    assert tree(small.archive) == before
    assert not (small.root / "p.zip").exists() and not (small.root / "archive.zip").exists()
    ok = CliRunner().invoke(main, ["pack", BREVE])
    assert ok.exit_code == 0, ok.output
    assert (small.root / "packs" / BREVE / "scheda.docx").exists()
    assert CliRunner().invoke(main, ["pack", BREVE]).exit_code == 1
    assert CliRunner().invoke(main, ["pack", BREVE, "--overwrite"]).exit_code == 0


def test_control_characters_in_a_path_are_reported_with_file_and_key(small: Project) -> None:
    bad = small.paths_dir / "controllo.yml"
    bad.write_text(
        'title: "Percorso\\a"\n'
        'excerpts: [{item: palermo-safe-space, start: 0, end: 2, note: "a\\x0bb"}]\n'
    )
    try:
        lines = [str(p) for p in load_paths(small, load_archive(small))[1]]
        assert any(x.startswith("archive/paths/controllo.yml: 'title': ") for x in lines), lines
        assert any("'excerpts[0].note': " in x and "U+000B" in x for x in lines), lines
        assert all("U+0007" in x or "U+000B" in x for x in lines), lines
    finally:
        bad.unlink()


def test_control_characters_in_a_transcript_do_not_break_the_sheets(
    small: Project, tmp_path: Path
) -> None:
    json_path = small.transcripts / "palermo-safe-space.json"
    original = json_path.read_text(encoding="utf-8")
    data = json.loads(original)
    data["segments"][0]["text"] = "Palermo\x0bspezzato\x07 qui " + data["segments"][0]["text"]
    json_path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    try:
        result = pack(small, BREVE, tmp_path / "sporco")
    finally:
        json_path.write_text(original, encoding="utf-8")
    docx_text = "\n".join(p.text for p in Document(str(result.folder / "scheda.docx")).paragraphs)
    assert "Palermo spezzato qui" in docx_text
    assert "Palermo spezzato qui" in (result.folder / "scheda.md").read_text()


def test_sheets_strip_control_characters_from_titles(small: Project, tmp_path: Path) -> None:
    path = TrainingPath.model_construct(
        slug="x", title="Titolo\x07", audience="pubblico", description="", excerpts=[]
    )
    row = dict.fromkeys(
        ("title", "file", "vtt", "range", "duration", "link", "note", "transcript", "citation"),
        "testo\x0bcon\x01controllo",
    )
    row |= {"status": "", "warning": ""}
    _sheet_docx(path, [row], tmp_path / "scheda.docx")
    paragraphs = [p.text for p in Document(str(tmp_path / "scheda.docx")).paragraphs]
    assert "Titolo" in paragraphs and "1. testo concontrollo" in paragraphs
    sheet = _sheet_markdown(small, load_archive(small), path, [row])
    assert "\x07" not in sheet and "\x0b" not in sheet and "# Titolo" in sheet


# --- ready to hand out: A4, clickable links, rights, burned-in captions ---------------------

SITE = "https://www.comune.example.it/lgnet/"


def test_the_docx_is_a4_with_working_hyperlinks(small: Project, tmp_path: Path) -> None:
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.shared import Mm

    result = pack(small, BREVE, tmp_path / "a4", site_url=SITE)
    doc = Document(str(result.folder / "scheda.docx"))
    section = doc.sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(1) and abs(section.page_height - Mm(297)) < Mm(1)
    targets = [
        rel.target_ref
        for rel in doc.part.rels.values()
        if rel.reltype == RELATIONSHIP_TYPE.HYPERLINK and rel.is_external
    ]
    link = f"{SITE}archivio/palermo-safe-space/#t=0"
    assert link in targets
    # the hyperlink elements point at those relationships, with the address as their text
    ns = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}
    rid = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    links = doc.element.body.findall(".//w:hyperlink", ns)
    assert links and all(doc.part.rels[h.get(rid)].target_ref.startswith(SITE) for h in links)
    assert any("".join(t.text for t in h.findall(".//w:t", ns)) == link for h in links)
    sheet = (result.folder / "scheda.md").read_text()
    assert f"<{link}>" in sheet and "link relativo" not in sheet
    citation = next(p for p in result.files if p.name.endswith(".citazione.txt")).read_text()
    assert f"Collegamento al momento: {link}" in citation


def test_a_bad_site_url_is_refused_before_anything_is_written(
    small: Project, tmp_path: Path
) -> None:
    with pytest.raises(LgnetError, match="--site-url: indirizzo non valido"):
        pack(small, BREVE, tmp_path / "x", site_url="www.comune.it")
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize(
    ("licence", "what"),
    [("CC-BY-NC-ND-4.0", "non consente opere derivate"), (None, "licenza non indicata")],
)
def test_a_licence_without_derivatives_or_none_is_a_warning(
    small: Project, tmp_path: Path, licence: str | None, what: str
) -> None:
    from click.testing import CliRunner

    from lgnet.cli import main

    item = small.archive / "items" / "palermo-safe-space.yml"
    original = item.read_text()
    lines = [x for x in original.splitlines() if not x.startswith("license:")]
    item.write_text("\n".join(lines + ([f"license: {licence}"] if licence else [])) + "\n")
    try:
        result = CliRunner().invoke(
            main, ["pack", BREVE, "-o", str(tmp_path / "d"), "--root", str(small.root)]
        )
    finally:
        item.write_text(original)
    assert result.exit_code == 0, result.output
    assert f"attenzione: palermo-safe-space: {'la licenza' if licence else 'licenza'}" in (
        result.output
    )
    assert what in result.output
    assert what in (tmp_path / "d" / "scheda.md").read_text()
    docx_text = "\n".join(p.text for p in Document(str(tmp_path / "d" / "scheda.docx")).paragraphs)
    assert what in docx_text


def test_pack_burn_burns_the_captions_into_video_excerpts(small: Project, tmp_path: Path) -> None:
    plain = pack(small, BREVE, tmp_path / "plain")
    burned = pack(small, BREVE, tmp_path / "burned", burn=True)
    name = "01_palermo-safe-space_00m00s-00m02s.mp4"
    assert (plain.folder / name).read_bytes() != (burned.folder / name).read_bytes()
