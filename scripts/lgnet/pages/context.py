"""What the page types know about the site: the archive as published, and which pages exist.

`SiteContext` is built once per run by `lgnet.pages.generate`; the page-type modules ask it
for durations, links to city sheets and area pages, and the recordings of a city. `Includer`
says where a snippet is included from, so that its links are relative to that page. `Link`
and `Summary` are the plain data the templates' shared macros print.
"""

from __future__ import annotations

import posixpath
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from lgnet.archive import AREA_LABELS, KIND_LABELS, NETWORK, Archive, Item
from lgnet.pages.components import href, sort_key
from lgnet.project import Project
from lgnet.publish import PublishedMedia
from lgnet.transcripts import Transcript


@dataclass(frozen=True)
class Link:
    """A text, linked to `url` when the target page exists (`url` None: plain text)."""

    text: str
    url: str | None = None


@dataclass(frozen=True)
class Summary:
    """`Testimonianza · Palermo · 3 novembre 2023 · 1:24`: a recording in one line."""

    kind: str
    city: Link
    date: str  # YYYY-MM-DD, YYYY-MM or YYYY
    duration: float | None


@dataclass(frozen=True)
class Includer:
    """Where a snippet is included from: its links are written relative to that page.

    Snippet links are Markdown links to the target's source file, which MkDocs and Zensical
    both resolve from the including page. Raw HTML links (the map's SVG) are left alone by
    MkDocs but rewritten by Zensical as if relative to the source file: the two agree only
    when the including page is an `index.md`, whose folder is also its URL.
    """

    source_dir: str  # folder of the including page inside docs/ ("" for docs/ itself)
    is_index: bool

    def target(self, docs_target: str) -> str:
        """A Markdown link target to the page `docs_target` (a path inside docs/, #anchor)."""
        path, _, anchor = docs_target.partition("#")
        rel = posixpath.relpath(path, self.source_dir or ".")
        return f"{rel}{'#' + anchor if anchor else ''}"

    @property
    def url(self) -> str:
        """The including page's URL, for raw HTML links (meaningful when `is_index`)."""
        return self.source_dir + "/" if self.source_dir else ""


@dataclass
class SiteContext:
    """Context shared by the renderers: the archive as published, and the pages that exist."""

    project: Project
    archive: Archive
    audience: str
    items: list[Item]
    transcripts: dict[str, Transcript]
    media: dict[str, PublishedMedia]
    sheets: dict[str, Any]
    sources: dict[str, Any]
    site_url: str | None = None  # the public address, when known: absolute URLs in JSON-LD

    def has_page(self, docs_path: str) -> bool:
        return (self.project.docs / docs_path).is_file()

    def has_city_page(self, slug: str) -> bool:
        return slug != NETWORK and self.has_page(f"citta/{slug}.md")

    def city_link(self, from_url: str, slug: str) -> Link:
        """The city's name, linked to its practice sheet (a site URL) when the sheet exists."""
        name = self.archive.city_name(slug)
        if self.has_city_page(slug):
            return Link(name, href(from_url, f"citta/{slug}/"))
        return Link(name)

    def area_link(self, from_url: str, area: str) -> Link:
        label = AREA_LABELS.get(area, area)
        if self.has_page(f"modello/{area}.md"):
            return Link(label, href(from_url, f"modello/{area}/"))
        return Link(label)

    def city_md_link(self, inc: Includer, slug: str) -> Link:
        """The city's name, linked to its sheet (a Markdown target) when the sheet exists."""
        name = self.archive.city_name(slug)
        if self.has_city_page(slug):
            return Link(name, inc.target(f"citta/{slug}.md"))
        return Link(name)

    def duration(self, item: Item) -> float | None:
        published = self.media.get(item.id)
        if published is not None and published.duration > 0:
            return published.duration
        transcript = self.transcripts.get(item.id)
        return transcript.duration if transcript and transcript.duration > 0 else None

    def by_city(self) -> dict[str, list[Item]]:
        out: dict[str, list[Item]] = defaultdict(list)
        for item in self.items:
            out[item.city].append(item)
        return out

    def kind_label(self, item: Item) -> str:
        """The kind as visitors should read it: a pill that is only sound is no "video"."""
        published = self.media.get(item.id)
        if item.kind == "pillola" and published is not None and not published.is_video:
            return "Pillola audio"
        return KIND_LABELS[item.kind]

    def summary(self, item: Item, from_url: str, *, link_city: bool = True) -> Summary:
        city = (
            self.city_link(from_url, item.city)
            if link_city
            else Link(self.archive.city_name(item.city))
        )
        return Summary(self.kind_label(item), city, item.date, self.duration(item))


def load_knowledge(project: Project) -> tuple[dict[str, Any], dict[str, Any]]:
    """Sheets and sources; problems are reported by `lgnet check`, not here."""
    from lgnet.knowledge import load_sheets, load_sources

    sheets, _ = load_sheets(project)
    sources, _ = load_sources(project)
    return dict(sheets), dict(sources)


def newest_first(items: Iterable[Item]) -> list[Item]:
    return sorted(
        sorted(items, key=lambda i: sort_key(i.title)), key=lambda i: i.date, reverse=True
    )
