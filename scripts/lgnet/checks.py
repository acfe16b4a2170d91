"""`lgnet check`: everything a person can get wrong in the archive and the knowledge pages.

Every problem comes in one run: a broken item does not hide the others, and the media checks
(readable file, times inside the recording) run next to the schema checks, also for items whose
keys have other mistakes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from lgnet.archive import (
    Archive,
    ItemFile,
    _date_end,
    item_times,
    load_archive,
    media_path,
    media_path_problems,
    raw_media,
    show_time,
)
from lgnet.errors import MediaError, Problem
from lgnet.evidence import check_evidence
from lgnet.project import Project

CONSENT_WARNING_DAYS = 60
# A redaction's end may be written rounded up to the next second ("to the end"): up to 1 s past
# the end of the media is accepted. Starts, chapters and the poster must fall inside.
END_ALLOWANCE = 1.0


@dataclass
class CheckReport:
    archive: Archive
    problems: list[Problem]
    warnings: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        a = self.archive
        cities = len([c for c in a.cities if c != "rete"])
        return (
            f"{len(a.items)} registrazioni, {cities} città, {len(a.glossary)} termini di glossario"
        )


def consent_warnings(archive: Archive, today: dt.date | None = None) -> list[str]:
    """Items whose consent expires within 60 days (they will leave the sites on that day)."""
    today = today or dt.date.today()
    out = []
    for item in sorted(archive.items.values(), key=lambda i: i.id):
        if item.withdrawn:
            out.append(
                f"archive/items/{item.id}.yml: consenso ritirato, la registrazione non è pubblicata"
            )
        elif item.consent_expires:
            end = _date_end(item.consent_expires)
            if end < today:
                out.append(
                    f"archive/items/{item.id}.yml: consenso scaduto il {end.isoformat()}, la "
                    "registrazione non è pubblicata; rinnovare il consenso o lasciarla riservata"
                )
            elif (end - today).days <= CONSENT_WARNING_DAYS:
                out.append(
                    f"archive/items/{item.id}.yml: il consenso scade il {end.isoformat()} (tra "
                    f"{(end - today).days} giorni); rinnovarlo per mantenerla pubblicata"
                )
    return out


def _duration(project: Project, read: ItemFile) -> tuple[float | None, list[Problem]]:
    """The media's duration, or the problem that stops reading it (already reported ones:
    a missing file or a path outside archive/ give None and no new problem)."""
    media = raw_media(read.data)
    if media is None or media_path_problems(*media, project, read.rel):
        return None, []
    from lgnet.media import probe

    path = media_path(media[0], project)
    try:
        return probe(path).duration, []
    except MediaError as exc:
        message = str(exc).removeprefix(f"{path}: ").replace(str(path), media[0])
        return None, [Problem(read.rel, message, "media")]
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        message = f"impossibile leggere la durata ({reason}); controllare il file e i permessi"
        return None, [Problem(read.rel, message, "media")]


def _past_the_end(time: float, duration: float, what: str) -> str:
    return (
        f"{show_time(time)} è oltre la fine della registrazione (durata {show_time(duration)}); "
        f"{what}"
    )


def media_problems(project: Project, archive: Archive) -> list[Problem]:
    """Unreadable media, and times (poster, chapters, turns, redactions) past the media's end."""
    problems: list[Problem] = []
    for read in archive.files:
        duration, found = _duration(project, read)
        problems += found
        if duration is None or read.data is None:
            continue
        times = item_times(read.data)
        fix = "correggere il tempo"
        if times.poster_time is not None and times.poster_time >= duration:
            message = _past_the_end(times.poster_time, duration, "scegliere un momento prima")
            problems.append(Problem(read.rel, message, "poster_time"))
        for index, start in times.chapters:
            if start >= duration:
                message = _past_the_end(start, duration, fix)
                problems.append(Problem(read.rel, message, f"chapters[{index}].start"))
        # spans: what covers nothing when it starts past the end, and how to reach the end
        for key, spans, empty, reach in (
            ("turns", times.turns, "il turno non copre nulla", "per arrivare alla fine"),
            (
                "redactions",
                times.redactions,
                "l'omissis non copre nulla",
                "per coprire fino alla fine",
            ),
        ):
            for index, start, end in spans:
                if start >= duration:
                    message = _past_the_end(start, duration, f"{fix}: {empty}")
                    problems.append(Problem(read.rel, message, f"{key}[{index}].start"))
                elif end > duration + END_ALLOWANCE:
                    message = _past_the_end(
                        end, duration, f"{fix} ({reach}: {show_time(duration)})"
                    )
                    problems.append(Problem(read.rel, message, f"{key}[{index}].end"))
    return problems


def excerpt_problems(project: Project, archive: Archive, paths: dict[str, Any]) -> list[Problem]:
    """Excerpts of training paths that end past their recording's end."""
    from lgnet.media import probe

    problems: list[Problem] = []
    for slug, path in sorted(paths.items()):
        rel = project.rel(project.paths_dir / f"{slug}.yml")
        for n, excerpt in enumerate(path.excerpts):
            item = archive.items.get(excerpt.item)
            if item is None:
                continue
            try:
                duration = probe(item.media_path(project)).duration
            except (MediaError, OSError):
                continue  # reported on the item's own 'media' key
            if excerpt.end > duration + END_ALLOWANCE:
                message = _past_the_end(excerpt.end, duration, "correggere la fine dell'estratto")
                problems.append(Problem(rel, message, f"excerpts[{n}].end"))
    return problems


def caption_warnings(project: Project, archive: Archive) -> list[str]:
    """Captions (as they are on disk, a person's edits included) that break the subtitle norms.

    Warnings, not problems: a correction that makes a line 44 characters long must not stop
    the site from being published; `lgnet captions --check` gives the details and exits 1.
    """
    from lgnet.captions import cue_problems, read_shown_cues

    out = []
    for item_id in sorted(archive.items):
        vtt = project.transcripts / f"{item_id}.vtt"
        if vtt.is_file():
            cues = read_shown_cues(vtt.read_text(encoding="utf-8", errors="replace"))
            rel = project.rel(vtt)
            out += [f"{rel}: sottotitoli fuori norma: {p}" for p in cue_problems(cues)]
    return out


def run_checks(project: Project, today: dt.date | None = None) -> CheckReport:
    archive = load_archive(project, strict=False)
    problems = list(archive.problems)
    problems += media_problems(project, archive)
    from lgnet.corrections import check_corrections
    from lgnet.paths import load_paths

    paths, path_problems = load_paths(project, archive)
    problems += path_problems
    problems += excerpt_problems(project, archive, paths)
    problems += check_corrections(project.transcripts, archive.items)
    from lgnet.speakers import speaker_problems

    problems += speaker_problems(project, archive)  # segments naming a voice the item lacks
    try:
        from lgnet.knowledge import check_knowledge
    except ImportError:  # knowledge pages not part of this checkout
        pass
    else:
        problems += check_knowledge(project, archive)
    problems += check_evidence(project, archive)
    warnings = [
        *archive.warnings,
        *consent_warnings(archive, today),
        *caption_warnings(project, archive),
    ]
    return CheckReport(archive, sorted(set(problems)), warnings)
