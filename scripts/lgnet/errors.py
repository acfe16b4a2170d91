"""The one exception hierarchy for problems a user can act on.

Library code raises these; the CLI catches `LgnetError` once and prints one line per problem,
never a traceback. Messages are in Italian because municipal operators read them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one file (and, when known, one key or item inside it)."""

    file: str
    message: str
    key: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}: '{self.key}'" if self.key else self.file
        return f"{where}: {self.message}"


class LgnetError(Exception):
    """A problem the user can fix. `str()` is a complete, single-line message."""

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.problems: list[Problem] = problems or []

    def lines(self) -> list[str]:
        if self.problems:
            return [str(p) for p in self.problems]
        return [str(self)]


class ValidationError(LgnetError):
    """The archive, the cities, the glossary or a knowledge page is not valid."""


class MediaError(LgnetError):
    """A media file cannot be read, has no audio, or ffmpeg failed on it."""


class ModelError(LgnetError):
    """The speech-recognition model is missing, corrupt, or cannot be loaded."""


class TranscriptError(LgnetError):
    """A transcript file is malformed or would overwrite a curated one."""


class IndexError_(LgnetError):
    """The search index is missing or cannot be built."""


class BuildError(LgnetError):
    """The site could not be built, or the leak audit found unpublished content."""


class AccessError(LgnetError):
    """The requested use is not allowed by the item's access level or consent."""
