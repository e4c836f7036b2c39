"""Issue 16, rows 13 and 14: absurd numbers and huge ids get a specific refusal over stdio, and the
restart sweep finds what a killed clip pack left behind."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from footage.samples import synth_clip
from http_harness import stdio_client
from mcp_harness import MEDIA_CACHE, text_of

from mcp_highlight.backends.local import LocalBackend
from mcp_highlight.core.config import Settings
from mcp_highlight.engine.media import scratch

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def clip() -> Path:
    path = MEDIA_CACHE / "careless-clip-320x180-12s.mp4"
    if not path.exists():
        synth_clip(path, duration_s=12, width=320, height=180)
    return path


async def test_absurd_numbers_and_a_megabyte_id_are_refused_briefly_over_stdio(tmp_path: Path, clip: Path) -> None:
    async with stdio_client(tmp_path / "home") as client:
        sid = (await client.call_tool("upload_video", {"path": str(clip)})).structured_content["session_id"]
        made = await client.call_tool("edit_timeline", {"session_id": sid, "target_s": 6})
        assert not made.is_error, text_of(made)
        for field in ("scale_length", "title_start_s", "music_volume_scale"):
            refused = await client.call_tool("edit_timeline", {"session_id": sid, field: 1e308})
            assert refused.is_error and field in text_of(refused), text_of(refused)
            assert "unexpectedly" not in text_of(refused) and "Overflow" not in text_of(refused)
        huge = "s" * 1_000_000
        refused = await client.call_tool("get_state", {"session_id": huge})
        assert refused.is_error and len(text_of(refused)) < 1000, len(text_of(refused))
        state = await client.call_tool("get_state", {"session_id": sid})
        assert not state.is_error and state.structured_content["draft"] == made.structured_content["edit"]["draft"]


def test_the_restart_sweep_removes_a_killed_clip_packs_partial_piece(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home")
    pack = settings.renders_dir / "reel-0a1b2c3d-f00-clips"
    pack.mkdir(parents=True)
    finished = pack / "01-game-00m02s.mp4"
    finished.write_bytes(b"a finished piece")
    left = scratch.partial_path(pack / "02-game-01m19s.mp4")  # the name the pack writes a piece under
    left.write_bytes(b"half a piece")
    old = time.time() - 3600
    os.utime(left, (old, old))
    backend = LocalBackend(settings)
    try:
        assert not left.exists() and finished.exists()
    finally:
        backend.store.close()
