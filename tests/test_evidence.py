"""Evidence links (`[[prova: id 1:24-1:40 "parole"]]`): rendering, `lgnet check`, "Citata in"."""

from __future__ import annotations

from pathlib import Path

import markdown
import pytest

from lgnet import mkdocs_hooks
from lgnet.archive import load_archive
from lgnet.errors import Problem
from lgnet.evidence import check_evidence, citations_by_item, parse_token
from lgnet.pages.context import SiteContext
from lgnet.pages.recording import render_recording
from lgnet.project import Project
from lgnet.transcripts import load_transcripts
from tests.conftest import copy_project

TOKEN = '[[prova: palermo-safe-space 20.3-23.4 "Al Centro Penc è stato attivato il Safe Space"]]'


def convert(project: Project, text: str, page: str, audience: str = "pubblico") -> str:
    mkdocs_hooks._current_page = page
    md = markdown.Markdown(
        extensions=["lgnet.mkdocs_hooks", "admonition"],
        extension_configs={"lgnet.mkdocs_hooks": {"root": str(project.root), "audience": audience}},
    )
    return md.convert(text)


def add_page(project: Project, body: str, name: str = "modello/prove.md") -> Path:
    path = project.docs / name
    path.write_text(f"# Prove\n\nTesto.\n\n{body}\n", encoding="utf-8")
    return path


def problems(project: Project) -> list[Problem]:
    return check_evidence(project, load_archive(project, strict=False))


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return copy_project(tmp_path_factory.mktemp("prove") / "project")


def test_parse_token_times_and_quotes() -> None:
    ev = parse_token(" palermo-safe-space 1:24-1:40 «parole citate»")
    assert (ev.item_id, ev.start, ev.end, ev.quote) == (
        "palermo-safe-space",
        84,
        100,
        "parole citate",
    )
    assert ev.fragment == "84,100"
    assert parse_token("x 84.5").end is None
    with pytest.raises(ValueError, match="ambiguo"):
        parse_token("x 1.20")


def test_token_renders_figure_with_link_to_the_moment(project: Project) -> None:
    html = convert(project, f"Prima *riga*\n{TOKEN}\n\ndopo", "citta/palermo.md")
    assert '<figure class="lgnet-prova">' in html
    assert "«Al Centro Penc è stato attivato il Safe Space»" in html
    assert 'href="../archivio/palermo-safe-space/index.md#t=20.3,23.4"' in html
    assert 'class="lgnet-prova__ascolta"' in html
    assert "0:20–0:23" in html and "Palermo" in html
    assert "<em>riga</em>" in html and "<p>dopo</p>" in html
    # from an index page the link starts from its folder
    assert "../archivio/palermo-safe-space/index.md#t=" in convert(
        project, TOKEN, "modello/index.md"
    )


def test_rendered_text_is_escaped_and_redacted(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p", with_media=False)
    item = project.items_dir / "palermo-safe-space.yml"
    text = item.read_text(encoding="utf-8")
    item.write_text(
        text.replace("title:", 'title: "<script>alert(1)</script> *x*"\nold_title:', 1).replace(
            "old_title:", "#", 1
        ),
        encoding="utf-8",
    )
    # 41 s: inside the sentence that says the phone number (it starts at 40.1 s)
    html = convert(project, "[[prova: palermo-safe-space 41]]", "citta/palermo.md")
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; *x*" in html
    assert "«[omissis]»" in html  # the phone number said there is redacted
    assert "330" not in html


def test_non_public_item_renders_only_a_note(project: Project) -> None:
    html = convert(project, "[[prova: bolzano-nota-operatori 1]]", "modello/index.md")
    assert "prova non pubblica" in html
    assert "archivio/bolzano" not in html and "<figure" not in html
    staff = convert(project, "[[prova: bolzano-nota-operatori 1]]", "modello/index.md", "operatori")
    assert "<figure" in staff


def test_repository_citations_pass(repo: Project) -> None:
    assert problems(repo) == []


def test_check_rejects_wrong_quote_and_names_closest_text(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    add_page(project, '[[prova: palermo-safe-space 20.3-23.4 "è stato aperto il Safe Space"]]')
    found = problems(project)
    assert len(found) == 1
    line = str(found[0])
    assert line.startswith("docs/modello/prove.md:5: ")
    assert "«è stato aperto il Safe Space»" in line and "attivato il Safe" in line


def test_check_rejects_non_public_late_and_unknown(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    add_page(
        project,
        "[[prova: bolzano-nota-operatori 1]]\n\n"
        "[[prova: palermo-safe-space 10:00]]\n\n"
        "[[prova: palermo-safe-spaze 1]]\n\n"
        "Testo [[prova: palermo-safe-space 1]] in mezzo.",
    )
    lines = [str(p) for p in problems(project)]
    assert len(lines) == 4, lines
    assert any(":5: " in ln and "non è pubblica" in ln for ln in lines)
    assert any(":7: " in ln and "oltre la fine" in ln for ln in lines)
    assert any(":9: " in ln and "sconosciuta" in ln and "palermo-safe-space" in ln for ln in lines)
    assert any(":11: " in ln and "da sola su una riga" in ln for ln in lines)


def test_check_runs_in_lgnet_check(tmp_path: Path) -> None:
    from lgnet.checks import run_checks

    project = copy_project(tmp_path / "p")
    add_page(project, "[[prova: nessuna 1]]")
    assert any("sconosciuta" in p.message for p in run_checks(project).problems)


def public_site(repo: Project) -> SiteContext:
    """The page layer's view of `repo`'s public items and transcripts (no media, sheets or
    sources): enough to render a recording page without a build."""
    archive = load_archive(repo)
    items = archive.published("pubblico")
    return SiteContext(
        project=repo,
        archive=archive,
        audience="pubblico",
        items=items,
        transcripts=load_transcripts(repo.transcripts, [i.id for i in items]),
        media={},
        sheets={},
        sources={},
    )


def test_recording_page_lists_citing_pages(repo: Project) -> None:
    cited = citations_by_item(repo)
    assert ("citta/palermo.md", "Palermo") in [(p, t) for p, t in cited["palermo-safe-space"]]
    site = public_site(repo)
    page = render_recording(site, site.archive.items["palermo-safe-space"])
    assert "Citata in" in page
    assert '<a href="../../citta/palermo/">' in page
