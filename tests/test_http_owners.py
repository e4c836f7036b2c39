"""Issue 16, rows 8 and 9 over HTTP with two tokens: a render is served only to the token whose session
made it, an `Mcp-Session-Id` works only with the token that opened it, and replies name files, never
server paths."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import httpx
import pytest
from footage.samples import synth_clip
from http_harness import http_client, serve_http
from mcp_harness import MEDIA_CACHE, text_of

from mcp_highlight.core.config import Settings

pytestmark = pytest.mark.anyio
ALICE, BOB = "token-alice-0123456789", "token-bob-0123456789"
INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "probe", "version": "1"}},
}


@pytest.fixture(scope="module")
def clip() -> Path:
    path = MEDIA_CACHE / "owners-clip-320x180-12s.mp4"
    if not path.exists():
        synth_clip(path, duration_s=12, width=320, height=180)
    return path


def headers(token: str, session: str | None = None) -> dict[str, str]:
    sent = {"Authorization": f"Bearer {token}", "Accept": "application/json, text/event-stream"}
    return sent | ({"Mcp-Session-Id": session} if session else {})


async def test_a_render_is_served_only_to_the_token_whose_session_made_it(tmp_path: Path, clip: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shutil.copy(clip, shared / "game.mp4")
    settings = Settings(home=tmp_path / "home", media_roots=str(shared))
    with serve_http(settings, token=f"{ALICE},{BOB}") as base:
        async with http_client(base, ALICE) as alice:
            sid = (await alice.call_tool("upload_video", {"path": str(shared / "game.mp4")})).structured_content[
                "session_id"
            ]
            await alice.call_tool("edit_timeline", {"session_id": sid, "target_s": 5})
            exported = await alice.call_tool("export_video", {"session_id": sid})
            assert not exported.is_error, text_of(exported)
        url = exported.structured_content["download_url"]
        assert httpx.get(url, headers=headers(ALICE)).status_code == 200
        assert httpx.get(url, headers=headers(BOB)).status_code == 404


def test_an_mcp_session_id_works_only_with_the_token_that_opened_it(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home")
    with serve_http(settings, token=f"{ALICE},{BOB}") as base:
        opened = httpx.post(f"{base}/mcp", json=INIT, headers=headers(ALICE))
        assert opened.status_code == 200, opened.text
        session = opened.headers["mcp-session-id"]
        listing = {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}
        assert httpx.post(f"{base}/mcp", json=listing, headers=headers(BOB, session)).status_code == 404
        assert httpx.delete(f"{base}/mcp", headers=headers(BOB, session)).status_code == 404
        done = {"jsonrpc": "2.0", "method": "notifications/initialized"}
        assert httpx.post(f"{base}/mcp", json=done, headers=headers(ALICE, session)).status_code == 202
        mine = httpx.post(f"{base}/mcp", json=listing, headers=headers(ALICE, session))
        assert mine.status_code == 200 and "export_video" in mine.text


async def test_http_replies_name_files_and_never_show_server_paths_or_disk_space(tmp_path: Path, clip: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shutil.copy(clip, shared / "game.mp4")
    settings = Settings(home=tmp_path / "home", media_roots=str(shared))
    with serve_http(settings) as base:
        async with http_client(base) as client:
            first = await client.call_tool("get_state", {})  # no sessions yet: the doctor's report
            uploaded = await client.call_tool("upload_video", {"path": str(shared / "game.mp4")})
            sid = uploaded.structured_content["session_id"]
            edited = await client.call_tool("edit_timeline", {"session_id": sid, "target_s": 5, "timelines": None})
            exported = await client.call_tool("export_video", {"session_id": sid, "timelines": ["otio"]})
            state = await client.call_tool("get_state", {"session_id": sid})
            listed = await client.read_resource("highlight://sessions")
    seen = [r.model_dump_json() for r in (first, uploaded, edited, exported, state)] + [listed.model_dump_json()]
    assert not exported.is_error and exported.structured_content["download_url"].startswith(base), text_of(exported)
    for text in seen:
        for leak in (str(tmp_path), str(Path.home()), sys.prefix, "file://", "GB free"):
            assert leak not in text, (leak, text[:2000])
    assert "reel-" in text_of(exported) and "game.mp4" in text_of(uploaded)
