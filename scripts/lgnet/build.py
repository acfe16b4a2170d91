"""`lgnet build`: the whole pipeline, top to bottom, for one audience.

check -> transcribe -> publication decision -> media -> index -> pages -> site -> leak audit.

The publication decision (`lgnet.publish.decide`) is taken once (narrowed only by recordings
whose web copy could not be made, `lgnet.publish.publish_media`); the stages after it receive
only its view of the archive. The site is rendered beside its folder and swapped in only
after the leak audit passed, under a project lock, so a failed or concurrent build never
leaves a broken or mixed site.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from lgnet.errors import BuildError, Problem, ValidationError
from lgnet.project import Project


@dataclass
class BuildResult:
    audience: str
    site: Path
    steps: list[str] = field(default_factory=list)
    elapsed: float = 0.0

    def summary(self) -> str:
        lines = [
            *self.steps,
            f"Sito '{self.audience}' pronto in {self.site} ({self.elapsed:.1f} s)",
        ]
        return "\n".join(lines)


def _tell(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run_build(
    project: Project,
    *,
    audience: str = "pubblico",
    transcribe: bool = True,
    model: str | None = None,
    engine: str = "mkdocs",
    site_url: str | None = None,
    output: Path | None = None,
    lock_wait: float = 3600.0,
) -> BuildResult:
    from lgnet.deploy import build_lock, check_replaceable

    output = output or project.site_for(audience)
    check_replaceable(output, project.sources)  # now, not after minutes of transcription
    with build_lock(project.build_lock, wait=lock_wait, on_wait=_tell):
        return _run_build(
            project,
            audience=audience,
            transcribe=transcribe,
            model=model,
            engine=engine,
            site_url=site_url,
            output=output,
        )


def _run_build(
    project: Project,
    *,
    audience: str,
    transcribe: bool,
    model: str | None,
    engine: str,
    site_url: str | None,
    output: Path,
) -> BuildResult:
    from lgnet.audit import enforce
    from lgnet.checks import run_checks
    from lgnet.index import build_index
    from lgnet.opendata import write_open_data
    from lgnet.pages import generate_pages
    from lgnet.publish import decide, publish_media
    from lgnet.site import render_site
    from lgnet.transcribe import TranscribeRequest, transcribe_archive
    from lgnet.transcripts import load_transcripts

    started = time.monotonic()
    result = BuildResult(audience=audience, site=output)
    report = run_checks(project)
    if report.problems:
        raise ValidationError(f"{len(report.problems)} problemi", report.problems)
    archive = report.archive
    result.steps.append(f"Controllo: {report.summary}")
    if transcribe:
        outcome = transcribe_archive(project, archive, TranscribeRequest(model=model))
        result.steps.append(outcome.summary())
    transcripts = load_transcripts(project.transcripts, list(archive.items))
    publication = decide(archive, transcripts, audience)
    # Media first: a recording whose web copy fails is withheld before anything names it.
    publication, media, failed = publish_media(project, publication)
    for line in failed:
        _tell(f"attenzione: {line}")
    view, shown = publication.archive, publication.transcripts
    result.steps.append(publication.summary())
    index = build_index(project, view, shown, audience, today=publication.today)
    result.steps.append(index.summary())
    generate_pages(project, view, shown, audience, media, site_url)

    def audit(folder: Path) -> None:
        """The leak audit of the staged site, reported with the paths the site will have."""
        try:
            enforce(project, archive, transcripts, audience, folder)
        except BuildError as exc:
            staged, final = project.rel(folder), project.rel(output)
            exc.problems = [
                Problem(final + p.file.removeprefix(staged), p.message, p.key)
                if p.file.startswith(staged)
                else p
                for p in exc.problems
            ]
            raise

    def open_data(folder: Path) -> None:
        result.steps += write_open_data(project, publication, media, site_url, folder)

    render_site(
        project, view, audience, engine=engine, media=media, site_url=site_url,
        site_dir=output, extras=open_data, verify=audit,
    )  # fmt: skip
    result.steps.append("Controllo delle fughe: nessun contenuto non pubblicabile nel sito")
    result.elapsed = time.monotonic() - started
    return result
