"""The benchmark's quality metrics, on hand-made spans (no media)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from footage.quality import event_found, merge_spans, precision, recall, reel_capacity, total_length


@dataclass
class Event:
    start_s: float
    end_s: float
    peak_s: float | None = None


def test_overlapping_and_touching_spans_merge_and_count_once() -> None:
    assert merge_spans([(5, 8), (0, 2), (1, 3), (8, 9), (20, 20)]) == [(0, 3), (5, 9)]
    assert total_length([(0, 10), (5, 15)]) == 15


def test_an_event_half_covered_is_found_and_one_less_than_half_is_not() -> None:
    assert event_found((10, 20), [(15, 30)])
    assert not event_found((10, 20), [(15.5, 30)])


def test_coverage_split_over_several_clips_adds_up() -> None:
    assert event_found((0, 10), [(0, 3), (7, 9)])
    assert not event_found((0, 10), [(0, 2), (8, 9)])


def test_a_covered_peak_finds_the_event_even_when_most_of_it_is_cut() -> None:
    assert event_found(Event(0, 20, peak_s=12), [(11, 13)])
    assert event_found((0, 20, 12.0), [(11, 13)])
    assert not event_found(Event(0, 20, peak_s=2), [(11, 13)])


def test_recall_is_the_fraction_of_events_found() -> None:
    events = [(10, 20), (40, 50), (70, 80), (100, 110)]
    kept = [(8, 22), (45, 60), (79, 90)]
    assert recall(events, kept) == pytest.approx(0.5)
    assert recall(events, kept, min_cover=0.1) == pytest.approx(0.75)


def test_recall_with_nothing_kept_is_zero_and_with_no_events_is_one() -> None:
    assert recall([(1, 2)], []) == 0.0
    assert recall([], [(1, 2)]) == 1.0


def test_precision_counts_reel_time_on_events_and_ignores_time_off_them() -> None:
    events = [(10, 20)]
    assert precision(events, [(10, 20)], margin_s=0) == pytest.approx(1.0)
    assert precision(events, [(10, 20), (50, 60)], margin_s=0) == pytest.approx(0.5)


def test_precision_counts_the_lead_in_and_reaction_margin_as_on_target() -> None:
    events = [(10, 20)]
    kept = [(5, 23)]
    assert precision(events, kept, margin_s=0) == pytest.approx(10 / 18)
    assert precision(events, kept, margin_s=5) == pytest.approx(1.0)
    assert precision(events, kept, margin_s=(5.0, 1.0)) == pytest.approx(16 / 18)


def test_precision_does_not_count_overlapping_kept_spans_twice() -> None:
    assert precision([(0, 10)], [(0, 10), (5, 10), (20, 30)], margin_s=0) == pytest.approx(0.5)


def test_precision_of_an_empty_reel_is_zero() -> None:
    assert precision([(0, 10)], [], margin_s=2) == 0.0


def test_keeping_everything_gives_full_recall_but_precision_equal_to_event_share() -> None:
    events = [(0, 10), (50, 60)]
    everything = [(0, 100)]
    assert recall(events, everything) == 1.0
    assert precision(events, everything, margin_s=0) == pytest.approx(0.2)


def test_replays_given_as_also_on_target_count_without_a_margin() -> None:
    events, replays = [(10, 20)], [(30, 35)]
    kept = [(10, 20), (30, 40)]
    assert precision(events, kept, margin_s=0) == pytest.approx(0.5)
    assert precision(events, kept, margin_s=0, also_on_target=replays) == pytest.approx(0.75)


def test_reel_capacity_counts_events_with_their_margins_that_fit_the_target() -> None:
    events = [(0, 5), (40, 45), (80, 85), (120, 125)]
    assert reel_capacity(events, target_s=30, margin_s=(5, 3)) == 2
    assert reel_capacity(events, target_s=600, margin_s=(5, 3)) == 4
    assert reel_capacity(events, target_s=5, margin_s=(5, 3)) == 1
    assert reel_capacity([], target_s=60, margin_s=1) == 0


def test_recall_out_of_capacity_scores_a_full_reel_fairly_and_never_above_one() -> None:
    events = [(0, 5), (40, 45), (80, 85), (120, 125)]
    kept = [(0, 5), (40, 45)]
    assert recall(events, kept) == pytest.approx(0.5)
    assert recall(events, kept, out_of=2) == pytest.approx(1.0)
    assert recall(events, [*kept, (80, 85)], out_of=2) == pytest.approx(1.0)
    assert recall(events, kept, out_of=3) == pytest.approx(2 / 3)
