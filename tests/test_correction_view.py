"""The correction view of `lgnet serve`, over plain HTTP: who may ask (host, origin, token),
what a save does (the import of `lgnet.corrections`, re-timed words, reviewed sentences) and
what it refuses without changing anything (a file changed on disk, an invalid edit).

The test recording is made of two real read sentences cut at known points (tests/data), so
we know when its words are spoken: the second sentence's first word, "Ognuno", starts at
ONSET. Its transcript is what Whisper base wrote for it, errors included ("Ogni uno").
"""

from __future__ import annotations

import hashlib
import http.client
import json
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from lgnet.project import Project
from lgnet.serve import Preview, make_preview_server
from lgnet.transcripts import (
    Segment,
    Transcript,
    TranscriptFiles,
    Word,
    read_transcript,
    write_transcript,
)
from tests.conftest import DATA, copy_project
from tests.media_factory import ffmpeg

ITEM = "prova-correzione"
TOKEN = "codice-di-prova-0123456789"
# The second clip is cut 0.6 s into its file, 42 ms before its first word (silencedetect at
# -40 dB), and placed at 4.9 s: "Ognuno" is spoken from 4.9425 s.
ONSET = 4.9425
FIRST = "Dal passo si sale sulla vetta lungo la cresta sud."
HEARD = "Ogni uno è libero di leggere, correggere e trasformare il colici."
RIGHT = "Ognuno è libero di leggere, correggere e trasformare il colici."
# (word, start, end, probability) as Whisper base wrote them for this recording
WORDS_1 = [
    (" Dal", 0.0, 1.3, 0.48), (" passo", 1.3, 1.74, 0.93), (" si", 1.74, 1.96, 0.95),
    (" sale", 1.96, 2.2, 0.89), (" sulla", 2.2, 2.46, 0.94), (" vetta", 2.46, 2.84, 0.65),
    (" lungo", 2.84, 3.06, 0.67), (" la", 3.06, 3.2, 0.99), (" cresta", 3.2, 3.5, 0.57),
    (" sud.", 3.5, 3.94, 0.91),
]  # fmt: skip
WORDS_2 = [
    (" Ogni", 4.62, 5.18, 0.74), (" uno", 5.18, 5.36, 0.82), (" è", 5.36, 5.44, 0.94),
    (" libero", 5.44, 5.8, 0.65), (" di", 5.8, 5.9, 0.95), (" leggere,", 5.9, 6.3, 0.81),
    (" correggere", 6.46, 7.0, 0.84), (" e", 7.0, 7.18, 0.89), (" trasformare", 7.18, 7.78, 0.98),
    (" il", 7.78, 7.94, 0.98), (" colici.", 7.94, 8.38, 0.35),
]  # fmt: skip


def correction_media(path: Path) -> Path:
    """0.6 s of silence, a sentence (Picovoice), 0.8 s, a sentence (Common Voice), 0.6 s."""
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    mono = "aresample=16000,aformat=sample_fmts=s16:channel_layouts=mono"
    graph = (
        f"[0:a]{mono},atrim=0:3.5,asetpts=N/SR/TB,adelay=600:all=1[a];"
        f"[1:a]{mono},atrim=0.6:4.2,asetpts=N/SR/TB,adelay=800:all=1,apad=pad_dur=0.6[b];"
        "[a][b]concat=n=2:v=0:a=1[out]"
    )
    ffmpeg(
        "-i", str(DATA / "picovoice_cheetah_test_it.wav"), "-i", str(DATA / "cv_it_19574386.mp3"),
        "-filter_complex", graph, "-map", "[out]", "-c:a", "pcm_s16le", str(path),
    )  # fmt: skip
    return path


def _segment(words: list[tuple[str, float, float, float]]) -> Segment:
    text = "".join(w[0] for w in words).strip()
    return Segment(
        words[0][1], words[-1][2], text, None, [Word(a, b, t, p) for t, a, b, p in words]
    )


def asr_transcript() -> Transcript:
    return Transcript(
        ITEM,
        "it",
        9.1,
        "automatico",
        {"engine": "faster-whisper", "model": "base"},
        [_segment(WORDS_1), _segment(WORDS_2)],
    )


def add_correction_item(project: Project, media_cache: Path) -> None:
    """The test recording, public, with its automatic transcript."""
    media = project.archive / "media" / f"{ITEM}.wav"
    media.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(correction_media(media_cache / f"{ITEM}.wav"), media)
    item = {
        "title": "Prova di correzione: due frasi lette",
        "kind": "pillola",
        "city": "rete",
        "date": "2026",
        "media": f"media/{ITEM}.wav",
        "access": "pubblico",
        "description": "Due frasi lette da persone reali, per provare la vista di correzione.",
    }
    text = yaml.safe_dump(item, allow_unicode=True, sort_keys=False)
    (project.items_dir / f"{ITEM}.yml").write_text(text, encoding="utf-8")
    write_transcript(project.transcripts, asr_transcript())


def correction_project(dest: Path, media_cache: Path) -> Project:
    """The repository's project files with only the test recording in the archive."""
    project = copy_project(dest, with_media=False)
    shutil.rmtree(project.items_dir)
    shutil.rmtree(project.transcripts, ignore_errors=True)
    project.items_dir.mkdir(parents=True)
    add_correction_item(project, media_cache)
    return project


# --- a running preview -------------------------------------------------------------------------


@dataclass
class Running:
    project: Project
    preview: Preview
    port: int

    @property
    def files(self) -> TranscriptFiles:
        return TranscriptFiles(self.project.transcripts, ITEM)

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, bytes, dict[str, str]]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return response.status, response.read(), dict(response.getheaders())
        finally:
            conn.close()

    def state(self) -> dict[str, Any]:
        status, body, _ = self.request("GET", f"/_correzione/{ITEM}/stato?token={TOKEN}")
        assert status == 200
        return dict(json.loads(body))

    def save(
        self, payload: dict[str, Any], headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, Any]]:
        own = {
            "Content-Type": "application/json",
            "Origin": f"http://127.0.0.1:{self.port}",
            "X-LGNet-Token": TOKEN,
        }
        status, body, _ = self.request(
            "POST",
            f"/_correzione/{ITEM}/salva",
            json.dumps(payload).encode(),
            own if headers is None else headers,
        )
        try:
            return status, dict(json.loads(body))
        except ValueError:
            return status, {"testo": body.decode()}


def start_preview(project: Project, rebuild: Any = None) -> tuple[Running, Any]:
    """A preview of a stand-in page (not site/: a test may build the real site there)."""
    site = project.root / "anteprima"
    site.mkdir(exist_ok=True)
    (site / "index.html").write_text("<html><body><p>Anteprima</p></body></html>")
    preview = Preview(project, site, token=TOKEN, rebuild=rebuild)
    httpd = make_preview_server(preview)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return Running(project, preview, int(httpd.server_address[1])), httpd


@pytest.fixture
def running(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    media_cache = tmp_path_factory.getbasetemp() / "correzione-media"
    project = correction_project(tmp_path / "progetto", media_cache)
    run, httpd = start_preview(project)
    yield run
    httpd.shutdown()
    httpd.server_close()


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def cues_of(state: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"start": c["start"], "end": c["end"], "text": c["text"], "speaker": c["speaker"]}
        for c in state["cues"]
    ]


def corrected(state: dict[str, Any]) -> dict[str, Any]:
    cues = cues_of(state)
    assert cues[1]["text"] == HEARD
    cues[1]["text"] = RIGHT
    return {"base": state["sha"], "cues": cues, "confirmed": []}


# --- who may ask -------------------------------------------------------------------------------


def test_the_preview_listens_on_loopback_only(running: Running) -> None:
    with pytest.raises(OSError):
        http.client.HTTPConnection("127.0.0.2", running.port, timeout=2).request("GET", "/")
    status, body, _ = running.request("GET", "/")
    assert status == 200 and b"Anteprima" in body


def test_a_foreign_host_name_is_refused_dns_rebinding(running: Running) -> None:
    for path in ("/", f"/_correzione/{ITEM}/?token={TOKEN}", "/_lgnet/versione"):
        status, body, _ = running.request(
            "GET", path, headers={"Host": f"evil.example:{running.port}"}
        )
        assert status == 403, path
        assert "Richiesta rifiutata" in body.decode() and "DNS rebinding" in body.decode()
    # its own names are accepted
    for host in (f"127.0.0.1:{running.port}", f"localhost:{running.port}"):
        assert running.request("GET", "/", headers={"Host": host})[0] == 200


def test_the_view_needs_this_runs_token(running: Running) -> None:
    for path in (f"/_correzione/{ITEM}/", f"/_correzione/{ITEM}/?token=altro", "/_correzione/"):
        status, body, _ = running.request("GET", path)
        assert status == 403 and "codice della vista di correzione" in body.decode(), path
    status, body, headers = running.request("GET", f"/_correzione/{ITEM}/?token={TOKEN}")
    assert status == 200 and "Correzione: Prova di correzione" in body.decode()
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["Referrer-Policy"] == "no-referrer" and headers["Cache-Control"] == "no-store"
    # the media plays from the archive, with byte ranges
    status, body, headers = running.request(
        "GET", f"/_correzione/{ITEM}/media?token={TOKEN}", headers={"Range": "bytes=0-99"}
    )
    assert status == 206 and len(body) == 100 and body.startswith(b"RIFF")


@pytest.mark.parametrize(
    "headers",
    [
        {"Content-Type": "application/json", "X-LGNet-Token": TOKEN},  # no Origin
        {"Origin": "http://evil.example", "X-LGNet-Token": TOKEN},  # another site
        {"Origin": "null", "X-LGNet-Token": TOKEN},  # a sandboxed frame, a file
    ],
    ids=["senza-origin", "altra-origin", "origin-null"],
)
def test_a_save_from_another_origin_is_refused_csrf(
    running: Running, headers: dict[str, str]
) -> None:
    before = snapshot(running.project.transcripts)
    status, answer = running.save(corrected(running.state()), headers)
    assert status == 403 and "le modifiche si accettano solo dalle pagine" in answer["testo"]
    assert snapshot(running.project.transcripts) == before


@pytest.mark.parametrize("token", [None, "", "altro-codice"], ids=["senza", "vuoto", "sbagliato"])
def test_a_save_without_this_runs_token_is_refused(running: Running, token: str | None) -> None:
    before = snapshot(running.project.transcripts)
    headers = {"Origin": f"http://localhost:{running.port}", "Host": f"localhost:{running.port}"}
    if token is not None:
        headers["X-LGNet-Token"] = token
    status, answer = running.save(corrected(running.state()), headers)
    assert status == 403 and "codice della vista di correzione" in answer["testo"]
    assert snapshot(running.project.transcripts) == before


# --- what a save refuses -----------------------------------------------------------------------


def test_a_file_changed_on_disk_since_loading_is_never_overwritten(running: Running) -> None:
    state = running.state()
    files = running.files
    # another editor saves the file meanwhile
    other = files.vtt.read_text().replace("cresta sud.", "cresta nord.")
    files.vtt.write_text(other)
    before = snapshot(running.project.transcripts)
    status, answer = running.save(corrected(state))
    assert status == 409 and answer["conflitto"] is True
    assert (
        "è cambiato sul disco" in answer["errore"]
        and "non è stato sovrascritto" in answer["errore"]
    )
    assert "Ognuno è libero" in answer["mia"] and "cresta nord." in answer["disco"]
    assert snapshot(running.project.transcripts) == before


def test_an_invalid_edit_shows_the_import_error_and_changes_nothing(running: Running) -> None:
    payload = corrected(running.state())
    payload["cues"][1]["end"] = payload["cues"][1]["start"] - 1.0  # ends before it starts
    before = snapshot(running.project.transcripts)
    status, answer = running.save(payload)
    assert status == 422
    assert "il sottotitolo finisce prima di iniziare" in answer["errore"]
    assert answer["errore"].startswith(f"transcripts/{ITEM}.vtt: riga ")
    assert answer["sottotitolo"] == 1
    assert snapshot(running.project.transcripts) == before


# --- what a save does --------------------------------------------------------------------------


def test_confirmed_cues_mark_their_sentences_reviewed(running: Running) -> None:
    state = running.state()
    payload = {"base": state["sha"], "cues": cues_of(state), "confirmed": [0]}
    status, answer = running.save(payload)
    assert status == 200, answer
    after = read_transcript(running.files.json)
    assert [s.reviewed for s in after.segments] == [True, False]
    assert after.status == "automatico"
    assert after.segments == [
        Segment(s.start, s.end, s.text, s.speaker, s.words, reviewed=n == 0)
        for n, s in enumerate(asr_transcript().segments)
    ]  # nothing else changed
    assert answer["stato"]["cues"][0]["reviewed"] and not answer["stato"]["cues"][1]["reviewed"]
    # confirming the rest makes the whole transcript "revisionato", derived, never set by hand
    state = answer["stato"]
    status, answer = running.save({"base": state["sha"], "cues": cues_of(state), "confirmed": [1]})
    assert status == 200 and read_transcript(running.files.json).status == "revisionato"
    assert "Frasi revisionate: 2 su 2" in answer["messaggio"]


@pytest.mark.slow
def test_a_corrected_word_is_imported_and_timed_on_the_audio(running: Running) -> None:
    status, answer = running.save(corrected(running.state()))
    assert status == 200, answer
    files = running.files
    vtt, srt = (" ".join(f.read_text().split()) for f in (files.vtt, files.srt))
    assert RIGHT in vtt and "Ogni uno" not in vtt
    assert RIGHT in srt and RIGHT in files.txt.read_text()
    after = read_transcript(files.json)
    assert [s.text for s in after.segments] == [FIRST, RIGHT]
    assert [s.reviewed for s in after.segments] == [False, True]  # only the corrected sentence
    assert after.segments[0] == asr_transcript().segments[0]
    word = after.segments[1].words[0]
    assert word.word.strip() == "Ognuno"
    assert abs(word.start - ONSET) <= 0.2, (word.start, ONSET)
    # without the audio the new word would have kept the old words' start, 0.32 s early
    assert abs(WORDS_2[0][1] - ONSET) > 0.2
    assert [w.word.strip() for w in after.segments[1].words] == RIGHT.split()
    # the import's usual rules: a backup of the saved file, the edit on record
    assert list((running.project.transcripts / ".backup").glob(f"{ITEM}.*.vtt"))
    assert after.revisions and after.revisions[-1]["files"] == [f"{ITEM}.vtt"]
    # the answer is the new state: the file on disk, its words, what is reviewed
    state = answer["stato"]
    assert state["sha"] == hashlib.sha256(files.vtt.read_bytes()).hexdigest()
    assert [c["reviewed"] for c in state["cues"]] == [False, True]
    assert "Frasi revisionate: 1 su 2" in answer["messaggio"]
