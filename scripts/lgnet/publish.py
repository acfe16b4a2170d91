"""The publish stage: the one decision of what goes online, and the files it lets out.

`decide()` computes a `Publication` once per build from the archive, the access levels, the
consent dates and the redactions. It holds a *view* of the archive that contains only the
items published for the audience, and their transcripts with the redactions applied, so the
stages after it (search index, pages, media, site) cannot reach anything else: they are
handed the view, never the whole archive. Only the leak audit sees both sides.

Only items in the publication get a `PublishedMedia` record, and the site stage copies
nothing that is not named by one. Every published medium is a copy under `.build/pubblicati/`
with one picture and one sound track and nothing else (no subtitle or data stream, no
chapters, no metadata), made for the web (H.264/AAC, at most 720p) unless the item asks for
its original (`web: originale`), redacted where the item asks (spans silenced to the sample,
blacked out where asked); captions of redacted items say "[omissis]" (`.build/redatti/`). The
originals in the archive stay untouched and are never published.

A recording whose web copy cannot be made (`publish_media`) is withheld from the build with
its reason, like one without consent, when nothing else needs it; the build stops when a
hand-written page cites it or when the fault is the computer's (`MediaToolError`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from lgnet.archive import Archive, Item
from lgnet.chapters import chapters_file_name, render_chapters_vtt
from lgnet.errors import BuildError, MediaError, Problem
from lgnet.fsutil import atomic_write_text
from lgnet.media import poster_frame, probe, thumbnail
from lgnet.project import Project
from lgnet.redact import published_media
from lgnet.speakers import published_transcript, shown_voices, voiced_captions
from lgnet.transcripts import Transcript, TranscriptFiles, render_srt, render_txt, render_vtt
from lgnet.webmedia import MediaToolError

# Browsers pick a decoder from the MIME type; an audio-only file in a video container is
# announced as audio so the page shows an <audio> player.
_MIME = {
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".mov": "video/quicktime",
    ".webm": "video/webm",
    ".ogv": "video/ogg",
    ".mkv": "video/x-matroska",
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".aac": "audio/aac",
    ".ogg": "audio/ogg",
    ".oga": "audio/ogg",
    ".opus": "audio/ogg",
    ".wav": "audio/wav",
    ".flac": "audio/flac",
}


WITHHELD_REASONS = {
    "operatori": "riservata agli operatori della rete",
    "riservato": "riservata",
}


@dataclass(frozen=True)
class Publication:
    """What one build may publish: computed once by `decide`, asked by every later stage."""

    audience: str
    today: dt.date
    archive: Archive  # cities and glossary, and only the published items
    transcripts: dict[str, Transcript]  # of the published items, redactions applied
    withheld: dict[str, str] = field(default_factory=dict)  # item id -> why it stays out

    @property
    def items(self) -> list[Item]:
        return sorted(self.archive.items.values(), key=lambda i: i.id)

    def allows(self, item_id: str) -> bool:
        return item_id in self.archive.items

    def without(self, reasons: dict[str, str]) -> Publication:
        """This publication with the items of `reasons` (item id -> why) withheld as well."""
        items = {i: item for i, item in self.archive.items.items() if i not in reasons}
        view = Archive(
            items=items, cities=self.archive.cities, glossary=self.archive.glossary, problems=[]
        )
        shown = {i: t for i, t in self.transcripts.items() if i in items}
        withheld = {**self.withheld, **{i: why for i, why in reasons.items() if i not in items}}
        return Publication(self.audience, self.today, view, shown, withheld)

    def summary(self) -> str:
        shown = len(self.archive.items)
        line = f"Pubblicazione ({self.audience}): {shown} registrazion{'e' if shown == 1 else 'i'}"
        if self.withheld:
            count = len(self.withheld)
            reasons = "; ".join(f"{i}: {why}" for i, why in sorted(self.withheld.items()))
            line += f", {count} esclus{'a' if count == 1 else 'e'} ({reasons})"
        return line


def withheld_reason(item: Item, audience: str, today: dt.date) -> str:
    if item.withdrawn:
        return "consenso ritirato"
    if item.effective_access(today) != item.access:
        return "consenso scaduto"
    return WITHHELD_REASONS.get(item.access, f"accesso {item.access!r}") + f" (sito {audience})"


def decide(
    archive: Archive,
    transcripts: dict[str, Transcript],
    audience: str,
    today: dt.date | None = None,
) -> Publication:
    """The single publication decision of a build for `audience` (consent judged on `today`)."""
    today = today or dt.date.today()
    published: dict[str, Item] = {}
    withheld: dict[str, str] = {}
    for item_id, item in sorted(archive.items.items()):
        if item.published_in(audience, today):
            published[item_id] = item
        else:
            withheld[item_id] = withheld_reason(item, audience, today)
    view = Archive(items=published, cities=archive.cities, glossary=archive.glossary, problems=[])
    # Speakers: redactions and the item's speaker turns, a derived view (lgnet.speakers).
    shown = {
        item_id: published_transcript(transcripts[item_id], item)
        for item_id, item in published.items()
        if item_id in transcripts
    }
    return Publication(audience, today, view, shown, withheld)


@dataclass(frozen=True)
class PublishedMedia:
    """The files of one published recording, as the site stage must copy them."""

    item_id: str
    media: Path
    mime: str
    is_video: bool
    poster: Path | None
    duration: float
    vtt: Path | None
    srt: Path | None
    txt: Path | None
    thumbnail: Path | None = None  # the poster at card size (320 px)
    chapters: Path | None = None  # the WebVTT chapters track (lgnet.chapters), if any

    @property
    def extension(self) -> str:
        return self.media.suffix.lower()

    def site_files(self) -> dict[str, Path]:
        """Name under `site/media/` -> file to copy there."""
        files = {f"{self.item_id}{self.extension}": self.media}
        if self.poster is not None:
            files[f"{self.item_id}.jpg"] = self.poster
        if self.thumbnail is not None:
            files[f"{self.item_id}-320.jpg"] = self.thumbnail
        for ext, path in ((".vtt", self.vtt), (".srt", self.srt), (".txt", self.txt)):
            if path is not None:
                files[f"{self.item_id}{ext}"] = path
        if self.chapters is not None:
            files[chapters_file_name(self.item_id)] = self.chapters
        return files


def mime_type(path: Path, is_video: bool) -> str:
    mime = _MIME.get(path.suffix.lower(), "video/mp4" if is_video else "audio/mpeg")
    if not is_video and mime.startswith("video/"):
        mime = "audio/" + mime.split("/", 1)[1]
    return mime


def _redacted_captions(project: Project, transcript: Transcript, item: Item) -> dict[str, Path]:
    """VTT/SRT/TXT of the published transcript (redacted, speaker turns applied, voices by
    their shown name: lgnet.speakers), under .build/redatti/ (rewritten when changed)."""
    redacted = shown_voices(published_transcript(transcript, item), item)
    folder = project.build_dir / "redatti"
    out = {}
    for ext, render in (("vtt", render_vtt), ("srt", render_srt), ("txt", render_txt)):
        path = folder / f"{item.id}.{ext}"
        text = render(redacted)
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            atomic_write_text(path, text)
        out[ext] = path
    return out


def _chapters_track(project: Project, item: Item, duration: float) -> Path | None:
    """The item's WebVTT chapters track under .build/capitoli/ (rewritten when changed)."""
    if not item.chapters:
        return None
    path = project.build_dir / "capitoli" / chapters_file_name(item.id)
    text = render_chapters_vtt(item.chapters, duration, item.language)
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        atomic_write_text(path, text)
    return path


def publish_item_files(
    project: Project,
    archive: Archive,
    transcripts: dict[str, Transcript],
    audience: str,
    failures: dict[str, MediaError] | None = None,
) -> dict[str, PublishedMedia]:
    """A `PublishedMedia` for every item published for `audience`, and for no other.

    An item whose published copy cannot be made raises its MediaError, or, when `failures` is
    given, is left out and recorded there (a MediaToolError, the computer's fault, always
    raises)."""
    out: dict[str, PublishedMedia] = {}
    for item in sorted(archive.published(audience), key=lambda i: i.id):
        try:
            path = published_media(project, item)
        except MediaToolError:
            raise
        except MediaError as exc:
            if failures is None:
                raise
            failures[item.id] = exc
            continue
        info = probe(path)
        transcript = transcripts.get(item.id)
        captions: dict[str, Path | None] = {"vtt": None, "srt": None, "txt": None}
        if transcript is not None and voiced_captions(transcript, item):
            captions.update(_redacted_captions(project, transcript, item))
        elif transcript is not None:
            files = TranscriptFiles(project.transcripts, item.id)
            captions.update(vtt=files.vtt, srt=files.srt, txt=files.txt)
        poster = poster_frame(project, item, path) if info.has_video else None
        out[item.id] = PublishedMedia(
            item_id=item.id,
            media=path,
            mime=mime_type(path, info.has_video),
            is_video=info.has_video,
            poster=poster,
            duration=info.duration,
            vtt=captions["vtt"],
            srt=captions["srt"],
            txt=captions["txt"],
            thumbnail=thumbnail(poster) if poster is not None else None,
            chapters=_chapters_track(project, item, info.duration),
        )
    return out


WEB_COPY_FAILED = "copia per il web non riuscita"


def publish_media(
    project: Project, publication: Publication
) -> tuple[Publication, dict[str, PublishedMedia], list[str]]:
    """The published files of `publication`'s items, and the publication to build with.

    An item whose copy cannot be made is left out safely, when nothing else needs it: it is
    withheld (reason `WEB_COPY_FAILED`) in the returned publication, so no page, search entry,
    feed or file names it, and one warning line says which file failed, where, and what to
    do. When a hand-written page cites it (its evidence link would lead nowhere) the build
    stops instead (BuildError, one line per item). A half-written copy is never kept."""
    failures: dict[str, MediaError] = {}
    media = publish_item_files(
        project, publication.archive, publication.transcripts, publication.audience, failures
    )
    if not failures:
        return publication, media, []
    from lgnet.evidence import citations_by_item

    cited = citations_by_item(project)
    said: dict[str, str] = {}  # item id -> the failure, the media named as in its item file
    for item_id, exc in sorted(failures.items()):
        path = publication.archive.items[item_id].media_path(project)
        said[item_id] = str(exc).replace(str(path), project.rel(path))
    blocking = [
        Problem(
            f"archive/items/{item_id}.yml",
            f"{said[item_id]}; la registrazione non può essere esclusa dal sito perché la cita "
            + ", ".join(f"docs/{page}" for page, _ in cited[item_id]),
            "media",
        )
        for item_id in said
        if cited.get(item_id)
    ]
    if blocking:
        raise BuildError(
            f"{len(blocking)} registrazion{'e' if len(blocking) == 1 else 'i'} senza copia "
            "per il web",
            blocking,
        )
    warnings = [
        f"{message}; intanto la registrazione '{item_id}' è esclusa dal sito"
        for item_id, message in said.items()
    ]
    reasons = dict.fromkeys(failures, WEB_COPY_FAILED)
    return publication.without(reasons), media, warnings
