#!/usr/bin/env python3
"""Regenerate scripts/lgnet/assets/italia.json (and italia-LICENSE.txt) from `@svg-maps/italy`.

The npm package (CC BY 4.0, by Victor Cazanave, based on MapSVG's map of Italy) holds one SVG
path per region in a 610×793 viewBox. This script installs it in a temporary folder
(`npm install --no-save @svg-maps/italy`), keeps the path data with Italian region names, and
fits the projection that `lgnet.italymap.project()` uses: the map is a Mercator projection, so

    x = x0 + kx * (lon - LON0)        y = y0 + ky * (M(LAT0) - M(lat)),   M(φ) = ln tan(π/4 + φ/2)

with kx and ky (pixels per radian) and the offsets fitted by least squares on the map's extreme
points, whose geographic coordinates are known (CONTROL below). The residuals are printed; they
are below 1 px (about 1 km) on every control point.

Run once, when the package changes, and commit the result:

    python3 scripts/make_italy_outline.py [--package DIR]   # DIR: an unpacked @svg-maps/italy
"""

from __future__ import annotations

import argparse
import json
import math
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

PACKAGE = "@svg-maps/italy"
VERSION = "2.0.0"
ASSETS = Path(__file__).resolve().parent / "lgnet" / "assets"

# The package's English ids, with the region names used in archive/cities.yml.
REGIONS = {
    "abruzzo": "Abruzzo",
    "aosta-valley": "Valle d'Aosta",
    "apulia": "Puglia",
    "basilicata": "Basilicata",
    "calabria": "Calabria",
    "campania": "Campania",
    "emilia-romagna": "Emilia-Romagna",
    "friuli-venezia-giulia": "Friuli-Venezia Giulia",
    "lazio": "Lazio",
    "liguria": "Liguria",
    "lombardy": "Lombardia",
    "marche": "Marche",
    "molise": "Molise",
    "piedmont": "Piemonte",
    "sardinia": "Sardegna",
    "sicily": "Sicilia",
    "trentino-south-tyrol": "Trentino-Alto Adige",
    "tuscany": "Toscana",
    "umbria": "Umbria",
    "veneto": "Veneto",
}

# Extreme points of the map: (region id, which edge of its bounding box, degrees, place).
CONTROL: list[tuple[str, str, float, str]] = [
    ("piedmont", "xmin", 6.6272, "Rocca Bernauda, punto più a ovest"),
    ("apulia", "xmax", 18.5204, "Punta Palascia, punto più a est"),
    ("sardinia", "xmax", 9.8281, "Capo Comino"),
    ("sicily", "xmax", 15.6520, "Capo Peloro"),
    ("sicily", "xmin", 11.9266, "Pantelleria, costa ovest"),
    ("trentino-south-tyrol", "ymin", 47.0921, "Vetta d'Italia, punto più a nord"),
    ("sicily", "ymax", 35.4929, "Lampedusa, Punta Pesce Spada, punto più a sud"),
    ("sardinia", "ymax", 38.8644, "Capo Teulada"),
    ("apulia", "ymax", 39.7967, "Capo di Leuca"),
]

_TOKEN = re.compile(r"[MmLlHhVvZz]|-?\d*\.?\d+(?:[eE][-+]?\d+)?")


def points(path: str) -> list[tuple[float, float]]:
    """Absolute vertices of a path made of M/L/H/V/Z commands (what the package uses)."""
    x = y = sx = sy = 0.0
    cmd = ""
    out: list[tuple[float, float]] = []
    tokens = _TOKEN.findall(path)
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.isalpha():
            cmd = tok
            i += 1
            if cmd in "Zz":
                x, y = sx, sy
            continue
        if cmd in "MmLl":
            dx, dy = float(tokens[i]), float(tokens[i + 1])
            i += 2
            x, y = (x + dx, y + dy) if cmd.islower() else (dx, dy)
            if cmd in "Mm":
                sx, sy = x, y
                cmd = "l" if cmd == "m" else "L"
        elif cmd in "HhVv":
            v = float(tokens[i])
            i += 1
            if cmd in "Hh":
                x = x + v if cmd == "h" else v
            else:
                y = y + v if cmd == "v" else v
        else:
            raise ValueError(f"comando di percorso non gestito: {cmd!r}")
        out.append((x, y))
    return out


def mercator(lat: float) -> float:
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def fit(a: list[float], b: list[float]) -> tuple[float, float]:
    """Least squares b ≈ k * a + c."""
    n = len(a)
    ma, mb = sum(a) / n, sum(b) / n
    k = sum((p - ma) * (q - mb) for p, q in zip(a, b, strict=True)) / sum((p - ma) ** 2 for p in a)
    return k, mb - k * ma


def install(tmp: Path) -> Path:
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("npm non trovato: installare nodejs e npm (apt-get install npm)")
    subprocess.run(
        [npm, "install", "--no-save", "--no-audit", "--no-fund", f"{PACKAGE}@{VERSION}"],
        cwd=tmp,
        check=True,
    )
    return tmp / "node_modules" / PACKAGE


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package", type=Path, help="cartella di @svg-maps/italy già scaricata")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        package = args.package or install(Path(tmp))
        source = (package / "index.js").read_text(encoding="utf-8")
        data = json.loads(source[source.index("{") : source.rindex("}") + 1])
        licence = (package / "LICENSE.md").read_text(encoding="utf-8")
        version = json.loads((package / "package.json").read_text(encoding="utf-8"))["version"]

    paths = {loc["id"]: loc["path"] for loc in data["locations"]}
    if set(paths) != set(REGIONS):
        raise SystemExit(f"regioni inattese nel pacchetto: {sorted(set(paths) ^ set(REGIONS))}")
    boxes = {}
    for rid, path in paths.items():
        pts = points(path)
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        boxes[rid] = {"xmin": min(xs), "xmax": max(xs), "ymin": min(ys), "ymax": max(ys)}

    lon0, lat0 = 6.6272, 47.0921
    xs = [(math.radians(deg - lon0), boxes[r][e]) for r, e, deg, _ in CONTROL if e[0] == "x"]
    ys = [(mercator(lat0) - mercator(deg), boxes[r][e]) for r, e, deg, _ in CONTROL if e[0] == "y"]
    kx, x0 = fit([a for a, _ in xs], [b for _, b in xs])
    ky, y0 = fit([a for a, _ in ys], [b for _, b in ys])
    print(f"kx={kx:.2f} px/rad x0={x0:.2f}  ky={ky:.2f} px/rad y0={y0:.2f}")
    for rid, edge, deg, place in CONTROL:
        if edge[0] == "x":
            got = x0 + kx * math.radians(deg - lon0)
        else:
            got = y0 + ky * (mercator(lat0) - mercator(deg))
        print(f"  {place:45s} {edge} mappa {boxes[rid][edge]:7.1f}  calcolato {got:7.1f}")

    out = {
        "fonte": f"{PACKAGE} {version} (https://github.com/VictorCazanave/svg-maps), "
        "basata sulla mappa dell'Italia di MapSVG (https://mapsvg.com)",
        "licenza": "CC BY 4.0 (testo in italia-LICENSE.txt)",
        "viewBox": data["viewBox"],
        "proiezione": {
            "tipo": "mercator",
            "lon0": lon0,
            "lat0": lat0,
            "kx": round(kx, 4),
            "x0": round(x0, 4),
            "ky": round(ky, 4),
            "y0": round(y0, 4),
        },
        "regioni": [{"id": rid, "nome": REGIONS[rid], "path": paths[rid]} for rid in sorted(paths)],
    }
    ASSETS.mkdir(parents=True, exist_ok=True)
    (ASSETS / "italia.json").write_text(
        json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    header = (
        f"Contorno delle regioni d'Italia in italia.json: {PACKAGE} {version}, di Victor Cazanave\n"
        "(https://github.com/VictorCazanave/svg-maps), basato sulla mappa dell'Italia di MapSVG\n"
        "(https://mapsvg.com/maps/italy). Licenza Creative Commons Attribuzione 4.0\n"
        "Internazionale (CC BY 4.0). Modifiche: nomi delle regioni in italiano; aggiunti i\n"
        "parametri della proiezione, stimati da scripts/make_italy_outline.py.\n"
        "Testo della licenza, come distribuito nel pacchetto:\n\n"
    )
    (ASSETS / "italia-LICENSE.txt").write_text(header + licence, encoding="utf-8")
    print(f"scritto {ASSETS / 'italia.json'}")


if __name__ == "__main__":
    main()
