"""Open standards: what lets a published recording travel (manifests, citations, feeds, data).

`write_open_data` is called by the site stage on the staged site, after the pages and media
are in place and before the leak audit. It receives the build's single publication decision
and writes only what that decision publishes (its view of the archive and its redacted
transcripts, and the `PublishedMedia` records). Everything here needs absolute URLs, so
without a `site_url` it writes nothing and says what it skipped.

Files (URLs relative to the site; the columns and formats are described in docs/dati.md):

- `archivio/<id>/manifest.json`  IIIF Presentation 3 manifest: one Canvas with the media as
  painting annotation, the captions (WebVTT) and the transcript's passages as supplementing
  annotations, the chapters as Ranges;
- `archivio/collection.json`     IIIF Collection of every published recording;
- `archivio/<id>/citazione.json|.bib|.ris`  the recording's citation (CSL-JSON, BibTeX, RIS);
- `feed.xml`                     Atom 1.0 feed, newest recording first, media as enclosure;
- `sitemap-video.xml`            video sitemap (only when some recording is a video);
- `dati/catalogo.csv|.json`      the public catalogue, one row per recording.
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lgnet.archive import AREA_LABELS, Item
from lgnet.citations import (
    SITE_NAME,
    Reference,
    bibtex,
    clock,
    csl_json,
    italian_date,
    kind_label,
    language_name,
    licence_uri,
    medium_label,
    ris,
    time_fragment,
)
from lgnet.media import probe
from lgnet.project import Project
from lgnet.publish import Publication, PublishedMedia
from lgnet.transcripts import Transcript, status_label

IIIF_CONTEXT = "http://iiif.io/api/presentation/3/context.json"
ATOM = "http://www.w3.org/2005/Atom"
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
VIDEO_SITEMAP = "http://www.google.com/schemas/sitemap-video/1.1"
CSL_MIME = "application/vnd.citationstyles.csl+json"
MANIFEST = "manifest.json"
COLLECTION = "archivio/collection.json"
FEED = "feed.xml"
VIDEO_SITEMAP_FILE = "sitemap-video.xml"
CATALOGUE_CSV = "dati/catalogo.csv"
CATALOGUE_JSON = "dati/catalogo.json"
CITATION_FILES = ("citazione.json", "citazione.bib", "citazione.ris")
SKIPPED = (
    "Dati aperti: saltati (manca --site-url): manifest IIIF, citazioni, feed Atom, "
    "sitemap video, catalogo CSV/JSON"
)
VIDEO_SITEMAP_MAX_DESCRIPTION = 2048
VIDEO_SITEMAP_MAX_DURATION = 28800

# The catalogue's columns, in order (documented in docs/dati.md).
CATALOGUE_COLUMNS = (
    "id", "titolo", "tipo", "tipo_etichetta", "citta", "citta_nome", "regione", "data",
    "anno", "lingua", "ambiti", "durata_secondi", "supporto", "formato", "descrizione",
    "crediti", "licenza", "licenza_uri", "voce_sintetica", "omissis", "trascrizione",
    "pagina", "media", "copertina", "sottotitoli_vtt", "sottotitoli_srt", "testo_txt",
    "manifest_iiif", "citazione_csl",
)  # fmt: skip


@dataclass(frozen=True)
class Recording:
    """One published recording with everything the open-data files say about it."""

    item: Item
    media: PublishedMedia
    transcript: Transcript | None
    city: str
    region: str | None
    width: int | None
    height: int | None


@dataclass(frozen=True)
class SiteUrls:
    """Absolute URLs of the site's files (`site` ends with '/')."""

    site: str

    def at(self, rel: str) -> str:
        return self.site + rel

    def page(self, item_id: str) -> str:
        return self.at(f"archivio/{item_id}/")

    def manifest(self, item_id: str) -> str:
        return self.at(f"archivio/{item_id}/{MANIFEST}")

    def canvas(self, item_id: str) -> str:
        return self.at(f"archivio/{item_id}/canvas/1")

    def media(self, name: str) -> str:
        return self.at(f"media/{name}")


def write_open_data(
    project: Project,
    publication: Publication,
    media: dict[str, PublishedMedia],
    site_url: str | None,
    folder: Path,
) -> list[str]:
    """Write the open-data files into the staged site `folder`; return lines for the summary."""
    del project
    if site_url is None:
        return [SKIPPED]
    urls = SiteUrls(site_url if site_url.endswith("/") else site_url + "/")
    recordings = published_recordings(publication, media)
    for rec in recordings:
        page_dir = folder / "archivio" / rec.item.id
        _write_json(page_dir / MANIFEST, manifest(rec, urls))
        ref = reference(rec, urls, publication)
        _write_json(page_dir / "citazione.json", [csl_json(ref)])
        _write(page_dir / "citazione.bib", bibtex(ref))
        _write(page_dir / "citazione.ris", ris(ref))
    _write_json(folder / COLLECTION, collection(recordings, urls))
    _write_bytes(folder / FEED, atom_feed(recordings, urls, publication))
    videos = [r for r in recordings if r.media.is_video and r.media.poster is not None]
    sitemap = video_sitemap(videos, urls)
    if sitemap is not None:
        _write_bytes(folder / VIDEO_SITEMAP_FILE, sitemap)
    rows = catalogue_rows(recordings, urls)
    _write(folder / CATALOGUE_CSV, catalogue_csv(rows))
    _write_json(folder / CATALOGUE_JSON, catalogue_json(rows, urls, publication))
    n = len(recordings)
    return [
        f"Dati aperti: {n} manifest IIIF e la collezione, {n} citazioni (CSL-JSON, BibTeX, "
        f"RIS), feed Atom ({n} voci), "
        + (f"sitemap video ({len(videos)} video)" if sitemap else "sitemap video: nessun video")
        + f", catalogo CSV/JSON ({n} righe)"
    ]


def published_recordings(
    publication: Publication, media: dict[str, PublishedMedia]
) -> list[Recording]:
    """The publication's recordings that have published media, newest first."""
    out = []
    for item in publication.items:  # only the published items: the decision's view
        published = media.get(item.id)
        if published is None or not publication.allows(item.id):
            continue
        width = height = None
        if published.is_video:
            info = probe(published.media)
            width, height = info.width, info.height
        city = publication.archive.cities.get(item.city)
        out.append(
            Recording(
                item=item,
                media=published,
                transcript=publication.transcripts.get(item.id),
                city=publication.archive.city_name(item.city),
                region=city.region if city else None,
                width=width,
                height=height,
            )
        )
    return newest_first(out)


def newest_first(recordings: list[Recording]) -> list[Recording]:
    ordered = sorted(recordings, key=lambda r: r.item.id)
    return sorted(ordered, key=lambda r: _padded_date(r.item.date), reverse=True)


def _padded_date(text: str) -> str:
    """`2024` -> `2024-00-00`, so partial dates sort before full ones of the same period."""
    parts = [*text.split("-"), "00", "00"]
    return "-".join(parts[:3])


def reference(rec: Recording, urls: SiteUrls, publication: Publication) -> Reference:
    return Reference.of(
        rec.item,
        rec.city,
        url=urls.page(rec.item.id),
        is_video=rec.media.is_video,
        accessed=publication.today,
        duration=rec.media.duration,
    )


# --- IIIF Presentation 3 -------------------------------------------------------------------


def _it(*values: str) -> dict[str, list[str]]:
    return {"it": [" ".join(v.split()) for v in values]}


def _entry(label: str, value: str) -> dict[str, Any]:
    return {"label": _it(label), "value": _it(value)}


def _media_name(rec: Recording, suffix: str) -> str | None:
    """Name under media/ of the recording's file with `suffix` (None when not published)."""
    for name in rec.media.site_files():
        if suffix == "media" and name == f"{rec.item.id}{rec.media.extension}":
            return name
        if name == f"{rec.item.id}{suffix}":
            return name
    return None


def _metadata(rec: Recording) -> list[dict[str, Any]]:
    item = rec.item
    rows = [
        _entry("Città", rec.city),
        _entry("Data", italian_date(item.date)),
        _entry("Tipo", kind_label(item.kind)),
    ]
    if item.areas:
        rows.append(_entry("Ambiti", ", ".join(AREA_LABELS[a] for a in item.areas)))
    duration = rec.media.duration
    rows.append(_entry("Durata", f"{clock(duration)} ({round(duration)} secondi)"))
    rows.append(_entry("Supporto", medium_label(rec.media.is_video)))
    if item.speakers:
        voices = [f"{s.name} ({s.role})" if s.name and s.role else s.shown for s in item.speakers]
        rows.append(_entry("Voci", "; ".join(voices)))
    rows.append(_entry("Lingua", language_name(item.language)))
    if item.credits:
        rows.append(_entry("Crediti", item.credits))
    if item.license:
        rows.append(_entry("Licenza", item.license))
    if rec.transcript is not None:
        rows.append(_entry("Trascrizione", status_label(rec.transcript)))
    if item.synthetic:
        rows.append(_entry("Voce sintetica", "sì, generata da un programma di sintesi vocale"))
    if item.redactions:
        rows.append(_entry("Omissis", "alcuni passaggi sono stati omessi per riservatezza"))
    return rows


def manifest(rec: Recording, urls: SiteUrls) -> dict[str, Any]:
    """The IIIF Presentation 3 manifest of one recording."""
    item, published = rec.item, rec.media
    canvas_id = urls.canvas(item.id)
    media_name = _media_name(rec, "media") or f"{item.id}{published.extension}"
    body: dict[str, Any] = {
        "id": urls.media(media_name),
        "type": "Video" if published.is_video else "Sound",
        "format": published.mime,
        "duration": published.duration,
        "language": item.language,
    }
    canvas: dict[str, Any] = {
        "id": canvas_id,
        "type": "Canvas",
        "label": _it(item.title),
        "duration": published.duration,
    }
    if published.is_video and rec.width and rec.height:
        canvas["width"] = body["width"] = rec.width
        canvas["height"] = body["height"] = rec.height
    canvas["items"] = [
        {
            "id": f"{canvas_id}/pagina/1",
            "type": "AnnotationPage",
            "items": [
                {
                    "id": f"{canvas_id}/pagina/1/media",
                    "type": "Annotation",
                    "motivation": "painting",
                    "body": body,
                    "target": canvas_id,
                }
            ],
        }
    ]
    annotations = _transcript_pages(rec, urls, canvas_id)
    if annotations:
        canvas["annotations"] = annotations
    data: dict[str, Any] = {
        "@context": IIIF_CONTEXT,
        "id": urls.manifest(item.id),
        "type": "Manifest",
        "label": _it(item.title),
    }
    if item.description:
        data["summary"] = _it(item.description)
    data["metadata"] = _metadata(rec)
    if item.credits:
        data["requiredStatement"] = _entry("Crediti", item.credits)
    rights = licence_uri(item.license)
    if rights:
        data["rights"] = rights
    data["navDate"] = _rfc3339(item.date)
    data["provider"] = [
        {
            "id": urls.at(""),
            "type": "Agent",
            "label": _it(SITE_NAME),
            "homepage": [
                {"id": urls.at(""), "type": "Text", "label": _it(SITE_NAME), "format": "text/html"}
            ],
        }
    ]
    data["homepage"] = [
        {
            "id": urls.page(item.id),
            "type": "Text",
            "label": _it(item.title),
            "format": "text/html",
            "language": ["it"],
        }
    ]
    poster = _media_name(rec, ".jpg")
    if poster is not None:
        data["thumbnail"] = [{"id": urls.media(poster), "type": "Image", "format": "image/jpeg"}]
    data["seeAlso"] = [
        {
            "id": urls.at(f"archivio/{item.id}/citazione.json"),
            "type": "Dataset",
            "label": _it("Citazione (CSL-JSON)"),
            "format": "application/json",
            "profile": "https://citationstyles.org/",
        }
    ]
    rendering = [
        {
            "id": urls.media(name),
            "type": "Text",
            "label": _it(label),
            "format": mime,
        }
        for suffix, label, mime in (
            (".vtt", "Sottotitoli WebVTT", "text/vtt"),
            (".srt", "Sottotitoli SRT", "application/x-subrip"),
            (".txt", "Testo della trascrizione", "text/plain"),
        )
        if (name := _media_name(rec, suffix)) is not None
    ]
    if rendering:
        data["rendering"] = rendering
    data["partOf"] = [{"id": urls.at(COLLECTION), "type": "Collection"}]
    data["items"] = [canvas]
    ranges = _chapter_ranges(rec, urls, canvas_id)
    if ranges:
        data["structures"] = ranges
    return data


def _transcript_pages(rec: Recording, urls: SiteUrls, canvas_id: str) -> list[dict[str, Any]]:
    pages: list[dict[str, Any]] = []
    vtt = _media_name(rec, ".vtt")
    if vtt is not None:
        pages.append(
            {
                "id": f"{canvas_id}/sottotitoli",
                "type": "AnnotationPage",
                "label": _it("Sottotitoli (WebVTT)"),
                "items": [
                    {
                        "id": f"{canvas_id}/sottotitoli/vtt",
                        "type": "Annotation",
                        "motivation": "supplementing",
                        "body": {
                            "id": urls.media(vtt),
                            "type": "Text",
                            "format": "text/vtt",
                            "language": rec.item.language,
                            "label": _it("Sottotitoli in " + language_name(rec.item.language)),
                        },
                        "target": canvas_id,
                    }
                ],
            }
        )
    if rec.transcript is not None and rec.transcript.segments:
        duration = rec.media.duration
        items = []
        for n, seg in enumerate(rec.transcript.segments, start=1):
            start = min(max(0.0, seg.start), duration)
            end = min(max(start, seg.end), duration)
            if not seg.text.strip():
                continue
            items.append(
                {
                    "id": f"{canvas_id}/trascrizione/{n}",
                    "type": "Annotation",
                    "motivation": "supplementing",
                    "body": {
                        "type": "TextualBody",
                        "value": " ".join(seg.text.split()),
                        "format": "text/plain",
                        "language": rec.transcript.language or rec.item.language,
                    },
                    "target": canvas_id + time_fragment(start, end),
                }
            )
        if items:
            pages.append(
                {
                    "id": f"{canvas_id}/trascrizione",
                    "type": "AnnotationPage",
                    "label": _it("Trascrizione"),
                    "items": items,
                }
            )
    return pages


def _chapter_ranges(rec: Recording, urls: SiteUrls, canvas_id: str) -> list[dict[str, Any]]:
    duration = rec.media.duration
    chapters = sorted((c for c in rec.item.chapters if c.start < duration), key=lambda c: c.start)
    ranges = []
    for n, chapter in enumerate(chapters):
        end = chapters[n + 1].start if n + 1 < len(chapters) else duration
        if end <= chapter.start:
            continue
        ranges.append(
            {
                "id": urls.at(f"archivio/{rec.item.id}/range/{n + 1}"),
                "type": "Range",
                "label": _it(chapter.title),
                "items": [{"id": canvas_id + time_fragment(chapter.start, end), "type": "Canvas"}],
            }
        )
    if not ranges:
        return []
    return [
        {
            "id": urls.at(f"archivio/{rec.item.id}/range/capitoli"),
            "type": "Range",
            "label": _it("Capitoli"),
            "items": ranges,
        }
    ]


def collection(recordings: list[Recording], urls: SiteUrls) -> dict[str, Any]:
    """The IIIF Collection of every published recording, newest first."""
    items = []
    for rec in recordings:
        ref: dict[str, Any] = {
            "id": urls.manifest(rec.item.id),
            "type": "Manifest",
            "label": _it(rec.item.title),
        }
        poster = _media_name(rec, ".jpg")
        if poster is not None:
            ref["thumbnail"] = [{"id": urls.media(poster), "type": "Image", "format": "image/jpeg"}]
        items.append(ref)
    return {
        "@context": IIIF_CONTEXT,
        "id": urls.at(COLLECTION),
        "type": "Collection",
        "label": _it(f"{SITE_NAME}: registrazioni pubblicate"),
        "summary": _it(
            "Le registrazioni della rete LGNet pubblicate sul sito, dalla più recente: "
            "video e audio con sottotitoli e trascrizione."
        ),
        "homepage": [
            {
                "id": urls.at("archivio/"),
                "type": "Text",
                "label": _it("Archivio delle registrazioni"),
                "format": "text/html",
            }
        ],
        "items": items,
    }


# --- Atom feed and video sitemap -------------------------------------------------------------


def _rfc3339(date: str) -> str:
    """A partial date as the first instant it covers: `2024-01` -> `2024-01-01T00:00:00Z`."""
    parts = [int(p) for p in date.split("-")] + [1, 1]
    return f"{parts[0]:04d}-{parts[1]:02d}-{parts[2]:02d}T00:00:00Z"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def atom_feed(recordings: list[Recording], urls: SiteUrls, publication: Publication) -> bytes:
    """Atom 1.0 (RFC 4287): one entry per recording, newest first, media as enclosure.

    An entry's `published` and `updated` are the recording's date: the archive does not record
    when an item was edited, and a build must give the same feed for the same archive."""
    a = f"{{{ATOM}}}"
    feed = ET.Element(f"{a}feed", {"{http://www.w3.org/XML/1998/namespace}lang": "it"})
    _sub(feed, f"{a}id", urls.at(FEED))
    _sub(feed, f"{a}title", f"{SITE_NAME}: registrazioni")
    _sub(
        feed,
        f"{a}subtitle",
        "Le registrazioni della rete LGNet pubblicate sul sito, con trascrizione e sottotitoli.",
    )
    dates = [_rfc3339(r.item.date) for r in recordings]
    _sub(feed, f"{a}updated", max(dates) if dates else _rfc3339(publication.today.isoformat()))
    _sub(feed, f"{a}link", rel="self", type="application/atom+xml", href=urls.at(FEED))
    _sub(feed, f"{a}link", rel="alternate", type="text/html", href=urls.at("archivio/"))
    author = _sub(feed, f"{a}author")
    _sub(author, f"{a}name", SITE_NAME)
    _sub(author, f"{a}uri", urls.at(""))
    _sub(feed, f"{a}generator", "LGNet Archivio (lgnet build)")
    for rec in recordings:
        item = rec.item
        entry = _sub(feed, f"{a}entry")
        _sub(entry, f"{a}id", urls.page(item.id))
        _sub(entry, f"{a}title", " ".join(item.title.split()), type="text")
        _sub(entry, f"{a}published", _rfc3339(item.date))
        _sub(entry, f"{a}updated", _rfc3339(item.date))
        _sub(entry, f"{a}link", rel="alternate", type="text/html", href=urls.page(item.id))
        media_name = _media_name(rec, "media")
        if media_name is not None:
            _sub(
                entry,
                f"{a}link",
                rel="enclosure",
                type=rec.media.mime,
                href=urls.media(media_name),
                length=str(rec.media.media.stat().st_size),
            )
        _sub(
            entry,
            f"{a}link",
            rel="related",
            type="application/ld+json",
            title="Manifest IIIF",
            href=urls.manifest(item.id),
        )
        _sub(entry, f"{a}category", term=item.kind, label=kind_label(item.kind))
        summary = f"{rec.city}, {italian_date(item.date)}. {kind_label(item.kind)}"
        summary += f" ({medium_label(rec.media.is_video)})."
        if item.description:
            summary += " " + item.description
        _sub(entry, f"{a}summary", " ".join(summary.split()), type="text")
        if item.license:
            _sub(entry, f"{a}rights", " ".join(item.license.split()), type="text")
    ET.register_namespace("", ATOM)
    return _xml(feed)


def video_sitemap(videos: list[Recording], urls: SiteUrls) -> bytes | None:
    """A sitemap with `video:video` entries for the published videos (None when there are
    none: a sitemap must list at least one page)."""
    if not videos:
        return None
    s, v = f"{{{SITEMAP}}}", f"{{{VIDEO_SITEMAP}}}"
    ET.register_namespace("", SITEMAP)
    ET.register_namespace("video", VIDEO_SITEMAP)
    urlset = ET.Element(f"{s}urlset")
    for rec in videos:
        item = rec.item
        poster = _media_name(rec, ".jpg")
        media_name = _media_name(rec, "media")
        if poster is None or media_name is None:
            continue
        url = _sub(urlset, f"{s}url")
        _sub(url, f"{s}loc", urls.page(item.id))
        video = _sub(url, f"{v}video")
        _sub(video, f"{v}thumbnail_loc", urls.media(poster))
        _sub(video, f"{v}title", " ".join(item.title.split()))
        description = " ".join((item.description or item.title).split())
        if len(description) > VIDEO_SITEMAP_MAX_DESCRIPTION:
            description = description[: VIDEO_SITEMAP_MAX_DESCRIPTION - 1] + "…"
        _sub(video, f"{v}description", description)
        _sub(video, f"{v}content_loc", urls.media(media_name))
        seconds = min(max(1, round(rec.media.duration)), VIDEO_SITEMAP_MAX_DURATION)
        _sub(video, f"{v}duration", str(seconds))
        _sub(video, f"{v}publication_date", item.date)
        _sub(video, f"{v}requires_subscription", "no")
        _sub(video, f"{v}live", "no")
    return _xml(urlset)


def _xml(root: ET.Element) -> bytes:
    ET.indent(root)
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data + b"\n"


# --- the catalogue -------------------------------------------------------------------------


def catalogue_rows(recordings: list[Recording], urls: SiteUrls) -> list[dict[str, Any]]:
    """One record per recording, typed (lists, numbers, booleans, None); see docs/dati.md."""
    rows = []
    for rec in recordings:
        item = rec.item

        def url(suffix: str, rec: Recording = rec) -> str | None:
            name = _media_name(rec, suffix)
            return urls.media(name) if name is not None else None

        status = rec.transcript.status if rec.transcript is not None else None
        row: dict[str, Any] = {
            "id": item.id,
            "titolo": " ".join(item.title.split()),
            "tipo": item.kind,
            "tipo_etichetta": kind_label(item.kind),
            "citta": item.city,
            "citta_nome": rec.city,
            "regione": rec.region,
            "data": item.date,
            "anno": int(item.year),
            "lingua": item.language,
            "ambiti": list(item.areas),
            "durata_secondi": round(rec.media.duration, 3),
            "supporto": "video" if rec.media.is_video else "audio",
            "formato": rec.media.mime,
            "descrizione": " ".join(item.description.split()),
            "crediti": " ".join(item.credits.split()),
            "licenza": " ".join(item.license.split()),
            "licenza_uri": licence_uri(item.license),
            "voce_sintetica": item.synthetic,
            "omissis": bool(item.redactions),
            "trascrizione": status,
            "pagina": urls.page(item.id),
            "media": url("media"),
            "copertina": url(".jpg"),
            "sottotitoli_vtt": url(".vtt"),
            "sottotitoli_srt": url(".srt"),
            "testo_txt": url(".txt"),
            "manifest_iiif": urls.manifest(item.id),
            "citazione_csl": urls.at(f"archivio/{item.id}/citazione.json"),
        }
        assert tuple(row) == CATALOGUE_COLUMNS
        rows.append(row)
    return rows


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "sì" if value else "no"
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return str(value)


def catalogue_csv(rows: list[dict[str, Any]]) -> str:
    """RFC 4180 CSV, UTF-8, comma-separated, CRLF, a header row; lists joined with ';'."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CATALOGUE_COLUMNS)
    for row in rows:
        writer.writerow([_cell(row[c]) for c in CATALOGUE_COLUMNS])
    return out.getvalue()


def catalogue_json(
    rows: list[dict[str, Any]], urls: SiteUrls, publication: Publication
) -> dict[str, Any]:
    return {
        "titolo": f"{SITE_NAME}: catalogo delle registrazioni pubblicate",
        "fonte": urls.at("archivio/"),
        "documentazione": urls.at("dati/"),
        "aggiornato": publication.today.isoformat(),
        "campi": list(CATALOGUE_COLUMNS),
        "registrazioni": rows,
    }


# --- writing -------------------------------------------------------------------------------


def _write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _write(path: Path, text: str) -> None:
    _write_bytes(path, text.encode("utf-8"))


def _write_json(path: Path, data: Any) -> None:
    _write(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
