"""The generated parts of the city sheets and area pages (templates `city.md`, `area.md`).

Hand-written pages include them with pymdownx.snippets: `docs/citta/<slug>.md` includes
`_generato/citta/<slug>.md` (how complete the sheet is, the city's recordings), and
`docs/modello/<area>.md` includes `_generato/ambiti/<area>.md` (the cities that worked on the
area, by their sheets, and its recordings). They are Markdown inside a `markdown="1"` block;
their links are Markdown links relative to the including page (`Includer`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lgnet.archive import AREA_LABELS, Item
from lgnet.pages.components import ARCHIVE_DOCS, render, sort_key
from lgnet.pages.context import Includer, Link, SiteContext, newest_first


@dataclass(frozen=True)
class RecordingRow:
    title: Link
    kind: str
    city: Link | None  # None in a city's own list
    year: str
    duration: float | None


@dataclass(frozen=True)
class SheetCompleteness:
    filled: int
    total: int
    missing: list[str]  # labels of the fields still to be written


@dataclass(frozen=True)
class CitySnippet:
    name: str
    sheet: SheetCompleteness | None  # None: the city has no sheet
    recordings: list[RecordingRow]
    archive: Link
    jsonld: dict[str, Any] | None  # schema.org Place (+ partner), sourced facts only


@dataclass(frozen=True)
class AreaSnippet:
    label: str
    cities: list[Link]
    recordings: list[RecordingRow]


def recording_rows(
    site: SiteContext, items: list[Item], inc: Includer, *, with_city: bool
) -> list[RecordingRow]:
    return [
        RecordingRow(
            title=Link(item.title, inc.target(f"{ARCHIVE_DOCS}/{item.id}/index.md")),
            kind=site.kind_label(item),
            city=site.city_md_link(inc, item.city) if with_city else None,
            year=item.year,
            duration=site.duration(item),
        )
        for item in newest_first(items)
    ]


def city_snippet(site: SiteContext, slug: str, inc: Includer) -> CitySnippet:
    from lgnet.structured import jsonld_city

    sheet = site.sheets.get(slug)
    completeness = None
    if sheet is not None:
        filled, total = sheet.completeness()
        completeness = SheetCompleteness(filled, total, list(sheet.missing()))
    items = site.by_city().get(slug, [])
    return CitySnippet(
        name=site.archive.city_name(slug),
        sheet=completeness,
        recordings=recording_rows(site, items, inc, with_city=False),
        archive=Link("archivio", inc.target(f"{ARCHIVE_DOCS}/index.md")),
        jsonld=(
            jsonld_city(sheet, site.archive.cities.get(slug), site.sources, site_url=site.site_url)
            if sheet is not None
            else None
        ),
    )


def render_city_snippet(site: SiteContext, slug: str, inc: Includer) -> str:
    return render("city.md", s=city_snippet(site, slug, inc))


def area_snippet(site: SiteContext, area: str, inc: Includer) -> AreaSnippet:
    working = []
    for slug, sheet in site.sheets.items():
        fact = getattr(sheet.front, "areas", None)
        if fact is not None and area in fact.value and slug in site.archive.cities:
            working.append(slug)
    working.sort(key=lambda s: sort_key(site.archive.city_name(s)))
    items = [i for i in site.items if area in i.areas]
    return AreaSnippet(
        label=AREA_LABELS.get(area, area).lower(),
        cities=[site.city_md_link(inc, s) for s in working],
        recordings=recording_rows(site, items, inc, with_city=True),
    )


def render_area_snippet(site: SiteContext, area: str, inc: Includer) -> str:
    return render("area.md", s=area_snippet(site, area, inc))
