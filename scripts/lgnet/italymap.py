"""The outline of Italy's regions for the network map, and where a city falls on it.

Data: ``assets/italia.json``, made once by ``scripts/make_italy_outline.py`` from the npm package
``@svg-maps/italy`` 2.0.0 (CC BY 4.0, Victor Cazanave, after MapSVG; licence text in
``assets/italia-LICENSE.txt``: a page that draws the outline must credit it, as the site's
*Crediti* and *Note legali* pages do). The map is a Mercator projection; its parameters were
fitted on the map's extreme points (residuals under 1 px, about 1 km).

Use::

    from lgnet import italymap

    shape = italymap.outline()
    svg = (
        f'<svg viewBox="{shape.view_box}" role="img" aria-labelledby="…">'
        f'<path class="lgnet-mappa__terra" d="{shape.path}"/>'       # all regions in one path
        + "".join(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6"/>'
                  for x, y in (italymap.project(c.lat, c.lon) for c in cities))
        + "</svg>"
    )

- ``outline()`` gives the viewBox (``"0 0 610 793"``), its width and height, one path with every
  region (``path``) and the regions one by one (``regions``: id, Italian name, path), e.g. to
  draw the borders between regions more lightly than the coast.
- ``project(lat, lon)`` gives the point (x, y) in the viewBox's units; it raises ``ValueError``
  for coordinates that are no numbers or fall far outside Italy.
- ``region_at(x, y)`` gives the Italian name of the region drawn at a point (or ``None``): the
  tests use it to check that every city of ``archive/cities.yml`` falls inside its own region.

The path data is plain ``M``/``m``/``l``/``z`` commands with numbers only, so it can be written into
HTML attributes as is. Everything is read once and cached; nothing is fetched at run time.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = ["Outline", "Region", "outline", "project", "region_at"]

# A margin around Italy's extreme points (Vetta d'Italia, Lampedusa, Rocca Bernauda, Punta
# Palascia): anything farther is not an Italian city and would fall off the map.
_LAT_RANGE = (35.0, 47.5)
_LON_RANGE = (6.0, 19.0)


@dataclass(frozen=True)
class Region:
    id: str  # the package's id, e.g. "sicily"
    name: str  # Italian name, as in archive/cities.yml, e.g. "Sicilia"
    path: str  # SVG path data


@dataclass(frozen=True)
class Outline:
    view_box: str
    width: float
    height: float
    path: str  # every region, one after the other
    regions: tuple[Region, ...]


@dataclass(frozen=True)
class _Projection:
    lon0: float
    lat0: float
    kx: float
    x0: float
    ky: float
    y0: float


@cache
def _data() -> dict[str, object]:
    text = resources.files("lgnet").joinpath("assets/italia.json").read_text(encoding="utf-8")
    data: dict[str, object] = json.loads(text)
    return data


_FIRST_MOVE = re.compile(r"^\s*m\s*(-?[\d.]+)[\s,]+(-?[\d.]+)\s+(?=-?[\d.])")


@cache
def outline() -> Outline:
    data = _data()
    view_box = str(data["viewBox"])
    _x, _y, width, height = (float(v) for v in view_box.split())
    raw = data["regioni"]
    assert isinstance(raw, list)
    regions = tuple(Region(id=r["id"], name=r["nome"], path=r["path"]) for r in raw)
    for region in regions:  # numbers and m/l/h/v/z only: safe inside an attribute
        if not re.fullmatch(r"[MmLlHhVvZz0-9.,eE+\-\s]+", region.path):
            raise ValueError(f"italia.json: percorso non valido per {region.id}")
    # A path's first "m" is absolute, and the pairs after it relative lines; once joined it
    # would be relative to the previous region's end: written as "M x,y l ..." instead.
    path = " ".join(_FIRST_MOVE.sub(r"M\1,\2 l ", r.path, count=1) for r in regions)
    return Outline(view_box, width, height, path, regions)


@cache
def _projection() -> _Projection:
    p = _data()["proiezione"]
    assert isinstance(p, dict)
    return _Projection(*(float(p[k]) for k in ("lon0", "lat0", "kx", "x0", "ky", "y0")))


def _mercator(lat: float) -> float:
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def project(lat: float, lon: float) -> tuple[float, float]:
    """(x, y) in the outline's viewBox for a point given in degrees (WGS84)."""
    if not (
        isinstance(lat, int | float)
        and isinstance(lon, int | float)
        and _LAT_RANGE[0] <= lat <= _LAT_RANGE[1]
        and _LON_RANGE[0] <= lon <= _LON_RANGE[1]
    ):
        raise ValueError(f"coordinate fuori dall'Italia: lat={lat!r}, lon={lon!r}")
    p = _projection()
    x = p.x0 + p.kx * math.radians(lon - p.lon0)
    y = p.y0 + p.ky * (_mercator(p.lat0) - _mercator(lat))
    return x, y


_TOKEN = re.compile(r"[MmLlHhVvZz]|-?\d*\.?\d+(?:[eE][-+]?\d+)?")


def _rings(path: str) -> list[list[tuple[float, float]]]:
    """The closed polygons of a path made of M/L/H/V/Z commands."""
    rings: list[list[tuple[float, float]]] = []
    x = y = 0.0
    cmd = ""
    tokens = _TOKEN.findall(path)
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.isalpha():
            cmd = tok
            i += 1
            if cmd in "Zz" and rings and rings[-1]:
                x, y = rings[-1][0]  # a relative move after z starts from the closed point
            continue
        if cmd in "MmLl":
            dx, dy = float(tokens[i]), float(tokens[i + 1])
            i += 2
            x, y = (x + dx, y + dy) if cmd.islower() else (dx, dy)
            if cmd in "Mm":
                rings.append([])
                cmd = "l" if cmd == "m" else "L"
        else:  # H/V
            v = float(tokens[i])
            i += 1
            if cmd in "Hh":
                x = x + v if cmd == "h" else v
            else:
                y = y + v if cmd == "v" else v
        rings[-1].append((x, y))
    return rings


@cache
def _polygons() -> tuple[tuple[str, tuple[tuple[tuple[float, float], ...], ...]], ...]:
    return tuple((r.name, tuple(tuple(ring) for ring in _rings(r.path))) for r in outline().regions)


def _inside(x: float, y: float, ring: tuple[tuple[float, float], ...]) -> bool:
    inside = False
    n = len(ring)
    for k in range(n):
        (x1, y1), (x2, y2) = ring[k], ring[(k + 1) % n]
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def region_at(x: float, y: float) -> str | None:
    """The Italian name of the region drawn at (x, y), or None (sea, or abroad)."""
    for name, rings in _polygons():
        if sum(_inside(x, y, ring) for ring in rings) % 2:
            return name
    return None


def _simplified(ring: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Douglas-Peucker: the ring's points that matter at `tolerance` (viewBox units)."""
    if len(ring) < 4:
        return ring
    keep = [False] * len(ring)
    keep[0] = keep[-1] = True
    stack = [(0, len(ring) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = ring[first], ring[last]
        dx, dy = x2 - x1, y2 - y1
        length = math.hypot(dx, dy) or 1e-9
        worst, at = 0.0, -1
        for k in range(first + 1, last):
            x, y = ring[k]
            distance = abs(dy * (x - x1) - dx * (y - y1)) / length
            if distance > worst:
                worst, at = distance, k
        if worst > tolerance and at > 0:
            keep[at] = True
            stack += [(first, at), (at, last)]
    return [p for p, kept in zip(ring, keep, strict=True) if kept]


@cache
def light_path(tolerance: float = 1.5) -> str:
    """Every region in one path, simplified to `tolerance` viewBox units and written in
    absolute whole units: at the size the site draws the map (one unit is about 0.8 px) the
    error stays near a pixel, and the path is about a quarter of the full outline's bytes
    (10 KB instead of 47 KB), which a phone loads with every page showing the map."""
    parts = []
    for region in outline().regions:
        for ring in _rings(region.path):
            points = _simplified(ring, tolerance)
            if len(points) >= 3:
                parts.append("M" + " ".join(f"{round(x)},{round(y)}" for x, y in points) + "Z")
    return "".join(parts)
