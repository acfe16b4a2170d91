"""The archive catalogue: items, cities and glossary, read from YAML and validated.

Validation uses pydantic models (extra keys forbidden); pydantic's errors are reworded into
Italian sentences that name the file and the key and say what to do. `load_archive` reports
every problem at once.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)
from pydantic import ValidationError as PydanticValidationError

from lgnet.errors import Problem, ValidationError
from lgnet.project import Project
from lgnet.timecode import parse_time

Kind = Literal["workshop", "pillola", "testimonianza", "docufilm"]
Access = Literal["pubblico", "operatori", "riservato"]
Area = Literal["abitare", "presa-in-carico", "impegno-civico"]
Audience = Literal["pubblico", "operatori"]

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

ITEM_ID = re.compile(r"^[a-z0-9-]+$")
_PARTIAL_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def _to_seconds(value: Any) -> float:
    return parse_time(value)


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
        raise ValueError(f"data non valida: {value!r} (usare AAAA-MM-GG, AAAA-MM oppure AAAA)")
    parts = [int(p) for p in value.split("-")]
    try:
        dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError:
        raise ValueError(f"data inesistente: {value!r}") from None
    return value


PartialDate = Annotated[str, BeforeValidator(_to_date_text)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Speaker(_Strict):
    name: str = Field(min_length=1)
    role: str | None = None


class Chapter(_Strict):
    start: Seconds
    title: str = Field(min_length=1)


class Redaction(_Strict):
    start: Seconds
    end: Seconds
    reason: str = Field(min_length=1)
    video: bool = False  # also black out the picture for this span

    @model_validator(mode="after")
    def _ordered(self) -> Redaction:
        if self.end <= self.start:
            raise ValueError("la fine dell'omissis deve venire dopo l'inizio")
        return self


class Item(_Strict):
    """One recording in the archive (`archive/items/<id>.yml`)."""

    id: str
    title: str = Field(min_length=1)
    kind: Kind
    city: str = Field(min_length=1)
    date: PartialDate
    media: str = Field(min_length=1)
    language: str = "it"
    access: Access = "pubblico"
    areas: list[Area] = []
    speakers: list[Speaker] = []
    description: str = ""
    credits: str = ""
    license: str = ""
    synthetic: bool = False  # synthetic narration (text-to-speech), labelled on the site
    chapters: list[Chapter] = []
    redactions: list[Redaction] = []
    personal_data: list[str] = []  # names or words to look for when suggesting redactions
    consent_expires: PartialDate | None = None
    withdrawn: bool = False
    external_media: bool = False  # allow an absolute media path outside archive/
    poster_time: Seconds | None = None

    @field_validator("language")
    @classmethod
    def _language(cls, value: str) -> str:
        if not re.fullmatch(r"[a-z]{2,3}", value):
            raise ValueError(f"codice lingua non valido: {value!r} (usare per esempio 'it')")
        return value

    @property
    def year(self) -> str:
        return self.date[:4]

    def media_path(self, project: Project) -> Path:
        path = Path(self.media)
        return path if path.is_absolute() else project.archive / path

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
    term: str = Field(min_length=1)
    aliases: list[str] = []
    definition: str = Field(min_length=1)
    hint: bool = True  # offered to the speech model as vocabulary
    sources: list[str] = []


@dataclass
class Archive:
    items: dict[str, Item]
    cities: dict[str, City]
    glossary: list[Term]
    problems: list[Problem] = field(default_factory=list)

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
        if kind == "missing":
            msg = "chiave obbligatoria mancante: aggiungerla"
        elif kind == "extra_forbidden":
            allowed = _allowed(model, loc)
            guess = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
            msg = "chiave sconosciuta"
            msg += f": forse si intendeva '{guess[0]}'?" if guess else ""
            msg += f" Chiavi ammesse: {', '.join(allowed)}" if allowed else ""
        elif kind == "literal_error":
            expected = e.get("ctx", {}).get("expected", "")
            msg = f"valore non ammesso {e['input']!r}; valori ammessi: {expected}"
            msg = msg.replace(" or ", ", ")
        elif kind in ("string_type", "string_too_short"):
            msg = "serve un testo non vuoto"
        elif kind in ("float_parsing", "float_type"):
            msg = f"serve un numero, trovato {e['input']!r}"
        elif kind in ("greater_than_equal", "less_than_equal"):
            msg = f"valore fuori dall'intervallo ammesso ({e['msg']}): {e['input']!r}"
        elif kind in ("list_type",):
            msg = "serve un elenco (per esempio [a, b])"
        elif kind in ("bool_type", "bool_parsing"):
            msg = f"serve true oppure false, trovato {e['input']!r}"
        elif kind == "model_type" or kind == "dict_type":
            msg = "serve un insieme di chiavi e valori"
        elif kind == "string_pattern_mismatch":
            msg = f"formato non valido: {e['input']!r} (solo lettere minuscole, cifre e trattini)"
        elif kind == "value_error":
            msg = str(e.get("ctx", {}).get("error", e["msg"]))
        else:
            msg = e["msg"]
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


def read_yaml(path: Path, project: Project) -> tuple[Any, list[Problem]]:
    rel = project.rel(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return None, [Problem(rel, "il file non è testo UTF-8: salvarlo in UTF-8")]
    try:
        return yaml.load(text, Loader=_Loader), []
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (riga {mark.line + 1}, colonna {mark.column + 1})" if mark else ""
        what = getattr(exc, "problem", None) or "sintassi non valida"
        return None, [Problem(rel, f"YAML non valido{where}: {what}; correggere la sintassi")]


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


def load_item(path: Path, project: Project) -> tuple[Item | None, list[Problem]]:
    rel = project.rel(path)
    item_id = path.stem
    if not ITEM_ID.match(item_id):
        return None, [
            Problem(rel, "nome del file non valido: usare solo lettere minuscole, cifre e trattini")
        ]
    data, problems = read_yaml(path, project)
    if problems:
        return None, problems
    if not isinstance(data, dict):
        return None, [Problem(rel, "deve contenere chiavi e valori (per esempio 'title: ...')")]
    if "id" in data:
        return None, [Problem(rel, "l'identificativo è il nome del file: togliere la chiave", "id")]
    try:
        return Item.model_validate({**data, "id": item_id}), []
    except PydanticValidationError as err:
        return None, pydantic_problems(err, rel, Item)


def _media_problems(item: Item, project: Project, rel: str) -> list[Problem]:
    raw = Path(item.media)
    path = item.media_path(project)
    if raw.is_absolute():
        if not item.external_media and not _inside(path, project.archive):
            return [
                Problem(
                    rel,
                    f"il percorso assoluto {item.media} è fuori da archive/: spostare il file in "
                    "archive/media/ oppure aggiungere 'external_media: true'",
                    "media",
                )
            ]
    elif not _inside(path, project.archive):
        return [
            Problem(
                rel,
                f"il percorso {item.media} esce dalla cartella archive/: usare un percorso "
                "dentro archive/ (per esempio media/nome.mp4)",
                "media",
            )
        ]
    if not path.is_file():
        return [
            Problem(
                rel, f"file multimediale non trovato: {item.media} (relativo ad archive/)", "media"
            )
        ]
    return []


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
        return True
    except ValueError:
        return False


def load_archive(project: Project, *, strict: bool = True) -> Archive:
    """Read and validate the whole catalogue; with `strict`, raise with every problem at once."""
    cities, problems = load_cities(project)
    glossary, glossary_problems = load_glossary(project)
    problems += glossary_problems
    items: dict[str, Item] = {}
    seen_stems: dict[str, Path] = {}
    files = sorted([*project.items_dir.glob("*.yml"), *project.items_dir.glob("*.yaml")])
    if not project.items_dir.is_dir():
        problems.append(Problem(project.rel(project.items_dir), "cartella mancante: crearla"))
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
        item, item_problems = load_item(path, project)
        problems += item_problems
        if item is None:
            continue
        if cities and item.city not in cities:
            guess = difflib.get_close_matches(item.city, list(cities), n=1)
            hint = f": forse '{guess[0]}'?" if guess else ""
            problems.append(
                Problem(
                    rel,
                    f"città sconosciuta {item.city!r}{hint} Usare uno slug di archive/cities.yml",
                    "city",
                )
            )
        problems += _media_problems(item, project, rel)
        for index, chapter in enumerate(item.chapters[1:], start=1):
            if chapter.start <= item.chapters[index - 1].start:
                problems.append(
                    Problem(
                        rel, "i capitoli devono essere in ordine di tempo", f"chapters[{index}]"
                    )
                )
        items[item.id] = item
    if strict and problems:
        raise ValidationError(f"{len(problems)} problemi nell'archivio", sorted(problems))
    return Archive(items=items, cities=cities, glossary=glossary, problems=sorted(problems))
