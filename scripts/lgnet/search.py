"""Searching inside the transcripts from the command line (`lgnet search`).

The same index and the same rules as the `/cerca/` page (`docs/assets/lgnet/cerca.js`):

* the query's words lose their stop words and are stemmed like the index (`lgnet.index`);
* a passage must contain every word; when no passage does, passages with some of them are
  returned instead, and every hit says so (`all_terms=False`);
* facets (city, kind, area, year, and the speaker's role: "Chi parla") filter the ranked
  passages; counts per facet value are those of the passages that pass the *other* facets, as
  the page shows them; the role is a passage's own (a passage is one speaker's words), the
  others its recording's;
* a hit points at the first segment of its passage that holds a query word, so the player
  opens at that second.
* chapters (title, synopsis, keywords: `lgnet.index.chapter_passages`) are passages too; a
  chapter hit opens the player at the chapter's start and carries its title (`chapter`).

When the index is missing, or older than the archive or the transcripts, it is rebuilt first
(`lgnet search` then works right after `lgnet transcribe`, and never answers from stale data).
"""

from __future__ import annotations

import difflib
import os
import re
import sys
from dataclasses import dataclass, field
from typing import Any

from lgnet.archive import AREAS, KIND_LABELS, KINDS
from lgnet.errors import IndexError_, LgnetError
from lgnet.index import StoredIndex, index_is_current, is_chapter, italian, load_index
from lgnet.project import Project

FACETS = ("city", "kind", "area", "year", "role")
SNIPPET_CHARS = 180


@dataclass
class Hit:
    """One passage that matches: where to listen (start, end) and what is said there."""

    id: str
    start: float  # first segment of the passage that holds a query word
    end: float  # end of the last such segment
    text: str  # what is said from `start` to `end`
    score: float
    title: str
    city: str
    city_name: str
    kind: str
    areas: list[str]
    year: str
    ref: int
    passage_start: float
    passage_end: float
    context: str  # the whole passage
    all_terms: bool = True
    role: str | None = None  # the role of who speaks in the passage (never a name)
    chapter: str | None = None  # a chapter's title when the hit is a chapter (lgnet.chapters)

    @property
    def link(self) -> str:
        """The site path that opens the player here (relative to the site root)."""
        return f"archivio/{self.id}/#t={self.start:g}"

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "score": round(self.score, 4),
            "title": self.title,
            "city": self.city,
            "kind": self.kind,
            "areas": self.areas,
            "year": self.year,
            "link": self.link,
            "context": self.context,
            "all_terms": self.all_terms,
            "role": self.role,
            "chapter": self.chapter,
        }


@dataclass
class SearchResults:
    query: str
    words: list[str]  # the query's words that can match (no stop words)
    stems: list[str]
    hits: list[Hit]
    total: int  # passages that match and pass the facets
    all_terms: bool  # False when no passage held every word and some-words results are shown
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


def _allowed_values(stored: StoredIndex) -> dict[str, list[str]]:
    cities = set(stored.manifest["cities"]) | {e["city"] for e in stored.manifest["items"]}
    return {
        "city": sorted(cities),
        "kind": list(KINDS),
        "area": list(AREAS),
        "year": sorted({e["year"] for e in stored.manifest["items"]}),
        "role": sorted({r for e in stored.manifest["items"] for r in e.get("roles", []) if r}),
    }


_UNKNOWN = {
    "city": "città sconosciuta",
    "kind": "tipo sconosciuto",
    "area": "ambito sconosciuto",
    "role": "ruolo di chi parla sconosciuto",
}


def _check_facets(stored: StoredIndex, chosen: dict[str, str | None]) -> None:
    allowed = _allowed_values(stored)
    for facet, value in chosen.items():
        if value is None:
            continue
        if facet == "year":
            if not re.fullmatch(r"\d{4}", value):
                raise LgnetError(f"anno non valido {value!r}: usare quattro cifre, es. 2023")
            continue
        if value not in allowed[facet]:
            guess = (
                difflib.get_close_matches(value, allowed[facet], n=1)
                or [a for a in allowed[facet] if value.casefold() in a.casefold()][:1]
            )  # a long role typed in part: "operatore"
            hint = f" (forse {guess[0]!r}?)" if guess else ""
            known = ", ".join(allowed[facet]) or "nessuno (nessuna voce ha un ruolo indicato)"
            raise LgnetError(f"{_UNKNOWN[facet]} {value!r}{hint}; valori ammessi: {known}")


def passage_role(entry: dict[str, Any], ref: int) -> str | None:
    """The role of who speaks in passage `ref` of the recording `entry` (None: not given)."""
    roles = entry.get("roles") or []
    at = ref - entry["first"]
    role: str | None = roles[at] if 0 <= at < len(roles) else None
    return role


def _facet_values(entry: dict[str, Any], ref: int) -> dict[str, list[str]]:
    role = passage_role(entry, ref)
    return {
        "city": [entry["city"]],
        "kind": [entry["kind"]],
        "area": list(entry["areas"]),
        "year": [entry["year"]],
        "role": [role] if role else [],
    }


def current_index(project: Project, audience: str) -> StoredIndex:
    """The built index, rebuilt first when missing or out of date."""
    try:
        stored = load_index(project, audience)
        if index_is_current(project, stored):
            return stored
    except IndexError_:
        pass
    from lgnet.archive import load_archive
    from lgnet.index import build_index
    from lgnet.transcripts import load_transcripts

    archive = load_archive(project)
    ids = [i.id for i in archive.published(audience)]
    build_index(project, archive, load_transcripts(project.transcripts, ids), audience)
    return load_index(project, audience)


def _lunr_query(index: Any, words: list[str], required: bool) -> list[dict[str, Any]]:
    from lunr.query import QueryPresence

    query = index.create_query()
    presence = QueryPresence.REQUIRED if required else QueryPresence.OPTIONAL
    for word in words:
        query.term(word, presence=presence)
    results: list[dict[str, Any]] = index.query(query)
    return results


def run_search(
    project: Project,
    query: str,
    *,
    city: str | None = None,
    kind: str | None = None,
    area: str | None = None,
    year: str | None = None,
    role: str | None = None,
    audience: str = "pubblico",
    limit: int = 20,
    stored: StoredIndex | None = None,
) -> SearchResults:
    """Search the passages; see the module docstring for the rules."""
    stored = stored or current_index(project, audience)
    chosen = {"city": city, "kind": kind, "area": area, "year": year, "role": role}
    _check_facets(stored, chosen)
    analyzer = italian()
    words = analyzer.query_words(query)
    stems = [analyzer.stem(w) for w in words]
    empty = SearchResults(query, words, stems, [], 0, True, {f: {} for f in FACETS})
    if not words:
        return empty
    index = stored.lunr_index(stems)
    results = _lunr_query(index, words, required=True)
    all_terms = True
    if not results and len(words) > 1:
        results = _lunr_query(index, words, required=False)
        all_terms = False
    facets: dict[str, dict[str, int]] = {f: {} for f in FACETS}
    kept: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for result in results:
        entry = stored.item_of(int(result["ref"]))
        values = _facet_values(entry, int(result["ref"]))
        passes = {
            f: chosen[f] is None or chosen[f] in values[f] for f in FACETS
        }  # per facet, whether this passage passes it
        for facet in FACETS:
            if all(passes[other] for other in FACETS if other != facet):
                for value in values[facet]:
                    facets[facet][value] = facets[facet].get(value, 0) + 1
        if all(passes.values()):
            kept.append((result, entry))
    hits = [_hit(stored, result, entry, set(stems), all_terms) for result, entry in kept[:limit]]
    return SearchResults(query, words, stems, hits, len(kept), all_terms, facets)


def _hit(
    stored: StoredIndex,
    result: dict[str, Any],
    entry: dict[str, Any],
    stems: set[str],
    all_terms: bool,
) -> Hit:
    ref = int(result["ref"])
    segments = stored.segments(ref)
    analyzer = italian()
    matched = [
        n
        for n, (_, _, text) in enumerate(segments)
        if any(
            not analyzer.is_stop_word(w) and analyzer.stem(w) in stems for w in analyzer.words(text)
        )
    ]
    first, last = (matched[0], matched[-1]) if matched else (0, len(segments) - 1)
    return Hit(
        id=entry["id"],
        start=segments[first][0],
        end=segments[last][1],
        text=" ".join(t for _, _, t in segments[first : last + 1] if t),
        score=float(result["score"]),
        title=entry["title"],
        city=entry["city"],
        city_name=stored.manifest["cities"].get(entry["city"], entry["city"]),
        kind=entry["kind"],
        areas=list(entry["areas"]),
        year=entry["year"],
        ref=ref,
        passage_start=segments[0][0],
        passage_end=segments[-1][1],
        context=" ".join(t for _, _, t in segments if t),
        all_terms=all_terms,
        role=passage_role(entry, ref),
        chapter=segments[0][2] if is_chapter(entry, ref) else None,
    )


def search_index(
    project: Project,
    query: str,
    *,
    city: str | None = None,
    kind: str | None = None,
    area: str | None = None,
    year: str | None = None,
    role: str | None = None,
    audience: str = "pubblico",
    limit: int = 20,
) -> list[Hit]:
    """The best `limit` passages for `query`, best first (see `run_search`)."""
    return run_search(
        project,
        query,
        city=city,
        kind=kind,
        area=area,
        year=year,
        role=role,
        audience=audience,
        limit=limit,
    ).hits


# --- terminal output -----------------------------------------------------------------------


def clock(seconds: float) -> str:
    """`01:24`, or `1:02:03` past the hour: how the hits show their time."""
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def _use_color() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


def highlight(text: str, stems: set[str], *, color: bool) -> str:
    """`text` with the words whose stem is searched marked: bold yellow, or *like this*."""
    analyzer = italian()
    out: list[str] = []
    at = 0
    for start, end, word in analyzer.word_spans(text):
        if not analyzer.is_stop_word(word) and analyzer.stem(word) in stems:
            out.append(text[at:start])
            found = text[start:end]
            out.append(f"\033[1;33m{found}\033[0m" if color else f"*{found}*")
            at = end
    out.append(text[at:])
    return "".join(out)


def _snippet(hit: Hit, stems: set[str]) -> str:
    """The hit's text, cut around its first match when long, with … where it was cut."""
    text = hit.text
    lead = hit.start > hit.passage_start or not hit.context.startswith(text)
    tail = hit.end < hit.passage_end
    if len(text) > SNIPPET_CHARS:
        analyzer = italian()
        first = next(
            (
                s
                for s, _, w in analyzer.word_spans(text)
                if not analyzer.is_stop_word(w) and analyzer.stem(w) in stems
            ),
            0,
        )
        begin = max(0, first - SNIPPET_CHARS // 3)
        if begin:
            begin = text.find(" ", begin) + 1 or begin
            lead = True
        cut = text[begin : begin + SNIPPET_CHARS]
        if begin + SNIPPET_CHARS < len(text):
            cut = cut[: cut.rfind(" ")] if " " in cut else cut
            tail = True
        text = cut
    return ("… " if lead else "") + text + (" …" if tail else "")


def format_hits(hits: list[Hit], query: str, *, color: bool | None = None) -> str:
    """One line per hit: `palermo-safe-space  01:24  «… testo …»  (Palermo, testimonianza)`.

    Matched words are bold on a terminal (unless NO_COLOR is set) and *starred* otherwise.
    """
    if not hits:
        return f"Nessun risultato per «{query}»"
    color = _use_color() if color is None else color
    analyzer = italian()
    stems = {analyzer.stem(w) for w in analyzer.query_words(query)}
    lines = []
    if not hits[0].all_terms:
        lines.append(
            f"Nessun passaggio contiene tutte le parole di «{query}»; "
            "ecco quelli che ne contengono alcune:"
        )
    width = max(len(h.id) for h in hits)
    for hit in hits:
        kind = KIND_LABELS.get(hit.kind, hit.kind).lower()
        snippet = highlight(_snippet(hit, stems), stems, color=color)
        if hit.chapter is not None:  # a chapter: its title, then what matched
            title = highlight(hit.chapter, stems, color=color)
            rest = hit.text.removeprefix(hit.chapter).strip()
            if len(rest) > SNIPPET_CHARS:
                rest = rest[:SNIPPET_CHARS].rsplit(" ", 1)[0] + " …"
            snippet = f"Capitolo: {title}" + (
                f" — {highlight(rest, stems, color=color)}" if rest else ""
            )
        who = f"; parla: {hit.role}" if hit.role else ""
        lines.append(
            f"{hit.id:<{width}}  {clock(hit.start):>5}  «{snippet}»  ({hit.city_name}, {kind}{who})"
        )
    return "\n".join(lines)
