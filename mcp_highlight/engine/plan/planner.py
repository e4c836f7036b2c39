"""Choose the reel's moments from excitement curves: peaks with build-up and reaction, fitted to a length.

A pipeline of steps that each take candidates and return new ones: candidates (one per moment, snapped
to cuts) -> lengths shared out -> chosen (best first, spread, no overlaps) -> replays added -> trimmed or
grown to the target -> reel order -> edges snapped to cuts -> moments with their reasons.
"""

from __future__ import annotations

from pathlib import Path

from mcp_highlight.core.durations import format_seconds
from mcp_highlight.core.errors import ImpossibleRequestError
from mcp_highlight.engine.judge.analysis import Analysis
from mcp_highlight.engine.judge.moments import QUIET_NOTE
from mcp_highlight.engine.plan.candidates import Candidate, candidates_of, replays_of
from mcp_highlight.engine.plan.choose import choose
from mcp_highlight.engine.plan.edges import snap_edges, why
from mcp_highlight.engine.plan.lengths import LENGTH_TOLERANCE, grow, share_length, trim_to
from mcp_highlight.engine.plan.request import Moment, Plan, PlanRequest

__all__ = ["Moment", "Plan", "PlanRequest", "plan_reel"]


def _whole_footage(analyses: list[Analysis], target: float) -> Plan:
    """Footage no longer than the reel: the reel is all of it."""
    total = sum(a.duration_s for a in analyses)
    moments = [
        Moment(
            source=Path(a.source),
            source_index=i,
            start_s=0.0,
            end_s=a.duration_s,
            peak_s=0.0,
            score=float(max(a.score, default=0.0)),
        )
        for i, a in enumerate(analyses)
    ]
    note = (
        f"The footage ({format_seconds(total)}) is not longer than the {format_seconds(target)} "
        "target, so the reel is the whole footage."
    )
    return Plan(moments=moments, target_s=target, note=note)


def _pool(analyses: list[Analysis], req: PlanRequest) -> list[Candidate]:
    """Every candidate of every source the user did not drop, best first."""
    return sorted(
        (
            c
            for i, a in enumerate(analyses)
            for c in candidates_of(i, a, req)
            if not any(i == src and start <= c.peak <= end for src, start, end in req.exclude)
        ),
        key=lambda c: -c.score,
    )


def _fit(chosen: list[Candidate], target: float, req: PlanRequest) -> tuple[list[Candidate], str | None]:
    """The clips trimmed or grown to the target, and what to tell the user if the moments fall short."""
    chosen = trim_to(chosen, target, req.min_segment_s)
    total = sum(c.length for c in chosen)
    if total >= target * (1 - LENGTH_TOLERANCE):
        return chosen, None
    # Clips grow up to the longest allowed; past that the reel stays short and says so,
    # rather than filling with play nobody would call a highlight.
    chosen, left = grow(chosen, target - total, req.max_segment_s)
    if left <= target * LENGTH_TOLERANCE:
        return chosen, None
    return chosen, (
        f"Only {format_seconds(target - left)} of distinct moments could be found for the "
        f"{format_seconds(target)} target."
    )


def _moment(c: Candidate, analysis: Analysis) -> Moment:
    return Moment(
        source=Path(analysis.source),
        source_index=c.source,
        start_s=round(c.start, 3),
        end_s=round(c.end, 3),
        peak_s=round(c.peak, 3),
        score=round(c.score, 4),
        why=why(c, analysis),
        facts=c.found.facts if c.found else {},
        replay=c.replay_of is not None,
    )


def plan_reel(analyses: list[Analysis], request: PlanRequest) -> Plan:
    """Pick moments across every source and fit them to the requested length (within 5 %)."""
    if not analyses:
        raise ImpossibleRequestError("There is no video to plan a reel from.", hint="Add at least one video.")
    target = request.target_s if request.target_s else (None if request.moments else 60.0)
    if target is not None and sum(a.duration_s for a in analyses) <= target * (1 + LENGTH_TOLERANCE):
        return _whole_footage(analyses, target)
    pool = _pool(analyses, request)
    if target is not None:
        pool = share_length(pool, target, request)
    chosen = choose(pool, analyses, request, target)
    if request.include_replays:
        chosen += replays_of(chosen, analyses)
    notes = [QUIET_NOTE] if chosen and all(c.found is not None and c.found.active_only for c in chosen) else []
    if request.moments is not None and len(chosen) < request.moments:
        notes.append(f"Only {len(chosen)} distinct moments stand out, fewer than the {request.moments} asked for.")
    if target is not None:
        chosen, short = _fit(chosen, target, request)
        notes += [short] if short else []
    chosen = snap_edges(sorted(chosen, key=lambda c: (c.source, c.start)), analyses, request, target)
    moments = [_moment(c, analyses[c.source]) for c in chosen if c.length > 0.1]
    if not moments:
        raise ImpossibleRequestError("No moments could be chosen from this footage.", hint="Try a longer target.")
    return Plan(moments=moments, target_s=target, note=" ".join(notes) or None)
