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

The same extension renders evidence links (`[[prova: id 1:24-1:40 "parole"]]`, see
`lgnet.evidence`): a block processor replaces each with the `<figure>` of template
`partials/evidence.html`, parsed into the Markdown tree so that its links (to the recording
page's source file) are resolved by either engine like any Markdown link. The items and
transcripts come from the project (`$LGNET_ROOT` or the working directory), published for
`$LGNET_AUDIENCE` (default `pubblico`), which `lgnet.site` sets for the build.
"""

from __future__ import annotations

import html
import os
import xml.etree.ElementTree as etree
from pathlib import Path
from typing import Any

from markdown import Extension, Markdown
from markdown.blockprocessors import BlockProcessor
from markdown.preprocessors import Preprocessor
from markdown.util import AtomicString
from markupsafe import Markup

HOOK_FILE = __file__  # mkdocs.yml: `hooks: [!!python/name:lgnet.mkdocs_hooks.HOOK_FILE]`

# Folders of docs/ that the pages stage writes, front matter already escaped (lgnet.pages).
GENERATED_FOLDERS = ("archivio/", "percorsi/")
_DONE = "_lgnet_front_matter_escaped"
AUDIENCE_VARIABLE = "LGNET_AUDIENCE"  # set by lgnet.site for the build; default "pubblico"
_current_page: str = ""  # MkDocs: the page being rendered (set by on_page_markdown)


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
    # MkDocs loads this file as a hook module of its own, apart from the package module whose
    # Markdown extension reads the page: set it where the extension looks.
    import lgnet.mkdocs_hooks as package_module

    package_module._current_page = page.file.src_uri
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


# --- evidence links (both engines) ----------------------------------------------------------


def _page_path(md: Markdown) -> str:
    """The page being converted, inside docs/ (Zensical's context, else MkDocs' hook)."""
    try:
        from zensical.extensions.context import ContextPreprocessor
    except ImportError:
        return _current_page
    try:
        page = getattr(ContextPreprocessor.from_markdown(md), "page", None)
    except Exception:  # not inside a Zensical build
        page = None
    path = getattr(page, "path", None) if page is not None else None
    return str(path) if path else _current_page


class _EvidenceProcessor(BlockProcessor):  # type: ignore[misc]  # markdown: no stubs
    """A block holding a `[[prova: ...]]` line: the text around it stays, the line becomes
    the evidence figure."""

    def __init__(self, parser: Any, extension: EvidenceOptions) -> None:
        super().__init__(parser)
        self.extension = extension

    @staticmethod
    def _token(line: str) -> Any:
        from lgnet.evidence import TOKEN_LINE, parse_token

        match = TOKEN_LINE.match(line)
        if match is None:
            return None
        try:
            return parse_token(match["body"])
        except ValueError:  # `lgnet check` reports it; the line stays text
            return None

    def test(self, parent: etree.Element, block: str) -> bool:
        return "[[prova:" in block and any(self._token(ln) for ln in block.split("\n"))

    def run(self, parent: etree.Element, blocks: list[str]) -> None:
        from lgnet.evidence import evidence_html

        lines = blocks.pop(0).split("\n")
        index = next(i for i, ln in enumerate(lines) if self._token(ln))
        before, after = lines[:index], lines[index + 1 :]
        if before:
            self.parser.parseBlocks(parent, ["\n".join(before)])
        html_text = evidence_html(
            self._token(lines[index]), _page_path(self.parser.md), self.extension.published()
        )
        parent.append(_atomic(etree.fromstring(html_text)))
        if after:
            blocks.insert(0, "\n".join(after))


def _atomic(element: etree.Element) -> etree.Element:
    """The rendered figure's texts are final: no Markdown inline syntax inside them."""
    for node in element.iter():
        if node.text:
            node.text = AtomicString(node.text)
        if node.tail:
            node.tail = AtomicString(node.tail)
    return element


class EvidenceOptions:
    """Where the project is and which audience the build is for."""

    def __init__(self, root: str, audience: str) -> None:
        self.root = root
        self.audience = audience

    def published(self) -> Any:
        from lgnet.errors import LgnetError
        from lgnet.evidence import published_for
        from lgnet.project import Project

        try:
            project = Project(Path(self.root)) if self.root else Project.find()
        except LgnetError:
            return None  # no project: nothing may be shown
        audience = self.audience or os.environ.get(AUDIENCE_VARIABLE) or "pubblico"
        return published_for(project, audience)


class FrontMatterExtension(Extension):  # type: ignore[misc]  # markdown: no stubs
    def __init__(self, **kwargs: Any) -> None:
        self.config = {
            "root": ["", "project folder (default: $LGNET_ROOT or the working directory)"],
            "audience": ["", f"audience of the build (default: ${AUDIENCE_VARIABLE})"],
        }
        super().__init__(**kwargs)

    def extendMarkdown(self, md: Markdown) -> None:
        # Before every other preprocessor: the metadata is settled before the text is read.
        md.preprocessors.register(_FrontMatterPreprocessor(md), "lgnet_front_matter", 1000)
        options = EvidenceOptions(str(self.getConfig("root")), str(self.getConfig("audience")))
        # Just before the paragraph processor (10): code blocks, lists, headings come first.
        md.parser.blockprocessors.register(
            _EvidenceProcessor(md.parser, options), "lgnet_evidence", 15
        )


def makeExtension(**kwargs: Any) -> FrontMatterExtension:
    return FrontMatterExtension(**kwargs)
