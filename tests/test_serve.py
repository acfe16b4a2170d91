"""`lgnet serve`: byte ranges (a browser can seek in a long video), gzip, and the preview's
rebuilds: a watcher of the sources, pages that reload themselves, edits imported first.

The correction view and the preview's refusals are tested in tests/test_correction_view.py."""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from lgnet.project import Project
from lgnet.serve import Preview, import_edits, make_preview_server, serve_in_background, watch


@pytest.fixture
def served(tmp_path: Path):  # type: ignore[no-untyped-def]
    data = bytes(range(256)) * 40  # 10,240 bytes
    (tmp_path / "video.mp4").write_bytes(data)
    url, httpd = serve_in_background(tmp_path)
    try:
        yield url, data
    finally:
        httpd.shutdown()
        httpd.server_close()


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), b""


def test_a_range_gets_exactly_those_bytes(served: tuple[str, bytes]) -> None:
    url, data = served
    status, headers, body = get(f"{url}/video.mp4", {"Range": "bytes=1000-1999"})
    assert status == 206
    assert headers["Content-Range"] == f"bytes 1000-1999/{len(data)}"
    assert body == data[1000:2000]


def test_open_ended_and_suffix_ranges(served: tuple[str, bytes]) -> None:
    url, data = served
    assert get(f"{url}/video.mp4", {"Range": "bytes=10000-"})[2] == data[10000:]
    assert get(f"{url}/video.mp4", {"Range": "bytes=-100"})[2] == data[-100:]


def test_whole_file_says_ranges_are_accepted(served: tuple[str, bytes]) -> None:
    url, data = served
    status, headers, body = get(f"{url}/video.mp4")
    assert status == 200 and body == data and headers["Accept-Ranges"] == "bytes"


def test_a_range_past_the_end_is_refused(served: tuple[str, bytes]) -> None:
    url, _ = served
    assert get(f"{url}/video.mp4", {"Range": "bytes=999999-"})[0] == 416


def test_text_is_sent_compressed_to_a_browser_that_accepts_it(tmp_path: Path) -> None:
    import gzip

    page = ("<p>Testo della pagina, ripetuto. </p>\n" * 200).encode()
    (tmp_path / "index.html").write_bytes(page)
    url, httpd = serve_in_background(tmp_path)
    try:
        status, headers, body = get(f"{url}/", {"Accept-Encoding": "gzip, br"})
        assert status == 200 and headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(body) == page and len(body) < len(page) / 5
        plain = get(f"{url}/index.html")
        assert plain[2] == page and "Content-Encoding" not in plain[1]
    finally:
        httpd.shutdown()
        httpd.server_close()


# --- the preview of `lgnet serve`: reload after a rebuild, watcher ---------------------------


def small_project(root: Path) -> Project:
    for folder in ("archive/items", "transcripts", "docs", "overrides"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    (root / "mkdocs.yml").write_text("site_name: prova\n")
    (root / "docs" / "index.md").write_text("# Prova\n")
    return Project(root)


def preview_site(root: Path) -> Path:
    site = root / "site"
    site.mkdir(exist_ok=True)
    (site / "index.html").write_text("<html><body>" + "<p>Pagina.</p>\n" * 200 + "</body></html>")
    return site


def test_pages_sent_by_the_watching_preview_reload_after_a_rebuild(tmp_path: Path) -> None:
    import gzip
    import json

    project = small_project(tmp_path)
    site = preview_site(tmp_path)
    on_disk = (site / "index.html").read_bytes()
    preview = Preview(project, site, rebuild=lambda: None)
    httpd = make_preview_server(preview)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        status, _, body = get(f"{url}/")
        tag = b'<script src="/_lgnet/ricarica.js" data-versione="0" defer></script></body>'
        assert status == 200 and tag in body
        status, headers, packed = get(f"{url}/", {"Accept-Encoding": "gzip"})
        assert headers["Content-Encoding"] == "gzip" and tag in gzip.decompress(packed)
        assert (site / "index.html").read_bytes() == on_disk  # only in what is sent
        status, headers, script = get(f"{url}/_lgnet/ricarica.js")
        assert status == 200 and b"location.reload()" in script
        preview.version, preview.errors = 3, ["archive/items/x.yml: 'title': manca"]
        status, _, data = get(f"{url}/_lgnet/versione")
        assert json.loads(data) == {"versione": 3, "in_corso": False, "errori": preview.errors}
    finally:
        httpd.shutdown()
        httpd.server_close()
    # a preview that does not rebuild sends the pages as they are
    still = Preview(project, site)
    httpd = make_preview_server(still)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        assert get(f"http://127.0.0.1:{httpd.server_address[1]}/")[2] == on_disk
    finally:
        httpd.shutdown()
        httpd.server_close()


def _wait(condition: Callable[[], bool], seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_a_changed_source_is_rebuilt_a_generated_file_is_not(tmp_path: Path) -> None:
    project = small_project(tmp_path)
    rebuilt: list[float] = []
    preview = Preview(project, preview_site(tmp_path), rebuild=lambda: rebuilt.append(1))
    stop = threading.Event()
    thread = threading.Thread(target=watch, args=(preview,), kwargs={"interval": 0.1, "stop": stop})
    thread.start()
    try:
        time.sleep(0.3)
        for generated in ("_generato/x.md", "archivio/x/index.md"):  # what the build writes
            (project.docs / generated).parent.mkdir(parents=True, exist_ok=True)
            (project.docs / generated).write_text("generato")
        (project.transcripts / ".backup").mkdir()
        (project.transcripts / ".backup" / "x.vtt").write_text("WEBVTT")
        time.sleep(0.6)
        assert rebuilt == [] and preview.version == 0
        (project.docs / "index.md").write_text("# Prova cambiata\n")
        assert _wait(lambda: preview.version == 1)
        assert rebuilt == [1] and not preview.building
        (project.items_dir / "nuovo.yml").write_text("title: x\n")
        assert _wait(lambda: preview.version == 2)
    finally:
        stop.set()
        thread.join()


def test_captions_edited_elsewhere_are_imported_before_a_rebuild(tmp_path: Path) -> None:
    from lgnet.transcripts import (
        Segment,
        Transcript,
        TranscriptFiles,
        read_transcript,
        write_transcript,
    )

    project = small_project(tmp_path)
    write_transcript(
        project.transcripts,
        Transcript(
            "prova", "it", 6.0, "automatico", {}, [Segment(0.5, 4.0, "Una frase sbaliata.")]
        ),
    )
    files = TranscriptFiles(project.transcripts, "prova")
    files.vtt.write_text(files.vtt.read_text().replace("sbaliata", "sbagliata"))
    assert import_edits(project, threading.Lock()) == ["prova"]
    after = read_transcript(files.json)
    assert after.segments[0].text == "Una frase sbagliata." and after.segments[0].reviewed
    assert import_edits(project, threading.Lock()) == []  # nothing left to import
