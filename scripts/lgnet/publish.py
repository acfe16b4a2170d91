"""The publish stage: which files of each published recording go on the site.

Only items published for the audience get a `PublishedMedia` record, and the site stage copies
nothing that is not named by one: this is the single gate between the archive and `site/`.
Items without redactions point at their original media and `transcripts/<id>.*`; items with
redactions point at copies under `.build/redatti/` (spans silenced, and blacked out where
asked, "[omissis]" in the captions), so the originals in the archive stay untouched.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lgnet.archive import Archive, Item
from lgnet.fsutil import atomic_write_text
from lgnet.media import poster_frame, probe
from lgnet.project import Project
from lgnet.redact import redact_transcript, redacted_media
from lgnet.transcripts import Transcript, TranscriptFiles, render_srt, render_txt, render_vtt

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

    @property
    def extension(self) -> str:
        return self.media.suffix.lower()

    def site_files(self) -> dict[str, Path]:
        """Name under `site/media/` -> file to copy there."""
        files = {f"{self.item_id}{self.extension}": self.media}
        if self.poster is not None:
            files[f"{self.item_id}.jpg"] = self.poster
        for ext, path in ((".vtt", self.vtt), (".srt", self.srt), (".txt", self.txt)):
            if path is not None:
                files[f"{self.item_id}{ext}"] = path
        return files


def mime_type(path: Path, is_video: bool) -> str:
    mime = _MIME.get(path.suffix.lower(), "video/mp4" if is_video else "audio/mpeg")
    if not is_video and mime.startswith("video/"):
        mime = "audio/" + mime.split("/", 1)[1]
    return mime


def _redacted_captions(project: Project, transcript: Transcript, item: Item) -> dict[str, Path]:
    """VTT/SRT/TXT of the redacted transcript, under .build/redatti/ (rewritten when changed)."""
    redacted = redact_transcript(transcript, item.redactions)
    folder = project.build_dir / "redatti"
    out = {}
    for ext, render in (("vtt", render_vtt), ("srt", render_srt), ("txt", render_txt)):
        path = folder / f"{item.id}.{ext}"
        text = render(redacted)
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            atomic_write_text(path, text)
        out[ext] = path
    return out


def publish_item_files(
    project: Project, archive: Archive, transcripts: dict[str, Transcript], audience: str
) -> dict[str, PublishedMedia]:
    """A `PublishedMedia` for every item published for `audience`, and for no other."""
    out: dict[str, PublishedMedia] = {}
    for item in sorted(archive.published(audience), key=lambda i: i.id):
        path = redacted_media(project, item)
        info = probe(path)
        transcript = transcripts.get(item.id)
        captions: dict[str, Path | None] = {"vtt": None, "srt": None, "txt": None}
        if transcript is not None and item.redactions:
            captions.update(_redacted_captions(project, transcript, item))
        elif transcript is not None:
            files = TranscriptFiles(project.transcripts, item.id)
            captions.update(vtt=files.vtt, srt=files.srt, txt=files.txt)
        out[item.id] = PublishedMedia(
            item_id=item.id,
            media=path,
            mime=mime_type(path, info.has_video),
            is_video=info.has_video,
            poster=poster_frame(project, item, path) if info.has_video else None,
            duration=info.duration,
            vtt=captions["vtt"],
            srt=captions["srt"],
            txt=captions["txt"],
        )
    return out
