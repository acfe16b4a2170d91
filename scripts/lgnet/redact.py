"""Redaction: remove a span of a recording everywhere it is published.

`redactions: [{start, end, reason, video}]` on an item becomes "[omissis]" in every text derived
from the transcript (captions, pages, search index) and silence — plus a black picture when
`video: true` — in the published media. The archive's original stays untouched. `suggest` finds
likely personal data in a transcript so an editor can copy it into `redactions`.
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass, replace
from pathlib import Path

from lgnet.archive import Item, Redaction
from lgnet.errors import MediaError
from lgnet.fsutil import atomic_output, sha256_text
from lgnet.media import audio_codec_args, ffmpeg_binary, last_error_line, media_sha256, probe
from lgnet.project import Project
from lgnet.timecode import clock
from lgnet.transcripts import REDACTED, Segment, Transcript

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
    """ffmpeg filter silencing the spans (times relative to a cut starting at `offset`)."""
    if not spans:
        return None
    parts = [
        f"between(t,{max(r.start - offset, 0):.3f},{r.end - offset:.3f})"
        for r in spans
        if r.end > offset
    ]
    return f"volume=enable='{'+'.join(parts)}':volume=0" if parts else None


def video_filter(spans: list[Redaction], offset: float = 0.0) -> str | None:
    parts = [
        f"between(t,{max(r.start - offset, 0):.3f},{r.end - offset:.3f})"
        for r in spans
        if r.video and r.end > offset
    ]
    if not parts:
        return None
    return f"drawbox=enable='{'+'.join(parts)}':x=0:y=0:w=iw:h=ih:color=black:t=fill"


def redacted_media(project: Project, item: Item) -> Path:
    """The media to publish: the original, or a redacted copy cached under .build/."""
    source = item.media_path(project)
    if not item.redactions:
        return source
    info = probe(source)
    key = sha256_text(
        media_sha256(source) + json.dumps([r.model_dump() for r in item.redactions], sort_keys=True)
    )[:16]
    target = project.build_dir / "redatti" / f"{item.id}-{key}{source.suffix.lower()}"
    if target.exists():
        return target
    for stale in target.parent.glob(f"{item.id}-*"):
        stale.unlink()
    args = [ffmpeg_binary(), "-hide_banner", "-loglevel", "error", "-y", "-i", str(source)]
    afilter = audio_filter(item.redactions)
    vfilter = video_filter(item.redactions) if info.has_video else None
    if afilter:
        args += ["-af", afilter]
    if info.has_video:
        args += (
            ["-vf", vfilter, "-c:v", "libx264", "-preset", "veryfast", "-crf", "26"]
            if vfilter
            else ["-c:v", "copy"]
        )
    args += audio_codec_args(source.suffix)
    with atomic_output(target) as tmp:
        proc = subprocess.run([*args, str(tmp)], capture_output=True, check=False)
        if proc.returncode != 0:
            raise MediaError(
                f"{source}: impossibile applicare gli omissis ({last_error_line(proc.stderr)})"
            )
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
    names = [s.name for s in item.speakers if _looks_like_name(s.name)] + list(item.personal_data)
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
