"""Lighthouse 12 (mobile, default simulated throttling) on every page type of the demo site,
in one run: the four category scores, LCP, CLS, and what a phone downloads before any media,
gzip-compressed as a production web server sends it (target: at most 200 KB).

Usage:
    .venv/bin/python bench/lighthouse.py                 # builds the demo into a temp copy
    .venv/bin/python bench/lighthouse.py --site site     # an already built site folder
    .venv/bin/python bench/lighthouse.py --pages home,recording --json out.json
    .venv/bin/python bench/lighthouse.py --runs 3          # median of three runs per page

Needs `lighthouse` (npm, pinned in the Makefile: `make lighthouse`) and Debian's chromium.
Targets (issue 20): performance >= 95, accessibility, best practices and SEO = 100 on every
page type. The figures move with machine load: run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

LIGHTHOUSE = REPO / ".tools" / "node_modules" / ".bin" / "lighthouse"
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run "
    "--disable-background-networking --disable-component-update --disable-sync"
)
PAGES = {
    "home": "",
    "catalogue": "archivio/",
    "recording": "archivio/palermo-safe-space/",
    # a long one: 13 minutes, ten chapters, five voices, 200 passages
    "workshop": "archivio/rete-workshop-dimostrativo/",
    "city": "citta/palermo/",
    "search": "cerca/?q=casa",
    "glossary": "glossario/",
    "training path": "percorsi/sportello-unico-e-abitare/",
}
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
MEDIA_TYPES = ("Media",)
TARGET_GZIP = 200 * 1024


@dataclass
class PageResult:
    page: str
    path: str
    scores: dict[str, int]
    lcp_ms: float
    cls: float
    gzip_bytes: int
    failed_audits: list[str]


def gzip_size(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=6, mtime=0))


def _local_file(site: Path, url: str) -> Path | None:
    path = unquote(urlsplit(url).path).lstrip("/")
    target = site / path
    if target.is_dir() or path.endswith("/") or not path:
        target = target / "index.html"
    return target if target.is_file() else None


def run_lighthouse(url: str, out: Path) -> dict:  # type: ignore[type-arg]
    env = {**os.environ, "CHROME_PATH": shutil.which("chromium") or "/usr/bin/chromium"}
    command = [
        str(LIGHTHOUSE),
        url,
        "--output=json",
        f"--output-path={out}",
        "--quiet",
        f"--only-categories={','.join(CATEGORIES)}",
        f"--chrome-flags={CHROME_FLAGS}",
    ]
    subprocess.run(command, env=env, check=True, capture_output=True, timeout=300)
    return json.loads(out.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def page_result(site: Path, name: str, path: str, report: dict) -> PageResult:  # type: ignore[type-arg]
    audits = report["audits"]
    gzip_total = 0
    for request in audits["network-requests"]["details"]["items"]:
        if request.get("resourceType") in MEDIA_TYPES:
            continue
        local = _local_file(site, request["url"])
        if local is not None and local.suffix.lower() not in (".mp4", ".m4a", ".mp3", ".webm"):
            gzip_total += gzip_size(local)
    failed = sorted(
        f"{key} ({audit['score']})"
        for key, audit in audits.items()
        if audit.get("score") is not None
        and audit["score"] < 0.9
        and audit.get("scoreDisplayMode") in ("binary", "numeric", "metricSavings")
    )
    return PageResult(
        page=name,
        path="/" + path,
        scores={c: round(report["categories"][c]["score"] * 100) for c in CATEGORIES},
        lcp_ms=round(audits["largest-contentful-paint"]["numericValue"]),
        cls=round(audits["cumulative-layout-shift"]["numericValue"], 3),
        gzip_bytes=gzip_total,
        failed_audits=failed,
    )


def build_demo(into: Path) -> Path:
    from tests.conftest import copy_project

    from lgnet.build import run_build

    project = copy_project(into / "p")
    return run_build(project, transcribe=False).site


def median_result(runs: list[PageResult]) -> PageResult:
    """The run with the median performance score (its other figures with it)."""
    ordered = sorted(runs, key=lambda r: r.scores["performance"])
    return ordered[len(ordered) // 2]


def measure(site: Path, pages: list[str], runs: int = 1) -> list[PageResult]:
    """Every page type, `runs` times each (interleaved, so a busy moment hits all pages alike);
    per page, the run with the median performance score."""
    from lgnet.serve import serve_in_background

    base, httpd = serve_in_background(site)
    done: dict[str, list[PageResult]] = {name: [] for name in pages}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for _ in range(runs):
                for name in pages:
                    report = run_lighthouse(f"{base}/{PAGES[name]}", Path(tmp) / "lh.json")
                    done[name].append(page_result(site, name, PAGES[name], report))
    finally:
        httpd.shutdown()
        httpd.server_close()
    return [median_result(done[name]) for name in pages]


def table(results: list[PageResult]) -> str:
    lines = [
        "| page type | path | performance | accessibility | best practices | SEO "
        "| LCP (ms) | CLS | gzip before media (KB) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        s = r.scores
        lines.append(
            f"| {r.page} | `{r.path}` | {s['performance']} | {s['accessibility']} "
            f"| {s['best-practices']} | {s['seo']} | {r.lcp_ms:.0f} | {r.cls} "
            f"| {r.gzip_bytes / 1024:.0f} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, default=None, help="a built site folder")
    parser.add_argument("--pages", default=",".join(PAGES), help="comma-separated page types")
    parser.add_argument("--json", type=Path, default=None, help="write the results here")
    parser.add_argument(
        "--runs", type=int, default=1, help="runs per page; the median performance is kept"
    )
    args = parser.parse_args()
    if not LIGHTHOUSE.is_file():
        print("lighthouse is not installed: run 'make lighthouse'", file=sys.stderr)
        return 1
    pages = [p.strip() for p in args.pages.split(",") if p.strip()]
    unknown = [p for p in pages if p not in PAGES]
    if unknown:
        print(f"unknown page types: {unknown}; known: {list(PAGES)}", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        site = args.site.resolve() if args.site else build_demo(Path(tmp))
        results = measure(site, pages, args.runs)
    print(table(results))
    for r in results:
        if r.failed_audits:
            print(f"{r.page}: audits below 0.9: {', '.join(r.failed_audits)}")
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=1), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
