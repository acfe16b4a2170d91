"""Benchmark of the site stage, in one run:

1. `lgnet build` with nothing changed, against a bare `mkdocs build` of the same generated docs
   (target: at most 1.5 times as long);
2. what a visitor's browser transfers for one recording page, media excluded
   (target: at most 200 KB), measured in Chromium, both as served by a plain static server
   and compressed with gzip as a production web server sends it.

Usage:
    .venv/bin/python bench/site_build.py            # a copy of this repository's archive
    .venv/bin/python bench/site_build.py --demo     # the small demo project of the tests
    .venv/bin/python bench/site_build.py --runs 5 --json bench-site.json

The copy lives in a temporary folder: the working tree is never touched. The first
`lgnet build` of the copy transcribes what has no transcript yet (slow once); the timed runs
that follow have nothing to do but check, regenerate and render.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

BIN = Path(sys.executable).parent
TARGET_RATIO = 1.5
TARGET_PAGE_BYTES = 200 * 1024
MEDIA_TYPES = ("video/", "audio/")


def copy_repository(dest: Path) -> Path:
    dest.mkdir(parents=True)
    for name in ("archive", "docs", "transcripts", "overrides"):
        source = REPO / name
        if source.exists():
            shutil.copytree(
                source,
                dest / name,
                ignore=shutil.ignore_patterns("_generato", "archivio", ".backup", ".tmp-*"),
            )
    shutil.copy2(REPO / "mkdocs.yml", dest / "mkdocs.yml")
    return dest


def make_demo(dest: Path) -> Path:
    from tests.test_pages import make_demo_project

    return make_demo_project(dest, dest.parent / "demo-media").root


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    proc = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        sys.exit(f"{' '.join(command)} non riuscito:\n{proc.stderr[-2000:]}")
    return elapsed


def build_times(root: Path, runs: int, transcribe: bool) -> dict[str, Any]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    lgnet = [str(BIN / "lgnet"), "build", "--root", str(root)]
    if not transcribe:
        lgnet.append("--no-transcribe")
    print("Prima costruzione (trascrive ciò che manca)...", flush=True)
    first = timed(lgnet, root, env)
    bare_site = root.parent / "site-mkdocs"
    mkdocs = [
        str(BIN / "mkdocs"),
        "build",
        "-q",
        "-f",
        str(root / "mkdocs.yml"),
        "-d",
        str(bare_site),
    ]
    lgnet_runs, mkdocs_runs = [], []
    for n in range(runs):
        lgnet_runs.append(timed(lgnet, root, env))
        mkdocs_runs.append(timed(mkdocs, root, env))
        print(
            f"  giro {n + 1}: lgnet build {lgnet_runs[-1]:.2f} s, mkdocs build {mkdocs_runs[-1]:.2f} s"
        )
    lgnet_s, mkdocs_s = statistics.median(lgnet_runs), statistics.median(mkdocs_runs)
    return {
        "first_build_s": round(first, 2),
        "lgnet_build_s": round(lgnet_s, 2),
        "mkdocs_build_s": round(mkdocs_s, 2),
        "ratio": round(lgnet_s / mkdocs_s, 2),
        "target_ratio": TARGET_RATIO,
        "runs": runs,
    }


def page_weight(site: Path) -> dict[str, Any]:
    """Bytes Chromium downloads for the first recording page, grouped by kind, media excluded."""
    from playwright.sync_api import sync_playwright
    from tests.browser.conftest import CHROMIUM_ARGS, chromium_path, serve_directory

    recordings = sorted(p.parent.name for p in (site / "archivio").glob("*/index.html"))
    if not recordings:
        sys.exit("nessuna pagina di registrazione nel sito")
    # Serve the folder above the site, so the page is measured from a sub-path.
    server = serve_directory(site.parent)
    url = f"{server.url}/{site.name}/archivio/{recordings[0]}/"
    responses: list[Any] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.on("response", lambda response: responses.append(response))
        page.goto(url)
        page.wait_for_load_state("networkidle")
        rows = []
        for response in responses:
            kind = response.headers.get("content-type", "").split(";")[0]
            if kind.startswith(MEDIA_TYPES) or response.status >= 300:
                continue
            body = response.body()
            name = response.url.removeprefix(server.url + "/" + site.name + "/")
            rows.append((name, kind, len(body), len(gzip.compress(body, 6))))
        browser.close()
    server.httpd.shutdown()
    raw, packed = sum(r[2] for r in rows), sum(r[3] for r in rows)
    return {
        "page": f"archivio/{recordings[0]}/",
        "resources": [{"url": n, "type": k, "bytes": b, "gzip_bytes": g} for n, k, b, g in rows],
        "bytes": raw,
        "gzip_bytes": packed,
        "target_bytes": TARGET_PAGE_BYTES,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--demo", action="store_true", help="usa il progetto dimostrativo dei test")
    parser.add_argument("--runs", type=int, default=3, help="costruzioni misurate (mediana)")
    parser.add_argument("--no-transcribe", action="store_true", help="non trascrive (prove rapide)")
    parser.add_argument("--json", type=Path, default=None, help="scrive qui i risultati")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="lgnet-bench-") as tmp:
        base = Path(tmp)
        os.environ.setdefault("LGNET_CACHE_DIR", str(Path.home() / ".cache" / "lgnet"))
        root = make_demo(base / "progetto") if args.demo else copy_repository(base / "progetto")
        times = build_times(root, args.runs, transcribe=not args.no_transcribe)
        weight = page_weight(root / "site")

    print()
    print(
        f"lgnet build, nulla di cambiato: {times['lgnet_build_s']:.2f} s (mediana di {args.runs})"
    )
    print(f"mkdocs build degli stessi docs: {times['mkdocs_build_s']:.2f} s")
    verdict = "OK" if times["ratio"] <= TARGET_RATIO else "OLTRE L'OBIETTIVO"
    print(f"rapporto: {times['ratio']:.2f}x (obiettivo <= {TARGET_RATIO}x) {verdict}")
    print()
    print(f"pagina {weight['page']} senza il file multimediale:")
    for r in sorted(weight["resources"], key=lambda r: -r["bytes"]):
        print(f"  {r['bytes'] / 1024:8.1f} KB  {r['gzip_bytes'] / 1024:7.1f} KB gzip  {r['url']}")
    for label, key in (("senza compressione", "bytes"), ("con gzip", "gzip_bytes")):
        kb = weight[key] / 1024
        verdict = "OK" if weight[key] <= TARGET_PAGE_BYTES else "OLTRE L'OBIETTIVO"
        print(
            f"totale {label}: {kb:.1f} KB (obiettivo <= {TARGET_PAGE_BYTES // 1024} KB) {verdict}"
        )
    if args.json:
        args.json.write_text(
            json.dumps({"build": times, "page": weight}, indent=1), encoding="utf-8"
        )


if __name__ == "__main__":
    main()
