"""schema.org JSON-LD (lgnet.structured) for recordings and cities."""

from __future__ import annotations

import json
from pathlib import Path

from lgnet.archive import load_archive
from lgnet.knowledge import load_sheets, load_sources
from lgnet.project import Project
from lgnet.publish import PublishedMedia, decide
from lgnet.structured import jsonld_city, jsonld_recording, jsonld_script
from lgnet.transcripts import load_transcripts

from .conftest import REPO

SITE_URL = "https://www.comune.example.it/lgnet/"


def fake_media(item_id: str, is_video: bool, duration: float) -> PublishedMedia:
    ext = ".mp4" if is_video else ".m4a"
    return PublishedMedia(
        item_id=item_id,
        media=Path(f"/x/{item_id}{ext}"),
        mime="video/mp4" if is_video else "audio/mp4",
        is_video=is_video,
        poster=Path("/x/p.jpg") if is_video else None,
        duration=duration,
        vtt=Path("/x/c.vtt"),
        srt=None,
        txt=None,
    )


def test_every_published_recording_block_serialises_with_its_fields() -> None:
    project = Project(REPO)
    archive = load_archive(project)
    publication = decide(
        archive, load_transcripts(project.transcripts, list(archive.items)), "pubblico"
    )
    assert publication.items
    for item in publication.items:
        is_video = item.media.endswith(".mp4")
        media = fake_media(item.id, is_video, 89.2)
        transcript = publication.transcripts.get(item.id)
        data = jsonld_recording(
            item,
            media,
            transcript,
            city=publication.archive.cities.get(item.city),
            city_name=publication.archive.city_name(item.city),
            site_url=SITE_URL,
        )
        data = json.loads(json.dumps(data, ensure_ascii=False))
        assert data["@context"] == "https://schema.org"
        assert data["@type"] == ("VideoObject" if is_video else "AudioObject")
        for key in ("name", "description", "uploadDate", "duration", "contentUrl", "inLanguage",
                    "license", "isAccessibleForFree", "potentialAction"):  # fmt: skip
            assert data[key] not in (None, ""), key
        assert data["duration"] == "PT1M29S"
        assert data["uploadDate"] == item.date
        assert data["contentUrl"].startswith(SITE_URL + "media/")
        assert data["isAccessibleForFree"] is True
        if is_video:
            assert data["thumbnailUrl"] == [f"{SITE_URL}media/{item.id}.jpg"]
        if transcript is not None:
            assert data["transcript"] == " ".join(transcript.text.split())
        action = data["potentialAction"]
        assert action["@type"] == "SeekToAction"
        assert action["target"] == f"{SITE_URL}archivio/{item.id}/#t={{seek_to_second_number}}"
        assert action["startOffset-input"] == "required name=seek_to_second_number"
        clips = data.get("hasPart", [])
        # chapters past the (fake) 89.2 s of media are no clips
        assert [c["name"] for c in clips] == [c.title for c in item.chapters if c.start < 89.2]
        for clip in clips:
            assert clip["@type"] == "Clip" and clip["endOffset"] > clip["startOffset"]
            assert clip["url"].startswith(f"{SITE_URL}archivio/{item.id}/#t=")


def test_redacted_words_never_reach_the_transcript_property() -> None:
    project = Project(REPO)
    archive = load_archive(project)
    publication = decide(
        archive, load_transcripts(project.transcripts, list(archive.items)), "pubblico"
    )
    item = archive.items["palermo-safe-space"]
    data = jsonld_recording(
        item,
        fake_media(item.id, True, 58),
        publication.transcripts[item.id],
        city=archive.cities["palermo"],
        city_name="Palermo",
    )
    assert "[omissis]" in data["transcript"]
    assert data["license"] == "https://creativecommons.org/publicdomain/zero/1.0/"
    # without a site URL, links are relative to the recording page
    assert data["url"] == "../../archivio/palermo-safe-space/"
    assert data["contentUrl"] == "../../media/palermo-safe-space.mp4"
    assert data["contentLocation"]["address"]["addressLocality"] == "Palermo"


def test_city_blocks_hold_only_sourced_facts() -> None:
    project = Project(REPO)
    archive = load_archive(project)
    sheets, problems = load_sheets(project)
    sources, _ = load_sources(project)
    assert sheets and not problems
    for slug, sheet in sheets.items():
        data = json.loads(
            json.dumps(jsonld_city(sheet, archive.cities.get(slug), sources, site_url=SITE_URL))
        )
        place, *rest = data["@graph"]
        assert place["@type"] == "Place"
        assert place["@id"] == f"{SITE_URL}citta/{slug}/#citta"
        assert place["address"]["addressCountry"] == "IT"
        if sheet.front.partner is None:
            assert rest == []
            continue
        (partner,) = rest
        assert partner["name"] == sheet.front.partner.value
        assert partner["@type"] in ("GovernmentOrganization", "Organization")
        if partner["name"].startswith("Comune di "):
            assert partner["@type"] == "GovernmentOrganization"
        assert partner["citation"], slug  # every fact cites its sources
        cited = {c["name"] for c in partner["citation"]}
        assert cited <= {" ".join(s.title.split()) for s in sources.values()}
        if sheet.front.services is None:
            assert "makesOffer" not in partner


def test_script_element_cannot_be_closed_by_data() -> None:
    html = jsonld_script({"name": "</script><script>alert(1)</script> & <!--"})
    assert html.startswith('<script type="application/ld+json">')
    assert html.count("</script>") == 1 and html.endswith("</script>")
    inner = html.removeprefix('<script type="application/ld+json">').removesuffix("</script>")
    assert json.loads(inner)["name"] == "</script><script>alert(1)</script> & <!--"
