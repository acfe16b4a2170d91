"""Evidence links: a knowledge page cites the moment of a recording that supports it.

A hand-written page (docs/modello/*.md, docs/citta/*.md, ...) writes, alone on a line,

    [[prova: palermo-safe-space 20.3-23.4 "è stato attivato il Safe Space"]]

that is the item id, a time (`84.5`, `1:24`) or a range (`1:24-1:40`) read with
`lgnet.timecode.parse_time`, and optionally the quoted words between straight or Italian
quotes. Markdown leaves such a line alone (no link, no emphasis), and:

* `lgnet.mkdocs_hooks` (the Markdown extension both engines load) turns it into a
  `<figure class="lgnet-prova">` with the words, the recording and a link to the moment
  (template `partials/evidence.html`); in a build for an audience that may not see the
  item, only the note "prova non pubblica";
* `check_evidence` (run by `lgnet check`) fails on an unknown item, an item that is not
  public (every hand-written page is public), a time past the end of the media, and quoted
  words that the transcript does not say there (naming the closest text it does say);
* `citations_by_item` lists, per item, the pages that cite it ("Citata in" on its page).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from lgnet.archive import Archive, Item
from lgnet.errors import MediaError, Problem
from lgnet.project import Project
from lgnet.timecode import clock, parse_time
from lgnet.transcripts import Segment, Transcript

# A token on a line of its own (any indentation: inside an admonition it is indented).
TOKEN_LINE = re.compile(r"^\s*\[\[prova:(?P<body>.*)\]\]\s*$")
TOKEN_START = "[[prova:"
_BODY = re.compile(
    r"^\s*(?P<id>[a-z0-9-]+)\s+(?P<start>[0-9][0-9:.,]*)(?:\s*[-–]\s*(?P<end>[0-9][0-9:.,]*))?"
    r"(?:\s+(?:\"(?P<q1>[^\"]+)\"|«(?P<q2>[^»]+)»|“(?P<q3>[^”]+)”))?\s*$"
)
SYNTAX = '[[prova: id-registrazione 1:24-1:40 "parole citate"]]'
# Quoted words are looked for in the segments overlapping the cited range, this much wider.
TOLERANCE = 2.0
END_ALLOWANCE = 1.0  # as lgnet.checks: an end rounded up to the next second is accepted
_GENERATED = ("_generato", "archivio", "percorsi")  # docs/ folders the pages stage writes
_INLINE_CODE = re.compile(r"`[^`\n]+`")


@dataclass(frozen=True)
class Evidence:
    """One citation, as written on line `line` of a page."""

    item_id: str
    start: float
    end: float | None  # None: a single moment
    quote: str | None

    @property
    def fragment(self) -> str:
        """`#t=` value: `12` or `12,20`."""
        parts = [self.start] if self.end is None else [self.start, self.end]
        return ",".join(f"{t:.2f}".rstrip("0").rstrip(".") for t in parts)

    @property
    def shown_time(self) -> str:
        if self.end is None:
            return clock(self.start)
        return f"{clock(self.start)}–{clock(self.end)}"


def parse_token(body: str) -> Evidence:
    """The inside of `[[prova: ...]]`; raises ValueError with an Italian message."""
    match = _BODY.match(body)
    if match is None:
        raise ValueError(f"prova scritta male: usare la forma {SYNTAX}")
    start = parse_time(match["start"])
    end = parse_time(match["end"]) if match["end"] else None
    if end is not None and end <= start:
        raise ValueError(
            f"intervallo non valido ({clock(start)}-{clock(end)}): la fine deve venire dopo "
            "l'inizio"
        )
    quote = match["q1"] or match["q2"] or match["q3"]
    return Evidence(match["id"], start, end, " ".join(quote.split()) if quote else None)


# --- which pages, which tokens ----------------------------------------------------------------


def hand_written_pages(project: Project) -> list[Path]:
    """docs/**/*.md that people write (not what the pages stage generates)."""
    skip = {(project.docs / name).resolve() for name in _GENERATED}
    return [p for p in sorted(project.docs.rglob("*.md")) if skip.isdisjoint(p.resolve().parents)]


def scan_text(text: str) -> Iterator[tuple[int, Evidence | None, str]]:
    """(line number, evidence or None, problem) for every token line of a page.

    A `[[prova:` elsewhere than alone on its line (outside inline code) is reported too: the
    renderer would leave it as text.
    """
    fence: str | None = None  # inside a ``` or ~~~ code block: examples, not citations
    for number, line in enumerate(text.splitlines(), start=1):
        marker = line.lstrip()[:3]
        if marker in ("```", "~~~"):
            fence = None if fence == marker else (fence or marker)
            continue
        if fence is not None or TOKEN_START not in line:
            continue
        match = TOKEN_LINE.match(line)
        if match is None:
            if TOKEN_START in _INLINE_CODE.sub("", line):
                yield (
                    number,
                    None,
                    (
                        "la prova deve stare da sola su una riga (senza altro testo prima o dopo), "
                        f"nella forma {SYNTAX}"
                    ),
                )
            continue
        try:
            yield number, parse_token(match["body"]), ""
        except ValueError as exc:
            yield number, None, str(exc)


def page_title(path: Path, text: str) -> str:
    from lgnet.knowledge import split_front_matter

    front, body = split_front_matter(text)
    if front is not None:
        found = re.search(r"^title:\s*(.+?)\s*$", front, re.MULTILINE)
        if found:
            return found[1].strip().strip("\"'")
    heading = re.search(r"^#\s+(.+?)\s*#*\s*$", body, re.MULTILINE)
    return heading[1].strip() if heading else path.stem.replace("-", " ").capitalize()


def citations_by_item(project: Project) -> dict[str, list[tuple[str, str]]]:
    """Item id -> [(page path inside docs/, page title)] of the hand-written pages citing it."""
    out: dict[str, list[tuple[str, str]]] = {}
    for path in hand_written_pages(project):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        rel = path.relative_to(project.docs).as_posix()
        for _, evidence, _ in scan_text(text):
            if evidence is None:
                continue
            pages = out.setdefault(evidence.item_id, [])
            if all(p != rel for p, _ in pages):
                pages.append((rel, page_title(path, text)))
    return out


# --- words --------------------------------------------------------------------------------


def normalise(text: str) -> list[str]:
    """Words without accents, case and punctuation: `È stato l'Ufficio!` -> è stato l ufficio."""
    plain = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in plain if not unicodedata.combining(c)).casefold()
    return re.findall(r"[a-z0-9]+", plain)


def segments_near(transcript: Transcript, evidence: Evidence, margin: float) -> list[Segment]:
    start = evidence.start - margin
    end = (evidence.end if evidence.end is not None else evidence.start) + margin
    return [s for s in transcript.segments if s.end > start and s.start <= end]


def quote_found(quote: str, segments: list[Segment]) -> bool:
    words = normalise(quote)
    text = normalise(" ".join(s.text for s in segments))
    n = len(words)
    return bool(words) and any(text[i : i + n] == words for i in range(len(text) - n + 1))


def closest_text(quote: str, segments: list[Segment]) -> str:
    """The run of transcript words most like `quote`, as written in the transcript."""
    raw = " ".join(" ".join(s.text for s in segments).split()).split(" ")
    raw = [w for w in raw if w]
    if not raw:
        return ""
    wanted = " ".join(normalise(quote))
    size = max(1, len(quote.split()))
    best, best_score = raw[:size], -1.0
    for length in {max(1, size - 1), size, size + 1}:
        for i in range(max(1, len(raw) - length + 1)):
            window = raw[i : i + length]
            score = difflib.SequenceMatcher(None, wanted, " ".join(normalise(" ".join(window))))
            ratio = score.ratio()
            if ratio > best_score:
                best, best_score = window, ratio
    return " ".join(best)


def spoken_text(transcript: Transcript, evidence: Evidence) -> str:
    """The words said at the cited moment (segments overlapping it), as one line."""
    found = segments_near(transcript, evidence, 0.0)
    return " ".join(" ".join(s.text for s in found).split())


# --- lgnet check ----------------------------------------------------------------------------


def check_evidence(project: Project, archive: Archive) -> list[Problem]:
    """Every citation of every hand-written page: item, access, time, quoted words."""
    from lgnet.publish import decide
    from lgnet.transcripts import load_transcripts

    if not project.docs.is_dir():
        return []
    problems: list[Problem] = []
    durations: dict[str, float | None] = {}
    transcripts = load_transcripts(project.transcripts, sorted(archive.items))
    public = decide(archive, transcripts, "pubblico")
    invalid = {f.path.stem for f in archive.files if f.item is None}
    for path in hand_written_pages(project):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue  # reported by the knowledge checks
        rel = project.rel(path)
        for number, evidence, message in scan_text(text):
            where = f"{rel}:{number}"
            if evidence is None:
                problems.append(Problem(where, message))
                continue
            item = archive.items.get(evidence.item_id)
            if item is None and evidence.item_id in invalid:
                continue  # its own file's problems are reported: no second line for one mistake
            if item is None:
                guess = difflib.get_close_matches(evidence.item_id, list(archive.items), n=1)
                hint = f" (forse '{guess[0]}'?)" if guess else ""
                problems.append(
                    Problem(
                        where,
                        f"registrazione sconosciuta '{evidence.item_id}'{hint}: usare l'id di un "
                        "file di archive/items/",
                    )
                )
                continue
            if not public.allows(item.id) and item.access == "pubblico":
                # Consent withdrawn or expired: the build must still go out (that is what takes
                # the recording offline); the page then shows "prova non pubblica", and
                # `lgnet check` already warns about the consent.
                continue
            if not public.allows(item.id):
                why = public.withheld.get(item.id, "non pubblica")
                problems.append(
                    Problem(
                        where,
                        f"la registrazione '{item.id}' non è pubblica ({why}): una pagina "
                        "pubblica non può citarla; togliere la prova o citare una registrazione "
                        "pubblica",
                    )
                )
                continue
            if item.id not in durations:
                durations[item.id] = _duration(project, item)
            duration = durations[item.id]
            last = evidence.end if evidence.end is not None else evidence.start
            if duration is not None and (
                evidence.start >= duration or last > duration + END_ALLOWANCE
            ):
                problems.append(
                    Problem(
                        where,
                        f"il momento {evidence.shown_time} è oltre la fine della registrazione "
                        f"'{item.id}' (durata {clock(duration)}): correggere il tempo",
                    )
                )
                continue
            transcript = public.transcripts.get(item.id)
            if evidence.quote is None:
                continue
            if transcript is None:
                problems.append(
                    Problem(
                        where,
                        f"la registrazione '{item.id}' non ha trascrizione: togliere le parole "
                        "citate o trascriverla (lgnet transcribe)",
                    )
                )
                continue
            near = segments_near(transcript, evidence, TOLERANCE)
            if not quote_found(evidence.quote, near):
                closest = closest_text(evidence.quote, near)
                said = f"; lì la trascrizione dice: «{closest}»" if closest else ""
                problems.append(
                    Problem(
                        where,
                        f"le parole «{evidence.quote}» non sono nella trascrizione di "
                        f"'{item.id}' a {evidence.shown_time}{said}; correggere la citazione "
                        "o il tempo",
                    )
                )
    return problems


def _duration(project: Project, item: Item) -> float | None:
    from lgnet.media import probe

    try:
        return probe(item.media_path(project)).duration
    except (MediaError, OSError):
        return None  # reported on the item's own 'media' key


# --- rendering (lgnet.mkdocs_hooks) -------------------------------------------------------------


@dataclass(frozen=True)
class Published:
    """What a build for one audience may show: its items and their redacted transcripts."""

    items: dict[str, Item]
    city_names: dict[str, str]
    transcripts: dict[str, Transcript]


_PUBLISHED: dict[tuple[str, str], tuple[tuple[tuple[str, int], ...], Published]] = {}


def published_for(project: Project, audience: str) -> Published:
    """The publication decision for `audience` (lgnet.publish.decide), read once per build:
    kept while no file of archive/items/ or transcripts/ changes."""
    from lgnet.archive import load_archive
    from lgnet.publish import decide
    from lgnet.transcripts import load_transcripts

    files = [
        p
        for folder in (project.items_dir, project.transcripts, project.archive)
        if folder.is_dir()
        for p in sorted(folder.iterdir())
        if p.is_file()
    ]
    signature = tuple((str(p), p.stat().st_mtime_ns) for p in files)
    key = (str(project.root.resolve()), audience)
    cached = _PUBLISHED.get(key)
    if cached is not None and cached[0] == signature:
        return cached[1]
    archive = load_archive(project, strict=False)
    transcripts = load_transcripts(project.transcripts, sorted(archive.items))
    publication = decide(archive, transcripts, audience)
    published = Published(
        items=dict(publication.archive.items),
        city_names={i.id: archive.city_name(i.city) for i in publication.items},
        transcripts=dict(publication.transcripts),
    )
    _PUBLISHED[key] = (signature, published)
    return published


@dataclass(frozen=True)
class Shown:
    """What the template `partials/evidence.html` prints of one citation."""

    href: str  # Markdown link target: the recording page's source file, with #t=
    title: str
    city: str
    time: str
    words: str | None


def evidence_html(evidence: Evidence, source_path: str, published: Published | None) -> str:
    """The HTML of one citation on the page `source_path` (inside docs/); only the note
    "prova non pubblica" when the build may not show the item."""
    import posixpath

    from lgnet.pages.components import render

    item = published.items.get(evidence.item_id) if published is not None else None
    if item is None or published is None:
        return render("partials/evidence.html", prova=None)
    folder = posixpath.dirname(source_path.replace("\\", "/").lstrip("/")) or "."
    target = posixpath.relpath(f"archivio/{item.id}/index.md", folder)
    transcript = published.transcripts.get(item.id)
    words: str | None = None
    if transcript is not None:
        near = segments_near(transcript, evidence, TOLERANCE)
        if evidence.quote and quote_found(evidence.quote, near):
            words = evidence.quote
        else:  # the redacted transcript's own words: never text the check did not see
            words = spoken_text(transcript, evidence) or None
    shown = Shown(
        href=f"{target}#t={evidence.fragment}",
        title=item.title,
        city=published.city_names.get(item.id, item.city),
        time=evidence.shown_time,
        words=words,
    )
    return render("partials/evidence.html", prova=shown)
