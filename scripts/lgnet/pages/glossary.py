"""The glossary, `docs/_generato/glossario.md` (template `glossary.md`), included by
`docs/glossario.md`: the terms of `archive/glossary.yml` by initial, each with an anchor of
its own, its other names and the sources it is drawn from (linked to `fonti.md`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from lgnet.pages.components import render, slug, sort_key
from lgnet.pages.context import Includer, Link, SiteContext


@dataclass(frozen=True)
class Term:
    id: str
    term: str
    definition: str
    aliases: str  # comma-separated, "" when none
    sources: list[Link]


@dataclass(frozen=True)
class LetterGroup:
    letter: str
    anchor: str
    terms: list[Term]


@dataclass(frozen=True)
class Glossary:
    letter_links: list[Link]
    groups: list[LetterGroup]


def glossary(site: SiteContext, inc: Includer) -> Glossary:
    groups: dict[str, list[Any]] = defaultdict(list)
    for term in sorted(site.archive.glossary, key=lambda t: sort_key(t.term)):
        initial = sort_key(term.term)[:1].upper()
        groups[initial if initial.isalpha() else "#"].append(term)
    letters = sorted(groups)
    anchors = {
        letter: "lettera-" + (slug(letter) if letter.isalpha() else "altro") for letter in letters
    }
    used_ids: set[str] = set()
    out = []
    for letter in letters:
        terms = []
        for term in groups[letter]:
            term_id = slug(term.term)
            while term_id in used_ids or term_id.startswith("lettera-"):
                term_id += "-1"
            used_ids.add(term_id)
            terms.append(
                Term(
                    id=term_id,
                    term=term.term,
                    definition=term.definition,
                    aliases=", ".join(term.aliases),
                    sources=[_source(site, inc, s) for s in term.sources],
                )
            )
        out.append(LetterGroup(letter, anchors[letter], terms))
    return Glossary([Link(letter, "#" + anchors[letter]) for letter in letters], out)


def _source(site: SiteContext, inc: Includer, source_id: str) -> Link:
    source = site.sources.get(source_id)
    title = source.title if source is not None else source_id
    if source is not None and site.has_page("fonti.md"):
        return Link(title, inc.target(f"fonti.md#{source_id}"))
    return Link(title)


def render_glossary_snippet(site: SiteContext, inc: Includer) -> str:
    return render("glossary.md", g=glossary(site, inc))
