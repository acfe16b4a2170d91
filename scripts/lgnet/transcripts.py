"""Transcripts as plain data, and their files: `<id>.json` (the source of truth), `.vtt`,
`.srt` and `.txt`.

A transcript is *curated* when its status is `revisionato` or when a person edited its VTT
(the VTT's hash no longer matches the one recorded when it was written). Curated transcripts
are never overwritten by a new transcription; VTT edits flow back into the JSON, SRT and TXT.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from lgnet.errors import TranscriptError
from lgnet.fsutil import atomic_write_text, remove_stale_temporaries, sha256_text
from lgnet.timecode import srt_time, vtt_time

Status = Literal["automatico", "revisionato"]
STATUS_LABELS = {
    "automatico": "Trascrizione automatica, non ancora revisionata",
    "revisionato": "Trascrizione revisionata da una persona",
}
REDACTED = "[omissis]"


@dataclass
class Word:
    start: float
    end: float
    word: str
    probability: float = 1.0


@dataclass
class Segment:
    start: float
    end: float
    text: str
    speaker: str | None = None
    words: list[Word] = field(default_factory=list)


@dataclass
class Transcript:
    id: str
    language: str
    duration: float
    status: Status
    provenance: dict[str, Any]
    segments: list[Segment]
    vtt_sha256: str | None = None  # hash of the VTT as written by us: a mismatch means edited

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.segments).strip()

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for seg in data["segments"]:
            seg["start"] = round(seg["start"], 3)
            seg["end"] = round(seg["end"], 3)
            for w in seg["words"]:
                w["start"] = round(w["start"], 3)
                w["end"] = round(w["end"], 3)
                w["probability"] = round(w["probability"], 4)
        data["duration"] = round(self.duration, 3)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Transcript:
        segments = [
            Segment(
                start=float(s["start"]),
                end=float(s["end"]),
                text=str(s["text"]),
                speaker=s.get("speaker"),
                words=[Word(**w) for w in s.get("words") or []],
            )
            for s in data["segments"]
        ]
        status = data.get("status", "automatico")
        if status not in ("automatico", "revisionato"):
            raise ValueError(f"stato sconosciuto {status!r} (ammessi: automatico, revisionato)")
        return cls(
            id=str(data["id"]),
            language=str(data.get("language", "it")),
            duration=float(data.get("duration", 0.0)),
            status=status,
            provenance=dict(data.get("provenance") or {}),
            segments=segments,
            vtt_sha256=data.get("vtt_sha256"),
        )


# --- rendering -----------------------------------------------------------------------------


def _cue_text(seg: Segment) -> str:
    text = seg.text.strip()
    # Caption text is data: escape what WebVTT would read as markup.
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace("-->", "--&gt;")
    if seg.speaker:
        speaker = seg.speaker.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return f"<v {speaker}>{text}"
    return text


def render_vtt(transcript: Transcript) -> str:
    lines = ["WEBVTT", f"Language: {transcript.language}", ""]
    for n, seg in enumerate(transcript.segments, start=1):
        lines += [str(n), f"{vtt_time(seg.start)} --> {vtt_time(seg.end)}", _cue_text(seg), ""]
    return "\n".join(lines)


def render_srt(transcript: Transcript) -> str:
    lines = []
    for n, seg in enumerate(transcript.segments, start=1):
        text = f"{seg.speaker}: {seg.text.strip()}" if seg.speaker else seg.text.strip()
        lines += [str(n), f"{srt_time(seg.start)} --> {srt_time(seg.end)}", text, ""]
    return "\n".join(lines)


def render_txt(transcript: Transcript) -> str:
    out = []
    for seg in transcript.segments:
        prefix = f"[{vtt_time(seg.start)[:8]}] "
        speaker = f"{seg.speaker}: " if seg.speaker else ""
        out.append(prefix + speaker + seg.text.strip())
    return "\n".join(out) + ("\n" if out else "")


def render_json(transcript: Transcript) -> str:
    return json.dumps(transcript.to_json(), ensure_ascii=False, indent=1) + "\n"


# --- VTT parsing (for corrections made in a subtitle editor) ---------------------------------

_TIMING = re.compile(
    r"^\s*((?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})\s*-->\s*((?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})"
)
_VOICE = re.compile(r"^<v(?:\.[^ >]*)?\s+([^>]*)>")
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def _vtt_seconds(text: str) -> float:
    parts = text.replace(",", ".").split(":")
    seconds = float(parts[-1]) + int(parts[-2]) * 60
    if len(parts) == 3:
        seconds += int(parts[0]) * 3600
    return seconds


def _unescape(text: str) -> str:
    return (
        text.replace("&lt;", "<").replace("&gt;", ">").replace("&nbsp;", " ").replace("&amp;", "&")
    )


def parse_vtt(text: str, source: str = "VTT") -> list[Segment]:
    """Cues of a WebVTT file as segments (speaker from a `<v Name>` voice tag)."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.startswith("WEBVTT"):
        raise TranscriptError(f"{source}: non è un file WebVTT (la prima riga deve essere WEBVTT)")
    segments: list[Segment] = []
    for block in re.split(r"\n\s*\n", text):
        lines = [line for line in block.split("\n") if line.strip()]
        timing_at = next((i for i, line in enumerate(lines) if _TIMING.match(line)), None)
        if timing_at is None:
            continue  # header, NOTE, STYLE or REGION block
        match = _TIMING.match(lines[timing_at])
        assert match is not None
        body = " ".join(lines[timing_at + 1 :]).strip()
        speaker = None
        voice = _VOICE.match(body)
        if voice:
            speaker = _unescape(voice.group(1).strip()) or None
        body = _unescape(_TAG.sub("", body)).strip()
        start, end = _vtt_seconds(match.group(1)), _vtt_seconds(match.group(2))
        if end < start:
            raise TranscriptError(
                f"{source}: sottotitolo {match.group(0).strip()} finisce prima di iniziare; "
                "correggere i tempi"
            )
        segments.append(Segment(start=start, end=end, text=body, speaker=speaker))
    return segments


# --- files ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TranscriptFiles:
    folder: Path
    id: str

    @property
    def json(self) -> Path:
        return self.folder / f"{self.id}.json"

    @property
    def vtt(self) -> Path:
        return self.folder / f"{self.id}.vtt"

    @property
    def srt(self) -> Path:
        return self.folder / f"{self.id}.srt"

    @property
    def txt(self) -> Path:
        return self.folder / f"{self.id}.txt"

    @property
    def pending(self) -> Path:
        """Present only while the four files are being replaced together."""
        return self.folder / f".{self.id}.pending"


def read_transcript(path: Path) -> Transcript:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Transcript.from_json(data)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise TranscriptError(
            f"{path}: trascrizione illeggibile ({exc}); ripristinarla da git o cancellarla e "
            "rilanciare 'lgnet transcribe'"
        ) from None


def write_transcript(folder: Path, transcript: Transcript) -> TranscriptFiles:
    """Write the four files; each is atomic, and a marker covers the moment in between."""
    files = TranscriptFiles(folder, transcript.id)
    vtt = render_vtt(transcript)
    transcript.vtt_sha256 = sha256_text(vtt)
    folder.mkdir(parents=True, exist_ok=True)
    atomic_write_text(files.pending, "")
    atomic_write_text(files.vtt, vtt)
    atomic_write_text(files.srt, render_srt(transcript))
    atomic_write_text(files.txt, render_txt(transcript))
    atomic_write_text(files.json, render_json(transcript))
    files.pending.unlink()
    return files


def vtt_edited(files: TranscriptFiles, transcript: Transcript) -> bool:
    """True when a person changed the VTT since we wrote it."""
    if files.pending.exists() or not files.vtt.exists() or transcript.vtt_sha256 is None:
        return False
    return sha256_text(files.vtt.read_text(encoding="utf-8")) != transcript.vtt_sha256


def is_curated(files: TranscriptFiles, transcript: Transcript) -> bool:
    return transcript.status == "revisionato" or vtt_edited(files, transcript)


def merge_vtt_corrections(transcript: Transcript, corrected: list[Segment]) -> Transcript:
    """The transcript with the VTT's cues; word timings survive where a cue is unchanged."""
    by_key = {(round(s.start, 2), round(s.end, 2), s.text.strip()): s for s in transcript.segments}
    merged = []
    for cue in corrected:
        old = by_key.get((round(cue.start, 2), round(cue.end, 2), cue.text.strip()))
        merged.append(
            Segment(
                start=cue.start,
                end=cue.end,
                text=cue.text,
                speaker=cue.speaker if cue.speaker else (old.speaker if old else None),
                words=list(old.words) if old else [],
            )
        )
    return Transcript(
        id=transcript.id,
        language=transcript.language,
        duration=transcript.duration,
        status="revisionato",
        provenance=transcript.provenance,
        segments=merged,
    )


def sync_vtt_corrections(folder: Path, item_id: str) -> bool:
    """Carry a person's VTT edits into JSON/SRT/TXT. Returns True when something changed."""
    files = TranscriptFiles(folder, item_id)
    if not files.json.exists():
        return False
    transcript = read_transcript(files.json)
    if not vtt_edited(files, transcript):
        return False
    corrected = parse_vtt(files.vtt.read_text(encoding="utf-8"), source=str(files.vtt))
    write_transcript(folder, merge_vtt_corrections(transcript, corrected))
    return True


def recover_interrupted(folder: Path) -> list[str]:
    """Clean what a killed run left: temporaries, and markers of half-replaced file sets.

    An item with a marker gets its JSON removed unless curated, so it is transcribed again.
    """
    remove_stale_temporaries(folder)
    redo = []
    for marker in folder.glob(".*.pending"):
        item_id = marker.name[1 : -len(".pending")]
        files = TranscriptFiles(folder, item_id)
        if files.json.exists():
            try:
                keep = read_transcript(files.json).status == "revisionato"
            except TranscriptError:
                keep = False
            if keep:
                # Curated JSON is authoritative: re-derive the other files from it.
                write_transcript(folder, read_transcript(files.json))
                continue
            files.json.unlink()
        marker.unlink()
        redo.append(item_id)
    return redo


def load_transcripts(folder: Path, ids: list[str]) -> dict[str, Transcript]:
    out = {}
    for item_id in ids:
        path = TranscriptFiles(folder, item_id).json
        if path.exists():
            out[item_id] = read_transcript(path)
    return out
