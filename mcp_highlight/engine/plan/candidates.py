"""Candidate clips: one per moment of each analysis, before any is chosen or fitted to the reel's length.

A `Candidate` is immutable: every later step returns new ones (`dataclasses.replace`), so each step of the
plan can be read, tested and reordered on its own.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mcp_highlight.engine.judge.analyse import big_moments
from mcp_highlight.engine.judge.analysis import Analysis
from mcp_highlight.engine.judge.moments import FoundMoment, find_moments
from mcp_highlight.engine.plan.request import PlanRequest

SHOT_AFTER_ONSET_S = 1.0
SHOT_BEFORE_PEAK_S = 0.5
"""A live clip keeps, while the reel has room elsewhere, to its live shot: up to the first shot cut more
than 1 s after its reaction's onset and less than 0.5 s before the reaction's peak. After a goal the
director cuts to the players, the crowd or a replay, and a replay the analysis missed (a flat or sliding
graphic) shows the moment twice. On 30 generated broadcasts (120 runs) runs with a moment twice 7 -> 1,
every goal 99 % -> 100 %, recall the same. The peak's side: a crowd may rise with an attack, so a cut
soon after the onset can come mid-action (with the onset bound alone, the older synthetic game lost
half an event to a cut 3 s before its reaction's peak); the reaction's peak comes after the action in
any footage. The peak bound alone left 2 runs with a moment twice."""
LEAD_CAP_S = 8.0
"""...and starts no earlier than this before its anchor (or the lead-in asked for, if longer): a clip held
at its shot's end grew backwards instead, 14 s before a chance and into the PA music before it (5-minute
test broadcast, 3.0 % -> 7.2 % of the reel in non-highlights; 3.1 % with this cap). Growth past these
bounds comes second (`lengths.grow`). On the sweep's 120 broadcast runs a cap of 6 s lost a goal and
showed a moment twice in 4 runs; 8 s and 10 s gave the same summary; every reel within 5 % of 90 s."""
REPLAY_OF_S = 3.0
"""A replay is of a moment when what it repeats lies within 3 s of the moment's peak."""
AFTER_BIG_S = 25.0
"""A clip whose moment comes within 25 s after a big moment (`analyse.BIG_MOMENT` of the best) whose replay
the analysis did not find keeps to the lead-in asked for: that is where the missed replay plays, and a
lead-in grown back into it shows the big moment twice. On the sweep's 120 broadcast runs (one with a
chant's clip reaching 4.5 s back into a flat-graphic replay) runs with a moment twice 2 -> 1, nothing
else changed; 15 s was too short for that run, 40 s gave the same summary as 25 s."""
MISSED_REPLAY_AFTER_S = 8.0
"""In a broadcast where the analysis found replays, a big moment whose own replay it did not find has one
it missed: that moment's clip ends at most 8 s after its reaction's onset, where a director cuts away to
the replay at the earliest (the roar may go on over the replay, so the reaction's end says nothing). On
the sweep's 120 broadcast runs (one goal's clip ran 5.7 s into a replay whose cut went unseen) runs with a
moment twice 1 -> 0, nothing else changed; 9 s left that run as it was, 7 s gave the same as 8 s. Not
where no replay was found at all: event footage has none, and there 8 s cut the clips of applause short
(event recall median 0.89 -> 0.80 when applied to every file)."""


@dataclass(frozen=True, eq=False, slots=True)
class Candidate:
    source: int
    start: float
    end: float
    peak: float
    score: float
    lo: float
    """How far the clip may grow back (the source's start, the end of a replay before it)."""
    hi: float
    anchor: float
    within: tuple[float, float] | None = None
    """Where the clip keeps while the reel can grow elsewhere: its lead-in and its live shot (lo..hi if None)."""
    found: FoundMoment | None = None
    replay_of: float | None = None
    """For a replay clip: the peak of the live moment it repeats."""

    @property
    def length(self) -> float:
        return self.end - self.start

    @property
    def preferred(self) -> tuple[float, float]:
        return self.within or (self.lo, self.hi)


def snap(t: float, cuts: np.ndarray, reach: float) -> float:
    """`t` moved onto the nearest shot cut within `reach`, else unchanged."""
    if cuts.size == 0 or reach <= 0:
        return t
    nearest = cuts[np.argmin(np.abs(cuts - t))]
    return float(nearest) if abs(nearest - t) <= reach else t


def _bounds(t: float, zones: list[tuple[float, float]], duration: float) -> tuple[float, float]:
    """The stretch around `t` free of the given zones (replays a clip must not run into)."""
    lo = max([b for a, b in zones if b <= t], default=0.0)
    hi = min([a for a, b in zones if a >= t], default=duration)
    return lo, hi


def _live_shot(m: FoundMoment, cuts: np.ndarray, lo: float, hi: float, lead_in_s: float) -> tuple[float, float]:
    """The stretch a moment's clip keeps to when it can (LEAD_CAP_S before its anchor to the end of its
    live shot, SHOT_AFTER_ONSET_S)."""
    later = cuts[(cuts > max(m.onset_s + SHOT_AFTER_ONSET_S, m.peak_s - SHOT_BEFORE_PEAK_S)) & (cuts < hi)]
    return max(lo, m.anchor_s - max(LEAD_CAP_S, lead_in_s)), float(later[0]) if later.size else hi


def _unreplayed_big(moments: list[FoundMoment], analysis: Analysis) -> list[float]:
    """Peaks of the big moments (those whose replays the analysis looks for) with no replay found."""
    live = [m for m in moments if not m.replay]
    return [
        peak
        for _, peak in big_moments(live)
        if not any(abs(r.of_s - peak) <= REPLAY_OF_S for r in analysis.replays)
    ]


def candidates_of(index: int, analysis: Analysis, req: PlanRequest) -> list[Candidate]:
    """One clip per moment: from a lead-in before the reaction's onset (the action comes first)
    to where the reaction fades or its live shot ends, kept out of replays (those found, and before one
    missed: MISSED_REPLAY_AFTER_S), edges snapped to a shot cut nearby."""
    cuts = np.asarray(sorted(analysis.scene_cuts), dtype=np.float64)
    duration = analysis.duration_s
    zones = [(r.start_s, r.end_s) for r in analysis.replays]
    out: list[Candidate] = []
    found = find_moments(analysis, analysis.replays, min_gap_s=req.min_segment_s + req.min_gap_s)
    unreplayed = _unreplayed_big(found, analysis)
    for m in found:
        if m.replay:
            continue
        lo, hi = _bounds(m.anchor_s, zones, duration)
        if zones and m.peak_s in unreplayed:
            hi = min(hi, max(m.onset_s + MISSED_REPLAY_AFTER_S, m.peak_s + 0.5))
        if any(0 < m.anchor_s - p <= AFTER_BIG_S for p in unreplayed if p != m.peak_s):
            lo = max(lo, m.anchor_s - req.lead_in_s)
        within = _live_shot(m, cuts, lo, hi, req.lead_in_s)
        start = m.anchor_s - req.lead_in_s
        end = min(max(m.fade_s, m.anchor_s + req.reaction_s), within[1])
        if end - start > req.max_segment_s:  # keep the build-up and the first of the reaction
            end = start + req.max_segment_s
        if end - start < req.min_segment_s:
            grow = req.min_segment_s - (end - start)
            start -= grow * 0.6
            end += grow * 0.4
        snapped = max(lo, snap(start, cuts, req.snap_s)), min(hi, snap(end, cuts, req.snap_s))
        if snapped[1] - snapped[0] <= req.max_segment_s:  # a cut never stretches a clip past the longest asked for
            start, end = snapped
        else:
            start, end = max(lo, start), min(hi, end)
        if end - start >= min(req.min_segment_s, duration) * 0.999:
            out.append(Candidate(index, start, end, m.peak_s, m.rank, lo, hi, m.anchor_s, within, found=m))
    return out


def replays_of(chosen: list[Candidate], analyses: list[Analysis]) -> list[Candidate]:
    """The replay of each chosen moment that has one, as its own clip right after the live action."""
    extra: list[Candidate] = []
    for c in chosen:
        for r in analyses[c.source].replays:
            if abs(r.of_s - c.peak) <= REPLAY_OF_S or c.start <= r.of_s <= c.end:
                extra.append(
                    Candidate(c.source, r.start_s, r.end_s, r.of_s, c.score - 1e-3, r.start_s, r.end_s,
                              anchor=r.of_s, replay_of=c.peak)
                )
                break
    return extra
