"""Times as people write them on the command line and in the item YAML files."""

from __future__ import annotations

import pytest

from lgnet.timecode import clock, parse_time, srt_time, vtt_time


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("84.5", 84.5),
        ("84,5", 84.5),
        ("1:24.5", 84.5),
        ("01:24", 84.0),
        ("00:01:24", 84.0),
        ("1:02:03.25", 3723.25),
        ("80", 80.0),
        ("1.2", 1.2),
        ("12.75", 12.75),  # 75 cannot be seconds: not ambiguous
        ("100.25", 100.25),  # three digits before the dot: not a clock
        ("1.050", 1.05),
        (39.7, 39.7),  # a YAML number is seconds
        (90, 90.0),
    ],
)
def test_accepted_times(text: str | float, seconds: float) -> None:
    assert parse_time(text) == pytest.approx(seconds)


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("1.20", "scrivere '1:20' oppure '80' per 1 min 20 s, oppure '1.2' per 1,2 secondi"),
        ("1,20", "'1:20' oppure '80'"),
        ("12.30", "'12:30' oppure '750'"),
        ("0.50", "'0:50' oppure '50'"),
        ("1.05", "oppure '1.050' per 1,050 secondi"),
    ],
)
def test_an_ambiguous_time_is_an_error_saying_what_to_write(text: str, hint: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_time(text)
    message = str(caught.value)
    assert message.startswith(f"tempo ambiguo: {text!r}") and hint in message
    assert "\n" not in message


@pytest.mark.parametrize("text", ["", "abc", "1:75", "-3", "1:2:3:4", "nan"])
def test_invalid_times(text: str) -> None:
    with pytest.raises(ValueError, match="tempo non valido"):
        parse_time(text)


def test_formats() -> None:
    assert vtt_time(3723.25) == "01:02:03.250" and srt_time(3723.25) == "01:02:03,250"
    assert clock(84.9) == "1:24" and clock(3723) == "1:02:03"


def test_item_yaml_strings_go_through_the_same_rule() -> None:
    from pydantic import TypeAdapter, ValidationError

    from lgnet.archive import Seconds

    adapter = TypeAdapter(Seconds)
    assert adapter.validate_python(39.7) == 39.7
    assert adapter.validate_python("00:39.7") == 39.7
    with pytest.raises(ValidationError, match="tempo ambiguo"):
        adapter.validate_python("1.20")
