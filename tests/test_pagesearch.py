"""The site's pages searchable from /cerca/ (`lgnet.pagesearch` + `PageSearch` in cerca.js)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from lgnet.pagesearch import page_sections, plain, publish_page_search
from tests.test_index import JS
from tests.test_site import DemoBuild, built  # noqa: F401  (module-scoped built demo site)

REPO = Path(__file__).resolve().parents[1]
CERCA_JS = REPO / "docs" / "assets" / "lgnet" / "cerca.js"

THEME_INDEX = {
    "config": {"lang": ["it"]},
    "docs": [
        {"location": "", "title": "LGNet Archivio", "text": "<p>La rete dei Comuni.</p>"},
        {"location": "modello/", "title": "Il modello", "text": "Come funziona la rete."},
        {
            "location": "modello/#sportelli",
            "title": "Gli <code>sportelli</code> unici",
            "text": "<p>Uno sportello unico riunisce i servizi &amp; le persone.</p>\n ↩",
        },
        {"location": "modello/#vuota", "title": "Vuota", "text": ""},
        {"location": "cerca/", "title": "Cerca", "text": "Scrivi una parola."},
    ],
}


def test_sections_are_plain_text_with_their_page_title() -> None:
    assert page_sections(THEME_INDEX) == [
        ["", "LGNet Archivio", "", "La rete dei Comuni."],
        ["modello/", "Il modello", "", "Come funziona la rete."],
        [
            "modello/#sportelli",
            "Il modello",
            "Gli sportelli unici",
            "Uno sportello unico riunisce i servizi & le persone.",
        ],
        ["modello/#vuota", "Il modello", "Vuota", ""],  # a heading is still worth finding
    ]
    assert plain("a<br>b  \n c") == "a b c"


def run_page_search(sections: list[list[str]], queries: list[str]) -> list[dict[str, object]]:
    program = r"""
const [cercaJs, mkdocsSearch, input] = process.argv.slice(1);
const path = require("path");
const lunr = require(path.join(mkdocsSearch, "templates", "search", "lunr.js"));
require(path.join(mkdocsSearch, "lunr-language", "lunr.stemmer.support.js"))(lunr);
require(path.join(mkdocsSearch, "lunr-language", "lunr.it.js"))(lunr);
const cerca = require(cercaJs);
const { sections, queries } = JSON.parse(input);
const search = new cerca.PageSearch(new cerca.Analyzer(lunr), sections);
console.log(JSON.stringify(queries.map((q) => {
  const found = search.search(q);
  return { all: found.allTerms, hits: found.results.map((r) => sections[r.section][0]),
           excerpt: found.results.length
             ? search.excerpt(sections[found.results[0].section][3], {[found.stems[0]]: true}, 40)
             : "" };
})));
"""
    from tests.test_index import mkdocs_search_dir

    done = subprocess.run(
        [
            "node",
            "-e",
            program,
            str(CERCA_JS),
            str(mkdocs_search_dir()),
            json.dumps({"sections": sections, "queries": queries}),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    result: list[dict[str, object]] = json.loads(done.stdout)
    return result


def test_page_search_in_node_finds_word_forms_and_ranks_titles_first() -> None:
    sections = [
        ["a/", "Abitare", "", "Case e soluzioni abitative per le famiglie in emergenza abitativa."],
        ["b/", "Sportelli", "", "Lo sportello unico orienta. Non parla di case."],
        ["c/", "Glossario", "Sportello unico", "Un luogo che riunisce più servizi."],
    ]
    answers = run_page_search(sections, ["sportelli unici", "abitativo", "casa", "zanzibar", "di"])
    assert answers[0]["hits"] == ["c/", "b/"]  # the word in the title counts more
    assert answers[0]["all"] is True
    assert answers[1]["hits"] == ["a/"]
    assert answers[2]["hits"] == ["a/", "b/"]
    assert answers[3]["hits"] == [] and answers[4]["hits"] == []
    assert answers[1]["excerpt"].startswith("… ") or "abitative" in str(answers[1]["excerpt"])


def test_the_built_site_publishes_its_pages_for_the_search_page(built: DemoBuild) -> None:  # noqa: F811
    site = built.project.site
    source = (site / "assets" / "cerca" / "pagine.js").read_text(encoding="utf-8")
    done = subprocess.run(
        ["node", str(JS), "data"], input=source, capture_output=True, text=True, check=True
    )
    published = json.loads(done.stdout)
    assert published["key"] == "pagine"
    sections = published["data"]["sections"]
    locations = [s[0] for s in sections]
    assert "glossario/" in locations and "modello/" in locations
    assert not any(loc.startswith("cerca/") for loc in locations)
    # Plain text: entities decoded (markup typed in a title stays text: cerca.js shows it as text).
    assert not [s[3] for s in sections if "&amp;" in s[3] or "&lt;" in s[3] or "&#" in s[3]]
    # Rebuilt from the theme's index as it stands: the same sections.
    theme = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert sections == page_sections(theme)


def test_without_a_theme_index_no_page_is_listed(tmp_path: Path) -> None:
    assert publish_page_search(tmp_path) is False
    assert '"sections":[]' in (tmp_path / "assets" / "cerca" / "pagine.js").read_text("utf-8")
