"""Transcripts as plain data, and their files: `<id>.json` (the source of truth), `.vtt`,
`.srt` and `.txt`.

A transcript is *curated* when its status is `revisionato` or when a person edited its VTT or
SRT (the file's hash no longer matches the one recorded when it was written). Curated
transcripts are never overwritten by a new transcription; `lgnet.corrections` reads a person's
edits back into the JSON, SRT and TXT.
"""

from __future__ import annotations

import json
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
    srt_sha256: str | None = None  # the same for the SRT

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
            srt_sha256=data.get("srt_sha256"),
        )


# --- rendering -----------------------------------------------------------------------------


def _escape(text: str) -> str:
    # Caption text is data: escape what WebVTT would read as markup.
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("-->", "--&gt;")


def render_vtt(transcript: Transcript) -> str:
    """WebVTT captions cut to subtitle norms (`lgnet.captions`), a `<v Name>` voice per cue."""
    from lgnet.captions import transcript_cues

    lines = ["WEBVTT", f"Language: {transcript.language}", ""]
    for n, cue in enumerate(transcript_cues(transcript), start=1):
        body = [_escape(line) for line in cue.unlabelled()]
        if cue.speaker:
            body[0] = f"<v {_escape(cue.speaker)}>{body[0]}"
        lines += [str(n), f"{vtt_time(cue.start)} --> {vtt_time(cue.end)}", *body, ""]
    return "\n".join(lines)


def render_srt(transcript: Transcript) -> str:
    """SRT captions, the same cues as the WebVTT; the speaker named at the start of a turn."""
    from lgnet.captions import transcript_cues

    lines = []
    for n, cue in enumerate(transcript_cues(transcript), start=1):
        lines += [str(n), f"{srt_time(cue.start)} --> {srt_time(cue.end)}", *cue.lines, ""]
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


def _stamp_hashes(transcript: Transcript) -> tuple[str, str]:
    """The VTT and SRT as they will be written; their hashes go into the transcript."""
    vtt, srt = render_vtt(transcript), render_srt(transcript)
    transcript.vtt_sha256 = sha256_text(vtt)
    transcript.srt_sha256 = sha256_text(srt)
    return vtt, srt


def write_transcript(folder: Path, transcript: Transcript) -> TranscriptFiles:
    """Write the four files; each is atomic, and a marker covers the moment in between."""
    files = TranscriptFiles(folder, transcript.id)
    vtt, srt = _stamp_hashes(transcript)
    folder.mkdir(parents=True, exist_ok=True)
    atomic_write_text(files.pending, "")
    atomic_write_text(files.vtt, vtt)
    atomic_write_text(files.srt, srt)
    atomic_write_text(files.txt, render_txt(transcript))
    atomic_write_text(files.json, render_json(transcript))
    files.pending.unlink()
    return files


def write_revision(folder: Path, transcript: Transcript) -> TranscriptFiles:
    """Write a transcript that holds a person's edit: its JSON first, then all four files.

    `transcript` must still carry the hashes of the files on disk, so that if the run is
    killed before the files are regenerated the edited file still differs from its recorded
    hash (and is imported again, with the same result) while the untouched ones still match.
    Killed later, the marker is in place and `recover_interrupted` regenerates the files
    from this curated JSON.
    """
    folder.mkdir(parents=True, exist_ok=True)
    atomic_write_text(TranscriptFiles(folder, transcript.id).json, render_json(transcript))
    return write_transcript(folder, transcript)


def recover_interrupted(folder: Path) -> list[str]:
    """Clean what a killed run left: temporaries, and markers of half-replaced file sets.

    An item with a marker gets its JSON removed unless curated, so it is transcribed again;
    a curated JSON (it may hold a person's edit, see `write_revision`) is kept and the other
    files are regenerated from it.
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


def captions_outdated(files: TranscriptFiles, transcript: Transcript) -> bool:
    """True when the caption files on disk are not what the current rules make of the JSON.

    Only meaningful for files nobody edited (see `lgnet.corrections.edited`): then they can be
    rendered again without losing anything.
    """
    try:
        vtt = files.vtt.read_text(encoding="utf-8")
        srt = files.srt.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return True
    return vtt != render_vtt(transcript) or srt != render_srt(transcript)
