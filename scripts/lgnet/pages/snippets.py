"""The generated parts of the city sheets and area pages (templates `city.md`, `area.md`).

Hand-written pages include them with pymdownx.snippets: `docs/citta/<slug>.md` includes
`_generato/citta/<slug>.md` (how complete the sheet is, the city's recordings), and
`docs/modello/<area>.md` includes `_generato/ambiti/<area>.md` (every city of the network
compared on the area, and the area's recordings). They are Markdown inside a `markdown="1"`
block; their links are Markdown links relative to the including page (`Includer`).

The area's table has one row per city of `archive/cities.yml` (not the network itself): what
the city does there, from the sheet's sourced `area_activities` entry ("da completare" when no
source says it), the moments of the recordings that show it (the entry's evidence lines) and
the city's other recordings on the area, only those this build publishes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lgnet.archive import AREA_LABELS, NETWORK, Item
from lgnet.knowledge import SOURCE_KIND_LABELS, SOURCES_PAGE, TO_COMPLETE, Source
from lgnet.pages.components import ARCHIVE_DOCS, italian_date, render, sort_key
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
class AreaRecording:
    """A published recording in a city's row, with the cited moments (links with `#t=`)."""

    link: Link  # its page
    moments: list[Link]  # "ascolta 0:09–0:20", in the order the sheet cites them


@dataclass(frozen=True)
class AreaCityRow:
    city: Link
    activity: str | None  # None: "da completare"
    listed: bool  # the sheet's sourced `areas` names the area (even with no activity yet)
    sources: list[Link]
    recordings: list[AreaRecording]  # published items only: cited ones first

    @property
    def status(self) -> str:
        return "documentato" if self.activity is not None else TO_COMPLETE


@dataclass(frozen=True)
class AreaSnippet:
    label: str
    table_id: str
    rows: list[AreaCityRow]
    documented: int
    guide: Link | None  # how to complete a sheet, when the page exists
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
    items = [i for i in site.items if area in i.areas]
    slugs = sorted(
        (s for s in site.archive.cities if s != NETWORK),
        key=lambda s: sort_key(site.archive.city_name(s)),
    )
    published = {i.id: i for i in site.items}
    rows = [_area_row(site, area, slug, items, published, inc) for slug in slugs]
    guide = "guida/schede.md"
    return AreaSnippet(
        label=AREA_LABELS.get(area, area).lower(),
        table_id=f"confronto-{area}",
        rows=rows,
        documented=sum(r.activity is not None for r in rows),
        guide=Link("completare la scheda di una città", inc.target(guide))
        if site.has_page(guide)
        else None,
        recordings=recording_rows(site, items, inc, with_city=True),
    )


def _area_row(
    site: SiteContext,
    area: str,
    slug: str,
    area_items: list[Item],
    published: dict[str, Item],
    inc: Includer,
) -> AreaCityRow:
    sheet = site.sheets.get(slug)
    activity = sheet.area_activity(area) if sheet is not None else None
    areas_fact = sheet.front.areas if sheet is not None else None
    moments: dict[str, list[Link]] = {}  # item id -> moments, cited recordings first
    for moment in activity.moments() if activity is not None else []:
        if moment.item_id not in published:  # not in this build (consent, audience)
            continue
        target = inc.target(f"{ARCHIVE_DOCS}/{moment.item_id}/index.md")
        moments.setdefault(moment.item_id, []).append(
            Link(f"ascolta {moment.shown_time}", f"{target}#t={moment.fragment}")
        )
    others = [i.id for i in newest_first(i for i in area_items if i.city == slug)]
    recordings = [
        AreaRecording(
            Link(published[item_id].title, inc.target(f"{ARCHIVE_DOCS}/{item_id}/index.md")),
            moments.get(item_id, []),
        )
        for item_id in dict.fromkeys([*moments, *others])
    ]
    return AreaCityRow(
        city=site.city_md_link(inc, slug),
        activity=activity.value if activity is not None else None,
        listed=areas_fact is not None and area in areas_fact.value,
        sources=[_source_link(site, inc, s) for s in (activity.sources if activity else [])],
        recordings=recordings,
    )


def _source_link(site: SiteContext, inc: Includer, source_id: str) -> Link:
    """A source in a few words (who or what, and when), linked to its entry in fonti.md."""
    source: Source | None = site.sources.get(source_id)
    if source is None:
        return Link(source_id)
    who = source.publisher or SOURCE_KIND_LABELS.get(source.kind, source.kind)
    text = f"{who}, {italian_date(source.date) if source.date else 'senza data'}"
    if site.has_page(SOURCES_PAGE):
        return Link(text, inc.target(f"{SOURCES_PAGE}#{source_id}"))
    return Link(text)


def render_area_snippet(site: SiteContext, area: str, inc: Includer) -> str:
    return render("area.md", s=area_snippet(site, area, inc))
