"""The judgement sweep's bookkeeping (scripts/bench_judgement.py), on hand-made runs (no media).

The sweep itself is a benchmark (30 seeds per family, far too long for the suite); what is tested
here is what makes its numbers mean something: every axis value equally often, the quick sweep a
prefix of the full one, median and worst decile computed as the README says, targets that can fail.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

import bench_judgement
from footage.synth.variants import AXES, SOUND_AXES


def test_every_value_of_every_axis_comes_equally_often_in_each_block_of_twelve_runs() -> None:
    runs = bench_judgement.plan_runs("broadcast", seeds=12, mixes=4, unavailable=set())
    sounds = [s for _, _, mixes in runs for s in mixes]
    for axis in SOUND_AXES:
        for block in range(0, len(sounds), 12):
            counts = Counter(str(s[axis]) for s in sounds[block : block + 12])
            assert set(counts) == {str(v) for v in AXES[axis]}, (axis, counts)
            assert len(set(counts.values())) == 1, (axis, counts)
    pictures = Counter(p["replay_graphic"] for _, p, _ in runs)
    assert set(pictures.values()) == {3}, pictures


def test_the_axes_are_not_tied_to_one_another() -> None:
    runs = bench_judgement.plan_runs("broadcast", seeds=30, mixes=4, unavailable=set())
    sounds = [s for _, _, mixes in runs for s in mixes]
    pairs = Counter((s["commentary"], s["music"]) for s in sounds)
    assert len(pairs) == 9  # every commentary meets every music


def test_the_quick_sweep_is_the_first_seeds_of_the_full_one_and_missing_recordings_fall_back() -> None:
    full = bench_judgement.plan_runs("event", seeds=30, mixes=4, unavailable=set())
    quick = bench_judgement.plan_runs("event", seeds=4, mixes=4, unavailable=set())
    assert quick == full[:4]
    bare = bench_judgement.plan_runs("event", seeds=4, mixes=4, unavailable={"real", "espeak"})
    values = {v for _, _, mixes in bare for s in mixes for v in s.values()}
    assert "real" not in values and "espeak" not in values


def _row(recall: float, not_highlight: float, goals_found: int, duplicates: int = 0, **axes: object) -> dict:
    ours = {"goals": 3, "goals_found": goals_found, "every_goal": goals_found == 3, "recall": recall,
            "not_highlight": not_highlight, "duplicates": duplicates, "music_share": 0.0}  # fmt: skip
    return {"family": "broadcast", "seed": 1, "axes": axes, "ours": ours, "loudest": ours}


def test_median_and_worst_decile_are_reported_per_axis_value() -> None:
    rows = [_row(r / 10, (10 - r) / 100, 3, commentary="legato") for r in range(1, 11)]
    rows += [_row(1.0, 0.0, 2, duplicates=1, commentary="espeak")]
    summary = {(s["axis"], s["value"]): s for s in bench_judgement.summarise(rows)}
    legato = summary[("commentary", "legato")]
    assert legato["runs"] == 10
    assert legato["recall_median"] == 0.55
    assert abs(legato["recall_worst_decile"] - 0.19) < 1e-9  # 10th percentile of 0.1 … 1.0
    assert abs(legato["not_highlight_worst_decile"] - 0.081) < 1e-9  # 90th percentile of 0 … 0.09
    everything = summary[("all runs", "")]
    assert everything["runs"] == 11 and abs(everything["every_goal"] - 10 / 11) < 1e-9
    assert everything["runs_with_a_moment_twice"] == 1


def test_the_targets_say_no_when_a_number_misses() -> None:
    good = [_row(0.9, 0.0, 3, commentary="syllabic") for _ in range(10)]
    met = {name: ok for name, _, _, ok in bench_judgement.targets(bench_judgement.summarise(good))}
    assert all(met.values()), met
    bad = good[:8] + [_row(0.3, 0.2, 2, commentary="syllabic") for _ in range(2)]
    met = {name: ok for name, _, _, ok in bench_judgement.targets(bench_judgement.summarise(bad))}
    assert not met["broadcast: every goal"] and not met["broadcast: recall worst decile"]
    assert not met["broadcast: non-highlight worst decile"] and met["broadcast: recall median"]


def test_replays_found_count_only_replays_covered_end_to_end_and_the_rest_are_false() -> None:
    from footage.synth.truth import RecordingTruth, TrueReplay
    from judgement_runs import replay_metrics

    from mcp_highlight.engine.judge.replays import Replay

    truth = RecordingTruth(kind="broadcast", duration_s=600.0, moments=[],
                           replays=[TrueReplay(of=0, start_s=100.0, end_s=112.0), TrueReplay(of=1, start_s=300.0, end_s=310.0)])  # fmt: skip
    whole = Replay(start_s=99.5, end_s=112.5, of_s=90)
    partly = Replay(start_s=302.5, end_s=310, of_s=290)  # misses 2.5 s of the second replay's start
    elsewhere = Replay(start_s=400, end_s=410, of_s=390)
    assert replay_metrics(truth, [whole, partly, elsewhere]) == {"replays": 2, "replays_found": 1, "replays_false": 1}
    assert replay_metrics(truth, []) == {"replays": 2, "replays_found": 0, "replays_false": 0}


def test_replays_are_summarised_over_the_runs_that_have_some() -> None:
    rows = [_row(1.0, 0.0, 3, replay_graphic="noise") for _ in range(4)]
    for row, (found, false) in zip(rows, [(2, 0), (2, 1), (1, 0), (0, 2)], strict=True):
        row["ours"] = {**row["ours"], "replays": 2, "replays_found": found, "replays_false": false}
    rows.append(_row(1.0, 0.0, 3, replay_graphic="noise"))  # no replay in its truth: not counted
    s = next(s for s in bench_judgement.summarise(rows) if s["axis"] == "all runs")
    assert s["replays_median"] == 0.75 and abs(s["replays_worst_decile"] - 0.15) < 1e-9  # of 0, 0.5, 1, 1
    assert s["false_replays"] == 3
    assert "replays_median" not in next(s for s in bench_judgement.summarise(rows) if s["axis"] == "baseline")
