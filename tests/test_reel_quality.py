"""The product's promise on a game with known highlights: the reel holds the events and little else.

Decoys are built in: a loud horn over calm play (what a loudness cutter keeps) and fast play with a
flat crowd. The reel is planned the way every front plans it (analyse -> plan).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from footage.quality import precision, recall
from footage.samples import GroundTruth

from mcp_highlight.engine.judge.analyse import analyse
from mcp_highlight.engine.media.probe import probe
from mcp_highlight.engine.plan.planner import PlanRequest, plan_reel


def spans(plan) -> list[tuple[float, float]]:
    return [(m.start_s, m.end_s) for m in plan.moments]


def overlap(a: tuple[float, float], b: tuple[float, float]) -> float:
    return max(0.0, min(a[1], b[1]) - max(a[0], b[0]))


@pytest.mark.parametrize("target_s", [20.0, 40.0])
def test_the_reel_holds_every_event_and_skips_the_decoys(game_clip: tuple[Path, GroundTruth], target_s: float) -> None:
    path, truth = game_clip
    request = PlanRequest(target_s=target_s)
    plan = plan_reel([analyse(probe(path))], request)
    kept = spans(plan)
    assert abs(plan.total_s - target_s) <= 0.05 * target_s
    assert recall(truth.events, kept) >= 0.9
    margin = (request.lead_in_s, request.reaction_s)
    assert precision(truth.events, kept, margin, also_on_target=truth.replays) >= 0.7
    for decoy in [*truth.loud_only, *truth.motion_only]:
        assert sum(overlap(decoy, span) for span in kept) <= 0.25 * (decoy[1] - decoy[0]), decoy


def test_top_n_picks_the_events_first(game_clip: tuple[Path, GroundTruth]) -> None:
    path, truth = game_clip
    plan = plan_reel([analyse(probe(path))], PlanRequest(moments=len(truth.events)))
    assert recall(truth.events, spans(plan)) == 1.0
