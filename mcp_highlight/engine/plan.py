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
from scipy.ndimage import uniform_filter1d
from scipy.signal import find_peaks

from mcp_highlight.durations import format_seconds
from mcp_highlight.engine.analysis import Analysis
from mcp_highlight.engine.render_spec import Clip
from mcp_highlight.errors import ImpossibleRequestError

LENGTH_TOLERANCE = 0.05
COMFORTABLE_CLIP_S = 8.0
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
    __slots__ = ("end", "hi", "lo", "peak", "score", "source", "start")

    def __init__(self, source: int, start: float, end: float, peak: float, score: float, lo: float, hi: float):
        self.source, self.start, self.end, self.peak, self.score = source, start, end, peak, score
        self.lo, self.hi = lo, hi  # how far this clip may grow (source bounds)

    @property
    def length(self) -> float:
        return self.end - self.start


def _snap(t: float, cuts: np.ndarray, reach: float) -> float:
    if cuts.size == 0 or reach <= 0:
        return t
    nearest = cuts[np.argmin(np.abs(cuts - t))]
    return float(nearest) if abs(nearest - t) <= reach else t


def _candidates(index: int, analysis: Analysis, req: PlanRequest) -> list[_Candidate]:
    scores = np.asarray(analysis.score, dtype=np.float64)
    if scores.size == 0:
        return []
    w = analysis.window_s
    smooth = uniform_filter1d(scores, size=max(1, round(2.0 / w)), mode="nearest")
    distance = max(1, round((req.min_segment_s + req.min_gap_s) / w))
    # Prominence drops the ripples on the flank of a bigger peak: one moment, one candidate.
    spread = float(smooth.max() - np.median(smooth))
    padded = np.concatenate([[-1.0], smooth, [-1.0]])
    peaks, _ = find_peaks(padded, distance=distance, prominence=max(0.1 * spread, 1e-6))
    peaks = peaks - 1
    cuts = np.asarray(sorted(analysis.scene_cuts), dtype=np.float64)
    duration = analysis.duration_s
    out: list[_Candidate] = []
    for p in peaks:
        level = smooth[p]
        half = level * 0.5 + float(np.median(smooth)) * 0.5
        left = p
        while left > 0 and smooth[left - 1] >= half:
            left -= 1
        right = p
        while right < len(smooth) - 1 and smooth[right + 1] >= half:
            right += 1
        peak_t = (p + 0.5) * w
        start = left * w - req.lead_in_s
        end = (right + 1) * w + req.reaction_s
        if end - start > req.max_segment_s:  # keep more build-up than aftermath: the roar follows the play
            start = max(start, peak_t - 0.65 * req.max_segment_s)
            end = start + req.max_segment_s
        if end - start < req.min_segment_s:
            grow = req.min_segment_s - (end - start)
            start -= grow * 0.6
            end += grow * 0.4
        start = _snap(start, cuts, req.snap_s)
        end = _snap(end, cuts, req.snap_s)
        start, end = max(0.0, start), min(duration, end)
        if end - start >= min(req.min_segment_s, duration) * 0.999:
            out.append(
                _Candidate(index, start, end, peak_t, float(scores[max(0, left) : right + 1].max()), 0.0, duration)
            )
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
    """Cut a clip down around its peak, keeping the build-up side longer."""
    new_length = max(new_length, 0.0)
    start = max(c.start, c.peak - 0.65 * new_length)
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
            lo = ordered[i - 1].end if i > 0 else c.lo
            hi = ordered[i + 1].start if i + 1 < len(ordered) else c.hi
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
        # Share the length among the moments that stand out, so a short reel shows more of them;
        # no clip is cut below a watchable length. _grow gives length back if the reel falls short.
        count = request.moments or sum(1 for c in pool if c.score >= 0.5 * pool[0].score)
        budget = min(request.max_segment_s, max(request.min_segment_s, COMFORTABLE_CLIP_S, target / max(count, 1)))
        for c in pool:
            if c.length > budget:
                _shrink(c, budget)
    chosen: list[_Candidate] = []
    for c in _by_rank(pool, analyses):
        if request.moments is not None and len(chosen) >= request.moments:
            break
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
            left = _grow(chosen, target - total, request.max_segment_s)
            if left > target * LENGTH_TOLERANCE:
                left = _grow(chosen, left, float("inf"))
            if left > target * LENGTH_TOLERANCE:
                note = (note + " " if note else "") + (
                    f"Only {format_seconds(target - left)} of distinct moments could be found for the "
                    f"{format_seconds(target)} target."
                )
    chosen.sort(key=lambda c: (c.source, c.start))
    moments = [
        Moment(
            source=Path(analyses[c.source].source),
            source_index=c.source,
            start_s=round(c.start, 3),
            end_s=round(c.end, 3),
            peak_s=round(c.peak, 3),
            score=round(c.score, 4),
        )
        for c in chosen
        if c.length > 0.1
    ]
    if not moments:
        raise ImpossibleRequestError("No moments could be chosen from this footage.", hint="Try a longer target.")
    return Plan(moments=moments, target_s=target, note=note)
