"""Issue 16, row 7: exports wait in line for a fixed number of render slots and say their place; one
token's repeated uploads of the same content are kept once, and its downloads stay within a quota."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import anyio
import pytest
from footage.samples import synth_clip
from http_harness import http_client, media_host, serve_http
from mcp_harness import MEDIA_CACHE, text_of

from mcp_highlight.backends.local import LocalBackend, exporting
from mcp_highlight.backends.models import EditRequest
from mcp_highlight.core.config import Settings

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def clip() -> Path:
    path = MEDIA_CACHE / "queue-clip-320x180-12s.mp4"
    if not path.exists():
        synth_clip(path, duration_s=12, width=320, height=180)
    return path


async def test_three_exports_at_once_render_one_at_a_time_and_the_waiting_say_their_place(
    tmp_path: Path, clip: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend = LocalBackend(Settings(home=tmp_path / "home", max_renders=1))
    at_once, most = [0], [0]
    guard = threading.Lock()
    real = exporting.export_all

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        with guard:
            at_once[0] += 1
            most[0] = max(most[0], at_once[0])
        try:
            return real(*args, **kwargs)
        finally:
            with guard:
                at_once[0] -= 1

    monkeypatch.setattr("mcp_highlight.backends.local.render_job.export_all", counted)  # the render, wherever it runs
    try:
        sessions = []
        for length in (5, 6, 7):  # three different drafts: nothing to share between them
            sid = (await backend.upload(str(clip), session_id=None)).session_id
            await backend.edit(sid, None, EditRequest(target_s=length))
            sessions.append(sid)
        heard: dict[str, list[str]] = {sid: [] for sid in sessions}

        async def export(sid: str) -> None:
            await backend.export(sid, progress=lambda _f, message: heard[sid].append(message))

        async with anyio.create_task_group() as group:
            for sid in sessions:
                group.start_soon(export, sid)
    finally:
        await backend.aclose()
    assert most[0] == 1
    places = sorted({m for messages in heard.values() for m in messages if m.startswith("Waiting to render")})
    assert "Waiting to render: 2 ahead in line" in places and "Waiting to render: 1 ahead in line" in places


async def test_one_token_uploading_one_url_five_times_keeps_one_copy_within_its_quota(
    tmp_path: Path, clip: Path
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    size = clip.stat().st_size
    settings = Settings(
        home=tmp_path / "home", media_roots=str(shared), allow_networks="127.0.0.1/32", upload_quota_bytes=2 * size + 2000
    )
    with media_host(clip) as (media, _handler), serve_http(settings) as base:
        async with http_client(base) as client:
            for _ in range(5):
                done = await client.call_tool("upload_video", {"path": f"{media}/clip.mp4"})
                assert not done.is_error, text_of(done)
            other = await client.call_tool("upload_video", {"path": f"{media}/clip-padded-1.mp4"})
            assert not other.is_error, text_of(other)  # other bytes: a second copy, within the quota
            over = await client.call_tool("upload_video", {"path": f"{media}/clip-padded-2.mp4"})
    stored = [p for p in (settings.home / "media").rglob("*") if p.is_file()]
    assert len(stored) == 2, stored
    assert over.is_error and "MCP_HIGHLIGHT_UPLOAD_QUOTA" in text_of(over), text_of(over)
    shutil.rmtree(settings.home / "media")
