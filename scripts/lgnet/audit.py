"""The leak audit: after a build, prove that nothing of an unpublished item reached the site.

It scans every output file — pages, search indexes (ours and Material's), sitemap, captions,
media — for the ids, titles, transcript sentences and media hashes of the items outside the
audience, and for the words inside redacted spans of the published ones. Media files are
opened too (`audit_media_file`): their streams, tags and subtitle text. Any hit fails the
build: a static site cannot be taken back from every copy once it is out.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

from lgnet.archive import Archive
from lgnet.errors import BuildError, MediaError, Problem
from lgnet.fsutil import sha256_file
from lgnet.media import media_facts, media_sha256
from lgnet.project import Project
from lgnet.redact import redact_transcript
from lgnet.transcripts import Transcript
from lgnet.webmedia import ALLOWED_FORMAT_TAGS, ALLOWED_STREAM_TAGS

TEXT_SUFFIXES = {
    ".html", ".js", ".json", ".xml", ".txt", ".vtt", ".srt", ".css", ".md", ".csv", ".bib", ".ris",
}  # fmt: skip
MEDIA_SUFFIXES = {
    ".mp4", ".m4a", ".m4v", ".mov", ".mp3", ".aac", ".webm", ".mkv", ".mka", ".ogg", ".oga",
    ".ogv", ".opus", ".wav", ".flac", ".jpg", ".jpeg", ".png", ".webp", ".gif",
}  # fmt: skip
# First bytes of media files, for those whose name does not say what they are.
_MAGIC = (
    (b"ftyp", 4), (b"\x1aE\xdf\xa3", 0), (b"ID3", 0), (b"OggS", 0), (b"RIFF", 0),
    (b"fLaC", 0), (b"\xff\xd8\xff", 0), (b"\x89PNG", 0), (b"\xff\xfb", 0), (b"\xff\xf3", 0),
    (b"\xff\xf1", 0), (b"GIF8", 0),
)  # fmt: skip
_TAG = re.compile(r"<[^>]+>")
_UNICODE_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
MIN_SENTENCE_CHARS = 24  # shorter passages are too likely to occur by chance


@dataclass(frozen=True)
class Secret:
    """Something that must not appear in the output, and whose it is."""

    item_id: str
    what: str  # Italian label: "identificativo", "titolo", "frase della trascrizione", …
    needle: str


def _escaped_char(match: re.Match[str]) -> str:
    return chr(int(match.group(1), 16))


def normalise(text: str) -> str:
    """Lower case, entities and \\uXXXX escapes decoded, tags dropped, spaces folded."""
    # Each step runs only where it can change something: this runs on every file of the site.
    if "\\u" in text:
        text = _UNICODE_ESCAPE.sub(_escaped_char, text)
    text = html.unescape(text)
    if "<" in text:
        text = _TAG.sub(" ", text)
    text = html.unescape(text)  # again: "&amp;lt;" is "<" as a reader of the page sees it
    if "\\" in text:
        text = text.replace("\\n", " ").replace('\\"', '"').replace("\\/", "/")
    # str.split() and the regex \s both split on str.isspace() characters; split is faster.
    return " ".join(text.split()).lower()


def _sentences(transcript: Transcript) -> list[str]:
    out = []
    for seg in transcript.segments:
        text = normalise(seg.text)
        if len(text) >= MIN_SENTENCE_CHARS:
            out.append(text)
    return out


def secrets_for(
    archive: Archive, transcripts: dict[str, Transcript], audience: str
) -> tuple[list[Secret], list[str]]:
    """Strings that must be absent from a build for `audience`, and the unpublished ids."""
    secrets: list[Secret] = []
    unpublished: list[str] = []
    published = {i.id for i in archive.published(audience)}
    for item in archive.items.values():
        transcript = transcripts.get(item.id)
        if item.id not in published:
            if len(item.id) >= 6 or "-" in item.id:
                secrets.append(Secret(item.id, "identificativo", item.id))
            if len(item.title) >= 8:
                secrets.append(Secret(item.id, "titolo", normalise(item.title)))
            if len(item.description) >= MIN_SENTENCE_CHARS:
                secrets.append(Secret(item.id, "descrizione", normalise(item.description)[:80]))
            # (chapter titles are not looked for: "Tre ambiti di azione" is the site's own words)
            for chapter in item.chapters:
                if len(chapter.synopsis) >= MIN_SENTENCE_CHARS:
                    synopsis = normalise(chapter.synopsis)[:80]
                    secrets.append(Secret(item.id, "sintesi di capitolo", synopsis))
            if transcript:
                secrets += [
                    Secret(item.id, "frase della trascrizione", s) for s in _sentences(transcript)
                ]
            unpublished.append(item.id)
        elif transcript and item.redactions:
            for red in item.redactions:
                words = [
                    w.word.strip()
                    for seg in transcript.segments
                    for w in seg.words
                    if w.end > red.start and w.start < red.end
                ]
                said = normalise(" ".join(words))
                if len(said) >= 8:
                    secrets.append(Secret(item.id, f"testo omesso ({red.reason})", said))
    # Text that a published item legitimately shows (shared boilerplate, a sentence said in
    # two recordings) cannot be a leak: keep only what is unique to the unpublished side.
    public = "\n".join(_published_texts(archive, transcripts, audience))
    return [s for s in secrets if s.what == "identificativo" or s.needle not in public], unpublished


def _published_texts(
    archive: Archive, transcripts: dict[str, Transcript], audience: str
) -> list[str]:
    texts = []
    for item in archive.published(audience):
        texts += [normalise(item.title), normalise(item.description)]
        texts += [normalise(f"{c.title} {c.synopsis}") for c in item.chapters]
        transcript = transcripts.get(item.id)
        if transcript:
            texts += [
                normalise(s.text) for s in redact_transcript(transcript, item.redactions).segments
            ]
    return texts


def is_media(path: Path) -> bool:
    """A media file, by its name or, when the name says nothing, by its first bytes."""
    suffix = path.suffix.lower()
    if suffix in MEDIA_SUFFIXES:
        return True
    if suffix in TEXT_SUFFIXES:
        return False
    try:
        with path.open("rb") as handle:
            head = handle.read(12)
    except OSError:
        return False
    return any(head[at : at + len(magic)] == magic for magic, at in _MAGIC)


def _secrets_in(text: str, secrets: list[Secret]) -> list[str]:
    """What of `secrets` occurs in `text` (any case, entities and tags as in pages)."""
    content = normalise(text)
    found = []
    for secret in secrets:
        if secret.what == "identificativo":
            if re.search(rf"(?<![a-z0-9-]){re.escape(secret.needle)}(?![a-z0-9-])", content):
                found.append(f"l'identificativo di '{secret.item_id}'")
        elif secret.needle in content:
            found.append(f"{secret.what} di '{secret.item_id}' «{secret.needle[:50]}»")
    return found


def audit_media_file(path: Path, secrets: list[Secret], name: str | None = None) -> list[Problem]:
    """What a published media file must not carry: more than one picture and one sound, any
    subtitle, data or attachment stream or closed captions, chapters, any tag outside
    `lgnet.media.ALLOWED_*_TAGS`, and any of `secrets` in its tags or subtitle text.

    `name` is how the file is named in the problems (default: the path)."""
    where = name or str(path)
    try:
        facts = media_facts(path)
    except MediaError as exc:
        return [Problem(where, f"impossibile controllare il file multimediale ({exc})")]
    problems: list[str] = []
    streams = facts.get("streams", [])
    kinds = [str(s.get("codec_type")) for s in streams]
    for kind in ("video", "audio"):
        if kinds.count(kind) > 1:
            problems.append(
                f"contiene {kinds.count(kind)} tracce {kind}: se ne pubblica una sola; "
                "ricostruire il sito con 'lgnet build'"
            )
    texts: list[tuple[str, str]] = []  # (where in the file, text)
    for stream in streams:
        index = stream.get("index")
        kind = str(stream.get("codec_type"))
        label = f"traccia {index}"
        if kind not in ("video", "audio"):
            codec = stream.get("codec_name") or stream.get("codec_tag_string") or "?"
            problems.append(f"contiene una {label} di tipo {kind} ({codec}) da non pubblicare")
        if stream.get("closed_captions"):
            problems.append(f"la {label} contiene sottotitoli nascosti nel video (closed caption)")
        tags = {str(k): str(v) for k, v in (stream.get("tags") or {}).items()}
        problems += _tag_problems(tags, ALLOWED_STREAM_TAGS, f"la {label}")
        texts += [(f"nel metadato '{k}' della {label}", f"{k} {v}") for k, v in tags.items()]
        subtitle = facts.get("subtitle_text", {}).get(str(index))
        if subtitle:
            texts.append((f"nei sottotitoli della {label}", subtitle))
    tags = {str(k): str(v) for k, v in (facts.get("format", {}).get("tags") or {}).items()}
    problems += _tag_problems(tags, ALLOWED_FORMAT_TAGS, "il file")
    texts += [(f"nel metadato '{k}'", f"{k} {v}") for k, v in tags.items()]
    if facts.get("chapters"):
        problems.append(f"contiene capitoli ({len(facts['chapters'])}) con i loro titoli")
        texts += [
            ("nei titoli dei capitoli", str((c.get("tags") or {}).get("title", "")))
            for c in facts["chapters"]
        ]
    for place, text in texts:
        problems += [f"contiene {what} {place}" for what in _secrets_in(text, secrets)]
    return [Problem(where, message) for message in problems]


def _tag_problems(
    tags: dict[str, str], allowed: dict[str, re.Pattern[str]], whose: str
) -> list[str]:
    out = []
    for key, value in tags.items():
        pattern = allowed.get(key)
        if pattern is None or not pattern.fullmatch(value):
            out.append(
                f"{whose} ha il metadato '{key}' = «{value[:40]}»: i file pubblicati non "
                "devono avere metadati; ricostruire il sito con 'lgnet build'"
            )
    return out


def audit_site(
    project: Project,
    archive: Archive,
    transcripts: dict[str, Transcript],
    audience: str,
    site: Path,
    *,
    media: bool = True,
) -> list[Problem]:
    """Every leak found in `site`, one problem each (file, what leaked, whose). With `media`
    (the default) every media file is also opened: see `audit_media_file`."""
    secrets, unpublished = secrets_for(archive, transcripts, audience)
    forbidden_hashes: dict[str, str] = {}
    forbidden_sizes: set[int] = set()  # a copy has the same size: hash only files that do
    for item_id in unpublished:
        path = archive.items[item_id].media_path(project)
        if path.is_file():
            forbidden_hashes[media_sha256(path)] = item_id
            forbidden_sizes.add(path.stat().st_size)
    id_patterns = [
        (s, re.compile(rf"(?<![a-z0-9-]){re.escape(s.needle)}(?![a-z0-9-])"))
        for s in secrets
        if s.what == "identificativo"
    ]
    texts = [s for s in secrets if s.what != "identificativo"]
    problems: list[Problem] = []
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        size = path.stat().st_size
        if size in forbidden_sizes and size > 1024:
            owner = forbidden_hashes.get(sha256_file(path))
            if owner:
                problems.append(
                    Problem(
                        project.rel(path),
                        f"contiene il file multimediale di '{owner}', non pubblicabile",
                    )
                )
                continue
        if path.suffix.lower() not in TEXT_SUFFIXES:
            if media and is_media(path):
                problems += audit_media_file(path, secrets, name=project.rel(path))
            continue
        raw = path.read_text(encoding="utf-8", errors="replace")
        content = normalise(raw)
        lowered = raw.lower()
        found: list[str] = []
        for secret, pattern in id_patterns:
            if secret.needle not in lowered and secret.needle not in content:
                continue  # the cheap test first: the bounded regex only confirms a hit
            if pattern.search(lowered) or pattern.search(content):
                found.append(f"contiene l'identificativo di '{secret.item_id}', non pubblicabile")
        for secret in texts:
            if secret.needle in content:
                found.append(
                    f"contiene {secret.what} di '{secret.item_id}': «{secret.needle[:50]}»"
                )
        if found:
            rel = project.rel(path)
            problems += [Problem(rel, message) for message in found]
    return problems


def enforce(
    project: Project,
    archive: Archive,
    transcripts: dict[str, Transcript],
    audience: str,
    site: Path,
) -> None:
    problems = audit_site(project, archive, transcripts, audience, site)
    if problems:
        raise BuildError(
            f"controllo delle fughe: {len(problems)} contenuti non pubblicabili nel sito", problems
        )
