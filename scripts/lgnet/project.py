"""Where things live: the project's folders, and the cache shared between runs.

Every stage receives a `Project` instead of guessing paths, so tests can point the whole
pipeline at a copy of the archive in a temporary directory.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from lgnet.errors import LgnetError

GENERATED_DOCS = "_generato"  # sub-folder of docs/ that the pages stage owns (git-ignored)


@dataclass(frozen=True)
class Project:
    root: Path

    @property
    def archive(self) -> Path:
        return self.root / "archive"

    @property
    def items_dir(self) -> Path:
        return self.archive / "items"

    @property
    def paths_dir(self) -> Path:
        return self.archive / "paths"

    @property
    def cities_file(self) -> Path:
        return self.archive / "cities.yml"

    @property
    def glossary_file(self) -> Path:
        return self.archive / "glossary.yml"

    @property
    def sources_file(self) -> Path:
        return self.archive / "sources.yml"

    @property
    def transcripts(self) -> Path:
        return self.root / "transcripts"

    @property
    def docs(self) -> Path:
        return self.root / "docs"

    @property
    def generated_docs(self) -> Path:
        return self.docs / GENERATED_DOCS

    @property
    def site(self) -> Path:
        """The public site's default folder."""
        return self.root / "site"

    def site_for(self, audience: str) -> Path:
        """Each audience has its own default folder: a staff build never lands in site/."""
        return self.site if audience == "pubblico" else self.root / f"site-{audience}"

    @property
    def sources(self) -> list[Path]:
        """Folders people write: no command may write its outputs into them."""
        return [
            self.archive,
            self.transcripts,
            self.docs,
            self.root / "overrides",
            self.root / ".git",
        ]

    @property
    def build_lock(self) -> Path:
        return self.build_dir / "build.lock"

    @property
    def build_dir(self) -> Path:
        """Intermediate build products (index shards, published media) — git-ignored."""
        return self.root / ".build"

    @property
    def cache(self) -> Path:
        return cache_dir()

    def rel(self, path: Path) -> str:
        """A path as the user should read it: relative to the project when possible."""
        try:
            return str(path.resolve().relative_to(self.root.resolve()))
        except ValueError:
            return str(path)

    @classmethod
    def find(cls, start: Path | None = None) -> Project:
        """The project containing `start` (default: $LGNET_ROOT or the working directory)."""
        env = os.environ.get("LGNET_ROOT")
        here = Path(env) if env and start is None else (start or Path.cwd())
        here = here.resolve()
        for candidate in (here, *here.parents):
            if (candidate / "archive").is_dir() and (candidate / "mkdocs.yml").is_file():
                return cls(candidate)
        raise LgnetError(
            f"{here}: non è una cartella del progetto LGNet Archivio (mancano archive/ e "
            "mkdocs.yml); spostarsi nella cartella del progetto o usare --root"
        )


def cache_dir() -> Path:
    """Cache for assembled models and decoded audio, shared by all checkouts of a user."""
    env = os.environ.get("LGNET_CACHE_DIR")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "lgnet"
