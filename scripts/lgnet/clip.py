"""`lgnet clip`: an excerpt for training, with re-timed captions and a citation.

The cut is frame-accurate: the excerpt is re-encoded (a stream copy can only start on a
keyframe and, measured on H.264/AAC, overran the requested end by up to 0.2 s). Redactions
are honoured in the media and in the captions, and the item's access level must allow the
intended use.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from lgnet.archive import Archive, Item, load_archive
from lgnet.errors import AccessError, LgnetError, MediaError
from lgnet.fsutil import atomic_output, atomic_write_text
from lgnet.media import audio_codec_args, ffmpeg_binary, last_error_line, probe
from lgnet.outputs import (
    check_output_files,
    clean_text,
    make_dirs,
    prepare_output_dir,
    remove_empty_dirs,
    staging_dir,
)
from lgnet.project import Project
from lgnet.redact import audio_filter, video_filter
from lgnet.timecode import clock
from lgnet.transcripts import (
    Segment,
    Transcript,
    TranscriptFiles,
    Word,
    read_transcript,
    render_srt,
    render_vtt,
)

NO_SITE_URL = "indirizzo del sito non indicato: link relativo"
AUTOMATIC_TRANSCRIPT = "trascrizione automatica, non revisionata"
# Burned-in captions: white text on a semi-opaque black box (BorderStyle=3), at most 2 lines
# (the cues already are; WrapStyle=2 never wraps them again), sized to the picture.
BURN_BOX_ALPHA = "40"  # hex alpha of the box: 00 opaque, FF transparent (40 = 75% opaque)
_NO_DERIVATIVES = re.compile(r"\bND\b|NoDeriv|non opere derivate", re.IGNORECASE)

AUDIENCE_USE = {
    "pubblico": "formazione aperta al pubblico",
    "operatori": "formazione interna per gli operatori della rete",
}


@dataclass
class ClipRequest:
    item_id: str
    start: float
    end: float
    output: Path | None = None
    burn: bool = False
    audience: str = "pubblico"
    overwrite: bool = False
    site_url: str | None = None  # the site's address; None: `site_url` in mkdocs.yml, if any


@dataclass
class ClipResult:
    media: Path
    vtt: Path
    srt: Path
    citation: Path
    warnings: list[str] = field(default_factory=list)

    @property
    def files(self) -> list[Path]:
        return [self.media, self.vtt, self.srt, self.citation]

    def summary(self) -> str:
        return (
            f"Estratto: {self.media}\nSottotitoli: {self.vtt}, {self.srt}\n"
            f"Citazione: {self.citation}"
        )


def site_url(project: Project) -> str:
    """`site_url` from mkdocs.yml, if set (for absolute links in citations)."""
    path = project.root / "mkdocs.yml"
    if not path.exists():
        return ""

    class _Lenient(yaml.SafeLoader):
        pass

    _Lenient.add_multi_constructor("", lambda _loader, _suffix, _node: None)
    try:
        config = yaml.load(path.read_text(encoding="utf-8"), Loader=_Lenient)
    except yaml.YAMLError:
        return ""
    url = (config or {}).get("site_url") or ""
    return str(url).rstrip("/") + "/" if url else ""


def resolve_site_url(project: Project, given: str | None = None) -> str:
    """The site's address for absolute links: `given` (checked, e.g. from --site-url), else
    `site_url` in mkdocs.yml, else "" (links stay relative)."""
    if given:
        from lgnet.site import check_site_url

        return check_site_url(given)
    return site_url(project)


def moment_link(project: Project, item_id: str, start: float, site: str | None = None) -> str:
    """Link to the moment on the site: absolute when the site's address is known."""
    base = site if site is not None else site_url(project)
    return f"{base}archivio/{item_id}/#t={start:g}"


def licence_warning(item: Item) -> str | None:
    """A warning when the item's licence does not clearly allow an excerpt to be handed out."""
    if not item.license:
        return (
            f"{item.id}: licenza non indicata; chiedere al titolare dei diritti prima di "
            "distribuire l'estratto"
        )
    if _NO_DERIVATIVES.search(item.license):
        return (
            f"{item.id}: la licenza {item.license} non consente opere derivate; un estratto o "
            "dei sottotitoli impressi possono non essere consentiti: chiedere il permesso al "
            "titolare dei diritti"
        )
    return None


def citation_text(
    project: Project,
    archive: Archive,
    item: Item,
    start: float,
    end: float,
    site: str | None = None,
) -> str:
    city = archive.city_name(item.city)
    base = site if site is not None else site_url(project)
    link = moment_link(project, item.id, start, base)
    lines = [
        f"«{item.title}» — {city}, {item.date}",
        f"Estratto {clock(start)}–{clock(end)} ({end - start:.1f} s)",
        f"Crediti: {item.credits or 'non indicati'}",
        f"Licenza: {item.license or 'non indicata: chiedere al titolare prima di riusarla'}",
        f"Accesso: {item.effective_access()}",
        f"Collegamento al momento: {link}" + ("" if base else f" ({NO_SITE_URL})"),
    ]
    warning = licence_warning(item)
    if warning:
        lines.append("Attenzione: " + warning.split(": ", 1)[1])
    if item.synthetic:
        lines.append("Nota: narrazione sintetica (voce generata), non una registrazione reale.")
    return clean_text("\n".join(lines)) + "\n"


def clip_transcript(
    transcript: Transcript, item: Item, start: float, end: float, *, words: bool = False
) -> Transcript:
    """Redacted segments inside [start, end], re-timed so the excerpt starts at zero.

    With `words`, the word timings come along (re-timed) and a sentence cut by the excerpt
    keeps only the words heard in it, so its captions follow the excerpt's speech. Speakers
    are named as the site names them (speaker turns applied, the shown name: lgnet.speakers)."""
    from lgnet.speakers import published_transcript, shown_voices

    redacted = shown_voices(published_transcript(transcript, item), item)
    segments = []
    for seg in redacted.segments:
        if not (seg.end > start and seg.start < end and seg.text.strip()):
            continue
        part = Segment(
            start=max(seg.start, start) - start,
            end=min(seg.end, end) - start,
            text=seg.text,
            speaker=seg.speaker,
        )
        timed = [w for w in seg.words if w.word.strip()]
        if words and [w.word.strip() for w in timed] == seg.text.split():
            inside = [w for w in timed if (w.start + w.end) / 2 >= start and w.start < end]
            inside = [w for w in inside if (w.start + w.end) / 2 < end]
            if not inside:
                continue
            part.words = [
                Word(max(w.start, start) - start, min(w.end, end) - start, w.word, w.probability)
                for w in inside
            ]
            part.text = "".join(w.word for w in inside).strip()
        segments.append(part)
    return Transcript(item.id, transcript.language, end - start, transcript.status, {}, segments)


def time_label(start: float, end: float) -> str:
    """A time range for file names: `00m21s-00m43s`, `1h02m03s-1h02m30s`."""

    def one(seconds: float) -> str:
        h, rest = divmod(int(seconds), 3600)
        m, s = divmod(rest, 60)
        return f"{h}h{m:02d}m{s:02d}s" if h else f"{m:02d}m{s:02d}s"

    return f"{one(start)}-{one(end)}"


def burn_style(width: int, height: int) -> str:
    """libass `force_style` for burned-in captions legible from 360p to 1080p.

    Sizes are in the script's units (libass scales 288 of them to the picture's height): the
    font is 6% of the height, less on narrow pictures so that 42 characters fit the width."""
    aspect = width / height if width and height else 16 / 9
    size = round(min(17.0, 17.0 * aspect / (16 / 9)), 1)
    return ",".join(
        [
            "FontName=DejaVu Sans",
            f"FontSize={size:g}",
            "PrimaryColour=&H00FFFFFF",
            f"BackColour=&H{BURN_BOX_ALPHA}000000",
            f"OutlineColour=&H{BURN_BOX_ALPHA}000000",
            "BorderStyle=3",
            "Outline=1",
            "Shadow=0",
            "MarginV=12",
            "WrapStyle=2",
        ]
    )


def _output_suffix(item: Item, has_video: bool) -> str:
    if has_video:
        return ".mp4"
    suffix = Path(item.media).suffix.lower()
    return suffix if suffix in (".mp3", ".wav", ".m4a", ".ogg", ".opus") else ".m4a"


def cut_media(
    source: Path,
    target: Path,
    item: Item,
    start: float,
    end: float,
    *,
    burn: Path | None = None,
) -> None:
    """Write the excerpt, redactions applied (and captions burned in, if given)."""
    info = probe(source)
    afilter = audio_filter(item.redactions, offset=start)
    vfilters = [f for f in (video_filter(item.redactions, offset=start),) if f]
    if burn is not None:
        escaped = str(burn).replace("\\", "\\\\").replace(":", "\\:").replace("'", "\\'")
        style = burn_style(info.width or 0, info.height or 0)
        vfilters.append(f"subtitles='{escaped}':force_style='{style}'")
    # -ss before -i: fast, and exact to the frame when transcoding (ffmpeg >= 2.1); the
    # filters then see the excerpt's own timeline, starting at zero.
    args: list[str] = [ffmpeg_binary(), "-hide_banner", "-loglevel", "error", "-y"]
    args += ["-ss", f"{start:.3f}", "-i", str(source), "-t", f"{end - start:.3f}"]
    # Like the published copies: one picture and one sound, no subtitle, data or attachment
    # stream, no chapters and no metadata (titles, places, dates, the tools' names).
    args += ["-map", "0:V:0?", "-map", "0:a:0", "-map_metadata", "-1", "-map_chapters", "-1"]
    args += ["-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact"]
    if afilter:
        args += ["-af", afilter]
    if info.has_video:
        if vfilters:
            args += ["-vf", ",".join(vfilters)]
        args += ["-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p"]
    args += audio_codec_args(target.suffix)
    with atomic_output(target) as tmp:
        proc = subprocess.run([*args, str(tmp)], capture_output=True, check=False)
        if proc.returncode != 0:
            raise MediaError(f"{source}: taglio non riuscito ({last_error_line(proc.stderr)})")


def check_use(archive: Archive, item: Item, audience: str) -> None:
    """Refuse an excerpt the publication decision for `audience` does not allow."""
    from lgnet.publish import decide

    if not decide(archive, {}, audience).allows(item.id):
        access = item.effective_access()
        why = {
            "riservato": "è riservata (o il consenso è ritirato o scaduto) e non può essere usata",
            "operatori": "è riservata agli operatori della rete",
        }.get(access, f"ha accesso '{access}'")
        raise AccessError(
            f"{item.id}: la registrazione {why}; non è utilizzabile per "
            f"{AUDIENCE_USE.get(audience, audience)}"
            + (
                " (per la formazione interna usare --audience operatori)"
                if access == "operatori"
                else ""
            )
        )


def make_clip(project: Project, request: ClipRequest, archive: Archive | None = None) -> ClipResult:
    archive = archive or load_archive(project)
    item = archive.items.get(request.item_id)
    if item is None:
        raise LgnetError(f"registrazione sconosciuta: {request.item_id} (vedere archive/items/)")
    check_use(archive, item, request.audience)
    source = item.media_path(project)
    info = probe(source)
    if not (0 <= request.start < request.end <= info.duration + 0.05):
        raise LgnetError(
            f"{item.id}: intervallo {clock(request.start)}–{clock(request.end)} non valido; la "
            f"registrazione dura {clock(info.duration)} e l'inizio deve precedere la fine"
        )
    end = min(request.end, info.duration)
    files = TranscriptFiles(project.transcripts, item.id)
    if not files.json.exists():
        raise LgnetError(f"{item.id}: trascrizione mancante; eseguire 'lgnet transcribe {item.id}'")
    if request.burn and not info.has_video:
        raise LgnetError(
            f"{item.id}: --burn serve solo per i video, questa è una registrazione audio"
        )
    excerpt = clip_transcript(read_transcript(files.json), item, request.start, end, words=True)
    site = resolve_site_url(project, request.site_url)
    warning = licence_warning(item)
    warnings = [warning] if warning else []
    suffix = _output_suffix(item, info.has_video)
    if request.output is None:
        # The default folder follows the marker rules: only files lgnet wrote are replaced.
        folder = prepare_output_dir(
            project, project.root / "clips", request.overwrite, owner="clip", archive=archive
        )
        stem = f"{item.id}_{time_label(request.start, end)}"
        names = [stem + suffix, stem + ".vtt", stem + ".srt", stem + ".citazione.txt"]
        folder.claim(names)
        folder.open()
        try:
            with staging_dir(folder.path) as staging:
                staged = _write_clip(
                    project, archive, item, request, end, excerpt, staging, names, site
                )
                folder.commit(staged, prune=False)
        except BaseException:
            folder.abandon()
            raise
        media, vtt, srt, citation = (folder.path / name for name in names)
        return ClipResult(media, vtt, srt, citation, warnings)
    target = Path(os.path.abspath(request.output))
    if not target.suffix:
        target = target.with_name(target.name + suffix)
    targets = [
        target,
        target.with_suffix(".vtt"),
        target.with_suffix(".srt"),
        target.with_suffix(".citazione.txt"),
    ]
    # Every target is checked before anything is written, so nothing is left half-done.
    check_output_files(project, targets, request.overwrite, archive=archive)
    created = make_dirs(target.parent)
    try:
        with staging_dir(target.parent) as staging:
            staged = _write_clip(
                project,
                archive,
                item,
                request,
                end,
                excerpt,
                staging,
                [t.name for t in targets],
                site,
            )
            for tmp, final in zip(staged.values(), targets, strict=True):
                os.replace(tmp, final)
    except BaseException:
        remove_empty_dirs(created)
        raise
    return ClipResult(targets[0], targets[1], targets[2], targets[3], warnings)


def _write_clip(
    project: Project,
    archive: Archive,
    item: Item,
    request: ClipRequest,
    end: float,
    excerpt: Transcript,
    staging: Path,
    names: list[str],
    site: str,
) -> dict[str, Path]:
    """Write media, captions and citation into `staging`; return name -> temporary path."""
    media, vtt, srt, citation = (staging / name for name in names)
    atomic_write_text(vtt, render_vtt(excerpt))
    atomic_write_text(srt, render_srt(excerpt))
    source = item.media_path(project)
    cut_media(source, media, item, request.start, end, burn=srt if request.burn else None)
    atomic_write_text(citation, citation_text(project, archive, item, request.start, end, site))
    return {names[0]: media, names[1]: vtt, names[2]: srt, names[3]: citation}
