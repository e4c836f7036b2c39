"""YouTube-style chapters for a reel: where each moment starts in the reel, what it is, where it came from.

A label is read from the moment's signals (the analysis's component curves over the clip), so it says
only what was measured: action with a roar after it, a crowd reaction, fast play, a lift in excitement.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from pydantic import BaseModel

from mcp_highlight.engine.judge.analysis import Analysis

_HIGH = 0.6


class Chapter(BaseModel):
    reel_s: float
    end_reel_s: float
    label: str
    source: str
    source_s: float


def clock(seconds: float) -> str:
    """0:05, 1:05, 1:02:05: the form YouTube turns into chapter links."""
    whole = max(0, int(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _peak(analysis: Analysis, key: str, start_s: float, end_s: float) -> float:
    values = analysis.signals.get(key)
    if not values:
        return 0.0
    a = max(0, int(start_s / analysis.window_s))
    b = max(a + 1, int(np.ceil(end_s / analysis.window_s)))
    part = np.asarray(values[a:b], dtype=np.float64)
    return float(part.max()) if part.size else 0.0


def moment_label(analysis: Analysis | None, start_s: float, end_s: float) -> str:
    """A short name for a moment from what its signals show."""
    if analysis is None:
        return "Highlight"
    coupled = _peak(analysis, "coupled", start_s, end_s)
    crowd = _peak(analysis, "crowd", start_s, end_s)
    motion = _peak(analysis, "motion", start_s, end_s)
    if coupled >= _HIGH and crowd >= 0.85:
        return "Big moment"
    if coupled >= _HIGH:
        return "Big chance"
    if crowd >= _HIGH and motion < _HIGH:
        return "Crowd reaction"
    if motion >= _HIGH:
        return "Fast play"
    return "Highlight"


def make_chapters(
    clips: list[tuple[Path, float, float]], cut_times_s: list[float], reel_s: float, labels: list[str]
) -> list[Chapter]:
    """One chapter per clip: (source, in, out) as rendered, starting where the reel cut to it."""
    chapters = []
    ends = [*cut_times_s[1:], reel_s]
    for (source, start_s, _end), at, end, label in zip(clips, cut_times_s, ends, labels, strict=True):
        chapters.append(Chapter(reel_s=at, end_reel_s=end, label=label, source=source.name, source_s=start_s))
    return chapters


def chapters_text(chapters: list[Chapter]) -> str:
    """Lines to paste under an upload: `0:00 Big chance (23:15)`; with several sources, `(derby.mp4 23:15)`."""
    several = len({c.source for c in chapters}) > 1
    lines = []
    for chapter in chapters:
        where = f"{chapter.source} {clock(chapter.source_s)}" if several else clock(chapter.source_s)
        lines.append(f"{clock(chapter.reel_s)} {chapter.label} ({where})")
    return "\n".join(lines) + "\n"
