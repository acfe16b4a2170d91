"""A recording's page, `docs/archivio/<id>/index.md` (template `recording.md`).

Player with captions, chapters, the interactive transcript (redacted passages as the search
index holds them), metadata and downloads. The ids, classes and `data-` attributes are what
`docs/assets/lgnet/player.js` reads.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from lgnet.archive import ACCESS_LABELS, Item
from lgnet.chapters import ChapterSpan, chapter_spans, chapters_file_name
from lgnet.pages.components import (
    ARCHIVE_DOCS,
    LANGUAGES,
    href,
    media_url,
    page_url,
    paragraphs,
    plural,
    recording_url,
    render,
)
from lgnet.pages.context import Link, SiteContext, Summary
from lgnet.publish import PublishedMedia
from lgnet.redact import redact_transcript
from lgnet.structured import jsonld_recording
from lgnet.transcripts import Segment, Transcript, narration_aligned, status_label


@dataclass(frozen=True)
class Player:
    item_id: str
    is_video: bool
    src: str
    mime: str
    poster: str | None
    vtt: str | None
    language: str
    chapters_vtt: str | None = None  # the WebVTT chapters track (lgnet.chapters)


@dataclass(frozen=True)
class TranscriptStatus:
    status: str
    label: str
    reviewed: bool
    engine: str | None  # what made an automatic transcript
    model: str | None
    reviewed_sentences: int = 0  # how many sentences a person reviewed
    sentences: int = 0
    aligned: bool = False  # a known script (a demo narration) aligned to the audio

    @property
    def partly_reviewed(self) -> bool:
        return 0 < self.reviewed_sentences < self.sentences


@dataclass(frozen=True)
class Token:
    """A word of a passage; `uncertain` when the model was unsure of it (operators' build)."""

    text: str
    uncertain: bool


@dataclass(frozen=True)
class SegmentLine:
    start: float
    end: float
    speaker: str | None  # set only where the speaker changes: the shown name (or role alone)
    text: str
    reviewed: bool = False  # marked only while the transcript is partly reviewed
    tokens: list[Token] | None = None  # the words one by one (operators' build), or None
    role: str | None = None  # beside `speaker` when a name is shown (lgnet.speakers.Voice)


@dataclass(frozen=True)
class Voice:
    name: str
    role: str | None


@dataclass(frozen=True)
class Metadata:
    city: Link
    date: str
    kind: str
    areas: list[Link]
    duration: float | None
    speakers: list[Voice]
    language: str
    credits: str
    license: str
    transcript: str | None  # the transcript's status label
    access: str | None  # shown to staff only
    synthetic: bool
    redacted: bool


@dataclass(frozen=True)
class Download:
    url: str
    label: str
    format: str


@dataclass(frozen=True)
class RecordingPage:
    item_id: str
    title: str
    description: str  # front matter
    archive_url: str
    summary: Summary
    city_name: str
    date: str
    player: Player | None
    chapters: list[ChapterSpan]  # the index beside the transcript
    status: TranscriptStatus | None  # None: no transcript to show
    segments: list[SegmentLine]
    description_paragraphs: list[str]
    metadata: Metadata
    downloads: list[Download]
    jsonld: dict[str, Any] | None  # schema.org VideoObject/AudioObject
    cite: dict[str, str]  # data-* attributes the player's citations read
    cited_in: list[Link] = field(default_factory=list)  # knowledge pages citing a moment


def player(item: Item, published: PublishedMedia, url: str) -> Player:
    return Player(
        item_id=item.id,
        is_video=published.is_video,
        src=media_url(url, f"{item.id}{published.extension}"),
        mime=published.mime,
        poster=(
            media_url(url, f"{item.id}.jpg")
            if published.is_video and published.poster is not None
            else None
        ),
        vtt=media_url(url, f"{item.id}.vtt") if published.vtt is not None else None,
        language=item.language,
        chapters_vtt=(
            media_url(url, chapters_file_name(item.id)) if published.chapters is not None else None
        ),
    )


def chapter_index(item: Item, duration: float | None) -> list[ChapterSpan]:
    """The chapters as the page lists them, each with its end (lgnet.chapters.chapter_spans)."""
    return chapter_spans(item.chapters, duration)


def transcript_status(transcript: Transcript) -> TranscriptStatus:
    engine = transcript.provenance.get("engine")
    model = transcript.provenance.get("model")
    done, total = transcript.reviewed_count, len(transcript.segments)
    label = status_label(transcript)
    if 0 < done < total:
        sentences = plural(done, "frase", "frasi")
        label = f"Trascrizione revisionata in parte: {done} {sentences} su {total}"
    return TranscriptStatus(
        status=transcript.status,
        label=label,
        reviewed=transcript.status == "revisionato",
        engine=str(engine) if engine else None,
        model=str(model) if model else None,
        reviewed_sentences=done,
        sentences=total,
        aligned=narration_aligned(transcript),
    )


def tokens(seg: Segment) -> list[Token] | None:
    """The words of a sentence with the model's doubts (None: its text and its timed words
    differ, as after a person's edit); a reviewed sentence has none left."""
    from lgnet.review import LOW_CONFIDENCE

    timed = [w for w in seg.words if w.word.strip()]
    if not timed or [w.word.strip() for w in timed] != seg.text.split():
        return None
    return [
        Token(w.word.strip(), not seg.reviewed and w.probability < LOW_CONFIDENCE) for w in timed
    ]


def segment_lines(
    item: Item, transcript: Transcript, audience: str = "pubblico"
) -> list[SegmentLine]:
    """The passages (redacted, speaker turns applied); the operators' build also marks the
    words the model was unsure of. Who speaks is named where the speaker changes, by the
    voice's shown name (with the role beside a name); a label the item does not define is
    never shown (`lgnet check` reports it)."""
    from lgnet.index import redacted_segments
    from lgnet.speakers import voices

    known = voices(item)
    lines = []
    previous_speaker: str | None = None
    partly = 0 < transcript.reviewed_count < len(transcript.segments)
    for seg in redacted_segments(item, transcript):
        voice = known.get(seg.speaker) if seg.speaker else None
        changed = voice is not None and seg.speaker != previous_speaker
        words = tokens(seg) if audience != "pubblico" else None
        lines.append(
            SegmentLine(
                seg.start,
                seg.end,
                voice.shown if voice is not None and changed else None,
                seg.text.strip(),
                reviewed=partly and seg.reviewed,
                tokens=words if words and any(t.uncertain for t in words) else None,
                role=voice.role if voice is not None and changed and voice.name else None,
            )
        )
        previous_speaker = seg.speaker if voice is not None else previous_speaker
    return lines


def metadata(site: SiteContext, item: Item, transcript: Transcript | None, url: str) -> Metadata:
    return Metadata(
        city=site.city_link(url, item.city),
        date=item.date,
        kind=site.kind_label(item),
        areas=[site.area_link(url, a) for a in item.areas],
        duration=site.duration(item),
        speakers=[Voice(s.shown, s.role if s.name else None) for s in item.speakers],
        language=LANGUAGES.get(item.language, item.language),
        credits=item.credits,
        license=item.license,
        transcript=transcript_status(transcript).label if transcript else None,
        access=(
            ACCESS_LABELS.get(item.effective_access(), item.access)
            if site.audience != "pubblico"
            else None
        ),
        synthetic=item.synthetic,
        redacted=bool(item.redactions),
    )


def downloads(
    item: Item, published: PublishedMedia | None, url: str, site_url: str | None = None
) -> list[Download]:
    if published is None:
        return []
    files = []
    kinds = (
        (published.vtt, "vtt", "Sottotitoli WebVTT"),
        (published.srt, "srt", "Sottotitoli SRT"),
        (published.txt, "txt", "Testo della trascrizione"),
    )
    for path, ext, label in kinds:
        if path is not None:
            files.append(Download(media_url(url, f"{item.id}.{ext}"), label, f".{ext}"))
    media_label = "Video" if published.is_video else "Audio"
    target = media_url(url, f"{item.id}{published.extension}")
    files.append(Download(target, media_label, published.extension[1:]))
    if site_url is not None:  # written by lgnet.opendata only when the address is known
        own = recording_url(item.id)
        files += [
            Download(href(url, own + "citazione.bib"), "Citazione BibTeX", ".bib"),
            Download(href(url, own + "citazione.ris"), "Citazione RIS", ".ris"),
            Download(href(url, own + "citazione.json"), "Citazione CSL-JSON", ".json"),
            Download(href(url, own + "manifest.json"), "Manifesto IIIF", ".json"),
        ]
    return files


def recording_page(site: SiteContext, item: Item) -> RecordingPage:
    url = recording_url(item.id)
    transcript = site.transcripts.get(item.id)
    published = site.media.get(item.id)
    description = (
        item.description or f"{site.kind_label(item)} da {site.archive.city_name(item.city)}"
    )
    shown = transcript if transcript is not None and transcript.segments else None
    return RecordingPage(
        item_id=item.id,
        title=item.title,
        description=description[:300],
        archive_url=href(url, ARCHIVE_DOCS + "/"),
        summary=site.summary(item, url),
        city_name=site.archive.city_name(item.city),
        date=item.date,
        player=player(item, published, url) if published is not None else None,
        chapters=chapter_index(item, site.duration(item)),
        status=transcript_status(shown) if shown is not None else None,
        segments=segment_lines(item, shown, site.audience) if shown is not None else [],
        description_paragraphs=paragraphs(item.description) if item.description else [],
        metadata=metadata(site, item, transcript, url),
        downloads=downloads(item, published, url, site.site_url),
        jsonld=(
            jsonld_recording(
                item,
                published,
                redact_transcript(transcript, item.redactions) if transcript else None,
                city=site.archive.cities.get(item.city),
                city_name=site.archive.city_name(item.city),
                site_url=site.site_url,
            )
            if published is not None
            else None
        ),
        cite={
            "titolo": item.title,
            "tipo": item.kind,
            "citta-nome": site.archive.city_name(item.city),
            "data": item.date,
            "lingua": item.language,
            "crediti": item.credits,
            "licenza": item.license,
        },
    )


# The citations of one run of the pages stage: the pages are read once, not once per item.
_citations: tuple[SiteContext, dict[str, list[tuple[str, str]]]] | None = None


def cited_in(site: SiteContext, item: Item) -> list[Link]:
    """The hand-written pages citing a moment of `item` (lgnet.evidence), linked."""
    global _citations
    from lgnet.evidence import citations_by_item

    if _citations is None or _citations[0] is not site:
        _citations = (site, citations_by_item(site.project))
    url = recording_url(item.id)
    pages = _citations[1].get(item.id, [])
    return [Link(title, href(url, page_url(path))) for path, title in pages]


def render_recording(site: SiteContext, item: Item) -> str:
    page = dataclasses.replace(recording_page(site, item), cited_in=cited_in(site, item))
    return render("recording.md", page=page)
