"""The site's own pages, searchable from `/cerca/` beside the transcripts.

The header's search box leads to `/cerca/` on every page, online and from disk, so that there
is one search and no page loads a search index it was not asked for (the theme's own search
loads its whole index and a worker on every page). The texts of the pages come from the
theme's page index (`search/search_index.json`, written by MkDocs' search plugin), reduced to
plain text and written as a data script (`assets/cerca/pagine.js`) that `/cerca/` loads only
when someone searches. Matching runs in the browser (`cerca.js`, `PageSearch`) with the same
Italian stems as the transcript index.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

from lgnet.fsutil import atomic_write_text
from lgnet.index import SITE_DIR, data_script

THEME_INDEX = Path("search") / "search_index.json"
DATA_KEY = "pagine"
# Pages that are not worth finding: the search page itself and the error page.
SKIPPED = ("cerca/", "404.html")

_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")
_FOOTNOTE_BACK = "\u21a9"


def plain(text: str) -> str:
    """Markup-free, single-spaced text (the theme's index keeps some inline HTML)."""
    text = html.unescape(_TAG.sub(" ", text)).replace(_FOOTNOTE_BACK, " ")
    return _SPACE.sub(" ", text).strip()


def page_sections(theme_index: dict[str, Any]) -> list[list[str]]:
    """`[location, page title, section title, text]` per section, in the site's order.

    A section's location is the page's (`citta/roma/`) plus its anchor (`#abitare`); the page
    title is that of the section without an anchor. Empty sections are left out.
    """
    docs = theme_index.get("docs") or []
    titles: dict[str, str] = {}
    for doc in docs:
        location = str(doc.get("location", ""))
        if "#" not in location:
            titles[location] = plain(str(doc.get("title", "")))
    sections = []
    for doc in docs:
        location = str(doc.get("location", ""))
        page, _, anchor = location.partition("#")
        if page.startswith(SKIPPED):
            continue
        title = plain(str(doc.get("title", "")))
        text = plain(str(doc.get("text", "")))
        if not text and not anchor:
            continue
        page_title = titles.get(page, title)
        sections.append([location, page_title, title if anchor else "", text])
    return sections


def publish_page_search(site_dir: Path) -> bool:
    """Write `assets/cerca/pagine.js` from the built site's theme index; False when the
    engine wrote no such index (the file then lists no page, and the search page shows
    transcripts only)."""
    source = site_dir / THEME_INDEX
    found = source.is_file()
    sections = page_sections(json.loads(source.read_text(encoding="utf-8"))) if found else []
    payload = json.dumps({"sections": sections}, ensure_ascii=False, separators=(",", ":"))
    atomic_write_text(site_dir / SITE_DIR / f"{DATA_KEY}.js", data_script(DATA_KEY, payload))
    return found
