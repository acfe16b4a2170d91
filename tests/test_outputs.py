"""Where commands may write: sources, media and other people's files are never touched."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from lgnet.outputs import (
    MARKER,
    OutputError,
    check_output_file,
    check_output_files,
    clean_text,
    control_characters,
    prepare_output_dir,
    staging_dir,
)
from lgnet.project import Project

CITIES = "- {slug: rete, name: Rete LGNet}\n"


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """A tiny project whose one item keeps its media outside the project (absolute path)."""
    root = tmp_path / "p"
    (root / "archive" / "items").mkdir(parents=True)
    (root / "archive" / "media").mkdir()
    (root / "archive" / "media" / "locale.mp3").write_bytes(b"locale")
    (root / "transcripts").mkdir()
    (root / "transcripts" / "a.vtt").write_text("WEBVTT\n")
    (root / "docs" / "_generato").mkdir(parents=True)
    (root / ".git").mkdir()
    (root / "mkdocs.yml").write_text("site_name: t\n")
    (root / "pyproject.toml").write_text("[project]\n")
    (root / "archive" / "cities.yml").write_text(CITIES)
    (root / "archive" / "glossary.yml").write_text("- {term: FAMI, definition: Fondo}\n")
    outside = tmp_path / "nas" / "esterno.mp3"
    outside.parent.mkdir()
    outside.write_bytes(b"originale")
    common = "kind: workshop\ncity: rete\ndate: 2022\naccess: pubblico\n"
    (root / "archive" / "items" / "esterno.yml").write_text(
        f"title: Esterno\nmedia: {outside}\nexternal_media: true\n" + common
    )
    (root / "archive" / "items" / "locale.yml").write_text(
        "title: Locale\nmedia: media/locale.mp3\n" + common
    )
    return Project(root)


@pytest.mark.parametrize(
    "rel",
    [
        "archive/items/nuovo.yml",
        "archive/media/locale.mp3",
        "transcripts/a.vtt",
        "transcripts/nuovo.vtt",
        "docs/nuovo.md",
        "docs/_generato/x.mp4",
        "docs/archivio/x.mp4",
        "docs/percorsi/x.mp4",
        ".git/config",
        "mkdocs.yml",
        "pyproject.toml",
        "site/x.mp4",
    ],
)
def test_sources_are_refused_even_with_overwrite(project: Project, rel: str) -> None:
    target = project.root / rel
    before = target.read_bytes() if target.exists() else None
    with pytest.raises(OutputError, match="non può essere usato come file di uscita"):
        check_output_file(project, target, overwrite=True)
    assert (target.read_bytes() if target.exists() else None) == before


def test_archive_media_outside_the_project_is_refused(project: Project, tmp_path: Path) -> None:
    media = tmp_path / "nas" / "esterno.mp3"
    with pytest.raises(OutputError, match="è un file multimediale dell'archivio"):
        check_output_file(project, media, overwrite=True)
    hard = tmp_path / "nas" / "copia.mp3"
    os.link(media, hard)  # the same file under another name
    with pytest.raises(OutputError, match="è un file multimediale dell'archivio"):
        check_output_file(project, hard, overwrite=True)
    assert media.read_bytes() == b"originale"
    # A new file next to it is fine: nothing is overwritten.
    assert check_output_file(project, tmp_path / "nas" / "estratto.mp4", overwrite=False)


def test_symlinks_are_followed_before_deciding(project: Project, tmp_path: Path) -> None:
    link_dir = tmp_path / "scorciatoia"
    link_dir.symlink_to(project.archive / "media")
    with pytest.raises(OutputError, match=r"porta a archive/media/nuovo\.mp4"):
        check_output_file(project, link_dir / "nuovo.mp4", overwrite=False)
    with pytest.raises(OutputError, match="è dentro archive/"):
        prepare_output_dir(project, link_dir, overwrite=True, owner="pack x")
    link_file = tmp_path / "estratto.mp3"
    link_file.symlink_to(tmp_path / "nas" / "esterno.mp3")
    with pytest.raises(OutputError, match="è un file multimediale dell'archivio"):
        check_output_file(project, link_file, overwrite=True)


def test_an_existing_file_is_replaced_only_when_told(project: Project, tmp_path: Path) -> None:
    mine = tmp_path / "mio.srt"
    mine.write_text("1\n")
    with pytest.raises(OutputError, match=r"mio\.srt: il file esiste già; usare --overwrite"):
        check_output_file(project, mine, overwrite=False)
    assert check_output_file(project, mine, overwrite=True) == mine
    with pytest.raises(OutputError, match="i file di uscita coincidono"):
        check_output_files(project, [tmp_path / "a.vtt", tmp_path / "a.vtt"], overwrite=False)


def test_the_project_root_and_its_parents_are_not_output_folders(project: Project) -> None:
    with pytest.raises(OutputError, match="è la cartella del progetto"):
        prepare_output_dir(project, project.root, overwrite=True, owner="pack x")
    with pytest.raises(OutputError, match="contiene il progetto"):
        prepare_output_dir(project, project.root.parent, overwrite=True, owner="pack x")
    with pytest.raises(OutputError, match="è dentro docs/"):
        prepare_output_dir(project, project.generated_docs, overwrite=True, owner="pack x")
    # A new folder inside the project, outside its sources, is fine (and not yet created).
    out = prepare_output_dir(project, project.root / "packs" / "x", overwrite=False, owner="x")
    assert not out.path.exists()


def write_pack(folder: Path, project: Project, files: dict[str, str], overwrite: bool) -> None:
    out = prepare_output_dir(project, folder, overwrite, owner="pack x")
    out.claim(files)
    out.open()
    with staging_dir(out.path) as staging:
        for name, text in files.items():
            (staging / name).write_text(text)
        out.commit({name: staging / name for name in files}, prune=True)


def test_a_folder_with_someone_elses_files_is_refused(project: Project, tmp_path: Path) -> None:
    folder = tmp_path / "aula"
    folder.mkdir()
    (folder / "appunti.txt").write_text("miei")
    with pytest.raises(OutputError, match=r"la cartella .*aula contiene già altri file"):
        prepare_output_dir(project, folder, overwrite=True, owner="pack x")
    assert [p.name for p in folder.iterdir()] == ["appunti.txt"]


def test_overwrite_replaces_and_prunes_only_what_lgnet_wrote(
    project: Project, tmp_path: Path
) -> None:
    folder = tmp_path / "pacchetto"
    write_pack(folder, project, {"a.txt": "1", "b.txt": "1", "c.txt": "1"}, overwrite=False)
    marker = json.loads((folder / MARKER).read_text())
    assert marker["owner"] == "pack x" and sorted(marker["files"]) == ["a.txt", "b.txt", "c.txt"]
    (folder / "appunti.txt").write_text("di una persona")
    (folder / "c.txt").write_text("corretto a mano")
    with pytest.raises(OutputError, match=r"a\.txt: il file esiste già; usare --overwrite"):
        write_pack(folder, project, {"a.txt": "2"}, overwrite=False)
    with pytest.raises(OutputError, match=r"appunti\.txt: il file esiste già e non è stato creato"):
        write_pack(folder, project, {"appunti.txt": "2"}, overwrite=True)
    write_pack(folder, project, {"a.txt": "2"}, overwrite=True)
    assert (folder / "a.txt").read_text() == "2"
    assert not (folder / "b.txt").exists()  # listed, unchanged, no longer part of the pack
    assert (folder / "c.txt").read_text() == "corretto a mano"  # listed but edited: kept
    assert (folder / "appunti.txt").read_text() == "di una persona"
    assert sorted(json.loads((folder / MARKER).read_text())["files"]) == ["a.txt"]
    assert not [p for p in folder.iterdir() if p.name.startswith(".tmp-")]
    with pytest.raises(OutputError, match=r"contiene i file di un altro comando \(lgnet pack x\)"):
        prepare_output_dir(project, folder, overwrite=True, owner="pack y")


def test_control_characters_are_found_and_cleaned() -> None:
    assert control_characters("Titolo\x07 con\ttab\ne a capo") == ["U+0007"]
    assert control_characters("Perché è così") == []
    assert clean_text("Titolo\x07\x00 spezzato\x0bqui\ttab\n") == "Titolo spezzato qui\ttab\n"
