"""Reading YAML written by people, with limits checked before any Python object is built.

A YAML file of one kilobyte can describe billions of values through anchors and aliases
(`&a [x, x]`, `[*a, *a]`, ... — the "billion laughs" document), or nest thousands of lists.
PyYAML builds the aliases as shared objects, but everything after it (pydantic, error messages)
expands them: 400 s, 6 GB of memory and gigabytes of error text for one bad item. So every
document is first walked as a stream of parser events (`yaml.parse`, libyaml in C when
available): linear in the size of the text, building nothing. The walk measures the document
as it would be once every alias is expanded (values, nesting depth, number of aliases) and
refuses it with one Italian line before `yaml.load` runs. It also refuses a key repeated in
the same mapping: YAML keeps the last one silently, so a second `access: pubblico` further down
would override `access: riservato` without a word.

Limits (`Limits`): an item is a few kilobytes (the demo's are 1-3 KB; a three-hour workshop
with hundreds of chapters and redactions stays well under 200 KB), hence 1 MiB and 50,000
values. The lists (glossary, cities, sources, training paths) get 4 MiB and 500,000 values:
the glossary is 15 KB for about a hundred terms, so that is room for tens of thousands of
terms, still read in about a second. Nesting deeper than 20 levels and more than 100 aliases
are refused everywhere: nothing the project reads is nested more than four levels.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from lgnet.errors import Problem

try:
    from yaml import CSafeLoader as _EventLoader
except ImportError:  # PyYAML built without libyaml
    from yaml import SafeLoader as _EventLoader  # type: ignore[assignment]

MiB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_values: int  # scalars and collections, counted with every alias expanded
    max_depth: int = 20
    max_aliases: int = 100


ITEM_LIMITS = Limits(max_bytes=1 * MiB, max_values=50_000)
LIST_LIMITS = Limits(max_bytes=4 * MiB, max_values=500_000)
FRONT_MATTER_LIMITS = ITEM_LIMITS


class YamlLimitError(Exception):
    """The document is over a limit; `str()` is the Italian explanation, `line` counts from 1."""

    def __init__(self, message: str, line: int | None = None, key: str | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.key = key


@dataclass
class _Frame:
    """A sequence or mapping being read."""

    anchor: str | None
    keys: set[str] | None  # mappings: the keys seen so far
    size: int = 1  # values inside, itself included, aliases expanded
    depth: int = 1  # levels of nesting, itself included
    expect_key: bool = True  # mappings: the next node is a key


def _thousands(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def check_limits(text: str, limits: Limits, loader: type[Any] = _EventLoader) -> None:
    """Walk the parser events of `text`; raise YamlLimitError if a limit is exceeded.

    `loader`'s parser reads the events (libyaml's for the C loaders); syntax errors surface as
    `yaml.YAMLError`, exactly as `yaml.load` with that loader would raise them."""
    anchors: dict[str, tuple[int, int]] = {}  # name -> (values once expanded, depth)
    open_anchors: set[str] = set()  # collections being read: an alias to one is a cycle
    stack: list[_Frame] = []
    total = 0
    aliases = 0

    def line_of(event: yaml.Event) -> int | None:
        mark = getattr(event, "start_mark", None)
        return mark.line + 1 if mark is not None else None

    def count(size: int, depth: int, event: yaml.Event) -> None:
        nonlocal total
        total += size
        if total > limits.max_values:
            raise YamlLimitError(
                f"il file, con i riferimenti '*' espansi, conta più di "
                f"{_thousands(limits.max_values)} valori (alias annidati, come nell'attacco "
                "'billion laughs'); scrivere i valori per esteso senza '&' e '*'",
                line_of(event),
            )
        if len(stack) + depth > limits.max_depth:
            raise YamlLimitError(
                f"struttura annidata su più di {limits.max_depth} livelli; semplificare il file",
                line_of(event),
            )

    def check_key(event: yaml.Event) -> None:
        parent = stack[-1] if stack else None
        if parent is None or parent.keys is None or not parent.expect_key:
            return
        if isinstance(event, yaml.ScalarEvent):
            if event.value in parent.keys:
                raise YamlLimitError(
                    "chiave ripetuta, YAML terrebbe solo l'ultima; lasciarne una sola",
                    line_of(event),
                    event.value,
                )
            parent.keys.add(event.value)

    def done(size: int, depth: int) -> None:
        if stack:
            parent = stack[-1]
            parent.size += size
            parent.depth = max(parent.depth, depth + 1)
            if parent.keys is not None:
                parent.expect_key = not parent.expect_key

    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, yaml.ScalarEvent):
            check_key(event)
            count(1, 0, event)
            if event.anchor:
                anchors[event.anchor] = (1, 0)
            done(1, 0)
        elif isinstance(event, yaml.AliasEvent):
            check_key(event)
            aliases += 1
            if aliases > limits.max_aliases:
                raise YamlLimitError(
                    f"più di {limits.max_aliases} riferimenti '*' (alias); scrivere i valori "
                    "per esteso",
                    line_of(event),
                )
            if event.anchor in open_anchors:
                raise YamlLimitError(
                    f"il riferimento '*{event.anchor}' rimanda al valore che lo contiene "
                    "(struttura infinita); toglierlo",
                    line_of(event),
                )
            size, depth = anchors.get(str(event.anchor), (1, 0))  # undefined: yaml.load says so
            count(size, depth, event)
            done(size, depth)
        elif isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
            check_key(event)
            count(1, 1, event)
            if event.anchor:
                open_anchors.add(event.anchor)
            mapping = isinstance(event, yaml.MappingStartEvent)
            stack.append(_Frame(event.anchor, keys=set() if mapping else None))
        elif isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
            frame = stack.pop()
            if frame.anchor:
                open_anchors.discard(frame.anchor)
                anchors[frame.anchor] = (frame.size, frame.depth)
            done(frame.size, frame.depth)


def _too_big(limits: Limits) -> str:
    return (
        f"file troppo grande (oltre {limits.max_bytes // 1024} KB): un file di questo tipo è di "
        "pochi KB; controllare che sia il file giusto"
    )


def load_text(
    text: str,
    rel: str,
    *,
    loader: type[Any],
    limits: Limits,
    first_line: int = 1,
    what: str = "YAML non valido",
) -> tuple[Any, list[Problem]]:
    """`yaml.load(text, Loader=loader)` after the limits; problems instead of exceptions.

    `first_line` is the file line of the text's first line (front matter starts on line 2)."""
    if len(text.encode("utf-8")) > limits.max_bytes:
        return None, [Problem(rel, _too_big(limits))]
    try:
        check_limits(text, limits, loader)  # the same parser: the same syntax errors
        return yaml.load(text, Loader=loader), []
    except YamlLimitError as exc:
        line = f" (riga {exc.line + first_line - 1})" if exc.line else ""
        return None, [Problem(rel, f"YAML rifiutato{line}: {exc}", exc.key)]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (riga {mark.line + first_line}, colonna {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or "sintassi non valida"
        return None, [Problem(rel, f"{what}{where}: {problem}; correggere la sintassi")]
    except RecursionError:  # belt and braces: the depth limit should make this unreachable
        return None, [Problem(rel, "struttura annidata troppo in profondità; semplificare il file")]


def read(path: Path, rel: str, *, loader: type[Any], limits: Limits) -> tuple[Any, list[Problem]]:
    """Read a YAML file (UTF-8, at most `limits.max_bytes`) with `load_text`."""
    try:
        with path.open("rb") as handle:  # bounded read: a symlink to /dev/zero must not hang
            raw = handle.read(limits.max_bytes + 1)
    except IsADirectoryError:
        return None, [Problem(rel, "è una cartella, non un file YAML; spostarla altrove")]
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        return None, [Problem(rel, f"file illeggibile ({reason}); controllarne i permessi")]
    if len(raw) > limits.max_bytes:
        return None, [Problem(rel, _too_big(limits))]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None, [Problem(rel, "il file non è testo UTF-8: salvarlo in UTF-8")]
    return load_text(text, rel, loader=loader, limits=limits)
