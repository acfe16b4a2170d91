"""Where a command may write: the one place that decides.

Commands that write (`lgnet clip`, `lgnet pack`) never write into the project's sources
(`archive/`, `transcripts/`, `docs/`, the code, `.git`, `mkdocs.yml`…), nor into folders another
stage owns (`site/`, `.build/`), nor over a media file of the archive wherever it lives; they
never write over an existing file unless told (`--overwrite`), and delete only what they
created. Every target is resolved (symlinks followed) before deciding, so a link pointing into
`archive/` is refused like the folder itself.

Output folders (a pack, the default `clips/`) carry a marker, `.lgnet-output.json`, listing
the files the command wrote with their sha256. The rule is:

- a folder that does not exist, or is empty, is taken;
- a folder that is not empty and has no marker is refused: it holds someone else's files, and
  telling them apart from ours would be a guess;
- a folder whose marker belongs to another command (another path's pack, `clip`) is refused;
- in a folder with our marker, a file we would write that already exists is replaced only with
  `--overwrite` and only if the marker lists it; files that are not listed are never touched;
- a pack re-made with `--overwrite` deletes the files its marker listed and that are no longer
  part of the pack, but only if they are unchanged since it wrote them (same sha256): a file
  a person edited is left where it is.

Files are first written into a temporary folder created next to their destination, and moved
into place only once all of them are ready, so a failure leaves nothing half-written.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from lgnet.errors import LgnetError
from lgnet.fsutil import TMP_PREFIX, atomic_write_text, sha256_file
from lgnet.project import Project

if TYPE_CHECKING:
    from lgnet.archive import Archive

MARKER = ".lgnet-output.json"

# Top-level folders of the project a command must never write into, and why (for the message).
PROTECTED_DIRS = {
    "archive": "è il catalogo (schede e media)",
    "transcripts": "contiene le trascrizioni",
    "docs": "contiene le pagine del sito",
    "overrides": "contiene i modelli grafici del sito",
    ".git": "è la storia del progetto",
    "scripts": "contiene il programma",
    "tests": "contiene i test",
    "bench": "contiene i benchmark",
    "devdocs": "contiene le note per gli sviluppatori",
    ".ci": "contiene l'integrazione continua",
    ".venv": "contiene l'ambiente Python",
    "site": "è il sito generato da 'lgnet build'",
    ".build": "contiene i prodotti intermedi di 'lgnet build'",
}
# Files at the top of the project that are sources, whatever the option.
PROTECTED_FILES = frozenset(
    {
        "mkdocs.yml",
        "pyproject.toml",
        "README.md",
        "Makefile",
        "LICENSE",
        ".gitignore",
        ".gitattributes",
    }
)

# XML 1.0 refuses C0 controls but tab, newline and carriage return, lone surrogates and
# U+FFFE/U+FFFF; DEL and the C1 controls are legal XML but never meant in a title.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_AS_SPACE = {"\x0b": " ", "\x0c": " "}  # vertical tab, form feed: Word's line/page breaks


class OutputError(LgnetError):
    """A command was asked to write where it must not (sources, media, someone's files)."""


def control_characters(text: str) -> list[str]:
    """The control characters in `text` that no document may hold, as `U+0007`."""
    return sorted({f"U+{ord(c):04X}" for c in _CONTROL.findall(text)})


def clean_text(text: str) -> str:
    """`text` without XML-invalid control characters (tab and newline are kept), for sheets."""
    return _CONTROL.sub(lambda m: _AS_SPACE.get(m.group(), ""), text)


def _resolved(path: Path) -> Path:
    return Path(os.path.abspath(path)).resolve()


@dataclass(frozen=True)
class _Media:
    paths: frozenset[Path]
    inodes: frozenset[tuple[int, int]]


def _archive_media(project: Project, archive: Archive | None) -> _Media:
    """Every media file of the catalogue, resolved (absolute media paths included)."""
    if archive is None:
        from lgnet.archive import load_archive

        try:
            archive = load_archive(project, strict=False)
        except LgnetError:
            return _Media(frozenset(), frozenset())
    paths: set[Path] = set()
    inodes: set[tuple[int, int]] = set()
    for item in archive.items.values():
        path = _resolved(item.media_path(project))
        paths.add(path)
        with contextlib.suppress(OSError):
            st = path.stat()
            inodes.add((st.st_dev, st.st_ino))
    return _Media(frozenset(paths), frozenset(inodes))


def _where(project: Project, path: Path) -> str:
    """`path` as the user wrote it (links not followed), relative to the project if inside."""
    path = Path(os.path.abspath(path))
    for root in (Path(os.path.abspath(project.root)), _resolved(project.root)):
        if path.is_relative_to(root) and path != root:
            return str(path.relative_to(root))
    return str(path)


def _protected(project: Project, target: Path, media: _Media) -> str | None:
    """Why nothing may be written at `target` (already resolved), or None."""
    root = _resolved(project.root)
    if target == root:
        return "è la cartella del progetto"
    if target in root.parents:
        return "contiene il progetto"
    if target.is_relative_to(root):
        parts = target.relative_to(root).parts
        if parts[0] in PROTECTED_DIRS:
            return f"è dentro {parts[0]}/, che {PROTECTED_DIRS[parts[0]]}"
        if len(parts) == 1 and parts[0] in PROTECTED_FILES:
            return "è un file del progetto"
    if target in media.paths:
        return "è un file multimediale dell'archivio"
    with contextlib.suppress(OSError):
        st = target.stat()
        if (st.st_dev, st.st_ino) in media.inodes:
            return "è un file multimediale dell'archivio"
    return None


def _refuse_protected(project: Project, path: Path, media: _Media, what: str) -> None:
    why = _protected(project, _resolved(path), media)
    if why:
        shown = _where(project, path)
        real = _where(project, _resolved(path))
        via = f" (porta a {real})" if real != shown else ""
        raise OutputError(
            f"{shown}{via}: {why} e non può essere usato come {what}; "
            "indicare con -o un altro percorso (per esempio in clips/ o packs/)"
        )


def check_output_file(
    project: Project, path: Path, overwrite: bool, *, archive: Archive | None = None
) -> Path:
    """Refuse `path` as an output file unless it may be written; return it (absolute)."""
    return _check_file(project, path, overwrite, _archive_media(project, archive))


def _check_file(project: Project, path: Path, overwrite: bool, media: _Media) -> Path:
    path = Path(os.path.abspath(path))
    _refuse_protected(project, path, media, "file di uscita")
    if path.is_dir():
        raise OutputError(
            f"{_where(project, path)}: è una cartella; indicare con -o il nome di un file"
        )
    if (path.exists() or path.is_symlink()) and not overwrite:
        raise OutputError(
            f"{_where(project, path)}: il file esiste già; usare --overwrite per sostituirlo "
            "oppure indicare un altro nome con -o"
        )
    for parent in path.parents:
        if parent.exists() and not parent.is_dir():
            raise OutputError(
                f"{_where(project, parent)}: è un file, non una cartella; indicare con -o "
                "un percorso in una cartella"
            )
    return path


def check_output_files(
    project: Project, paths: Iterable[Path], overwrite: bool, *, archive: Archive | None = None
) -> list[Path]:
    """`check_output_file` for several files at once: all are checked before any is written."""
    media = _archive_media(project, archive)
    checked = [_check_file(project, p, overwrite, media) for p in paths]
    if len(set(checked)) != len(checked):
        raise OutputError(
            f"{_where(project, checked[0])}: i file di uscita coincidono (stesso nome); "
            "indicare con -o un nome con l'estensione del video o dell'audio (es. .mp4)"
        )
    return checked


def make_dirs(path: Path) -> list[Path]:
    """Create `path` and its missing parents; return the folders created, deepest last."""
    missing = [p for p in (path, *path.parents) if not p.exists()]
    created = []
    for folder in reversed(missing):
        try:
            folder.mkdir()
        except FileExistsError:
            continue
        created.append(folder)
    return created


def remove_empty_dirs(folders: Iterable[Path]) -> None:
    """Remove folders this run created, deepest first, if they are still empty."""
    for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
        with contextlib.suppress(OSError):
            folder.rmdir()


@contextlib.contextmanager
def staging_dir(parent: Path) -> Iterator[Path]:
    """A fresh temporary folder inside `parent`, removed (with its content) afterwards."""
    staging = Path(tempfile.mkdtemp(prefix=TMP_PREFIX + "lgnet-", dir=parent))
    try:
        yield staging
    finally:
        shutil.rmtree(staging, ignore_errors=True)


@dataclass
class OutputFolder:
    """A folder a command writes into, under the marker rules (see the module's docstring)."""

    project: Project
    path: Path
    overwrite: bool
    owner: str
    previous: dict[str, str] = field(default_factory=dict)
    created: list[Path] = field(default_factory=list)
    _media: _Media = field(default_factory=lambda: _Media(frozenset(), frozenset()))

    @property
    def marker(self) -> Path:
        return self.path / MARKER

    def claim(self, names: Iterable[str]) -> list[Path]:
        """The paths for `names`, refused before anything is written if one may not be."""
        names = list(names)
        paths = []
        for name in names:
            if Path(name).name != name or name in ("", ".", "..", MARKER):
                raise OutputError(f"{name}: nome di file non valido")
            target = self.path / name
            _refuse_protected(self.project, target, self._media, "file di uscita")
            if target.exists() or target.is_symlink():
                if name not in self.previous:
                    raise OutputError(
                        f"{_where(self.project, target)}: il file esiste già e non è stato "
                        "creato da lgnet; spostarlo o scegliere un'altra cartella con -o"
                    )
                if not self.overwrite:
                    raise OutputError(
                        f"{_where(self.project, target)}: il file esiste già; usare "
                        "--overwrite per sostituirlo oppure scegliere un'altra cartella con -o"
                    )
                if target.is_dir() and not target.is_symlink():
                    raise OutputError(
                        f"{_where(self.project, target)}: è una cartella; spostarla o "
                        "scegliere un'altra cartella con -o"
                    )
            paths.append(target)
        if len(set(names)) != len(names):
            raise OutputError(f"{_where(self.project, self.path)}: nomi di file ripetuti")
        return paths

    def open(self) -> None:
        """Create the folder (and its parents) if needed."""
        self.created = make_dirs(self.path)

    def abandon(self) -> None:
        """After a failure: remove the folders `open` created, if they are still empty."""
        remove_empty_dirs(self.created)

    def _write_marker(self, files: dict[str, str]) -> None:
        data = {
            "owner": self.owner,
            "note": (
                "File creati da lgnet: con --overwrite vengono sostituiti solo questi; "
                "gli altri file della cartella non vengono mai toccati."
            ),
            "files": dict(sorted(files.items())),
        }
        atomic_write_text(self.marker, json.dumps(data, ensure_ascii=False, indent=1) + "\n")

    def commit(self, staged: dict[str, Path], *, prune: bool) -> list[Path]:
        """Move `staged` files (name -> temporary path) into the folder, update the marker.

        With `prune`, files the marker listed that were not written again are deleted if
        unchanged since lgnet wrote them (a pack re-made after its path lost an excerpt).
        """
        hashes = {name: sha256_file(tmp) for name, tmp in staged.items()}
        # List the new files before they land, so an interrupted run leaves them claimed.
        self._write_marker({**self.previous, **hashes})
        for name, tmp in staged.items():
            os.replace(tmp, self.path / name)
        kept = dict(hashes)
        for name, digest in self.previous.items():
            if name in hashes:
                continue
            old = self.path / name
            if not old.is_file() or old.is_symlink():
                continue
            if prune and sha256_file(old) == digest:
                old.unlink()
            elif not prune:
                kept[name] = digest
        self._write_marker(kept)
        return [self.path / name for name in sorted(hashes)]


def prepare_output_dir(
    project: Project,
    folder: Path,
    overwrite: bool,
    *,
    owner: str,
    archive: Archive | None = None,
) -> OutputFolder:
    """Refuse `folder` as an output folder unless the marker rules allow it."""
    media = _archive_media(project, archive)
    folder = Path(os.path.abspath(folder))
    _refuse_protected(project, folder, media, "cartella di uscita")
    where = _where(project, folder)
    out = OutputFolder(project, folder, overwrite, owner, _media=media)
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{where}: è un file, non una cartella; indicare con -o una cartella")
    for parent in folder.parents:
        if parent.exists() and not parent.is_dir():
            raise OutputError(f"{_where(project, parent)}: è un file, non una cartella")
    if not folder.is_dir():
        return out
    entries = [p.name for p in folder.iterdir() if not p.name.startswith(TMP_PREFIX + "lgnet-")]
    if not entries:
        return out
    if MARKER not in entries:
        raise OutputError(
            f"la cartella {where} contiene già altri file: sceglierne una vuota o nuova con -o"
        )
    try:
        data = json.loads(out.marker.read_text(encoding="utf-8"))
        files = data["files"]
        previous = {str(k): str(v) for k, v in files.items()}
        marker_owner = str(data["owner"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        raise OutputError(
            f"{_where(project, out.marker)}: elenco dei file creati da lgnet illeggibile; "
            "scegliere una cartella vuota o nuova con -o"
        ) from None
    if marker_owner != owner:
        raise OutputError(
            f"la cartella {where} contiene i file di un altro comando (lgnet {marker_owner}): "
            "sceglierne una vuota o nuova con -o"
        )
    out.previous = previous
    return out
