"""The area pages (`/modello/<area>/`): every city of the network compared on the area.

The rows come from the sheets' sourced `area_activities` entries ("da completare" where there
is none) and link to the moments that show them, only for recordings the build publishes. The
demo site (tests/test_pages.py) is built once for the module: the repository's sheets and
pages with the demo recordings, so Perugia's entries cite a recording that is not in it and
Bologna has only an operators' recording on "abitare". The checks of `lgnet check` run on one copy
of the repository with one entry broken at a time (restored after each test).
"""

from __future__ import annotations

import html.parser
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from lgnet.archive import AREAS, NETWORK, Archive, load_archive
from lgnet.evidence import check_evidence
from lgnet.knowledge import TO_COMPLETE, check_knowledge, load_sheets
from lgnet.pages.context import Includer, SiteContext, load_knowledge
from lgnet.pages.snippets import area_snippet
from lgnet.project import Project
from tests.conftest import copy_project
from tests.test_pages import (
    AUDIO_ID,
    OPERATORS_ID,
    PUBLIC_IDS,
    SECRET_WORD,
    VIDEO_ID,
    XSS_ID,
    DemoBuild,
)


@pytest.fixture(scope="module")
def built(demo_build: DemoBuild) -> DemoBuild:
    return demo_build


# --- reading the built table -------------------------------------------------------------------


@dataclass
class Cell:
    tag: str
    attrs: dict[str, str]
    text: str = ""
    links: list[str] = field(default_factory=list)


@dataclass
class Table:
    region: dict[str, str]
    table: dict[str, str]
    head: list[Cell]
    rows: list[list[Cell]]


class _TableParser(html.parser.HTMLParser):
    """The comparison table of an area page: its region, header cells and rows."""

    def __init__(self) -> None:
        super().__init__()
        self.region: dict[str, str] = {}
        self.table: dict[str, str] = {}
        self.head: list[Cell] = []
        self.rows: list[list[Cell]] = []
        self.depth = 0  # inside the region's <div>: nesting of <div>s
        self.section = ""
        self.cell: Cell | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "div" and "lgnet-confronto" in a.get("class", "").split():
            self.region, self.depth = a, 1
            return
        if not self.depth:
            return
        if tag == "div":
            self.depth += 1
        elif tag == "table":
            self.table = a
        elif tag in ("thead", "tbody"):
            self.section = tag
        elif tag == "tr" and self.section == "tbody":
            self.rows.append([])
        elif tag in ("th", "td"):
            self.cell = Cell(tag, a)
            (self.head if self.section == "thead" else self.rows[-1]).append(self.cell)
        elif tag == "a" and self.cell is not None:
            self.cell.links.append(a.get("href", ""))

    def handle_endtag(self, tag: str) -> None:
        if self.depth and tag == "div":
            self.depth -= 1
        elif tag in ("th", "td"):
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.text += data


def page_path(built: DemoBuild, area: str) -> Path:
    return built.project.site / "modello" / area / "index.html"


def read_table(built: DemoBuild, area: str) -> Table:
    parser = _TableParser()
    parser.feed(page_path(built, area).read_text(encoding="utf-8"))
    assert parser.region, f"{area}: no comparison table"
    return Table(parser.region, parser.table, parser.head, parser.rows)


def rows_by_city(table: Table) -> dict[str, list[Cell]]:
    return {" ".join(row[0].text.split()): row for row in table.rows}


def city_names(archive: Archive) -> list[str]:
    return [c.name for slug, c in archive.cities.items() if slug != NETWORK]


def resolve(page: Path, href: str) -> Path:
    target = (page.parent / unquote(urlsplit(href).path)).resolve()
    return target / "index.html" if target.is_dir() else target


def recording_id(href: str) -> str | None:
    found = re.search(r"(?:^|/)archivio/([a-z0-9-]+)/", href)
    return found[1] if found else None


# --- the table ---------------------------------------------------------------------------------


@pytest.mark.parametrize("area", AREAS)
def test_one_row_per_city_of_the_network(built: DemoBuild, area: str) -> None:
    table = read_table(built, area)
    names = [" ".join(row[0].text.split()) for row in table.rows]
    assert sorted(names) == sorted(city_names(built.archive))
    assert len(names) == 18 and "Rete LGNet (nazionale)" not in names
    assert [len(row) for row in table.rows] == [4] * 18


@pytest.mark.parametrize("area", AREAS)
def test_table_is_labelled_with_scoped_headers_in_a_focusable_region(
    built: DemoBuild, area: str
) -> None:
    table = read_table(built, area)
    label = table.region["aria-labelledby"]
    assert table.region["role"] == "region" and table.region["tabindex"] == "0"
    assert table.table["aria-labelledby"] == label
    text = page_path(built, area).read_text(encoding="utf-8")
    heading = re.search(rf'<h3 id="{label}">([^<]+)', text)
    assert heading and heading[1].strip() == "Che cosa fa ogni città"
    assert [c.text for c in table.head] == [
        "Città",
        "Che cosa fa in questo ambito",
        "Nelle registrazioni",
        "Stato",
    ]
    assert all(c.tag == "th" and c.attrs.get("scope") == "col" for c in table.head)
    assert all(row[0].tag == "th" and row[0].attrs.get("scope") == "row" for row in table.rows)


def test_documented_rows_show_the_sheet_entry_and_its_source(built: DemoBuild) -> None:
    sheets, problems = load_sheets(built.project)
    assert problems == []
    for area in AREAS:
        rows = rows_by_city(read_table(built, area))
        for slug, sheet in sheets.items():
            row = rows[built.archive.city_name(slug)]
            activity = sheet.area_activity(area)
            status = " ".join(row[3].text.split())
            if activity is None:
                assert status == TO_COMPLETE, (area, slug)
                continue
            assert status == "documentato", (area, slug)
            # the sheet's words (never a fact the sources do not give), then the source
            assert " ".join(row[1].text.split()).startswith(activity.value), (area, slug)
            assert any(href.startswith("../../fonti/#") for href in row[1].links)
    presa = rows_by_city(read_table(built, "presa-in-carico"))
    assert {c for c, r in presa.items() if r[3].text == "documentato"} == {"Palermo", "Perugia"}
    assert "one stop shop" in presa["Palermo"][1].text


def test_cities_without_a_sourced_entry_are_to_complete(built: DemoBuild) -> None:
    civic = read_table(built, "impegno-civico")
    assert all(row[3].text == TO_COMPLETE for row in civic.rows)
    assert all(row[1].text == "non ancora descritto" for row in civic.rows)
    abitare = rows_by_city(read_table(built, "abitare"))
    assert abitare["Perugia"][3].text == "documentato"
    assert abitare["Palermo"][3].text == TO_COMPLETE  # Palermo's sources say "presa in carico"
    page = page_path(built, "impegno-civico").read_text(encoding="utf-8")
    assert "nessuna delle 18 città della rete" in page


@pytest.mark.parametrize("area", AREAS)
def test_city_links_resolve_to_their_sheets(built: DemoBuild, area: str) -> None:
    page = page_path(built, area)
    slugs = {c.name: slug for slug, c in built.archive.cities.items()}
    for row in read_table(built, area).rows:
        name = " ".join(row[0].text.split())
        assert row[0].links == [f"../../citta/{slugs[name]}/"], name
        assert resolve(page, row[0].links[0]).is_file(), name
    for row in read_table(built, area).rows:
        for href in [h for cell in row[1:] for h in cell.links]:
            assert resolve(page, href).is_file(), href


@pytest.mark.parametrize("area", AREAS)
def test_recording_links_point_to_published_items_only(built: DemoBuild, area: str) -> None:
    page = page_path(built, area)
    text = page.read_text(encoding="utf-8")
    assert OPERATORS_ID not in text and SECRET_WORD not in text
    for row in read_table(built, area).rows:
        for href in row[2].links:
            item_id = recording_id(href)
            assert item_id in PUBLIC_IDS, href
            assert resolve(page, href).is_file(), href


def test_moments_link_with_their_time_and_missing_items_are_left_out(built: DemoBuild) -> None:
    presa = rows_by_city(read_table(built, "presa-in-carico"))
    palermo = presa["Palermo"][2]
    # the entry's two evidence lines: the demo's Palermo recording, at the cited moments
    assert palermo.links == [
        f"../../archivio/{VIDEO_ID}/",
        f"../../archivio/{VIDEO_ID}/#t=9.4,20",
        f"../../archivio/{VIDEO_ID}/#t=20.3,23.4",
    ]
    assert "ascolta 0:09–0:20" in palermo.text
    # Perugia cites perugia-emergenza-abitativa, which the demo does not have: no link to it
    assert presa["Perugia"][2].links == [] and presa["Perugia"][2].text == "nessuna"
    abitare = rows_by_city(read_table(built, "abitare"))
    # recordings of the city on the area, with no cited moment: the page
    assert abitare["Roma"][2].links == [f"../../archivio/{AUDIO_ID}/"]
    assert abitare["Napoli"][2].links == [f"../../archivio/{XSS_ID}/"]
    assert "<script>" in abitare["Napoli"][2].text  # the hostile title, as text
    # Bologna's only recording on "abitare" is for operators: not in the public page
    assert abitare["Bologna"][2].links == [] and abitare["Bologna"][3].text == TO_COMPLETE


def test_operators_rows_list_the_operators_recordings(built: DemoBuild) -> None:
    """The same snippet for the operators' audience: their recording is in Bologna's row."""

    def bologna_recordings(audience: str) -> list[str]:
        items = built.archive.published(audience)
        sheets, sources = load_knowledge(built.project)
        site = SiteContext(
            project=built.project,
            archive=built.archive,
            audience=audience,
            items=items,
            transcripts={},
            media={},
            sheets=sheets,
            sources=sources,
        )
        snippet = area_snippet(site, "abitare", Includer("modello", is_index=False))
        row = next(r for r in snippet.rows if r.city.text == "Bologna")
        return [r.link.url or "" for r in row.recordings]

    assert bologna_recordings("operatori") == [f"../archivio/{OPERATORS_ID}/index.md"]
    assert bologna_recordings("pubblico") == []


def test_recordings_list_stays_below_the_table(built: DemoBuild) -> None:
    text = page_path(built, "abitare").read_text(encoding="utf-8")
    table_end = text.index("</table>")
    below = text[table_end:]
    assert below.index('id="registrazioni-su-questo-ambito"') < below.index("lgnet-elenco__meta")
    for item_id in (AUDIO_ID, XSS_ID):
        assert f'href="../../archivio/{item_id}/"' in below
    assert "2 registrazioni pubblicate" in below


def test_the_hand_written_text_links_to_the_table(built: DemoBuild) -> None:
    for area in AREAS:
        text = page_path(built, area).read_text(encoding="utf-8")
        assert 'href="#citta-a-confronto"' in text and 'id="citta-a-confronto"' in text


# --- lgnet check on the entries ---------------------------------------------------------------

PERUGIA = "docs/citta/perugia.md"
ABITARE_SOURCES = (  # Perugia's "abitare" entry, from its sources to its first evidence line
    "    sources: [comune-perugia-2023-04-19-lgnet2]\n    evidence: |\n"
    '      [[prova: perugia-emergenza-abitativa 15.2-26.1 "Il lavoro'
)
ABITARE_QUOTE = '15.2-26.1 "Il lavoro si è concentrato sulle risposte all\'emergenza abitativa"'


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """One copy of the repository for the module (media probed once); tests restore it."""
    return copy_project(tmp_path_factory.mktemp("voci") / "p")


def check(project: Project) -> list[str]:
    """What `lgnet check` says about the sheets and their evidence lines (the CLI itself: the
    bad-input corpus, tests/bad_input/cases.yml)."""
    archive = load_archive(project, strict=False)
    return [str(p) for p in check_knowledge(project, archive) + check_evidence(project, archive)]


def broken(project: Project, old: str, new: str, path: str = PERUGIA) -> list[str]:
    """`check` with `old` replaced by `new` in `path` (then put back)."""
    target = project.root / path
    text = target.read_text(encoding="utf-8")
    assert old in text, old
    target.write_text(text.replace(old, new, 1), encoding="utf-8")
    try:
        return check(project)
    finally:
        target.write_text(text, encoding="utf-8")


def test_the_repository_entries_are_valid_and_cite_public_moments(workspace: Project) -> None:
    assert check(workspace) == []
    sheets, _ = load_sheets(workspace)
    documented = {
        (slug, area) for slug, s in sheets.items() for area in AREAS if s.area_activity(area)
    }
    assert documented == {
        ("perugia", "abitare"),
        ("perugia", "presa-in-carico"),
        ("palermo", "presa-in-carico"),
    }
    for slug, area in documented:
        activity = sheets[slug].area_activity(area)
        assert activity is not None and activity.sources and activity.moments()


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param(
            "  presa-in-carico:\n    value:",
            "  presa-in-cario:\n    value:",
            f"{PERUGIA}: 'area_activities.presa-in-cario': ambito sconosciuto 'presa-in-cario' "
            "(forse 'presa-in-carico'?)",
            id="unknown-area",
        ),
        pytest.param(
            ABITARE_SOURCES,
            ABITARE_SOURCES.replace("[comune-perugia-2023-04-19-lgnet2]", "[]"),
            f"{PERUGIA}: 'area_activities.abitare.sources': ogni valore deve citare almeno una "
            "fonte",
            id="empty-sources",
        ),
        pytest.param(
            ABITARE_SOURCES,
            ABITARE_SOURCES.replace("    sources: [comune-perugia-2023-04-19-lgnet2]\n", ""),
            f"{PERUGIA}: 'area_activities.abitare.sources': chiave obbligatoria mancante",
            id="no-sources-key",
        ),
        pytest.param(
            ABITARE_SOURCES,
            ABITARE_SOURCES.replace("comune-perugia-2023-04-19-lgnet2", "comune-perugia-2023"),
            f"{PERUGIA}: 'area_activities.abitare.sources': fonte sconosciuta "
            "'comune-perugia-2023': forse 'comune-perugia-2023-04-19-lgnet2'?",
            id="unknown-source",
        ),
        pytest.param(
            "areas:\n  value: [abitare, presa-in-carico]",
            "areas:\n  value: [presa-in-carico]",
            f"{PERUGIA}: 'area_activities.abitare': la scheda descrive l'ambito 'abitare' ma "
            "'areas' non lo elenca",
            id="area-not-in-areas",
        ),
        pytest.param(
            f"[[prova: perugia-emergenza-abitativa {ABITARE_QUOTE}]]",
            f"perugia-emergenza-abitativa {ABITARE_QUOTE}",
            f"{PERUGIA}: 'area_activities.abitare.evidence': riga non valida",
            id="evidence-line-without-brackets",
        ),
        pytest.param(
            "area_activities:\n",
            "area_activities:\n  impegno-civico: qualche progetto\n",
            f"{PERUGIA}: 'area_activities.impegno-civico': scrivere 'da completare' oppure il "
            "valore",
            id="bare-value",
        ),
    ],
)
def test_check_names_the_file_and_key_of_a_bad_entry(
    workspace: Project, old: str, new: str, expected: str
) -> None:
    problems = broken(workspace, old, new)
    assert len(problems) == 1, problems
    assert problems[0].startswith(expected), problems


def test_check_reads_the_evidence_lines_like_any_other_citation(workspace: Project) -> None:
    """A wrong quote or a non-public recording in an entry: file and line, as in the body."""
    wrong = broken(workspace, ABITARE_QUOTE, '15.2-26.1 "il lavoro è finito"')
    assert len(wrong) == 1 and re.match(rf"{PERUGIA}:\d+: le parole «il lavoro è finito»", wrong[0])
    hidden = broken(
        workspace,
        f"perugia-emergenza-abitativa {ABITARE_QUOTE}",
        "bolzano-nota-operatori 1",
    )
    assert len(hidden) == 1 and "'bolzano-nota-operatori' non è pubblica" in hidden[0], hidden


def test_an_entry_left_to_complete_is_no_problem(workspace: Project) -> None:
    to_complete = "area_activities:\n  impegno-civico: da completare\n"
    assert broken(workspace, "area_activities:\n", to_complete) == []
    # no entries at all: every area is "da completare"
    sheet = workspace.docs / "citta" / "perugia.md"
    text = sheet.read_text(encoding="utf-8")
    end = text.index("\n---\n", 4)
    entries = text[text.index("\narea_activities:") : end]
    assert broken(workspace, entries, "") == []
    sheet.write_text(text.replace(entries, "", 1), encoding="utf-8")
    try:
        sheets, problems = load_sheets(workspace)
    finally:
        sheet.write_text(text, encoding="utf-8")
    assert problems == [] and all(sheets["perugia"].area_activity(a) is None for a in AREAS)
