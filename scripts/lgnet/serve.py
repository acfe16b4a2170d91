"""`lgnet serve`: the built site on localhost, rebuilt when its sources change, with the
correction view of the transcripts.

Python's standard static server answers every request with the whole file, so a browser
cannot jump to 84.5 s of a video; this handler also answers single `Range: bytes=` requests.
Text files (pages, styles, scripts, search data, captions) are sent gzip-compressed to a
browser that accepts it, as every production web server does, so what the preview shows
(and what Lighthouse measures on it) is what visitors get.

The preview (`Preview`, `run_preview`) adds, only while it runs and only in what it sends:

* a watcher that polls archive/, transcripts/, docs/, overrides/ and mkdocs.yml; when
  something changed it imports caption files a person edited (`lgnet.corrections`) and runs
  the usual atomic build (without transcribing) into the served folder; the pages it sends
  get a small reload script (`/_lgnet/ricarica.js`) that reloads them after a rebuild, or
  shows why the rebuild failed. The script is added to the answer, never written to the site;
* the correction view (`lgnet.correction_view`) under `/_correzione/`.

Safe by construction: it listens on 127.0.0.1 only; it refuses every request whose Host is
not `127.0.0.1:<port>` or `localhost:<port>` (a page on another site that points its own
name at 127.0.0.1, DNS rebinding, gets nothing), and every request that changes something
unless its Origin is this preview (no other site can make the browser post to it) and it
carries this run's random token, which the correction view's address holds.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import hmac
import http.server
import io
import os
import re
import secrets
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lgnet.correction_view import (
    ASSETS,
    MAX_BODY,
    PREFIX,
    TOKEN_HEADER,
    TOKEN_PARAM,
    CorrectionView,
    Reply,
)
from lgnet.project import GENERATED_DOCS, Project

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
COMPRESSIBLE = {
    ".html",
    ".css",
    ".js",
    ".json",
    ".svg",
    ".xml",
    ".txt",
    ".vtt",
    ".srt",
    ".csv",
    ".map",
}
MIN_COMPRESS = 1024
_GZIP_CACHE: dict[tuple[str, int, int], bytes] = {}
_GZIP_LOCK = threading.Lock()
LOOPBACK = "127.0.0.1"
INTERNAL = "/_lgnet/"  # the preview's own addresses: reload script and build version
POLL_SECONDS = 1.0
# What the view's answers may load: only this preview; no page may frame it.
VIEW_POLICY = (
    "default-src 'self'; media-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'none'"
)


def _gzipped(path: Path) -> bytes:
    """The file gzip-compressed (level 6, like nginx), kept while the file is unchanged."""
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    with _GZIP_LOCK:
        cached = _GZIP_CACHE.get(key)
    if cached is None:
        cached = gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)
        with _GZIP_LOCK:
            _GZIP_CACHE[key] = cached
    return cached


class RangeRequestHandler(http.server.SimpleHTTPRequestHandler):
    """The standard static handler, plus single byte ranges."""

    quiet = True

    def log_message(self, format: str, *args: Any) -> None:
        if not self.quiet:
            super().log_message(format, *args)

    def send_head(self) -> Any:
        path = Path(self.translate_path(self.path))
        if path.is_dir() and self.path.split("?", 1)[0].endswith("/"):
            path = path / "index.html"
        if not path.is_file():
            return super().send_head()
        if not _RANGE.match(self.headers.get("Range", "").strip()) and not self._wants_gzip(path):
            return super().send_head()
        return self.send_file(path, self.guess_type(str(path)))

    def send_file(
        self, path: Path, content_type: str, headers: dict[str, str] | None = None
    ) -> Any:
        """Headers for `path` (a byte range when asked, gzip for text), and its body to copy."""
        match = _RANGE.match(self.headers.get("Range", "").strip())
        if not match:
            if self._wants_gzip(path):
                return self.send_bytes(200, _gzipped(path), content_type, headers, gzipped=True)
            handle = path.open("rb")  # streamed: a recording may be gigabytes
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(os.fstat(handle.fileno()).st_size))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            return handle
        size = path.stat().st_size
        first, last = match.groups()
        if first:
            start, end = int(first), int(last) if last else size - 1
        else:
            start, end = max(size - int(last or 0), 0), size - 1
        end = min(end, size - 1)
        if start > end:
            self.send_error(416, "Range Not Satisfiable")
            return None
        with path.open("rb") as handle:
            handle.seek(start)
            data = handle.read(end - start + 1)
        self.send_response(206)
        self.send_header("Content-Type", content_type)
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(end - start + 1))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        return io.BytesIO(data)

    def send_bytes(
        self,
        status: int,
        data: bytes,
        content_type: str,
        headers: dict[str, str] | None = None,
        *,
        gzipped: bool = False,
    ) -> io.BytesIO:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if gzipped:
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Vary", "Accept-Encoding")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        return io.BytesIO(data)

    def _wants_gzip(self, path: Path) -> bool:
        accepted = self.headers.get("Accept-Encoding", "")
        return (
            "gzip" in accepted
            and path.suffix.lower() in COMPRESSIBLE
            and path.stat().st_size >= MIN_COMPRESS
        )

    def copyfile(self, source: Any, outputfile: Any) -> None:
        # The browser may stop reading (it seeks elsewhere, or the page closed).
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            super().copyfile(source, outputfile)

    def end_headers(self) -> None:
        if not self.headers.get("Range"):
            self.send_header("Accept-Ranges", "bytes")
        super().end_headers()


def make_server(root: Path, port: int = 0, host: str = LOOPBACK) -> http.server.ThreadingHTTPServer:
    """A server for `root` (port 0: any free port); call `serve_forever` to run it."""
    handler = functools.partial(RangeRequestHandler, directory=str(root))
    return http.server.ThreadingHTTPServer((host, port), handler)


def serve_in_background(root: Path) -> tuple[str, http.server.ThreadingHTTPServer]:
    httpd = make_server(root)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{httpd.server_address[1]}", httpd


# --- the preview: rebuilds, reloads, the correction view -------------------------------------


def _package_asset(*parts: str) -> bytes:
    from importlib.resources import files

    return files("lgnet").joinpath("assets", *parts).read_bytes()


def with_reload_script(html: bytes, version: int) -> bytes:
    """The page with the preview's reload script (only in what the preview sends)."""
    tag = f'<script src="{INTERNAL}ricarica.js" data-versione="{version}" defer></script>'
    at = html.rfind(b"</body>")
    if at < 0:
        return html + tag.encode()
    return html[:at] + tag.encode() + html[at:]


class Preview:
    """One run of `lgnet serve`: the served folder, this run's token, the correction view,
    and the state of the rebuilds (`version` grows after each)."""

    def __init__(
        self,
        project: Project,
        site: Path,
        *,
        audience: str = "pubblico",
        token: str | None = None,
        rebuild: Callable[[], None] | None = None,
        model: str | None = None,
    ) -> None:
        self.project = project
        self.site = site
        self.audience = audience
        self.token = token or secrets.token_urlsafe(24)
        self.lock = threading.Lock()  # one import of a transcript at a time
        self.rebuild = rebuild  # None: no watcher, pages get no reload script
        self.version = 0
        self.building = False
        self.errors: list[str] = []
        # a save writes transcripts/: the watcher sees it like any other change
        self.view = CorrectionView(
            project, self.token, audience=audience, lock=self.lock, model=model
        )

    def status(self) -> dict[str, Any]:
        return {"versione": self.version, "in_corso": self.building, "errori": self.errors}

    def token_ok(self, value: str | None) -> bool:
        return value is not None and hmac.compare_digest(value.encode(), self.token.encode())


class PreviewHandler(RangeRequestHandler):
    """The static handler behind the preview's checks, plus its own addresses."""

    def __init__(self, *args: Any, preview: Preview, **kwargs: Any) -> None:
        self.preview = preview
        super().__init__(*args, **kwargs)

    # --- who is asking ------------------------------------------------------------------

    def _port(self) -> int:
        address = self.server.server_address
        assert isinstance(address, tuple)
        return int(address[1])

    def _own_hosts(self) -> set[str]:
        return {f"{LOOPBACK}:{self._port()}", f"localhost:{self._port()}"}

    def _refuse(self, message: str) -> None:
        body = (message + "\n").encode("utf-8")
        self.send_response(403)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _host_refused(self) -> bool:
        host = (self.headers.get("Host") or "").strip().lower()
        if host in self._own_hosts():
            return False
        self._refuse(
            f"Richiesta rifiutata: l'indirizzo richiesto (Host: {host[:80] or 'assente'}) non "
            f"è questa anteprima; aprire http://{LOOPBACK}:{self._port()}/ (difesa dal DNS "
            "rebinding)"
        )
        return True

    def _origin_refused(self) -> bool:
        origin = (self.headers.get("Origin") or "").strip().lower()
        if origin in {f"http://{host}" for host in self._own_hosts()}:
            return False
        self._refuse(
            "Richiesta rifiutata: le modifiche si accettano solo dalle pagine di questa "
            f"anteprima (Origin {origin[:80] or 'assente'}); aprire la vista di correzione "
            "dall'indirizzo stampato da 'lgnet serve'"
        )
        return True

    def _token_refused(self, value: str | None) -> bool:
        if self.preview.token_ok(value):
            return False
        self._refuse(
            "Accesso negato: manca il codice della vista di correzione o non è quello di "
            "questa esecuzione; aprire l'indirizzo stampato da 'lgnet serve' all'avvio"
        )
        return True

    # --- methods ------------------------------------------------------------------------

    def do_GET(self) -> None:
        self._get(send_body=True)

    def do_HEAD(self) -> None:
        self._get(send_body=False)

    def _get(self, *, send_body: bool) -> None:
        if self._host_refused():
            return
        url = urllib.parse.urlsplit(self.path)
        path = url.path
        if path.startswith(INTERNAL):
            self._answer(self._internal(path[len(INTERNAL) :]), send_body)
        elif path == PREFIX.rstrip("/"):
            self._answer(Reply(301), send_body, {"Location": PREFIX + "?" + url.query})
        elif path.startswith(PREFIX + ASSETS):
            self._answer(CorrectionView.asset(path[len(PREFIX + ASSETS) :]), send_body)
        elif path.startswith(PREFIX):
            query = urllib.parse.parse_qs(url.query)
            if self._token_refused(next(iter(query.get(TOKEN_PARAM, [])), None)):
                return
            self._answer(self.preview.view.get(path), send_body, view=True)
        elif send_body:
            super().do_GET()
        else:
            super().do_HEAD()

    def do_POST(self) -> None:
        if self._host_refused() or self._origin_refused():
            return
        if self._token_refused(self.headers.get(TOKEN_HEADER)):
            return
        path = urllib.parse.urlsplit(self.path).path
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if not path.startswith(PREFIX) or not 0 < length <= MAX_BODY:
            self._answer(Reply.text(400, "richiesta non valida"), True)
            return
        self._answer(self.preview.view.post(path, self.rfile.read(length)), True, view=True)

    # --- answers ------------------------------------------------------------------------

    def _internal(self, name: str) -> Reply:
        if name == "ricarica.js":
            data = _package_asset("anteprima", "ricarica.js")
            return Reply(200, data, "text/javascript; charset=utf-8")
        if name == "versione":
            return Reply.json(200, self.preview.status())
        return Reply.text(404, "indirizzo inesistente")

    def _answer(
        self,
        reply: Reply,
        send_body: bool,
        headers: dict[str, str] | None = None,
        *,
        view: bool = False,
    ) -> None:
        extra = {
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
            **(headers or {}),
        }
        if view:
            extra |= {
                "Content-Security-Policy": VIEW_POLICY,
                "X-Frame-Options": "DENY",
                "Referrer-Policy": "no-referrer",
            }
        if reply.file is not None:
            body = self.send_file(reply.file, reply.content_type, extra)
        else:
            body = self.send_bytes(reply.status, reply.body, reply.content_type, extra)
        if body is not None:
            try:
                if send_body:
                    self.copyfile(body, self.wfile)
            finally:
                body.close()

    def send_head(self) -> Any:
        if self.preview.rebuild is None:
            return super().send_head()
        path = Path(self.translate_path(self.path))
        if path.is_dir() and self.path.split("?", 1)[0].endswith("/"):
            path = path / "index.html"
        if path.suffix != ".html" or not path.is_file() or self.headers.get("Range"):
            return super().send_head()
        html = with_reload_script(path.read_bytes(), self.preview.version)
        if "gzip" in self.headers.get("Accept-Encoding", ""):
            data = gzip.compress(html, compresslevel=6, mtime=0)
            return self.send_bytes(200, data, "text/html", gzipped=True)
        return self.send_bytes(200, html, "text/html")


def make_preview_server(preview: Preview, port: int = 0) -> http.server.ThreadingHTTPServer:
    """The preview's server, on 127.0.0.1 only (port 0: any free port)."""
    handler = functools.partial(PreviewHandler, directory=str(preview.site), preview=preview)
    return http.server.ThreadingHTTPServer((LOOPBACK, port), handler)


# --- watching the sources ---------------------------------------------------------------------

Snapshot = dict[str, tuple[int, int]]


def _skipped(project: Project) -> set[Path]:
    from lgnet.pages.components import ARCHIVE_DOCS, PATHS_DOCS

    docs = project.docs
    return {
        docs / GENERATED_DOCS,
        docs / ARCHIVE_DOCS,
        docs / PATHS_DOCS,
        project.transcripts / ".backup",
    }


def source_snapshot(project: Project) -> Snapshot:
    """Size and modification time of every file people write (not what builds generate)."""
    skip = _skipped(project)
    out: Snapshot = {}
    roots = [project.archive, project.transcripts, project.docs, project.root / "overrides"]
    for root in roots:
        for folder, dirs, names in os.walk(root):
            here = Path(folder)
            dirs[:] = [d for d in dirs if here / d not in skip and d != "__pycache__"]
            for name in names:
                if name.startswith(".tmp-") or name.endswith(".pending"):
                    continue
                with contextlib.suppress(OSError):
                    stat = (here / name).stat()
                    out[str(here / name)] = (stat.st_mtime_ns, stat.st_size)
    with contextlib.suppress(OSError):
        stat = (project.root / "mkdocs.yml").stat()
        out["mkdocs.yml"] = (stat.st_mtime_ns, stat.st_size)
    return out


def import_edits(project: Project, lock: threading.Lock) -> list[str]:
    """Import every caption file a person edited since it was written; the ids imported.

    A file the import refuses stays as it is: the build that follows reports it (`lgnet
    check` runs the same reader), so it is not reported twice here.
    """
    from lgnet.corrections import edited, sync_corrections
    from lgnet.errors import LgnetError
    from lgnet.transcripts import TranscriptFiles, read_transcript

    done = []
    with lock:
        for path in sorted(project.transcripts.glob("*.json")):
            files = TranscriptFiles(project.transcripts, path.stem)
            try:
                if edited(files, read_transcript(files.json)):
                    sync_corrections(project.transcripts, path.stem)
                    done.append(path.stem)
            except LgnetError:
                continue
    return done


def watch(preview: Preview, *, interval: float = POLL_SECONDS, stop: threading.Event) -> None:
    """Poll the sources every `interval`; after a change, rebuild.

    The snapshot compared next is taken before the rebuild, so a file saved while the site is
    being built is rebuilt too (an import of edited captions during the rebuild costs one more
    rebuild, which finds nothing left to import).
    """
    assert preview.rebuild is not None
    last = source_snapshot(preview.project)
    while not stop.wait(interval):
        if source_snapshot(preview.project) == last:
            continue
        time.sleep(interval / 2)  # let an editor finish saving
        last = source_snapshot(preview.project)
        preview.building = True
        try:
            preview.rebuild()
        finally:
            preview.building = False
            preview.version += 1


def run_preview(
    project: Project,
    *,
    audience: str = "pubblico",
    port: int = 8000,
    rebuild: bool = True,
) -> None:
    """`lgnet serve`: build once, serve on 127.0.0.1 until Ctrl-C, rebuild on changes."""
    from lgnet.build import run_build
    from lgnet.errors import LgnetError

    result = run_build(project, audience=audience, transcribe=False)
    print(result.summary())
    preview = Preview(project, result.site, audience=audience)

    def build_again() -> None:
        imported = import_edits(project, preview.lock)
        if imported:
            print(f"Correzioni importate: {', '.join(imported)}", flush=True)
        try:
            again = run_build(project, audience=audience, transcribe=False)
        except LgnetError as exc:
            preview.errors = exc.lines()
            for line in preview.errors:
                print(f"errore: {line}", file=sys.stderr, flush=True)
            print("Il sito non è stato aggiornato: correggere e salvare di nuovo.", flush=True)
            return
        preview.errors = []
        print(f"Sito ricostruito ({again.elapsed:.1f} s): le pagine aperte si ricaricano.")

    if rebuild:
        preview.rebuild = build_again
    stop = threading.Event()
    with make_preview_server(preview, port) as httpd:
        base = f"http://{LOOPBACK}:{httpd.server_address[1]}"
        print(f"Anteprima su {base}/ (Ctrl-C per terminare)")
        print(f"Vista di correzione delle trascrizioni: {base}{preview.view.index_url()}")
        if rebuild:
            print("Quando archivio, trascrizioni o pagine cambiano, il sito viene ricostruito.")
            threading.Thread(
                target=watch, args=(preview,), kwargs={"stop": stop}, daemon=True
            ).start()
        try:
            httpd.serve_forever()
        except KeyboardInterrupt:
            print("Anteprima terminata.")
        finally:
            stop.set()
