"""Times as people write them (`84.5`, `01:24`, `00:01:24.5`) and as caption files need them."""

from __future__ import annotations

import re

_CLOCK = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:[.,]\d+)?)$")


def parse_time(value: str | float | int) -> float:
    """Seconds from `84.5`, `MM:SS(.f)` or `HH:MM:SS(.f)`; raises ValueError in Italian."""
    if isinstance(value, bool):
        raise ValueError(f"tempo non valido: {value!r}")
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        text = value.strip()
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
