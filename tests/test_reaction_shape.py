"""A reaction is a transient, a chant a held level: moments rank by how briefly the crowd holds its peak.

Curves are drawn directly (crowd in dB over its baseline, the score following it), so what is tested is
the ranking in engine/judge/moments.py, not a generator's sound. A recorded chant is not a smooth
plateau: its phrases pulse, with bursts louder than a near miss's "ooh" (measured on the Debian game
recordings used by the judgement sweep), which an earlier rise-and-decay test took for reactions.
"""

from __future__ import annotations

import numpy as np
from drawn_crowd import drawn_crowd

from mcp_highlight.engine.judge.analysis import Analysis
from mcp_highlight.engine.judge.moments import find_moments
from mcp_highlight.engine.plan.planner import PlanRequest, plan_reel

W = 0.5
SECONDS = 300.0


def _analysis(crowd_db: np.ndarray) -> Analysis:
    return drawn_crowd(crowd_db, full_db=15.0, window_s=W)


def _crowd() -> tuple[np.ndarray, dict[str, float]]:
    """A bed at 0 dB; a near miss (7 dB for 2 s, gone in 4); a goal (15 dB, decaying over 10 s); and a
    chant of 24 s whose phrases pulse between 6 and 9 dB every 2 s, with one 11 dB burst."""
    t = np.arange(int(SECONDS / W)) * W
    rng = np.random.default_rng(3)
    db = rng.normal(0.0, 0.4, t.size)
    chance, goal, chant = 60.0, 150.0, 220.0
    db += 7.0 * np.exp(-0.5 * ((t - chance) / 1.2) ** 2)
    after = t - goal
    db += np.where(after < 0, 15.0 * np.exp(-0.5 * (after / 1.0) ** 2), 15.0 * np.exp(-np.clip(after, 0, None) / 4.0))
    inside = (t >= chant) & (t < chant + 24)
    phrase = np.where(((t - chant) // 2) % 2 == 0, 9.0, 6.0)
    db += np.where(inside, phrase, 0.0)
    db += 2.0 * np.exp(-0.5 * ((t - (chant + 12.5)) / 0.6) ** 2)
    return db, {"chance": chance, "goal": goal, "chant": chant}


def _near(moments, at: float, span: float) -> float:
    return max((m.rank for m in moments if at - 2 <= m.peak_s <= at + span), default=0.0)


def test_a_near_miss_outranks_a_louder_chant_and_the_goal_stays_first() -> None:
    db, at = _crowd()
    moments = find_moments(_analysis(db))
    chance, chant = _near(moments, at["chance"], 4), _near(moments, at["chant"], 26)
    assert abs(moments[0].peak_s - at["goal"]) <= 3, moments[:3]
    assert chance > 0 and chant > 0, moments
    assert chance > 1.5 * chant, (chance, chant)


def test_the_two_best_moments_are_the_goal_and_the_near_miss_not_the_chant() -> None:
    db, at = _crowd()
    plan = plan_reel([_analysis(db)], PlanRequest(moments=2))
    covered = lambda t: any(m.start_s <= t <= m.end_s for m in plan.moments)  # noqa: E731
    assert covered(at["goal"]) and covered(at["chance"]), plan.moments
    assert not any(m.end_s > at["chant"] and m.start_s < at["chant"] + 24 for m in plan.moments), plan.moments
