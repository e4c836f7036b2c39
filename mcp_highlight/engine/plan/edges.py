"""The last touches: clip edges moved onto shot cuts, and each clip's reasons in words."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from mcp_highlight.core.durations import format_seconds
from mcp_highlight.engine.judge.analysis import Analysis
from mcp_highlight.engine.plan.candidates import Candidate, snap
from mcp_highlight.engine.plan.lengths import LENGTH_TOLERANCE
from mcp_highlight.engine.plan.request import PlanRequest


def _fits(total: float, current: float, target: float | None) -> bool:
    """A new reel length `total` (now `current`) keeps within tolerance, or moves towards the target."""
    return target is None or (
        total <= target * (1 + LENGTH_TOLERANCE)
        and (total >= target * (1 - LENGTH_TOLERANCE) or current < target * (1 - LENGTH_TOLERANCE))
    )


def _neighbours(chosen: list[Candidate], i: int) -> tuple[float, float]:
    c = chosen[i]
    prev_end = chosen[i - 1].end if i > 0 and chosen[i - 1].source == c.source else c.lo
    next_start = chosen[i + 1].start if i + 1 < len(chosen) and chosen[i + 1].source == c.source else c.hi
    return max(prev_end, c.lo), min(next_start, c.hi)


def snap_edges(
    chosen: list[Candidate], analyses: list[Analysis], req: PlanRequest, target: float | None
) -> list[Candidate]:
    """Clip edges moved onto a shot cut within `snap_s`, where neighbours, replays, the minimum length and
    the reel's length tolerance allow (fitting may have moved them off a cut). `chosen` is in reel order."""
    chosen = list(chosen)
    if req.snap_s <= 0:
        return chosen
    for i, c in enumerate(chosen):
        if c.replay_of is not None:
            continue
        cuts = np.asarray(analyses[c.source].scene_cuts, dtype=np.float64)
        low, high = _neighbours(chosen, i)
        for edge in ("start", "end"):
            c = chosen[i]
            now = getattr(c, edge)
            moved = snap(now, cuts, req.snap_s)
            if moved == now:
                continue
            start, end = (moved, c.end) if edge == "start" else (c.start, moved)
            current = sum(o.length for o in chosen)
            ok = low <= start < end <= high and req.min_segment_s <= end - start <= req.max_segment_s
            if ok and _fits(current + (end - start) - c.length, current, target):
                chosen[i] = replace(c, start=start, end=end)
    return chosen


def why(c: Candidate, analysis: Analysis) -> str:
    if c.replay_of is not None:
        return f"replay of the moment at {format_seconds(c.replay_of)}"
    parts = [c.found.why] if c.found and c.found.why else []
    edges = [t for t in (c.start, c.end) if any(abs(t - cut) < 0.05 for cut in analysis.scene_cuts)]
    if edges:
        parts.append("clip edges on shot cuts at " + ", ".join(format_seconds(t) for t in edges))
    return "; ".join(parts)
