"""A usable video always gives a reel: calm footage with nothing reacting (a street scene, a training
session) gets its most active moments and a note saying so, through the engine, the CLI and MCP."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import av
import pytest
from footage.synth.calm import synth_calm
from mcp_harness import MEDIA_CACHE, connect, text_of

from mcp_highlight.backends.local import LocalBackend
from mcp_highlight.core.config import Settings
from mcp_highlight.engine.judge.analyse import analyse
from mcp_highlight.engine.judge.moments import QUIET_NOTE
from mcp_highlight.engine.media.probe import probe
from mcp_highlight.engine.plan.planner import PlanRequest, plan_reel

SCENES = ("street", "training")


@pytest.fixture(scope="module", params=SCENES)
def calm(request: pytest.FixtureRequest) -> Path:
    path = MEDIA_CACHE / f"calm-{request.param}-v1-90s.mp4"
    if not path.exists():
        tmp = path.with_name(f"tmp{os.getpid()}-{path.name}")
        synth_calm(tmp, scene=request.param, duration_s=90, seed=7)
        tmp.replace(path)
    return path


def test_calm_footage_gets_its_most_active_moments_and_a_note(calm: Path) -> None:
    analysis = analyse(probe(calm))
    assert max(analysis.score) < 0.1  # the premise: nothing in it reacts
    plan = plan_reel([analysis], PlanRequest(target_s=30))
    assert plan.note and plan.note.startswith(QUIET_NOTE)
    assert abs(sum(m.end_s - m.start_s for m in plan.moments) - 30) <= 1.5
    assert len(plan.moments) >= 3 and all("busiest" in m.why for m in plan.moments)
    activity = analysis.signals["activity"]
    w = analysis.window_s
    chosen = [activity[int(m.peak_s / w)] for m in plan.moments]
    assert min(chosen) > sorted(activity)[len(activity) // 2]  # busier than the footage's median


def test_a_game_with_reactions_gets_no_such_note(game_clip) -> None:
    path, _ = game_clip
    plan = plan_reel([analyse(probe(path))], PlanRequest(target_s=20))
    assert not (plan.note or "").startswith(QUIET_NOTE)
    assert not any("busiest" in m.why for m in plan.moments)


# The fronts render a reel each (the suite's dearest steps): one scene each is enough, the engine
# test above covers both.
@pytest.mark.parametrize("calm", ["training"], indirect=True)
def test_the_cli_writes_a_reel_of_calm_footage_and_prints_the_note(tmp_path: Path, calm: Path) -> None:
    out = tmp_path / "reel.mp4"
    env = {**os.environ, "MCP_HIGHLIGHT_HOME": str(tmp_path / "home")}
    done = subprocess.run(
        [sys.executable, "-m", "mcp_highlight", "reel", str(calm), "-d", "20s", "--json", "-o", str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert QUIET_NOTE in json.dumps(report)
    with av.open(str(out)) as container:
        assert container.streams.video and float(container.duration or 0) / 1e6 > 15


@pytest.mark.anyio
@pytest.mark.parametrize("calm", ["street"], indirect=True)
async def test_mcp_edits_and_exports_a_reel_of_calm_footage_with_the_note(tmp_path: Path, calm: Path) -> None:
    settings = Settings(home=tmp_path / "home")
    async with connect(LocalBackend(settings), settings) as client:
        uploaded = await client.call_tool("upload_video", {"path": str(calm)})
        sid = uploaded.structured_content["session_id"]
        edited = await client.call_tool("edit_timeline", {"session_id": sid, "instruction": "a 20 second reel"})
        assert not edited.is_error, text_of(edited)
        assert QUIET_NOTE in text_of(edited)
        exported = await client.call_tool("export_video", {"session_id": sid})
        assert not exported.is_error, text_of(exported)
        assert Path(exported.structured_content["path"]).is_file()
