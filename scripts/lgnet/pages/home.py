"""The home page's front door, `docs/_generato/home.md` (template `home.md`).

A search box (it opens /cerca/, also from disk through `sito.js`), the latest recordings with
their posters, and the three areas of action with their model pages' own summaries. The map
is a snippet of its own (`mappa-home.md`). Raw HTML links are written from the home page's URL,
which is also its folder (`index.md`), so MkDocs and Zensical read them alike.
"""

from __future__ import annotations

from dataclasses import dataclass

from lgnet import yamlsafe
from lgnet.archive import AREA_LABELS, AREAS, SafeYamlLoader
from lgnet.knowledge import split_front_matter
from lgnet.pages.catalogue import Card, card
from lgnet.pages.components import href, render
from lgnet.pages.context import Includer, SiteContext, newest_first

LATEST = 3


@dataclass(frozen=True)
class Area:
    title: str
    summary: str
    url: str


@dataclass(frozen=True)
class Home:
    search_url: str
    archive_url: str
    latest: list[Card]
    total: int
    areas: list[Area]


def _summary(site: SiteContext, area: str) -> str:
    """The `description` of `docs/modello/<area>.md`, without its "Abitare: " lead."""
    path = site.project.docs / "modello" / f"{area}.md"
    if not path.is_file():
        return ""
    front, _ = split_front_matter(path.read_text(encoding="utf-8"))
    if front is None:
        return ""
    data, problems = yamlsafe.load_text(
        front, str(path), loader=SafeYamlLoader, limits=yamlsafe.FRONT_MATTER_LIMITS
    )
    text = str(data.get("description") or "") if isinstance(data, dict) and not problems else ""
    lead, _, rest = text.partition(": ")
    return rest if rest and len(lead) < 40 else text


def home(site: SiteContext, inc: Includer) -> Home:
    url = inc.url
    items = newest_first(site.items)
    areas = [
        Area(AREA_LABELS[a], _summary(site, a), href(url, f"modello/{a}/"))
        for a in AREAS
        if site.has_page(f"modello/{a}.md")
    ]
    return Home(
        search_url=href(url, "cerca/"),
        archive_url=href(url, "archivio/"),
        latest=[card(site, item, url) for item in items[:LATEST]],
        total=len(items),
        areas=areas,
    )


def render_home_snippet(site: SiteContext, inc: Includer) -> str:
    return render("home.md", h=home(site, inc))
