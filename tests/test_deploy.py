"""The site's output folder: atomic builds, the build lock, deployable modes, safe outputs."""

from __future__ import annotations

import hashlib
import os
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from lgnet.build import run_build
from lgnet.deploy import MARKER, build_lock, staged_site, swap_in
from lgnet.errors import BuildError
from lgnet.project import Project
from lgnet.transcripts import load_transcripts

from .conftest import copy_project

RESERVED = "genova-testimonianza-riservata"


def snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    """Every file below `folder`: content hash and mode."""
    out = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            out[path.relative_to(folder).as_posix()] = (digest, stat.S_IMODE(path.stat().st_mode))
    return out


def leftovers(project: Project) -> list[str]:
    return sorted(
        p.name for p in project.root.iterdir() if ".nuovo-" in p.name or ".vecchio-" in p.name
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Project:
    project = copy_project(tmp_path_factory.mktemp("deploy") / "p")
    run_build(project, transcribe=False)
    return project


def test_a_build_that_fails_leaves_the_previous_site_byte_identical(
    built: Project, tmp_path: Path
) -> None:
    before = snapshot(built.site)
    page = built.docs / "storia.md"
    original = page.read_text(encoding="utf-8")
    try:
        page.write_text('--8<-- "_generato/inesistente.md"\n', encoding="utf-8")
        with pytest.raises(BuildError, match="inesistente"):
            run_build(built, transcribe=False)
    finally:
        page.write_text(original, encoding="utf-8")
    assert snapshot(built.site) == before
    assert leftovers(built) == []


def test_a_leak_fails_the_build_and_publishes_nothing(built: Project) -> None:
    before = snapshot(built.site)
    sentence = load_transcripts(built.transcripts, [RESERVED])[RESERVED].segments[0].text
    page = built.docs / "storia.md"
    original = page.read_text(encoding="utf-8")
    try:
        page.write_text(original + f"\n\n> {sentence}\n", encoding="utf-8")
        with pytest.raises(BuildError) as err:
            run_build(built, transcribe=False)
    finally:
        page.write_text(original, encoding="utf-8")
    lines = err.value.lines()
    # reported with the path the page would have had, not the staging folder's
    assert any(line.startswith("site/storia/index.html") for line in lines), lines
    assert snapshot(built.site) == before
    assert leftovers(built) == []


def test_published_files_are_world_readable_whatever_the_umask(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    old = os.umask(0o077)
    try:
        site = run_build(project, transcribe=False).site
    finally:
        os.umask(old)
    modes = {stat.S_IMODE(p.stat().st_mode) for p in site.rglob("*") if p.is_file()}
    dirs = {stat.S_IMODE(p.stat().st_mode) for p in [site, *site.rglob("*")] if p.is_dir()}
    assert modes == {0o644}
    assert dirs == {0o755}
    assert (site / "media").is_dir() and any((site / "assets" / "cerca").iterdir())


def test_a_second_build_waits_for_the_first(
    built: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    held = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with build_lock(built.build_lock):
            held.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(5)
    with pytest.raises(BuildError, match="un'altra costruzione del sito è in corso"):
        run_build(built, transcribe=False, lock_wait=0.5)
    threading.Timer(1.0, release.set).start()
    started = time.monotonic()
    run_build(built, transcribe=False)
    assert time.monotonic() - started >= 0.5
    holder.join()
    assert "attendo che finisca" in capsys.readouterr().err


def test_each_audience_has_its_own_folder(built: Project) -> None:
    public = snapshot(built.site)
    site = run_build(built, audience="operatori", transcribe=False).site
    assert site == built.root / "site-operatori"
    assert (site / "archivio" / "bolzano-nota-operatori" / "index.html").is_file()
    assert snapshot(built.site) == public
    assert not (built.site / "archivio" / "bolzano-nota-operatori").exists()


def test_an_output_folder_with_a_persons_files_is_refused(built: Project, tmp_path: Path) -> None:
    folder = tmp_path / "Documenti"
    folder.mkdir()
    (folder / "relazione.docx").write_bytes(b"lavoro di una persona")
    with pytest.raises(BuildError, match="non è un sito costruito da lgnet"):
        run_build(built, transcribe=False, output=folder)
    assert sorted(p.name for p in folder.iterdir()) == ["relazione.docx"]


@pytest.mark.parametrize("where", ["archive", "docs/sito", "transcripts", "."])
def test_an_output_folder_inside_the_sources_is_refused(built: Project, where: str) -> None:
    with pytest.raises(BuildError, match="cartella di uscita non ammessa"):
        run_build(built, transcribe=False, output=built.root / where)


def test_a_new_folder_gets_the_site_and_its_marker(built: Project, tmp_path: Path) -> None:
    site = run_build(built, transcribe=False, output=tmp_path / "pubblicazione").site
    assert (site / "index.html").is_file() and (site / MARKER).is_file()
    # and it can be rebuilt into: the marker says a build made it
    run_build(built, transcribe=False, output=site)


def test_swap_replaces_the_folder_whole(tmp_path: Path) -> None:
    target, new = tmp_path / "site", tmp_path / "nuovo"
    target.mkdir()
    (target / "vecchio.html").write_text("v")
    new.mkdir()
    (new / "index.html").write_text("n")
    swap_in(new, target)
    assert sorted(p.name for p in target.iterdir()) == ["index.html"]
    assert not new.exists()


def test_an_exception_inside_the_stage_leaves_the_target_alone(tmp_path: Path) -> None:
    target = tmp_path / "site"
    target.mkdir()
    (target / MARKER).write_text("{}")
    (target / "index.html").write_text("prima")
    with pytest.raises(RuntimeError), staged_site(target, audience="pubblico", protected=[]) as tmp:
        (tmp / "index.html").write_text("dopo")
        raise RuntimeError("guasto")
    assert (target / "index.html").read_text() == "prima"
    assert [p.name for p in tmp_path.iterdir()] == ["site"]


def test_killing_a_build_at_any_moment_keeps_the_previous_site(built: Project) -> None:
    before = snapshot(built.site)
    command = [
        sys.executable,
        "-m",
        "lgnet.cli",
        "build",
        "--no-transcribe",
        "--root",
        str(built.root),
    ]
    for delay in (0.8, 1.6, 2.4, 3.2):
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        snap = snapshot(built.site)
        # killed before the swap: the old site; after it: a complete new one (same content)
        assert snap == before
    run_build(built, transcribe=False)
    assert leftovers(built) == []
    assert snapshot(built.site) == before
