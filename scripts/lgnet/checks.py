"""`lgnet check`: everything a person can get wrong in the archive and the knowledge pages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from lgnet.archive import Archive, _date_end, load_archive
from lgnet.errors import Problem
from lgnet.project import Project

CONSENT_WARNING_DAYS = 60


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


def run_checks(project: Project, today: dt.date | None = None) -> CheckReport:
    archive = load_archive(project, strict=False)
    problems = list(archive.problems)
    from lgnet.paths import load_paths

    problems += load_paths(project, archive)[1]
    try:
        from lgnet.knowledge import check_knowledge
    except ImportError:  # knowledge pages not part of this checkout
        pass
    else:
        problems += check_knowledge(project, archive)
    return CheckReport(archive, sorted(set(problems)), consent_warnings(archive, today))
