"""lgnet.italymap: the outline of Italy's regions and the projection of the network's cities."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
import yaml

from lgnet import italymap

REPO = Path(__file__).resolve().parents[1]


def cities() -> list[dict[str, object]]:
    data = yaml.safe_load((REPO / "archive" / "cities.yml").read_text(encoding="utf-8"))
    return [c for c in data if c.get("lat") is not None]


def bbox(path: str) -> tuple[float, float, float, float]:
    xs, ys = [], []
    for ring in italymap._rings(path):
        xs += [p[0] for p in ring]
        ys += [p[1] for p in ring]
    return min(xs), min(ys), max(xs), max(ys)


def region(name: str) -> italymap.Region:
    return next(r for r in italymap.outline().regions if r.name == name)


def test_outline_has_the_twenty_regions_in_its_view_box() -> None:
    shape = italymap.outline()
    assert shape.view_box == "0 0 610 793"
    assert (shape.width, shape.height) == (610, 793)
    assert len(shape.regions) == 20
    assert {r.name for r in shape.regions} >= {"Sicilia", "Sardegna", "Friuli-Venezia Giulia"}
    assert re.fullmatch(r"[Mmlz0-9.,\-\s]+", shape.path)
    x0, y0, x1, y1 = bbox(shape.path)
    assert 0 <= x0 < 2 and 608 < x1 <= 610 and 0 <= y0 < 2 and 790 < y1 <= 793


@pytest.mark.parametrize(
    ("lat", "lon", "name"),
    [
        (38.1157, 13.3615, "Sicilia"),
        (45.6495, 13.7768, "Friuli-Venezia Giulia"),
        (40.7259, 8.5557, "Sardegna"),
    ],
)
def test_cities_fall_inside_their_region_bbox(lat: float, lon: float, name: str) -> None:
    x, y = italymap.project(lat, lon)
    x0, y0, x1, y1 = bbox(region(name).path)
    assert x0 < x < x1 and y0 < y < y1
    assert italymap.region_at(x, y) == name


def test_every_city_of_the_network_is_drawn_inside_its_own_region() -> None:
    found = {c["slug"]: italymap.region_at(*italymap.project(c["lat"], c["lon"])) for c in cities()}
    expected = {c["slug"]: c["region"] for c in cities()}
    assert found == expected
    assert len(found) >= 18


def test_projection_is_calibrated_on_the_extreme_points() -> None:
    # Italy's westernmost and northernmost points sit on the map's edges, within 1 px.
    assert italymap.project(47.0921, 6.6272) == pytest.approx((0.3, 0.3), abs=1)
    assert italymap.project(39.7967, 18.5204)[0] == pytest.approx(610, abs=1)
    # Mercator: on the map a degree of latitude grows longer northwards.
    _, ya = italymap.project(37.0, 12.0)
    _, yb = italymap.project(38.0, 12.0)
    _, yc = italymap.project(46.0, 12.0)
    _, yd = italymap.project(47.0, 12.0)
    assert (yc - yd) > (ya - yb) > 0


@pytest.mark.parametrize(("lat", "lon"), [(51.5, -0.12), (math.nan, 12.0), (41.9, "12")])
def test_coordinates_outside_italy_are_refused(lat: float, lon: object) -> None:
    with pytest.raises(ValueError, match="fuori dall'Italia"):
        italymap.project(lat, lon)  # type: ignore[arg-type]


def test_sea_is_no_region() -> None:
    assert italymap.region_at(*italymap.project(39.5, 11.0)) is None  # Tyrrhenian Sea
    assert italymap.region_at(-5, -5) is None


def test_licence_travels_with_the_data() -> None:
    assets = REPO / "scripts" / "lgnet" / "assets"
    text = (assets / "italia-LICENSE.txt").read_text(encoding="utf-8")
    assert "Attribution 4.0 International" in text and "@svg-maps/italy" in text


def test_the_light_outline_is_small_and_keeps_the_cities_in_their_regions() -> None:
    from lgnet.italymap import _rings, light_path, outline

    light = light_path()
    assert len(light) < len(outline().path) / 3
    rings = _rings(light)
    assert len(rings) >= 20  # every region (and the islands) is still drawn
    xs = [x for ring in rings for x, _ in ring]
    ys = [y for ring in rings for _, y in ring]
    assert min(xs) >= 0 and max(xs) <= outline().width + 1
    assert min(ys) >= 0 and max(ys) <= outline().height + 1
