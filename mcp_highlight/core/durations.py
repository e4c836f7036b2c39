"""Parse the durations people type: `3m`, `90s`, `90`, `1:30`, `1h2m`, `2.5 min`, `30秒`."""

from __future__ import annotations

import re

from mcp_highlight.core.errors import BadInputError
from mcp_highlight.core.limits import MAX_REEL_SECONDS

_UNIT_SECONDS = {
    "h": 3600,
    "hr": 3600,
    "hour": 3600,
    "hours": 3600,
    "小时": 3600,
    "m": 60,
    "min": 60,
    "mins": 60,
    "minute": 60,
    "minutes": 60,
    "分钟": 60,
    "分": 60,
    "s": 1,
    "sec": 1,
    "secs": 1,
    "second": 1,
    "seconds": 1,
    "秒": 1,
    "秒钟": 1,
}
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(hours?|hr|h|minutes?|mins?|m|seconds?|secs?|s|小时|分钟|分|秒钟|秒)", re.I)


def parse_duration(text: str | float | int) -> float:
    """Seconds from a human duration; a bare number means seconds."""
    if isinstance(text, int | float):
        seconds = float(text)
    else:
        raw = text.strip().lower()
        seconds = _parse_text(raw)
    if not seconds > 0:
        raise BadInputError(f"Duration {text!r} must be more than zero.", hint="Try 30s, 3m or 1:30.")
    if seconds > MAX_REEL_SECONDS:
        raise BadInputError(
            f"Duration {text!r} is longer than the {MAX_REEL_SECONDS // 3600}-hour limit.", hint="Try 30s, 3m or 1:30."
        )
    return seconds


def _parse_text(raw: str) -> float:
    if re.fullmatch(r"\d+(\.\d+)?", raw):
        return float(raw)
    if re.fullmatch(r"\d+(:\d{1,2}){1,2}(\.\d+)?", raw):
        return _parse_clock(raw)
    parts = _PART.findall(raw)
    leftover = _PART.sub("", raw).replace(" ", "").replace("and", "")
    if not parts or leftover:
        raise BadInputError(f"Cannot read {raw!r} as a duration.", hint="Use forms like 30s, 3m, 90, 1:30 or 1h2m.")
    return sum(float(n) * _UNIT_SECONDS[u.lower()] for n, u in parts)


def _parse_clock(raw: str) -> float:
    """`m:ss` or `h:mm:ss`; every part after the first is below 60, so `1:99:99` is an error, not 2:40:39."""
    parts = raw.split(":")
    for part in parts[1:]:
        if float(part) >= 60:
            which = "in h:mm:ss the minutes and seconds" if len(parts) == 3 else "in m:ss the seconds"
            raise BadInputError(
                f"Cannot read {raw!r} as a duration: {which} go up to 59.",
                hint="For example 1:30 (90 seconds) or 1:02:30.",
            )
    total = 0.0
    for part in parts:
        total = total * 60 + float(part)
    return total


def format_seconds(seconds: float) -> str:
    """`75.2` -> `1:15`; short values keep one decimal (`4.5s`)."""
    if seconds < 60:
        text = f"{seconds:.1f}".rstrip("0").rstrip(".")
        return f"{text}s"
    whole = round(seconds)
    h, rest = divmod(whole, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def format_clock(seconds: float) -> str:
    """`m:ss` or `h:mm:ss`: where a moment is in the source."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
