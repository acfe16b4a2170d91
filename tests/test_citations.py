"""Citations (lgnet.citations): Italian text, CSL-JSON, BibTeX and RIS, and the shared helpers."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import bibtexparser
import pytest
import rispy

from lgnet.archive import Item
from lgnet.citations import (
    Reference,
    bibtex,
    citation_text,
    clock,
    csl_json,
    iso_duration,
    italian_date,
    licence_uri,
    ris,
    seconds_text,
    time_fragment,
)

URL = "https://www.comune.example.it/lgnet/archivio/palermo-safe-space/"
ACCESSED = dt.date(2026, 12, 5)
NASTY = "Prova {graffe} 100% & #uno $due_tre ~ ^ \\ </script>"


def make_item(**changes: Any) -> Item:
    data: dict[str, Any] = {
        "id": "palermo-safe-space",
        "title": "Safe Space al Centro Penc",
        "kind": "testimonianza",
        "city": "palermo",
        "date": "2023-11-03",
        "media": "media/video.mp4",
        "access": "pubblico",
        "credits": "Comune di Palermo",
        "license": "CC-BY-4.0",
        "description": "Una coordinatrice racconta lo spazio per mamme e adolescenti.",
    }
    data.update(changes)
    return Item(**data)


def make_ref(**changes: Any) -> Reference:
    is_video = changes.pop("is_video", True)
    return Reference.of(
        make_item(**changes), "Palermo", url=URL, is_video=is_video, accessed=ACCESSED, duration=58
    )


def test_text_citation_of_a_passage_in_italian() -> None:
    ref = make_ref().passage(12.5, 20)
    assert ref.link == URL + "#t=12.5,20"
    assert citation_text(ref) == (
        "«Safe Space al Centro Penc», Palermo, 3 novembre 2023, dal minuto 0:12 al minuto 0:20. "
        "Testimonianza (video). Crediti: Comune di Palermo. LGNet Archivio, "
        f"{URL}#t=12.5,20 (consultato il 5 dicembre 2026)."
    )
    whole = citation_text(make_ref(credits="", date="2022-03", kind="workshop", is_video=False))
    assert whole == (
        "«Safe Space al Centro Penc», Palermo, marzo 2022. Workshop (solo audio). "
        f"LGNet Archivio, {URL} (consultato il 5 dicembre 2026)."
    )


def test_reversed_passage_is_put_in_order() -> None:
    ref = make_ref().passage(20, 12.5)
    assert (ref.start, ref.end) == (12.5, 20)


@pytest.mark.parametrize(
    ("kind", "is_video", "csl"),
    [
        ("testimonianza", True, "interview"),
        ("testimonianza", False, "interview"),
        ("docufilm", True, "motion_picture"),
        ("pillola", True, "motion_picture"),
        ("workshop", False, "song"),
    ],
)
def test_csl_json_shape(kind: str, is_video: bool, csl: str) -> None:
    ref = make_ref(kind=kind, is_video=is_video)
    data = json.loads(json.dumps([csl_json(ref)]))[0]
    assert data["type"] == csl
    assert data["id"] == "lgnet-palermo-safe-space"
    assert data["title"] == "Safe Space al Centro Penc"
    assert data["author"] == [{"literal": "Comune di Palermo"}]
    assert data["publisher-place"] == "Palermo"
    assert data["issued"] == {"date-parts": [[2023, 11, 3]]}
    assert data["accessed"] == {"date-parts": [[2026, 12, 5]]}
    assert data["URL"] == URL
    assert data["language"] == "it"
    assert data["license"] == "CC-BY-4.0"
    passage = csl_json(ref.passage(12.5, 20))
    assert passage["URL"] == URL + "#t=12.5,20"
    assert passage["id"] == "lgnet-palermo-safe-space-12.5-20"
    assert passage["note"] == "Passaggio dal minuto 0:12 al minuto 0:20"
    assert csl_json(make_ref(date="2024"))["issued"] == {"date-parts": [[2024]]}


def test_bibtex_parses_and_keeps_every_value() -> None:
    ref = make_ref(title=NASTY, credits="Comune di Roma and ANCI").passage(3, 9.25)
    text = bibtex(ref)
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks
    (entry,) = library.entries
    assert entry.entry_type == "misc"
    assert entry.key == "lgnet-palermo-safe-space-3-9.25"
    fields = {k: v.value for k, v in entry.fields_dict.items()}
    # LaTeX escapes: every special character typesets as itself, braces stay balanced
    assert fields["title"] == (
        r"Prova \{graffe\} 100\% \& \#uno \$due\_tre \textasciitilde{} \textasciicircum{} "
        r"\textbackslash{} </script>"
    )
    assert fields["author"] == "{Comune di Roma and ANCI}"  # one corporate name, not two people
    assert fields["year"] == "2023" and fields["month"] == "11"
    assert fields["date"] == "2023-11-03"
    assert fields["address"] == "Palermo"
    assert fields["url"] == URL + "#t=3,9.25"
    assert fields["urldate"] == "2026-12-05"
    assert fields["langid"] == "italian"
    assert fields["note"].startswith("Dal minuto 0:03 al minuto 0:09.")


def test_ris_parses_with_rispy() -> None:
    text = ris(make_ref(title="Titolo\nsu due righe").passage(12.5, 20))
    assert text.endswith("ER  - \r\n")
    (entry,) = rispy.loads(text)
    assert entry["type_of_reference"] == "VIDEO"
    assert entry["title"] == "Titolo su due righe"
    assert entry["authors"] == ["Comune di Palermo"]
    assert entry["year"] == "2023"
    assert entry["date"] == "2023/11/03/"
    assert entry["place_published"] == "Palermo"
    assert entry["urls"] == [URL + "#t=12.5,20"]
    assert entry["access_date"] == "2026/12/05/"
    assert entry["language"] == "it"
    (audio,) = rispy.loads(ris(make_ref(is_video=False, date="2024", credits="")))
    assert audio["type_of_reference"] == "SOUND"
    assert audio["date"] == "2024///"
    assert "authors" not in audio
    assert audio["abstract"].startswith("Una coordinatrice")


@pytest.mark.parametrize(
    ("text", "uri"),
    [
        ("CC0-1.0", "http://creativecommons.org/publicdomain/zero/1.0/"),
        ("CC0", "http://creativecommons.org/publicdomain/zero/1.0/"),
        ("CC-BY-4.0", "http://creativecommons.org/licenses/by/4.0/"),
        ("CC BY 4.0", "http://creativecommons.org/licenses/by/4.0/"),
        ("cc-by-sa-4.0", "http://creativecommons.org/licenses/by-sa/4.0/"),
        ("CC-BY-NC-ND-4.0", "http://creativecommons.org/licenses/by-nc-nd/4.0/"),
        ("CC BY-NC-SA 3.0 IT", "http://creativecommons.org/licenses/by-nc-sa/3.0/it/"),
        ("CC-PDM-1.0", "http://creativecommons.org/publicdomain/mark/1.0/"),
        (
            "https://creativecommons.org/licenses/by/4.0/deed.it",
            "http://creativecommons.org/licenses/by/4.0/deed.it/",
        ),
        (
            "https://rightsstatements.org/vocab/InC/1.0/",
            "http://rightsstatements.org/vocab/InC/1.0/",
        ),
        ("Apache-2.0", None),
        ("Tutti i diritti riservati", None),
        ("CC0-1.0 (Common Voice), CC-BY-4.0 (FLEURS), Apache-2.0 (Picovoice)", None),
        ("", None),
        ("CC-BY-5.0", None),
    ],
)
def test_licence_uris(text: str, uri: str | None) -> None:
    assert licence_uri(text) == uri


def test_time_helpers() -> None:
    assert seconds_text(12.5) == "12.5"
    assert seconds_text(20.0) == "20"
    assert seconds_text(0.1 + 0.2) == "0.3"
    assert seconds_text(720000.5) == "720000.5"
    assert time_fragment(8.8) == "#t=8.8"
    assert time_fragment(0, 4.25) == "#t=0,4.25"
    assert clock(84.5) == "1:24" and clock(3725) == "1:02:05"
    assert iso_duration(58.4) == "PT58S"
    assert iso_duration(84.5) == "PT1M24S"  # round half to even, whole seconds
    assert iso_duration(3725) == "PT1H2M5S"
    assert italian_date("2023-11-03") == "3 novembre 2023"
    assert italian_date("2022-03") == "marzo 2022"
