"""The knowledge base: the list of sources and the cities' practice sheets.

A practice sheet is `docs/citta/<slug>.md`: YAML front matter, then Italian prose with
footnotes. Every front-matter fact is either a value that cites its sources

    partner:
      value: Comune di Perugia
      sources: [comune-perugia-2023-04-19-lgnet2]

or the literal `da completare`, so "is every field sourced?" is a schema question and a sheet's
completeness is a count. `check_knowledge` ties the sheets to `archive/cities.yml` (both ways),
every cited source to `archive/sources.yml`, and every source to its anchor in `docs/fonti.md`.

The optional `area_activities` says what the city does in each area of action (the rows of the
area pages, `/modello/<area>/`), each entry sourced the same way, with the moments of the
recordings that show it written as evidence lines (`lgnet.evidence`, checked there):

    area_activities:
      abitare:
        value: "Interventi di risposta all'emergenza abitativa"
        sources: [comune-perugia-2023-04-19-lgnet2]
        evidence: |
          [[prova: perugia-emergenza-abitativa 15.2-26.1 "sulle risposte alle emergenza abitativa"]]
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Generic, Literal, TypeVar, get_args

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator
from pydantic import ValidationError as PydanticValidationError

from lgnet import yamlsafe
from lgnet.archive import (
    AREAS,
    NETWORK,
    Archive,
    Area,
    PartialDate,
    SafeYamlLoader,
    pydantic_problems,
    read_yaml,
    shown,
)
from lgnet.errors import Problem
from lgnet.evidence import SYNTAX, TOKEN_LINE, TOKEN_START, Evidence, parse_token
from lgnet.project import Project

TO_COMPLETE = "da completare"
SHEETS_DIR = "citta"
SOURCES_PAGE = "fonti.md"
GENERATED_ARCHIVE = "archivio"  # docs/archivio/ is written by the pages stage (git-ignored)

SourceKind = Literal[
    "notizia", "pagina-di-progetto", "pagina-istituzionale", "documento", "registrazione"
]
Programme = Literal["LGNetEA", "LGNet2"]
SOURCE_KINDS: tuple[str, ...] = get_args(SourceKind)
SOURCE_KIND_LABELS = {
    "notizia": "Notizia",
    "pagina-di-progetto": "Pagina di progetto",
    "pagina-istituzionale": "Pagina istituzionale",
    "documento": "Documento",
    "registrazione": "Registrazione",
}

# Front-matter keys of a sheet's facts, in display order, with the labels staff read.
FIELD_LABELS: dict[str, str] = {
    "partner": "Ente partner",
    "programmes": "Programmi",
    "areas": "Ambiti di azione",
    "services": "Servizi attivati",
    "beneficiaries": "Beneficiari",
    "local_partners": "Partner locali",
    "period": "Periodo di attività",
}
AREA_ACTIVITIES = "area_activities"  # optional: what the city does in each area (not counted)
AREA_ACTIVITY_MAX = 300  # characters: the text is one cell of the area pages' table

_SOURCE_LINK = re.compile(r"fonti\.md#([A-Za-z0-9_-]+)")
_ANCHOR = re.compile(r"\{\s*#([A-Za-z0-9_-]+)[^}]*\}")
_FOOTNOTE_DEF = re.compile(r"^\[\^([^\]\s]+)\]:", re.MULTILINE)
_FOOTNOTE_REF = re.compile(r"\[\^([^\]\s]+)\](?!:)")
_CODE = re.compile(r"^(```|~~~).*?^\1|`[^`\n]+`", re.MULTILINE | re.DOTALL)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Source(_Strict):
    """One entry of `archive/sources.yml`: a text that facts on the site are drawn from."""

    id: str = Field(pattern=r"^[a-z0-9-]+$")
    title: str = Field(min_length=1)
    date: PartialDate | None = None
    publisher: str | None = None  # only when the text itself names it
    kind: SourceKind
    file: str | None = None  # the original text, as delivered with the project's sources
    url: str | None = None
    about: str = ""
    note: str | None = None


T = TypeVar("T")


class Sourced(_Strict, Generic[T]):
    """A known fact and the ids of the sources that state it."""

    value: T
    sources: list[str]

    @field_validator("sources")
    @classmethod
    def _cited(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError(
                "ogni valore deve citare almeno una fonte (un id di archive/sources.yml); "
                f"se la fonte non c'è, scrivere '{TO_COMPLETE}'"
            )
        return value

    @model_validator(mode="after")
    def _not_empty(self) -> Sourced[T]:
        if self.value in ("", [], None):
            raise ValueError(f"valore vuoto: se non è noto scrivere '{TO_COMPLETE}'")
        if isinstance(self.value, str) and self.value.lower() == TO_COMPLETE:
            raise ValueError(f"scrivere semplicemente '{TO_COMPLETE}' al posto di value e sources")
        return self


class AreaActivity(Sourced[str]):
    """What a city does in one area of action, its sources, and the moments that show it."""

    # `[[prova: ...]]` lines, one a line: a block scalar (`|`), so that each token stands alone
    # on a line of the sheet and `lgnet.evidence.check_evidence` checks it like any other.
    evidence: str = ""

    @field_validator("value")
    @classmethod
    def _short(cls, value: str) -> str:
        if len(value) > AREA_ACTIVITY_MAX:
            raise ValueError(
                f"testo troppo lungo ({len(value)} caratteri, al massimo {AREA_ACTIVITY_MAX}): "
                "è una cella di tabella, i dettagli vanno nel testo della scheda"
            )
        return value

    def moments(self) -> list[Evidence]:
        """The well-formed evidence lines (the others are reported by `lgnet check`)."""
        out = []
        for line in self.evidence.splitlines():
            match = TOKEN_LINE.match(line)
            if match is None:
                continue
            try:
                out.append(parse_token(match["body"]))
            except ValueError:
                continue
        return out


def _to_complete(value: Any) -> Any:
    """`da completare` becomes None; any other bare value gets a message saying what to write."""
    if isinstance(value, str) and value.strip().lower() == TO_COMPLETE:
        return None
    if value is None or isinstance(value, str | int | float | list):
        raise ValueError(
            f"scrivere '{TO_COMPLETE}' oppure il valore con le sue fonti, su due righe "
            "rientrate: 'value: ...' e 'sources: [id-della-fonte]'"
        )
    return value


ToComplete = BeforeValidator(_to_complete)


def _area_entries(value: Any) -> Any:
    """`area_activities`: `da completare` (None), or one entry per area."""
    if isinstance(value, str) and value.strip().lower() == TO_COMPLETE:
        return None
    if not isinstance(value, dict):
        raise ValueError(
            "scrivere un ambito per riga (abitare:, presa-in-carico:, impegno-civico:), "
            "ognuno con 'value:' e 'sources:' rientrati sotto, oppure 'da completare'"
        )
    return value


class SheetFront(_Strict):
    """The front matter of `docs/citta/<slug>.md`. A None fact is one still "da completare"."""

    title: str = Field(min_length=1)
    partner: Annotated[Sourced[str] | None, ToComplete]
    programmes: Annotated[Sourced[list[Programme]] | None, ToComplete]
    areas: Annotated[Sourced[list[Area]] | None, ToComplete]
    services: Annotated[Sourced[list[str]] | None, ToComplete]
    beneficiaries: Annotated[Sourced[str] | None, ToComplete]
    local_partners: Annotated[Sourced[list[str]] | None, ToComplete]
    period: Annotated[Sourced[str] | None, ToComplete]
    description: str | None = None  # optional page summary (used by MkDocs for <meta>)
    # Area slug -> entry; an area left out (or `da completare`) is still to be described. Keys
    # are checked by `check_knowledge` (one problem naming the key, the sheet still loads).
    area_activities: Annotated[
        dict[str, Annotated[AreaActivity | None, ToComplete]] | None,
        BeforeValidator(_area_entries),
    ] = None


@dataclass(frozen=True)
class SheetFact:
    key: str
    label: str
    value: Any  # None while "da completare"
    sources: list[str]


@dataclass
class CitySheet:
    """A city's practice sheet: who the partner is, what was done, and where it is written."""

    slug: str
    title: str
    path: Path
    front: SheetFront
    body: str = ""

    def facts(self) -> list[SheetFact]:
        out = []
        for key, label in FIELD_LABELS.items():
            fact: Sourced[Any] | None = getattr(self.front, key)
            if fact is None:
                out.append(SheetFact(key, label, None, []))
            else:
                out.append(SheetFact(key, label, fact.value, list(fact.sources)))
        return out

    def completeness(self) -> tuple[int, int]:
        """(fields filled, total fields)."""
        facts = self.facts()
        return sum(f.value is not None for f in facts), len(facts)

    def missing(self) -> list[str]:
        """Italian labels of the fields still "da completare"."""
        return [f.label for f in self.facts() if f.value is None]

    def area_activity(self, area: str) -> AreaActivity | None:
        """What the city does in `area`, when a source says it (None: "da completare")."""
        return (self.front.area_activities or {}).get(area)

    def cited_sources(self) -> list[str]:
        """Source ids cited by the front matter and by the body's links to the sources page."""
        ids = [s for f in self.facts() for s in f.sources]
        ids += [s for a in (self.front.area_activities or {}).values() if a for s in a.sources]
        ids += _SOURCE_LINK.findall(self.body)
        return list(dict.fromkeys(ids))


# --- loading -------------------------------------------------------------------------------


def load_sources(project: Project) -> tuple[dict[str, Source], list[Problem]]:
    path = project.sources_file
    rel = project.rel(path)
    if not path.is_file():
        return {}, [Problem(rel, "file mancante: serve l'elenco delle fonti")]
    data, problems = read_yaml(path, project)
    if problems:
        return {}, problems
    if not isinstance(data, list):
        return {}, [Problem(rel, "deve contenere un elenco di fonti (righe che iniziano con '-')")]
    sources: dict[str, Source] = {}
    for index, entry in enumerate(data):
        try:
            source = Source.model_validate(entry)
        except PydanticValidationError as err:
            for p in pydantic_problems(err, rel, Source):
                problems.append(
                    Problem(rel, p.message, f"[{index}]" + (f".{p.key}" if p.key else ""))
                )
            continue
        if source.id in sources:
            problems.append(Problem(rel, "fonte ripetuta: usare un id diverso", source.id))
        sources[source.id] = source
    return sources, problems


def split_front_matter(text: str) -> tuple[str | None, str]:
    """The YAML between the opening `---` line and the next `---` line, and the body after it."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return None, text
    for index, line in enumerate(lines[1:], start=1):
        if line.strip() == "---":
            return "".join(lines[1:index]), "".join(lines[index + 1 :])
    return None, text


def sheet_paths(project: Project) -> list[Path]:
    folder = project.docs / SHEETS_DIR
    return sorted(p for p in folder.glob("*.md") if p.name != "index.md")


def load_sheet(path: Path, project: Project) -> tuple[CitySheet | None, list[Problem]]:
    rel = project.rel(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return None, [Problem(rel, "il file non è testo UTF-8: salvarlo in UTF-8")]
    front_text, body = split_front_matter(text)
    if front_text is None:
        return None, [
            Problem(
                rel,
                "manca l'intestazione della scheda: il file deve iniziare con una riga "
                "'---', poi i campi, poi un'altra riga '---'",
            )
        ]
    data, problems = yamlsafe.load_text(
        front_text,
        rel,
        loader=SafeYamlLoader,
        limits=yamlsafe.FRONT_MATTER_LIMITS,
        first_line=2,  # the front matter starts after the opening '---'
        what="intestazione YAML non valida",
    )
    if problems:
        return None, problems
    if not isinstance(data, dict):
        return None, [
            Problem(rel, "l'intestazione deve contenere campi (per esempio 'title: ...')")
        ]
    try:
        front = SheetFront.model_validate(data)
    except PydanticValidationError as err:
        return None, pydantic_problems(err, rel, SheetFront)
    return CitySheet(slug=path.stem, title=front.title, path=path, front=front, body=body), []


def load_sheets(project: Project) -> tuple[dict[str, CitySheet], list[Problem]]:
    sheets: dict[str, CitySheet] = {}
    problems: list[Problem] = []
    for path in sheet_paths(project):
        sheet, sheet_problems = load_sheet(path, project)
        problems += sheet_problems
        if sheet is not None:
            sheets[sheet.slug] = sheet
    return sheets, problems


# --- checking ------------------------------------------------------------------------------


def check_knowledge(project: Project, archive: Archive) -> list[Problem]:
    """Everything `lgnet check` verifies about the knowledge base, all problems at once.

    A project with neither sheets nor a sources list (a bare archive, as in some tests) has no
    knowledge base to check.
    """
    if not (project.docs / SHEETS_DIR).is_dir() and not project.sources_file.is_file():
        return []
    sources, problems = load_sources(project)
    sheets, sheet_problems = load_sheets(project)
    problems += sheet_problems
    problems += _sheets_match_cities(project, archive, sheets)
    for sheet in sheets.values():
        problems += _sheet_problems(project, archive, sheet, sources)
    glossary_rel = project.rel(project.glossary_file)
    for term in archive.glossary:
        for source_id in term.sources:
            if source_id not in sources:
                problems.append(_unknown_source(glossary_rel, source_id, term.term, sources))
    problems += _pages_problems(project, sources)
    return sorted(set(problems))


def _sheets_match_cities(
    project: Project, archive: Archive, sheets: dict[str, CitySheet]
) -> list[Problem]:
    problems = []
    present = {p.stem: p for p in sheet_paths(project)}
    cities_rel = project.rel(project.cities_file)
    for slug, city in archive.cities.items():
        if slug != NETWORK and slug not in present:
            problems.append(
                Problem(
                    cities_rel,
                    f"la città {city.name} non ha una scheda: creare docs/{SHEETS_DIR}/{slug}.md "
                    "(si può copiare quella di un'altra città)",
                    slug,
                )
            )
    # an entry of cities.yml that failed validation is reported there, not again per sheet
    cities_broken = any(p.file == cities_rel for p in archive.problems)
    for slug, path in present.items():
        rel = project.rel(path)
        if slug == NETWORK:
            problems.append(
                Problem(rel, "la rete non ha una scheda: il suo posto è nelle pagine del modello")
            )
        elif archive.cities and slug not in archive.cities and not cities_broken:
            problems.append(
                Problem(
                    rel,
                    f"nessuna città '{slug}' in {cities_rel}: aggiungerla lì oppure dare al file "
                    "il nome (slug) di una città esistente",
                )
            )
    return problems


def _sheet_problems(
    project: Project, archive: Archive, sheet: CitySheet, sources: dict[str, Source]
) -> list[Problem]:
    rel = project.rel(sheet.path)
    problems = []
    for fact in sheet.facts():
        for source_id in fact.sources:
            if source_id not in sources:
                problems.append(_unknown_source(rel, source_id, f"{fact.key}.sources", sources))
    problems += _area_activity_problems(rel, sheet, sources)
    city = archive.cities.get(sheet.slug)
    if city is None:
        return problems
    cities_rel = project.rel(project.cities_file)
    partner = sheet.front.partner.value if sheet.front.partner else None
    if partner != city.partner:
        problems.append(
            Problem(
                rel,
                f"l'ente partner ({_shown(partner)}) è diverso da quello di {cities_rel} "
                f"({_shown(city.partner)}): correggere uno dei due",
                "partner",
            )
        )
    programmes = sheet.front.programmes.value if sheet.front.programmes else None
    if programmes is not None and sorted(programmes) != sorted(city.programmes):
        problems.append(
            Problem(
                rel,
                f"i programmi ({', '.join(programmes)}) sono diversi da quelli di {cities_rel} "
                f"({', '.join(city.programmes) or 'nessuno'}): correggere uno dei due",
                "programmes",
            )
        )
    return problems


def _area_activity_problems(
    rel: str, sheet: CitySheet, sources: dict[str, Source]
) -> list[Problem]:
    """`area_activities`: known areas, known sources, areas the sheet's `areas` lists, and
    evidence written as `[[prova: ...]]` lines (the tokens themselves: lgnet.evidence)."""
    problems = []
    listed = set(sheet.front.areas.value) if sheet.front.areas else set()
    for area, activity in (sheet.front.area_activities or {}).items():
        key = f"{AREA_ACTIVITIES}.{area}"
        if area not in AREAS:
            guess = difflib.get_close_matches(area, AREAS, n=1)
            hint = f" (forse '{guess[0]}'?)" if guess else ""
            problems.append(
                Problem(
                    rel,
                    f"ambito sconosciuto {shown(area)}{hint}: usare uno di {', '.join(AREAS)}",
                    f"{AREA_ACTIVITIES}.{shown(area)[1:-1]}",
                )
            )
            continue
        if activity is None:
            continue
        for source_id in activity.sources:
            if source_id not in sources:
                problems.append(_unknown_source(rel, source_id, f"{key}.sources", sources))
        if area not in listed:
            problems.append(
                Problem(
                    rel,
                    f"la scheda descrive l'ambito '{area}' ma 'areas' non lo elenca: aggiungerlo "
                    "ad 'areas' (con la sua fonte) o togliere questa voce",
                    key,
                )
            )
        for line in activity.evidence.splitlines():
            if line.strip() and TOKEN_START not in line:
                problems.append(
                    Problem(
                        rel,
                        f"riga non valida {shown(line.strip())}: ogni riga di 'evidence' è una "
                        f"prova nella forma {SYNTAX}",
                        f"{key}.evidence",
                    )
                )
    return problems


def _shown(value: str | None) -> str:
    return f"'{value}'" if value else TO_COMPLETE


def _unknown_source(rel: str, source_id: str, key: str, sources: dict[str, Source]) -> Problem:
    guess = difflib.get_close_matches(source_id, list(sources), n=1)
    hint = f": forse '{guess[0]}'?" if guess else ""
    return Problem(
        rel,
        f"fonte sconosciuta '{source_id}'{hint} Usare un id di archive/sources.yml "
        "(o aggiungere lì la nuova fonte)",
        key,
    )


def _hand_written_pages(project: Project) -> Iterator[Path]:
    """Pages people write: not the snippets nor the recording pages that `lgnet build` writes."""
    generated = {project.generated_docs.resolve(), (project.docs / GENERATED_ARCHIVE).resolve()}
    for path in sorted(project.docs.rglob("*.md")):
        if not generated.intersection(path.resolve().parents):
            yield path


def _pages_problems(project: Project, sources: dict[str, Source]) -> list[Problem]:
    """Links to the sources page name existing sources; footnotes are defined; anchors exist."""
    problems = []
    for path in _hand_written_pages(project):
        rel = project.rel(path)
        try:
            text = _CODE.sub("", path.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            problems.append(Problem(rel, "il file non è testo UTF-8: salvarlo in UTF-8"))
            continue
        for source_id in dict.fromkeys(_SOURCE_LINK.findall(text)):
            if source_id not in sources:
                problems.append(
                    _unknown_source(rel, source_id, f"{SOURCES_PAGE}#{source_id}", sources)
                )
        defined = set(_FOOTNOTE_DEF.findall(text))
        for label in dict.fromkeys(_FOOTNOTE_REF.findall(text)):
            if label not in defined:
                problems.append(
                    Problem(
                        rel,
                        f"la nota [^{label}] è usata ma non definita: aggiungere in fondo alla "
                        f"pagina una riga '[^{label}]: ...' con la fonte",
                    )
                )
    page = project.docs / SOURCES_PAGE
    if sources and page.is_file():
        anchors = set(_ANCHOR.findall(page.read_text(encoding="utf-8")))
        for source_id in sources:
            if source_id not in anchors:
                problems.append(
                    Problem(
                        project.rel(page),
                        f"manca la fonte '{source_id}': aggiungere un titolo che finisce con "
                        f"{{#{source_id}}}",
                    )
                )
    elif sources:
        problems.append(Problem(project.rel(page), "pagina delle fonti mancante: crearla"))
    return problems
