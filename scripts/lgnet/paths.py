"""Training paths (`archive/paths/<slug>.yml`): an ordered list of excerpts for a course.

`lgnet pack SLUG` turns one into a folder (and a zip) that a trainer can take to a classroom:
the clips with their captions, and an excerpt sheet (Markdown and DOCX) with each excerpt's
transcript, notes, time codes and citation.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
from lgnet.clip import (
    AUTOMATIC_TRANSCRIPT,
    NO_SITE_URL,
    ClipRequest,
    citation_text,
    clip_transcript,
    licence_warning,
    make_clip,
    moment_link,
    resolve_site_url,
    time_label,
)
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
from lgnet.transcripts import (
    Transcript,
    TranscriptFiles,
    narration_aligned,
    read_transcript,
    status_label,
)


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
    warnings: list[str] = field(default_factory=list)

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
    warnings = [row["warning"] for row in rows if row["warning"]]
    if warnings:
        out += ["> **Attenzione ai diritti:**  ", *[f"> {w}  " for w in warnings], ""]
    for n, row in enumerate(rows, start=1):
        link = row["link"]
        shown_link = f"<{link}>" if _absolute(link) else f"`{link}` ({NO_SITE_URL})"
        out += [
            f"## {n}. {row['title']}",
            "",
            f"- **File:** `{row['file']}` (sottotitoli: `{row['vtt']}`)",
            f"- **Dalla registrazione:** {row['range']} — durata dell'estratto {row['duration']}",
            f"- **Link:** {shown_link}",
        ]
        if row["note"]:
            out += [f"- **Nota per chi forma:** {row['note']}"]
        if row["warning"]:
            out += [f"- **Attenzione:** {row['warning']}"]
        heading = "**Trascrizione**" + (f" ({row['status']})" if row["status"] else "")
        out += ["", heading, "", row["transcript"] or "_(nessun parlato)_", ""]
        out += ["**Citazione**", "", *[f"> {line}  " for line in row["citation"].splitlines()], ""]
    return "\n".join(out)


def _absolute(link: str) -> bool:
    return link.startswith(("http://", "https://"))


def _add_hyperlink(paragraph: Any, url: str, text: str) -> None:
    """A real, clickable hyperlink (python-docx has no API for it): a relationship to the
    external address and a `w:hyperlink` element holding a blue underlined run."""
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    r_id = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), r_id)
    run = OxmlElement("w:r")
    props = OxmlElement("w:rPr")
    color = OxmlElement("w:color")
    color.set(qn("w:val"), "0B5394")
    underline = OxmlElement("w:u")
    underline.set(qn("w:val"), "single")
    props.append(color)
    props.append(underline)
    run.append(props)
    text_element = OxmlElement("w:t")
    text_element.text = text
    text_element.set(qn("xml:space"), "preserve")
    run.append(text_element)
    link.append(run)
    paragraph._p.append(link)


def _labelled(doc: Any, label: str, text: str) -> Any:
    paragraph = doc.add_paragraph()
    paragraph.add_run(f"{label}: ").bold = True
    if text:
        paragraph.add_run(text)
    return paragraph


def _sheet_docx(path: TrainingPath, rows: list[dict[str, str]], target: Path) -> None:
    """The excerpt sheet as an A4 Word document: readable type, clickable links."""
    from docx import Document
    from docx.enum.text import WD_LINE_SPACING
    from docx.shared import Mm, Pt, RGBColor

    rows = _clean_rows(rows)
    doc = Document()
    for section in doc.sections:  # A4, 2 cm margins (python-docx's template is US Letter)
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = Mm(20)
        section.top_margin = section.bottom_margin = Mm(20)
    normal = doc.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(11)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing_rule = WD_LINE_SPACING.MULTIPLE
    normal.paragraph_format.line_spacing = 1.2
    for name, size in (("Title", 22), ("Heading 1", 15), ("Heading 2", 12)):
        style = doc.styles[name]
        style.font.name = "Arial"
        style.font.size = Pt(size)
        style.font.color.rgb = RGBColor(0x1F, 0x2A, 0x44)
    doc.core_properties.language = "it-IT"
    title = clean_text(path.title)
    doc.core_properties.title = title
    doc.add_heading(title, level=0)
    if path.description:
        doc.add_paragraph(clean_text(path.description))
    doc.add_paragraph(f"Percorso formativo di LGNet Archivio — pubblico: {path.audience}.")
    warnings = [row["warning"] for row in rows if row["warning"]]
    if warnings:
        doc.add_heading("Attenzione ai diritti", level=2)
        for warning in warnings:
            doc.add_paragraph(warning, style="List Bullet")
    for n, row in enumerate(rows, start=1):
        doc.add_heading(f"{n}. {row['title']}", level=1)
        _labelled(doc, "File", f"{row['file']} (sottotitoli: {row['vtt']})")
        _labelled(doc, "Dalla registrazione", f"{row['range']} — durata {row['duration']}")
        if _absolute(row["link"]):
            _add_hyperlink(_labelled(doc, "Link", ""), row["link"], row["link"])
        else:
            _labelled(doc, "Link", f"{row['link']} ({NO_SITE_URL})")
        if row["note"]:
            _labelled(doc, "Nota per chi forma", row["note"])
        if row["warning"]:
            _labelled(doc, "Attenzione", row["warning"])
        heading = "Trascrizione" + (f" ({row['status']})" if row["status"] else "")
        doc.add_heading(heading, level=2)
        doc.add_paragraph(row["transcript"] or "(nessun parlato)")
        doc.add_heading("Citazione", level=2)
        citation = doc.add_paragraph()
        for k, line in enumerate(row["citation"].splitlines()):
            if k:
                citation.add_run().add_break()
            label, sep, rest = line.partition(": ")
            if sep and _absolute(rest.split(" ")[0]):
                citation.add_run(label + sep)
                url = rest.split(" ")[0]
                _add_hyperlink(citation, url, url)
                if rest[len(url) :]:
                    citation.add_run(rest[len(url) :])
            else:
                citation.add_run(line)
    tmp = target.with_name(".tmp-" + target.name)
    doc.save(str(tmp))
    tmp.replace(target)


def _media_name(n: int, item: Item, start: float, end: float) -> str:
    """`01_palermo-safe-space_00m00s-00m30s.mp4`: order, item, time range."""
    video = Path(item.media).suffix.lower() in (".mp4", ".mov", ".mkv", ".webm")
    return f"{n:02d}_{item.id}_{time_label(start, end)}{'.mp4' if video else '.m4a'}"


def pack(
    project: Project,
    slug: str,
    output: Path | None = None,
    *,
    overwrite: bool = False,
    burn: bool = False,
    site_url: str | None = None,
) -> PackResult:
    """The pack of path `slug` in `output` (default packs/<slug>/) and a zip next to it.

    Where it may write is decided by `lgnet.outputs`: every file is checked before anything
    is written, and a folder holding someone else's files is refused, never emptied. `burn`
    burns the captions into the video excerpts; `site_url` makes the links absolute (default:
    `site_url` in mkdocs.yml; without either they stay relative, and the sheet says so).
    """
    archive = load_archive(project)
    paths, problems = load_paths(project, archive)
    if problems:
        raise ValidationError(f"{len(problems)} problemi nei percorsi", problems)
    if slug not in paths:
        known = ", ".join(sorted(paths)) or "nessuno"
        raise LgnetError(f"percorso sconosciuto: {slug} (percorsi in archive/paths/: {known})")
    path = paths[slug]
    site = resolve_site_url(project, site_url)
    folder = prepare_output_dir(
        project,
        output if output is not None else project.root / "packs" / slug,
        overwrite,
        owner=f"pack {slug}",
        archive=archive,
    )
    media_names = [
        _media_name(n, archive.items[e.item], e.start, e.end)
        for n, e in enumerate(path.excerpts, start=1)
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
                rows.append(
                    _excerpt_row(project, archive, path, excerpt, staging / name, burn, site)
                )
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
    warnings = list(dict.fromkeys(row["warning"] for row in rows if row["warning"]))
    return PackResult(folder.path, archive_zip, files, warnings)


def _excerpt_row(
    project: Project,
    archive: Archive,
    path: TrainingPath,
    excerpt: Excerpt,
    target: Path,
    burn: bool,
    site: str,
) -> dict[str, str]:
    item = archive.items[excerpt.item]
    video = Path(item.media).suffix.lower() in (".mp4", ".mov", ".mkv", ".webm")
    request = ClipRequest(
        excerpt.item,
        excerpt.start,
        excerpt.end,
        target,
        burn=burn and video,
        audience=path.audience,
        site_url=site or None,
    )
    clip = make_clip(project, request, archive)
    transcript = read_transcript(TranscriptFiles(project.transcripts, item.id).json)
    part = clip_transcript(transcript, item, excerpt.start, excerpt.end)
    return {
        "title": item.title,
        "file": clip.media.name,
        "vtt": clip.vtt.name,
        "range": f"{clock(excerpt.start)}–{clock(excerpt.end)}",
        "duration": f"{excerpt.end - excerpt.start:.1f} s",
        "link": moment_link(project, item.id, excerpt.start, site),
        "note": excerpt.note,
        "transcript": " ".join(s.text for s in part.segments),
        "status": _status_note(transcript),
        "warning": licence_warning(item) or "",
        "citation": citation_text(project, archive, item, excerpt.start, excerpt.end, site),
    }


def _status_note(transcript: Transcript) -> str:
    """How the excerpt's words were made, for the sheet: nothing when a person reviewed them."""
    if transcript.status == "revisionato":
        return ""
    if narration_aligned(transcript):
        label = status_label(transcript)
        return label[:1].lower() + label[1:]
    return AUTOMATIC_TRANSCRIPT


def _clean_rows(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """Rows without control characters (a paste from a PDF, a subtitle editor): the DOCX's
    XML cannot hold them, and they are invisible noise in the Markdown."""
    return [{key: clean_text(value) for key, value in row.items()} for row in rows]
