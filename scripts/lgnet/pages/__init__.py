"""The pages stage: Markdown pages and snippets generated from items, cities and transcripts.

It writes three git-ignored folders and owns them entirely:

* `docs/archivio/`: the catalogue (`index.md`) and one page per published recording;
* `docs/percorsi/`: the training paths (`archive/paths/`) open to the build's audience, each a
  page that plays its excerpts in order (`percorsi/<slug>/index.md`), and their list;
* `docs/_generato/`: snippets that hand-written pages include with pymdownx.snippets
  (`--8<-- "_generato/mappa.md"`); excluded from the site by `exclude_docs`.

Every value that comes from the archive (titles, descriptions, names, transcript text) is data:
the HTML around it is a Jinja2 template (`lgnet/templates/`) that escapes every value it prints,
so Markdown never interprets it and a `<script>` in a title is shown as text. Links are
relative, so the site works from any sub-path; a snippet's links are computed for the page that
includes it.

One module per page type computes plain data (dataclasses) and renders its template:
`recording` (a recording's page), `catalogue`, `training` (training paths and their list),
`snippets` (city sheets and area pages), `glossary`, `map` (the network map). `components`
holds the Jinja2 environment, URLs and Italian formatting; `context` what the page types know
about the site; `generate` writes the files.
"""

from lgnet.pages.components import (
    ARCHIVE_DOCS,
    MEDIA_URL,
    PATHS_DOCS,
    href,
    italian_date,
    page_url,
    path_url,
    recording_url,
    spoken_duration,
)
from lgnet.pages.generate import generate_pages

__all__ = [
    "ARCHIVE_DOCS",
    "MEDIA_URL",
    "PATHS_DOCS",
    "generate_pages",
    "href",
    "italian_date",
    "page_url",
    "path_url",
    "recording_url",
    "spoken_duration",
]
