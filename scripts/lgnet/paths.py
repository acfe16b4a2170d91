"""Training paths (`archive/paths/<slug>.yml`): an ordered list of excerpts for a course.

`lgnet pack SLUG` turns one into a folder (and a zip) that a trainer can take to a classroom:
the clips with their captions, and an excerpt sheet (Markdown and DOCX) with each excerpt's
transcript, notes, time codes and citation.
"""

from __future__ import annotations

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
from lgnet.fsutil import atomic_output, atomic_write_text
from lgnet.outputs import (
    check_output_file,
    clean_text,
    control_characters,
    prepare_output_dir,
    staging_dir,
)
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
        invalid = {f.path.stem for f in archive.files if f.item is None}
        for n, excerpt in enumerate(path.excerpts):
            item = archive.items.get(excerpt.item)
            key = f"excerpts[{n}].item"
            if item is None and excerpt.item in invalid:
                continue  # its own file's problems are reported: no second line for one mistake
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
        problems += _control_problems(path, rel)
        paths[path.slug] = path
    return paths, problems


def _control_problems(path: TrainingPath, rel: str) -> list[Problem]:
    """Control characters in the texts that go into the sheets and the site."""
    texts = [("title", path.title), ("description", path.description)]
    texts += [(f"excerpts[{n}].note", e.note) for n, e in enumerate(path.excerpts)]
    problems = []
    for key, text in texts:
        found = control_characters(text)
        if found:
            problems.append(
                Problem(
                    rel,
                    f"contiene caratteri di controllo invisibili ({', '.join(found)}): "
                    "toglierli (spesso arrivano da un copia e incolla)",
                    key,
                )
            )
    return problems


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
    rows = _clean_rows(rows)
    out = [f"# {clean_text(path.title)}", ""]
    if path.description:
        out += [clean_text(path.description), ""]
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

    rows = _clean_rows(rows)
    doc = Document()
    doc.core_properties.language = "it-IT"
    title = clean_text(path.title)
    doc.core_properties.title = title
    doc.add_heading(title, level=0)
    if path.description:
        doc.add_paragraph(clean_text(path.description))
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


def _media_name(n: int, item: Item) -> str:
    video = Path(item.media).suffix.lower() in (".mp4", ".mov", ".mkv", ".webm")
    return f"{n:02d}-{item.id}{'.mp4' if video else '.m4a'}"


def pack(
    project: Project, slug: str, output: Path | None = None, *, overwrite: bool = False
) -> PackResult:
    """The pack of path `slug` in `output` (default packs/<slug>/) and a zip next to it.

    Where it may write is decided by `lgnet.outputs`: every file is checked before anything
    is written, and a folder holding someone else's files is refused, never emptied.
    """
    archive = load_archive(project)
    paths, problems = load_paths(project, archive)
    if problems:
        raise ValidationError(f"{len(problems)} problemi nei percorsi", problems)
    if slug not in paths:
        known = ", ".join(sorted(paths)) or "nessuno"
        raise LgnetError(f"percorso sconosciuto: {slug} (percorsi in archive/paths/: {known})")
    path = paths[slug]
    folder = prepare_output_dir(
        project,
        output if output is not None else project.root / "packs" / slug,
        overwrite,
        owner=f"pack {slug}",
        archive=archive,
    )
    media_names = [
        _media_name(n, archive.items[e.item]) for n, e in enumerate(path.excerpts, start=1)
    ]
    names = [
        f"{Path(m).stem}{ext}"
        for m in media_names
        for ext in (Path(m).suffix, ".vtt", ".srt", ".citazione.txt")
    ] + ["scheda.md", "scheda.docx"]
    folder.claim(names)
    archive_zip = check_output_file(
        project, folder.path.with_name(folder.path.name + ".zip"), overwrite, archive=archive
    )
    folder.open()
    try:
        with staging_dir(folder.path) as staging:
            rows = []
            for excerpt, name in zip(path.excerpts, media_names, strict=True):
                rows.append(_excerpt_row(project, archive, path, excerpt, staging / name))
            atomic_write_text(staging / "scheda.md", _sheet_markdown(project, archive, path, rows))
            _sheet_docx(path, rows, staging / "scheda.docx")
            files = folder.commit({name: staging / name for name in names}, prune=True)
        with (
            atomic_output(archive_zip) as tmp_zip,
            zipfile.ZipFile(tmp_zip, "w", compression=zipfile.ZIP_DEFLATED) as zf,
        ):
            for file in files:
                zf.write(file, f"{slug}/{file.name}")
    except BaseException:
        folder.abandon()
        raise
    return PackResult(folder.path, archive_zip, files)


def _excerpt_row(
    project: Project, archive: Archive, path: TrainingPath, excerpt: Excerpt, target: Path
) -> dict[str, str]:
    item = archive.items[excerpt.item]
    clip = make_clip(
        project,
        ClipRequest(excerpt.item, excerpt.start, excerpt.end, target, audience=path.audience),
        archive,
    )
    transcript = read_transcript(TranscriptFiles(project.transcripts, item.id).json)
    part = clip_transcript(transcript, item, excerpt.start, excerpt.end)
    return {
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


def _clean_rows(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """Rows without control characters (a paste from a PDF, a subtitle editor): the DOCX's
    XML cannot hold them, and they are invisible noise in the Markdown."""
    return [{key: clean_text(value) for key, value in row.items()} for row in rows]
