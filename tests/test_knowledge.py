"""The knowledge base: sources list, city sheets and the pages that cite them.

The first tests read the real files of the repository; the others copy the project into
`tmp_path`, break one thing, and check that `lgnet check` names the file, the key and the fix.
"""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from lgnet.archive import AREAS, NETWORK, load_archive
from lgnet.cli import main
from lgnet.errors import Problem
from lgnet.knowledge import (
    FIELD_LABELS,
    TO_COMPLETE,
    check_knowledge,
    load_sheet,
    load_sheets,
    load_sources,
    split_front_matter,
)
from lgnet.project import Project
from tests.conftest import REPO, copy_project

SNIPPET = re.compile(r'^--8<--\s+"([^"]+)"', re.MULTILINE)
SOURCE_LINK = re.compile(r"fonti\.md#([a-z0-9-]+)")


def problems(project: Project) -> list[Problem]:
    return check_knowledge(project, load_archive(project, strict=False))


def raw_front(path: Path) -> dict[str, object]:
    front, _ = split_front_matter(path.read_text(encoding="utf-8"))
    assert front is not None, path
    data = yaml.safe_load(front)
    assert isinstance(data, dict)
    return data


def sheet_path(project: Project, slug: str) -> Path:
    return project.docs / "citta" / f"{slug}.md"


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# --- the real knowledge base ---------------------------------------------------------------


def test_the_real_knowledge_base_has_no_problems(repo: Project) -> None:
    assert problems(repo) == []


def test_every_city_has_a_sheet_and_every_sheet_a_city(repo: Project) -> None:
    archive = load_archive(repo, strict=False)
    cities = {slug for slug in archive.cities if slug != NETWORK}
    sheets = {p.stem for p in (repo.docs / "citta").glob("*.md") if p.name != "index.md"}
    assert cities == sheets
    assert len(cities) == 18
    lgnet2 = {s for s, c in archive.cities.items() if "LGNet2" in c.programmes and s != NETWORK}
    assert len(lgnet2) == 16
    assert {s for s in cities if archive.cities[s].programmes == ["LGNetEA"]} == {
        "agrigento",
        "catania",
    }


def test_every_sheet_field_is_sourced_or_to_complete(repo: Project) -> None:
    """Read as plain YAML, independently of the pydantic model."""
    for path in sorted((repo.docs / "citta").glob("*.md")):
        if path.name == "index.md":
            continue
        front = raw_front(path)
        for key in FIELD_LABELS:
            value = front[key]
            if value == TO_COMPLETE:
                continue
            assert isinstance(value, dict), f"{path.name}: {key}"
            assert set(value) == {"value", "sources"}, f"{path.name}: {key}"
            assert value["value"] not in ("", [], None), f"{path.name}: {key}"
            assert value["sources"], f"{path.name}: {key} has no source"


def test_every_cited_source_exists_and_has_an_anchor(repo: Project) -> None:
    sources, source_problems = load_sources(repo)
    assert source_problems == []
    cited: set[str] = set()
    for path in sorted((repo.docs / "citta").glob("*.md")):
        if path.name == "index.md":
            continue
        front = raw_front(path)
        for key in FIELD_LABELS:
            value = front[key]
            if isinstance(value, dict):
                cited.update(value["sources"])
    for path in repo.docs.rglob("*.md"):
        if "_generato" not in path.parts:
            cited.update(SOURCE_LINK.findall(path.read_text(encoding="utf-8")))
    for term in yaml.safe_load(repo.glossary_file.read_text(encoding="utf-8")):
        cited.update(term.get("sources", []))
    assert cited <= set(sources)
    assert cited == set(sources), "every listed source is used somewhere"
    fonti = (repo.docs / "fonti.md").read_text(encoding="utf-8")
    for source_id in sources:
        assert f"{{#{source_id}}}" in fonti


def test_sources_list_reads_partial_dates_and_optional_publishers(repo: Project) -> None:
    sources, _ = load_sources(repo)
    assert len(sources) == 5
    assert sources["nova-2024-01-evento-conclusivo"].date == "2024-01"
    assert sources["nova-2024-01-evento-conclusivo"].publisher == "Agenzia Nova"
    assert sources["progetto-lgnetea"].date is None
    assert sources["workshop-lgnetea-2022-03-24"].publisher is None
    assert len({s.file for s in sources.values()}) == 5


def test_completeness_counts_the_fields_that_cite_a_source(repo: Project) -> None:
    sheets, sheet_problems = load_sheets(repo)
    assert sheet_problems == []
    palermo = sheets["palermo"]
    assert palermo.title == "Palermo"
    assert palermo.completeness() == (6, 7)
    assert palermo.missing() == ["Periodo di attività"]
    assert palermo.front.beneficiaries is not None
    assert "200" in palermo.front.beneficiaries.value
    assert sheets["perugia"].completeness() == (4, 7)
    perugia_areas = sheets["perugia"].front.areas
    assert perugia_areas is not None
    assert set(perugia_areas.value) == {"abitare", "presa-in-carico"}
    bologna = sheets["bologna"]
    assert bologna.completeness() == (2, 7)
    assert "Ambiti di azione" in bologna.missing()
    assert "palermo-2023-11-03-lgnet2" in palermo.cited_sources()


def test_sheet_partner_and_programmes_match_cities_yml(repo: Project) -> None:
    archive = load_archive(repo, strict=False)
    sheets, _ = load_sheets(repo)
    for slug, sheet in sheets.items():
        city = archive.cities[slug]
        assert sheet.front.partner is not None and sheet.front.partner.value == city.partner
        assert sheet.front.programmes is not None
        assert sorted(sheet.front.programmes.value) == sorted(city.programmes)


def test_pages_include_the_generated_snippets_they_need(repo: Project) -> None:
    def snippets(page: str) -> list[str]:
        return SNIPPET.findall((repo.docs / page).read_text(encoding="utf-8"))

    assert snippets("citta/index.md") == ["_generato/mappa.md"]
    assert snippets("glossario.md") == ["_generato/glossario.md"]
    for area in AREAS:
        text = (repo.docs / "modello" / f"{area}.md").read_text(encoding="utf-8")
        assert text.rstrip().endswith(f'--8<-- "_generato/ambiti/{area}.md"')
    for path in (repo.docs / "citta").glob("*.md"):
        if path.name != "index.md":
            text = path.read_text(encoding="utf-8")
            assert text.rstrip().endswith(f'--8<-- "_generato/citta/{path.stem}.md"')


KNOWLEDGE_PAGES = ("index.md", "storia.md", "fonti.md", "glossario.md", "modello", "citta", "guida")


def test_every_page_has_exactly_one_h1_and_no_skipped_levels(repo: Project) -> None:
    pages = [repo.docs / name for name in KNOWLEDGE_PAGES if name.endswith(".md")]
    for folder in (n for n in KNOWLEDGE_PAGES if not n.endswith(".md")):
        pages += sorted((repo.docs / folder).glob("*.md"))
    assert len(pages) > 30
    for path in pages:
        _, body = split_front_matter(path.read_text(encoding="utf-8"))
        body = re.sub(r"^```.*?^```", "", body, flags=re.MULTILINE | re.DOTALL)
        headings = re.findall(r"^(#{1,6}) ", body, flags=re.MULTILINE)
        assert headings.count("#") == 1, path
        levels = [len(h) for h in headings]
        assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), path


# --- internal links: a strict MkDocs build -------------------------------------------------

MINIMAL_MKDOCS = """\
site_name: LGNet Archivio (test)
theme:
  name: material
  language: it
exclude_docs: |
  _generato/
markdown_extensions:
  - admonition
  - attr_list
  - footnotes
  - md_in_html
  - tables
  - toc
  - pymdownx.snippets:
      base_path: [docs]
      check_paths: true
"""


def _prepare_site_sources(dest: Path) -> None:
    shutil.copytree(
        REPO / "docs",
        dest / "docs",
        ignore=shutil.ignore_patterns("_generato", "archivio", "percorsi"),
    )
    if (REPO / "overrides").is_dir():
        shutil.copytree(REPO / "overrides", dest / "overrides")
    config = REPO / "mkdocs.yml"
    text = config.read_text(encoding="utf-8") if config.is_file() else MINIMAL_MKDOCS
    if "validation:" not in text:
        # Broken anchors (e.g. fonti.md#unknown-id) are only INFO by default: make them fail.
        text += "\nvalidation:\n  anchors: warn\n  unrecognized_links: warn\n"
    (dest / "mkdocs.yml").write_text(text, encoding="utf-8")
    docs = dest / "docs"
    for page in docs.rglob("*.md"):
        for snippet in SNIPPET.findall(page.read_text(encoding="utf-8")):
            target = docs / snippet
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text("Contenuto generato.\n", encoding="utf-8")
    for placeholder in ("archivio/index.md", "cerca/index.md", "percorsi/index.md"):
        target = docs / placeholder
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text("# Segnaposto\n", encoding="utf-8")


def _mkdocs_build(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(root / "out")],
        cwd=root,
        capture_output=True,
        text=True,
        env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"},
        timeout=300,
    )


def test_internal_links_and_anchors_resolve_in_a_strict_build(tmp_path: Path) -> None:
    _prepare_site_sources(tmp_path)
    result = _mkdocs_build(tmp_path)
    assert result.returncode == 0, result.stderr
    built = tmp_path / "out"
    assert 'id="progetto-lgnetea"' in (built / "fonti" / "index.html").read_text(encoding="utf-8")
    palermo = (built / "citta" / "palermo" / "index.html").read_text(encoding="utf-8")
    assert 'class="footnote"' in palermo
    assert "../../fonti/#palermo-2023-11-03-lgnet2" in palermo
    assert "---" not in palermo.split("<article", 1)[1][:200], "front matter leaked into page"


def test_a_broken_link_fails_the_strict_build(tmp_path: Path) -> None:
    _prepare_site_sources(tmp_path)
    replace_in(tmp_path / "docs" / "storia.md", "(citta/agrigento.md)", "(citta/agrigent.md)")
    replace_in(
        tmp_path / "docs" / "citta" / "roma.md", "fonti.md#progetto-lgnetea", "fonti.md#nessuna"
    )
    result = _mkdocs_build(tmp_path)
    assert result.returncode != 0
    assert "agrigent.md" in result.stderr
    assert "#nessuna" in result.stderr


# --- broken copies: each mistake is reported with file, key and what to do -----------------


@pytest.fixture
def kb(tmp_path: Path) -> Project:
    return copy_project(tmp_path / "project", with_media=False)


def only(found: list[Problem]) -> Problem:
    assert len(found) == 1, found
    return found[0]


def test_a_city_without_a_sheet_is_reported(kb: Project) -> None:
    sheet_path(kb, "roma").unlink()
    problem = only(problems(kb))
    assert problem.file == "archive/cities.yml"
    assert problem.key == "roma"
    assert "docs/citta/roma.md" in problem.message


def test_a_sheet_without_a_city_is_reported(kb: Project) -> None:
    shutil.copy(sheet_path(kb, "bologna"), sheet_path(kb, "bari"))
    messages = [str(p) for p in problems(kb)]
    assert any(
        m.startswith("docs/citta/bari.md") and "nessuna città 'bari'" in m for m in messages
    ), messages


def test_a_bare_value_must_be_sourced_or_to_complete(kb: Project) -> None:
    replace_in(sheet_path(kb, "bologna"), "services: da completare", "services: Sportello unico")
    problem = only(problems(kb))
    assert problem.file == "docs/citta/bologna.md"
    assert problem.key == "services"
    assert TO_COMPLETE in problem.message and "sources" in problem.message


def test_a_value_without_sources_is_reported(kb: Project) -> None:
    replace_in(
        sheet_path(kb, "bologna"),
        "  value: Comune di Bologna\n  sources: [comune-perugia-2023-04-19-lgnet2]\n",
        "  value: Comune di Bologna\n  sources: []\n",
    )
    problem = only(problems(kb))
    assert problem.key == "partner.sources"
    assert "almeno una fonte" in problem.message


def test_an_empty_value_is_reported(kb: Project) -> None:
    replace_in(
        sheet_path(kb, "palermo"),
        "local_partners:\n  value: [Centro Accura, Centro Penc]",
        "local_partners:\n  value: []",
    )
    problem = only(problems(kb))
    assert problem.key == "local_partners"
    assert "valore vuoto" in problem.message


def test_a_missing_field_is_reported(kb: Project) -> None:
    replace_in(sheet_path(kb, "bologna"), "period: da completare\n", "")
    problem = only(problems(kb))
    assert problem.key == "period"
    assert "mancante" in problem.message


def test_an_unknown_field_suggests_the_right_name(kb: Project) -> None:
    replace_in(
        sheet_path(kb, "bologna"),
        "period: da completare\n",
        "period: da completare\nperiodo: 2023\n",
    )
    problem = only(problems(kb))
    assert problem.key == "periodo"
    assert "chiave sconosciuta" in problem.message and "'period'" in problem.message


def test_an_unknown_area_lists_the_allowed_ones(kb: Project) -> None:
    replace_in(sheet_path(kb, "palermo"), "value: [presa-in-carico]", "value: [accoglienza]")
    problem = only(problems(kb))
    assert problem.key == "areas.value[0]"
    assert "accoglienza" in problem.message and "abitare" in problem.message


def test_an_unknown_source_is_reported_with_a_suggestion(kb: Project) -> None:
    replace_in(
        sheet_path(kb, "palermo"),
        "areas:\n  value: [presa-in-carico]\n  sources: [palermo-2023-11-03-lgnet2]",
        "areas:\n  value: [presa-in-carico]\n  sources: [palermo-2023-11-03-lgnet]",
    )
    problem = only(problems(kb))
    assert problem.file == "docs/citta/palermo.md"
    assert problem.key == "areas.sources"
    assert "fonte sconosciuta 'palermo-2023-11-03-lgnet'" in problem.message
    assert "forse 'palermo-2023-11-03-lgnet2'" in problem.message


def test_partner_must_match_cities_yml(kb: Project) -> None:
    replace_in(sheet_path(kb, "napoli"), "value: Comune di Napoli", "value: Comune di Napoli Est")
    problem = only(problems(kb))
    assert problem.key == "partner"
    assert "archive/cities.yml" in problem.message


def test_programmes_must_match_cities_yml(kb: Project) -> None:
    replace_in(sheet_path(kb, "catania"), "value: [LGNetEA]", "value: [LGNetEA, LGNet2]")
    problem = only(problems(kb))
    assert problem.key == "programmes"


def test_a_sheet_without_front_matter_is_reported(kb: Project) -> None:
    path = sheet_path(kb, "trieste")
    _, body = split_front_matter(path.read_text(encoding="utf-8"))
    path.write_text(body, encoding="utf-8")
    problem = only(problems(kb))
    assert problem.file == "docs/citta/trieste.md"
    assert "intestazione" in problem.message


def test_a_yaml_syntax_error_names_the_line(kb: Project) -> None:
    replace_in(sheet_path(kb, "torino"), "  value: Comune di Torino", '  value: "Comune di Torino')
    problem = only(problems(kb))
    assert problem.file == "docs/citta/torino.md"
    assert "YAML non valida (riga" in problem.message


def test_an_undefined_footnote_is_reported(kb: Project) -> None:
    replace_in(kb.docs / "storia.md", "[^nova2024]:", "[^nova]:")
    messages = [str(p) for p in problems(kb)]
    assert any("docs/storia.md" in m and "[^nova2024]" in m for m in messages), messages


def test_a_link_to_an_unknown_source_is_reported(kb: Project) -> None:
    replace_in(
        kb.docs / "modello" / "abitare.md", "fonti.md#progetto-lgnetea", "fonti.md#progetto-lgnet"
    )
    problem = only(problems(kb))
    assert problem.file == "docs/modello/abitare.md"
    assert "fonte sconosciuta 'progetto-lgnet'" in problem.message


def test_a_source_missing_from_the_sources_page_is_reported(kb: Project) -> None:
    replace_in(kb.docs / "fonti.md", "{#progetto-lgnetea}", "")
    problem = only(problems(kb))
    assert problem.file == "docs/fonti.md"
    assert "{#progetto-lgnetea}" in problem.message


def test_a_glossary_term_citing_an_unknown_source_is_reported(kb: Project) -> None:
    replace_in(
        kb.glossary_file,
        "  sources: [workshop-lgnetea-2022-03-24]\n\n- term: pronta",
        "  sources: [workshop-2022]\n\n- term: pronta",
    )
    problem = only(problems(kb))
    assert problem.file == "archive/glossary.yml"
    assert problem.key == "unità di strada"


def test_a_repeated_or_invalid_source_is_reported(kb: Project) -> None:
    text = kb.sources_file.read_text(encoding="utf-8")
    kb.sources_file.write_text(
        text + "\n- {id: progetto-lgnetea, title: Doppione, kind: notizia}\n"
        "- {id: Maiuscole, title: Altro, kind: articolo}\n",
        encoding="utf-8",
    )
    found = problems(kb)
    keys = {p.key for p in found}
    assert "progetto-lgnetea" in keys
    assert "[6].id" in keys and "[6].kind" in keys


def test_lgnet_check_reports_all_knowledge_problems_at_once(kb: Project) -> None:
    replace_in(sheet_path(kb, "bologna"), "services: da completare", "services: Sportello")
    replace_in(sheet_path(kb, "genova"), "period: da completare\n", "")
    result = CliRunner().invoke(main, ["check", "--root", str(kb.root)])
    assert result.exit_code == 1
    assert "docs/citta/bologna.md: 'services':" in result.output
    assert "docs/citta/genova.md: 'period': chiave obbligatoria mancante" in result.output
    assert "Traceback" not in result.output


def test_a_bare_archive_without_knowledge_base_is_not_checked(tmp_path: Path) -> None:
    root = tmp_path / "p"
    (root / "archive" / "items").mkdir(parents=True)
    (root / "mkdocs.yml").write_text("site_name: t\n")
    (root / "archive" / "cities.yml").write_text("- {slug: palermo, name: Palermo}\n")
    (root / "archive" / "glossary.yml").write_text("- {term: SAI, definition: Sistema}\n")
    assert problems(Project(root)) == []


# --- front matter is data: escaped by both engines -------------------------------------------

FRONT_ATTACK = (
    '<script>window.__xss=1</script> "><img src=x onerror="window.__xss=2"> '
    '</title><script>window.__xss=4</script> Ciò "virgolette" & <b>'
)


def test_markup_in_a_sheet_title_or_description_is_not_a_check_problem(kb: Project) -> None:
    sheet = kb.docs / "citta" / "palermo.md"
    text = sheet.read_text(encoding="utf-8")
    front, body = text.split("\n---\n", 1)
    data = yaml.safe_load(front.removeprefix("---\n"))
    data.update(title=FRONT_ATTACK, description=FRONT_ATTACK)
    dumped = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    sheet.write_text(f"---\n{dumped}---\n{body}", encoding="utf-8")
    loaded, problems = load_sheet(sheet, kb)
    assert problems == [] and loaded is not None
    assert loaded.title == FRONT_ATTACK  # data as written; the site escapes it


def _front_matter_site(root: Path) -> None:
    """A one-page site with the repository's front-matter escaping (hook and extension)."""
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    assert "  - !!python/name:lgnet.mkdocs_hooks.HOOK_FILE\n" in config
    assert "  - lgnet.mkdocs_hooks\n" in config
    (root / "docs").mkdir(parents=True)
    (root / "mkdocs.yml").write_text(
        "site_name: Prova\ntheme:\n  name: material\n  language: it\n"
        "  features: [navigation.footer]\n"
        "hooks:\n  - !!python/name:lgnet.mkdocs_hooks.HOOK_FILE\n"
        "markdown_extensions:\n  - lgnet.mkdocs_hooks\n"
        "nav:\n  - index.md\n  - scheda.md\n",
        encoding="utf-8",
    )
    (root / "docs" / "index.md").write_text("# Home\n", encoding="utf-8")
    front = yaml.safe_dump({"title": FRONT_ATTACK, "description": FRONT_ATTACK}, allow_unicode=True)
    (root / "docs" / "scheda.md").write_text(f"---\n{front}---\n\nTesto.\n", encoding="utf-8")


@pytest.mark.parametrize("engine", ["mkdocs", "zensical"])
def test_front_matter_reaches_the_page_escaped_once(tmp_path: Path, engine: str) -> None:
    import html

    _front_matter_site(tmp_path)
    bindir = Path(sys.executable).parent
    command = (
        [sys.executable, "-m", "mkdocs", "build", "-q", "-d", "site"]
        if engine == "mkdocs"
        else [str(bindir / "zensical"), "build", "-f", "mkdocs.yml"]
    )
    proc = subprocess.run(
        command, cwd=tmp_path, capture_output=True, text=True, timeout=300,
        env={"NO_MKDOCS_2_WARNING": "1", "PATH": f"{bindir}:/usr/bin:/bin"},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    page = (tmp_path / "site" / "scheda" / "index.html").read_text(encoding="utf-8")
    escaped = html.escape(FRONT_ATTACK, quote=True)
    assert "<script>window.__xss" not in page and "<img src=x" not in page
    assert f'<meta name="description" content="{escaped}">' in page
    assert f"<title>{escaped} - Prova</title>" in page
    assert "&amp;lt;" not in page  # escaped once...
    home = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    label = re.search(r'aria-label="Successivo: ([^"]*)"', home)
    assert label is not None
    if engine == "mkdocs":  # ...not even where Material escapes again (`| e`)
        assert html.unescape(label.group(1)) == FRONT_ATTACK
    else:  # Zensical cannot be told a string is already safe: doubled in this label only
        assert html.unescape(html.unescape(label.group(1))) == FRONT_ATTACK
