"""Chapters (lgnet.chapters): the WebVTT chapters track, the suggestions from a transcript and
`lgnet chapters`, chapters in the search index (`lgnet search` and cerca.js in node), and
that suggestions never reach the site."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from lgnet.archive import Chapter, load_archive, show_time
from lgnet.chapters import (
    chapter_spans,
    render_chapters_vtt,
    suggest_chapters,
)
from lgnet.cli import main
from lgnet.index import build_index, publish_search
from lgnet.project import Project
from lgnet.search import format_hits, run_search
from lgnet.transcripts import load_transcripts, read_transcript

from .conftest import REPO, copy_project
from .test_index import CERCA_JS, make_search_project, node

# Items of the repository whose chapters a person wrote (archive/items/), with their transcripts.
HAND_MADE = sorted(
    item.id
    for item in load_archive(Project(REPO), strict=False).items.values()
    if len(item.chapters) >= 3 and (REPO / "transcripts" / f"{item.id}.json").is_file()
)


# --- the WebVTT chapters track ----------------------------------------------------------------


def test_chapters_track_has_one_cue_per_chapter_up_to_the_media_end(tmp_path: Path) -> None:
    chapters = [
        Chapter(start=0, title="Apertura"),
        Chapter(start=21.1, title="Lo sportello unico"),
        Chapter(start=43.7, title="Unità di strada ed équipe itineranti", keywords=["strada"]),
        Chapter(start=71.3, title="Conclusioni", synopsis="Saluti."),
    ]
    text = render_chapters_vtt(chapters, 78.853)
    assert text.startswith("WEBVTT\nLanguage: it\n\n")
    blocks = [b.split("\n") for b in text.strip().split("\n\n")[1:]]
    assert blocks == [
        ["capitolo-1", "00:00:00.000 --> 00:00:21.100", "Apertura"],
        ["capitolo-2", "00:00:21.100 --> 00:00:43.700", "Lo sportello unico"],
        ["capitolo-3", "00:00:43.700 --> 00:01:11.300", "Unità di strada ed équipe itineranti"],
        ["capitolo-4", "00:01:11.300 --> 00:01:18.853", "Conclusioni"],
    ]
    # read back as the site's caption script reads a published VTT (for pages opened from disk)
    from lgnet.site import caption_script

    vtt = tmp_path / "x.capitoli.vtt"
    vtt.write_text(text, encoding="utf-8")
    script = caption_script("x.capitoli", vtt)
    assert script.startswith('lgnetSottotitoli("x.capitoli",[[0.0,21.1,"Apertura"],')


def test_chapters_track_escapes_titles_and_drops_chapters_past_the_end() -> None:
    chapters = [
        Chapter(start=10, title="B <i>tag</i> & --> freccia"),
        Chapter(start=0, title="A\nsu due righe"),
        Chapter(start=95, title="Oltre la fine"),
    ]
    text = render_chapters_vtt(chapters, 60.0)
    assert "A su due righe" in text
    assert "B &lt;i&gt;tag&lt;/i&gt; &amp; --&gt; freccia" in text
    assert "Oltre la fine" not in text
    assert "00:00:10.000 --> 00:01:00.000" in text
    # without a known duration the last chapter still has a length
    last = chapter_spans(chapters, None)[-1]
    assert last.title == "Oltre la fine" and last.end > last.start


# --- suggestions ---------------------------------------------------------------------------------


@pytest.mark.parametrize("item_id", HAND_MADE)
def test_suggestions_find_the_hand_made_chapter_starts(repo: Project, item_id: str) -> None:
    """On the demo recordings whose chapters a person wrote, at least half of those chapter
    starts are found (within 1.5 s), and every suggestion is a valid chapter of the archive."""
    archive = load_archive(repo)
    item = archive.items[item_id]
    transcript = read_transcript(repo.transcripts / f"{item_id}.json")
    suggested = suggest_chapters(transcript, archive.glossary)
    assert suggested[0].start == 0 and suggested[0].why is None
    starts = [c.start for c in suggested]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)
    assert all(c.start < transcript.duration for c in suggested)
    hand = [c.start for c in item.chapters if c.start > 0]
    found = [h for h in hand if any(abs(h - s) <= 1.5 for s in starts[1:])]
    assert len(found) >= max(1, len(hand) // 2), (hand, starts)
    for chapter in suggested:
        assert chapter.as_chapter().title  # validated by the archive's own model
        assert chapter.synopsis
    terms = {t.term for t in archive.glossary}
    assert any(k in terms for c in suggested for k in c.keywords)  # glossary terms as keywords


def test_suggestions_title_chapters_with_glossary_terms(repo: Project) -> None:
    archive = load_archive(repo)
    transcript = read_transcript(repo.transcripts / "rete-workshop-one-stop-shop.json")
    titles = [c.title for c in suggest_chapters(transcript, archive.glossary)]
    assert "Unità di strada" in titles
    # a chapter spanning nothing of the glossary is named by its own words
    without = [c.title for c in suggest_chapters(transcript, [])]
    assert all(t and "glossario" not in t for t in without)


def test_yaml_times_read_back_as_the_same_seconds() -> None:
    from lgnet.timecode import parse_time

    for seconds in (0.0, 21.3, 59.9, 61.0, 3599.9, 3723.5):
        assert parse_time(show_time(seconds)) == pytest.approx(seconds)
    assert show_time(0) == "00:00" and show_time(84.5) == "01:24.5"
    assert show_time(3723.5) == "1:02:03.5"


# --- lgnet chapters --------------------------------------------------------------------------


def test_cli_suggest_writes_a_file_to_review_in_the_current_folder(in_tmp: Path) -> None:
    item_id = "rete-workshop-one-stop-shop"
    result = CliRunner().invoke(main, ["chapters", item_id, "--suggest", "--root", str(REPO)])
    assert result.exit_code == 0, result.output
    out = in_tmp / f"{item_id}.capitoli.yml"
    assert "capitoli proposti in" in result.output and out.name in result.output
    text = out.read_text(encoding="utf-8")
    header = [line for line in text.splitlines() if line.startswith("#")][:9]
    assert "PROPOSTI" in header[0] and "suggerimenti" in header[1]
    assert any(f"archive/items/{item_id}.yml" in line for line in header)
    assert any("NON sono pubblicati" in line for line in header)
    data = yaml.safe_load(text)
    chapters = [Chapter(**c) for c in data["chapters"]]  # the schema of archive/items/
    assert chapters[0].start == 0 and len(chapters) >= 2

    # never over the file without --overwrite: one line, exit 1, the file as it was
    out.write_text(text + "# una nota della persona\n", encoding="utf-8")
    again = CliRunner().invoke(main, ["chapters", item_id, "--suggest", "--root", str(REPO)])
    assert again.exit_code == 1
    assert again.output.strip().splitlines() == [
        f"errore: {out}: il file esiste già; usare --overwrite per sostituirlo oppure "
        "indicare un altro nome con -o"
    ]
    assert out.read_text(encoding="utf-8").endswith("# una nota della persona\n")
    forced = CliRunner().invoke(
        main, ["chapters", item_id, "--suggest", "--overwrite", "--root", str(REPO)]
    )
    assert forced.exit_code == 0, forced.output
    assert "# una nota della persona" not in out.read_text(encoding="utf-8")


@pytest.mark.parametrize("target", ["archive/capitoli.yml", "transcripts/x.yml", "docs/c.yml"])
def test_cli_suggest_never_writes_into_the_sources(tmp_path: Path, target: str) -> None:
    project = copy_project(tmp_path / "p", with_media=False)
    before = sorted(p for p in project.root.rglob("*") if p.is_file())
    result = CliRunner().invoke(
        main,
        [
            "chapters",
            "rete-workshop-one-stop-shop",
            "--suggest",
            "-o",
            str(project.root / target),
            "--root",
            str(project.root),
        ],
    )
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"errore: {target}: ")
    assert sorted(p for p in project.root.rglob("*") if p.is_file()) == before


def test_cli_chapters_bad_input_gets_one_line(in_tmp: Path, tmp_path: Path) -> None:
    unknown = CliRunner().invoke(main, ["chapters", "nessuna", "--suggest", "--root", str(REPO)])
    assert unknown.exit_code == 1
    assert unknown.output.startswith("errore: registrazione sconosciuta 'nessuna'")
    assert len(unknown.output.strip().splitlines()) == 1

    project = copy_project(tmp_path / "p", with_media=False)
    (project.transcripts / "palermo-safe-space.json").unlink()
    missing = CliRunner().invoke(
        main, ["chapters", "palermo-safe-space", "--suggest", "--root", str(project.root)]
    )
    assert missing.exit_code == 1
    assert missing.output.strip() == (
        "errore: transcripts/palermo-safe-space.json: trascrizione mancante; eseguire prima "
        "'lgnet transcribe palermo-safe-space'"
    )
    assert not list(in_tmp.glob("*.capitoli.yml"))

    stray = CliRunner().invoke(main, ["chapters", "palermo-safe-space", "-o", "x.yml"])
    assert stray.exit_code == 1 and "--suggest" in stray.output


def test_cli_chapters_lists_the_item_chapters() -> None:
    done = CliRunner().invoke(main, ["chapters", "rete-da-lgnetea-a-lgnet2", "--root", str(REPO)])
    assert done.exit_code == 0, done.output
    assert done.output.splitlines()[1].split() == ["0:08", "Da", "LGNetEA", "a", "LGNet2"]


def test_suggestions_keep_redacted_words_out(tmp_path: Path, in_tmp: Path) -> None:
    """A synopsis a person copies into the item must not publish a redacted span."""
    project = copy_project(tmp_path / "p", with_media=False)
    item = load_archive(project, strict=False).items["palermo-safe-space"]
    assert item.redactions
    transcript = read_transcript(project.transcripts / "palermo-safe-space.json")
    secret = [
        s.text
        for s in transcript.segments
        if any(r.start <= s.start < r.end or s.start <= r.start < s.end for r in item.redactions)
    ]
    assert secret
    done = CliRunner().invoke(
        main, ["chapters", "palermo-safe-space", "--suggest", "--root", str(project.root)]
    )
    assert done.exit_code == 0, done.output
    text = (in_tmp / "palermo-safe-space.capitoli.yml").read_text(encoding="utf-8")
    for sentence in secret:
        assert sentence.strip() not in text


def test_suggestions_are_never_published(tmp_path: Path) -> None:
    """Nothing of the build reads a suggestion file, wherever it lies in the project."""
    from lgnet.pages import generate_pages

    project = copy_project(tmp_path / "p")
    item_id = "rete-workshop-one-stop-shop"
    marker = "Capitolo proposto mai pubblicato"
    for out in (project.root / f"{item_id}.capitoli.yml", project.root / "proposte" / "c.yml"):
        done = CliRunner().invoke(
            main,
            ["chapters", item_id, "--suggest", "-o", str(out), "--root", str(project.root)],
        )
        assert done.exit_code == 0, done.output
        data = yaml.safe_load(out.read_text(encoding="utf-8"))
        data["chapters"][-1]["title"] = marker
        data["chapters"][-1]["keywords"] = ["parolachiavesegreta"]
        out.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    checked = CliRunner().invoke(main, ["check", "--root", str(project.root)])
    assert "capitoli.yml" not in checked.output and "proposte" not in checked.output
    archive = load_archive(project, strict=False)
    transcripts = load_transcripts(project.transcripts, list(archive.items))
    build_index(project, archive, transcripts, "pubblico")
    written = generate_pages(project, archive, transcripts, "pubblico", {})
    assert written
    assert run_search(project, "parolachiavesegreta").hits == []
    outputs = [p for p in (project.build_dir / "search").rglob("*") if p.is_file()]
    outputs += [p for p in project.docs.rglob("*.md") if p.is_file()]
    for path in outputs:
        text = path.read_text(encoding="utf-8", errors="replace")
        assert marker not in text and "parolachiavesegreta" not in text, path


# --- chapters in the search index ----------------------------------------------------------


CHAPTERED = "palermo-safe-space"  # an item of tests.test_index's small project


@pytest.fixture
def chaptered(tmp_path: Path) -> Project:
    """The search tests' small project, one of its items with chapters a person wrote."""
    project = make_search_project(tmp_path / "progetto")
    path = project.items_dir / f"{CHAPTERED}.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["chapters"] = [
        {"start": 0, "title": "Benvenuto"},
        {
            "start": 3.5,
            "title": "Lo sportello di quartiere",
            "synopsis": "Come funziona la mediazione interculturale allo sportello.",
            "keywords": ["zanzara tigre", "orientamento"],
        },
    ]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    return project


def test_search_finds_a_chapter_keyword_and_lands_on_its_start(chaptered: Project) -> None:
    results = run_search(chaptered, "zanzara")
    assert [h.id for h in results.hits] == [CHAPTERED]
    hit = results.hits[0]
    assert hit.chapter == "Lo sportello di quartiere"
    assert hit.start == 3.5 and hit.link == f"archivio/{CHAPTERED}/#t=3.5"
    data = hit.to_json()
    assert {"id", "start", "end", "text", "score"} <= set(data) and data["chapter"] == hit.chapter
    line = format_hits(results.hits, "zanzara", color=False)
    assert "«Capitolo: Lo sportello di quartiere — zanzara tigre, orientamento»" in line.replace(
        "*", ""
    )
    # synopsis and title are found too; the chapter is the first answer for its own title
    synopsis = run_search(chaptered, "mediazione interculturale").hits
    assert synopsis and synopsis[0].chapter == "Lo sportello di quartiere"
    assert synopsis[0].start == 3.5
    title = run_search(chaptered, "benvenuto").hits
    assert title[0].chapter == "Benvenuto" and title[0].start == 0


def test_cli_search_json_keeps_its_contract_for_chapters(chaptered: Project) -> None:
    done = CliRunner().invoke(
        main, ["search", "orientamento", "--json", "--root", str(chaptered.root)]
    )
    assert done.exit_code == 0, done.output
    data = json.loads(done.output)
    chapter = [d for d in data if d["chapter"]]
    assert chapter and chapter[0]["start"] == 3.5 and chapter[0]["id"] == CHAPTERED
    assert all({"id", "start", "end", "text", "score"} <= set(d) for d in data)


def test_page_engine_in_node_finds_chapters_like_lgnet_search(
    chaptered: Project, tmp_path: Path
) -> None:
    archive = load_archive(chaptered)
    transcripts = load_transcripts(chaptered.transcripts, list(archive.items))
    build_index(chaptered, archive, transcripts, "pubblico")
    site = tmp_path / "site"
    publish_search(chaptered, "pubblico", site)
    queries = [{"q": "zanzara"}, {"q": "sportello"}, {"q": "mediazione interculturale"}]
    js = node("engine", str(site / "assets" / "cerca"), str(CERCA_JS), data={"queries": queries})
    for query, answer in zip(queries, js, strict=True):
        hits = run_search(chaptered, query["q"], limit=100).hits
        assert [(h["id"], h["start"], h["end"]) for h in answer["hits"]] == [
            (h.id, h.start, h.end) for h in hits[:20]
        ], query
    assert js[0]["hits"][0]["start"] == 3.5


def test_only_published_items_chapters_are_indexed(chaptered: Project) -> None:
    path = chaptered.items_dir / f"{CHAPTERED}.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["access"] = "operatori"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    assert run_search(chaptered, "zanzara").hits == []
    assert [h.id for h in run_search(chaptered, "zanzara", audience="operatori").hits] == [
        CHAPTERED
    ]
