"""Training paths: `docs/percorsi/<slug>/index.md` and their list `docs/percorsi/index.md`.

A path (`archive/paths/<slug>.yml`) is an ordered list of excerpts; its page plays them one
after the other in a single player (`docs/assets/lgnet/percorso.js`, which reads each
excerpt's `data-` attributes), each with its redacted transcript and the note for trainers.
Templates `path.md` and `path_index.md`.
"""

from __future__ import annotations

from dataclasses import dataclass

from lgnet.archive import Item
from lgnet.clip import clip_transcript
from lgnet.pages.components import (
    PATHS_DOCS,
    href,
    media_url,
    paragraphs,
    path_url,
    recording_url,
    render,
    seconds_attr,
    sort_key,
)
from lgnet.pages.context import Link, SiteContext
from lgnet.paths import Excerpt, TrainingPath, load_paths
from lgnet.publish import PublishedMedia
from lgnet.transcripts import Transcript

PATHS_DESCRIPTION = (
    "Percorsi formativi: sequenze di estratti dall'archivio della rete LGNet, con trascrizione "
    "e note per chi forma, da vedere e ascoltare di seguito."
)


@dataclass(frozen=True)
class PathExcerpt:
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


@dataclass(frozen=True)
class Turn:
    speaker: str | None
    text: str


@dataclass(frozen=True)
class ExcerptView:
    number: int
    media: dict[str, str]  # the player's source, as `data-` attributes (order kept)
    url: str  # the whole recording, at the excerpt's start
    title: str
    city: Link
    kind: str
    media_kind: str  # "video" or "audio"
    start: float
    end: float
    start_whole: int  # spoken as whole seconds
    end_whole: int
    note: str
    turns: list[Turn] | None  # None: no transcript yet
    synthetic: bool


@dataclass(frozen=True)
class PathPage:
    slug: str
    url: str
    title: str
    description: str  # front matter
    paths_url: str
    duration: float
    staff_only: bool
    description_paragraphs: list[str]
    excerpts: list[ExcerptView]


@dataclass(frozen=True)
class PathEntry:
    url: str
    title: str
    count: int
    duration: float
    staff_only: bool
    description_paragraphs: list[str]


@dataclass(frozen=True)
class PathIndex:
    description: str
    paths: list[PathEntry]


def training_paths(site: SiteContext) -> list[tuple[TrainingPath, list[PathExcerpt]]]:
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
            excerpts.append(PathExcerpt(excerpt, item, media, site.transcripts.get(item.id)))
        if excerpts:
            out.append((path, excerpts))
    out.sort(key=lambda entry: sort_key(entry[0].title))
    return out


def _path_duration(excerpts: list[PathExcerpt]) -> float:
    return sum(max(e.end - e.start, 0.0) for e in excerpts)


def _turns(excerpt: PathExcerpt) -> list[Turn] | None:
    """The redacted transcript of the excerpt, one entry per speaker's turn."""
    if excerpt.transcript is None:
        return None
    part = clip_transcript(excerpt.transcript, excerpt.item, excerpt.start, excerpt.end)
    turns: list[tuple[str | None, list[str]]] = []
    for seg in part.segments:
        if not turns or (seg.speaker and seg.speaker != turns[-1][0]):
            turns.append((seg.speaker, []))
        turns[-1][1].append(" ".join(seg.text.split()))
    return [Turn(speaker, " ".join(texts)) for speaker, texts in turns]


def _excerpt_media(excerpt: PathExcerpt, url: str) -> dict[str, str]:
    """What the script needs to load an excerpt in the player (relative URLs)."""
    item, published = excerpt.item, excerpt.published
    return {
        "id": item.id,
        "src": media_url(url, f"{item.id}{published.extension}"),
        "mime": published.mime,
        "tipo": "video" if published.is_video else "audio",
        "poster": media_url(url, f"{item.id}.jpg") if published.poster is not None else "",
        "vtt": media_url(url, f"{item.id}.vtt") if published.vtt is not None else "",
        "lingua": item.language,
        "start": seconds_attr(excerpt.start),
        "end": seconds_attr(excerpt.end),
    }


def _excerpt_view(site: SiteContext, excerpt: PathExcerpt, n: int, url: str) -> ExcerptView:
    item = excerpt.item
    media = _excerpt_media(excerpt, url)
    return ExcerptView(
        number=n,
        media=media,
        url=href(url, recording_url(item.id) + f"#t={media['start']}"),
        title=item.title,
        city=site.city_link(url, item.city),
        kind=site.kind_label(item),
        media_kind=media["tipo"],
        start=excerpt.start,
        end=excerpt.end,
        start_whole=int(excerpt.start),
        end_whole=int(excerpt.end),
        note=" ".join(excerpt.excerpt.note.split()) if excerpt.excerpt.note else "",
        turns=_turns(excerpt),
        synthetic=item.synthetic,
    )


def path_page(site: SiteContext, path: TrainingPath, excerpts: list[PathExcerpt]) -> PathPage:
    url = path_url(path.slug)
    description = (
        path.description or f"Percorso formativo in {len(excerpts)} estratti dall'archivio."
    )
    return PathPage(
        slug=path.slug,
        url=url,
        title=path.title,
        description=description[:300],
        paths_url=href(url, PATHS_DOCS + "/"),
        duration=_path_duration(excerpts),
        staff_only=path.audience != "pubblico",
        description_paragraphs=paragraphs(path.description) if path.description else [],
        excerpts=[_excerpt_view(site, e, n, url) for n, e in enumerate(excerpts, start=1)],
    )


def render_path(site: SiteContext, path: TrainingPath, excerpts: list[PathExcerpt]) -> str:
    return render("path.md", page=path_page(site, path, excerpts))


def path_index(paths: list[tuple[TrainingPath, list[PathExcerpt]]]) -> PathIndex:
    url = f"{PATHS_DOCS}/"
    entries = [
        PathEntry(
            url=href(url, path_url(path.slug)),
            title=path.title,
            count=len(excerpts),
            duration=_path_duration(excerpts),
            staff_only=path.audience != "pubblico",
            description_paragraphs=paragraphs(path.description) if path.description else [],
        )
        for path, excerpts in paths
    ]
    return PathIndex(PATHS_DESCRIPTION, entries)


def render_path_index(paths: list[tuple[TrainingPath, list[PathExcerpt]]]) -> str:
    return render("path_index.md", page=path_index(paths))
