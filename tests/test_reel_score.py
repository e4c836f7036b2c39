"""The reel score used by the quality tests and the bench, on hand-made truth (no media)."""

from __future__ import annotations

from footage.synth.score import score_reel
from footage.synth.truth import RecordingTruth, TrueMoment, TrueReplay, TrueSpan

TRUTH = RecordingTruth(
    kind="broadcast",
    duration_s=300,
    moments=[
        TrueMoment(kind="goal", start_s=10, peak_s=18, end_s=35),
        TrueMoment(kind="chance", start_s=100, peak_s=106, end_s=112, grade=0.4),
        TrueMoment(kind="goal", start_s=200, peak_s=207, end_s=225),
    ],
    replays=[TrueReplay(of=0, start_s=40, end_s=52), TrueReplay(of=2, start_s=230, end_s=242)],
    not_highlights=[TrueSpan(kind="ad", start_s=150, end_s=190)],
)


def test_a_fan_reel_scores_perfectly() -> None:
    s = score_reel(TRUTH, [(14, 26), (103, 110), (203, 215)])
    assert (s.goals_found, s.moments_found, s.duplicates, s.not_highlight_s) == (2, 3, 0, 0)
    assert s.goal_recall == s.moment_recall == 1.0


def test_a_clip_of_the_celebration_alone_does_not_find_the_goal() -> None:
    s = score_reel(TRUTH, [(19, 30)])
    assert s.goals_found == 0 and s.missed[0] == "goal@18s"


def test_ad_time_counts_against_the_reel() -> None:
    s = score_reel(TRUTH, [(14, 26), (160, 172)])
    assert s.not_highlight_share == 12 / 24


def test_live_and_replay_is_a_duplicate_unless_replays_were_asked_for() -> None:
    kept = [(14, 26), (40, 52)]
    assert score_reel(TRUTH, kept).duplicates == 1
    both = score_reel(TRUTH, kept, include_replays=True)
    assert both.duplicates == 0 and both.replays_kept == 1


def test_two_clips_on_one_moment_are_a_duplicate() -> None:
    assert score_reel(TRUTH, [(14, 22), (24, 30)]).duplicates == 1
