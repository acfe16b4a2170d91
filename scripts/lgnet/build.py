"""`lgnet build`: the whole pipeline, top to bottom, for one audience.

check -> transcribe -> index -> publish (media, captions) -> pages -> site -> leak audit.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from lgnet.errors import ValidationError
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


def run_build(
    project: Project,
    *,
    audience: str = "pubblico",
    transcribe: bool = True,
    model: str | None = None,
    engine: str = "mkdocs",
    site_url: str | None = None,
) -> BuildResult:
    from lgnet.audit import enforce
    from lgnet.checks import run_checks
    from lgnet.index import build_index
    from lgnet.pages import generate_pages
    from lgnet.publish import publish_item_files
    from lgnet.site import render_site
    from lgnet.transcribe import TranscribeRequest, transcribe_archive
    from lgnet.transcripts import load_transcripts

    started = time.monotonic()
    result = BuildResult(audience=audience, site=project.site)
    report = run_checks(project)
    if report.problems:
        raise ValidationError(f"{len(report.problems)} problemi", report.problems)
    archive = report.archive
    result.steps.append(f"Controllo: {report.summary}")
    if transcribe:
        outcome = transcribe_archive(project, archive, TranscribeRequest(model=model))
        result.steps.append(outcome.summary())
    transcripts = load_transcripts(project.transcripts, list(archive.items))
    index = build_index(project, archive, transcripts, audience)
    result.steps.append(index.summary())
    media = publish_item_files(project, archive, transcripts, audience)
    generate_pages(project, archive, transcripts, audience, media)
    render_site(project, archive, audience, engine=engine, media=media, site_url=site_url)
    enforce(project, archive, transcripts, audience, project.site)
    result.steps.append("Controllo delle fughe: nessun contenuto non pubblicabile nel sito")
    result.elapsed = time.monotonic() - started
    return result


def serve(project: Project, *, audience: str = "pubblico", port: int = 8000) -> None:
    """Build once (without transcribing), then serve site/ on localhost until Ctrl-C."""
    from lgnet.serve import make_server

    result = run_build(project, audience=audience, transcribe=False)
    print(result.summary())
    with make_server(project.site, port) as httpd:
        print(f"Anteprima su http://127.0.0.1:{httpd.server_address[1]}/ (Ctrl-C per terminare)")
        httpd.serve_forever()
