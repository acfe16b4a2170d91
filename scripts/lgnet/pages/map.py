"""The network map, `docs/_generato/mappa.md` and `mappa-home.md` (template `map.md`).

An SVG of Italy (the regions' outline of `@svg-maps/italy`, CC BY 4.0, see `lgnet.italymap`)
with a dot per city placed by its coordinates (filled when the city has published
recordings), its label placed where it hits no other dot or label, and the dot a link to the
city's sheet that a keyboard reaches and a screen reader names ("Palermo: 1 registrazione");
and a table of the cities as the text equivalent. No tiles, no requests.

`network_map(cities, counts, links)` computes the figure alone, so the outline and the
projection can be replaced (a finer outline of Italy) without touching the snippet.
"""

from __future__ import annotations

from dataclasses import dataclass

from lgnet import italymap
from lgnet.archive import NETWORK, City
from lgnet.pages.components import href, render, sort_key
from lgnet.pages.context import Includer, Link, SiteContext

_OUTLINE = italymap.outline()
MAP_WIDTH, MAP_HEIGHT = round(_OUTLINE.width), round(_OUTLINE.height)
_LABEL_SIZE = 17


def _project_point(lon: float, lat: float) -> tuple[float, float]:
    x, y = italymap.project(lat, lon)
    return round(x, 1), round(y, 1)


def outline_path() -> str:
    """The SVG path (`d`) of Italy's regions (`@svg-maps/italy`, CC BY 4.0), simplified to what
    the drawn size shows."""
    return italymap.light_path()


Box = tuple[float, float, float, float]  # left, top, right, bottom


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _label_spots(x: float, y: float, width: float) -> list[tuple[float, float, str, Box]]:
    """Where a label may go around a dot: right, left, above, below (text x, y, anchor, box)."""
    h = _LABEL_SIZE
    return [
        (x + 10, y + h * 0.35, "start", (x + 9, y - h * 0.6, x + 11 + width, y + h * 0.5)),
        (x - 10, y + h * 0.35, "end", (x - 11 - width, y - h * 0.6, x - 9, y + h * 0.5)),
        (x, y - 11, "middle", (x - width / 2, y - 11 - h, x + width / 2, y - 9)),
        (x, y + 11 + h * 0.8, "middle", (x - width / 2, y + 9, x + width / 2, y + 12 + h)),
    ]


def _place_labels(cities: list[tuple[City, float, float]]) -> dict[str, tuple[float, float, str]]:
    """Greedy placement: each label takes the first spot that hits no dot and no other label."""
    dots: list[Box] = [(x - 7, y - 7, x + 7, y + 7) for _, x, y in cities]
    labels: list[Box] = []
    placed: dict[str, tuple[float, float, str]] = {}
    for city, x, y in sorted(cities, key=lambda c: c[2]):
        spots = _label_spots(x, y, len(city.name) * _LABEL_SIZE * 0.58)
        own: Box = (x - 7, y - 7, x + 7, y + 7)
        obstacles = [d for d in dots if d != own] + labels

        def free(box: Box, obstacles: list[Box] = obstacles) -> bool:
            inside = box[0] >= 0 and box[1] >= 0 and box[2] <= MAP_WIDTH and box[3] <= MAP_HEIGHT
            return inside and not any(_overlaps(box, o) for o in obstacles)

        tx, ty, anchor, box = next((s for s in spots if free(s[3])), spots[0])
        labels.append(box)
        placed[city.slug] = (round(tx, 1), round(ty, 1), anchor)
    return placed


@dataclass(frozen=True)
class Marker:
    name: str
    x: float
    y: float
    label_x: float
    label_y: float
    anchor: str  # text-anchor of the label
    filled: bool  # the city has published recordings
    url: str | None  # its sheet
    label: str  # what a screen reader says for the link: "Palermo: 1 registrazione"


@dataclass(frozen=True)
class NetworkMap:
    width: int
    height: int
    outline: str
    markers: list[Marker]


def network_map(cities: list[City], counts: dict[str, int], links: dict[str, str]) -> NetworkMap:
    """The figure: a marker per city with coordinates, in the order of `cities`.

    `counts`: published recordings per city slug; `links`: the URL a city's dot opens.
    """
    located = []
    for city in cities:
        if city.lat is not None and city.lon is not None:
            x, y = _project_point(city.lon, city.lat)
            located.append((city, x, y))
    labels = _place_labels(located)
    markers = []
    for city, x, y in located:
        lx, ly, anchor = labels[city.slug]
        count = counts.get(city.slug, 0)
        said = f"{city.name}: {count} registrazion{'e' if count == 1 else 'i'} pubblicat" + (
            "a" if count == 1 else "e"
        )
        markers.append(
            Marker(city.name, x, y, lx, ly, anchor, bool(count), links.get(city.slug), said)
        )
    return NetworkMap(MAP_WIDTH, MAP_HEIGHT, outline_path(), markers)


@dataclass(frozen=True)
class CityRow:
    city: Link
    region: str
    sheet: str  # how complete its sheet is
    count: int


@dataclass(frozen=True)
class MapSnippet:
    map: NetworkMap
    rows: list[CityRow]
    network: int  # recordings about the whole network


def map_snippet(site: SiteContext, inc: Includer) -> MapSnippet:
    cities = [c for c in site.archive.cities.values() if c.slug != NETWORK]
    cities.sort(key=lambda c: sort_key(c.name))
    by_city = site.by_city()
    counts = {slug: len(items) for slug, items in by_city.items()}
    # The dots are a shortcut for pointers; keyboards and screen readers use the table. Raw
    # HTML links hold for both engines only from an index page (see `Includer`).
    links = {
        c.slug: href(inc.url, f"citta/{c.slug}/")
        for c in cities
        if inc.is_index and site.has_page(f"citta/{c.slug}.md")
    }
    rows = []
    for city in cities:
        sheet = site.sheets.get(city.slug)
        if sheet is not None:
            filled, total = sheet.completeness()
            sheet_text = f"{filled} campi su {total}"
        else:
            sheet_text = "non ancora scritta"
        link = site.city_md_link(inc, city.slug)
        rows.append(CityRow(link, city.region or "", sheet_text, counts.get(city.slug, 0)))
    network = len(by_city.get(NETWORK, []))
    return MapSnippet(network_map(cities, counts, links), rows, network)


def render_map_snippet(site: SiteContext, inc: Includer) -> str:
    return render("map.md", s=map_snippet(site, inc))
