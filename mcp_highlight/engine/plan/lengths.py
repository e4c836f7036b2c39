"""Clip lengths: share the reel's length among the moments, and cut or grow clips to fit it.

Every function returns new candidates; none changes the ones it is given.
"""

from __future__ import annotations

from dataclasses import replace

from mcp_highlight.engine.plan.candidates import Candidate
from mcp_highlight.engine.plan.request import PlanRequest

LENGTH_TOLERANCE = 0.05
LEAD_S, LEAD_SHARE = 5.0, 0.7
"""A shortened clip keeps LEAD_S (at most LEAD_SHARE of it) before its anchor, the reaction's onset:
the action comes first, and the aftermath is what a tight reel can spare."""
STANDOUT = 0.10
"""Moments ranked below this share of the best are not highlights: the reel grows its clips instead.
Was 0.12; once a held crowd level (a chant) ranks low (judge/moments.py), 0.10 lets in more real near
misses than junk: on 48 sweep broadcast runs recall median 0.80 -> 0.89 and worst decile 0.62 -> 0.67,
non-highlight share worst decile 15 % -> 19 % (median 0 % both), every goal in both. 0.08 let in
chants (median 6 %)."""
BIG = 0.5
"""A moment ranked at least this share of the best is a big one (a goal): it gets a longer clip."""
BIG_CLIP_S, BIG_MIN_S = 10.0, 7.5
"""A big moment's clip length when the reel has room, and the least it gets (the build-up, the shot, the roar)."""
COMFORTABLE_CLIP_S = 6.5
GROW_ROUNDS = 50


def shrink(c: Candidate, new_length: float) -> Candidate:
    """The clip cut down around its anchor (the reaction's start), keeping the build-up side longer."""
    new_length = max(new_length, 0.0)
    if c.replay_of is not None:  # a replay keeps its start
        return replace(c, end=min(c.end, c.start + new_length))
    start = c.anchor - min(LEAD_S, LEAD_SHARE * new_length)
    if start + new_length < c.peak + 0.5:  # a short clip still reaches the peak, with less build-up
        start = min(c.peak + 0.5 - new_length, c.anchor - 0.35 * new_length)
    start = max(c.start, start)
    end = min(c.end, start + new_length)
    if end - start < new_length:
        start = max(c.lo, end - new_length)
    return replace(c, start=start, end=end)


def share_length(pool: list[Candidate], target: float, req: PlanRequest) -> list[Candidate]:
    """Each candidate cut to its share of the reel, so a short reel shows more moments: big moments (half
    the best or more) get the longer clips, the rest a short one each; none below a watchable length.
    `grow` gives length back if the reel falls short."""
    if not pool:
        return pool
    top = pool[0].score
    big = sum(1 for c in pool if c.score >= BIG * top)
    small = req.moments or sum(1 for c in pool if STANDOUT * top <= c.score < BIG * top)
    if req.moments:
        big, small = 0, req.moments
    fair = target / max(big + small, 1)
    floor = max(req.min_segment_s, COMFORTABLE_CLIP_S)
    big_budget = min(req.max_segment_s, max(floor, BIG_CLIP_S, fair))
    if big and big * big_budget + small * floor > target:  # many moments: every one gets in, shorter
        big_budget = min(big_budget, max(floor, BIG_MIN_S, (target - small * floor) / big))
    small_budget = min(req.max_segment_s, max(floor, (target - big * big_budget) / max(small, 1)))
    out = []
    for c in pool:
        budget = big_budget if c.score >= BIG * top and not req.moments else small_budget
        out.append(shrink(c, budget) if c.length > budget else c)
    return out


def trim_to(chosen: list[Candidate], target: float, min_len: float) -> list[Candidate]:
    """Clips cut until the reel is within tolerance of `target`: the weakest first, then all a little,
    else the weakest dropped."""
    chosen = list(chosen)
    total = sum(c.length for c in chosen)
    while total > target * (1 + LENGTH_TOLERANCE) and chosen:
        excess = total - target
        w = min(range(len(chosen)), key=lambda i: chosen[i].score)
        weakest = chosen[w]
        if weakest.length - excess >= min_len or len(chosen) == 1:
            chosen[w] = shrink(weakest, weakest.length - excess)
        else:
            spare = sum(c.length - min_len for c in chosen)
            if spare >= excess:
                chosen = [shrink(c, c.length - excess * (c.length - min_len) / spare) for c in chosen]
            else:
                del chosen[w]
        total = sum(c.length for c in chosen)
    return chosen


def _room(chosen: list[Candidate], i: int, preferred: bool) -> tuple[float, float]:
    """How far clip `i` may grow each way without touching its neighbours from the same source (nor,
    when `preferred`, leaving its live shot)."""
    c = chosen[i]
    lo, hi = c.preferred if preferred else (c.lo, c.hi)
    lo, hi = min(lo, c.start), max(hi, c.end)
    ordered = sorted((o for o in chosen if o.source == c.source), key=lambda o: o.start)
    k = next(j for j, o in enumerate(ordered) if o is c)
    lo = max(lo, ordered[k - 1].end) if k > 0 else lo
    hi = min(hi, ordered[k + 1].start) if k + 1 < len(ordered) else hi
    return lo, hi


def grow(chosen: list[Candidate], needed: float, max_len: float) -> tuple[list[Candidate], float]:
    """Clips widened evenly (without touching neighbours) until `needed` seconds are added, and what is
    left: within their live shots first, past them only if the reel is still short."""
    chosen = list(chosen)
    for preferred in (True, False):
        chosen, needed = _grow(chosen, needed, max_len, preferred)
    return chosen, needed


def _grow(chosen: list[Candidate], needed: float, max_len: float, preferred: bool) -> tuple[list[Candidate], float]:
    for _ in range(GROW_ROUNDS):
        growable = [i for i, c in enumerate(chosen) if c.length < max_len - 1e-6]
        if needed <= 1e-6 or not growable:
            break
        share = needed / len(growable)
        for i in sorted(growable, key=lambda i: -chosen[i].score):
            c = chosen[i]
            lo, hi = _room(chosen, i, preferred)
            want = min(share, max_len - c.length, needed)
            before = min(want * 0.6, c.start - lo)
            after = min(want - before, hi - c.end)
            before = min(want - after, c.start - lo)
            chosen[i] = replace(c, start=c.start - max(before, 0.0), end=c.end + max(after, 0.0))
            needed -= max(before, 0.0) + max(after, 0.0)
    return chosen, needed
