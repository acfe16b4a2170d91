"""The pages stage: Markdown pages and snippets generated from items, cities and transcripts.

It writes three git-ignored folders and owns them entirely:

* `docs/archivio/`: the catalogue (`index.md`) and one page per published recording;
* `docs/percorsi/`: the training paths (`archive/paths/`) open to the build's audience, each a
  page that plays its excerpts in order (`percorsi/<slug>/index.md`), and their list;
* `docs/_generato/`: snippets that hand-written pages include with pymdownx.snippets
  (`--8<-- "_generato/mappa.md"`); excluded from the site by `exclude_docs`.

Every value that comes from the archive (titles, descriptions, names, transcript text) is data:
it is written only inside HTML that this module builds, escaped with `html.escape`, so Markdown
never interprets it and a `<script>` in a title is shown as text. Links are relative, so the
site works from any sub-path; a snippet's links are computed for the page that includes it.
"""

from __future__ import annotations

import functools
import html
import json
import math
import posixpath
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lgnet.archive import (
    ACCESS_LABELS,
    AREA_LABELS,
    AREAS,
    KIND_LABELS,
    NETWORK,
    Archive,
    City,
    Item,
)
from lgnet.clip import clip_transcript
from lgnet.errors import BuildError
from lgnet.fsutil import atomic_write_text
from lgnet.paths import Excerpt, TrainingPath, load_paths
from lgnet.project import GENERATED_DOCS, Project
from lgnet.publish import PublishedMedia
from lgnet.timecode import clock
from lgnet.transcripts import STATUS_LABELS, Transcript

ARCHIVE_DOCS = "archivio"  # docs/archivio/: catalogue and recording pages, all generated
PATHS_DOCS = "percorsi"  # docs/percorsi/: training paths and their list, all generated
MEDIA_URL = "media"  # site/media/: where the site stage copies published files

MONTHS = (
    "gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno",
    "luglio", "agosto", "settembre", "ottobre", "novembre", "dicembre",
)  # fmt: skip
LANGUAGES = {"it": "italiano", "en": "inglese", "fr": "francese", "es": "spagnolo"}

_SNIPPET_REF = re.compile(GENERATED_DOCS + r"/[A-Za-z0-9_./-]+\.md")


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _yaml_text(text: str) -> str:
    """A front-matter value: HTML-escaped (themes print it unescaped), as a JSON string.

    Escaped here, for both engines; `lgnet.mkdocs_hooks` escapes every other page's front
    matter and leaves these folders' pages alone (`GENERATED_FOLDERS`), so nothing is doubled.
    """
    return json.dumps(_e(" ".join(text.split())), ensure_ascii=False)


# --- URLs ----------------------------------------------------------------------------------


def page_url(docs_path: str) -> str:
    """The directory URL (`use_directory_urls`) of a page, from its path inside docs/."""
    path = docs_path.replace("\\", "/")
    stem = posixpath.splitext(path)[0]
    if posixpath.basename(stem) in ("index", "README"):
        folder = posixpath.dirname(stem)
        return folder + "/" if folder else ""
    return stem + "/"


def href(from_url: str, target: str) -> str:
    """A relative link from the page at `from_url` to the site path `target`."""
    anchor = ""
    if "#" in target:
        target, fragment = target.split("#", 1)
        anchor = "#" + fragment
    rel = posixpath.relpath("/" + target, "/" + (from_url or "."))
    if target.endswith("/") or target == "":
        rel = "./" if rel == "." else rel + "/"
    return rel + anchor


def recording_url(item_id: str) -> str:
    return f"{ARCHIVE_DOCS}/{item_id}/"


# --- formatting ----------------------------------------------------------------------------


def italian_date(text: str) -> str:
    """`2023-11-03` -> `3 novembre 2023`; partial dates stay partial."""
    parts = text.split("-")
    if len(parts) == 3:
        return f"{int(parts[2])} {MONTHS[int(parts[1]) - 1]} {parts[0]}"
    if len(parts) == 2:
        return f"{MONTHS[int(parts[1]) - 1]} {parts[0]}"
    return parts[0]


def spoken_duration(seconds: float) -> str:
    """`84.2` -> `1 minuto e 24 secondi`, for screen readers and metadata."""
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    parts = []
    if hours:
        parts.append(f"{hours} {'ora' if hours == 1 else 'ore'}")
    if minutes:
        parts.append(f"{minutes} {'minuto' if minutes == 1 else 'minuti'}")
    if secs or not parts:
        parts.append(f"{secs} {'secondo' if secs == 1 else 'secondi'}")
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " e " + parts[-1]


def _paragraphs(text: str, css: str = "") -> str:
    cls = f' class="{css}"' if css else ""
    blocks = [" ".join(b.split()) for b in re.split(r"\n\s*\n", text.strip()) if b.strip()]
    return "\n".join(f"<p{cls}>{_e(b)}</p>" for b in blocks)


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "voce"


def _sort_key(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()


def _seconds(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


# --- what the site knows about the hand-written pages ---------------------------------------


@dataclass
class _Site:
    """Context shared by the renderers: the archive as published, and the pages that exist."""

    project: Project
    archive: Archive
    audience: str
    items: list[Item]
    transcripts: dict[str, Transcript]
    media: dict[str, PublishedMedia]
    sheets: dict[str, Any]
    sources: dict[str, Any]

    def has_page(self, docs_path: str) -> bool:
        return (self.project.docs / docs_path).is_file()

    def city_link(self, from_url: str, slug: str) -> str:
        """The city's name, linked to its practice sheet when the sheet exists."""
        name = _e(self.archive.city_name(slug))
        if slug != NETWORK and self.has_page(f"citta/{slug}.md"):
            return f'<a href="{_e(href(from_url, f"citta/{slug}/"))}">{name}</a>'
        return name

    def area_link(self, from_url: str, area: str) -> str:
        label = _e(AREA_LABELS.get(area, area))
        if self.has_page(f"modello/{area}.md"):
            return f'<a href="{_e(href(from_url, f"modello/{area}/"))}">{label}</a>'
        return label

    def city_md(self, inc: _Includer, slug: str) -> str:
        """The city's name as Markdown, linked to its sheet when the sheet exists."""
        name = _md(self.archive.city_name(slug))
        if slug != NETWORK and self.has_page(f"citta/{slug}.md"):
            return inc.link(name, f"citta/{slug}.md")
        return name

    def duration(self, item: Item) -> float | None:
        published = self.media.get(item.id)
        if published is not None and published.duration > 0:
            return published.duration
        transcript = self.transcripts.get(item.id)
        return transcript.duration if transcript and transcript.duration > 0 else None

    def by_city(self) -> dict[str, list[Item]]:
        out: dict[str, list[Item]] = defaultdict(list)
        for item in self.items:
            out[item.city].append(item)
        return out


def _load_knowledge(project: Project) -> tuple[dict[str, Any], dict[str, Any]]:
    """Sheets and sources; problems are reported by `lgnet check`, not here."""
    try:
        from lgnet.knowledge import load_sheets, load_sources
    except ImportError:  # pragma: no cover - the knowledge stage ships with the package
        return {}, {}
    sheets, _ = load_sheets(project)
    sources, _ = load_sources(project)
    return dict(sheets), dict(sources)


# --- recording page ------------------------------------------------------------------------


def _item_summary(site: _Site, item: Item, from_url: str, *, link_city: bool = True) -> str:
    """`Testimonianza · Palermo · 3 novembre 2023 · 1:24` as HTML."""
    parts = [_e(KIND_LABELS[item.kind])]
    parts.append(
        site.city_link(from_url, item.city) if link_city else _e(site.archive.city_name(item.city))
    )
    parts.append(f'<time datetime="{_e(item.date)}">{_e(italian_date(item.date))}</time>')
    duration = site.duration(item)
    if duration:
        parts.append(
            f'<span class="lgnet-durata"><span class="lgnet-sr">Durata: </span>'
            f'<span aria-hidden="true">{clock(duration)}</span>'
            f'<span class="lgnet-sr">{_e(spoken_duration(duration))}</span></span>'
        )
    return ' <span aria-hidden="true">·</span> '.join(parts)


def _player(item: Item, published: PublishedMedia | None, url: str) -> list[str]:
    if published is None:
        return ['<p class="lgnet-avviso">Il file multimediale non è disponibile.</p>']
    media_src = _e(href(url, f"{MEDIA_URL}/{item.id}{published.extension}"))
    tag = "video" if published.is_video else "audio"
    attrs = [
        f'id="lgnet-media-{_e(item.id)}"',
        f'class="lgnet-media lgnet-media--{tag}"',
        "controls",
        'preload="metadata"',
        "data-lgnet-media",
        "data-search-exclude",
    ]
    if published.is_video:
        attrs.append("playsinline")
        if published.poster is not None:
            attrs.append(f'poster="{_e(href(url, f"{MEDIA_URL}/{item.id}.jpg"))}"')
    lines = [
        f"<{tag} {' '.join(attrs)}>",
        f'<source src="{media_src}" type="{_e(published.mime)}">',
    ]
    if published.vtt is not None:
        default = " default" if published.is_video else ""
        vtt = _e(href(url, f"{MEDIA_URL}/{item.id}.vtt"))
        lines.append(
            f'<track kind="captions" srclang="{_e(item.language)}" label="Italiano" '
            f'src="{vtt}"{default}>'
        )
    what = "il video" if published.is_video else "l'audio"
    lines.append(
        f'<p>Questo browser non riproduce {what}: <a href="{media_src}">scaricare il file</a>.</p>'
    )
    lines.append(f"</{tag}>")
    return lines


def _chapters(item: Item) -> list[str]:
    if not item.chapters:
        return []
    lines = [
        '<nav class="lgnet-capitoli" aria-labelledby="lgnet-capitoli-titolo">',
        '<h2 id="lgnet-capitoli-titolo">Capitoli</h2>',
        "<ol>",
    ]
    for chapter in item.chapters:
        lines.append(
            f'<li><a href="#t={_seconds(chapter.start)}" data-start="{_seconds(chapter.start)}">'
            f'<span class="lgnet-tempo">{clock(chapter.start)}</span> {_e(chapter.title)}</a></li>'
        )
    lines += ["</ol>", "</nav>"]
    return lines


def _transcript_status(transcript: Transcript) -> str:
    status = transcript.status
    label = _e(STATUS_LABELS.get(status, status))
    if status == "revisionato":
        note = ""
    else:
        engine = transcript.provenance.get("engine")
        model = transcript.provenance.get("model")
        made = (
            f" (generata con {_e(engine)}" + (f", modello {_e(model)})" if model else ")")
            if engine
            else ""
        )
        note = f"{made}: può contenere errori di riconoscimento, soprattutto nei nomi propri."
    return f'<p class="lgnet-stato lgnet-stato--{_e(status)}"><strong>{label}</strong>{note}</p>'


def _segments(item: Item, transcript: Transcript) -> list[str]:
    from lgnet.index import redacted_segments

    lines = [
        '<ol class="lgnet-segmenti" data-lgnet-segmenti '
        'aria-label="Passaggi della trascrizione: scegliere un passaggio per ascoltarlo">'
    ]
    previous_speaker: str | None = None
    for seg in redacted_segments(item, transcript):
        start, end = _seconds(seg.start), _seconds(seg.end)
        speaker = ""
        if seg.speaker and seg.speaker != previous_speaker:
            speaker = f'<span class="lgnet-voce">{_e(seg.speaker)}:</span> '
        previous_speaker = seg.speaker or previous_speaker
        lines.append(
            f'<li><a href="#t={start}" data-start="{start}" data-end="{end}">'
            f'<span class="lgnet-tempo">{clock(seg.start)}</span> {speaker}{_e(seg.text.strip())}'
            "</a></li>"
        )
    lines.append("</ol>")
    return lines


def _metadata(site: _Site, item: Item, transcript: Transcript | None, url: str) -> list[str]:
    rows: list[tuple[str, str]] = [
        ("Città", site.city_link(url, item.city)),
        ("Data", f'<time datetime="{_e(item.date)}">{_e(italian_date(item.date))}</time>'),
        ("Tipo", _e(KIND_LABELS[item.kind])),
    ]
    if item.areas:
        rows.append(("Ambiti", ", ".join(site.area_link(url, a) for a in item.areas)))
    duration = site.duration(item)
    if duration:
        rows.append(("Durata", f"{clock(duration)} ({_e(spoken_duration(duration))})"))
    if item.speakers:
        voices = [
            _e(s.name) + (f' <span class="lgnet-ruolo">({_e(s.role)})</span>' if s.role else "")
            for s in item.speakers
        ]
        rows.append(("Voci", "<br>".join(voices)))
    rows.append(("Lingua", _e(LANGUAGES.get(item.language, item.language))))
    if item.credits:
        rows.append(("Crediti", _e(item.credits)))
    rows.append(("Licenza", _e(item.license) if item.license else "non indicata"))
    rows.append(
        (
            "Trascrizione",
            _e(STATUS_LABELS[transcript.status]) if transcript else "non ancora disponibile",
        )
    )
    if site.audience != "pubblico":
        rows.append(("Accesso", _e(ACCESS_LABELS.get(item.effective_access(), item.access))))
    lines = ['<dl class="lgnet-metadati">']
    for label, value in rows:
        lines.append(f"<dt>{label}</dt><dd>{value}</dd>")
    lines.append("</dl>")
    if item.synthetic:
        lines.append(
            '<p class="lgnet-avviso">La voce di questa registrazione è sintetica '
            "(generata da un programma di sintesi vocale).</p>"
        )
    if item.redactions:
        lines.append(
            '<p class="lgnet-avviso">Alcuni passaggi sono stati omessi per tutelare la '
            "riservatezza delle persone: nell'audio sono silenziati e nel testo compaiono come "
            "«[omissis]».</p>"
        )
    return lines


def _downloads(item: Item, published: PublishedMedia | None, url: str) -> list[str]:
    if published is None:
        return []
    links = []
    kinds = (
        (published.vtt, "vtt", "Sottotitoli WebVTT"),
        (published.srt, "srt", "Sottotitoli SRT"),
        (published.txt, "txt", "Testo della trascrizione"),
    )
    for path, ext, label in kinds:
        if path is not None:
            target = _e(href(url, f"{MEDIA_URL}/{item.id}.{ext}"))
            links.append(f'<li><a href="{target}" download>{label} (.{ext})</a></li>')
    media_label = "Video" if published.is_video else "Audio"
    target = _e(href(url, f"{MEDIA_URL}/{item.id}{published.extension}"))
    links.append(
        f'<li><a href="{target}" download>{media_label} ({_e(published.extension[1:])})</a></li>'
    )
    return [
        '<div class="lgnet-scaricamenti" data-search-exclude>',
        '<h2 id="lgnet-scaricare">Scaricare</h2>',
        "<ul>",
        *links,
        "</ul>",
        "</div>",
    ]


def render_recording(site: _Site, item: Item) -> str:
    url = recording_url(item.id)
    transcript = site.transcripts.get(item.id)
    published = site.media.get(item.id)
    description = (
        item.description or f"{KIND_LABELS[item.kind]} da {site.archive.city_name(item.city)}"
    )
    lines = [
        "---",
        f"title: {_yaml_text(item.title)}",
        f"description: {_yaml_text(description[:300])}",
        "hide:",
        "  - navigation",
        "  - toc",
        "---",
        "",
        f'<article class="lgnet-registrazione" data-lgnet-registrazione data-id="{_e(item.id)}">',
        '<p class="lgnet-briciole" data-search-exclude>'
        f'<a href="{_e(href(url, ARCHIVE_DOCS + "/"))}">Archivio delle registrazioni</a></p>',
        f'<h1 id="lgnet-titolo">{_e(item.title)}</h1>',
        f'<p class="lgnet-sommario">{_item_summary(site, item, url)}</p>',
        '<div class="lgnet-lettore">',
        '<div class="lgnet-lettore__media">',
        *_player(item, published, url),
        '<div class="lgnet-cita" data-lgnet-cita data-search-exclude hidden>',
        '<button type="button" class="md-button" data-lgnet-cita-pulsante>'
        "Cita questo momento</button>",
        '<div class="lgnet-cita__risultato" data-lgnet-cita-risultato hidden>',
        f'<label for="lgnet-cita-link-{_e(item.id)}">Link a questo momento</label>',
        f'<input id="lgnet-cita-link-{_e(item.id)}" type="text" readonly data-lgnet-cita-link>',
        f'<p class="lgnet-cita__testo" data-lgnet-cita-testo data-titolo="{_e(item.title)}" '
        f'data-citta="{_e(site.archive.city_name(item.city))}" '
        f'data-data="{_e(italian_date(item.date))}"></p>',
        "</div>",
        '<p class="lgnet-cita__stato" role="status" data-lgnet-cita-stato></p>',
        "</div>",
        *_chapters(item),
        "</div>",
        '<section class="lgnet-trascrizione" aria-labelledby="lgnet-trascrizione-titolo" '
        "data-search-exclude>",
        '<h2 id="lgnet-trascrizione-titolo">Trascrizione</h2>',
    ]
    if transcript is not None and transcript.segments:
        lines += [
            _transcript_status(transcript),
            '<p class="lgnet-segui" data-lgnet-segui-riga hidden><label>'
            '<input type="checkbox" checked data-lgnet-segui> '
            "Scorri il testo insieme alla riproduzione</label></p>",
            *_segments(item, transcript),
        ]
    else:
        lines.append('<p class="lgnet-stato">Trascrizione non ancora disponibile.</p>')
    lines += ["</section>", "</div>"]
    lines += ['<section class="lgnet-scheda-registrazione" aria-labelledby="lgnet-informazioni">']
    lines.append('<h2 id="lgnet-informazioni">Informazioni</h2>')
    if item.description:
        lines.append(_paragraphs(item.description, "lgnet-descrizione"))
    lines += _metadata(site, item, transcript, url)
    lines += _downloads(item, published, url)
    lines += ["</section>", "</article>", ""]
    return "\n".join(lines)


# --- catalogue -----------------------------------------------------------------------------


def _newest_first(items: Iterable[Item]) -> list[Item]:
    return sorted(
        sorted(items, key=lambda i: _sort_key(i.title)), key=lambda i: i.date, reverse=True
    )


def _card(site: _Site, item: Item, url: str) -> str:
    published = site.media.get(item.id)
    link = _e(href(url, recording_url(item.id)))
    if published is not None and published.poster is not None:
        picture = (
            f'<img src="{_e(href(url, f"{MEDIA_URL}/{item.id}.jpg"))}" alt="" loading="lazy" '
            'width="320" height="180">'
        )
    else:
        label = (
            "Solo audio"
            if published is not None and not published.is_video
            else "Anteprima non disponibile"
        )
        picture = f'<span class="lgnet-scheda__audio">{label}</span>'
    duration = site.duration(item)
    badge = (
        f'<span class="lgnet-scheda__durata" aria-hidden="true">{clock(duration)}</span>'
        if duration
        else ""
    )
    areas = " ".join(item.areas)
    return (
        f'<li class="lgnet-scheda" data-citta="{_e(item.city)}" data-tipo="{_e(item.kind)}" '
        f'data-ambiti="{_e(areas)}" data-anno="{_e(item.year)}" '
        f'data-testo="{_e(_sort_key(item.title + " " + item.description))}">'
        f'<div class="lgnet-scheda__immagine" aria-hidden="true">{picture}{badge}</div>'
        f'<h2 class="lgnet-scheda__titolo"><a href="{link}">{_e(item.title)}</a></h2>'
        f'<p class="lgnet-scheda__meta">{_item_summary(site, item, url, link_city=False)}</p>'
        "</li>"
    )


def _select(name: str, label: str, all_label: str, options: list[tuple[str, str]]) -> str:
    opts = [f'<option value="">{_e(all_label)}</option>']
    opts += [f'<option value="{_e(v)}">{_e(text)}</option>' for v, text in options]
    return (
        f'<div class="lgnet-filtro"><label for="lgnet-filtro-{name}">{label}</label>'
        f'<select id="lgnet-filtro-{name}" name="{name}" data-filtro="{name}">{"".join(opts)}'
        "</select></div>"
    )


CATALOGUE_DESCRIPTION = (
    "Tutte le registrazioni della rete LGNet, con trascrizione, filtrabili per città, tipo, "
    "ambito e anno."
)


def render_catalogue(site: _Site) -> str:
    url = f"{ARCHIVE_DOCS}/"
    items = _newest_first(site.items)
    cities = sorted({i.city for i in items}, key=lambda s: _sort_key(site.archive.city_name(s)))
    kinds = [k for k in KIND_LABELS if any(i.kind == k for i in items)]
    areas = [a for a in AREAS if any(a in i.areas for i in items)]
    years = sorted({i.year for i in items}, reverse=True)
    count = len(items)
    lines = [
        "---",
        "title: Archivio delle registrazioni",
        f"description: {_yaml_text(CATALOGUE_DESCRIPTION)}",
        "hide:",
        "  - toc",
        "---",
        "",
        '<div class="lgnet-catalogo" data-lgnet-catalogo>',
        "<h1>Archivio delle registrazioni</h1>",
        "<p>Workshop, video pillole, testimonianze e docufilm della rete LGNet. Ogni "
        "registrazione ha i sottotitoli e la trascrizione completa, con cui si può saltare al "
        "momento che interessa.</p>",
        '<form class="lgnet-filtri" data-lgnet-filtri data-search-exclude hidden '
        'aria-label="Filtra le registrazioni">',
        _select(
            "citta", "Città", "Tutte le città", [(c, site.archive.city_name(c)) for c in cities]
        ),
        _select("tipo", "Tipo", "Tutti i tipi", [(k, KIND_LABELS[k]) for k in kinds]),
        _select("ambito", "Ambito", "Tutti gli ambiti", [(a, AREA_LABELS[a]) for a in areas]),
        _select("anno", "Anno", "Tutti gli anni", [(y, y) for y in years]),
        '<div class="lgnet-filtro lgnet-filtro--testo"><label for="lgnet-filtro-testo">'
        'Parole nel titolo</label><input id="lgnet-filtro-testo" name="testo" type="search" '
        'data-filtro="testo" autocomplete="off"></div>',
        '<div class="lgnet-filtro lgnet-filtro--azioni"><button type="reset" class="md-button">'
        "Azzera i filtri</button></div>",
        "</form>",
        '<p class="lgnet-conteggio" role="status" data-lgnet-conteggio data-search-exclude>'
        f"{count} {'registrazione' if count == 1 else 'registrazioni'}</p>",
    ]
    if items:
        # Each recording is found in the search through its own page, not through this list.
        lines.append('<ul class="lgnet-schede" data-lgnet-schede data-search-exclude>')
        lines += [_card(site, item, url) for item in items]
        lines.append("</ul>")
        lines.append(
            '<p class="lgnet-vuoto" data-lgnet-vuoto hidden>Nessuna registrazione corrisponde ai '
            "filtri scelti.</p>"
        )
    else:
        lines.append('<p class="lgnet-vuoto">Non ci sono ancora registrazioni pubblicate.</p>')
    lines += ["</div>", ""]
    return "\n".join(lines)


# --- training paths ------------------------------------------------------------------------


@dataclass(frozen=True)
class _PathExcerpt:
    """One excerpt of a training path that this build can play."""

    excerpt: Excerpt
    item: Item
    published: PublishedMedia
    transcript: Transcript | None

    @property
    def start(self) -> float:
        return self.excerpt.start

    @property
    def end(self) -> float:
        end = self.excerpt.end
        if self.published.duration > self.start:
            end = min(end, self.published.duration)
        return end


def path_url(slug: str) -> str:
    return f"{PATHS_DOCS}/{slug}/"


def training_paths(site: _Site) -> list[tuple[TrainingPath, list[_PathExcerpt]]]:
    """The paths open to the build's audience, each with the excerpts it may play.

    A path for `operatori` is left out of the public build; an excerpt whose recording is not
    published for the audience (or has no published media) is skipped without a word, since
    `lgnet check` reports it; a path left with no excerpt is left out.
    """
    loaded, _ = load_paths(site.project, site.archive)
    published = {item.id: item for item in site.items}
    out = []
    for slug in sorted(loaded):
        path = loaded[slug]
        if path.audience != "pubblico" and path.audience != site.audience:
            continue
        excerpts = []
        for excerpt in path.excerpts:
            item = published.get(excerpt.item)
            media = site.media.get(excerpt.item)
            if item is None or media is None:
                continue
            excerpts.append(_PathExcerpt(excerpt, item, media, site.transcripts.get(item.id)))
        if excerpts:
            out.append((path, excerpts))
    out.sort(key=lambda entry: _sort_key(entry[0].title))
    return out


def _path_duration(excerpts: list[_PathExcerpt]) -> float:
    return sum(max(e.end - e.start, 0.0) for e in excerpts)


def _excerpt_range(excerpt: _PathExcerpt) -> str:
    """`0:21–0:43`, with the spoken form for screen readers."""
    start, end = excerpt.start, excerpt.end
    return (
        f'<span aria-hidden="true">{clock(start)}–{clock(end)}</span>'
        f'<span class="lgnet-sr">da {_e(spoken_duration(int(start)))} a '
        f"{_e(spoken_duration(int(end)))}</span>"
    )


def _excerpt_text(excerpt: _PathExcerpt) -> list[str]:
    """The redacted transcript of the excerpt, one paragraph per speaker's turn."""
    if excerpt.transcript is None:
        return ['<p class="lgnet-stato">Trascrizione non ancora disponibile.</p>']
    part = clip_transcript(excerpt.transcript, excerpt.item, excerpt.start, excerpt.end)
    turns: list[tuple[str | None, list[str]]] = []
    for seg in part.segments:
        if not turns or (seg.speaker and seg.speaker != turns[-1][0]):
            turns.append((seg.speaker, []))
        turns[-1][1].append(" ".join(seg.text.split()))
    if not turns:
        return ['<p class="lgnet-stato">In questo estratto non si parla.</p>']
    lines = ['<div class="lgnet-estratto__testo" data-search-exclude>']
    for speaker, texts in turns:
        voice = f'<span class="lgnet-voce">{_e(speaker)}:</span> ' if speaker else ""
        lines.append(f"<p>{voice}{_e(' '.join(texts))}</p>")
    lines.append("</div>")
    return lines


def _excerpt_media(excerpt: _PathExcerpt, url: str) -> dict[str, str]:
    """What the script needs to load an excerpt in the player (relative URLs)."""
    item, published = excerpt.item, excerpt.published
    return {
        "id": item.id,
        "src": href(url, f"{MEDIA_URL}/{item.id}{published.extension}"),
        "mime": published.mime,
        "tipo": "video" if published.is_video else "audio",
        "poster": (href(url, f"{MEDIA_URL}/{item.id}.jpg") if published.poster is not None else ""),
        "vtt": href(url, f"{MEDIA_URL}/{item.id}.vtt") if published.vtt is not None else "",
        "lingua": item.language,
        "start": _seconds(excerpt.start),
        "end": _seconds(excerpt.end),
    }


def _path_excerpt(site: _Site, excerpt: _PathExcerpt, n: int, url: str) -> list[str]:
    item = excerpt.item
    data = _excerpt_media(excerpt, url)
    attrs = " ".join(f'data-{key}="{_e(value)}"' for key, value in data.items())
    link = _e(href(url, recording_url(item.id) + f"#t={data['start']}"))
    current = ' aria-current="true"' if n == 1 else ""
    what = "video" if excerpt.published.is_video else "audio"
    lines = [
        f'<li id="estratto-{n}" class="lgnet-estratto" data-lgnet-estratto {attrs}{current}>',
        f'<h2 class="lgnet-estratto__titolo" id="estratto-{n}-titolo">'
        f'<span class="lgnet-estratto__numero">{n}.</span> '
        f'<a href="{link}">{_e(item.title)}</a></h2>',
        '<p class="lgnet-estratto__meta">'
        + ' <span aria-hidden="true">·</span> '.join(
            [
                site.city_link(url, item.city),
                f"{_e(KIND_LABELS[item.kind])} ({what})",
                _excerpt_range(excerpt),
            ]
        )
        + "</p>",
        '<p class="lgnet-estratto__azioni" data-search-exclude hidden data-lgnet-azioni>'
        f'<button type="button" class="md-button" data-lgnet-vai '
        f'aria-describedby="estratto-{n}-titolo">Riproduci l\'estratto {n}</button>'
        '<span class="lgnet-estratto__in-corso" data-lgnet-in-corso>Nel lettore</span></p>',
    ]
    if excerpt.excerpt.note:
        lines.append(
            '<p class="lgnet-estratto__nota"><strong>Nota per chi forma:</strong> '
            f"{_e(' '.join(excerpt.excerpt.note.split()))}</p>"
        )
    lines += _excerpt_text(excerpt)
    if item.synthetic:
        lines.append('<p class="lgnet-estratto__sintetica">Voce sintetica.</p>')
    lines.append("</li>")
    return lines


def _path_player(first: _PathExcerpt, url: str) -> list[str]:
    """One player for the whole path, loaded with the first excerpt; the script moves it on.

    Always a <video>: it also plays audio, and one element that never changes keeps the
    keyboard focus where it is when the next excerpt starts. Chromium draws no captions over
    audio, so for audio the script writes the current cue in a box of its own.
    """
    data = _excerpt_media(first, url)
    kind = data["tipo"]
    attrs = [
        'id="lgnet-percorso-media"',
        f'class="lgnet-media lgnet-percorso__media lgnet-percorso__media--{kind}"',
        "controls",
        'preload="metadata"',
        "playsinline",
        "data-lgnet-percorso-media",
        'aria-label="Lettore del percorso"',
    ]
    if data["poster"]:
        attrs.append(f'poster="{_e(data["poster"])}"')
    lines = [
        '<div class="lgnet-percorso__schermo">',
        f"<video {' '.join(attrs)}>",
        f'<source src="{_e(data["src"])}" type="{_e(data["mime"])}">',
    ]
    if data["vtt"]:
        lines.append(
            f'<track kind="captions" srclang="{_e(data["lingua"])}" label="Italiano" '
            f'src="{_e(data["vtt"])}" default>'
        )
    audio_only = "" if kind == "audio" else " hidden"
    lines += [
        "<p>Questo browser non riproduce l'audio e il video: ogni estratto si può ascoltare "
        "dalla sua registrazione, con il link nel titolo.</p>",
        "</video>",
        f'<p class="lgnet-percorso__solo-audio" aria-hidden="true" data-lgnet-solo-audio'
        f"{audio_only}>Solo audio</p>",
        '<p class="lgnet-percorso__didascalia" aria-hidden="true" data-lgnet-didascalia '
        "hidden></p>",
        "</div>",
    ]
    return lines


def render_path(site: _Site, path: TrainingPath, excerpts: list[_PathExcerpt]) -> str:
    url = path_url(path.slug)
    total = len(excerpts)
    first = excerpts[0]
    description = path.description or f"Percorso formativo in {total} estratti dall'archivio."
    lines = [
        "---",
        f"title: {_yaml_text(path.title)}",
        f"description: {_yaml_text(description[:300])}",
        "hide:",
        "  - navigation",
        "  - toc",
        "---",
        "",
        f'<article class="lgnet-percorso" data-lgnet-percorso data-slug="{_e(path.slug)}">',
        '<p class="lgnet-briciole" data-search-exclude>'
        f'<a href="{_e(href(url, PATHS_DOCS + "/"))}">Percorsi formativi</a></p>',
        f'<h1 id="lgnet-titolo">{_e(path.title)}</h1>',
        f'<p class="lgnet-sommario">{total} {"estratto" if total == 1 else "estratti"} '
        f'<span aria-hidden="true">·</span> {_e(spoken_duration(_path_duration(excerpts)))} in '
        "tutto"
        + (
            ' <span aria-hidden="true">·</span> solo per gli operatori della rete'
            if path.audience != "pubblico"
            else ""
        )
        + "</p>",
    ]
    if path.description:
        lines.append(_paragraphs(path.description, "lgnet-descrizione"))
    lines += [
        '<div class="lgnet-lettore lgnet-percorso__lettore">',
        '<div class="lgnet-lettore__media" data-search-exclude>',
        *_path_player(first, url),
        '<p class="lgnet-percorso__stato" role="status" data-lgnet-percorso-stato>'
        f"Estratto 1 di {total}: {_e(first.item.title)}</p>",
        '<div class="lgnet-percorso__comandi" data-lgnet-percorso-comandi hidden>',
        '<button type="button" class="md-button" data-lgnet-precedente>Precedente</button>',
        '<button type="button" class="md-button" data-lgnet-successivo>Successivo</button>',
        "</div>",
        '<p class="lgnet-percorso__aiuto">Gli estratti si susseguono da soli: alla fine di '
        "ciascuno parte il successivo. Il titolo di un estratto apre la registrazione intera "
        "in quel punto.</p>",
        "</div>",
        '<section class="lgnet-percorso__estratti" aria-labelledby="lgnet-estratti-titolo">',
        '<h2 id="lgnet-estratti-titolo" class="lgnet-sr">Estratti</h2>',
        '<ol class="lgnet-estratti" data-lgnet-estratti>',
    ]
    for n, excerpt in enumerate(excerpts, start=1):
        lines += _path_excerpt(site, excerpt, n, url)
    lines += [
        "</ol>",
        "</section>",
        "</div>",
        f'<script src="{_e(href(url, "assets/lgnet/percorso.js"))}"></script>',
        "</article>",
        "",
    ]
    return "\n".join(lines)


PATHS_DESCRIPTION = (
    "Percorsi formativi: sequenze di estratti dall'archivio della rete LGNet, con trascrizione "
    "e note per chi forma, da vedere e ascoltare di seguito."
)


def render_path_index(site: _Site, paths: list[tuple[TrainingPath, list[_PathExcerpt]]]) -> str:
    url = f"{PATHS_DOCS}/"
    lines = [
        "---",
        "title: Percorsi formativi",
        f"description: {_yaml_text(PATHS_DESCRIPTION)}",
        "hide:",
        "  - toc",
        "---",
        "",
        '<div class="lgnet-percorsi">',
        "<h1>Percorsi formativi</h1>",
        "<p>Ogni percorso mette in fila alcuni estratti delle registrazioni, scelti per la "
        "formazione del personale dei Comuni e degli enti della rete: si guardano e si ascoltano "
        "uno dopo l'altro, con la trascrizione e le note per chi forma.</p>",
    ]
    if paths:
        lines.append('<ul class="lgnet-percorsi__elenco">')
        for path, excerpts in paths:
            count = len(excerpts)
            meta = [
                f"{count} {'estratto' if count == 1 else 'estratti'}",
                _e(spoken_duration(_path_duration(excerpts))),
            ]
            if path.audience != "pubblico":
                meta.append("solo per gli operatori della rete")
            lines += [
                '<li class="lgnet-percorsi__voce">',
                '<h2 class="lgnet-percorsi__titolo">'
                f'<a href="{_e(href(url, path_url(path.slug)))}">{_e(path.title)}</a></h2>',
                '<p class="lgnet-percorsi__meta">'
                + ' <span aria-hidden="true">·</span> '.join(meta)
                + "</p>",
            ]
            if path.description:
                lines.append(_paragraphs(path.description, "lgnet-descrizione"))
            lines.append("</li>")
        lines.append("</ul>")
    else:
        lines.append('<p class="lgnet-vuoto">Non ci sono ancora percorsi formativi pubblicati.</p>')
    lines += ["</div>", ""]
    return "\n".join(lines)


# --- snippets for hand-written pages ---------------------------------------------------------


@dataclass(frozen=True)
class _Includer:
    """Where a snippet is included from: its links are written relative to that page.

    Snippet links are Markdown links to the target's source file, which MkDocs and Zensical
    both resolve from the including page. Raw HTML links (the map's SVG) are left alone by
    MkDocs but rewritten by Zensical as if relative to the source file: the two agree only
    when the including page is an `index.md`, whose folder is also its URL.
    """

    source_dir: str  # folder of the including page inside docs/ ("" for docs/ itself)
    is_index: bool

    def link(self, text_md: str, target: str) -> str:
        """A Markdown link to the page `target` (a path inside docs/, optional #anchor)."""
        path, _, anchor = target.partition("#")
        rel = posixpath.relpath(path, self.source_dir or ".")
        return f"[{text_md}]({rel}{'#' + anchor if anchor else ''})"

    @property
    def url(self) -> str:
        """The including page's URL, for raw HTML links (meaningful when `is_index`)."""
        return self.source_dir + "/" if self.source_dir else ""


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()>#+\-.!|])")


def _md(text: str) -> str:
    """Data as Markdown text: HTML-escaped, and every Markdown-special character escaped."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(" ".join(str(text).split()), quote=False))


def _recording_md(site: _Site, item: Item, inc: _Includer, *, with_city: bool) -> str:
    meta = [_md(KIND_LABELS[item.kind])]
    if with_city:
        meta.append(site.city_md(inc, item.city))
    meta.append(_md(item.year))
    duration = site.duration(item)
    if duration:
        meta.append(clock(duration))
    link = inc.link(_md(item.title), f"{ARCHIVE_DOCS}/{item.id}/index.md")
    return f'- {link} <span class="lgnet-elenco__meta">{" · ".join(meta)}</span>'


def _recording_list(site: _Site, items: list[Item], inc: _Includer, *, with_city: bool) -> str:
    rows = [_recording_md(site, item, inc, with_city=with_city) for item in _newest_first(items)]
    return "\n".join(rows)


def _completeness(sheet: Any) -> str:
    filled, total = sheet.completeness()
    missing = sheet.missing()
    text = f"Scheda compilata: {filled} campi su {total} documentati da una fonte."
    if missing:
        text += " Da completare: " + ", ".join(_e(m) for m in missing) + "."
    return (
        f'<p class="lgnet-completezza"><meter min="0" max="{total}" value="{filled}" '
        f'aria-hidden="true"></meter> {text}</p>'
    )


def _block(css: str, parts: list[str]) -> str:
    """A Markdown block wrapped in a styled div (md_in_html), parts separated by blank lines."""
    body = "\n\n".join(p for p in parts if p)
    return f'<div class="lgnet-generato {css}" markdown="1">\n\n{body}\n\n</div>\n'


def render_city_snippet(site: _Site, slug: str, inc: _Includer) -> str:
    items = site.by_city().get(slug, [])
    name = _md(site.archive.city_name(slug))
    sheet = site.sheets.get(slug)
    parts = [_completeness(sheet) if sheet is not None else ""]
    if items:
        n = len(items)
        noun = "registrazione pubblicata" if n == 1 else "registrazioni pubblicate"
        parts.append(f"{n} {noun} su {name}:")
        parts.append(_recording_list(site, items, inc, with_city=False))
    else:
        archive_link = inc.link("archivio", f"{ARCHIVE_DOCS}/index.md")
        parts.append(
            f"Non ci sono ancora registrazioni pubblicate su {name}. Tutte le registrazioni "
            f"sono nell'{archive_link}."
        )
    return _block("lgnet-generato--citta", parts)


def render_area_snippet(site: _Site, area: str, inc: _Includer) -> str:
    items = [i for i in site.items if area in i.areas]
    working = []
    for slug, sheet in site.sheets.items():
        fact = getattr(sheet.front, "areas", None)
        if fact is not None and area in fact.value and slug in site.archive.cities:
            working.append(slug)
    working.sort(key=lambda s: _sort_key(site.archive.city_name(s)))
    label = _md(AREA_LABELS.get(area, area).lower())
    parts = []
    if working:
        cities = ", ".join(site.city_md(inc, s) for s in working)
        parts.append(f"Città che, secondo le fonti, hanno lavorato sull'ambito {label}: {cities}.")
    else:
        parts.append(
            f"Le schede delle città non indicano ancora chi ha lavorato sull'ambito {label}."
        )
    if items:
        parts.append(f"Registrazioni su questo ambito ({len(items)}):")
        parts.append(_recording_list(site, items, inc, with_city=True))
    else:
        parts.append("Non ci sono ancora registrazioni pubblicate su questo ambito.")
    return _block("lgnet-generato--ambito", parts)


def render_glossary_snippet(site: _Site, inc: _Includer) -> str:
    groups: dict[str, list[Any]] = defaultdict(list)
    for term in sorted(site.archive.glossary, key=lambda t: _sort_key(t.term)):
        initial = _sort_key(term.term)[:1].upper()
        groups[initial if initial.isalpha() else "#"].append(term)
    letters = sorted(groups)
    anchors = {
        letter: "lettera-" + (_slug(letter) if letter.isalpha() else "altro") for letter in letters
    }
    nav = " ".join(f"[{_md(letter)}](#{anchors[letter]})" for letter in letters)
    lines = [
        '<div class="lgnet-generato lgnet-glossario" markdown="1">',
        "",
        f'<p class="lgnet-lettere" markdown="1">{nav}</p>',
    ]
    used_ids: set[str] = set()
    for letter in letters:
        lines += ["", f'<h2 id="{anchors[letter]}">{_e(letter)}</h2>', "", '<dl markdown="1">']
        for term in groups[letter]:
            term_id = _slug(term.term)
            while term_id in used_ids or term_id.startswith("lettera-"):
                term_id += "-1"
            used_ids.add(term_id)
            parts = [_md(term.definition)]
            if term.aliases:
                aliases = _md(", ".join(term.aliases))
                parts.append(f'<span class="lgnet-alias">Anche: {aliases}</span>')
            if term.sources:
                cited = []
                for source_id in term.sources:
                    source = site.sources.get(source_id)
                    title = _md(source.title if source is not None else source_id)
                    if source is not None and site.has_page("fonti.md"):
                        cited.append(inc.link(title, f"fonti.md#{source_id}"))
                    else:
                        cited.append(title)
                parts.append(f'<span class="lgnet-fonti">Fonti: {"; ".join(cited)}</span>')
            lines.append(f'<dt id="{_e(term_id)}">{_e(term.term)}</dt>')
            lines.append(f'<dd markdown="1">{" ".join(parts)}</dd>')
        lines.append("</dl>")
    lines += ["", "</div>", ""]
    return "\n".join(lines)


# --- the network map -----------------------------------------------------------------------


# A schematic outline of Italy (lon, lat), enough to place the cities; no tiles, no requests.
def _points(text: str) -> list[tuple[float, float]]:
    return [(float(lon), float(lat)) for lon, lat in (p.split(",") for p in text.split())]


_MAINLAND = _points(
    """
    7.53,43.79 6.63,45.11 7.0,45.5 6.86,45.83 7.9,45.95 8.45,46.25 9.03,45.83 9.3,46.5
    10.1,46.23 10.45,46.53 10.5,46.85 11.5,47.0 12.2,47.09 12.7,46.65 13.6,46.5 13.55,45.95
    13.77,45.62 13.4,45.68 12.35,45.43 12.5,44.95 12.3,44.42 12.57,44.06 13.52,43.62
    13.88,42.95 14.21,42.46 14.7,42.1 15.0,42.0 15.6,41.92 16.18,41.88 15.92,41.63
    16.28,41.32 16.87,41.12 17.94,40.64 18.49,40.15 18.36,39.8 17.99,40.06 17.24,40.47
    16.8,40.37 16.5,39.75 17.13,39.08 16.55,38.45 16.06,37.92 15.65,38.11 15.7,38.25
    15.9,38.43 15.83,38.62 16.16,38.73 16.03,39.36 15.79,39.81 15.63,40.07 15.28,40.03
    14.99,40.35 14.76,40.68 14.33,40.6 14.25,40.84 13.57,41.21 13.05,41.23 12.62,41.45
    12.28,41.73 11.8,42.09 11.2,42.44 10.5,42.93 10.3,43.55 10.24,43.87 9.83,44.1
    8.93,44.41 8.48,44.31 8.03,43.88
    """
)

_SICILY = _points(
    """
    15.55,38.19 15.65,38.27 15.24,38.22 14.02,38.04 13.36,38.12 12.5,38.02 12.43,37.8
    12.59,37.65 13.08,37.5 13.58,37.29 14.25,37.06 14.85,36.73 15.13,36.69 15.29,37.07
    15.09,37.5 15.29,37.85
    """
)

_SARDINIA = _points(
    """
    9.19,41.24 9.5,40.92 9.7,40.38 9.7,39.93 9.52,39.1 9.11,39.21 8.64,38.87 8.4,39.05
    8.5,39.9 8.48,40.3 8.3,40.56 8.22,40.94 8.4,40.84 8.71,40.91
    """
)
_MAP_SCALE = 52.0
_MAP_WEST, _MAP_NORTH = 6.3, 47.4
_MAP_WIDTH, _MAP_HEIGHT = 480, 580
_LABEL_SIZE = 15


def _project_point(lon: float, lat: float) -> tuple[float, float]:
    """Equirectangular, shrunk east-west by cos(42°): good enough at Italy's scale."""
    x = (lon - _MAP_WEST) * math.cos(math.radians(42)) * _MAP_SCALE
    y = (_MAP_NORTH - lat) * _MAP_SCALE
    return round(x, 1), round(y, 1)


def _outline(points: list[tuple[float, float]]) -> str:
    coords = [_project_point(lon, lat) for lon, lat in points]
    return "M" + " L".join(f"{x} {y}" for x, y in coords) + " Z"


Box = tuple[float, float, float, float]  # left, top, right, bottom


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _label_spots(x: float, y: float, width: float) -> list[tuple[float, float, str, Box]]:
    """Where a label may go around a dot: right, left, above, below (text x, y, anchor, box)."""
    h = _LABEL_SIZE
    return [
        (x + 10, y + h * 0.35, "start", (x + 9, y - h * 0.6, x + 11 + width, y + h * 0.5)),
        (x - 10, y + h * 0.35, "end", (x - 11 - width, y - h * 0.6, x - 9, y + h * 0.5)),
        (x, y - 11, "middle", (x - width / 2, y - 11 - h, x + width / 2, y - 9)),
        (x, y + 11 + h * 0.8, "middle", (x - width / 2, y + 9, x + width / 2, y + 12 + h)),
    ]


def _place_labels(cities: list[tuple[City, float, float]]) -> dict[str, tuple[float, float, str]]:
    """Greedy placement: each label takes the first spot that hits no dot and no other label."""
    dots: list[Box] = [(x - 7, y - 7, x + 7, y + 7) for _, x, y in cities]
    labels: list[Box] = []
    placed: dict[str, tuple[float, float, str]] = {}
    for city, x, y in sorted(cities, key=lambda c: c[2]):
        spots = _label_spots(x, y, len(city.name) * _LABEL_SIZE * 0.58)
        own: Box = (x - 7, y - 7, x + 7, y + 7)
        obstacles = [d for d in dots if d != own] + labels

        def free(box: Box, obstacles: list[Box] = obstacles) -> bool:
            inside = box[0] >= 0 and box[1] >= 0 and box[2] <= _MAP_WIDTH and box[3] <= _MAP_HEIGHT
            return inside and not any(_overlaps(box, o) for o in obstacles)

        tx, ty, anchor, box = next((s for s in spots if free(s[3])), spots[0])
        labels.append(box)
        placed[city.slug] = (round(tx, 1), round(ty, 1), anchor)
    return placed


def _map_svg(site: _Site, cities: list[City], counts: dict[str, int], inc: _Includer) -> list[str]:
    located = []
    for city in cities:
        if city.lat is not None and city.lon is not None:
            x, y = _project_point(city.lon, city.lat)
            located.append((city, x, y))
    labels = _place_labels(located)
    svg = [
        f'<svg class="lgnet-mappa__svg" viewBox="0 0 {_MAP_WIDTH} {_MAP_HEIGHT}" '
        'xmlns="http://www.w3.org/2000/svg" aria-hidden="true" focusable="false">',
        f'<path class="lgnet-mappa__terra" d="{_outline(_MAINLAND)} {_outline(_SICILY)} '
        f'{_outline(_SARDINIA)}"/>',
    ]
    for city, x, y in located:
        lx, ly, anchor = labels[city.slug]
        dot = "lgnet-mappa__punto" + (" lgnet-mappa__punto--pieno" if counts.get(city.slug) else "")
        marker = (
            f'<circle class="{dot}" cx="{x}" cy="{y}" r="6"/>'
            f'<text x="{lx}" y="{ly}" text-anchor="{anchor}">{_e(city.name)}</text>'
        )
        # The dots are a shortcut for pointers; keyboards and screen readers use the table.
        if inc.is_index and site.has_page(f"citta/{city.slug}.md"):
            target = _e(href(inc.url, f"citta/{city.slug}/"))
            svg.append(
                f'<a href="{target}" tabindex="-1"><circle class="lgnet-mappa__area" cx="{x}" '
                f'cy="{y}" r="14"/>{marker}</a>'
            )
        else:
            svg.append(f"<g>{marker}</g>")
    svg.append("</svg>")
    return svg


def render_map_snippet(site: _Site, inc: _Includer) -> str:
    cities = [c for c in site.archive.cities.values() if c.slug != NETWORK]
    cities.sort(key=lambda c: _sort_key(c.name))
    counts = {slug: len(items) for slug, items in site.by_city().items()}
    rows = [
        "| Città | Regione | Scheda compilata | Registrazioni |",
        "| --- | --- | --- | ---: |",
    ]
    for city in cities:
        sheet = site.sheets.get(city.slug)
        if sheet is not None:
            filled, total = sheet.completeness()
            sheet_text = f"{filled} campi su {total}"
        else:
            sheet_text = "non ancora scritta"
        rows.append(
            f"| {site.city_md(inc, city.slug)} | {_md(city.region or '')} | {sheet_text} "
            f"| {counts.get(city.slug, 0)} |"
        )
    network = len(site.by_city().get(NETWORK, []))
    caption = (
        f"Le {len(cities)} città della rete LGNet. Il punto pieno indica una città con "
        "registrazioni pubblicate."
    )
    note = f"Altre {network} registrazioni riguardano l'intera rete." if network else ""
    figure = [
        '<figure class="lgnet-mappa__figura">',
        *_map_svg(site, cities, counts, inc),
        f"<figcaption>{_e(caption)}</figcaption>",
        "</figure>",
    ]
    return _block("lgnet-mappa", ["\n".join(figure), "\n".join(rows), note])


# --- writing -------------------------------------------------------------------------------


def _includers(project: Project) -> dict[str, list[str]]:
    """Snippet path (relative to docs/) -> hand-written pages (relative to docs/) including it."""
    found: dict[str, list[str]] = defaultdict(list)
    skip = {
        project.generated_docs.resolve(),
        (project.docs / ARCHIVE_DOCS).resolve(),
        (project.docs / PATHS_DOCS).resolve(),
    }
    for path in sorted(project.docs.rglob("*.md")):
        if not skip.isdisjoint(path.resolve().parents):
            continue
        rel = path.relative_to(project.docs).as_posix()
        for snippet in dict.fromkeys(_SNIPPET_REF.findall(path.read_text(encoding="utf-8"))):
            found[snippet].append(rel)
    return found


def _includer(snippet: str, default_page: str, includers: dict[str, list[str]]) -> _Includer:
    """Where the snippet's links start from: the folder of the page(s) including it."""
    pages = includers.get(snippet) or [default_page]
    folders = sorted({posixpath.dirname(p) for p in pages})
    if len(folders) > 1:
        raise BuildError(
            f"docs/{snippet}: è incluso da pagine in cartelle diverse ({', '.join(pages)}); i "
            "suoi collegamenti possono essere giusti per una sola cartella: includerlo solo da "
            "pagine della stessa cartella"
        )
    is_index = all(posixpath.basename(p) in ("index.md", "README.md") for p in pages)
    return _Includer(source_dir=folders[0], is_index=is_index)


def _write_if_changed(path: Path, text: str) -> None:
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return
    atomic_write_text(path, text)


def _remove_stale(folder: Path, keep: set[Path]) -> None:
    if not folder.is_dir():
        return
    for path in sorted(folder.rglob("*"), reverse=True):
        if path.is_file() and path not in keep:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()


def generate_pages(
    project: Project,
    archive: Archive,
    transcripts: dict[str, Transcript],
    audience: str,
    media: dict[str, PublishedMedia],
) -> list[Path]:
    """Write the generated pages and snippets; delete those of items no longer published.

    Returns every generated file (written now or already up to date).
    """
    items = archive.published(audience)
    published_ids = {i.id for i in items}
    sheets, sources = _load_knowledge(project)
    site = _Site(
        project=project,
        archive=archive,
        audience=audience,
        items=items,
        transcripts={k: v for k, v in transcripts.items() if k in published_ids},
        media={k: v for k, v in media.items() if k in published_ids},
        sheets=sheets,
        sources=sources,
    )
    outputs: dict[Path, str] = {}
    archive_dir = project.docs / ARCHIVE_DOCS
    outputs[archive_dir / "index.md"] = render_catalogue(site)
    for item in items:
        # <id>/index.md, not <id>.md: a page whose folder is its URL has raw HTML links that
        # MkDocs and Zensical read the same way.
        outputs[archive_dir / item.id / "index.md"] = render_recording(site, item)

    Renderer = Callable[[_Includer], str]
    snippets: list[tuple[str, str, Renderer]] = [
        # The same map for two folders: links inside a snippet hold for one folder only.
        ("mappa.md", "citta/index.md", functools.partial(render_map_snippet, site)),
        ("mappa-home.md", "index.md", functools.partial(render_map_snippet, site)),
        ("glossario.md", "glossario.md", functools.partial(render_glossary_snippet, site)),
    ]
    for slug in archive.cities:
        if slug != NETWORK:
            city = functools.partial(render_city_snippet, site, slug)
            snippets.append((f"citta/{slug}.md", f"citta/{slug}.md", city))
    for area in AREAS:
        theme = functools.partial(render_area_snippet, site, area)
        snippets.append((f"ambiti/{area}.md", f"modello/{area}.md", theme))
    includers = _includers(project)
    for name, default_page, render in snippets:
        snippet = f"{GENERATED_DOCS}/{name}"
        outputs[project.docs / snippet] = render(_includer(snippet, default_page, includers))

    paths_dir = project.docs / PATHS_DOCS
    paths = training_paths(site)
    outputs[paths_dir / "index.md"] = render_path_index(site, paths)
    for training, excerpts in paths:
        outputs[paths_dir / training.slug / "index.md"] = render_path(site, training, excerpts)

    for path, text in outputs.items():
        _write_if_changed(path, text)
    keep = set(outputs)
    _remove_stale(archive_dir, keep)
    _remove_stale(paths_dir, keep)
    _remove_stale(project.generated_docs, keep)
    return sorted(outputs)
