"""The site stage: the demo project rendered by MkDocs (and by Zensical), checked file by file."""

from __future__ import annotations

import html.parser
import json
import posixpath
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from lgnet.errors import BuildError
from lgnet.project import Project
from lgnet.site import render_site
from tests.conftest import REPO
from tests.test_pages import (
    AUDIO_ID,
    HIDDEN_IDS,
    PUBLIC_IDS,
    SECRET_WORD,
    SEGMENT_TEXTS,
    VIDEO_ID,
    XSS_ID,
    DemoBuild,
    build_demo_site,
    generate_demo,
)

TEXT_SUFFIXES = {".html", ".xml", ".json", ".js", ".css", ".txt", ".vtt", ".srt"}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoBuild]:
    base = tmp_path_factory.mktemp("site")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LGNET_CACHE_DIR", str(base / "cache"))
        yield build_demo_site(base / "project", base / "media")


def site_file(built: DemoBuild, rel: str) -> str:
    return (built.project.site / rel).read_text(encoding="utf-8")


class _Links(html.parser.HTMLParser):
    """Every URL a page points at, and the ids it defines."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[str, str, str]] = []  # (tag, attribute, value)
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name == "id":
                self.ids.add(value)
            if name in ("href", "src", "poster") or (
                name == "content" and tag == "meta" and value.startswith("http")
            ):
                self.urls.append((tag, name, value))


def parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def pages(site: Path) -> list[Path]:
    # 404.html is served by the web server at any address, so MkDocs roots its links at "/".
    return sorted(p for p in site.rglob("*.html") if p.name != "404.html")


# --- what is published ---------------------------------------------------------------------


def test_recording_pages_and_catalogue_exist(built: DemoBuild) -> None:
    site = built.project.site
    assert (site / "archivio" / "index.html").is_file()
    for item_id in PUBLIC_IDS:
        assert (site / "archivio" / item_id / "index.html").is_file()
    for item_id in HIDDEN_IDS:
        assert not (site / "archivio" / item_id).exists()


def test_media_only_for_published_items(built: DemoBuild) -> None:
    names = sorted(p.name for p in (built.project.site / "media").iterdir())
    assert names == sorted(
        [
            f"{item_id}{ext}"
            for item_id in (VIDEO_ID, XSS_ID)  # both with chapters: .capitoli.vtt (+ .js)
            for ext in (
                *(".mp4", ".jpg", "-320.jpg", ".vtt", ".vtt.js", ".srt", ".txt"),
                *(".capitoli.vtt", ".capitoli.vtt.js"),
            )
        ]
        + [f"{AUDIO_ID}.{ext}" for ext in ("mp3", "vtt", "vtt.js", "srt", "txt")]
    )


def test_nothing_of_unpublished_items_anywhere_in_the_site(built: DemoBuild) -> None:
    for path in built.project.site.rglob("*"):
        if path.suffix in TEXT_SUFFIXES:
            text = path.read_text(encoding="utf-8", errors="replace")
            assert SECRET_WORD not in text, path
            for hidden in HIDDEN_IDS:
                assert hidden not in text, path


def test_sitemap_never_names_unpublished_items(built: DemoBuild) -> None:
    # Without site_url (links stay relative) MkDocs writes an empty sitemap; with one, only
    # generated pages could appear, and unpublished items have none.
    sitemap = site_file(built, "sitemap.xml")
    assert sitemap.startswith("<?xml")
    for item_id in HIDDEN_IDS:
        assert item_id not in sitemap


def test_recording_page_html(built: DemoBuild) -> None:
    page = site_file(built, f"archivio/{VIDEO_ID}/index.html")
    assert '<html lang="it"' in page
    assert "<title>Safe Space al Centro Penc - LGNet Archivio</title>" in page
    assert '<track kind="captions" srclang="it" label="Italiano"' in page
    assert page.count('data-start="') == len(SEGMENT_TEXTS) + 2
    assert "assets/lgnet/player.js" in page and "assets/lgnet/lgnet.css" in page


def test_material_search_is_italian_and_skips_transcripts(built: DemoBuild) -> None:
    index = json.loads(site_file(built, "search/search_index.json"))
    assert index["config"]["lang"] == ["it"]
    locations = [doc["location"] for doc in index["docs"]]
    assert any(loc.startswith(f"archivio/{VIDEO_ID}/") for loc in locations)
    # Segments are searched on /cerca/ (one result per moment); the page-level index stays small.
    assert SEGMENT_TEXTS[1] not in json.dumps(index, ensure_ascii=False)


# --- safety: escaping and origins -------------------------------------------------------------


def test_injected_markup_is_text_in_the_built_pages(built: DemoBuild) -> None:
    for rel in (f"archivio/{XSS_ID}/index.html", "archivio/index.html", "citta/napoli/index.html",
                "modello/abitare/index.html", "search/search_index.json"):  # fmt: skip
        path = built.project.site / rel
        if not path.exists():
            continue
        text = path.read_text(encoding="utf-8")
        assert "<script>window.__pwned" not in text, rel
        assert "<img src=x" not in text, rel
    page = site_file(built, f"archivio/{XSS_ID}/index.html")
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in page
    assert "<title>Prova &lt;script&gt;" in page
    # the line that looked like a snippet include was not executed
    assert "site_name: LGNet Archivio" not in page


def test_every_page_loads_only_relative_resources(built: DemoBuild) -> None:
    """Nothing is fetched from another origin, and nothing is rooted at '/' (sub-paths work)."""
    for path in pages(built.project.site):
        for tag, attr, url in parse(path).urls:
            if tag == "a" and attr == "href":
                continue  # a link the visitor may follow is not a request
            assert not urlsplit(url).scheme or url.startswith("data:"), (path, tag, url)
            assert not url.startswith("/"), (path, tag, url)
    for css in built.project.site.rglob("*.css"):
        text = css.read_text(encoding="utf-8")
        assert "fonts.googleapis" not in text and "@import url(http" not in text, css


def broken_links(site: Path) -> list[str]:
    """A link check over a whole site, with the anchors of the pages linked to."""
    broken = []
    ids: dict[Path, set[str]] = {}
    for path in pages(site):
        for tag, _attr, url in parse(path).urls:
            parts = urlsplit(url)
            if parts.scheme or url.startswith("#") or url.startswith("data:"):
                continue
            target = (path.parent / unquote(parts.path)).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{path.relative_to(site)}: <{tag}> {url}")
                continue
            if parts.fragment and target.suffix == ".html" and not parts.fragment.startswith("t="):
                if target not in ids:
                    ids[target] = parse(target).ids
                if parts.fragment not in ids[target]:
                    broken.append(f"{path.relative_to(site)}: {url} (ancora mancante)")
    return broken


def test_relative_links_resolve(built: DemoBuild) -> None:
    """Generated pages, and snippets inside hand-written pages, link to what exists."""
    broken = broken_links(built.project.site)
    assert not broken, "\n".join(broken)


def test_links_from_snippets_point_to_the_right_pages(built: DemoBuild) -> None:
    site = built.project.site
    city = (site / "citta" / "palermo" / "index.html").read_text(encoding="utf-8")
    assert f'href="../../archivio/{VIDEO_ID}/"' in city
    network = (site / "citta" / "index.html").read_text(encoding="utf-8")
    assert 'href="palermo/"' in network and "lgnet-mappa__svg" in network


# --- rebuilding ----------------------------------------------------------------------------------


def test_rebuild_drops_a_withdrawn_item_and_stale_files(built: DemoBuild) -> None:
    project = built.project
    stale = project.site / "archivio" / "vecchia" / "index.html"
    stale.parent.mkdir(parents=True)
    stale.write_text("vecchia pagina", encoding="utf-8")
    item = project.items_dir / f"{AUDIO_ID}.yml"
    original = item.read_text(encoding="utf-8")
    try:
        item.write_text(original + "withdrawn: true\n", encoding="utf-8")
        again = generate_demo(project)
        render_site(project, again.archive, "pubblico", media=again.media)
        assert not stale.exists()
        assert not (project.site / "archivio" / AUDIO_ID).exists()
        assert not list((project.site / "media").glob(f"{AUDIO_ID}.*"))
        assert AUDIO_ID not in (project.site / "archivio" / "index.html").read_text(
            encoding="utf-8"
        )
    finally:
        item.write_text(original, encoding="utf-8")
        again = generate_demo(project)
        render_site(project, again.archive, "pubblico", media=again.media)
    assert (project.site / "media" / f"{AUDIO_ID}.mp3").is_file()


def test_media_are_linked_not_copied(built: DemoBuild) -> None:
    published = built.media[VIDEO_ID]
    placed = built.project.site / "media" / f"{VIDEO_ID}.mp4"
    assert placed.stat().st_ino == published.media.stat().st_ino


def test_records_for_unpublished_items_are_refused(built: DemoBuild, tmp_path: Path) -> None:
    media = dict(built.media)
    media["intruso"] = media[VIDEO_ID]
    with pytest.raises(BuildError, match="intruso"):
        render_site(built.project, built.archive, "pubblico", media=media)


def test_a_broken_page_is_one_clear_error(tmp_path: Path, built: DemoBuild) -> None:
    project = Project(tmp_path / "rotto")
    shutil.copytree(built.project.root / "docs", project.docs)
    shutil.copytree(built.project.root / "overrides", project.root / "overrides")
    shutil.copy2(built.project.root / "mkdocs.yml", project.root / "mkdocs.yml")
    (project.docs / "storia.md").write_text('--8<-- "_generato/inesistente.md"\n', encoding="utf-8")
    with pytest.raises(BuildError) as err:
        render_site(project, built.archive, "pubblico", media={})
    message = str(err.value)
    assert "\n" not in message and "inesistente.md" in message
    assert message.startswith("costruzione del sito non riuscita")


def test_unknown_engine(built: DemoBuild) -> None:
    with pytest.raises(BuildError, match="motore sconosciuto"):
        render_site(built.project, built.archive, "pubblico", engine="hugo", media={})


# --- zensical -------------------------------------------------------------------------------------


def test_zensical_builds_the_same_docs(tmp_path: Path, built: DemoBuild) -> None:
    """Smoke test: Material's successor builds our mkdocs.yml, pages and transcript included."""
    project = Project(tmp_path / "zensical")
    for name in ("docs", "archive", "transcripts", ".build", "overrides"):
        shutil.copytree(built.project.root / name, project.root / name)
    shutil.copy2(built.project.root / "mkdocs.yml", project.root / "mkdocs.yml")
    render_site(project, built.archive, "pubblico", engine="zensical", media=built.media)
    page = (project.site / "archivio" / VIDEO_ID / "index.html").read_text(encoding="utf-8")
    assert SEGMENT_TEXTS[1] in page
    assert '<track kind="captions"' in page
    assert (project.site / "archivio" / "index.html").is_file()
    assert (project.site / "citta" / "palermo" / "index.html").is_file()
    assert (project.site / "media" / f"{VIDEO_ID}.mp4").is_file()
    xss = (project.site / "archivio" / XSS_ID / "index.html").read_text(encoding="utf-8")
    assert "<script>window.__pwned" not in xss
    city = (project.site / "citta" / "palermo" / "index.html").read_text(encoding="utf-8")
    assert f'href="../../archivio/{VIDEO_ID}/"' in city
    assert posixpath.join("assets", "lgnet", "player.js") in page
    broken = broken_links(project.site)
    assert not broken, "\n".join(broken)


# --- site URL (lgnet build --site-url) -----------------------------------------------------------

SITE_URL = "https://www.comune.example.it/lgnet/"


def copy_built_project(built: DemoBuild, dest: Path) -> Project:
    project = Project(dest)
    for name in ("docs", "archive", "transcripts", ".build", "overrides"):
        shutil.copytree(built.project.root / name, project.root / name)
    shutil.copy2(built.project.root / "mkdocs.yml", project.root / "mkdocs.yml")
    return project


def test_site_url_roots_the_404_page_at_the_sub_path(tmp_path: Path, built: DemoBuild) -> None:
    """A server shows 404.html at any address: with the site URL its styles and links work."""
    project = copy_built_project(built, tmp_path / "con-indirizzo")
    render_site(
        project, built.archive, "pubblico", media=built.media, site_url=SITE_URL.rstrip("/")
    )
    missing = (project.site / "404.html").read_text(encoding="utf-8")
    assert 'href="/lgnet/assets/stylesheets/main.' in missing
    assert 'src="/lgnet/assets/lgnet/sito.js"' in missing
    assert 'href="/lgnet/archivio/"' in missing
    rooted = [url for _tag, _attr, url in parse(project.site / "404.html").urls if url[:1] == "/"]
    assert rooted and all(url.startswith("/lgnet/") for url in rooted), rooted
    # Every other page keeps relative links: the copy on disk and other sub-paths still work.
    page = (project.site / "archivio" / VIDEO_ID / "index.html").read_text(encoding="utf-8")
    assert 'href="../../assets/stylesheets/main.' in page
    assert f'<link rel="canonical" href="{SITE_URL}archivio/{VIDEO_ID}/">' in page
    for path in pages(project.site):
        for tag, _attr, url in parse(path).urls:
            assert not url.startswith("/"), (path, tag, url)
    broken = broken_links(project.site)
    assert not broken, "\n".join(broken)
    sitemap = (project.site / "sitemap.xml").read_text(encoding="utf-8")
    assert f"<loc>{SITE_URL}archivio/{VIDEO_ID}/</loc>" in sitemap


@pytest.mark.parametrize(
    "url", ["www.comune.example.it/lgnet/", "ftp://comune.example.it/", "https://", "https://a b/"]
)
def test_a_site_url_that_is_no_web_address_is_refused(built: DemoBuild, url: str) -> None:
    with pytest.raises(BuildError) as err:
        render_site(built.project, built.archive, "pubblico", media={}, site_url=url)
    message = str(err.value)
    assert message.startswith("--site-url: indirizzo non valido")
    assert "\n" not in message and "https://" in message


def test_zensical_takes_the_site_url_too(tmp_path: Path, built: DemoBuild) -> None:
    project = copy_built_project(built, tmp_path / "zensical")
    render_site(
        project, built.archive, "pubblico", engine="zensical", media=built.media, site_url=SITE_URL
    )
    assert '"/lgnet/assets/' in (project.site / "404.html").read_text(encoding="utf-8")
    page = (project.site / "archivio" / VIDEO_ID / "index.html").read_text(encoding="utf-8")
    assert 'href="../../assets/' in page
    assert sorted(p.name for p in project.root.iterdir() if p.is_file()) == ["mkdocs.yml"]


def test_scripts_are_published_minified_with_their_licence_notice(built: DemoBuild) -> None:
    site = built.project.site
    lunr = (site / "assets" / "cerca" / "lunr.js").read_text(encoding="utf-8")
    assert lunr.startswith("/**") and "@license MIT" in lunr.split("*/")[0]
    assert "Copyright (C) 2020 Oliver Nightingale" in lunr
    source = (REPO / "docs" / "assets" / "lgnet" / "cerca.js").read_text(encoding="utf-8")
    published = (site / "assets" / "lgnet" / "cerca.js").read_text(encoding="utf-8")
    assert len(published) < 0.8 * len(source)
    assert "function PageSearch" in published or "PageSearch" in published
