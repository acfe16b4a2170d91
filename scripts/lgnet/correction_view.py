"""The correction view of `lgnet serve`: a transcript corrected in the browser, cue by cue.

Served under `/_correzione/` by the local preview only (`lgnet.serve`), from the package's
templates and assets: nothing of it is ever written into a built site. It shows the
recording (the archive's own media file) beside the cues of `transcripts/<id>.vtt`, and saves
a person's work by writing that file and importing it with `lgnet.corrections` exactly as a
file edited in a subtitle editor: the same reader, the same backups, the same merge; the
sentences whose words changed are timed on the audio again, and the cues a person confirmed
mark their sentences reviewed. The page shows and offers the voices by their shown name
(`lgnet.speakers`); the file and the transcript hold their labels.

Every answer is plain data (`Reply`); `lgnet.serve` checks who is asking (host, origin,
token) before calling in, and writes the answer.
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lgnet.archive import ACCESS_LABELS, Item, load_item
from lgnet.errors import LgnetError, TranscriptError
from lgnet.project import Project
from lgnet.timecode import vtt_time
from lgnet.transcripts import Transcript, TranscriptFiles, read_transcript

PREFIX = "/_correzione/"
ASSETS = "risorse/"  # /_correzione/risorse/<name>: the view's script and style sheet
ASSET_FILES = {
    "correzione.js": "text/javascript; charset=utf-8",
    "correzione.css": "text/css; charset=utf-8",
}
TOKEN_HEADER = "X-LGNet-Token"
TOKEN_PARAM = "token"
MAX_BODY = 5_000_000  # a two-hour workshop's cues are well under 1 MB


@dataclass
class Reply:
    """An answer: a body, or a file to send (with byte ranges) for the media."""

    status: int
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"
    file: Path | None = None

    @classmethod
    def text(cls, status: int, message: str) -> Reply:
        return cls(status, (message + "\n").encode("utf-8"))

    @classmethod
    def json(cls, status: int, data: Any) -> Reply:
        body = json.dumps(data, ensure_ascii=False).encode("utf-8")
        return cls(status, body, "application/json; charset=utf-8")

    @classmethod
    def html(cls, text: str) -> Reply:
        return cls(200, text.encode("utf-8"), "text/html; charset=utf-8")


@dataclass(frozen=True)
class EditedCue:
    """A cue as the page sends it back."""

    start: float
    end: float
    text: str
    speaker: str | None


@dataclass
class IndexRow:
    id: str
    title: str
    url: str
    access: str
    status: str  # "3 frasi su 10 revisionate", or why it cannot be corrected


@dataclass
class ViewPage:
    item_id: str
    title: str
    access: str
    token: str
    media_url: str
    is_video: bool
    index_url: str
    preview_url: str | None
    assets: str
    state: dict[str, Any] = field(default_factory=dict)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _vtt_text(text: str) -> str:
    # Caption text is data: escape what WebVTT would read as markup (as transcripts.py does).
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("-->", "--&gt;")


def render_cues(cues: list[EditedCue], language: str) -> tuple[str, list[int]]:
    """A WebVTT file of the cues, and the line of each cue's timing (to name a refused cue)."""
    lines = ["WEBVTT", f"Language: {language}", ""]
    timing_lines = []
    for n, cue in enumerate(cues, start=1):
        body = _vtt_text(" ".join(cue.text.split()))
        if cue.speaker:
            body = f"<v {_vtt_text(cue.speaker)}>{body}"
        lines += [str(n), f"{vtt_time(cue.start)} --> {vtt_time(cue.end)}"]
        timing_lines.append(len(lines))
        lines += [body, ""]
    return "\n".join(lines), timing_lines


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError("tempo non valido")
    return max(float(value), 0.0)


def parse_payload(data: Any) -> tuple[str, list[EditedCue], list[int]]:
    """(hash of the file the page started from, its cues, indices of confirmed cues); raises
    ValueError when the page sent something else."""
    if not isinstance(data, dict) or not isinstance(data.get("base"), str):
        raise ValueError("manca l'impronta del file di partenza")
    raw = data.get("cues")
    if not isinstance(raw, list):
        raise ValueError("mancano i sottotitoli")
    cues = []
    for entry in raw:
        if not isinstance(entry, dict) or not isinstance(entry.get("text"), str):
            raise ValueError("sottotitolo non valido")
        speaker = entry.get("speaker")
        if speaker is not None and not isinstance(speaker, str):
            raise ValueError("voce non valida")
        cues.append(
            EditedCue(
                _number(entry.get("start")),
                _number(entry.get("end")),
                entry["text"],
                " ".join(speaker.split()) or None if speaker else None,
            )
        )
    confirmed = data.get("confirmed", [])
    if not isinstance(confirmed, list) or not all(
        isinstance(i, int) and not isinstance(i, bool) and 0 <= i < len(cues) for i in confirmed
    ):
        raise ValueError("elenco dei sottotitoli confermati non valido")
    return data["base"], cues, sorted(set(confirmed))


class CorrectionView:
    """The view's pages and actions for one project; one save at a time (`lock`, shared with
    the preview's watcher, which imports edits made elsewhere)."""

    def __init__(
        self,
        project: Project,
        token: str,
        *,
        audience: str = "pubblico",
        lock: threading.Lock | None = None,
        on_saved: Callable[[str], None] | None = None,
        model: str | None = None,
    ) -> None:
        self.project = project
        self.token = token
        self.audience = audience
        self.lock = lock or threading.Lock()
        self.on_saved = on_saved
        self.model = model

    # --- addresses ----------------------------------------------------------------------

    def index_url(self) -> str:
        return f"{PREFIX}?{TOKEN_PARAM}={self.token}"

    def item_url(self, item_id: str) -> str:
        return f"{PREFIX}{item_id}/?{TOKEN_PARAM}={self.token}"

    # --- requests -----------------------------------------------------------------------

    def get(self, path: str) -> Reply:
        """`path` is below PREFIX, without the query (the caller checked the token)."""
        rest = path[len(PREFIX) :]
        if rest == "":
            return self.index_page()
        item_id, _, what = rest.partition("/")
        item = self._item(item_id)
        if item is None:
            return Reply.text(404, f"{item_id}: registrazione sconosciuta (vedere archive/items/)")
        if what == "":
            return self.view_page(item)
        if what == "media":
            from lgnet.media import probe
            from lgnet.publish import mime_type

            media = item.media_path(self.project)
            if not media.is_file():
                return Reply.text(404, f"{item.media}: file multimediale mancante nell'archivio")
            return Reply(200, content_type=mime_type(media, probe(media).has_video), file=media)
        if what == "stato":
            return Reply.json(200, self.state(item))
        return Reply.text(404, "pagina inesistente nella vista di correzione")

    def post(self, path: str, body: bytes) -> Reply:
        rest = path[len(PREFIX) :]
        item_id, _, what = rest.partition("/")
        item = self._item(item_id)
        if item is None or what != "salva":
            return Reply.text(404, "azione inesistente nella vista di correzione")
        try:
            base, cues, confirmed = parse_payload(json.loads(body.decode("utf-8")))
        except (ValueError, UnicodeDecodeError) as exc:
            return Reply.json(
                400, {"errore": f"richiesta non valida ({exc}); ricaricare la pagina"}
            )
        return self.save(item, base, cues, confirmed)

    @staticmethod
    def asset(name: str) -> Reply:
        from importlib.resources import files

        kind = ASSET_FILES.get(name)
        if kind is None:
            return Reply.text(404, "risorsa inesistente")
        data = files("lgnet").joinpath("assets", "correzione", name).read_bytes()
        return Reply(200, data, kind)

    # --- data ---------------------------------------------------------------------------

    def _item(self, item_id: str) -> Item | None:
        path = self.project.items_dir / f"{item_id}.yml"
        if not item_id or "/" in item_id or not path.is_file():
            return None
        item, _ = load_item(path, self.project)
        return item

    def state(self, item: Item) -> dict[str, Any]:
        """What the page edits: the cues of the VTT on disk and the hash of its bytes."""
        from lgnet.captions import transcript_cues
        from lgnet.corrections import read_caption_file, vtt_edited
        from lgnet.review import LOW_CONFIDENCE

        files = TranscriptFiles(self.project.transcripts, item.id)
        out: dict[str, Any] = {"id": item.id, "cues": [], "sha": None, "error": None}
        if not files.json.exists() or not files.vtt.exists():
            out["error"] = (
                f"{item.id}: trascrizione mancante; eseguire prima 'lgnet transcribe {item.id}'"
            )
            return out
        try:
            transcript = read_transcript(files.json)
            data = files.vtt.read_bytes()
            out["sha"] = sha256_bytes(data)
            out |= _progress(transcript)
            out["speakers"] = _speakers(item, transcript)
            shown = _shown_names(item)
            out["language"] = transcript.language
            out["duration"] = transcript.duration
            if vtt_edited(files, transcript):
                # edited elsewhere and not imported yet: its cues, without the model's words
                out["pending"] = True
                out["cues"] = [
                    {"start": c.start, "end": c.end, "text": c.text}
                    | {"speaker": _shown(shown, c.speaker), "reviewed": False, "words": []}
                    for c in read_caption_file(files.vtt, "vtt")
                ]
                return out
        except TranscriptError as exc:
            out["error"] = exc.lines()[0]
            return out
        segments = transcript.segments
        for cue in transcript_cues(transcript) if segments else []:
            words = []
            for w in cue.words:
                seg = segments[w.segment]
                probability = seg.words[w.index].probability if w.index >= 0 else 1.0
                words.append(
                    {
                        "text": w.text,
                        "start": round(w.start, 3),
                        "end": round(w.end, 3),
                        "uncertain": not seg.reviewed and probability < LOW_CONFIDENCE,
                    }
                )
            out["cues"].append(
                {
                    "start": round(cue.start, 3),
                    "end": round(cue.end, 3),
                    "text": cue.text,
                    "speaker": _shown(shown, cue.speaker),
                    "reviewed": all(segments[w.segment].reviewed for w in cue.words),
                    "words": words,
                }
            )
        return out

    # --- pages --------------------------------------------------------------------------

    def index_page(self) -> Reply:
        from lgnet.archive import load_archive
        from lgnet.pages.components import render

        archive = load_archive(self.project, strict=False)
        rows = []
        for item in sorted(archive.items.values(), key=lambda i: i.title.casefold()):
            files = TranscriptFiles(self.project.transcripts, item.id)
            if files.json.exists():
                try:
                    progress = _progress(read_transcript(files.json))
                    status = f"{progress['reviewed']} frasi su {progress['sentences']} revisionate"
                except TranscriptError:
                    status = "trascrizione illeggibile"
            else:
                status = "trascrizione mancante"
            access = ACCESS_LABELS.get(item.effective_access(), item.access)
            rows.append(IndexRow(item.id, item.title, self.item_url(item.id), access, status))
        return Reply.html(render("correzione/indice.html", rows=rows, token=self.token))

    def view_page(self, item: Item) -> Reply:
        from lgnet.media import probe
        from lgnet.pages.components import render

        media = item.media_path(self.project)
        is_video = media.is_file() and probe(media).has_video
        page = ViewPage(
            item_id=item.id,
            title=item.title,
            access=ACCESS_LABELS.get(item.effective_access(), item.access),
            token=self.token,
            media_url=f"media?{TOKEN_PARAM}={self.token}",
            is_video=is_video,
            index_url=self.index_url(),
            preview_url=(f"/archivio/{item.id}/" if item.published_in(self.audience) else None),
            assets=f"{PREFIX}{ASSETS}",
            state=self.state(item),
        )
        return Reply.html(render("correzione/vista.html", page=page))

    # --- saving -------------------------------------------------------------------------

    def save(self, item: Item, base: str, cues: list[EditedCue], confirmed: list[int]) -> Reply:
        """Write the cues to `transcripts/<id>.vtt` and import them; refuse (nothing written)
        when the file changed since the page read it, or when the import would refuse it."""
        from lgnet.corrections import read_cues, sync_corrections
        from lgnet.fsutil import atomic_write_bytes

        files = TranscriptFiles(self.project.transcripts, item.id)
        language = "it"
        with self.lock:
            try:
                on_disk = files.vtt.read_bytes()
                language = read_transcript(files.json).language
            except OSError:
                return Reply.json(409, {"errore": f"{files.vtt}: file mancante; ricaricare"})
            except TranscriptError as exc:
                return Reply.json(422, {"errore": exc.lines()[0]})
            try:
                cues = _labelled(item, cues, self.project.rel(files.vtt))
            except _UnknownVoice as exc:
                return Reply.json(422, {"errore": str(exc), "sottotitolo": exc.cue})
            text, timing_lines = render_cues(cues, language)
            if sha256_bytes(on_disk) != base:
                return Reply.json(
                    409,
                    {
                        "errore": (
                            f"{self.project.rel(files.vtt)}: il file è cambiato sul disco dopo "
                            "l'apertura di questa pagina (un altro programma o un'altra "
                            "scheda); non è stato sovrascritto. Confrontare le due versioni, "
                            "poi ricaricare quella sul disco e rifare le correzioni mancanti"
                        ),
                        "conflitto": True,
                        "mia": text,
                        "disco": on_disk.decode("utf-8", errors="replace"),
                    },
                )
            try:
                if not read_cues(text, self.project.rel(files.vtt), "vtt"):
                    raise TranscriptError(
                        f"{self.project.rel(files.vtt)}: nessun sottotitolo con del testo; una "
                        "trascrizione non può restare vuota: ricaricare la pagina"
                    )
            except TranscriptError as exc:
                return Reply.json(
                    422, {"errore": exc.lines()[0], "sottotitolo": _cue_of(exc, timing_lines)}
                )
            changed = text != _as_rendered(on_disk, language)
            if not changed and not confirmed:
                return Reply.json(200, {"messaggio": _saved_message(False, {}), "stato": None})
            spans = [(cues[i].start, cues[i].end) for i in confirmed]
            if changed:
                atomic_write_bytes(files.vtt, text.encode("utf-8"))
            try:
                imported = sync_corrections(
                    self.project.transcripts,
                    item.id,
                    media=item.media_path(self.project),
                    confirmed=spans,
                    model=self.model,
                )
            except LgnetError as exc:
                if changed:  # refused: the file goes back to what it was
                    atomic_write_bytes(files.vtt, on_disk)
                return Reply.json(422, {"errore": exc.lines()[0]})
        if imported and self.on_saved is not None:
            self.on_saved(item.id)
        state = self.state(item)
        return Reply.json(
            200,
            {
                "messaggio": _saved_message(imported, state),
                "stato": state,
            },
        )


def _as_rendered(data: bytes, language: str) -> str | None:
    """The file's cues as this view would write them (None: it cannot be read), so that a
    file whose cues the person left as they were is not written again."""
    from lgnet.corrections import decode_captions, read_cues

    try:
        cues = read_cues(decode_captions(data, "vtt"), "vtt", "vtt")
    except TranscriptError:
        return None
    return render_cues([EditedCue(c.start, c.end, c.text, c.speaker) for c in cues], language)[0]


def _cue_of(exc: TranscriptError, timing_lines: list[int]) -> int | None:
    """The cue (0-based) whose timing line the import named, if it named one."""
    import re

    for line in exc.lines():
        found = re.search(r"riga (\d+)", line)
        if found:
            number = int(found.group(1))
            before = [k for k, at in enumerate(timing_lines) if at <= number]
            return before[-1] if before else 0
    return None


def _progress(transcript: Transcript) -> dict[str, int]:
    return {"reviewed": transcript.reviewed_count, "sentences": len(transcript.segments)}


def _speakers(item: Item, transcript: Transcript) -> list[str]:
    """The voices the page offers: the item's by their shown name, and any label the
    transcript uses that the item does not define (as it is, so a person sees and fixes it)."""
    shown = _shown_names(item)
    used = [_shown(shown, s.speaker) for s in transcript.segments if s.speaker]
    return list(dict.fromkeys([*shown.values(), *(u for u in used if u)]))


def _shown_names(item: Item) -> dict[str, str]:
    from lgnet.speakers import voices

    return {label: voice.shown for label, voice in voices(item).items()}


def _shown(shown: dict[str, str], label: str | None) -> str | None:
    return shown.get(label, label) if label else None


class _UnknownVoice(LgnetError):
    def __init__(self, message: str, cue: int) -> None:
        super().__init__(message)
        self.cue = cue


def _labelled(item: Item, cues: list[EditedCue], rel: str) -> list[EditedCue]:
    """The cues with the voice each names as its label (what the file and the transcript
    hold); raises _UnknownVoice for the first voice the item does not have."""
    from lgnet.speakers import VoiceNames

    names = VoiceNames(item)
    out = []
    for n, cue in enumerate(cues):
        label = names.label(cue.speaker) if cue.speaker else None
        if cue.speaker and label is None:
            raise _UnknownVoice(f"{rel}: sottotitolo {n + 1}: {names.unknown(cue.speaker)}", n)
        out.append(EditedCue(cue.start, cue.end, cue.text, label))
    return out


def _saved_message(imported: bool, state: dict[str, Any]) -> str:
    if not imported:
        return "Nessuna modifica da salvare."
    done, total = state.get("reviewed", 0), state.get("sentences", 0)
    return f"Salvato. Frasi revisionate: {done} su {total}."
