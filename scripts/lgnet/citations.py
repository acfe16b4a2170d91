"""Citations of a recording, or of one passage of it: Italian text, CSL-JSON, BibTeX and RIS.

A `Reference` holds what a citation says (title, city as the place, the recording's date as
issued, credits as author, the kind as the type, the page's URL with `#t=START,END` for a
passage, the date it was consulted). The site writes the whole-recording citations at build
time (`archivio/<id>/citazione.{json,bib,ris}`, see `lgnet.opendata`); the player builds the
passage ones in the browser with the same wording (`docs/assets/lgnet/player.js`, function
`citationText`: keep the two in step, `tests/browser/test_ranges.py` compares them).

The helpers below (dates, clock times, licence URIs, language names) are shared with the
manifests, the feeds and the structured data.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from typing import Any

from lgnet.archive import KIND_LABELS, Item

SITE_NAME = "LGNet Archivio"
MONTHS = [
    "gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno",
    "luglio", "agosto", "settembre", "ottobre", "novembre", "dicembre",
]  # fmt: skip
LANGUAGES = {
    "it": "italiano", "en": "inglese", "fr": "francese", "es": "spagnolo", "de": "tedesco",
    "ar": "arabo", "uk": "ucraino", "ru": "russo", "pt": "portoghese", "ro": "rumeno",
    "sq": "albanese", "zh": "cinese", "fa": "persiano", "ti": "tigrino", "so": "somalo",
}  # fmt: skip
# biblatex `langid` values (babel names) of the languages the archive is likely to hold.
BABEL = {"it": "italian", "en": "english", "fr": "french", "es": "spanish", "de": "ngerman",
         "pt": "portuguese", "ru": "russian", "uk": "ukrainian", "ro": "romanian"}  # fmt: skip
# CSL types (CSL 1.0.2): a testimony is an interview; otherwise a video is a motion picture
# and an audio-only recording a "song" (CSL's type for any audio recording).
CSL_INTERVIEW_KINDS = {"testimonianza"}


# --- shared formatting ---------------------------------------------------------------------


def italian_date(text: str) -> str:
    """`2023-11-03` -> `3 novembre 2023`; partial dates stay partial (`marzo 2022`, `2024`)."""
    parts = text.split("-")
    if len(parts) == 3:
        return f"{int(parts[2])} {MONTHS[int(parts[1]) - 1]} {parts[0]}"
    if len(parts) == 2:
        return f"{MONTHS[int(parts[1]) - 1]} {parts[0]}"
    return parts[0]


def date_parts(text: str) -> list[int]:
    """`2023-11` -> [2023, 11] (CSL `date-parts`)."""
    return [int(p) for p in text.split("-")]


def clock(seconds: float) -> str:
    """`84.5` -> `1:24`, `3725` -> `1:02:05`, like the times the transcript shows."""
    s = int(seconds)
    hours, rest = divmod(s, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def seconds_text(seconds: float) -> str:
    """`12.5` -> `12.5`, `20.0` -> `20` (at most 3 decimals): the numbers of a `#t=` fragment."""
    text = f"{round(seconds, 3):.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def time_fragment(start: float, end: float | None = None) -> str:
    """`#t=12.5,20` (W3C Media Fragments, as the player reads it)."""
    if end is None:
        return f"#t={seconds_text(start)}"
    return f"#t={seconds_text(start)},{seconds_text(end)}"


def iso_duration(seconds: float) -> str:
    """ISO 8601 duration, whole seconds: `84.5` -> `PT1M25S`, `3725` -> `PT1H2M5S`."""
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    out = "PT"
    if hours:
        out += f"{hours}H"
    if minutes or hours:
        out += f"{minutes}M"
    return out + f"{secs}S"


def language_name(code: str) -> str:
    return LANGUAGES.get(code, code)


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)


def medium_label(is_video: bool) -> str:
    return "video" if is_video else "solo audio"


_CC_VERSION = r"(1\.0|2\.0|2\.5|3\.0|4\.0)"
_CC_SPDX = re.compile(
    rf"^CC[- ]?(BY(?:[- ]NC)?(?:[- ](?:ND|SA))?)[- ]{_CC_VERSION}(?:[- ]([A-Z]{{2}}))?$"
)
_CC0 = re.compile(r"^CC[- ]?0(?:[- ]1\.0)?$")
_PDM = re.compile(r"^(CC[- ]?)?PDM(?:[- ]1\.0)?$")
_LICENCE_URI = re.compile(
    r"^https?://(creativecommons\.org/(?:licenses|publicdomain)/|rightsstatements\.org/vocab/)"
    r"([A-Za-z0-9./-]+)$"
)


def licence_uri(text: str) -> str | None:
    """The Creative Commons or RightsStatements.org URI of a licence, in the `http://` form
    IIIF requires (`CC-BY-4.0` -> `http://creativecommons.org/licenses/by/4.0/`), or None when
    the text names something else, or several licences."""
    value = " ".join(text.split())
    uri = _LICENCE_URI.match(value)
    if uri:
        path = uri.group(2)
        return f"http://{uri.group(1)}{path if path.endswith('/') else path + '/'}"
    upper = value.upper()
    if _CC0.match(upper):
        return "http://creativecommons.org/publicdomain/zero/1.0/"
    if _PDM.match(upper):
        return "http://creativecommons.org/publicdomain/mark/1.0/"
    match = _CC_SPDX.match(upper)
    if match is None:
        return None
    code = re.sub(r"[- ]", "-", match.group(1)).lower()
    port = f"{match.group(3).lower()}/" if match.group(3) else ""
    return f"http://creativecommons.org/licenses/{code}/{match.group(2)}/{port}"


def https(uri: str) -> str:
    """The same URI with https (the form schema.org and people expect)."""
    return "https://" + uri.removeprefix("http://") if uri.startswith("http://") else uri


# --- references ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Reference:
    """What a citation says about one recording, or one passage of it."""

    item_id: str
    title: str
    kind: str
    city: str  # the place, as a name
    date: str  # YYYY, YYYY-MM or YYYY-MM-DD
    language: str
    credits: str
    license: str
    description: str
    is_video: bool
    url: str  # the recording's page, without fragment
    accessed: dt.date
    duration: float | None = None
    start: float | None = None
    end: float | None = None

    @classmethod
    def of(
        cls,
        item: Item,
        city: str,
        *,
        url: str,
        is_video: bool,
        accessed: dt.date,
        duration: float | None = None,
    ) -> Reference:
        return cls(
            item_id=item.id,
            title=item.title,
            kind=item.kind,
            city=city,
            date=item.date,
            language=item.language,
            credits=item.credits,
            license=item.license,
            description=item.description,
            is_video=is_video,
            url=url.split("#", 1)[0],
            accessed=accessed,
            duration=duration,
        )

    def passage(self, start: float, end: float) -> Reference:
        """The same recording, from `start` to `end` seconds."""
        if end < start:
            start, end = end, start
        return replace(self, start=start, end=end)

    @property
    def is_passage(self) -> bool:
        return self.start is not None and self.end is not None

    @property
    def link(self) -> str:
        if self.start is None:
            return self.url
        return self.url + time_fragment(self.start, self.end)

    @property
    def key(self) -> str:
        """Citation key: `lgnet-<id>`, or `lgnet-<id>-<start>-<end>` for a passage."""
        key = f"lgnet-{self.item_id}"
        if self.start is not None and self.end is not None:
            key += f"-{seconds_text(self.start)}-{seconds_text(self.end)}"
        return key

    @property
    def span(self) -> str:
        """`dal minuto 0:12 al minuto 0:20`, or '' for the whole recording."""
        if self.start is None or self.end is None:
            return ""
        return f"dal minuto {clock(self.start)} al minuto {clock(self.end)}"

    @property
    def genre(self) -> str:
        return f"{kind_label(self.kind)} ({medium_label(self.is_video)})"


def citation_text(ref: Reference) -> str:
    """The citation as a reader copies it (Italian), e.g.

    «Safe Space al Centro Penc», Palermo, 3 novembre 2023, dal minuto 0:12 al minuto 0:20.
    Testimonianza (video). Crediti: Comune di Palermo. LGNet Archivio,
    https://…/archivio/palermo-safe-space/#t=12.5,20 (consultato il 5 dicembre 2026).
    """
    head = f"«{_one_line(ref.title)}», {ref.city}, {italian_date(ref.date)}"
    if ref.span:
        head += f", {ref.span}"
    parts = [head + ".", ref.genre + "."]
    if ref.credits:
        parts.append(f"Crediti: {_sentence(ref.credits)}")
    accessed = italian_date(ref.accessed.isoformat())
    parts.append(f"{SITE_NAME}, {ref.link} (consultato il {accessed}).")
    return " ".join(parts)


def csl_type(ref: Reference) -> str:
    if ref.kind in CSL_INTERVIEW_KINDS:
        return "interview"
    return "motion_picture" if ref.is_video else "song"


def csl_json(ref: Reference) -> dict[str, Any]:
    """One CSL-JSON item (CSL 1.0.2 variables); files hold a list of such items."""
    data: dict[str, Any] = {
        "id": ref.key,
        "type": csl_type(ref),
        "title": _one_line(ref.title),
        "publisher": SITE_NAME,
        "publisher-place": ref.city,
        "event-place": ref.city,
        "issued": {"date-parts": [date_parts(ref.date)]},
        "accessed": {"date-parts": [date_parts(ref.accessed.isoformat())]},
        "URL": ref.link,
        "language": ref.language,
        "genre": kind_label(ref.kind),
        "medium": medium_label(ref.is_video),
    }
    if ref.credits:
        data["author"] = [{"literal": _one_line(ref.credits)}]
    if ref.license:
        data["license"] = _one_line(ref.license)
    if ref.duration is not None and not ref.is_passage:
        data["dimensions"] = clock(ref.duration)
    if ref.is_passage and ref.start is not None and ref.end is not None:
        data["dimensions"] = clock(ref.end - ref.start)
        data["note"] = f"Passaggio {ref.span}"
    elif ref.description:
        data["abstract"] = _one_line(ref.description)
    return data


_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_LATEX_RE = re.compile("|".join(re.escape(c) for c in _LATEX_SPECIAL))


def latex_escape(text: str) -> str:
    """A BibTeX field value that LaTeX typesets as `text` (braces always balanced)."""
    return _LATEX_RE.sub(lambda m: _LATEX_SPECIAL[m.group()], _one_line(text))


def bibtex(ref: Reference) -> str:
    """A BibTeX entry (`@misc`, with the biblatex fields `date`, `location`, `urldate`)."""
    fields: list[tuple[str, str]] = [("title", latex_escape(ref.title))]
    if ref.credits:
        # Double braces: a corporate or free-text name, not to be split at " and ".
        fields.append(("author", "{" + latex_escape(ref.credits) + "}"))
    parts = date_parts(ref.date)
    fields.append(("year", str(parts[0])))
    if len(parts) > 1:
        fields.append(("month", str(parts[1])))
    fields += [
        ("date", ref.date),
        ("address", latex_escape(ref.city)),
        ("location", latex_escape(ref.city)),
        ("publisher", SITE_NAME),
        ("howpublished", latex_escape(ref.genre)),
        ("url", ref.link),  # a checked site URL holds no brace; % and # are fine for url
        ("urldate", ref.accessed.isoformat()),
    ]
    if ref.language in BABEL:
        fields.append(("langid", BABEL[ref.language]))
    note = f"{ref.span[0].upper()}{ref.span[1:]}. " if ref.span else ""
    note += f"Consultato il {italian_date(ref.accessed.isoformat())}"
    fields.append(("note", latex_escape(note)))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@misc{{{ref.key},\n{body}\n}}\n"


def ris(ref: Reference) -> str:
    """A RIS record (VIDEO or SOUND), lines ending in CRLF as the format asks."""
    parts = date_parts(ref.date)
    date = "/".join(f"{p:02d}" if i else str(p) for i, p in enumerate(parts))
    lines = [
        ("TY", "VIDEO" if ref.is_video else "SOUND"),
        ("TI", ref.title),
    ]
    if ref.credits:
        lines.append(("AU", ref.credits))
    lines += [
        ("PY", str(parts[0])),
        ("DA", date + "/" * (4 - len(parts))),
        ("CY", ref.city),
        ("PB", SITE_NAME),
        ("M3", ref.genre),
        ("UR", ref.link),
        ("Y2", ref.accessed.strftime("%Y/%m/%d/")),
        ("LA", ref.language),
    ]
    if ref.span:
        lines.append(("N1", f"Passaggio {ref.span}"))
    elif ref.description:
        lines.append(("AB", ref.description))
    out = "".join(f"{tag}  - {_one_line(value)}\r\n" for tag, value in lines)
    return out + "ER  - \r\n"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _sentence(text: str) -> str:
    text = _one_line(text)
    return text if text.endswith((".", "!", "?")) else text + "."
