"""Open data (lgnet.opendata): IIIF manifests and collection, citations, Atom feed, video
sitemap, catalogue — written only with a site URL, and only of what the build publishes."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import bibtexparser
import jsonschema
import pytest
import rispy

from lgnet.archive import load_archive
from lgnet.audit import TEXT_SUFFIXES, normalise
from lgnet.build import run_build
from lgnet.opendata import CATALOGUE_COLUMNS, SKIPPED, write_open_data
from lgnet.project import Project
from lgnet.publish import decide
from lgnet.transcripts import load_transcripts

from .conftest import DATA, REPO, copy_project

SITE_URL = "https://www.comune.example.it/lgnet/"
OPERATORS_ONLY = "bolzano-nota-operatori"
RESERVED = "genova-testimonianza-riservata"
WITH_CHAPTERS = "rete-da-lgnetea-a-lgnet2"
REDACTED_ITEM = "palermo-safe-space"
ATOM = "{http://www.w3.org/2005/Atom}"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
VIDEO = "{http://www.google.com/schemas/sitemap-video/1.1}"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def open_data_files(site: Path) -> list[Path]:
    """Every file lgnet.opendata writes."""
    files = [
        site / "archivio" / "collection.json",
        site / "feed.xml",
        site / "sitemap-video.xml",
        site / "dati" / "catalogo.csv",
        site / "dati" / "catalogo.json",
    ]
    for folder in sorted((site / "archivio").iterdir()):
        if folder.is_dir():
            files += [folder / n for n in ("manifest.json", *CITATION_NAMES)]
    return files


CITATION_NAMES = ("citazione.json", "citazione.bib", "citazione.ris")


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Project, Path, str]]:
    out = {}
    for audience in ("pubblico", "operatori"):
        project = copy_project(tmp_path_factory.mktemp(audience) / "p")
        result = run_build(project, audience=audience, transcribe=False, site_url=SITE_URL)
        out[audience] = (project, project.site_for(audience), result.summary())
    return out


@pytest.fixture(scope="module")
def schema() -> jsonschema.Draft7Validator:
    data = json.loads((DATA / "iiif" / "iiif_3_0.json").read_text(encoding="utf-8"))
    return jsonschema.Draft7Validator(
        data, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
    )


def published_ids(project: Project, audience: str) -> list[str]:
    return sorted(i.id for i in load_archive(project).published(audience))


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def test_without_site_url_nothing_is_written_and_the_summary_says_so(tmp_path: Path) -> None:
    project = Project(REPO)
    archive = load_archive(project)
    publication = decide(archive, load_transcripts(project.transcripts, []), "pubblico")
    assert write_open_data(project, publication, {}, None, tmp_path) == [SKIPPED]
    assert list(tmp_path.iterdir()) == []
    assert "manca --site-url" in SKIPPED


def test_build_summary_names_what_was_written(builds: dict[str, Any]) -> None:
    summary = builds["pubblico"][2]
    assert "Dati aperti: 7 manifest IIIF" in summary
    assert "sitemap video (4 video)" in summary


def test_every_manifest_and_the_collection_are_valid_iiif(
    builds: dict[str, Any], schema: jsonschema.Draft7Validator
) -> None:
    for audience in ("pubblico", "operatori"):
        project, site, _ = builds[audience]
        ids = published_ids(project, audience)
        documents = [site / "archivio" / i / "manifest.json" for i in ids]
        documents.append(site / "archivio" / "collection.json")
        for path in documents:
            errors = [
                f"{list(e.absolute_path)}: {e.message[:200]}"
                for e in schema.iter_errors(read_json(path))
            ]
            assert errors == [], path
        collection = read_json(site / "archivio" / "collection.json")
        assert collection["type"] == "Collection"
        assert sorted(m["id"] for m in collection["items"]) == sorted(
            f"{SITE_URL}archivio/{i}/manifest.json" for i in ids
        )


def test_video_manifest_has_canvas_media_transcript_chapters_and_rights(
    builds: dict[str, Any],
) -> None:
    project, site, _ = builds["pubblico"]
    data = read_json(site / "archivio" / WITH_CHAPTERS / "manifest.json")
    assert data["@context"] == "http://iiif.io/api/presentation/3/context.json"
    assert data["id"] == f"{SITE_URL}archivio/{WITH_CHAPTERS}/manifest.json"
    assert data["label"] == {"it": ["Da LGNetEA a LGNet2: la rete dei Comuni (racconto sintetico)"]}
    assert list(data["summary"]) == ["it"]
    labels = [row["label"]["it"][0] for row in data["metadata"]]
    for label in ("Città", "Data", "Tipo", "Crediti", "Lingua", "Licenza"):
        assert label in labels
    assert data["rights"] == "http://creativecommons.org/publicdomain/zero/1.0/"
    assert data["requiredStatement"]["label"] == {"it": ["Crediti"]}
    assert data["thumbnail"][0]["id"] == f"{SITE_URL}media/{WITH_CHAPTERS}.jpg"
    (canvas,) = data["items"]
    assert canvas["type"] == "Canvas" and canvas["duration"] > 80
    assert canvas["width"] > 0 and canvas["height"] > 0
    (painting,) = canvas["items"][0]["items"]
    assert painting["motivation"] == "painting"
    assert painting["body"]["type"] == "Video"
    assert painting["body"]["format"] == "video/mp4"
    assert painting["body"]["id"] == f"{SITE_URL}media/{WITH_CHAPTERS}.mp4"
    assert painting["target"] == canvas["id"]
    vtt_page, text_page = canvas["annotations"]
    (vtt,) = vtt_page["items"]
    assert vtt["motivation"] == "supplementing"
    assert vtt["body"]["id"] == f"{SITE_URL}media/{WITH_CHAPTERS}.vtt"
    assert vtt["body"]["format"] == "text/vtt"
    transcript = load_transcripts(project.transcripts, [WITH_CHAPTERS])[WITH_CHAPTERS]
    assert len(text_page["items"]) == len(transcript.segments)
    first = text_page["items"][0]
    assert first["motivation"] == "supplementing"
    assert first["body"]["type"] == "TextualBody"
    assert first["body"]["value"] == " ".join(transcript.segments[0].text.split())
    assert re.fullmatch(re.escape(canvas["id"]) + r"#t=[\d.]+,[\d.]+", first["target"])
    (toc,) = data["structures"]
    chapters = [r["label"]["it"][0] for r in toc["items"]]
    assert chapters == [c.title for c in load_archive(project).items[WITH_CHAPTERS].chapters]
    assert toc["items"][1]["items"] == [{"id": canvas["id"] + "#t=8.8,45.9", "type": "Canvas"}]


def test_audio_manifest_is_a_sound_canvas_without_size(builds: dict[str, Any]) -> None:
    _, site, _ = builds["pubblico"]
    data = read_json(site / "archivio" / "roma-evento-conclusivo" / "manifest.json")
    (canvas,) = data["items"]
    assert "width" not in canvas and "height" not in canvas and canvas["duration"] > 0
    body = canvas["items"][0]["items"][0]["body"]
    assert body["type"] == "Sound" and body["format"].startswith("audio/")
    assert "thumbnail" not in data


def test_redacted_transcript_is_the_one_in_the_manifest(builds: dict[str, Any]) -> None:
    _, site, _ = builds["pubblico"]
    data = read_json(site / "archivio" / REDACTED_ITEM / "manifest.json")
    texts = [a["body"]["value"] for a in data["items"][0]["annotations"][1]["items"]]
    assert "[omissis]" in texts


def test_nothing_of_unpublished_items_in_any_open_data_file(builds: dict[str, Any]) -> None:
    assert {".json", ".xml", ".csv", ".bib", ".ris"} <= TEXT_SUFFIXES  # the audit reads them
    for audience, hidden in (("pubblico", (OPERATORS_ONLY, RESERVED)), ("operatori", (RESERVED,))):
        project, site, _ = builds[audience]
        archive = load_archive(project)
        transcripts = load_transcripts(project.transcripts, list(hidden))
        needles = []
        for item_id in hidden:
            needles += [item_id, normalise(archive.items[item_id].title)]
            needles += [
                normalise(s.text) for s in transcripts[item_id].segments if len(s.text) > 20
            ]
        files = open_data_files(site)
        assert {f.parent.name for f in files if f.name == "manifest.json"} == set(
            published_ids(project, audience)
        )
        for path in files:
            text = normalise(path.read_text(encoding="utf-8"))
            found = [n for n in needles if n.lower() in text]
            assert found == [], path
    operators_site = builds["operatori"][1]
    assert (operators_site / "archivio" / OPERATORS_ONLY / "manifest.json").is_file()
    catalogue = read_json(operators_site / "dati" / "catalogo.json")
    assert OPERATORS_ONLY in [r["id"] for r in catalogue["registrazioni"]]


def test_citation_files_parse(builds: dict[str, Any]) -> None:
    project, site, _ = builds["pubblico"]
    for item_id in published_ids(project, "pubblico"):
        folder = site / "archivio" / item_id
        (csl,) = read_json(folder / "citazione.json")
        assert csl["URL"] == f"{SITE_URL}archivio/{item_id}/"
        assert csl["type"] in ("motion_picture", "song", "interview")
        library = bibtexparser.parse_string((folder / "citazione.bib").read_text(encoding="utf-8"))
        assert not library.failed_blocks and len(library.entries) == 1
        assert library.entries[0].fields_dict["url"].value == csl["URL"]
        (entry,) = rispy.loads((folder / "citazione.ris").read_text(encoding="utf-8"))
        assert entry["urls"] == [csl["URL"]]


def test_atom_feed_is_valid_and_newest_first(builds: dict[str, Any]) -> None:
    project, site, _ = builds["pubblico"]
    feed = ET.parse(site / "feed.xml").getroot()
    assert feed.tag == f"{ATOM}feed"
    for tag in ("id", "title", "updated", "author"):
        assert feed.find(f"{ATOM}{tag}") is not None, tag
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == SITE_URL + "feed.xml"
    assert RFC3339.match(feed.findtext(f"{ATOM}updated") or "")
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == len(published_ids(project, "pubblico"))
    ids = []
    for entry in entries:
        for tag in ("id", "title", "updated", "summary"):
            assert (entry.findtext(f"{ATOM}{tag}") or "").strip(), tag
        assert RFC3339.match(entry.findtext(f"{ATOM}updated") or "")
        alternate = entry.find(f"{ATOM}link[@rel='alternate']")
        assert alternate is not None and alternate.get("href", "").startswith(SITE_URL)
        enclosure = entry.find(f"{ATOM}link[@rel='enclosure']")
        assert enclosure is not None
        assert enclosure.get("type", "").split("/")[0] in ("video", "audio")
        media = site / enclosure.get("href", "").removeprefix(SITE_URL)
        assert int(enclosure.get("length", "0")) == media.stat().st_size
        ids.append(entry.findtext(f"{ATOM}id"))
    assert len(set(ids)) == len(ids)
    updated = [e.findtext(f"{ATOM}updated") or "" for e in entries]
    assert updated == sorted(updated, reverse=True)
    assert feed.findtext(f"{ATOM}updated") == updated[0]


def test_video_sitemap_lists_the_videos(builds: dict[str, Any]) -> None:
    project, site, _ = builds["pubblico"]
    root = ET.parse(site / "sitemap-video.xml").getroot()
    assert root.tag == f"{SM}urlset"
    archive = load_archive(project)
    listed = []
    for url in root.findall(f"{SM}url"):
        loc = url.findtext(f"{SM}loc") or ""
        item_id = loc.removeprefix(SITE_URL + "archivio/").strip("/")
        listed.append(item_id)
        video = url.find(f"{VIDEO}video")
        assert video is not None
        for tag in ("thumbnail_loc", "title", "description", "content_loc", "duration"):
            assert (video.findtext(f"{VIDEO}{tag}") or "").strip(), tag
        assert 1 <= int(video.findtext(f"{VIDEO}duration") or 0) <= 28800
        assert archive.items[item_id].media.endswith(".mp4")
    assert sorted(listed) == [
        "palermo-safe-space",
        "rete-da-lgnetea-a-lgnet2",
        "rete-prova-voci-reali",
        "rete-workshop-dimostrativo",
    ]


def test_catalogue_csv_and_json_agree_and_are_documented(builds: dict[str, Any]) -> None:
    project, site, _ = builds["pubblico"]
    text = (site / "dati" / "catalogo.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert tuple(rows[0]) == CATALOGUE_COLUMNS
    data = read_json(site / "dati" / "catalogo.json")
    records = data["registrazioni"]
    assert [r["id"] for r in rows] == [r["id"] for r in records]
    assert sorted(r["id"] for r in rows) == published_ids(project, "pubblico")
    dates = [r["data"] for r in records]
    assert dates == sorted(dates, reverse=True)
    palermo = next(r for r in records if r["id"] == REDACTED_ITEM)
    assert palermo["omissis"] is True and palermo["supporto"] == "video"
    assert palermo["licenza_uri"] == "http://creativecommons.org/publicdomain/zero/1.0/"
    assert palermo["ambiti"] == ["presa-in-carico"]
    assert palermo["media"] == f"{SITE_URL}media/{REDACTED_ITEM}.mp4"
    row = next(r for r in rows if r["id"] == REDACTED_ITEM)
    assert row["omissis"] == "sì" and row["ambiti"] == "presa-in-carico"
    docs = (REPO / "docs" / "dati.md").read_text(encoding="utf-8")
    for column in CATALOGUE_COLUMNS:
        assert f"`{column}`" in docs, column
