"""A reaction that comes out of a montage (an ad break, a recap: quick cuts before it) is not a highlight;
a reaction with quick cuts after it (a director showing the players, the crowd, the bench) still is."""

from __future__ import annotations

import numpy as np
from drawn_crowd import drawn_crowd

from mcp_highlight.engine.judge import constants as C
from mcp_highlight.engine.judge.moments import find_moments
from mcp_highlight.engine.judge.video_signals import montage
from mcp_highlight.engine.plan.planner import PlanRequest, plan_reel

W = 0.5


def _two_swells(cuts: list[float]):  # type: ignore[no-untyped-def]
    """Two equal reactions, peaking at 100 s and 300 s (onsets about 2 s before), with the cuts given."""
    t = np.arange(int(400 / W)) * W
    db = sum(12.0 * np.exp(-0.5 * ((t - at) / 1.5) ** 2) for at in (100.0, 300.0))
    analysis = drawn_crowd(db + np.random.default_rng(3).normal(0, 0.2, t.size), full_db=12.0, window_s=W)
    analysis.scene_cuts = cuts
    return analysis


def _near(analysis, at: float):  # type: ignore[no-untyped-def]
    return max((m for m in find_moments(analysis) if abs(m.peak_s - at) <= 3), key=lambda m: m.rank)


def test_a_reaction_out_of_quick_cuts_ranks_far_below_one_out_of_live_play() -> None:
    onset = _near(_two_swells([]), 100.0).onset_s
    ad_break = [onset - 5.5, onset - 4.0, onset - 2.5, onset - 1.0]  # a cut every 1.5 s before the reaction
    analysis = _two_swells(ad_break)
    out_of_ad, live = _near(analysis, 100.0), _near(analysis, 300.0)
    assert out_of_ad.rank < (1 - C.MONTAGE_CUT) * 1.2 * live.rank
    assert "montage" in out_of_ad.why and "montage" not in live.why
    plan = plan_reel([analysis], PlanRequest(target_s=20))
    assert not any(m.start_s <= 100 <= m.end_s for m in plan.moments), plan.moments


def test_quick_cuts_after_a_reaction_or_a_single_cut_before_it_leave_it_alone() -> None:
    celebration = [299.0, 301.0, 303.0, 305.0, 307.0]  # the director shows the players, the crowd, the bench
    analysis = _two_swells([_near(_two_swells([]), 100.0).onset_s - 3.0, *celebration])
    before, after = _near(analysis, 100.0), _near(analysis, 300.0)
    plain = _two_swells([])
    assert before.rank == _near(plain, 100.0).rank and after.rank == _near(plain, 300.0).rank
    assert "montage" not in before.why + after.why


def test_a_montage_is_more_cuts_than_one_per_4_s_and_more_than_two() -> None:
    cuts = np.array([1.0, 3.0, 5.0, 7.0])
    assert montage(cuts, 0.0, 10.0)  # four in 10 s
    assert not montage(cuts[:2], 0.0, 4.0)  # two are never a montage
    assert not montage(cuts, 0.0, 20.0)  # four in 20 s: one per 5 s
    assert not montage(cuts, 1.0, 7.0)  # cuts at the very ends are the stretch's own edges
