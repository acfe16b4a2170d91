"""The catalogue, `docs/archivio/index.md` (template `catalogue.md`).

Every published recording as a card, newest first, with the filters (city, kind, area, year,
how far a person reviewed the transcript, words in the title) that
`docs/assets/lgnet/catalogo.js` applies through the cards' `data-` attributes. Without
JavaScript the form stays hidden and the whole list shows.
"""

from __future__ import annotations

from dataclasses import dataclass

from lgnet.archive import AREA_LABELS, AREAS, KIND_LABELS, Item
from lgnet.pages.components import ARCHIVE_DOCS, href, media_url, recording_url, render, sort_key
from lgnet.pages.context import SiteContext, Summary, newest_first
from lgnet.transcripts import Transcript

CATALOGUE_DESCRIPTION = (
    "Tutte le registrazioni della rete LGNet, con trascrizione, filtrabili per città, tipo, "
    "ambito e anno."
)
# The transcript filter's values (data-trascrizione), from the per-sentence review status.
REVIEW_LABELS = {
    "revisionata": "Revisionate da una persona",
    "parziale": "Revisionate in parte",
    "automatica": "Solo automatiche",
}


@dataclass(frozen=True)
class Card:
    city: str  # the filters' values: slugs, kind, areas (space-separated), year
    kind: str
    areas: str
    year: str
    review: str  # a REVIEW_LABELS key, "" without a transcript
    text: str  # title and description, folded for the words filter
    url: str
    title: str
    poster: str | None
    placeholder: str  # shown instead of a poster
    duration: float | None
    summary: Summary


@dataclass(frozen=True)
class Select:
    name: str
    label: str
    all_label: str
    options: list[tuple[str, str]]  # (value, text)


@dataclass(frozen=True)
class Catalogue:
    description: str
    filters: list[Select]
    cards: list[Card]


def review_state(transcript: Transcript | None) -> str:
    """How far a person reviewed the transcript: every sentence, some, none ("": none yet)."""
    if transcript is None or not transcript.segments:
        return ""
    if transcript.status == "revisionato":
        return "revisionata"
    return "parziale" if transcript.reviewed_count else "automatica"


def card(site: SiteContext, item: Item, url: str) -> Card:
    published = site.media.get(item.id)
    has_poster = published is not None and published.poster is not None
    placeholder = (
        "Solo audio"
        if published is not None and not published.is_video
        else "Anteprima non disponibile"
    )
    return Card(
        city=item.city,
        kind=item.kind,
        areas=" ".join(item.areas),
        year=item.year,
        review=review_state(site.transcripts.get(item.id)),
        text=sort_key(item.title + " " + item.description),
        url=href(url, recording_url(item.id)),
        title=item.title,
        poster=(
            media_url(url, f"{item.id}-320.jpg" if published.thumbnail else f"{item.id}.jpg")
            if published is not None and has_poster
            else None
        ),
        placeholder=placeholder,
        duration=site.duration(item),
        summary=site.summary(item, url, link_city=False),
    )


def catalogue(site: SiteContext) -> Catalogue:
    url = f"{ARCHIVE_DOCS}/"
    items = newest_first(site.items)
    cities = sorted({i.city for i in items}, key=lambda s: sort_key(site.archive.city_name(s)))
    kinds = [k for k in KIND_LABELS if any(i.kind == k for i in items)]
    areas = [a for a in AREAS if any(a in i.areas for i in items)]
    years = sorted({i.year for i in items}, reverse=True)
    reviews = {review_state(site.transcripts.get(i.id)) for i in items}
    filters = [
        Select(
            "citta", "Città", "Tutte le città", [(c, site.archive.city_name(c)) for c in cities]
        ),
        Select("tipo", "Tipo", "Tutti i tipi", [(k, KIND_LABELS[k]) for k in kinds]),
        Select("ambito", "Ambito", "Tutti gli ambiti", [(a, AREA_LABELS[a]) for a in areas]),
        Select("anno", "Anno", "Tutti gli anni", [(y, y) for y in years]),
        Select(
            "trascrizione",
            "Trascrizione",
            "Tutte le trascrizioni",
            [(k, label) for k, label in REVIEW_LABELS.items() if k in reviews],
        ),
    ]
    return Catalogue(CATALOGUE_DESCRIPTION, filters, [card(site, item, url) for item in items])


def render_catalogue(site: SiteContext) -> str:
    return render("catalogue.md", page=catalogue(site))
