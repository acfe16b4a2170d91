"""The site stage: render docs/ into site/ with MkDocs (or Zensical), then add the media.

Rendering uses MkDocs' Python API (`zensical build` as a subprocess for the compatibility
check). Without a site URL every link is relative, so the site works from any sub-path and
from a copy on disk; with one (`lgnet build --site-url`), the 404 page, which the web server
shows at any address, also finds its styles and links under that sub-path.

Media, posters and transcript downloads are then placed in `site/media/`, taken only from
`PublishedMedia` records, i.e. only for items published for the audience. Files are
hard-linked when possible, so a rebuild with gigabytes of video costs nothing.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from lgnet.archive import Archive
from lgnet.deploy import staged_site
from lgnet.errors import BuildError
from lgnet.fsutil import atomic_write_text
from lgnet.project import Project
from lgnet.publish import PublishedMedia, publish_item_files

ENGINES = ("mkdocs", "zensical")
SITE_MEDIA = "media"
STAGED_MEDIA = "site-media"  # under .build/: copies of media that cannot be hard-linked


def render_site(
    project: Project,
    archive: Archive,
    audience: str,
    *,
    engine: str = "mkdocs",
    media: dict[str, PublishedMedia] | None = None,
    site_url: str | None = None,
    site_dir: Path | None = None,
    extras: Callable[[Path], None] | None = None,
    verify: Callable[[Path], None] | None = None,
) -> Path:
    """Build the site (default `site/`) from docs/ (pages already generated) and add the
    published files.

    `media` is what the publish stage decided may go online; when omitted it is computed.
    `site_url` is the site's public address (MkDocs' `site_url`); None keeps it unset.
    `extras` adds files to the rendered site (feeds, manifests, open data) before the check.
    The site is rendered into a folder beside `site_dir`, checked with `verify` (the leak
    audit), and swapped in only when everything passed: on any failure the previous site is
    left exactly as it was.
    """
    target = site_dir or project.site
    if engine not in ENGINES:
        raise BuildError(f"motore sconosciuto {engine!r}: usare {' oppure '.join(ENGINES)}")
    if site_url is not None:
        site_url = check_site_url(site_url)
    published = {item.id for item in archive.published(audience)}
    if media is None:
        from lgnet.transcripts import load_transcripts

        transcripts = load_transcripts(project.transcripts, sorted(published))
        media = publish_item_files(project, archive, transcripts, audience)
    stray = sorted(set(media) - published)
    if stray:
        raise BuildError(
            f"file di registrazioni non pubblicabili per '{audience}': {', '.join(stray)}; "
            "il sito non è stato aggiornato"
        )
    with staged_site(target, audience=audience, protected=project.sources) as staging:
        if engine == "mkdocs":
            _build_with_mkdocs(
                project, staging, site_url, feed=extras is not None, audience=audience
            )
        else:
            _build_with_zensical(project, staging, site_url, audience=audience)
        place_media(project, media, staging)
        _publish_search(project, audience, staging)
        minify_scripts(staging)
        if extras is not None:
            extras(staging)
        if verify is not None:
            verify(staging)
    return target


# The site's own scripts and lunr's, as a phone downloads them: without comments and spaces
# (rjsmin: a whitespace and comment remover, it never renames or rewrites code). A fifth of
# the search page's weight. Material's own bundle is minified already.
MINIFIED = ("assets/lgnet/*.js", "assets/cerca/lunr*.js")
_LICENCE = re.compile(r"licen[cs]e|copyright", re.IGNORECASE)


def minify_scripts(site: Path) -> None:
    import rjsmin

    for pattern in MINIFIED:
        for path in sorted(site.glob(pattern)):
            text = path.read_text(encoding="utf-8")
            # a leading comment naming a licence or copyright stays (lunr.js: MIT, its notice)
            head = re.match(r"\s*/\*.*?\*/", text, re.DOTALL)
            keep = head.group(0).strip() + "\n" if head and _LICENCE.search(head.group(0)) else ""
            path.unlink()  # it may be a hard link to a source: never write through it
            path.write_text(keep + rjsmin.jsmin(text, keep_bang_comments=True), encoding="utf-8")


def check_site_url(url: str) -> str:
    """The site's public address, checked (a full http or https URL) and ending in '/'."""
    text = url.strip()
    if not _is_web_address(text):
        raise BuildError(
            f"--site-url: indirizzo non valido {url!r}; indicare l'indirizzo completo del sito, "
            "con http:// o https://, ad esempio https://www.comune.example.it/lgnet/"
        )
    return text if text.endswith("/") else text + "/"


# Characters RFC 3986 allows in a URI (unreserved, reserved and '%'): anything else, such as
# `"<>\\` {}|^`, spaces or control characters, could end an HTML attribute in the 404 page or in
# `<link rel="canonical">`, so it is refused rather than escaped.
_URI_CHARACTERS = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#[]@!$&'()*+,;=%"
)
_PERCENT_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


def _is_web_address(text: str) -> bool:
    if not text or not set(text) <= _URI_CHARACTERS or _PERCENT_ESCAPE.search(text):
        return False
    try:
        parts = urlsplit(text)
        port_ok = parts.port is None or parts.port > 0  # a port that is no number: ValueError
    except ValueError:
        return False
    return (
        parts.scheme.lower() in ("http", "https")
        and bool(parts.hostname)
        and port_ok
        and not parts.query
        and not parts.fragment
        and not any(c.isspace() for c in text)
    )


def _config_file(project: Project) -> Path:
    config = project.root / "mkdocs.yml"
    if not config.is_file():
        raise BuildError(f"{config}: file di configurazione del sito mancante")
    return config


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return " ".join(text.splitlines()[0].split())


def _build_with_mkdocs(
    project: Project,
    out: Path,
    site_url: str | None = None,
    *,
    feed: bool = False,
    audience: str = "pubblico",
) -> None:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    config_file = _config_file(project)
    try:
        # site_url=None is dropped by load_config: mkdocs.yml's own setting (none) stays.
        config = load_config(config_file=str(config_file), site_dir=str(out), site_url=site_url)
    except Exception as exc:  # mkdocs raises its own and YAML's errors here
        raise BuildError(
            f"{config_file.name}: configurazione non valida ({_first_line(exc)})"
        ) from None
    _anchor_snippet_paths(config, project.root)
    # The pages announce the Atom feed only when the open-data step will write it.
    config["extra"]["lgnet_feed"] = bool(feed and site_url)
    config.plugins.on_startup(command="build", dirty=False)
    # The evidence links (lgnet.mkdocs_hooks) read the project and the audience from here.
    saved = {name: os.environ.get(name) for name in ("LGNET_AUDIENCE", "LGNET_ROOT")}
    os.environ.update(LGNET_AUDIENCE=audience, LGNET_ROOT=str(project.root))
    try:
        build(config, dirty=False)
    except SystemExit as exc:  # mkdocs' Abort is a SystemExit-like click exception
        raise BuildError(f"costruzione del sito interrotta ({_first_line(exc)})") from None
    except Exception as exc:  # a page or a snippet that cannot be rendered
        raise BuildError(
            f"costruzione del sito non riuscita: {_first_line(exc)}; correggere la pagina "
            "indicata e rilanciare"
        ) from None
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        config.plugins.on_shutdown()


def _anchor_snippet_paths(config: Any, root: Path) -> None:
    """pymdownx.snippets reads base_path from the working directory; pin it to the project."""
    options = config["mdx_configs"].get("pymdownx.snippets")
    if options and "base_path" in options:
        paths = options["base_path"]
        paths = [paths] if isinstance(paths, str) else list(paths)
        options["base_path"] = [str(root / p) for p in paths]


def _zensical_command() -> list[str]:
    beside = Path(sys.executable).parent / "zensical"
    found = str(beside) if beside.is_file() else shutil.which("zensical")
    if found is None:
        raise BuildError("zensical non installato: installarlo con 'pip install zensical'")
    return [found]


@contextlib.contextmanager
def _zensical_config(config_file: Path, out: Path, site_url: str | None) -> Iterator[Path]:
    """A short-lived file beside mkdocs.yml that inherits it, with the output folder (and the
    site URL, if any).

    Zensical has no command-line option for either. The file must sit in the same folder,
    because Zensical resolves docs/ from where its configuration is.
    """
    derived = config_file.with_name(f".{config_file.stem}.{os.getpid()}.zensical.yml")
    # A JSON string is a valid YAML scalar: the values are quoted whatever they contain.
    lines = [f"INHERIT: {json.dumps(config_file.name)}", f"site_dir: {json.dumps(str(out))}"]
    if site_url is not None:
        lines.append(f"site_url: {json.dumps(site_url)}")
    derived.write_text("\n".join(lines) + "\n", encoding="utf-8")
    try:
        yield derived
    finally:
        derived.unlink(missing_ok=True)


def _build_with_zensical(
    project: Project, out: Path, site_url: str | None = None, *, audience: str = "pubblico"
) -> None:
    config_file = _config_file(project)
    # The evidence links (lgnet.mkdocs_hooks) read the project and the audience from here.
    env = {**os.environ, "LGNET_AUDIENCE": audience, "LGNET_ROOT": str(project.root)}
    with _zensical_config(config_file, out, site_url) as config:
        proc = subprocess.run(
            [*_zensical_command(), "build", "--clean", "-f", str(config)],
            cwd=project.root,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    if proc.returncode != 0 or not (out / "index.html").is_file():
        lines = [ln.strip() for ln in (proc.stderr + proc.stdout).splitlines() if ln.strip()]
        detail = lines[-1] if lines else f"codice di uscita {proc.returncode}"
        raise BuildError(f"zensical build non riuscito: {detail}")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _link_or_copy(source: Path, target: Path, staging: Path) -> None:
    """Hard-link `source` at `target`; across devices, through a copy kept in `staging`."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists() or target.is_symlink():
        if _same_file(source, target):
            return
        target.unlink()
    try:
        os.link(source, target)
        return
    except OSError:
        pass
    staged = staging / target.name
    stat = source.stat()
    fresh = staged.is_file() and (
        staged.stat().st_size == stat.st_size and staged.stat().st_mtime_ns == stat.st_mtime_ns
    )
    if not fresh:
        staging.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, staged)
    try:
        os.link(staged, target)
    except OSError:
        shutil.copy2(staged, target)


def place_media(
    project: Project, media: dict[str, PublishedMedia], site_dir: Path | None = None
) -> list[Path]:
    """Put each record's files in <site>/media/ and remove any other file found there."""
    folder = (site_dir or project.site) / SITE_MEDIA
    staging = project.build_dir / STAGED_MEDIA
    wanted: dict[str, Path] = {}
    for record in media.values():
        wanted.update(record.site_files())
    for name, source in sorted(wanted.items()):
        if not source.is_file():
            raise BuildError(
                f"{source}: file da pubblicare mancante (registrazione "
                f"{name.rsplit('.', 1)[0]}); rilanciare 'lgnet build'"
            )
        _link_or_copy(source, folder / name, staging)
    if folder.is_dir():
        for path in folder.iterdir():
            if path.name not in wanted:
                if path.is_dir():
                    shutil.rmtree(path)
                else:
                    path.unlink()
    if staging.is_dir():
        for path in staging.iterdir():
            if path.name not in wanted:
                with contextlib.suppress(OSError):
                    path.unlink()
    for name, source in sorted(wanted.items()):
        if name.endswith(".vtt"):
            script = folder / f"{name}.js"
            atomic_write_text(script, caption_script(name[: -len(".vtt")], source))
    return [folder / name for name in sorted(wanted)]


_CUE_TIMING = re.compile(r"^(\S+)\s+-->\s+(\S+)")


def _cue_seconds(text: str) -> float:
    parts = text.replace(",", ".").split(":")
    return float(sum(float(p) * 60**i for i, p in enumerate(reversed(parts))))


def caption_script(item_id: str, vtt: Path) -> str:
    """The cues of a published VTT as a script, `media/<id>.vtt.js`.

    A page opened from disk (file://) cannot load a `<track>` (Chromium treats every file as
    its own origin), but it can run a script: `sito.js` loads this one there and adds the
    cues to the player itself. Over http(s) the `<track>` is used and this file is ignored.
    """
    cues = []
    for block in re.split(r"\n\s*\n", vtt.read_text(encoding="utf-8").replace("\r\n", "\n")):
        lines = block.strip("\n").split("\n")
        at = next((i for i, line in enumerate(lines) if _CUE_TIMING.match(line)), None)
        if at is None:
            continue
        timing = _CUE_TIMING.match(lines[at])
        assert timing is not None
        text = "\n".join(lines[at + 1 :]).strip()
        if text:
            start, end = (_cue_seconds(t) for t in timing.groups())
            cues.append([round(start, 3), round(end, 3), text])
    payload = json.dumps(cues, ensure_ascii=False, separators=(",", ":"))
    return f"lgnetSottotitoli({json.dumps(item_id)},{payload});\n"


def _publish_search(project: Project, audience: str, site_dir: Path) -> None:
    """Hand the site to the search stage, which adds its index and its runtime."""
    from lgnet.index import publish_search
    from lgnet.pagesearch import publish_page_search

    publish_search(project, audience, site_dir)
    publish_page_search(site_dir)
