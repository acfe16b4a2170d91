"""Times as people write them (`84.5`, `01:24`, `00:01:24.5`) and as caption files need them."""

from __future__ import annotations

import re

_CLOCK = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:[.,]\d+)?)$")
# `1.20` could be 1 minute 20 seconds written with a dot, or 1.2 seconds: never guessed.
_AMBIGUOUS = re.compile(r"^(\d{1,2})[.,](\d{2})$")


def parse_time(value: str | float | int) -> float:
    """Seconds from `84.5`, `MM:SS(.f)` or `HH:MM:SS(.f)`; raises ValueError in Italian.

    A text like `1.20` (one or two digits, a dot or comma, exactly two digits) is refused as
    ambiguous: it may mean 1 minute 20 seconds. Numbers (a YAML `39.70`) are seconds."""
    if isinstance(value, bool):
        raise ValueError(f"tempo non valido: {value!r}")
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        text = value.strip()
        ambiguous = _AMBIGUOUS.match(text)
        if ambiguous and int(ambiguous.group(2)) < 60:
            mins, sec = int(ambiguous.group(1)), int(ambiguous.group(2))
            decimal = f"{float(f'{mins}.{ambiguous.group(2)}'):g}"
            if _AMBIGUOUS.match(decimal):  # 1.05 stays ambiguous: 1.050 is not
                decimal += "0"
            raise ValueError(
                f"tempo ambiguo: {value!r} (minuti e secondi, o secondi con decimali?); scrivere "
                f"'{mins}:{sec:02d}' oppure '{mins * 60 + sec}' per {mins} min "
                f"{sec} s, oppure '{decimal}' per {decimal.replace('.', ',')} secondi"
            )
        match = _CLOCK.match(text)
        if match:
            hours, minutes, secs = match.groups()
            if int(minutes) >= 60 or float(secs.replace(",", ".")) >= 60:
                raise ValueError(f"tempo non valido: {value!r} (minuti e secondi vanno da 0 a 59)")
            seconds = int(hours or 0) * 3600 + int(minutes) * 60 + float(secs.replace(",", "."))
        else:
            try:
                seconds = float(text.replace(",", "."))
            except ValueError:
                raise ValueError(
                    f"tempo non valido: {value!r} (usare secondi come 84.5 oppure MM:SS o HH:MM:SS)"
                ) from None
    if seconds < 0 or seconds != seconds:
        raise ValueError(f"tempo non valido: {value!r} (deve essere zero o positivo)")
    return seconds


def _split(seconds: float) -> tuple[int, int, int, int]:
    millis = round(max(seconds, 0.0) * 1000)
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return hours, minutes, secs, millis


def vtt_time(seconds: float) -> str:
    h, m, s, ms = _split(seconds)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def srt_time(seconds: float) -> str:
    h, m, s, ms = _split(seconds)
    return f"{h:02d}:{m:02d}:{s:02d},{ms:03d}"


def clock(seconds: float) -> str:
    """Short human form for pages and search hits: `1:24` or `1:02:03`."""
    h, m, s, _ = _split(float(int(seconds)))
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"
