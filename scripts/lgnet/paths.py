"""Training paths (`archive/paths/<slug>.yml`): an ordered list of excerpts for a course.

`lgnet pack SLUG` turns one into a folder (and a zip) that a trainer can take to a classroom:
the clips with their captions, and an excerpt sheet (Markdown and DOCX) with each excerpt's
transcript, notes, time codes and citation.
"""

from __future__ import annotations

import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

from pydantic import Field, model_validator
from pydantic import ValidationError as PydanticValidationError

from lgnet.archive import (
    Archive,
    Audience,
    Item,
    Seconds,
    _Strict,
    load_archive,
    pydantic_problems,
    read_yaml,
)
from lgnet.clip import ClipRequest, citation_text, clip_transcript, make_clip, moment_link
from lgnet.errors import LgnetError, Problem, ValidationError
from lgnet.fsutil import atomic_write_text
from lgnet.project import Project
from lgnet.timecode import clock
from lgnet.transcripts import TranscriptFiles, read_transcript


class Excerpt(_Strict):
    item: str = Field(min_length=1)
    start: Seconds
    end: Seconds
    note: str = ""

    @model_validator(mode="after")
    def _ordered(self) -> Excerpt:
        if self.end <= self.start:
            raise ValueError("la fine dell'estratto deve venire dopo l'inizio")
        return self


class TrainingPath(_Strict):
    slug: str
    title: str = Field(min_length=1)
    audience: Audience = "pubblico"
    description: str = ""
    excerpts: list[Excerpt] = Field(min_length=1)


def load_paths(project: Project, archive: Archive) -> tuple[dict[str, TrainingPath], list[Problem]]:
    paths: dict[str, TrainingPath] = {}
    problems: list[Problem] = []
    if not project.paths_dir.is_dir():
        return paths, problems
    for file in sorted(project.paths_dir.glob("*.yml")):
        rel = project.rel(file)
        data, yaml_problems = read_yaml(file, project)
        if yaml_problems:
            problems += yaml_problems
            continue
        if not isinstance(data, dict):
            problems.append(
                Problem(rel, "deve contenere chiavi e valori (title, audience, excerpts)")
            )
            continue
        try:
            path = TrainingPath.model_validate({**data, "slug": file.stem})
        except PydanticValidationError as err:
            problems += pydantic_problems(err, rel, TrainingPath)
            continue
        for n, excerpt in enumerate(path.excerpts):
            item = archive.items.get(excerpt.item)
            key = f"excerpts[{n}].item"
            if item is None:
                problems.append(Problem(rel, f"registrazione sconosciuta {excerpt.item!r}", key))
            elif not _access_allows(item, path.audience):
                problems.append(
                    Problem(
                        rel,
                        f"'{excerpt.item}' non è pubblicabile per il pubblico "
                        f"'{path.audience}' del percorso (accesso: {item.effective_access()})",
                        key,
                    )
                )
        paths[path.slug] = path
    return paths, problems


def _access_allows(item: Item, audience: str) -> bool:
    """The access level alone. Withdrawn or expired consent is not a path error: `lgnet check`
    warns about it, the site skips the excerpt and `lgnet pack` refuses it."""
    consent_aside = item.model_copy(update={"withdrawn": False, "consent_expires": None})
    return consent_aside.published_in(audience)


@dataclass
class PackResult:
    folder: Path
    zip: Path
    files: list[Path]

    def summary(self) -> str:
        return f"Pacchetto pronto: {self.folder} ({len(self.files)} file) e {self.zip}"


def _sheet_markdown(
    project: Project, archive: Archive, path: TrainingPath, rows: list[dict[str, str]]
) -> str:
    out = [f"# {path.title}", ""]
    if path.description:
        out += [path.description, ""]
    out += [f"Percorso formativo di LGNet Archivio — pubblico: {path.audience}.", ""]
    for n, row in enumerate(rows, start=1):
        out += [
            f"## {n}. {row['title']}",
            "",
            f"- **File:** `{row['file']}` (sottotitoli: `{row['vtt']}`)",
            f"- **Dalla registrazione:** {row['range']} — durata dell'estratto {row['duration']}",
            f"- **Link:** {row['link']}",
        ]
        if row["note"]:
            out += [f"- **Nota per chi forma:** {row['note']}"]
        out += ["", "**Trascrizione**", "", row["transcript"] or "_(nessun parlato)_", ""]
        out += ["**Citazione**", "", *[f"> {line}  " for line in row["citation"].splitlines()], ""]
    return "\n".join(out)


def _sheet_docx(path: TrainingPath, rows: list[dict[str, str]], target: Path) -> None:
    from docx import Document

    doc = Document()
    doc.core_properties.language = "it-IT"
    doc.core_properties.title = path.title
    doc.add_heading(path.title, level=0)
    if path.description:
        doc.add_paragraph(path.description)
    for n, row in enumerate(rows, start=1):
        doc.add_heading(f"{n}. {row['title']}", level=1)
        doc.add_paragraph(f"File: {row['file']} (sottotitoli: {row['vtt']})")
        doc.add_paragraph(f"Dalla registrazione: {row['range']} — durata {row['duration']}")
        doc.add_paragraph(f"Link: {row['link']}")
        if row["note"]:
            doc.add_paragraph(f"Nota per chi forma: {row['note']}")
        doc.add_heading("Trascrizione", level=2)
        doc.add_paragraph(row["transcript"] or "(nessun parlato)")
        doc.add_heading("Citazione", level=2)
        doc.add_paragraph(row["citation"])
    tmp = target.with_name(".tmp-" + target.name)
    doc.save(str(tmp))
    tmp.replace(target)


def pack(project: Project, slug: str, output: Path | None = None) -> PackResult:
    archive = load_archive(project)
    paths, problems = load_paths(project, archive)
    if problems:
        raise ValidationError(f"{len(problems)} problemi nei percorsi", problems)
    if slug not in paths:
        known = ", ".join(sorted(paths)) or "nessuno"
        raise LgnetError(f"percorso sconosciuto: {slug} (percorsi in archive/paths/: {known})")
    path = paths[slug]
    folder = output or project.root / "packs" / slug
    staging = folder.with_name(f".tmp-{folder.name}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    rows = []
    for n, excerpt in enumerate(path.excerpts, start=1):
        item = archive.items[excerpt.item]
        suffix = (
            ".mp4"
            if Path(item.media).suffix.lower() in (".mp4", ".mov", ".mkv", ".webm")
            else ".m4a"
        )
        name = f"{n:02d}-{item.id}{suffix}"
        clip = make_clip(
            project,
            ClipRequest(
                excerpt.item, excerpt.start, excerpt.end, staging / name, audience=path.audience
            ),
            archive,
        )
        transcript = read_transcript(TranscriptFiles(project.transcripts, item.id).json)
        part = clip_transcript(transcript, item, excerpt.start, excerpt.end)
        rows.append(
            {
                "title": item.title,
                "file": clip.media.name,
                "vtt": clip.vtt.name,
                "range": f"{clock(excerpt.start)}–{clock(excerpt.end)}",
                "duration": f"{excerpt.end - excerpt.start:.1f} s",
                "link": moment_link(project, item.id, excerpt.start),
                "note": excerpt.note,
                "transcript": " ".join(s.text for s in part.segments),
                "citation": citation_text(project, archive, item, excerpt.start, excerpt.end),
            }
        )
    atomic_write_text(staging / "scheda.md", _sheet_markdown(project, archive, path, rows))
    _sheet_docx(path, rows, staging / "scheda.docx")
    if folder.exists():
        shutil.rmtree(folder)
    staging.replace(folder)
    archive_zip = folder.with_suffix(".zip")
    tmp_zip = archive_zip.with_name(".tmp-" + archive_zip.name)
    with zipfile.ZipFile(tmp_zip, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for file in sorted(folder.iterdir()):
            zf.write(file, f"{slug}/{file.name}")
    tmp_zip.replace(archive_zip)
    return PackResult(folder, archive_zip, sorted(folder.iterdir()))
