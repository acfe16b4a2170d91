#!/usr/bin/env python3
"""Screenshots of the built site for the developer docs (devdocs/screenshots/).

Home, a recording page (the demo workshop: chapters, voices, transcript) and a city sheet, at
360 px (a phone) and 1280 px (a laptop), the first 900 px of each page, taken with Debian's
Chromium through Playwright from the site served on loopback:

    .venv/bin/lgnet build && .venv/bin/python scripts/take_screenshots.py [--site site]
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from lgnet.serve import serve_in_background  # noqa: E402

PAGES = {
    "home": "",
    "registrazione": "archivio/rete-workshop-dimostrativo/",
    "citta": "citta/palermo/",
}
WIDTHS = (360, 1280)
HEIGHT = 900


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, default=ROOT / "site", help="a built site folder")
    parser.add_argument("--out", type=Path, default=ROOT / "devdocs" / "screenshots")
    args = parser.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None or not (args.site / "index.html").is_file():
        print("occorrono chromium (make setup) e un sito costruito (lgnet build)", file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    url, httpd = serve_in_background(args.site)
    args.out.mkdir(parents=True, exist_ok=True)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
            for width in WIDTHS:
                page = browser.new_page(viewport={"width": width, "height": HEIGHT})
                for name, path in PAGES.items():
                    page.goto(f"{url}/{path}")
                    page.wait_for_load_state("load")
                    page.wait_for_timeout(500)
                    target = args.out / f"{name}-{width}.png"
                    page.screenshot(path=str(target))
                    print(target.relative_to(ROOT))
                page.close()
            browser.close()
    finally:
        httpd.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
