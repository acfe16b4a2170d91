"""Writing the generated pages: what goes where, which snippet links from which folder, and
removing the pages of items no longer published.
"""

from __future__ import annotations

import functools
import posixpath
import re
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from lgnet.archive import AREAS, NETWORK, Archive
from lgnet.errors import BuildError
from lgnet.fsutil import atomic_write_text
from lgnet.pages.catalogue import render_catalogue
from lgnet.pages.components import ARCHIVE_DOCS, PATHS_DOCS
from lgnet.pages.context import Includer, SiteContext, load_knowledge
from lgnet.pages.glossary import render_glossary_snippet
from lgnet.pages.home import render_home_snippet
from lgnet.pages.map import render_map_snippet
from lgnet.pages.recording import render_recording
from lgnet.pages.snippets import render_area_snippet, render_city_snippet
from lgnet.pages.training import render_path, render_path_index, training_paths
from lgnet.project import GENERATED_DOCS, Project
from lgnet.publish import PublishedMedia
from lgnet.transcripts import Transcript

_SNIPPET_REF = re.compile(GENERATED_DOCS + r"/[A-Za-z0-9_./-]+\.md")


def _includers(project: Project) -> dict[str, list[str]]:
    """Snippet path (relative to docs/) -> hand-written pages (relative to docs/) including it."""
    found: dict[str, list[str]] = defaultdict(list)
    skip = {
        project.generated_docs.resolve(),
        (project.docs / ARCHIVE_DOCS).resolve(),
        (project.docs / PATHS_DOCS).resolve(),
    }
    for path in sorted(project.docs.rglob("*.md")):
        if not skip.isdisjoint(path.resolve().parents):
            continue
        rel = path.relative_to(project.docs).as_posix()
        for snippet in dict.fromkeys(_SNIPPET_REF.findall(path.read_text(encoding="utf-8"))):
            found[snippet].append(rel)
    return found


def _includer(snippet: str, default_page: str, includers: dict[str, list[str]]) -> Includer:
    """Where the snippet's links start from: the folder of the page(s) including it."""
    pages = includers.get(snippet) or [default_page]
    folders = sorted({posixpath.dirname(p) for p in pages})
    if len(folders) > 1:
        raise BuildError(
            f"docs/{snippet}: è incluso da pagine in cartelle diverse ({', '.join(pages)}); i "
            "suoi collegamenti possono essere giusti per una sola cartella: includerlo solo da "
            "pagine della stessa cartella"
        )
    is_index = all(posixpath.basename(p) in ("index.md", "README.md") for p in pages)
    return Includer(source_dir=folders[0], is_index=is_index)


def _write_if_changed(path: Path, text: str) -> None:
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return
    atomic_write_text(path, text)


def _remove_stale(folder: Path, keep: set[Path]) -> None:
    if not folder.is_dir():
        return
    for path in sorted(folder.rglob("*"), reverse=True):
        if path.is_file() and path not in keep:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()


def generate_pages(
    project: Project,
    archive: Archive,
    transcripts: dict[str, Transcript],
    audience: str,
    media: dict[str, PublishedMedia],
    site_url: str | None = None,
) -> list[Path]:
    """Write the generated pages and snippets; delete those of items no longer published.

    Returns every generated file (written now or already up to date).
    """
    items = archive.published(audience)
    published_ids = {i.id for i in items}
    sheets, sources = load_knowledge(project)
    site = SiteContext(
        project=project,
        archive=archive,
        audience=audience,
        items=items,
        transcripts={k: v for k, v in transcripts.items() if k in published_ids},
        media={k: v for k, v in media.items() if k in published_ids},
        sheets=sheets,
        sources=sources,
        site_url=site_url,
    )
    outputs: dict[Path, str] = {}
    archive_dir = project.docs / ARCHIVE_DOCS
    outputs[archive_dir / "index.md"] = render_catalogue(site)
    for item in items:
        # <id>/index.md, not <id>.md: a page whose folder is its URL has raw HTML links that
        # MkDocs and Zensical read the same way.
        outputs[archive_dir / item.id / "index.md"] = render_recording(site, item)

    Renderer = Callable[[Includer], str]
    snippets: list[tuple[str, str, Renderer]] = [
        # The same map for two folders: links inside a snippet hold for one folder only.
        ("mappa.md", "citta/index.md", functools.partial(render_map_snippet, site)),
        ("mappa-home.md", "index.md", functools.partial(render_map_snippet, site)),
        ("home.md", "index.md", functools.partial(render_home_snippet, site)),
        ("glossario.md", "glossario.md", functools.partial(render_glossary_snippet, site)),
    ]
    for slug in archive.cities:
        if slug != NETWORK:
            city = functools.partial(render_city_snippet, site, slug)
            snippets.append((f"citta/{slug}.md", f"citta/{slug}.md", city))
    for area in AREAS:
        theme = functools.partial(render_area_snippet, site, area)
        snippets.append((f"ambiti/{area}.md", f"modello/{area}.md", theme))
    includers = _includers(project)
    for name, default_page, render in snippets:
        snippet = f"{GENERATED_DOCS}/{name}"
        outputs[project.docs / snippet] = render(_includer(snippet, default_page, includers))

    paths_dir = project.docs / PATHS_DOCS
    paths = training_paths(site)
    outputs[paths_dir / "index.md"] = render_path_index(paths)
    for training, excerpts in paths:
        outputs[paths_dir / training.slug / "index.md"] = render_path(site, training, excerpts)

    for path, text in outputs.items():
        _write_if_changed(path, text)
    keep = set(outputs)
    _remove_stale(archive_dir, keep)
    _remove_stale(paths_dir, keep)
    _remove_stale(project.generated_docs, keep)
    return sorted(outputs)
