"""Export options through every front: words (English and Chinese), the MCP tool's arguments, the CLI flags."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import av
import opentimelineio as otio
import pytest
from cloud_fake import cloud_fake, make_cloud_backend
from mcp_harness import connect, text_of
from wing_media import wing_play

from mcp_highlight.backends.local import LocalBackend
from mcp_highlight.backends.models import ExportRequest
from mcp_highlight.core.config import Settings
from mcp_highlight.core.errors import ImpossibleRequestError
from mcp_highlight.service.understanding import understand

pytestmark = pytest.mark.anyio
__all__ = ["cloud_fake"]  # the fake NemoVideo API fixture


@pytest.mark.parametrize(
    ("words", "steps", "edit", "export"),
    [
        ("export each moment as its own clip", ["export"], {}, {"clips": True}),
        ("把每个精彩片段单独导出成视频", ["export"], {}, {"clips": True}),
        ("export 16:9 and 9:16", ["export"], {}, {"aspects": ["16:9", "9:16"]}),
        ("导出横屏和竖屏两个版本", ["export"], {}, {"aspects": ["16:9", "9:16"]}),
        ("export a timeline for Final Cut Pro and an EDL for Premiere", ["export"], {}, {"timelines": ["fcpxml", "edl"]}),
        ("export it vertical", ["edit", "export"], {"aspect": "9:16"}, {}),  # one shape is an edit
        ("make it vertical and follow the action", ["edit"], {"aspect": "9:16", "fit": "follow"}, {}),
        ("竖屏，跟随主体", ["edit"], {"aspect": "9:16", "fit": "follow"}, {}),
        ("resolve the title", ["edit"], None, {}),  # 'resolve' alone is not DaVinci
    ],
)
def test_words_ask_for_export_options_and_the_follow_crop(words, steps, edit, export):
    understood = understand(words)
    assert understood.steps == steps
    if edit is not None:
        assert understood.request.given() == edit
        assert not understood.leftover
    assert understood.export.model_dump(exclude_defaults=True) == export


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / "home")


@pytest.fixture
async def local(settings: Settings) -> AsyncIterator:
    async with connect(LocalBackend(settings), settings) as mcp_client:
        yield mcp_client


async def test_export_video_writes_a_clip_pack_timelines_chapters_a_cover_and_another_shape(local, media_cache):
    source, _truth = wing_play(media_cache)
    sid = (await local.call_tool("upload_video", {"path": str(source)})).structured_content["session_id"]
    edited = await local.call_tool(
        "edit_timeline", {"session_id": sid, "moments": 2, "max_segment_s": 4, "min_segment_s": 2, "aspect": "9:16"}
    )
    assert not edited.is_error, text_of(edited)
    exported = await local.call_tool(
        "export_video", {"session_id": sid, "clips": True, "timelines": ["otio", "edl"], "aspects": ["1:1", "9:16"]}
    )
    assert not exported.is_error, text_of(exported)
    data = exported.structured_content
    assert (data["width"], data["height"]) == (1080, 1080)  # the first shape asked for, not the timeline's 9:16
    assert [(s["width"], s["height"]) for s in data["shapes"]] == [(1080, 1920)]
    assert len(data["clips"]) == 2
    assert sum(c["duration_s"] for c in data["clips"]) == pytest.approx(data["duration_s"], abs=0.1)
    links = {block.uri for block in exported.content if block.type == "resource_link"}
    assert {c["uri"] for c in data["clips"]} <= links and data["shapes"][0]["uri"] in links
    assert [Path(p).suffix for p in data["timelines"]] == [".otio", ".edl"]
    back = otio.adapters.read_from_file(data["timelines"][0])
    assert len(next(iter(back.tracks)).find_clips()) == 2
    assert Path(data["cover_path"]).suffix == ".jpg" and Path(data["chapters_path"]).is_file()
    assert data["chapters"].startswith("0:00 ") and data["chapters"].rstrip() in text_of(exported)
    plain = await local.call_tool("export_video", {"session_id": sid})
    assert not plain.is_error, text_of(plain)
    assert not plain.structured_content["reused"]  # the export with options was its own job
    assert plain.structured_content["path"] != data["path"] and Path(data["path"]).is_file()
    assert (plain.structured_content["width"], plain.structured_content["height"]) == (1080, 1920)
    again = await local.call_tool("export_video", {"session_id": sid})
    assert again.structured_content["reused"] and again.structured_content["chapters"]


async def test_words_export_each_moment_as_its_own_clip(local, media_cache):
    source, _truth = wing_play(media_cache)
    sid = (await local.call_tool("upload_video", {"path": str(source)})).structured_content["session_id"]
    await local.call_tool("edit_timeline", {"session_id": sid, "moments": 2, "max_segment_s": 3, "min_segment_s": 2})
    result = await local.call_tool(
        "edit_timeline", {"session_id": sid, "instruction": "export each moment as its own clip"}
    )
    assert not result.is_error, text_of(result)
    export = result.structured_content["export"]
    assert len(export["clips"]) == 2 and all(Path(c["path"]).is_file() for c in export["clips"])
    assert "2 clips:" in text_of(result)


def run(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    """The real command in its own process (its logging must not outlive a test's captured stderr)."""
    env = {**os.environ, "MCP_HIGHLIGHT_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "mcp_highlight", *args], capture_output=True, text=True, env=env, timeout=600
    )


def test_the_reel_command_writes_every_output_in_one_run(media_cache, tmp_path):
    source, _truth = wing_play(media_cache)
    out = tmp_path / "reel.mp4"
    done = run(
        "reel", str(source), "--moments", "2", "--max-clip", "3", "--min-clip", "2",
        "--aspect", "16:9,9:16", "--fit", "follow", "--clips", str(tmp_path / "clips"),
        "--timeline", str(tmp_path / "edit.fcpxml"), "-o", str(out), "--json", "-q",
        home=tmp_path / "home",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["output"] == str(out) and report["width"] == 1920
    assert report["shapes"] == [str(tmp_path / "reel-9x16.mp4")]
    with av.open(report["shapes"][0]) as container:
        assert (container.streams.video[0].width, container.streams.video[0].height) == (1080, 1920)
    assert [Path(p).parent for p in report["clips"]] == [tmp_path / "clips"] * 2
    assert report["timelines"] == [str(tmp_path / "edit.fcpxml")]
    assert (tmp_path / "reel.chapters.txt").read_text() == report["chapters"]
    assert (tmp_path / "reel.jpg").is_file()


def test_a_bad_shape_list_is_a_clear_error_with_exit_code_2(media_cache, tmp_path):
    source, _truth = wing_play(media_cache)
    done = run("reel", str(source), "--aspect", "16:9,4:3", "-o", str(tmp_path / "x.mp4"), "-q", home=tmp_path / "h")
    assert done.returncode == 2
    assert "--aspect '16:9,4:3'" in done.stderr
    assert not (tmp_path / "x.mp4").exists()


async def test_the_cloud_backend_refuses_export_options_before_charging_anything(cloud_fake, tmp_path):
    backend = make_cloud_backend(cloud_fake, tmp_path)
    session_id = await backend.create_session()
    cloud_fake.sessions[session_id].draft = {"t": [{"tt": 0, "m": {"name": "game"}, "sg": [{"d": 2000, "m": {}}]}]}
    with pytest.raises(ImpossibleRequestError, match="local engine") as caught:
        await backend.export(session_id, progress=lambda f, m: None, request=ExportRequest(clips=True))
    await backend.aclose()
    assert "MCP_HIGHLIGHT_BACKEND=local" in (caught.value.hint or "")
    assert not cloud_fake.calls("/api/render/proxy/lambda", "POST")  # no render was submitted
