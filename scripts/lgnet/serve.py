"""`lgnet serve`: the built site on localhost, with the byte ranges browsers need to seek media.

Python's standard static server answers every request with the whole file, so a browser
cannot jump to 84.5 s of a video; this handler also answers single `Range: bytes=` requests.
Text files (pages, styles, scripts, search data, captions) are sent gzip-compressed to a
browser that accepts it, as every production web server does, so what the preview shows
(and what Lighthouse measures on it) is what visitors get.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import http.server
import io
import re
import threading
from pathlib import Path
from typing import Any

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
        match = _RANGE.match(self.headers.get("Range", "").strip())
        path = Path(self.translate_path(self.path))
        if path.is_dir() and self.path.split("?", 1)[0].endswith("/"):
            path = path / "index.html"
        if not match and path.is_file() and self._wants_gzip(path):
            return self._send_gzipped(path)
        if not match or not path.is_file():
            return super().send_head()
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
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(end - start + 1))
        self.end_headers()
        return io.BytesIO(data)

    def _wants_gzip(self, path: Path) -> bool:
        accepted = self.headers.get("Accept-Encoding", "")
        return (
            "gzip" in accepted
            and path.suffix.lower() in COMPRESSIBLE
            and path.stat().st_size >= MIN_COMPRESS
        )

    def _send_gzipped(self, path: Path) -> Any:
        data = _gzipped(path)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        return io.BytesIO(data)

    def copyfile(self, source: Any, outputfile: Any) -> None:
        # The browser may stop reading (it seeks elsewhere, or the page closed).
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            super().copyfile(source, outputfile)

    def end_headers(self) -> None:
        if not self.headers.get("Range"):
            self.send_header("Accept-Ranges", "bytes")
        super().end_headers()


def make_server(
    root: Path, port: int = 0, host: str = "127.0.0.1"
) -> http.server.ThreadingHTTPServer:
    """A server for `root` (port 0: any free port); call `serve_forever` to run it."""
    handler = functools.partial(RangeRequestHandler, directory=str(root))
    return http.server.ThreadingHTTPServer((host, port), handler)


def serve_in_background(root: Path) -> tuple[str, http.server.ThreadingHTTPServer]:
    httpd = make_server(root)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{httpd.server_address[1]}", httpd
