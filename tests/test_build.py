"""`lgnet build` on the shipped demo archive: audiences, leak audit, redaction everywhere."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lgnet.archive import load_archive
from lgnet.audit import audit_site, normalise
from lgnet.build import run_build
from lgnet.media import media_sha256
from lgnet.project import Project
from lgnet.transcripts import load_transcripts

from .conftest import copy_project
from .test_redact import mean_volume

OPERATORS_ONLY = "bolzano-nota-operatori"
RESERVED = "genova-testimonianza-riservata"
REDACTED_ITEM = "palermo-safe-space"


def secrets_of(project: Project, item_id: str) -> list[str]:
    """Strings of an item that must not appear: id, title, and its transcript sentences (but
    not a sentence another recording says word for word, such as a list of the cities)."""
    archive = load_archive(project)
    transcripts = load_transcripts(project.transcripts, list(archive.items))
    elsewhere = {
        normalise(s.text)
        for other, transcript in transcripts.items()
        if other != item_id
        for s in transcript.segments
    }
    texts = [normalise(s.text) for s in transcripts[item_id].segments if len(s.text) > 20]
    return [item_id, normalise(archive.items[item_id].title), *(set(texts) - elsewhere)]


def scan(site: Path, needles: list[str], hashes: set[str]) -> list[str]:
    """Every (file, needle) where a needle or a forbidden media file appears in the output."""
    found = []
    for path in site.rglob("*"):
        if not path.is_file():
            continue
        if path.stat().st_size > 1024 and media_sha256(path) in hashes:
            found.append(f"{path}: media")
        data = normalise(path.read_bytes().decode("utf-8", "replace"))
        found += [f"{path}: {n}" for n in needles if n.lower() in data]
    return found


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Project]:
    out = {}
    for audience in ("pubblico", "operatori"):
        project = copy_project(tmp_path_factory.mktemp(audience) / "p")
        run_build(project, audience=audience, transcribe=False)
        out[audience] = project
    return out


def test_public_build_contains_nothing_of_non_public_items(builds: dict[str, Project]) -> None:
    project = builds["pubblico"]
    needles = secrets_of(project, OPERATORS_ONLY) + secrets_of(project, RESERVED)
    archive = load_archive(project)
    hashes = {
        media_sha256(archive.items[i].media_path(project)) for i in (OPERATORS_ONLY, RESERVED)
    }
    assert scan(project.site, needles, hashes) == []
    assert (project.site / "archivio" / REDACTED_ITEM / "index.html").exists()
    assert (project.site / "assets" / "cerca").is_dir()  # the search index was scanned too


def test_operators_build_has_operator_items_but_never_reserved_ones(
    builds: dict[str, Project],
) -> None:
    project = builds["operatori"]
    site = project.site_for("operatori")
    assert site.name == "site-operatori" and not project.site.exists()
    assert (site / "archivio" / OPERATORS_ONLY / "index.html").exists()
    archive = load_archive(project)
    hashes = {media_sha256(archive.items[RESERVED].media_path(project))}
    assert scan(site, secrets_of(project, RESERVED), hashes) == []


def test_redacted_span_is_gone_from_text_captions_search_and_audio(
    builds: dict[str, Project],
) -> None:
    project = builds["pubblico"]
    transcript = load_transcripts(project.transcripts, [REDACTED_ITEM])[REDACTED_ITEM]
    item = load_archive(project).items[REDACTED_ITEM]
    span = item.redactions[0]
    said = [s.text for s in transcript.segments if span.start <= s.start and s.end <= span.end + 1]
    assert said, "the demo transcript should have speech inside the redacted span"
    hits = scan(project.site, [normalise(t) for t in said], set())
    assert hits == []
    vtt = (project.site / "media" / f"{REDACTED_ITEM}.vtt").read_text()
    assert "[omissis]" in vtt
    media = next((project.site / "media").glob(f"{REDACTED_ITEM}.mp4"))
    assert mean_volume(media, span.start + 0.3, span.end - 0.3) < -80
    assert mean_volume(media, 5.0, 30.0) > -50
    original = item.media_path(project)
    assert mean_volume(original, span.start + 0.3, span.end - 0.3) > -50  # archive untouched


def test_the_leak_audit_fails_a_build_with_a_planted_leak(builds: dict[str, Project]) -> None:
    project = builds["pubblico"]
    archive = load_archive(project)
    transcripts = load_transcripts(project.transcripts, list(archive.items))
    sentence = transcripts[RESERVED].segments[0].text
    planted = project.site / "glossario" / "index.html"
    original = planted.read_text()
    leaked_media = project.site / "media" / "copia.m4a"
    try:
        planted.write_text(original.replace("</main>", f"<p>{sentence}</p></main>"))
        shutil.copy(archive.items[OPERATORS_ONLY].media_path(project), leaked_media)
        problems = [
            str(p) for p in audit_site(project, archive, transcripts, "pubblico", project.site)
        ]
        assert any("glossario/index.html" in p and RESERVED in p for p in problems), problems
        assert any("copia.m4a" in p and OPERATORS_ONLY in p for p in problems), problems
    finally:
        planted.write_text(original)
        leaked_media.unlink(missing_ok=True)
    assert audit_site(project, archive, transcripts, "pubblico", project.site) == []


def test_a_reserved_sentence_quoted_on_a_page_fails_the_build(tmp_path: Path) -> None:
    """An editor quotes a reserved testimony on a hand-written page: the build must refuse."""
    project = copy_project(tmp_path / "p")
    sentence = load_transcripts(project.transcripts, [RESERVED])[RESERVED].segments[0].text
    page = project.docs / "storia.md"
    page.write_text(page.read_text() + f"\n\n> {sentence}\n")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "lgnet.cli",
            "build",
            "--no-transcribe",
            "--root",
            str(project.root),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert any("site/storia/index.html" in line and RESERVED in line for line in lines), lines


@pytest.mark.parametrize("change", ["withdrawn: true", "consent_expires: 2020-01-01"])
def test_withdrawn_or_expired_consent_unpublishes(tmp_path: Path, change: str) -> None:
    project = copy_project(tmp_path / "p")
    item_file = project.items_dir / "rete-da-lgnetea-a-lgnet2.yml"
    item_file.write_text(item_file.read_text() + f"\n{change}\n")
    site = run_build(project, audience="operatori", transcribe=False).site
    assert not (site / "archivio" / "rete-da-lgnetea-a-lgnet2").exists()
    needles = secrets_of(project, "rete-da-lgnetea-a-lgnet2")
    assert scan(site, needles, set()) == []
