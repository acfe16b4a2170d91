"""The pages stage: Markdown for recordings and catalogue, snippets for hand-written pages.

This module also holds the small demo project that the site and browser tests build: three
public recordings (one video with chapters, one audio, one whose every field is an injection
attempt) and two that must never appear (operators only, reserved), and two training paths
(a public one that also names the operators' recording, and one for operators only).
"""

from __future__ import annotations

import ast
import html
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from lgnet.archive import Archive, load_archive
from lgnet.errors import BuildError
from lgnet.pages import generate_pages, href, italian_date, page_url, spoken_duration
from lgnet.project import Project
from lgnet.publish import PublishedMedia, publish_item_files
from lgnet.transcripts import Segment, Transcript, load_transcripts, write_transcript
from tests.conftest import REPO, copy_project
from tests.media_factory import ffmpeg

PAYLOAD = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">'
SNIPPET_ATTACK = '--8<-- "mkdocs.yml"'
SECRET_WORD = "parolasegretaoperatori"

VIDEO_ID = "palermo-safe-space"
AUDIO_ID = "roma-abitare-workshop"
XSS_ID = "napoli-prova-sicurezza"
OPERATORS_ID = "bologna-interno"
RESERVED_ID = "milano-riservato"
PUBLIC_IDS = (VIDEO_ID, AUDIO_ID, XSS_ID)
HIDDEN_IDS = (OPERATORS_ID, RESERVED_ID)
DEMO_PATH = "percorso-prova"  # public; its excerpt of OPERATORS_ID shows in the operators' build
OPERATORS_PATH = "percorso-interno"  # audience operatori: absent from the public build

SEGMENT_TEXTS = [
    "Buongiorno a tutte e a tutti, benvenuti al Centro Penc.",
    "Il Safe Space accoglie mamme, adolescenti e bambini.",
    "La presa in carico comincia dall'ascolto della persona.",
    "Poi si costruisce insieme un progetto personalizzato.",
    "Le équipe itineranti raggiungono chi non arriva ai servizi.",
    "Il one-stop-shop riunisce in un solo luogo più sportelli.",
    "Lavoriamo con i servizi sanitari e con il terzo settore.",
    "Grazie per l'attenzione, a presto.",
]


# --- the demo project ------------------------------------------------------------------------


def make_demo_media(folder: Path) -> tuple[Path, Path]:
    """A 20 s H.264/AAC video and a 20 s MP3 (both play in Chromium)."""
    folder.mkdir(parents=True, exist_ok=True)
    video, audio = folder / "video.mp4", folder / "audio.mp3"
    if not video.exists():
        ffmpeg(
            "-f", "lavfi", "-i", "testsrc=size=320x180:rate=25",
            "-f", "lavfi", "-i", "sine=frequency=440",
            "-t", "20", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac",
            "-movflags", "+faststart", "-shortest", str(video),
        )  # fmt: skip
    if not audio.exists():
        ffmpeg(
            "-f", "lavfi", "-i", "sine=frequency=330", "-t", "20", "-c:a", "libmp3lame", str(audio)
        )
    return video, audio


def _transcript(
    item_id: str, texts: list[str], status: str = "automatico", speaker: str | None = None
) -> Transcript:
    step = 20.0 / len(texts)
    segments = [
        Segment(start=round(n * step, 2), end=round((n + 1) * step, 2), text=text, speaker=speaker)
        for n, text in enumerate(texts)
    ]
    return Transcript(
        id=item_id,
        language="it",
        duration=20.0,
        status=status,  # type: ignore[arg-type]
        provenance={"engine": "faster-whisper", "model": "base"},
        segments=segments,
    )


def make_demo_project(dest: Path, media_dir: Path) -> Project:
    """The repository's cities, glossary and hand-written pages, with the demo recordings."""
    project = copy_project(dest, with_media=False)
    shutil.rmtree(project.items_dir)
    shutil.rmtree(project.transcripts, ignore_errors=True)
    for generated in (project.generated_docs, project.docs / "archivio", project.docs / "percorsi"):
        shutil.rmtree(generated, ignore_errors=True)
    project.items_dir.mkdir(parents=True)
    video, audio = make_demo_media(media_dir)
    (project.archive / "media").mkdir(exist_ok=True)
    for name, source in (("video.mp4", video), ("audio.mp3", audio)):
        shutil.copy2(source, project.archive / "media" / name)
    items: dict[str, dict[str, object]] = {
        VIDEO_ID: {
            "title": "Safe Space al Centro Penc",
            "kind": "testimonianza",
            "city": "palermo",
            "date": "2023-11-03",
            "media": "media/video.mp4",
            "areas": ["presa-in-carico"],
            "speakers": [{"name": "Coordinatrice del progetto", "role": "operatrice"}],
            "description": "Una coordinatrice racconta lo spazio per mamme e adolescenti.",
            "credits": "Comune di Palermo",
            "license": "CC BY 4.0",
            "chapters": [
                {"start": "00:00", "title": "Accoglienza"},
                {
                    "start": "00:10",
                    "title": "Servizi",
                    "synopsis": "Orientamento e accompagnamento verso la rete territoriale.",
                    "keywords": ["orientamento", "rete territoriale"],
                },
            ],
            "redactions": [{"start": 5.2, "end": 7.0, "reason": "nome di una beneficiaria"}],
        },
        AUDIO_ID: {
            "title": "Workshop sull'abitare",
            "kind": "workshop",
            "city": "roma",
            "date": "2022-03",
            "media": "media/audio.mp3",
            "areas": ["abitare", "impegno-civico"],
            "description": "Registrazione audio del workshop tematico.",
        },
        XSS_ID: {
            "title": f"Prova {PAYLOAD} *enfasi* [link](http://esempio.invalid/)",
            "kind": "pillola",
            "city": "napoli",
            "date": "2024",
            "media": "media/video.mp4",
            "areas": ["abitare"],
            "speakers": [{"name": f"Voce {PAYLOAD}", "role": f"ruolo {PAYLOAD}"}],
            "description": (
                f"Descrizione {PAYLOAD}\n\n{SNIPPET_ATTACK}\n\n</div></article>{PAYLOAD}"
            ),
            "credits": f"Crediti {PAYLOAD}",
            "license": f"Licenza {PAYLOAD}",
            "chapters": [{"start": 0, "title": f"Capitolo {PAYLOAD}"}],
        },
        OPERATORS_ID: {
            "title": "Riunione interna degli operatori",
            "kind": "workshop",
            "city": "bologna",
            "date": "2023",
            "media": "media/audio.mp3",
            "access": "operatori",
            "areas": ["abitare"],
            "description": f"Contiene la {SECRET_WORD}.",
        },
        RESERVED_ID: {
            "title": "Colloquio riservato",
            "kind": "testimonianza",
            "city": "milano",
            "date": "2023",
            "media": "media/video.mp4",
            "access": "riservato",
            "description": f"Contiene la {SECRET_WORD}.",
        },
    }
    _stub_missing_nav_pages(project)
    for item_id, data in items.items():
        text = yaml.safe_dump({"access": "pubblico", **data}, allow_unicode=True, sort_keys=False)
        (project.items_dir / f"{item_id}.yml").write_text(text, encoding="utf-8")
    write_demo_paths(project)
    # segments carry the voice's label (S1: the item's first speaker), never its name
    write_transcript(project.transcripts, _transcript(VIDEO_ID, SEGMENT_TEXTS, speaker="S1"))
    write_transcript(
        project.transcripts,
        _transcript(
            AUDIO_ID, ["Parliamo di casa.", "E di accoglienza diffusa."], status="revisionato"
        ),
    )
    write_transcript(
        project.transcripts,
        _transcript(
            XSS_ID,
            [f"Testo {PAYLOAD}", SNIPPET_ATTACK, "Fine </li></ol> della prova."],
            speaker="S1",  # shown as the item's voice, "Voce <payload>"
        ),
    )
    for hidden in HIDDEN_IDS:
        write_transcript(
            project.transcripts, _transcript(hidden, [f"Qui si dice la {SECRET_WORD}."])
        )
    return project


DEMO_PATHS: dict[str, dict[str, object]] = {
    DEMO_PATH: {
        "title": "Percorso di prova: dalla casa all'ascolto",
        "audience": "pubblico",
        "description": f"Tre estratti per la prova. {PAYLOAD}",
        "excerpts": [
            {"item": AUDIO_ID, "start": 2, "end": 6, "note": "Si comincia dalla casa."},
            # skipped in the public build (lgnet check reports it), kept for the operators
            {"item": OPERATORS_ID, "start": 0, "end": 5, "note": f"Nota con la {SECRET_WORD}."},
            {"item": VIDEO_ID, "start": 4, "end": 9, "note": f"Nota {PAYLOAD}"},
            {"item": XSS_ID, "start": "00:17", "end": 20, "note": "Fino alla fine del file."},
        ],
    },
    OPERATORS_PATH: {
        "title": "Percorso interno per gli operatori",
        "audience": "operatori",
        "excerpts": [{"item": OPERATORS_ID, "start": 0, "end": 4}],
    },
}


def write_demo_paths(project: Project) -> None:
    shutil.rmtree(project.paths_dir, ignore_errors=True)
    project.paths_dir.mkdir(parents=True)
    for slug, data in DEMO_PATHS.items():
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        (project.paths_dir / f"{slug}.yml").write_text(text, encoding="utf-8")


def _nav_paths(entries: object) -> list[str]:
    if isinstance(entries, str):
        return [entries]
    if isinstance(entries, list):
        return [p for e in entries for p in _nav_paths(e)]
    if isinstance(entries, dict):
        return [p for v in entries.values() for p in _nav_paths(v)]
    return []


def read_mkdocs_yml(path: Path) -> dict[str, object]:
    """mkdocs.yml as data; Python tags (`!!python/name:...`) are read as None."""

    class Lenient(yaml.SafeLoader):
        pass

    Lenient.add_multi_constructor("", lambda _loader, _suffix, _node: None)
    return yaml.load(path.read_text(encoding="utf-8"), Loader=Lenient) or {}


def _stub_missing_nav_pages(project: Project) -> None:
    """Pages other work streams have not written yet, so the demo site has no broken links."""
    config = read_mkdocs_yml(project.root / "mkdocs.yml")
    for rel in _nav_paths(config.get("nav")):
        path = project.docs / rel
        if not rel.startswith(("archivio/", "percorsi/")) and not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(
                f"# {Path(rel).parent.name or Path(rel).stem}\n\nIn preparazione.\n",
                encoding="utf-8",
            )


@dataclass
class DemoBuild:
    project: Project
    archive: Archive
    transcripts: dict[str, Transcript]
    media: dict[str, PublishedMedia]
    pages: list[Path]


def generate_demo(project: Project, audience: str = "pubblico") -> DemoBuild:
    archive = load_archive(project, strict=False)
    transcripts = load_transcripts(project.transcripts, list(archive.items))
    media = publish_item_files(project, archive, transcripts, audience)
    pages = generate_pages(project, archive, transcripts, audience, media)
    return DemoBuild(project, archive, transcripts, media, pages)


def build_demo_site(dest: Path, media_dir: Path, *, engine: str = "mkdocs") -> DemoBuild:
    from lgnet.index import build_index
    from lgnet.site import render_site

    demo = generate_demo(make_demo_project(dest, media_dir))
    build_index(demo.project, demo.archive, demo.transcripts, "pubblico")
    render_site(demo.project, demo.archive, "pubblico", engine=engine, media=demo.media)
    return demo


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoBuild]:
    base = tmp_path_factory.mktemp("pages")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LGNET_CACHE_DIR", str(base / "cache"))
        yield generate_demo(make_demo_project(base / "project", base / "media"))


def read(demo: DemoBuild, rel: str) -> str:
    return (demo.project.docs / rel).read_text(encoding="utf-8")


# --- URLs and formatting ---------------------------------------------------------------------


def test_page_urls_follow_use_directory_urls() -> None:
    assert page_url("index.md") == ""
    assert page_url("citta/index.md") == "citta/"
    assert page_url("citta/palermo.md") == "citta/palermo/"
    assert page_url("glossario.md") == "glossario/"


def test_relative_links_work_from_any_depth() -> None:
    assert href("", "citta/palermo/") == "citta/palermo/"
    assert href("citta/", "citta/palermo/") == "palermo/"
    assert href("citta/palermo/", "archivio/x/") == "../../archivio/x/"
    assert href("archivio/x/", "media/x.mp4") == "../../media/x.mp4"
    assert href("archivio/x/", "archivio/") == "../"
    assert href("glossario/", "fonti/#id") == "../fonti/#id"
    assert href("citta/", "citta/") == "./"


def test_dates_and_durations_in_italian() -> None:
    assert italian_date("2023-11-03") == "3 novembre 2023"
    assert italian_date("2022-03") == "marzo 2022"
    assert italian_date("2024") == "2024"
    assert spoken_duration(84.2) == "1 minuto e 24 secondi"
    assert spoken_duration(3725) == "1 ora, 2 minuti e 5 secondi"
    assert spoken_duration(60) == "1 minuto"


# --- what is generated -------------------------------------------------------------------------


def test_only_published_items_get_pages(demo: DemoBuild) -> None:
    archive_dir = demo.project.docs / "archivio"
    pages = sorted(p.relative_to(archive_dir).as_posix() for p in archive_dir.rglob("*.md"))
    assert pages == sorted(["index.md", *(f"{i}/index.md" for i in PUBLIC_IDS)])
    everything = "\n".join(p.read_text(encoding="utf-8") for p in demo.pages)
    assert SECRET_WORD not in everything
    for hidden in HIDDEN_IDS:
        assert hidden not in everything
    assert set(demo.media) == set(PUBLIC_IDS)


def test_recording_page_has_player_captions_transcript_and_downloads(demo: DemoBuild) -> None:
    page = read(demo, f"archivio/{VIDEO_ID}/index.md")
    assert page.startswith("---\ntitle: ")
    assert f'<source src="../../media/{VIDEO_ID}.mp4" type="video/mp4">' in page
    assert (
        '<track kind="captions" srclang="it" label="Italiano" '
        f'src="../../media/{VIDEO_ID}.vtt" default>' in page
    )
    assert f'poster="../../media/{VIDEO_ID}.jpg"' in page
    assert page.count('<li><a class="lgnet-tempo" href="#t=') == len(SEGMENT_TEXTS)
    assert page.count('<a class="lgnet-capitolo__link" href="#t=') == 2  # chapters
    assert (
        '<track kind="chapters" srclang="it" label="Capitoli" '
        f'src="../../media/{VIDEO_ID}.capitoli.vtt">' in page
    )
    assert 'href="#t=2.5" data-start="2.5" data-end="5"' in page
    assert "Trascrizione automatica" in page
    for ext in ("vtt", "srt", "txt"):
        assert f'href="../../media/{VIDEO_ID}.{ext}" download' in page
    assert "Cita questo momento" in page
    assert 'href="../../citta/palermo/"' in page
    assert 'href="../../modello/presa-in-carico/"' in page
    assert "3 novembre 2023" in page and "CC BY 4.0" in page
    # the redacted span (5.2-7.0 s) hides the whole segment that has no word timings
    assert "ascolto" not in page and "[omissis]" in page


def test_audio_item_gets_an_audio_player_without_default_captions(demo: DemoBuild) -> None:
    page = read(demo, f"archivio/{AUDIO_ID}/index.md")
    assert "<audio " in page and "<video" not in page
    assert 'type="audio/mpeg"' in page
    assert "default>" not in page
    assert "Trascrizione revisionata da una persona" in page


def test_data_is_escaped_everywhere(demo: DemoBuild) -> None:
    page = read(demo, f"archivio/{XSS_ID}/index.md")
    catalogue = read(demo, "archivio/index.md")
    snippets = [read(demo, "_generato/citta/napoli.md"), read(demo, "_generato/ambiti/abitare.md")]
    for text in (page, catalogue, *snippets):
        assert "<script>" not in text
        assert "<img src=x" not in text
    for text in (page, catalogue):
        assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in text
    for text in snippets:  # Markdown: also its special characters escaped
        assert r"&lt;script&gt;window\.\_\_pwned=1&lt;/script&gt;" in text
    assert "onerror=&quot;window.__pwned=1&quot;" in page
    # pymdownx.snippets would include a file for a line that is only a snippet marker
    assert "\n" + SNIPPET_ATTACK not in page
    assert "--8&lt;--" in page
    assert "</div></article>" not in page


def test_catalogue_lists_cards_with_filter_data(demo: DemoBuild) -> None:
    catalogue = read(demo, "archivio/index.md")
    assert catalogue.count('<li class="lgnet-scheda"') == len(PUBLIC_IDS)
    assert (
        'data-citta="roma" data-tipo="workshop" data-ambiti="abitare impegno-civico" '
        'data-anno="2022"' in catalogue
    )
    for control in ("citta", "tipo", "ambito", "anno"):
        assert f'<label for="lgnet-filtro-{control}">' in catalogue
    assert '<option value="bologna">' not in catalogue  # only cities with public recordings
    assert f'src="../media/{VIDEO_ID}-320.jpg"' in catalogue  # the card-size copy
    assert "Solo audio" in catalogue
    # newest first
    assert catalogue.index(XSS_ID) < catalogue.index(VIDEO_ID) < catalogue.index(AUDIO_ID)


def test_snippets_link_relative_to_their_includer(demo: DemoBuild) -> None:
    """Markdown links to source files (both engines resolve them from the including page)."""
    city = read(demo, "_generato/citta/palermo.md")  # included by docs/citta/palermo.md
    assert f"(../archivio/{VIDEO_ID}/index.md)" in city
    empty = read(demo, "_generato/citta/torino.md")
    assert "Non ci sono ancora registrazioni pubblicate" in empty
    mappa = read(demo, "_generato/mappa.md")  # included by docs/citta/index.md
    assert "[Palermo](palermo.md)" in mappa
    assert 'href="palermo/"' in mappa and "<svg" in mappa  # raw SVG links: index page only
    home = read(demo, "_generato/mappa-home.md")
    assert "[Palermo](citta/palermo.md)" in home and 'href="citta/palermo/"' in home
    area = read(demo, "_generato/ambiti/abitare.md")  # included by docs/modello/abitare.md
    assert f"(../archivio/{AUDIO_ID}/index.md)" in area
    assert "[Roma](../citta/roma.md)" in area
    glossary = read(demo, "_generato/glossario.md")
    assert '<dl markdown="1">' in glossary and "LGNet" in glossary


def test_map_places_every_city_with_coordinates(demo: DemoBuild) -> None:
    mappa = read(demo, "_generato/mappa.md")
    located = [c for c in demo.archive.cities.values() if c.lat is not None and c.slug != "rete"]
    assert mappa.count('<circle class="lgnet-mappa__punto') == len(located)
    for city in located:
        assert f">{html.escape(city.name)}</text>" in mappa
    assert "http://www.w3.org/2000/svg" in mappa  # the namespace, not a request


def test_sheet_completeness_is_shown_when_the_sheet_exists(demo: DemoBuild) -> None:
    from lgnet.knowledge import load_sheets

    sheets, _ = load_sheets(demo.project)
    if "palermo" not in sheets:
        pytest.skip("la scheda di Palermo non è ancora valida")
    filled, total = sheets["palermo"].completeness()
    assert f"{filled} campi su {total}" in read(demo, "_generato/citta/palermo.md")


def test_unpublished_item_vanishes_on_the_next_run(tmp_path: Path, demo: DemoBuild) -> None:
    project = demo.project
    item = project.items_dir / f"{AUDIO_ID}.yml"
    original = item.read_text(encoding="utf-8")
    try:
        item.write_text(original.replace("access: pubblico", "access: operatori"), encoding="utf-8")
        generate_demo(project)
        assert not (project.docs / "archivio" / AUDIO_ID / "index.md").exists()
        assert AUDIO_ID not in read(demo, "archivio/index.md")
        assert AUDIO_ID not in read(demo, "_generato/citta/roma.md")
    finally:
        item.write_text(original, encoding="utf-8")
        generate_demo(project)
    assert (project.docs / "archivio" / AUDIO_ID / "index.md").exists()


def test_operators_build_includes_operator_items(tmp_path: Path, demo: DemoBuild) -> None:
    internal = generate_demo(demo.project, audience="operatori")
    try:
        page = read(internal, f"archivio/{OPERATORS_ID}/index.md")
        assert "Solo operatori della rete" in page
        assert not (demo.project.docs / "archivio" / RESERVED_ID).exists()
    finally:
        generate_demo(demo.project)


def test_snippet_included_from_two_folders_is_an_error(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p", with_media=False)
    (project.docs / "extra.md").write_text('--8<-- "_generato/mappa.md"\n', encoding="utf-8")
    (project.docs / "citta").mkdir(parents=True, exist_ok=True)
    (project.docs / "citta" / "index.md").write_text(
        '--8<-- "_generato/mappa.md"\n', encoding="utf-8"
    )
    archive = load_archive(project, strict=False)
    with pytest.raises(BuildError, match="cartelle diverse"):
        generate_pages(project, archive, {}, "pubblico", {})


def test_repository_docs_include_only_snippets_that_are_generated(demo: DemoBuild) -> None:
    import re

    generated = {p.relative_to(demo.project.docs).as_posix() for p in demo.pages}
    for page in (REPO / "docs").rglob("*.md"):
        for snippet in re.findall(
            r"_generato/[A-Za-z0-9_./-]+\.md", page.read_text(encoding="utf-8")
        ):
            assert snippet in generated, f"{page}: include {snippet}, che nessuno genera"


def test_published_media_records(demo: DemoBuild) -> None:
    video, audio = demo.media[VIDEO_ID], demo.media[AUDIO_ID]
    assert (video.mime, video.is_video, audio.mime, audio.is_video) == (
        "video/mp4",
        True,
        "audio/mpeg",
        False,
    )
    assert video.poster is not None and video.poster.read_bytes()[:2] == b"\xff\xd8"  # JPEG
    assert audio.poster is None
    assert abs(video.duration - 20) < 0.5
    # the item has redactions: media and captions are redacted copies, never the originals
    assert video.vtt == demo.project.build_dir / "redatti" / f"{VIDEO_ID}.vtt"
    assert "[omissis]" in video.vtt.read_text()
    assert video.media.parent == demo.project.build_dir / "pubblicati"
    assert audio.media.parent == demo.project.build_dir / "pubblicati"  # sanitised copies too
    assert sorted(video.site_files()) == sorted(
        f"{VIDEO_ID}{ext}"
        for ext in (".mp4", ".jpg", "-320.jpg", ".vtt", ".srt", ".txt", ".capitoli.vtt")
    )
    assert video.chapters is not None and audio.chapters is None  # only items with chapters
    # probed once: the next run reads the cache
    assert list(demo.project.cache.glob("probe*.json"))


def test_audio_in_a_video_container_is_announced_as_audio() -> None:
    from lgnet.publish import mime_type

    assert mime_type(Path("x.mp4"), is_video=False) == "audio/mp4"
    assert mime_type(Path("x.M4A"), is_video=False) == "audio/mp4"
    assert mime_type(Path("x.webm"), is_video=True) == "video/webm"


# --- escaping: media paths, front matter, site URL --------------------------------------------


def test_a_media_file_name_cannot_break_out_of_an_attribute(demo: DemoBuild) -> None:
    import dataclasses

    from lgnet.pages.components import render_macro
    from lgnet.pages.recording import player

    item = demo.archive.items[VIDEO_ID]
    published = dataclasses.replace(
        demo.media[VIDEO_ID], media=Path('video.mp4" onerror="alert(1)')
    )
    data = player(item, published, f"archivio/{VIDEO_ID}/")
    html_text = render_macro("partials/player.html", "player", data)
    assert '" onerror="' not in html_text
    assert "&quot; onerror=&quot;alert(1)" in html_text


def test_front_matter_hook_escapes_strings_once() -> None:
    from jinja2 import Environment

    from lgnet.mkdocs_hooks import escape_front_matter, is_generated

    meta = escape_front_matter(
        {"title": 'Ciò "v" & <b>', "hide": ["toc"], "n": 3, "fact": {"value": "<i>"}}
    )
    assert meta["title"] == "Ciò &quot;v&quot; &amp; &lt;b&gt;"
    assert meta["hide"] == ["toc"] and meta["n"] == 3
    assert meta["fact"] == {"value": "&lt;i&gt;"}
    # Material escapes some values again (`| e`): an escaped value is not escaped twice.
    template = Environment(autoescape=False).from_string("{{ t }}|{{ t | e }}")
    assert template.render(t=meta["title"]) == f"{meta['title']}|{meta['title']}"
    assert escape_front_matter(meta)["title"] == meta["title"]
    # Pages of the pages stage arrive escaped: only marked, not escaped again.
    assert escape_front_matter("&lt;b&gt;", escaped=True) == "&lt;b&gt;"
    assert is_generated("archivio/x/index.md") and is_generated("percorsi/index.md")
    assert not is_generated("citta/palermo.md") and not is_generated("archivio.md")


def test_generated_front_matter_is_escaped_for_the_themes(demo: DemoBuild) -> None:
    page = read(demo, f"archivio/{XSS_ID}/index.md")
    front = page.split("---\n")[1]
    title = yaml.safe_load(front)["title"]
    assert "<" not in title and html.unescape(title).startswith("Prova <script>")


@pytest.mark.parametrize(
    "url",
    [
        'https://www.comune.example.it/lgnet/"><script>alert(1)</script>',
        "https://www.comune.example.it/<lgnet>/",
        "https://www.comune.example.it/lg net/",
        "https://www.comune.example.it/lgnet\\/",
        "https://www.comune.example.it/`lgnet`/",
        "https://www.comune.example.it/{lgnet}/",
        "https://www.comune.example.it/lg|net/",
        "https://www.comune.example.it/lg^net/",
        "https://www.comune.example.it/lgnet/%zz/",
        "https://www.comune.example.it/lgnet/\x00",
    ],
)
def test_site_url_outside_rfc_3986_is_refused(url: str) -> None:
    from lgnet.site import check_site_url

    with pytest.raises(BuildError) as err:
        check_site_url(url)
    message = str(err.value)
    assert "\n" not in message and message.startswith("--site-url: indirizzo non valido")


def test_valid_site_urls_are_kept() -> None:
    from lgnet.site import check_site_url

    assert check_site_url("https://www.comune.example.it/lgnet") == (
        "https://www.comune.example.it/lgnet/"
    )
    assert check_site_url("http://127.0.0.1:8000/a%20b/l'archivio/") == (
        "http://127.0.0.1:8000/a%20b/l'archivio/"
    )


# --- templates: escaping is the default --------------------------------------------------------

PAGE_TEMPLATES = {
    "recording.md",
    "catalogue.md",
    "path.md",
    "path_index.md",
    "city.md",
    "area.md",
    "glossary.md",
    "map.md",
    "home.md",
    # the correction view of `lgnet serve` (lgnet.correction_view): never in a built site
    "correzione/indice.html",
    "correzione/vista.html",
}


def test_every_template_compiles_with_autoescape_on() -> None:
    from jinja2 import StrictUndefined, UndefinedError

    from lgnet.pages.components import environment, render

    env = environment()
    names = env.list_templates()
    assert set(names) >= PAGE_TEMPLATES
    assert all(n in PAGE_TEMPLATES or n.startswith("partials/") for n in names)
    assert env.undefined is StrictUndefined
    for name in names:
        assert env.autoescape is True or env.autoescape(name)
        env.get_template(name)  # compiles
    # a page rendered without its data fails loudly instead of printing nothing
    for name in PAGE_TEMPLATES:
        with pytest.raises(UndefinedError):
            render(name)


def test_every_generated_file_shows_the_payload_as_text(demo: DemoBuild) -> None:
    for path in demo.pages:
        text = path.read_text(encoding="utf-8")
        assert "<script>window" not in text and "<img src=x" not in text, path


def test_map_and_glossary_show_city_and_term_data_as_text(demo: DemoBuild) -> None:
    """The demo's cities and glossary are the repository's: give them payloads here."""
    import dataclasses

    from lgnet.pages.context import Includer, SiteContext
    from lgnet.pages.glossary import render_glossary_snippet
    from lgnet.pages.map import render_map_snippet

    cities = {
        slug: city.model_copy(update={"name": f"{city.name} {PAYLOAD}", "region": PAYLOAD})
        for slug, city in demo.archive.cities.items()
    }
    terms = [
        t.model_copy(
            update={"term": f"{PAYLOAD}{t.term}", "definition": PAYLOAD, "aliases": [PAYLOAD]}
        )
        for t in demo.archive.glossary
    ]
    archive = dataclasses.replace(demo.archive, cities=cities, glossary=terms)
    items = archive.published("pubblico")
    site = SiteContext(demo.project, archive, "pubblico", items, {}, demo.media, {}, {})
    texts = [
        render_map_snippet(site, Includer("citta", is_index=True)),
        render_glossary_snippet(site, Includer("", is_index=False)),
    ]
    for text in texts:
        assert "<script>" not in text and "<img src=x" not in text
        assert "&lt;script&gt;" in text
    assert 'onerror=&quot;window.__pwned=1&quot;">' not in texts[0]  # no attribute breaks out


# Page HTML belongs in lgnet/templates/: a string literal in Python with one of these tags is
# HTML assembled by hand. Docstrings may show examples.
_HTML_TAG = re.compile(
    r"<(div|a|p|span|li|ul|ol|section|article|nav|dl|dt|dd|h[1-6]|figure|figcaption|svg|g|"
    r"circle|path|text|button|input|label|select|option|img|meter|form|br|time|source|track|"
    r"strong|em|table|tr|td|th|video|audio)[\s>/]"
)


def _string_literals(tree: ast.AST) -> Iterator[ast.Constant]:
    docstrings = {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    }
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
        ):
            yield node


def test_no_python_module_assembles_html() -> None:
    package = REPO / "scripts" / "lgnet"
    found = []
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in _string_literals(tree):
            if _HTML_TAG.search(node.value):
                found.append(f"{path.relative_to(REPO)}:{node.lineno}: {node.value[:60]!r}")
    assert found == []
