"""What every page type shares: URLs, Italian formatting, and the Jinja2 environment.

The page HTML lives in `lgnet/templates/` (one template per page type, shared macros in
`templates/partials/`); the page-type modules compute plain data and call `render`. The
environment escapes every value by default (`autoescape`), so archive data (titles, names,
transcript text) reaches a page only as text: a template marks nothing safe by hand, and the
only values that pass unescaped are the `Markup` that a filter below or a macro returns.

Values are escaped with `html.escape(quote=True)`, as the pages stage always did and as
`lgnet.mkdocs_hooks` escapes front matter (`&quot;`, `&#x27;`), not with MarkupSafe's own
spelling (`&#34;`, `&#39;`): the generated files stay byte-identical, and a browser reads both
the same way.
"""

from __future__ import annotations

import functools
import html
import json
import posixpath
import re
import unicodedata
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from lgnet.citations import italian_date as italian_date  # one date format for pages and citations
from lgnet.timecode import clock

ARCHIVE_DOCS = "archivio"  # docs/archivio/: catalogue and recording pages, all generated
PATHS_DOCS = "percorsi"  # docs/percorsi/: training paths and their list, all generated
MEDIA_URL = "media"  # site/media/: where the site stage copies published files

LANGUAGES = {"it": "italiano", "en": "inglese", "fr": "francese", "es": "spagnolo"}


# --- URLs ----------------------------------------------------------------------------------


def page_url(docs_path: str) -> str:
    """The directory URL (`use_directory_urls`) of a page, from its path inside docs/."""
    path = docs_path.replace("\\", "/")
    stem = posixpath.splitext(path)[0]
    if posixpath.basename(stem) in ("index", "README"):
        folder = posixpath.dirname(stem)
        return folder + "/" if folder else ""
    return stem + "/"


def href(from_url: str, target: str) -> str:
    """A relative link from the page at `from_url` to the site path `target`."""
    anchor = ""
    if "#" in target:
        target, fragment = target.split("#", 1)
        anchor = "#" + fragment
    rel = posixpath.relpath("/" + target, "/" + (from_url or "."))
    if target.endswith("/") or target == "":
        rel = "./" if rel == "." else rel + "/"
    return rel + anchor


def relative_to(target: str, from_url: str) -> str:
    """`href` as a template filter: `{{ "assets/x.js"|relative_to(page.url) }}`."""
    return href(from_url, target)


def recording_url(item_id: str) -> str:
    return f"{ARCHIVE_DOCS}/{item_id}/"


def path_url(slug: str) -> str:
    return f"{PATHS_DOCS}/{slug}/"


def media_url(from_url: str, name: str) -> str:
    """A relative link to a published file of `site/media/`."""
    return href(from_url, f"{MEDIA_URL}/{name}")


# --- formatting ----------------------------------------------------------------------------


def spoken_duration(seconds: float) -> str:
    """`84.2` -> `1 minuto e 24 secondi`, for screen readers and metadata."""
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    parts = []
    if hours:
        parts.append(f"{hours} {'ora' if hours == 1 else 'ore'}")
    if minutes:
        parts.append(f"{minutes} {'minuto' if minutes == 1 else 'minuti'}")
    if secs or not parts:
        parts.append(f"{secs} {'secondo' if secs == 1 else 'secondi'}")
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " e " + parts[-1]


def seconds_attr(value: float) -> str:
    """A time for `#t=` and `data-start`: `84.5`, `12`, never `12.00`."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def paragraphs(text: str) -> list[str]:
    """A description's paragraphs (blank-line separated), each on one line."""
    return [" ".join(b.split()) for b in re.split(r"\n\s*\n", text.strip()) if b.strip()]


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "voce"


def sort_key(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()


def plural(count: int, one: str, many: str) -> str:
    return one if count == 1 else many


# --- filters that escape for a context other than HTML text ----------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()>#+\-.!|])")


def markdown_text(text: object) -> Markup:
    """Data as Markdown text: HTML-escaped, and every Markdown-special character escaped."""
    escaped = html.escape(" ".join(str(text).split()), quote=False)
    return Markup(_MD_SPECIAL.sub(r"\\\1", escaped))


def front_matter_text(text: str) -> Markup:
    """A front-matter value: HTML-escaped (themes print it unescaped), as a JSON string.

    Escaped here, for both engines; `lgnet.mkdocs_hooks` escapes every other page's front
    matter and leaves these folders' pages alone (`GENERATED_FOLDERS`), so nothing is doubled.
    """
    return Markup(json.dumps(html.escape(" ".join(text.split()), quote=True), ensure_ascii=False))


def jsonld_text(data: Any) -> Markup:
    """JSON-LD for inside a `<script type="application/ld+json">` element: `<`, `>` and `&`
    written as JSON escapes, so no value can close the element."""
    from lgnet.structured import jsonld_json

    return Markup(jsonld_json(data))


def _escape(value: Any) -> Any:
    """Jinja2's `finalize`: every printed value not already `Markup` is escaped here.

    Autoescaping then leaves the result alone; `str(value)` also raises for an undefined name
    (`StrictUndefined`).
    """
    if hasattr(value, "__html__"):
        return value
    return Markup(html.escape(str(value), quote=True))


# --- the environment -----------------------------------------------------------------------


@functools.cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("lgnet", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        finalize=_escape,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        clock=clock,
        italian_date=italian_date,
        spoken_duration=spoken_duration,
        seconds=seconds_attr,
        md=markdown_text,
        front_matter=front_matter_text,
        relative_to=relative_to,
        plural=plural,
        jsonld=jsonld_text,
    )
    return env


def render(template: str, **context: Any) -> str:
    """The text of `template` (a path inside lgnet/templates/) rendered with `context`."""
    return environment().get_template(template).render(**context)


def render_macro(template: str, macro: str, *args: Any) -> str:
    """One macro of a partial, on its own (tests, and pages that reuse a single part)."""
    module = environment().get_template(template).module
    return str(getattr(module, macro)(*args))
