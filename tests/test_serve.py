"""`lgnet serve`'s static server: byte ranges, so a browser can seek in a long video."""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

import pytest

from lgnet.serve import serve_in_background


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
