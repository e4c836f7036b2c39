"""The real console script over stdio, and the HTTP transport with and without its token."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import httpx2
import pytest
from footage.samples import synth_clip
from http_harness import TOKEN, serving_studio
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp_harness import MEDIA_CACHE, text_of

from mcp_highlight.backends.local import LocalBackend
from mcp_highlight.core.config import Settings
from mcp_highlight.core.errors import BadInputError
from mcp_highlight.fronts.http_app import build_http_app
from mcp_highlight.fronts.server import build_server
from mcp_highlight.service.studio import Studio


@pytest.fixture(scope="module")
def clip() -> Path:
    path = MEDIA_CACHE / "transport-clip-320x180-20s.mp4"
    if not path.exists():
        synth_clip(path, duration_s=20, width=320, height=180)
    return path


@pytest.mark.anyio
async def test_the_console_script_serves_stdio_and_makes_a_reel(tmp_path: Path, clip: Path) -> None:
    script = Path(sys.executable).with_name("mcp-highlight")
    command = [str(script), "serve"] if script.exists() else [sys.executable, "-m", "mcp_highlight", "serve"]
    env = {**os.environ, "MCP_HIGHLIGHT_HOME": str(tmp_path / "home"), "MCP_HIGHLIGHT_LOG_LEVEL": "debug"}
    params = StdioServerParameters(command=command[0], args=command[1:], env=env)
    async with Client(params) as client:
        uploaded = await client.call_tool("upload_video", {"path": str(clip)})
        assert not uploaded.is_error, text_of(uploaded)
        sid = uploaded.structured_content["session_id"]
        edited = await client.call_tool("edit_timeline", {"session_id": sid, "target_s": "6s"})
        assert not edited.is_error, text_of(edited)
        exported = await client.call_tool("export_video", {"session_id": sid})
        assert not exported.is_error, text_of(exported)
        assert Path(exported.structured_content["path"]).is_file()
        assert abs(exported.structured_content["duration_s"] - 6) <= 1


@pytest.fixture
def http_server(tmp_path: Path) -> Iterator[tuple[str, Settings]]:
    settings = Settings(home=tmp_path / "home")
    with serving_studio(Studio(LocalBackend(settings), settings), any_render=True) as base:
        yield base, settings


def test_http_requests_without_the_right_token_get_401(http_server) -> None:
    base, settings = http_server
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
    headers = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
    assert httpx.post(f"{base}/mcp", json=body, headers=headers).status_code == 401
    wrong = {**headers, "Authorization": "Bearer nope"}
    assert httpx.post(f"{base}/mcp", json=body, headers=wrong).status_code == 401
    (settings.renders_dir / "reel.mp4").write_bytes(b"\x00" * 10)
    assert httpx.get(f"{base}/renders/reel.mp4").status_code == 401
    good = {"Authorization": f"Bearer {TOKEN}"}
    assert httpx.get(f"{base}/renders/reel.mp4", headers=good).content == b"\x00" * 10
    assert httpx.get(f"{base}/renders/..%2Fstate.sqlite3", headers=good).status_code == 404


def test_http_rejects_a_foreign_host_header(http_server) -> None:
    base, _ = http_server
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
    headers = {
        "Accept": "application/json, text/event-stream",
        "Authorization": f"Bearer {TOKEN}",
        "Host": "evil.example:80",
    }
    assert httpx.post(f"{base}/mcp", json=body, headers=headers).status_code in (403, 421)


@pytest.mark.anyio
async def test_http_with_the_token_serves_the_tools_and_the_reel(http_server, clip: Path) -> None:
    base, settings = http_server
    async with (
        httpx2.AsyncClient(headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30) as http,
        Client(streamable_http_client(f"{base}/mcp", http_client=http)) as client,
    ):
        names = {tool.name for tool in (await client.list_tools()).tools}
        assert "export_video" in names
        credits = await client.call_tool("get_credits", {})
        assert credits.structured_content["metered"] is False
        sid = (await client.call_tool("upload_video", {"path": str(clip)})).structured_content["session_id"]
        await client.call_tool("edit_timeline", {"session_id": sid, "target_s": "5s"})
        exported = (await client.call_tool("export_video", {"session_id": sid})).structured_content
    url = exported["download_url"]
    assert url.startswith(f"{base}/renders/")
    assert httpx.get(url).status_code == 401
    downloaded = httpx.get(url, headers={"Authorization": f"Bearer {TOKEN}"})
    assert "/" not in exported["path"]  # a remote client is told the file's name, never the server's folders
    assert downloaded.content == (settings.renders_dir / exported["path"]).read_bytes()


def test_binding_beyond_loopback_without_a_token_refuses_to_start(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home")
    studio = Studio(LocalBackend(settings), settings)
    with pytest.raises(BadInputError, match="MCP_HIGHLIGHT_TOKEN"):
        build_http_app(build_server(studio), renders_dir=settings.renders_dir, host="0.0.0.0", port=8765, token=None)
