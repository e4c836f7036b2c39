"""Which candidates make the reel: best first, spread over the footage, no two on the same stretch."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import numpy as np

from mcp_highlight.engine.judge.analysis import Analysis
from mcp_highlight.engine.plan.candidates import Candidate
from mcp_highlight.engine.plan.lengths import LENGTH_TOLERANCE, STANDOUT
from mcp_highlight.engine.plan.request import PlanRequest

TIE_SCORE = 0.02


def _overlaps(c: Candidate, chosen: list[Candidate], gap: float) -> bool:
    return any(c.source == o.source and c.start < o.end + gap and o.start < c.end + gap for o in chosen)


def _make_room(c: Candidate, chosen: list[Candidate], gap: float) -> Candidate:
    """The candidate trimmed off the clips already chosen around it, so two close moments both fit."""
    start, end = c.start, c.end
    for o in chosen:
        if o.source == c.source and start < o.end + gap and o.start < end + gap:
            if o.peak <= c.peak:
                start = max(start, o.end + gap)
            else:
                end = min(end, o.start - gap)
    return replace(c, start=start, end=end)


def by_rank(pool: list[Candidate], analyses: list[Analysis]) -> Iterator[Candidate]:
    """Best score first; among moments within TIE_SCORE of the best left, the one farthest from those
    already taken, so a reel that cannot hold every great moment samples the whole game, not its start."""
    remaining = list(pool)
    taken: list[Candidate] = []
    offsets = np.cumsum([0.0] + [a.duration_s for a in analyses])  # several sources on one time line

    def spread(c: Candidate) -> float:
        at = offsets[c.source] + c.peak
        return min((abs(at - offsets[o.source] - o.peak) for o in taken), default=0.0)

    while remaining:
        best = max(c.score for c in remaining)
        ties = [c for c in remaining if c.score >= best - TIE_SCORE]
        pick = max(ties, key=lambda c: (spread(c), c.score))
        remaining.remove(pick)
        taken.append(pick)
        yield pick


def _enough(chosen: list[Candidate], c: Candidate, top: float, req: PlanRequest, target: float | None) -> bool:
    """Whether the reel is complete before `c`: the count reached, ordinary play left, or the length filled."""
    if req.moments is not None:
        return len(chosen) >= req.moments
    if c.score < STANDOUT * top:
        return True  # the rest is ordinary play: longer clips of real moments serve the reel better
    return target is not None and sum(o.length for o in chosen) >= target * (1 - LENGTH_TOLERANCE)


def choose(pool: list[Candidate], analyses: list[Analysis], req: PlanRequest, target: float | None) -> list[Candidate]:
    """The candidates that make the reel, in the order they were taken."""
    chosen: list[Candidate] = []
    top = pool[0].score if pool else 0.0
    for c in by_rank(pool, analyses):
        if _enough(chosen, c, top, req, target):
            break
        if _overlaps(c, chosen, req.min_gap_s):
            c = _make_room(c, chosen, req.min_gap_s)
            if not (c.start < c.peak < c.end and c.length >= req.min_segment_s):
                continue  # a neighbour already holds this moment
        chosen.append(c)
    return chosen
