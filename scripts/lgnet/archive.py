"""The archive catalogue: items, cities and glossary, read from YAML and validated.

Validation uses pydantic models (extra keys forbidden); pydantic's errors are reworded into
Italian sentences that name the file and the key and say what to do. `load_archive` reports
every problem at once.
"""

from __future__ import annotations

import datetime as dt
import difflib
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)
from pydantic import ValidationError as PydanticValidationError

from lgnet import yamlsafe
from lgnet.errors import Problem, ValidationError
from lgnet.project import Project
from lgnet.timecode import parse_time

Kind = Literal["workshop", "pillola", "testimonianza", "docufilm"]
Access = Literal["pubblico", "operatori", "riservato"]
Area = Literal["abitare", "presa-in-carico", "impegno-civico"]
Audience = Literal["pubblico", "operatori"]
WebMode = Literal["automatico", "originale"]

KINDS: tuple[str, ...] = get_args(Kind)
ACCESS_LEVELS: tuple[str, ...] = get_args(Access)
AREAS: tuple[str, ...] = get_args(Area)
AUDIENCES: tuple[str, ...] = get_args(Audience)
NETWORK = "rete"  # pseudo-city for network-wide recordings

KIND_LABELS = {
    "workshop": "Workshop",
    "pillola": "Video pillola",
    "testimonianza": "Testimonianza",
    "docufilm": "Docufilm",
}
AREA_LABELS = {
    "abitare": "Abitare",
    "presa-in-carico": "Presa in carico",
    "impegno-civico": "Impegno civico",
}
ACCESS_LABELS = {
    "pubblico": "Pubblico",
    "operatori": "Solo operatori della rete",
    "riservato": "Riservato",
}
ACCESS_MEANINGS = {
    "pubblico": "sito pubblico",
    "operatori": "solo sito interno degli operatori",
    "riservato": "mai pubblicata",
}
ACCESS_CHOICES = ", ".join(f"'{k}' ({v})" for k, v in ACCESS_MEANINGS.items())

# Lengths past which a text is a paste gone wrong, not a title (the site shows it as a heading).
MAX_TITLE = 500
MAX_SHORT_TEXT = 500  # names, roles, chapter titles, reasons
MAX_LONG_TEXT = 20_000  # descriptions, credits, definitions

ITEM_ID = re.compile(r"^[a-z0-9-]+$")
_PARTIAL_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def _to_seconds(value: Any) -> float:
    try:
        return parse_time(value)
    except ValueError as exc:
        if len(str(exc)) > 200:  # parse_time quotes the value: keep the message one short line
            raise ValueError(
                "tempo non valido (testo troppo lungo): usare secondi come 84.5 oppure MM:SS"
            ) from None
        raise


Seconds = Annotated[float, BeforeValidator(_to_seconds)]


def _to_date_text(value: Any) -> str:
    """YAML turns 2023-11-03 into a date and 2023 into an int; keep all as text."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not _PARTIAL_DATE.match(value):
        raise ValueError(f"data non valida: {shown(value)} (usare AAAA-MM-GG, AAAA-MM oppure AAAA)")
    parts = [int(p) for p in value.split("-")]
    try:
        dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError:
        raise ValueError(f"data inesistente: {value!r}") from None
    return value


PartialDate = Annotated[str, BeforeValidator(_to_date_text)]


def shown(value: Any, limit: int = 60) -> str:
    """`repr` of a value a person wrote, cut short: a pasted book must not fill the terminal."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 5] + "…" + text[-4:]


# Control characters break DOCX (XML 1.0 forbids them) and terminals; tab and newline are fine.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def control_character_problem(text: str) -> str | None:
    """Why `text` cannot be published as it is, or None."""
    found = _CONTROL.search(text)
    if found is None:
        return None
    return (
        f"carattere di controllo U+{ord(found.group()):04X} nel testo (posizione "
        f"{found.start() + 1}): toglierlo (di solito arriva copiando da un altro programma)"
    )


def _plain_text(value: Any) -> Any:
    texts = value if isinstance(value, list) else [value]
    for text in texts:
        if isinstance(text, str):
            problem = control_character_problem(text)
            if problem:
                raise ValueError(problem)
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: Any) -> Any:
        return _plain_text(value)


SPEAKER_LABEL = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$"


class Speaker(_Strict):
    """A voice of a recording. `label` is what segments and turns carry (`S1`, as a
    diarization names them); `name` may be left out so that only the role is ever shown (the
    consent of a person who may be described but not named). Without a label, the speaker's
    position names it: the first is `S1`, the second `S2`."""

    label: str | None = Field(default=None, pattern=SPEAKER_LABEL)
    name: str | None = Field(default=None, min_length=1, max_length=MAX_SHORT_TEXT)
    role: str | None = Field(default=None, min_length=1, max_length=MAX_SHORT_TEXT)

    @model_validator(mode="after")
    def _named_or_described(self) -> Speaker:
        if self.name is None and self.role is None:
            raise ValueError("indicare il nome o almeno il ruolo di chi parla")
        return self

    @property
    def shown(self) -> str:
        """What the site shows for this voice: the name, or the role alone."""
        return self.name or self.role or ""


class Chapter(_Strict):
    start: Seconds
    title: str = Field(min_length=1, max_length=MAX_SHORT_TEXT)
    synopsis: str = Field(default="", max_length=MAX_LONG_TEXT)
    keywords: list[Annotated[str, Field(min_length=1, max_length=MAX_SHORT_TEXT)]] = []


class Turn(_Strict):
    """A speaker turn given by hand: from `start` to `end` the voice `speaker` (a label of the
    item's `speakers`) is speaking."""

    start: Seconds
    end: Seconds
    speaker: str = Field(min_length=1)

    @model_validator(mode="after")
    def _ordered(self) -> Turn:
        if self.end <= self.start:
            raise ValueError("la fine del turno deve venire dopo l'inizio")
        return self


class Redaction(_Strict):
    start: Seconds
    end: Seconds
    reason: str = Field(min_length=1, max_length=MAX_SHORT_TEXT)
    video: bool = False  # also black out the picture for this span

    @model_validator(mode="after")
    def _ordered(self) -> Redaction:
        if self.end <= self.start:
            raise ValueError("la fine dell'omissis deve venire dopo l'inizio")
        return self


class Item(_Strict):
    """One recording in the archive (`archive/items/<id>.yml`)."""

    id: str
    title: str = Field(min_length=1, max_length=MAX_TITLE)
    kind: Kind
    city: str = Field(min_length=1)
    date: PartialDate
    media: str = Field(min_length=1)
    language: str = "it"
    access: Access  # no default: a forgotten line must never publish a testimony
    areas: list[Area] = []
    speakers: list[Speaker] = []
    description: str = Field(default="", max_length=MAX_LONG_TEXT)
    credits: str = Field(default="", max_length=MAX_LONG_TEXT)
    license: str = Field(default="", max_length=MAX_SHORT_TEXT)
    synthetic: bool = False  # synthetic narration (text-to-speech), labelled on the site
    chapters: list[Chapter] = []
    turns: list[Turn] = []  # speaker turns given by hand (time ranges)
    redactions: list[Redaction] = []
    personal_data: list[str] = []  # names or words to look for when suggesting redactions
    consent_expires: PartialDate | None = None
    withdrawn: bool = False
    external_media: bool = False  # allow an absolute media path outside archive/
    poster_time: Seconds | None = None
    # What the site publishes: a copy made for the web (H.264/AAC, at most 720p; see
    # lgnet.webmedia.web_copy), or the original's streams as they are ("originale")
    web: WebMode = "automatico"

    @field_validator("language")
    @classmethod
    def _language(cls, value: str) -> str:
        if not re.fullmatch(r"[a-z]{2,3}", value):
            raise ValueError(f"codice lingua non valido: {shown(value)} (usare per esempio 'it')")
        return value

    @model_validator(mode="after")
    def _speaker_labels(self) -> Item:
        labels = self.speaker_labels()
        seen: set[str] = set()
        for label in labels:
            if label in seen:
                raise ValueError(
                    f"l'etichetta di voce {shown(label)} è usata due volte in speakers: "
                    "dare a ogni voce un'etichetta diversa"
                )
            seen.add(label)
        for index, turn in enumerate(self.turns):
            if turn.speaker not in seen:
                known = ", ".join(labels) or "nessuna (aggiungere speakers)"
                raise ValueError(
                    f"turns[{index}]: la voce {shown(turn.speaker)} non è tra le voci "
                    f"dell'elemento ({known}); aggiungerla a speakers o correggere l'etichetta"
                )
        return self

    def speaker_labels(self) -> list[str]:
        """Each speaker's label (given, or `S<position>`), in the order of `speakers`."""
        return [s.label or f"S{n}" for n, s in enumerate(self.speakers, 1)]

    def speaker(self, label: str | None) -> Speaker | None:
        """The speaker a segment's or turn's label names (None for none or an unknown one)."""
        if label is None:
            return None
        for known, speaker in zip(self.speaker_labels(), self.speakers, strict=True):
            if known == label:
                return speaker
        return None

    @property
    def year(self) -> str:
        return self.date[:4]

    def media_path(self, project: Project) -> Path:
        return media_path(self.media, project)

    def effective_access(self, today: dt.date | None = None) -> str:
        """Withdrawn consent, or consent past its expiry, makes an item reserved."""
        if self.withdrawn:
            return "riservato"
        if self.consent_expires and _date_end(self.consent_expires) < (today or dt.date.today()):
            return "riservato"
        return self.access

    def published_in(self, audience: str, today: dt.date | None = None) -> bool:
        access = self.effective_access(today)
        if audience == "pubblico":
            return access == "pubblico"
        if audience == "operatori":
            return access in ("pubblico", "operatori")
        return False


def media_path(media: str, project: Project) -> Path:
    """An item's `media` value as a path: relative to archive/, or absolute."""
    path = Path(media)
    return path if path.is_absolute() else project.archive / path


def _date_end(text: str) -> dt.date:
    """The last day a partial date covers (`2025-06` -> 2025-06-30)."""
    parts = [int(p) for p in text.split("-")]
    if len(parts) == 3:
        return dt.date(*parts)
    if len(parts) == 2:
        nxt = dt.date(parts[0] + parts[1] // 12, parts[1] % 12 + 1, 1)
        return nxt - dt.timedelta(days=1)
    return dt.date(parts[0], 12, 31)


class City(_Strict):
    slug: str = Field(pattern=r"^[a-z0-9-]+$")
    name: str = Field(min_length=1)
    region: str | None = None
    lat: float | None = Field(default=None, ge=35.0, le=48.0)
    lon: float | None = Field(default=None, ge=6.0, le=19.0)
    partner: str | None = None  # the partner body named by the sources
    programmes: list[Literal["LGNetEA", "LGNet2"]] = []


class Term(_Strict):
    term: str = Field(min_length=1, max_length=MAX_SHORT_TEXT)
    aliases: list[str] = []
    definition: str = Field(min_length=1, max_length=MAX_LONG_TEXT)
    hint: bool = True  # offered to the speech model as vocabulary
    sources: list[str] = []


@dataclass(frozen=True)
class ItemFile:
    """One file of archive/items/ as read: its keys (when it holds a mapping) and, when they
    are valid, the item. `lgnet check` looks at the media of invalid items too."""

    path: Path
    rel: str
    data: dict[str, Any] | None
    item: Item | None


@dataclass
class Archive:
    items: dict[str, Item]
    cities: dict[str, City]
    glossary: list[Term]
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # one line each, like Problem's
    files: list[ItemFile] = field(default_factory=list)

    def published(self, audience: str, today: dt.date | None = None) -> list[Item]:
        return [i for i in self.items.values() if i.published_in(audience, today)]

    def city_name(self, slug: str) -> str:
        city = self.cities.get(slug)
        return city.name if city else slug

    def vocabulary(self) -> list[str]:
        """Glossary terms (with their spelled-out aliases) to offer the speech model."""
        words: list[str] = []
        for term in self.glossary:
            if term.hint:
                words.append(term.term)
        for city in self.cities.values():
            if city.slug != NETWORK:
                words.append(city.name)
        return list(dict.fromkeys(words))


# --- error wording -------------------------------------------------------------------------


def _key_path(loc: Iterable[int | str]) -> str:
    out = ""
    for part in loc:
        if not isinstance(part, int):
            text = str(part)
            part = shown(text)[1:-1] if _CONTROL.search(text) or len(text) > 60 else text
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _allowed(model: type[BaseModel], loc: tuple[int | str, ...]) -> list[str]:
    """Keys allowed at the place an unknown key was found."""
    current: Any = model
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        info = current.model_fields.get(part) if hasattr(current, "model_fields") else None
        if info is None:
            return []
        ann = info.annotation
        args = [a for a in get_args(ann) if isinstance(a, type)] or [ann]
        nested = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
        if not nested:
            # list[Model]
            for arg in get_args(ann):
                inner = [a for a in get_args(arg) or (arg,) if isinstance(a, type)]
                nested += [a for a in inner if issubclass(a, BaseModel)]
        if not nested:
            return []
        current = nested[0]
    return [k for k in current.model_fields if k != "id"]


def pydantic_problems(
    err: PydanticValidationError, file: str, model: type[BaseModel]
) -> list[Problem]:
    """Turn pydantic's errors into Italian problems that name the file and the key."""
    problems = []
    for e in err.errors():
        loc = tuple(e["loc"])
        key = _key_path(loc) or None
        kind = e["type"]
        if kind == "missing" and model is Item and loc == ("access",):
            msg = f"chiave obbligatoria mancante: aggiungere 'access:' con uno di {ACCESS_CHOICES}"
        elif kind == "missing":
            msg = "chiave obbligatoria mancante: aggiungerla"
        elif kind == "extra_forbidden":
            allowed = _allowed(model, loc)
            guess = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
            msg = "chiave sconosciuta"
            msg += f": forse si intendeva '{guess[0]}'?" if guess else ""
            msg += f" Chiavi ammesse: {', '.join(allowed)}" if allowed else ""
        elif kind == "literal_error" and model is Item and loc == ("access",):
            msg = f"valore non ammesso {shown(e['input'])}; valori ammessi: {ACCESS_CHOICES}"
        elif kind == "literal_error":
            expected = e.get("ctx", {}).get("expected", "")
            msg = f"valore non ammesso {shown(e['input'])}; valori ammessi: {expected}"
            msg = msg.replace(" or ", ", ")
        elif kind in ("string_type", "string_too_short"):
            msg = "serve un testo non vuoto"
        elif kind == "string_too_long":
            limit = e.get("ctx", {}).get("max_length", "?")
            msg = (
                f"testo troppo lungo ({len(e['input'])} caratteri, al massimo {limit}); accorciarlo"
            )
        elif kind in ("float_parsing", "float_type"):
            msg = f"serve un numero, trovato {shown(e['input'])}"
        elif kind in ("greater_than_equal", "less_than_equal"):
            bound = e.get("ctx", {}).get("ge", e.get("ctx", {}).get("le", ""))
            side = "almeno" if kind == "greater_than_equal" else "al massimo"
            msg = f"valore fuori dall'intervallo ammesso ({side} {bound}): {shown(e['input'])}"
        elif kind in ("list_type",):
            msg = "serve un elenco (per esempio [a, b])"
        elif kind in ("bool_type", "bool_parsing"):
            msg = f"serve true oppure false, trovato {shown(e['input'])}"
        elif kind == "model_type" or kind == "dict_type":
            msg = "serve un insieme di chiavi e valori"
        elif kind == "string_pattern_mismatch":
            msg = (
                f"formato non valido: {shown(e['input'])} "
                "(solo lettere minuscole, cifre e trattini)"
            )
        elif kind == "value_error":
            msg = str(e.get("ctx", {}).get("error", e["msg"]))
        else:  # pydantic's own wording is English: say what we know, in Italian
            msg = f"valore non valido: {shown(e.get('input'))}; correggerlo"
        problems.append(Problem(file, msg, key))
    return problems


# libyaml's parser (the same safe constructors and resolvers, in C) reads the catalogue about
# ten times faster than PyYAML's pure-Python one; the latter stays as the fallback.
try:
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # PyYAML built without libyaml
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]


class SafeYamlLoader(_SafeLoader):
    """`yaml.safe_load`'s loader, in C when PyYAML has libyaml."""


class _Loader(SafeYamlLoader):
    """Safe YAML without implicit dates: `2023-13-03` must reach our validator, not crash."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in SafeYamlLoader.yaml_implicit_resolvers.items()
}


def read_yaml(
    path: Path, project: Project, *, limits: yamlsafe.Limits = yamlsafe.LIST_LIMITS
) -> tuple[Any, list[Problem]]:
    """A project YAML file (dates kept as text), read within `limits` (see lgnet.yamlsafe)."""
    return yamlsafe.read(path, project.rel(path), loader=_Loader, limits=limits)


# --- loading -------------------------------------------------------------------------------


def _load_list(
    path: Path, project: Project, model: type[BaseModel], label: str
) -> tuple[list[Any], list[Problem]]:
    rel = project.rel(path)
    if not path.is_file():
        return [], [Problem(rel, f"file mancante: serve l'elenco {label}")]
    data, problems = read_yaml(path, project)
    if problems:
        return [], problems
    if not isinstance(data, list):
        return [], [Problem(rel, f"deve contenere un elenco {label} (righe che iniziano con '-')")]
    out = []
    for index, entry in enumerate(data):
        try:
            out.append(model.model_validate(entry))
        except PydanticValidationError as err:
            for p in pydantic_problems(err, rel, model):
                out_key = f"[{index}]" + (f".{p.key}" if p.key else "")
                problems.append(Problem(rel, p.message, out_key))
    return out, problems


def load_cities(project: Project) -> tuple[dict[str, City], list[Problem]]:
    cities, problems = _load_list(project.cities_file, project, City, "delle città")
    out: dict[str, City] = {}
    for city in cities:
        if city.slug in out:
            problems.append(
                Problem(project.rel(project.cities_file), "città ripetuta", f"{city.slug}")
            )
        out[city.slug] = city
    return out, problems


def load_glossary(project: Project) -> tuple[list[Term], list[Problem]]:
    terms, problems = _load_list(project.glossary_file, project, Term, "dei termini")
    seen: set[str] = set()
    for term in terms:
        if term.term.lower() in seen:
            problems.append(
                Problem(project.rel(project.glossary_file), "termine ripetuto", term.term)
            )
        seen.add(term.term.lower())
    return terms, problems


def _read_item(path: Path, project: Project) -> tuple[ItemFile, list[Problem]]:
    rel = project.rel(path)
    nothing = ItemFile(path, rel, None, None)
    if not ITEM_ID.match(path.stem):
        message = "nome del file non valido: usare solo lettere minuscole, cifre e trattini"
        return nothing, [Problem(rel, message)]
    data, problems = read_yaml(path, project, limits=yamlsafe.ITEM_LIMITS)
    if problems:
        return nothing, problems
    if not isinstance(data, dict):
        return nothing, [Problem(rel, "deve contenere chiavi e valori (per esempio 'title: ...')")]
    if "id" in data:
        message = "l'identificativo è il nome del file: togliere la chiave"
        return ItemFile(path, rel, data, None), [Problem(rel, message, "id")]
    try:
        item = Item.model_validate({**data, "id": path.stem})
    except PydanticValidationError as err:
        return ItemFile(path, rel, data, None), pydantic_problems(err, rel, Item)
    return ItemFile(path, rel, data, item), []


def load_item(path: Path, project: Project) -> tuple[Item | None, list[Problem]]:
    read, problems = _read_item(path, project)
    return read.item, problems


# --- times inside an item ------------------------------------------------------------------


@dataclass(frozen=True)
class ItemTimes:
    """The times an item's keys name, read leniently (a time that does not parse is left out:
    the schema reports it), so that an item with other mistakes is still checked."""

    poster_time: float | None
    chapters: list[tuple[int, float]]  # (index in `chapters`, start)
    redactions: list[tuple[int, float, float]]  # (index in `redactions`, start, end)
    turns: list[tuple[int, float, float]] = field(default_factory=list)  # (index, start, end)


def _seconds_or_none(value: Any) -> float | None:
    try:
        return parse_time(value)
    except (ValueError, TypeError, AttributeError):
        return None


def item_times(data: dict[str, Any]) -> ItemTimes:
    chapters: list[tuple[int, float]] = []
    redactions: list[tuple[int, float, float]] = []
    raw_chapters = data.get("chapters")
    for index, chapter in enumerate(raw_chapters if isinstance(raw_chapters, list) else []):
        start = _seconds_or_none(chapter.get("start")) if isinstance(chapter, dict) else None
        if start is not None:
            chapters.append((index, start))
    redactions = _spans(data.get("redactions"))
    poster = data.get("poster_time")
    poster_time = _seconds_or_none(poster) if poster is not None else None
    return ItemTimes(poster_time, chapters, redactions, _spans(data.get("turns")))


def _spans(raw: Any) -> list[tuple[int, float, float]]:
    spans = []
    for index, span in enumerate(raw if isinstance(raw, list) else []):
        if isinstance(span, dict):
            start, end = _seconds_or_none(span.get("start")), _seconds_or_none(span.get("end"))
            if start is not None and end is not None:
                spans.append((index, start, end))
    return spans


def show_time(seconds: float) -> str:
    """`MM:SS` (`H:MM:SS` past an hour), with tenths when there are any: `01:24`, `01:24.5`."""
    whole, tenth = divmod(round(seconds * 10), 10)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"
    return f"{text}.{tenth}" if tenth else text


def _time_problems(times: ItemTimes, rel: str) -> list[Problem]:
    """Chapters out of order, redactions that overlap: both are typing slips."""
    problems = []
    for (_, before), (index, start) in itertools.pairwise(times.chapters):
        if start <= before:
            problems.append(
                Problem(
                    rel,
                    f"i capitoli devono essere in ordine di tempo ({show_time(start)} viene dopo "
                    f"{show_time(before)}); correggere l'inizio o spostare il capitolo",
                    f"chapters[{index}].start",
                )
            )
    spans = sorted((s, e, i) for i, s, e in times.redactions if e > s)
    reach: tuple[float, float, int] | None = None  # the span reaching furthest so far
    for start, end, index in spans:
        if reach is not None and start < reach[1]:
            problems.append(
                Problem(
                    rel,
                    f"l'omissis {show_time(start)}–{show_time(end)} si sovrappone a "
                    f"redactions[{reach[2]}] ({show_time(reach[0])}–{show_time(reach[1])}); "
                    "unirli in un solo omissis o correggere i tempi",
                    f"redactions[{index}]",
                )
            )
        if reach is None or end > reach[1]:
            reach = (start, end, index)
    turns = sorted((s, e, i) for i, s, e in times.turns if e > s)
    for (s1, e1, i1), (s2, e2, i2) in itertools.pairwise(turns):
        if s2 < e1:
            problems.append(
                Problem(
                    rel,
                    f"il turno {show_time(s2)}–{show_time(e2)} si sovrappone a turns[{i1}] "
                    f"({show_time(s1)}–{show_time(e1)}); un turno deve finire prima che "
                    "cominci il successivo: correggere i tempi",
                    f"turns[{i2}]",
                )
            )
    return problems


# --- the files of archive/items/ ---------------------------------------------------------

ITEM_SUFFIXES = (".yml", ".yaml")
_BACKUP = re.compile(r"(~|\.(bak|orig|old|swp|swo|tmp|save|sav|backup|copia))$", re.IGNORECASE)
_NEAR_MISS = re.compile(r"^(.+?)\.(ya?ml|ym|yl|yam|ymal|yaml?\s+)(\..*|\s.*)?$", re.IGNORECASE)


def _item_files(project: Project) -> tuple[list[Path], list[Problem], list[str]]:
    """The item files of archive/items/, and what is there but would not be read.

    `x.YML`/`x.Yaml` are problems (the site would silently lack the recording, and the other
    stages look for lowercase `.yml`/`.yaml` only): rename them. Anything else that is not an
    item (`x.yml.txt`, `x.yaml~`, `x.bak`, a folder) gets a warning naming the file. Hidden
    files (`.gitkeep`, `.DS_Store`, editors' swap files) are left alone."""
    folder = project.items_dir
    files: list[Path] = []
    problems: list[Problem] = []
    warnings: list[str] = []
    if not folder.is_dir():
        return files, problems, warnings
    for path in sorted(folder.iterdir()):
        name, rel = path.name, project.rel(path)
        near = _NEAR_MISS.match(name)
        if name.startswith("."):
            continue
        if path.suffix in ITEM_SUFFIXES:
            files.append(path)
        elif path.suffix.lower() in ITEM_SUFFIXES:
            problems.append(
                Problem(
                    rel,
                    f"estensione '{path.suffix}' con maiuscole: il file non viene letto; "
                    f"rinominarlo in {path.stem}{path.suffix.lower()}",
                )
            )
        elif path.is_dir():
            warnings.append(
                f"{rel}: le sottocartelle di archive/items/ non vengono lette; spostare le "
                "schede direttamente in archive/items/"
            )
        elif _BACKUP.search(name):
            warnings.append(
                f"{rel}: sembra una copia di riserva e non viene letta; cancellarla o spostarla "
                "fuori da archive/items/"
            )
        elif near:
            warnings.append(
                f"{rel}: non finisce con .yml e non viene letto; se è la scheda di una "
                f"registrazione rinominarlo in {near.group(1).strip()}.yml, altrimenti spostarlo "
                "fuori da archive/items/"
            )
        else:
            warnings.append(
                f"{rel}: non è una scheda .yml e non viene letto; spostarlo fuori da archive/items/"
            )
    return files, problems, warnings


def media_path_problems(media: str, external: bool, project: Project, rel: str) -> list[Problem]:
    raw = Path(media)
    path = media_path(media, project)
    if raw.is_absolute():
        if not external and not _inside(path, project.archive):
            return [
                Problem(
                    rel,
                    f"il percorso assoluto {media} è fuori da archive/: spostare il file in "
                    "archive/media/ oppure aggiungere 'external_media: true'",
                    "media",
                )
            ]
    elif not _inside(path, project.archive):
        return [
            Problem(
                rel,
                f"il percorso {media} esce dalla cartella archive/: usare un percorso "
                "dentro archive/ (per esempio media/nome.mp4)",
                "media",
            )
        ]
    if not path.is_file():
        return [
            Problem(rel, f"file multimediale non trovato: {media} (relativo ad archive/)", "media")
        ]
    return []


def raw_media(data: dict[str, Any] | None) -> tuple[str, bool] | None:
    """`media` and `external_media` of an item's keys, when they have the right types."""
    if data is None:
        return None
    media, external = data.get("media"), data.get("external_media", False)
    if not isinstance(media, str) or not media.strip() or not isinstance(external, bool):
        return None
    if control_character_problem(media):
        return None
    return media.strip(), external


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
        return True
    except (ValueError, OSError):
        return False


def load_archive(project: Project, *, strict: bool = True) -> Archive:
    """Read and validate the whole catalogue; with `strict`, raise with every problem at once.

    Every item file is read even when others are broken, and an item with schema mistakes
    still has its media path, chapter order and redactions checked."""
    cities, problems = load_cities(project)
    glossary, glossary_problems = load_glossary(project)
    problems += glossary_problems
    items: dict[str, Item] = {}
    seen_stems: dict[str, Path] = {}
    if not project.items_dir.is_dir():
        problems.append(Problem(project.rel(project.items_dir), "cartella mancante: crearla"))
    files, file_problems, warnings = _item_files(project)
    problems += file_problems
    read_files: list[ItemFile] = []
    for path in files:
        rel = project.rel(path)
        stem = path.stem.lower()
        if stem in seen_stems:
            problems.append(
                Problem(
                    rel,
                    f"identificativo ripetuto: c'è già {project.rel(seen_stems[stem])}; "
                    "rinominare uno dei due file",
                )
            )
            continue
        seen_stems[stem] = path
        read, item_problems = _read_item(path, project)
        read_files.append(read)
        problems += item_problems
        if read.data is None:
            continue
        item = read.item
        # the city is checked also when other keys are wrong: every problem in one run
        city = item.city if item is not None else read.data.get("city")
        known_city = not isinstance(city, str) or not city.strip() or city.strip() in cities
        if cities and not known_city and isinstance(city, str):
            city = city.strip()
            guess = difflib.get_close_matches(city, list(cities), n=1)
            hint = f": forse '{guess[0]}'?" if guess else ""
            problems.append(
                Problem(
                    rel,
                    f"città sconosciuta {shown(city)}{hint} Usare uno slug di archive/cities.yml",
                    "city",
                )
            )
        media = raw_media(read.data)
        if media is not None:
            problems += media_path_problems(*media, project, rel)
        problems += _time_problems(item_times(read.data), rel)
        if item is not None:
            items[item.id] = item
    problems = sorted(set(problems))
    if strict and problems:
        raise ValidationError(f"{len(problems)} problemi nell'archivio", problems)
    return Archive(
        items=items,
        cities=cities,
        glossary=glossary,
        problems=problems,
        warnings=warnings,
        files=read_files,
    )
