"""Choose the reel's moments from excitement curves: peaks with build-up and reaction, fitted to a length.

Greedy by score, chronological in the result. Each moment is the region around a peak where the score
stays above half the peak, widened by a lead-in (the build-up before the roar) and a reaction tail,
then snapped to a nearby scene cut so clips start and end on natural boundaries.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field, model_validator

from mcp_highlight.core.durations import format_seconds
from mcp_highlight.core.errors import ImpossibleRequestError
from mcp_highlight.engine.judge.analysis import Analysis
from mcp_highlight.engine.judge.moments import FoundMoment, find_moments
from mcp_highlight.engine.plan.clip import Clip

LENGTH_TOLERANCE = 0.05
LEAD_S, LEAD_SHARE = 5.0, 0.7
"""A shortened clip keeps LEAD_S (at most LEAD_SHARE of it) before its anchor, the reaction's onset:
the action comes first, and the aftermath is what a tight reel can spare."""
STANDOUT = 0.12
BIG = 0.5
"""A moment ranked at least this share of the best is a big one (a goal): it gets a longer clip."""
BIG_CLIP_S, BIG_MIN_S = 10.0, 7.5
"""A big moment's clip length when the reel has room, and the least it gets (the build-up, the shot, the roar)."""
"""Moments ranked below this share of the best are not highlights: the reel grows its clips instead."""
COMFORTABLE_CLIP_S = 6.5
TIE_SCORE = 0.02


class PlanRequest(BaseModel):
    target_s: float | None = Field(None, gt=0, description="Reel length; default 60 s unless `moments` is given.")
    moments: int | None = Field(None, ge=1, le=200, description="Number of moments ('top 5').")
    min_segment_s: float = Field(4.0, gt=0)
    max_segment_s: float = Field(20.0, gt=0)
    lead_in_s: float = Field(5.0, ge=0, description="Build-up kept before the excitement starts.")
    reaction_s: float = Field(3.0, ge=0, description="Reaction kept after it ends.")
    snap_s: float = Field(1.5, ge=0, description="Snap a clip edge to a scene cut this close.")
    min_gap_s: float = Field(2.0, ge=0, description="Clips closer than this are merged or kept apart.")
    exclude: list[tuple[int, float, float]] = Field(
        default_factory=list, description="(source index, start s, end s) the user dropped: never chosen again."
    )
    include_replays: bool = Field(
        False, description="Also show each chosen moment's replay, right after it (default: the live action only)."
    )

    @model_validator(mode="after")
    def _check(self) -> PlanRequest:
        if self.min_segment_s > self.max_segment_s:
            raise ImpossibleRequestError(
                f"Minimum clip length ({format_seconds(self.min_segment_s)}) is longer than the maximum "
                f"({format_seconds(self.max_segment_s)}).",
                hint="Swap them or widen the range.",
            )
        if self.target_s is not None and self.target_s < self.min_segment_s:
            raise ImpossibleRequestError(
                f"A {format_seconds(self.target_s)} reel cannot hold one clip of at least "
                f"{format_seconds(self.min_segment_s)}.",
                hint="Ask for a longer reel or shorter clips.",
            )
        return self


class Moment(BaseModel):
    source: Path
    source_index: int
    start_s: float
    end_s: float
    peak_s: float
    score: float
    why: str = Field("", description="The signals behind the choice, in words (crowd +14 dB, a whistle…).")
    facts: dict[str, float] = Field(default_factory=dict, description="The same reasons as numbers.")
    replay: bool = False

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


class Plan(BaseModel):
    moments: list[Moment]
    target_s: float | None
    note: str | None = Field(None, description="Said to the user: e.g. the source is shorter than the target.")

    @property
    def total_s(self) -> float:
        return sum(m.duration_s for m in self.moments)

    def clips(self, *, captions: bool = False) -> list[Clip]:
        return [
            Clip(
                source=m.source,
                start_s=m.start_s,
                end_s=m.end_s,
                caption=format_seconds(m.start_s) if captions else None,
            )
            for m in self.moments
        ]


class _Candidate:
    __slots__ = ("anchor", "end", "found", "hi", "lo", "peak", "replay_of", "score", "source", "start")

    def __init__(self, source: int, start: float, end: float, peak: float, score: float, lo: float, hi: float):
        self.source, self.start, self.end, self.peak, self.score = source, start, end, peak, score
        self.lo, self.hi = lo, hi  # how far this clip may grow (source bounds, replays)
        self.anchor = peak
        self.found: FoundMoment | None = None
        self.replay_of: _Candidate | None = None

    @property
    def length(self) -> float:
        return self.end - self.start


def _snap(t: float, cuts: np.ndarray, reach: float) -> float:
    if cuts.size == 0 or reach <= 0:
        return t
    nearest = cuts[np.argmin(np.abs(cuts - t))]
    return float(nearest) if abs(nearest - t) <= reach else t


def _bounds(t: float, zones: list[tuple[float, float]], duration: float) -> tuple[float, float]:
    """The stretch around `t` free of the given zones (replays a clip must not run into)."""
    lo = max([b for a, b in zones if b <= t], default=0.0)
    hi = min([a for a, b in zones if a >= t], default=duration)
    return lo, hi


def _candidates(index: int, analysis: Analysis, req: PlanRequest) -> list[_Candidate]:
    """One clip per moment: from a lead-in before the reaction's onset (the action comes first)
    to where the reaction fades, kept out of replays, edges snapped to a shot cut nearby."""
    cuts = np.asarray(sorted(analysis.scene_cuts), dtype=np.float64)
    duration = analysis.duration_s
    zones = [(r.start_s, r.end_s) for r in analysis.replays]
    out: list[_Candidate] = []
    for m in find_moments(analysis, analysis.replays, min_gap_s=req.min_segment_s + req.min_gap_s):
        if m.replay:
            continue
        lo, hi = _bounds(m.anchor_s, zones, duration)
        start = m.anchor_s - req.lead_in_s
        end = max(m.fade_s, m.anchor_s + req.reaction_s)
        if end - start > req.max_segment_s:  # keep the build-up and the first of the reaction
            end = start + req.max_segment_s
        if end - start < req.min_segment_s:
            grow = req.min_segment_s - (end - start)
            start -= grow * 0.6
            end += grow * 0.4
        start = _snap(start, cuts, req.snap_s)
        end = _snap(end, cuts, req.snap_s)
        start, end = max(lo, start), min(hi, end)
        if end - start >= min(req.min_segment_s, duration) * 0.999:
            c = _Candidate(index, start, end, m.peak_s, m.rank, lo, hi)
            c.anchor, c.found = m.anchor_s, m
            out.append(c)
    return out


def _overlaps(c: _Candidate, chosen: list[_Candidate], gap: float) -> bool:
    return any(c.source == o.source and c.start < o.end + gap and o.start < c.end + gap for o in chosen)


def _make_room(c: _Candidate, chosen: list[_Candidate], gap: float) -> None:
    """Trim a candidate off the clips already chosen around it, so two close moments both fit."""
    for o in chosen:
        if o.source == c.source and c.start < o.end + gap and o.start < c.end + gap:
            if o.peak <= c.peak:
                c.start = max(c.start, o.end + gap)
            else:
                c.end = min(c.end, o.start - gap)


def _shrink(c: _Candidate, new_length: float) -> None:
    """Cut a clip down around its anchor (the reaction's start), keeping the build-up side longer."""
    new_length = max(new_length, 0.0)
    if c.replay_of is not None:  # a replay keeps its start
        c.end = min(c.end, c.start + new_length)
        return
    start = c.anchor - min(LEAD_S, LEAD_SHARE * new_length)
    if start + new_length < c.peak + 0.5:  # a short clip still reaches the peak, with less build-up
        start = min(c.peak + 0.5 - new_length, c.anchor - 0.35 * new_length)
    start = max(c.start, start)
    c.start, c.end = start, min(c.end, start + new_length)
    if c.end - c.start < new_length:
        c.start = max(c.lo, c.end - new_length)


def _grow(chosen: list[_Candidate], needed: float, max_len: float) -> float:
    """Widen clips evenly (without touching neighbours) until `needed` seconds are added; returns what's left."""
    for _ in range(50):
        if needed <= 1e-6:
            break
        growable = [c for c in chosen if c.length < max_len - 1e-6]
        if not growable:
            break
        share = needed / len(growable)
        for c in sorted(growable, key=lambda c: -c.score):
            ordered = sorted((o for o in chosen if o.source == c.source), key=lambda o: o.start)
            i = ordered.index(c)
            lo = max(c.lo, ordered[i - 1].end) if i > 0 else c.lo
            hi = min(c.hi, ordered[i + 1].start) if i + 1 < len(ordered) else c.hi
            want = min(share, max_len - c.length, needed)
            before = min(want * 0.6, c.start - lo)
            after = min(want - before, hi - c.end)
            before = min(want - after, c.start - lo)
            c.start -= max(before, 0.0)
            c.end += max(after, 0.0)
            needed -= max(before, 0.0) + max(after, 0.0)
    return needed


def _by_rank(pool: list[_Candidate], analyses: list[Analysis]) -> Iterator[_Candidate]:
    """Best score first; among moments within TIE_SCORE of the best left, the one farthest from those
    already taken, so a reel that cannot hold every great moment samples the whole game, not its start."""
    remaining = list(pool)
    taken: list[_Candidate] = []
    offsets = np.cumsum([0.0] + [a.duration_s for a in analyses])  # several sources on one time line

    def spread(c: _Candidate) -> float:
        at = offsets[c.source] + c.peak
        return min((abs(at - offsets[o.source] - o.peak) for o in taken), default=0.0)

    while remaining:
        best = max(c.score for c in remaining)
        ties = [c for c in remaining if c.score >= best - TIE_SCORE]
        pick = max(ties, key=lambda c: (spread(c), c.score))
        remaining.remove(pick)
        taken.append(pick)
        yield pick


def _snap_edges(chosen: list[_Candidate], analyses: list[Analysis], req: PlanRequest, target: float | None) -> None:
    """Last pass: move clip edges onto a shot cut within `snap_s`, where neighbours, replays, the
    minimum length and the reel's length tolerance allow (fitting may have moved them off a cut)."""
    if req.snap_s <= 0:
        return
    for i, c in enumerate(chosen):
        if c.replay_of is not None:
            continue
        cuts = np.asarray(analyses[c.source].scene_cuts, dtype=np.float64)
        prev_end = chosen[i - 1].end if i > 0 and chosen[i - 1].source == c.source else c.lo
        next_start = chosen[i + 1].start if i + 1 < len(chosen) and chosen[i + 1].source == c.source else c.hi
        for edge in ("start", "end"):
            now = getattr(c, edge)
            moved = _snap(now, cuts, req.snap_s)
            if moved == now:
                continue
            start, end = (moved, c.end) if edge == "start" else (c.start, moved)
            current = sum(o.length for o in chosen)
            total = current + (end - start) - c.length
            ok = max(prev_end, c.lo) <= start < end <= min(next_start, c.hi) and end - start >= req.min_segment_s
            fits = target is None or (
                total <= target * (1 + LENGTH_TOLERANCE)
                and (total >= target * (1 - LENGTH_TOLERANCE) or current < target * (1 - LENGTH_TOLERANCE))
            )
            if ok and fits:
                c.start, c.end = start, end


def _replays_of(chosen: list[_Candidate], analyses: list[Analysis]) -> list[_Candidate]:
    """The replay of each chosen moment that has one, as its own clip right after the live action."""
    extra: list[_Candidate] = []
    for c in chosen:
        for r in analyses[c.source].replays:
            if abs(r.of_s - c.peak) <= 3.0 or c.start <= r.of_s <= c.end:
                replay = _Candidate(c.source, r.start_s, r.end_s, r.of_s, c.score - 1e-3, r.start_s, r.end_s)
                replay.replay_of = c
                extra.append(replay)
                break
    return extra


def _why(c: _Candidate, analysis: Analysis) -> str:
    if c.replay_of is not None:
        return f"replay of the moment at {format_seconds(c.replay_of.peak)}"
    parts = [c.found.why] if c.found and c.found.why else []
    edges = [t for t in (c.start, c.end) if any(abs(t - cut) < 0.05 for cut in analysis.scene_cuts)]
    if edges:
        parts.append("clip edges on shot cuts at " + ", ".join(format_seconds(t) for t in edges))
    return "; ".join(parts)


def plan_reel(analyses: list[Analysis], request: PlanRequest) -> Plan:
    """Pick moments across every source and fit them to the requested length (within 5 %)."""
    if not analyses:
        raise ImpossibleRequestError("There is no video to plan a reel from.", hint="Add at least one video.")
    total_source = sum(a.duration_s for a in analyses)
    target = request.target_s if request.target_s else (None if request.moments else 60.0)
    if target is not None and total_source <= target * (1 + LENGTH_TOLERANCE):
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
        return Plan(
            moments=moments,
            target_s=target,
            note=f"The footage ({format_seconds(total_source)}) is not longer than the {format_seconds(target)} "
            "target, so the reel is the whole footage.",
        )

    pool = sorted(
        (
            c
            for i, a in enumerate(analyses)
            for c in _candidates(i, a, request)
            if not any(i == src and start <= c.peak <= end for src, start, end in request.exclude)
        ),
        key=lambda c: -c.score,
    )
    if target is not None and pool:
        # Share the length among the moments that stand out, so a short reel shows more of them:
        # big moments (half the best or more) get the longer clips, the rest a short one each; no
        # clip is cut below a watchable length. _grow gives length back if the reel falls short.
        top = pool[0].score
        big = sum(1 for c in pool if c.score >= BIG * top)
        small = request.moments or sum(1 for c in pool if STANDOUT * top <= c.score < BIG * top)
        if request.moments:
            big, small = 0, request.moments
        fair = target / max(big + small, 1)
        floor = max(request.min_segment_s, COMFORTABLE_CLIP_S)
        big_budget = min(request.max_segment_s, max(floor, BIG_CLIP_S, fair))
        if big and big * big_budget + small * floor > target:  # many moments: every one gets in, shorter
            big_budget = min(big_budget, max(floor, BIG_MIN_S, (target - small * floor) / big))
        small_budget = min(request.max_segment_s, max(floor, (target - big * big_budget) / max(small, 1)))
        for c in pool:
            budget = big_budget if c.score >= BIG * top and not request.moments else small_budget
            if c.length > budget:
                _shrink(c, budget)
    chosen: list[_Candidate] = []
    top = pool[0].score if pool else 0.0
    for c in _by_rank(pool, analyses):
        if request.moments is not None and len(chosen) >= request.moments:
            break
        if request.moments is None and c.score < STANDOUT * top:
            break  # the rest is ordinary play: longer clips of real moments serve the reel better
        if (
            target is not None
            and request.moments is None
            and sum(o.length for o in chosen) >= target * (1 - LENGTH_TOLERANCE)
        ):
            break
        if _overlaps(c, chosen, request.min_gap_s):
            _make_room(c, chosen, request.min_gap_s)
            if not (c.start < c.peak < c.end and c.length >= request.min_segment_s):
                continue  # a neighbour already holds this moment
        chosen.append(c)
    if request.include_replays:
        chosen += _replays_of(chosen, analyses)
    note = None
    if request.moments is not None and len(chosen) < request.moments:
        note = f"Only {len(chosen)} distinct moments stand out, fewer than the {request.moments} asked for."
    if target is not None:
        total = sum(c.length for c in chosen)
        while total > target * (1 + LENGTH_TOLERANCE) and chosen:
            excess = total - target
            weakest = min(chosen, key=lambda c: c.score)
            if weakest.length - excess >= request.min_segment_s or len(chosen) == 1:
                _shrink(weakest, weakest.length - excess)
            else:  # shrinking the weakest is not enough: trim every clip a little, else drop the weakest
                spare = sum(c.length - request.min_segment_s for c in chosen)
                if spare >= excess:
                    for c in chosen:
                        _shrink(c, c.length - excess * (c.length - request.min_segment_s) / spare)
                else:
                    chosen.remove(weakest)
            total = sum(c.length for c in chosen)
        if total < target * (1 - LENGTH_TOLERANCE):
            # Clips grow up to the longest allowed; past that the reel stays short and says so,
            # rather than filling with play nobody would call a highlight.
            left = _grow(chosen, target - total, request.max_segment_s)
            if left > target * LENGTH_TOLERANCE:
                note = (note + " " if note else "") + (
                    f"Only {format_seconds(target - left)} of distinct moments could be found for the "
                    f"{format_seconds(target)} target."
                )
    chosen.sort(key=lambda c: (c.source, c.start))
    _snap_edges(chosen, analyses, request, target)
    moments = [
        Moment(
            source=Path(analyses[c.source].source),
            source_index=c.source,
            start_s=round(c.start, 3),
            end_s=round(c.end, 3),
            peak_s=round(c.peak, 3),
            score=round(c.score, 4),
            why=_why(c, analyses[c.source]),
            facts=c.found.facts if c.found else {},
            replay=c.replay_of is not None,
        )
        for c in chosen
        if c.length > 0.1
    ]
    if not moments:
        raise ImpossibleRequestError("No moments could be chosen from this footage.", hint="Try a longer target.")
    return Plan(moments=moments, target_s=target, note=note)
