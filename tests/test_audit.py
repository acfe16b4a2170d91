"""The leak audit on a small hand-made site: what it finds, and that its shortcuts find as much.

The whole pipeline (a real build with a planted leak) is tested in tests/test_build.py.
"""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import pytest

from lgnet import audit
from lgnet.archive import Archive, Item
from lgnet.project import Project
from lgnet.redact import published_media
from lgnet.transcripts import Segment, Transcript

from .conftest import DATA
from .media_factory import video_with_everything

CLIP = DATA / "fleurs_it_1521.wav"
RESERVED = "genova-riservata"
SENTENCE = "Ho dormito per tre mesi alla stazione prima di trovare un posto"
SYNOPSIS = "La testimone racconta il primo giorno passato davanti allo sportello"


def reference_normalise(text: str) -> str:
    """`audit.normalise` as first written: the faster version must give the same text."""
    text = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)
    text = html.unescape(re.sub(r"<[^>]+>", " ", html.unescape(text)))
    text = text.replace("\\n", " ").replace('\\"', '"').replace("\\/", "/")
    return re.sub(r"\s+", " ", text).strip().lower()


EVERY_WHITESPACE = "".join(chr(c) for c in range(0x3100) if chr(c).isspace() or c < 0x40)
TEXTS = [
    "",
    "  Testo\u00a0con\u2028spazi\u3000di ogni\x1c\x1d\x1e\x1f\x85 tipo  ",
    EVERY_WHITESPACE + "x" + EVERY_WHITESPACE,
    "&lt;b&gt;grassetto&lt;/b&gt; &amp;lt; &#60;i&#62; &copy &notit; &NotAnEntity;",
    "senza tag: &amp;lt; &amp;amp;quot; &amp;#39;",
    '{"t": "\\u003cp\\u003eCiao\\u003c/p\\u003e \\\\u0041 \\n \\"citato\\" a\\/b"}',
    '<p class="x">Un <a href="/archivio/Genova-Riservata/">link</a>&nbsp;qui</p>',
    'if(a&&b||c<d){x="K İ ß"}',
    "<<>> <a <b>> >< &#x3C;script&#x3E;",
]


@pytest.mark.parametrize("text", TEXTS)
def test_normalise_gives_the_same_text_as_the_reference(text: str) -> None:
    assert audit.normalise(text) == reference_normalise(text)


def test_normalise_on_every_character() -> None:
    text = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)
    assert audit.normalise(text) == reference_normalise(text)


@pytest.fixture
def small_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Project, Archive]:
    monkeypatch.setenv("LGNET_CACHE_DIR", str(tmp_path / "cache"))
    project = Project(tmp_path / "p")
    media = project.archive / "media"
    media.mkdir(parents=True)
    shutil.copy(CLIP, media / "pubblica.wav")
    (media / "riservata.wav").write_bytes(CLIP.read_bytes()[: 64 * 1024])
    base = {"kind": "testimonianza", "city": "genova", "date": "2024"}
    items = {
        "genova-pubblica": Item.model_validate(
            {
                **base,
                "id": "genova-pubblica",
                "title": "Una voce",
                "media": "media/pubblica.wav",
                "access": "pubblico",
            }
        ),
        RESERVED: Item.model_validate(
            {
                **base,
                "id": RESERVED,
                "title": "Testimonianza riservata",
                "media": "media/riservata.wav",
                "access": "riservato",
                "chapters": [{"start": 0, "title": "Apertura", "synopsis": SYNOPSIS}],
            }
        ),
    }
    site = project.site
    (site / "media").mkdir(parents=True)
    (site / "index.html").write_text("<p>Una voce</p>", "utf-8")
    shutil.copy(media / "pubblica.wav", site / "media" / "genova-pubblica.wav")
    return project, Archive(items=items, cities={}, glossary=[])


def transcripts() -> dict[str, Transcript]:
    segment = Segment(0.0, 5.0, SENTENCE)
    transcript = Transcript(
        id=RESERVED,
        language="it",
        duration=5.0,
        status="revisionato",
        provenance={},
        segments=[segment],
    )
    return {RESERVED: transcript}


def leaks(project: Project, archive: Archive) -> list[str]:
    found = audit.audit_site(project, archive, transcripts(), "pubblico", project.site)
    return [str(p) for p in found]


def test_a_clean_site_passes(small_site: tuple[Project, Archive]) -> None:
    assert leaks(*small_site) == []


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("pagina.html", '<a href="../archivio/GENOVA-RISERVATA/">x</a>'),
        (
            "dati.json",
            '{"t": "Ho dormito per tre mesi alla \\u0073tazione prima di trovare un posto"}',
        ),
        (
            "pagina2.html",
            "<p>Ho dormito per <em>tre mesi</em> alla\n stazione prima di trovare un posto",
        ),
        ("indice.js", 'x("Testimonianza&#32;riservata")'),
    ],
)
def test_ids_titles_and_sentences_are_found_however_written(
    small_site: tuple[Project, Archive], name: str, text: str
) -> None:
    project, archive = small_site
    (project.site / name).write_text(text, "utf-8")
    assert [line.split(":")[0] for line in leaks(project, archive)] == [f"site/{name}"]


def test_a_chapter_synopsis_of_an_unpublished_item_is_a_leak_its_title_is_not(
    small_site: tuple[Project, Archive],
) -> None:
    project, archive = small_site
    (project.site / "capitoli.vtt").write_text(f"WEBVTT\n\n00:00.000 --> 00:05.000\n{SYNOPSIS}\n")
    (project.site / "altro.html").write_text("<h2>Apertura</h2>", "utf-8")
    found = leaks(project, archive)
    assert [line.split(":")[0] for line in found] == ["site/capitoli.vtt"]
    assert "sintesi di capitolo" in found[0]


def test_a_copy_of_unpublished_media_is_found_and_only_same_size_files_are_hashed(
    small_site: tuple[Project, Archive], monkeypatch: pytest.MonkeyPatch
) -> None:
    project, archive = small_site
    reserved = project.archive / "media" / "riservata.wav"
    shutil.copy(reserved, project.site / "media" / "copia.bin")
    same_size = bytearray(reserved.read_bytes())
    same_size[-1] ^= 0xFF
    (project.site / "media" / "altro.bin").write_bytes(bytes(same_size))
    hashed: list[str] = []
    real = audit.sha256_file

    def counting(path: Path) -> str:
        hashed.append(path.name)
        return real(path)

    monkeypatch.setattr(audit, "sha256_file", counting)
    assert leaks(project, archive) == [
        f"site/media/copia.bin: contiene il file multimediale di '{RESERVED}', non pubblicabile"
    ]
    assert sorted(hashed) == ["altro.bin", "copia.bin"]  # not the published recording


# --- inside media files -----------------------------------------------------------------------


def test_media_carrying_an_unpublished_title_in_subtitles_or_tags_is_a_leak(
    small_site: tuple[Project, Archive],
) -> None:
    """A published item's original copied as it is: its subtitle track, chapters and tags say
    the title of the reserved item. Its published copy (`published_media`) says nothing."""
    project, archive = small_site
    original = video_with_everything(
        project.archive / "media" / "video.mkv", secret="Testimonianza riservata"
    )
    shutil.copy(original, project.site / "media" / "genova-video.mkv")
    shutil.copy(original, project.site / "media" / "senza-estensione")  # found by content
    found = leaks(project, archive)
    for name in ("genova-video.mkv", "senza-estensione"):
        mine = [line for line in found if line.startswith(f"site/media/{name}: ")]
        text = " ".join(mine)
        assert "traccia 3 di tipo subtitle (subrip)" in text
        assert "contiene 2 tracce audio" in text
        assert "capitoli" in text
        assert "'title' = «Intervista a Testimonianza riservata»" in text
        assert f"titolo di '{RESERVED}' «testimonianza riservata» nei sottotitoli" in text
        assert f"titolo di '{RESERVED}' «testimonianza riservata» nel metadato 'title'" in text
    # What the publish stage puts there instead is clean.
    for path in (project.site / "media").iterdir():
        if path.name != "genova-pubblica.wav":
            path.unlink()
    item = Item.model_validate(
        {"id": "genova-video", "title": "Un video", "kind": "pillola", "city": "genova",
         "date": "2024", "media": "media/video.mkv", "access": "pubblico"}
    )  # fmt: skip
    shutil.copy(published_media(project, item), project.site / "media" / "genova-video.mkv")
    assert leaks(project, archive) == []


def test_a_tag_outside_the_whitelist_is_a_problem_even_without_secrets(tmp_path: Path) -> None:
    tagged = tmp_path / "etichettato.m4a"
    from .media_factory import ffmpeg

    ffmpeg("-f", "lavfi", "-i", "sine=d=1", "-metadata", "artist=Qualcuno", "-c:a", "aac",
           str(tagged))  # fmt: skip
    problems = [str(p) for p in audit.audit_media_file(tagged, [], name="sito/a.m4a")]
    assert any(
        p.startswith("sito/a.m4a: il file ha il metadato 'artist' = «Qualcuno»") for p in problems
    )
