"""Structured data (schema.org JSON-LD) for recording pages and city pages.

`jsonld_recording` describes a published recording as a `VideoObject` or `AudioObject`, with
its redacted transcript, chapters as `Clip`s and a `SeekToAction` that tells search engines
how to link to a moment (`#t=SECONDS`). `jsonld_city` describes a city (`Place`) and its LGNet
partner (`GovernmentOrganization` for a municipality, `Organization` otherwise), using only the
facts of the city sheet's front matter, each of which cites its sources (`citation`).

Both take the published data only (a `Publication`'s items and transcripts, a
`PublishedMedia`). With `site_url` every URL is absolute; without it URLs are relative to the
page the block is placed in (JSON-LD resolves them against the page's address), so the blocks
work in builds without `--site-url` too. Put them into a page with `jsonld_script`, which
escapes what could end the `<script>` element.
"""

from __future__ import annotations

import json
from typing import Any

from lgnet.archive import AREA_LABELS, NETWORK, City, Item
from lgnet.citations import (
    SITE_NAME,
    https,
    iso_duration,
    kind_label,
    licence_uri,
    seconds_text,
    time_fragment,
)
from lgnet.knowledge import CitySheet, Source
from lgnet.publish import PublishedMedia
from lgnet.transcripts import Transcript

SCHEMA = "https://schema.org"


def _url(site_url: str | None, page: str, target: str) -> str:
    """`target` (a path from the site's root) absolute, or relative to `page` (a folder)."""
    if site_url is not None:
        return (site_url if site_url.endswith("/") else site_url + "/") + target
    depth = page.count("/")
    return "../" * depth + target if target else "../" * depth or "./"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _place(city: City | None, name: str, site_url: str | None, page: str) -> dict[str, Any]:
    place: dict[str, Any] = {"@type": "Place", "name": name}
    if city is not None and city.slug != NETWORK:
        place["@id"] = _url(site_url, page, f"citta/{city.slug}/") + "#citta"
        address: dict[str, Any] = {
            "@type": "PostalAddress",
            "addressLocality": city.name,
            "addressCountry": "IT",
        }
        if city.region:
            address["addressRegion"] = city.region
        place["address"] = address
        if city.lat is not None and city.lon is not None:
            place["geo"] = {"@type": "GeoCoordinates", "latitude": city.lat, "longitude": city.lon}
    return place


def jsonld_recording(
    item: Item,
    published: PublishedMedia,
    transcript: Transcript | None,
    *,
    city: City | None,
    city_name: str,
    site_url: str | None = None,
) -> dict[str, Any]:
    """schema.org `VideoObject` / `AudioObject` of a published recording.

    `transcript` must be the publication's (redacted) transcript; `published` the build's
    `PublishedMedia` record of the item.
    """
    page_path = f"archivio/{item.id}/"
    page = _url(site_url, page_path, page_path)
    media_name = f"{item.id}{published.extension}"
    data: dict[str, Any] = {
        "@context": SCHEMA,
        "@type": "VideoObject" if published.is_video else "AudioObject",
        "@id": page + "#registrazione",
        "url": page,
        "name": _one_line(item.title),
        "description": _one_line(item.description or item.title),
        "uploadDate": item.date,
        "dateCreated": item.date,
        "duration": iso_duration(published.duration),
        "contentUrl": _url(site_url, page_path, f"media/{media_name}"),
        "encodingFormat": published.mime,
        "inLanguage": item.language,
        "isAccessibleForFree": True,
        "genre": kind_label(item.kind),
    }
    if published.poster is not None:
        data["thumbnailUrl"] = [_url(site_url, page_path, f"media/{item.id}.jpg")]
    if transcript is not None and transcript.segments:
        data["transcript"] = _one_line(transcript.text)
    if published.vtt is not None:
        data["caption"] = {
            "@type": "MediaObject",
            "contentUrl": _url(site_url, page_path, f"media/{item.id}.vtt"),
            "encodingFormat": "text/vtt",
            "inLanguage": item.language,
        }
    uri = licence_uri(item.license)
    if uri is not None:
        data["license"] = https(uri)
    elif item.license:
        data["license"] = {"@type": "CreativeWork", "name": _one_line(item.license)}
    if item.credits:
        data["creditText"] = _one_line(item.credits)
    if item.areas:
        data["keywords"] = [AREA_LABELS[a] for a in item.areas]
    data["contentLocation"] = _place(city, city_name, site_url, page_path)
    data["publisher"] = {
        "@type": "Organization",
        "name": SITE_NAME,
        "url": _url(site_url, page_path, ""),
    }
    clips = _clips(item, published.duration, page)
    if clips:
        data["hasPart"] = clips
    data["potentialAction"] = {
        "@type": "SeekToAction",
        "target": page + "#t={seek_to_second_number}",
        "startOffset-input": "required name=seek_to_second_number",
    }
    return data


def _clips(item: Item, duration: float, page: str) -> list[dict[str, Any]]:
    chapters = sorted((c for c in item.chapters if c.start < duration), key=lambda c: c.start)
    clips = []
    for n, chapter in enumerate(chapters):
        end = chapters[n + 1].start if n + 1 < len(chapters) else duration
        if end <= chapter.start:
            continue
        clips.append(
            {
                "@type": "Clip",
                "name": _one_line(chapter.title),
                "startOffset": float(seconds_text(chapter.start)),
                "endOffset": float(seconds_text(end)),
                "url": page + time_fragment(chapter.start),
            }
        )
    return clips


def _organisation_type(name: str) -> str:
    """A municipality (`Comune di …`) is a government body; of others the sources do not say."""
    return "GovernmentOrganization" if name.lower().startswith("comune di ") else "Organization"


def _citations(ids: list[str], sources: dict[str, Source]) -> list[dict[str, Any]]:
    out = []
    for source_id in dict.fromkeys(ids):
        source = sources.get(source_id)
        if source is None:
            continue
        work: dict[str, Any] = {"@type": "CreativeWork", "name": _one_line(source.title)}
        if source.url:
            work["url"] = source.url
        if source.date:
            work["datePublished"] = source.date
        if source.publisher:
            work["publisher"] = {"@type": "Organization", "name": source.publisher}
        out.append(work)
    return out


def jsonld_city(
    sheet: CitySheet,
    city: City | None,
    sources: dict[str, Source],
    *,
    site_url: str | None = None,
) -> dict[str, Any]:
    """schema.org `Place` of a city (name, region, coordinates from archive/cities.yml) and
    its LGNet partner, with only the sheet's sourced facts: partner, programmes, services,
    areas of action; each fact's sources are given as `citation`. Facts still
    "da completare" are left out."""
    page_path = f"citta/{sheet.slug}/"
    page = _url(site_url, page_path, page_path)
    name = city.name if city is not None else sheet.title
    place = _place(city, name, site_url, page_path)
    place["@id"] = page + "#citta"
    place["url"] = page
    graph: list[dict[str, Any]] = [place]
    front = sheet.front
    if front.partner is not None:
        partner: dict[str, Any] = {
            "@type": _organisation_type(front.partner.value),
            "@id": page + "#partner",
            "name": _one_line(front.partner.value),
            "areaServed": {"@id": page + "#citta"},
        }
        cited = list(front.partner.sources)
        if front.programmes is not None:
            partner["memberOf"] = [
                {"@type": "Project", "name": programme} for programme in front.programmes.value
            ]
            cited += front.programmes.sources
        if front.services is not None:
            partner["makesOffer"] = [
                {"@type": "Offer", "itemOffered": {"@type": "Service", "name": _one_line(s)}}
                for s in front.services.value
            ]
            cited += front.services.sources
        if front.areas is not None:
            partner["knowsAbout"] = [AREA_LABELS[a] for a in front.areas.value]
            cited += front.areas.sources
        partner["citation"] = _citations(cited, sources)
        graph.append(partner)
    return {"@context": SCHEMA, "@graph": graph}


def jsonld_json(data: dict[str, Any]) -> str:
    """`data` as JSON safe inside an HTML `<script>` element: `<`, `>` and `&` are written as
    JSON escapes, so no value can close the element (the pages' templates print it)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def jsonld_script(data: dict[str, Any]) -> str:
    """The `<script type="application/ld+json">` element of `data` (for tests and tools)."""
    return f'<script type="application/ld+json">{jsonld_json(data)}</script>'
