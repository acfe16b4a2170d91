"""LGNet Archivio: from recordings to a searchable, accessible static site.

The pipeline reads top to bottom: archive -> media -> transcripts -> index -> pages -> site.
"""

__version__ = "0.1.0"
