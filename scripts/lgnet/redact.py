"""Redaction: remove a span of a recording everywhere it is published.

`redactions: [{start, end, reason, video}]` on an item becomes "[omissis]" in every text derived
from the transcript (captions, pages, search index) and silence — plus a black picture when
`video: true` — in the published media. The archive's original stays untouched. `suggest` finds
likely personal data in a transcript so an editor can copy it into `redactions`.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from lgnet.archive import Item, Redaction
from lgnet.errors import MediaError
from lgnet.fsutil import TMP_PREFIX, atomic_write_text, sha256_text
from lgnet.media import media_sha256, probe
from lgnet.project import Project
from lgnet.timecode import clock
from lgnet.transcripts import REDACTED, Segment, Transcript
from lgnet.webmedia import (
    PROGRESS_AFTER,
    WEB,
    MediaToolError,
    progress_report,
    publishable_copy,
    web_copy,
    web_plan,
)

# --- text ----------------------------------------------------------------------------------


def _overlaps(start: float, end: float, spans: list[Redaction]) -> bool:
    return any(end > r.start and start < r.end for r in spans)


def redact_segment(seg: Segment, spans: list[Redaction]) -> Segment:
    if not _overlaps(seg.start, seg.end, spans):
        return seg
    if not seg.words:
        # No word timings (e.g. a cue rewritten by a person): the whole cue goes.
        return replace(seg, text=REDACTED, words=[])
    parts: list[str] = []
    kept = []
    hiding = False
    for word in seg.words:
        if _overlaps(word.start, word.end, spans):
            if not hiding:
                parts.append(" " + REDACTED)
                kept.append(replace(word, word=" " + REDACTED, probability=1.0))
            else:
                kept[-1] = replace(kept[-1], end=word.end)
            hiding = True
        else:
            parts.append(word.word)
            kept.append(word)
            hiding = False
    return replace(seg, text="".join(parts).strip(), words=kept)


def redact_transcript(transcript: Transcript, spans: list[Redaction]) -> Transcript:
    if not spans:
        return transcript
    return replace(transcript, segments=[redact_segment(s, spans) for s in transcript.segments])


# --- media ---------------------------------------------------------------------------------


def audio_filter(spans: list[Redaction], offset: float = 0.0) -> str | None:
    """ffmpeg filter silencing the spans (times relative to a cut starting at `offset`).

    `aeval` evaluates its expression on every sample, at the sample's own time, so the
    silence starts and ends on the exact sample. (`volume=enable=...` decides once per decoded
    frame, 1024-4096 samples: a span starting inside a frame kept up to a tenth of a second of
    the voice it had to hide.) About 4 ms of CPU per second of stereo 48 kHz audio."""
    parts = [
        f"between(t,{max(r.start - offset, 0):.6f},{r.end - offset:.6f})"
        for r in spans
        if r.end > offset
    ]
    return f"aeval='if({'+'.join(parts)},0,val(ch))':c=same" if parts else None


def video_filter(spans: list[Redaction], offset: float = 0.0) -> str | None:
    parts = [
        f"between(t,{max(r.start - offset, 0):.3f},{r.end - offset:.3f})"
        for r in spans
        if r.video and r.end > offset
    ]
    if not parts:
        return None
    return f"drawbox=enable='{'+'.join(parts)}':x=0:y=0:w=iw:h=ih:color=black:t=fill"


PUBLISHED_DIR = "pubblicati"  # under .build/
# Part of every copy's cache key: change it when the way copies are made changes, and every
# copy is made again on the next build. (The web settings, lgnet.webmedia.WEB, are in the key too.)
PUBLISHED_VERSION = "2026-2 web copy, v+a, no metadata, aeval"
FAILED_SUFFIX = ".non-riuscita"  # beside where a copy would be: the message of its failure


def published_media(project: Project, item: Item, *, progress: bool = True) -> Path:
    """The media file to publish for `item`, redacted or not: a copy under
    `.build/pubblicati/` with one picture and one sound only, redaction spans silenced (and
    blacked out where asked), and no subtitles, chapters, attachments or metadata of the
    original.

    By default (`web: automatico`) it is the web copy (`lgnet.webmedia.web_copy`): H.264/AAC MP4
    at most 720p, or AAC .m4a for sound only, made in one pass with the redactions; streams
    that already fit are copied, not encoded (the demo's recordings: a fraction of a second).
    With `web: originale` the original's streams are kept as they are (only those a redaction
    changes are encoded), in the original's container.

    Cached by the original's sha256, the redactions, the web settings and `PUBLISHED_VERSION`:
    an unchanged item is never encoded again; older copies of the item are removed. A long
    encoding shows its progress on stderr (`progress=False`: never). On failure (MediaError)
    nothing is written."""
    source = item.media_path(project)
    info = probe(source)  # a truncated or corrupt original is refused here, with its own message
    afilter = audio_filter(item.redactions) if info.has_audio else None
    vfilter = video_filter(item.redactions) if info.has_video else None
    plan = None
    if item.web == "automatico":
        plan = web_plan(source, video_filter=bool(vfilter), audio_filter=bool(afilter))
    key = sha256_text(
        json.dumps(
            {
                "media": media_sha256(source),
                "redactions": [r.model_dump(mode="json") for r in item.redactions],
                "version": PUBLISHED_VERSION,
                "web": item.web,
                "plan": asdict(plan) if plan else None,
                "settings": asdict(WEB) if plan else None,
            },
            sort_keys=True,
        )
    )[:16]
    folder = project.build_dir / PUBLISHED_DIR
    suffix = plan.suffix if plan else source.suffix.lower()
    target = folder / f"{item.id}-{key}{suffix}"
    if target.is_file():
        return target
    # A copy that failed is not tried again for the same original and settings: a two-hour
    # recording broken near its end would otherwise cost half an hour on every build.
    failed = target.with_name(target.name + FAILED_SUFFIX)
    if failed.is_file():
        raise MediaError(failed.read_text(encoding="utf-8").strip())
    # Older copies of this item, and what a killed run left of one (`atomic_output` names).
    mine = re.compile(rf"(?:{re.escape(TMP_PREFIX)})?{re.escape(item.id)}-[0-9a-f]{{16}}\..+")
    for old in (folder, project.build_dir / "redatti"):  # redatti/: copies of older versions
        if old.is_dir():
            for stale in old.iterdir():
                if stale != target and stale.is_file() and mine.fullmatch(stale.name):
                    stale.unlink()
    try:
        if plan is None:
            publishable_copy(source, target, audio_filter=afilter, video_filter=vfilter)
        elif progress and plan.encodes and info.duration >= PROGRESS_AFTER:
            with progress_report(f"Copia per il web di {item.id}", info.duration) as advance:
                web_copy(
                    source, target, plan, audio_filter=afilter, video_filter=vfilter,
                    on_progress=advance,
                )  # fmt: skip
        else:
            web_copy(source, target, plan, audio_filter=afilter, video_filter=vfilter)
    except MediaToolError:
        raise  # this computer's fault (no encoder, disk full): worth trying again
    except MediaError as exc:
        atomic_write_text(failed, str(exc) + "\n")
        raise
    return target


# --- suggestions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    start: float
    end: float
    kind: str
    text: str

    def line(self) -> str:
        return f"{clock(self.start)}–{clock(self.end + 0.999)}  {self.kind:<22} «{self.text}»"

    def yaml(self) -> str:
        return f'  - {{start: {self.start:.1f}, end: {self.end:.1f}, reason: "{self.kind}"}}'


_D = r"[\s.\-/]?"
PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("indirizzo e-mail", re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")),
    (
        "indirizzo e-mail",
        re.compile(r"\b\w+(?: punto \w+)* chiocciola \w+(?: punto \w+)+\b", re.IGNORECASE),
    ),
    ("IBAN", re.compile(r"\bIT\s?\d{2}\s?[A-Z](?:\s?[0-9A-Z]){22}\b", re.IGNORECASE)),
    (
        "codice fiscale",
        re.compile(r"\b[A-Z]{6}\s?\d{2}[A-EHLMPRST]\d{2}\s?[A-Z]\d{3}[A-Z]\b", re.IGNORECASE),
    ),
    (
        "numero di telefono",
        re.compile(
            rf"(?<![\w+])(?:(?:\+|00)39{_D})?(?:3\d{{2}}{_D}\d{{3}}{_D}\d{{3,4}}|0\d{{1,3}}{_D}\d{{5,8}})\b"
        ),
    ),
    (
        "indirizzo",
        re.compile(
            r"\b(?:via|viale|piazza|piazzale|corso|largo|vicolo|vico|contrada|strada)"
            r"\s+(?:[A-ZÀ-Ý][\w'’]*|de[il]?|d[ae]lla|di|san|santa)"
            r"(?:\s+(?:[A-ZÀ-Ý][\w'’]*|de[il]?|d[ae]lla|di|san|santa)){0,3}(?:,?\s*(?:n\.?\s*)?\d+\w?)?",
        ),
    ),
]


def _word_spans(seg: Segment) -> list[tuple[int, int, float, float]]:
    """Character range in `seg.text` of each timed word."""
    spans = []
    cursor = 0
    text = seg.text
    for word in seg.words:
        token = word.word.strip()
        at = text.find(token, cursor) if token else -1
        if at < 0:
            continue
        spans.append((at, at + len(token), word.start, word.end))
        cursor = at + len(token)
    return spans


def _timed(seg: Segment, lo: int, hi: int) -> tuple[float, float]:
    covered = [(s, e) for a, b, s, e in _word_spans(seg) if b > lo and a < hi]
    if not covered:
        return seg.start, seg.end
    return min(s for s, _ in covered), max(e for _, e in covered)


def suggest(transcript: Transcript, item: Item) -> list[Suggestion]:
    """Likely personal data in the transcript, with the time span to redact."""
    names = [s.name for s in item.speakers if s.name and _looks_like_name(s.name)] + list(
        item.personal_data
    )
    patterns = list(PATTERNS)
    for name in dict.fromkeys(names):
        patterns.append(("nome", re.compile(rf"\b{re.escape(name)}\b", re.IGNORECASE)))
        for part in name.split():
            if len(part) >= 3 and part[0].isupper() and part != name:
                patterns.append(("nome", re.compile(rf"\b{re.escape(part)}\b")))
    found: dict[tuple[float, float, str], Suggestion] = {}
    for seg in transcript.segments:
        taken: list[tuple[int, int]] = []
        for kind, pattern in patterns:
            for match in pattern.finditer(seg.text):
                lo, hi = match.span()
                if any(lo < b and hi > a for a, b in taken):
                    continue  # already inside a more specific match (e.g. an IBAN's digits)
                taken.append((lo, hi))
                start, end = _timed(seg, lo, hi)
                found.setdefault((start, end, kind), Suggestion(start, end, kind, match.group(0)))
    already = [(r.start, r.end) for r in item.redactions]
    return sorted(
        (s for s in found.values() if not any(a <= s.start and s.end <= b for a, b in already)),
        key=lambda s: (s.start, s.kind),
    )


def _looks_like_name(text: str) -> bool:
    words = text.split()
    return 1 <= len(words) <= 4 and all(w[:1].isupper() for w in words)
