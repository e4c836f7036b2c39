"""Planning: peaks become moments with build-up and reaction, fitted to the asked length."""

import re
from pathlib import Path

import numpy as np
import pytest

from mcp_highlight.core.errors import ImpossibleRequestError
from mcp_highlight.engine.judge.analysis import Analysis
from mcp_highlight.engine.judge.moments import find_moments
from mcp_highlight.engine.plan.planner import PlanRequest, plan_reel

W = 0.5


def curve(
    duration_s: float, peaks: dict[float, float], *, cuts: tuple[float, ...] = (), name: str = "game.mp4"
) -> Analysis:
    """A flat, slightly noisy curve with Gaussian bumps of given heights at given times."""
    t = np.arange(int(duration_s / W)) * W
    rng = np.random.default_rng(1)
    score = 0.1 + 0.02 * rng.random(t.size)
    for at, height in peaks.items():
        score += height * np.exp(-0.5 * ((t - at) / 2.0) ** 2)
    score = np.clip(score, 0, 1)
    return Analysis(
        source=name, content_hash="x", duration_s=duration_s, window_s=W, score=score.tolist(), scene_cuts=list(cuts)
    )


def covers(plan, t: float) -> bool:
    return any(m.start_s <= t <= m.end_s for m in plan.moments)


def test_the_strongest_peaks_are_chosen_and_fill_the_target_within_five_percent() -> None:
    peaks = {300: 0.9, 900: 0.8, 1500: 0.85, 2100: 0.3, 2700: 0.75}
    plan = plan_reel([curve(3600, peaks)], PlanRequest(target_s=60))
    assert abs(plan.total_s - 60) <= 3
    for strong in (300, 900, 1500, 2700):
        assert covers(plan, strong)
    starts = [m.start_s for m in plan.moments]
    assert starts == sorted(starts)
    for a, b in zip(plan.moments, plan.moments[1:], strict=False):
        assert a.end_s <= b.start_s


def test_a_moment_keeps_its_build_up_before_the_peak() -> None:
    plan = plan_reel([curve(600, {300: 0.9})], PlanRequest(moments=1, lead_in_s=5, reaction_s=3))
    (moment,) = plan.moments
    assert moment.start_s <= 300 - 5
    assert 300 - moment.start_s > moment.end_s - 300  # more build-up than aftermath


def test_top_n_gives_n_moments_in_time_order() -> None:
    peaks = {100: 0.5, 200: 0.9, 300: 0.6, 400: 0.95, 500: 0.7}
    plan = plan_reel([curve(600, peaks)], PlanRequest(moments=3))
    assert len(plan.moments) == 3
    assert [covers(plan, t) for t in (200, 400, 500)] == [True, True, True]
    assert not covers(plan, 100)


def test_clip_edges_snap_to_a_nearby_scene_cut() -> None:
    unsnapped = plan_reel([curve(600, {300: 0.9})], PlanRequest(moments=1)).moments[0]
    cut = unsnapped.start_s + 1.2
    plan = plan_reel([curve(600, {300: 0.9}, cuts=(cut, 100.0))], PlanRequest(moments=1, snap_s=1.5))
    assert plan.moments[0].start_s == pytest.approx(cut)


def test_a_source_shorter_than_the_target_becomes_the_whole_reel_and_says_so() -> None:
    plan = plan_reel([curve(40, {20: 0.9})], PlanRequest(target_s=60))
    assert plan.total_s == pytest.approx(40)
    assert plan.note and "whole footage" in plan.note


def test_several_sources_are_planned_together() -> None:
    a = curve(600, {100: 0.9, 400: 0.2}, name="a.mp4")
    b = curve(600, {250: 0.95, 500: 0.85}, name="b.mp4")
    plan = plan_reel([a, b], PlanRequest(target_s=40))
    sources = {m.source for m in plan.moments}
    assert sources == {Path("a.mp4"), Path("b.mp4")}
    assert [m.source_index for m in plan.moments] == sorted(m.source_index for m in plan.moments)
    assert abs(plan.total_s - 40) <= 2


def test_segment_lengths_respect_the_limits() -> None:
    peaks = {t: 0.8 for t in range(60, 3000, 120)}
    plan = plan_reel([curve(3600, peaks)], PlanRequest(target_s=120, min_segment_s=5, max_segment_s=12))
    assert all(5 - 1e-6 <= m.duration_s <= 12 + 1e-6 for m in plan.moments)
    assert abs(plan.total_s - 120) <= 6


def test_a_shot_cut_never_stretches_a_clip_past_the_longest_asked_for() -> None:
    """A long reaction fills max_segment_s; a cut just past either edge must not add to it."""
    wide = plan_reel([curve(600, {300: 0.9})], PlanRequest(moments=1, max_segment_s=8)).moments[0]
    assert wide.duration_s == pytest.approx(8, abs=1e-6)
    cuts = (wide.start_s - 1.0, wide.end_s + 1.0)
    plan = plan_reel([curve(600, {300: 0.9}, cuts=cuts)], PlanRequest(target_s=60, max_segment_s=8, snap_s=1.5))
    assert plan.moments and all(m.duration_s <= 8 + 1e-6 for m in plan.moments), plan.moments


def test_when_few_moments_stand_out_the_reel_still_reaches_the_target_or_says_why() -> None:
    plan = plan_reel([curve(3600, {600: 0.9})], PlanRequest(target_s=60))
    assert covers(plan, 600)  # the one moment that stands out is in
    if abs(plan.total_s - 60) > 3:  # short of the target: the note says so, with the length it reached
        assert plan.note and re.search(rf"\b{round(plan.total_s)} ?s\b", plan.note), (plan.total_s, plan.note)


def test_impossible_requests_are_refused_with_a_reason() -> None:
    with pytest.raises(ImpossibleRequestError, match="longer than the maximum"):
        PlanRequest(min_segment_s=30, max_segment_s=10)
    with pytest.raises(ImpossibleRequestError, match="cannot hold"):
        PlanRequest(target_s=2, min_segment_s=4)
    with pytest.raises(ImpossibleRequestError):
        plan_reel([], PlanRequest(target_s=30))


def test_a_short_reel_shows_every_standout_moment_rather_than_a_few_long_ones() -> None:
    wide = {60: 0.9, 150: 0.9, 240: 0.9, 330: 0.9}
    t = np.arange(int(400 / W)) * W
    score = 0.05 + sum(h * np.exp(-0.5 * ((t - at) / 5.0) ** 2) for at, h in wide.items())  # long plateaus
    analysis = Analysis(
        source="g.mp4", content_hash="x", duration_s=400, window_s=W, score=np.clip(score, 0, 1).tolist()
    )
    plan = plan_reel([analysis], PlanRequest(target_s=30))
    assert [covers(plan, at) for at in wide] == [True] * 4
    assert abs(plan.total_s - 30) <= 1.5


def test_equally_great_moments_are_sampled_across_the_whole_game() -> None:
    peaks = {float(at): 0.9 for at in range(100, 3600, 90)}  # 39 equal moments, room for about 7
    plan = plan_reel([curve(3600, peaks)], PlanRequest(target_s=60))
    starts = [m.start_s for m in plan.moments]
    assert min(starts) < 900 and max(starts) > 2700  # not just the first minutes of the game


def test_after_fitting_to_the_length_clip_edges_still_land_on_nearby_cuts() -> None:
    peaks = {100.0: 0.9, 300.0: 0.85, 500.0: 0.8}
    cuts = (94.0, 303.5, 493.0)
    plan = plan_reel([curve(600, peaks, cuts=cuts)], PlanRequest(target_s=36, snap_s=1.5))
    edges = [t for m in plan.moments for t in (m.start_s, m.end_s)]
    near = [c for c in cuts if min(abs(np.asarray(edges) - c)) <= 1.5]
    assert near and all(min(abs(np.asarray(edges) - c)) < 1e-6 for c in near)
    assert abs(plan.total_s - 36) <= 0.05 * 36


def test_a_live_clip_ends_with_its_live_shot_while_the_reel_can_grow_elsewhere() -> None:
    """After a big moment the director cuts away (to the players, the crowd, or a replay the analysis may
    have missed): the clip ends at that cut, and the other clips take the rest of the reel's length."""
    peaks = {100.0: 0.9, 300.0: 0.85, 500.0: 0.8}
    plan = plan_reel([curve(600, peaks, cuts=(103.0,))], PlanRequest(target_s=48, snap_s=0))
    (first,) = [m for m in plan.moments if m.start_s < 100 < m.end_s]
    assert first.end_s == 103.0
    assert first.start_s >= 100 - 5 - 8  # its lead-in grew no further than LEAD_CAP_S before the onset
    assert abs(plan.total_s - 48) <= 0.05 * 48
    # A cut within the action (before the reaction peaks) does not end the clip.
    early = plan_reel([curve(600, peaks, cuts=(99.0,))], PlanRequest(target_s=48, snap_s=0))
    (first,) = [m for m in early.moments if m.start_s < 99 < m.end_s]
    assert first.end_s > 101
    # With nothing else to grow, the clip grows past the cut rather than leave the reel short.
    alone = plan_reel([curve(600, {100.0: 0.9}, cuts=(103.0,))], PlanRequest(target_s=19, snap_s=0))
    assert abs(alone.total_s - 19) <= 0.05 * 19 and alone.moments[0].end_s > 103.0, alone


def test_replays_are_left_out_unless_asked_for_and_then_follow_their_moment() -> None:
    from mcp_highlight.engine.judge.replays import Replay

    analysis = curve(600, {100.0: 0.9, 300.0: 0.8, 450.0: 0.7})
    analysis.replays = [Replay(start_s=112.0, end_s=124.0, of_s=100.0)]
    plain = plan_reel([analysis], PlanRequest(target_s=60))
    assert not any(m.start_s < 124 and m.end_s > 112 for m in plain.moments)
    assert not any(m.replay for m in plain.moments)
    asked = plan_reel([analysis], PlanRequest(target_s=60, include_replays=True))
    replays = [i for i, m in enumerate(asked.moments) if m.replay]
    assert len(replays) == 1
    i = replays[0]
    assert asked.moments[i].start_s == 112.0 and asked.moments[i - 1].peak_s == pytest.approx(100.25, abs=1)
    assert abs(asked.total_s - 60) <= 3


def test_a_moment_explains_itself_from_the_measures() -> None:
    analysis = curve(600, {300.0: 0.9})
    n = len(analysis.score)
    crowd = np.zeros(n)
    crowd[int(296 / W) : int(310 / W)] = 14.0
    pitch = np.zeros(n)
    pitch[int(295 / W) : int(305 / W)] = 6.0
    analysis.measures = {"crowd_db": crowd.tolist(), "pitch_semitones": pitch.tolist()}
    analysis.scene_cuts = [297.0]
    (moment,) = plan_reel([analysis], PlanRequest(moments=1)).moments
    assert "crowd +14 dB" in moment.why and "pitch +41 %" in moment.why and "shot cut at" in moment.why
    assert moment.facts["crowd_db"] == 14.0


def test_after_a_goal_whose_replay_was_missed_the_next_clip_does_not_reach_back_into_it() -> None:
    """A missed replay plays in the seconds after a goal: a moment soon after keeps to the lead-in asked
    for instead of growing back into them (the goal would be shown twice). With the replay found, or
    far from any goal, the lead-in may grow as usual."""
    from mcp_highlight.engine.judge.replays import Replay

    peaks = {100.0: 0.9, 120.0: 0.3, 300.0: 0.3}
    request = PlanRequest(target_s=60, snap_s=0)  # more than the three clips: they must grow
    missed = plan_reel([curve(600, peaks, cuts=(103.0,))], request)
    (after,) = [m for m in missed.moments if m.start_s < 120 < m.end_s]
    assert after.start_s >= 120 - 5 - 5 - 0.01, missed.moments  # anchor (peak - 5 s at most) - lead-in
    assert abs(missed.total_s - 60) <= 0.05 * 60  # the other clips grew instead
    found = curve(600, peaks, cuts=(103.0,))
    found.replays = [Replay(start_s=104.0, end_s=108.0, of_s=100.0)]
    (grown,) = [m for m in plan_reel([found], request).moments if m.start_s < 120 < m.end_s]
    assert grown.start_s < after.start_s - 1


def test_a_goal_whose_replay_was_missed_keeps_its_clip_before_where_the_replay_plays() -> None:
    """In a broadcast whose replays are found, a goal with none found has one the analysis missed, played
    soon after: its clip ends at most MISSED_REPLAY_AFTER_S after the reaction's onset (it grows back
    instead). Where no replay was found at all (event footage), the clip may run on after the reaction."""
    from mcp_highlight.engine.judge.replays import Replay
    from mcp_highlight.engine.plan.candidates import MISSED_REPLAY_AFTER_S

    peaks = {100.0: 0.9, 300.0: 0.85}
    request = PlanRequest(target_s=40, snap_s=0)  # two moments, 40 s: each clip grows to about 20 s
    broadcast = curve(600, peaks)
    broadcast.replays = [Replay(start_s=110.0, end_s=118.0, of_s=100.0)]
    plan = plan_reel([broadcast], request)
    (goal,) = [m for m in plan.moments if m.start_s < 300 < m.end_s]
    (onset,) = [m.onset_s for m in find_moments(broadcast) if m.peak_s == goal.peak_s]
    assert goal.end_s <= onset + MISSED_REPLAY_AFTER_S + 0.01, plan.moments
    assert abs(plan.total_s - 40) <= 0.05 * 40  # it grew back instead
    (event_clip,) = [m for m in plan_reel([curve(600, peaks)], request).moments if m.start_s < 300 < m.end_s]
    assert event_clip.end_s > onset + MISSED_REPLAY_AFTER_S + 2
