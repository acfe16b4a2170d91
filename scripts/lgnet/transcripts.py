"""Transcripts as plain data, and their files: `<id>.json` (the source of truth), `.vtt`,
`.srt` and `.txt`.

Each segment is `reviewed` once a person corrected or confirmed it; the transcript's status is
derived from them (`revisionato` only when every segment is). A transcript is *curated* when a
person reviewed any segment, when an import of their edits is on record
(`provenance.revisions`), or when they edited its VTT or SRT (the file's hash no longer matches
the one recorded when it was written). Curated transcripts are never overwritten by a new
transcription; `lgnet.corrections` reads a person's edits back into the JSON, SRT and TXT.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from lgnet.errors import TranscriptError
from lgnet.fsutil import atomic_write_text, remove_stale_temporaries, sha256_text
from lgnet.timecode import srt_time, vtt_time

Status = Literal["automatico", "revisionato"]
# `provenance.method` of a transcript whose text is a known script (the demo narrations)
# aligned to the audio by `lgnet.align`: the words are right but no person reviewed them, so
# its status stays `automatico`; it is protected like a curated one (`narration_aligned`).
NARRATION_ALIGNED = "allineamento-narrazione"
STATUS_LABELS = {
    "automatico": "Trascrizione automatica, non ancora revisionata",
    "revisionato": "Trascrizione revisionata da una persona",
    NARRATION_ALIGNED: "Testo della narrazione sintetica allineato all'audio",
}
REDACTED = "[omissis]"


def narration_aligned(transcript: Transcript) -> bool:
    """The transcript is a narration's script aligned to its audio (not recognised, not yet
    reviewed by a person): a new transcription must not replace it."""
    return (
        transcript.provenance.get("method") == NARRATION_ALIGNED
        and transcript.status == "automatico"
    )


def status_label(transcript: Transcript) -> str:
    """What the site says of how the transcript was made (`STATUS_LABELS`)."""
    key = NARRATION_ALIGNED if narration_aligned(transcript) else transcript.status
    return STATUS_LABELS[key]


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
    reviewed: bool = False  # a person corrected or confirmed this sentence


def derived_status(segments: list[Segment]) -> Status:
    """`revisionato` only when every segment is reviewed (and there is at least one)."""
    return "revisionato" if segments and all(s.reviewed for s in segments) else "automatico"


@dataclass(init=False)
class Transcript:
    """A transcript; its `status` is derived from the segments' `reviewed` flags, never set.

    The constructor still takes a `status` (the JSON's, and older callers'): `revisionato`
    given for segments none of which is flagged is read as "a person reviewed all of it", as
    a transcript marked `revisionato` before segments had their own flag meant; otherwise the
    argument is ignored.
    """

    id: str
    language: str
    duration: float
    provenance: dict[str, Any]
    segments: list[Segment]
    vtt_sha256: str | None = None  # hash of the VTT as written by us: a mismatch means edited
    srt_sha256: str | None = None  # the same for the SRT

    def __init__(
        self,
        id: str,
        language: str,
        duration: float,
        status: Status | str | None = None,
        provenance: dict[str, Any] | None = None,
        segments: list[Segment] | None = None,
        vtt_sha256: str | None = None,
        srt_sha256: str | None = None,
    ) -> None:
        segments = list(segments or [])
        if status == "revisionato" and not any(s.reviewed for s in segments):
            segments = [replace(s, reviewed=True) for s in segments]
        self.id = id
        self.language = language
        self.duration = duration
        self.provenance = provenance if provenance is not None else {}
        self.segments = segments
        self.vtt_sha256 = vtt_sha256
        self.srt_sha256 = srt_sha256

    @property
    def status(self) -> Status:
        return derived_status(self.segments)

    @property
    def reviewed_count(self) -> int:
        return sum(1 for s in self.segments if s.reviewed)

    @property
    def revisions(self) -> list[dict[str, Any]]:
        """The record of a person's edits imported into this transcript (`provenance.revisions`,
        written by `lgnet.corrections`; automatic fixes are recorded elsewhere)."""
        found = self.provenance.get("revisions")
        return list(found) if isinstance(found, list) else []

    @property
    def holds_person_work(self) -> bool:
        """A person reviewed a sentence or edited the transcript: a new transcription must
        never replace it silently (a deleted cue leaves no reviewed sentence behind, hence
        the record of edits too)."""
        return any(s.reviewed for s in self.segments) or bool(self.revisions)

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.segments).strip()

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "language": self.language}
        data |= {"duration": self.duration}
        data |= {"status": self.status, **asdict(self)}
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
                reviewed=bool(s.get("reviewed", False)),
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

    An item with a marker gets its JSON removed unless curated (or aligned to a narration,
    `narration_aligned`), so it is transcribed again;
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
                kept = read_transcript(files.json)
                keep = kept.holds_person_work or narration_aligned(kept)
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
