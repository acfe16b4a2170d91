"""Front matter is data: HTML-escape it before the theme prints it.

Material's templates (MkDocs' and Zensical's copies) print `page.meta.title`,
`page.meta.description` and the page title without escaping, into `<title>`, the header, the
navigation, the footer and `<meta name="description" content="...">`: a `<script>` in a city
sheet's title would run, and a `"` in its description would end the attribute. Every string of
every page's front matter is therefore escaped once, where each engine reads it:

* MkDocs runs this file as a hook (`hooks:` in mkdocs.yml, found through the installed
  package, since the file does not sit beside mkdocs.yml in every copy of the project):
  `on_page_markdown` runs right after the front matter is read. The escaped strings are
  `markupsafe.Markup`, so a template that escapes again (`{{ title | e }}`) leaves them alone.
* Zensical runs no hooks, but hands each page's front matter to the Python-Markdown
  extensions of `markdown_extensions` and takes it back after the conversion: this module is
  also that extension, and escapes the front matter in place.

Pages written by the pages stage (`docs/archivio/`, `docs/percorsi/`) already hold escaped
front matter (they are built for both engines): they are left as they are.
"""

from __future__ import annotations

import html
from typing import Any

from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor
from markupsafe import Markup

HOOK_FILE = __file__  # mkdocs.yml: `hooks: [!!python/name:lgnet.mkdocs_hooks.HOOK_FILE]`

# Folders of docs/ that the pages stage writes, front matter already escaped (lgnet.pages).
GENERATED_FOLDERS = ("archivio/", "percorsi/")
_DONE = "_lgnet_front_matter_escaped"


def is_generated(src_uri: str) -> bool:
    return src_uri.replace("\\", "/").lstrip("/").startswith(GENERATED_FOLDERS)


def escape_front_matter(value: Any, *, escaped: bool = False) -> Any:
    """Every string in `value` (nested lists and mappings too) as safe HTML text.

    `escaped=True`: the strings already are HTML text; they are only marked as such.
    """
    if isinstance(value, Markup):
        return value
    if isinstance(value, str):
        return Markup(value) if escaped else Markup(html.escape(value, quote=True))
    if isinstance(value, list):
        return [escape_front_matter(v, escaped=escaped) for v in value]
    if isinstance(value, dict):
        return {k: escape_front_matter(v, escaped=escaped) for k, v in value.items()}
    return value


def _escape_in_place(meta: dict[str, Any], src_uri: str) -> None:
    generated = is_generated(src_uri)
    for key, value in list(meta.items()):
        meta[key] = escape_front_matter(value, escaped=generated)


# --- MkDocs: hook ----------------------------------------------------------------------------


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    """Runs once per page, after MkDocs has read the front matter and before any template."""
    _escape_in_place(page.meta, page.file.src_uri)
    return markdown


# --- Zensical: Markdown extension ------------------------------------------------------------


class _FrontMatterPreprocessor(Preprocessor):  # type: ignore[misc]  # markdown: no stubs
    """Escapes the page's front matter that Zensical passes through its rendering context."""

    def run(self, lines: list[str]) -> list[str]:
        try:
            from zensical.extensions.context import ContextPreprocessor
        except ImportError:  # MkDocs: the hook above does the work
            return lines
        context = ContextPreprocessor.from_markdown(self.md)
        page = getattr(context, "page", None)
        meta = getattr(page, "meta", None)
        if page is None or not isinstance(meta, dict) or getattr(page, _DONE, False):
            return lines
        # Zensical returns the metadata to its Rust side as JSON: plain strings, no Markup.
        generated = is_generated(str(getattr(page, "path", "")))
        if not generated:
            for key, value in list(meta.items()):
                meta[key] = _plain(escape_front_matter(value))
        setattr(page, _DONE, True)  # inner Markdown instances (same page) must not escape again
        return lines


def _plain(value: Any) -> Any:
    if isinstance(value, str):
        return str(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


class FrontMatterExtension(Extension):  # type: ignore[misc]  # markdown: no stubs
    def extendMarkdown(self, md: Markdown) -> None:
        # Before every other preprocessor: the metadata is settled before the text is read.
        md.preprocessors.register(_FrontMatterPreprocessor(md), "lgnet_front_matter", 1000)


def makeExtension(**kwargs: Any) -> FrontMatterExtension:
    return FrontMatterExtension(**kwargs)
