"""The MCP front's own rules, in-process: progress values, annotations per backend, icons, path completions,
a setup report that is an error only when something is wrong, and the sign-in page offered by URL."""

from __future__ import annotations

from pathlib import Path

import pytest
from cloud_fake import CloudFake, cloud_fake, make_cloud_backend  # noqa: F401 (fixture)
from mcp_harness import connect, text_of
from mcp_types import ElicitRequestURLParams, ElicitResult, PromptReference, ResourceTemplateReference

from mcp_highlight.backends.local import LocalBackend
from mcp_highlight.core.config import Settings
from mcp_highlight.fronts.completions import path_candidates
from mcp_highlight.fronts.mcp_progress import TOTAL, IncreasingProgress
from mcp_highlight.fronts.tool_hints import HINTS, annotations_for

pytestmark = pytest.mark.anyio
TEMPLATE = ResourceTemplateReference(uri="highlight://sessions/{session_id}/timeline")


def test_progress_values_only_go_up_and_the_total_waits_for_the_end() -> None:
    values = IncreasingProgress()
    sent = [
        values.next(0.0, "Reading"),
        values.next(0.0, "Reading"),  # nothing new: nothing sent (no heartbeat)
        values.next(0.0, "Analysing"),  # a new message at the same fraction goes one step up
        values.next(0.5, "Rendering"),
        values.next(0.4, "Rendering"),  # backwards: dropped
        values.next(1.0, "Rendering"),  # the total is kept for the end
        values.last("Done"),
        values.last("Done"),
    ]
    assert sent == [0.0, None, 0.1, 50.0, None, TOTAL - 0.1, TOTAL, None]


async def test_annotations_follow_the_backend(tmp_path: Path, cloud_fake: CloudFake) -> None:  # noqa: F811
    settings = Settings(home=tmp_path / "home")
    async with connect(LocalBackend(settings), settings) as local:
        on_local = {t.name: t.annotations for t in (await local.list_tools()).tools}
    async with connect(make_cloud_backend(cloud_fake, tmp_path / "cloud"), settings) as cloud:
        on_cloud = {t.name: t.annotations for t in (await cloud.list_tools()).tools}
    assert set(on_local) == set(on_cloud) == set(HINTS)
    for name in ("edit_timeline", "export_video", "get_credits", "get_state"):
        assert on_local[name].open_world_hint is False and on_cloud[name].open_world_hint is True, name
    assert on_local["upload_video"].open_world_hint is True  # it fetches http(s) URLs on both
    for tools in (on_local, on_cloud):
        assert tools["get_state"].read_only_hint and tools["get_credits"].read_only_hint
        assert not any(hints.destructive_hint for hints in tools.values())
    assert annotations_for("export_video", "cloud").idempotent_hint is True


async def test_the_server_and_every_tool_have_an_icon(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home")
    async with connect(LocalBackend(settings), settings, mode="legacy") as client:
        tools = (await client.list_tools()).tools
        server = client.server_info
    assert server.icons and server.icons[0].mime_type == "image/svg+xml"
    assert all(tool.icons and tool.icons[0].src.startswith("data:image/svg+xml;base64,") for tool in tools)


def test_path_completion_offers_folders_and_videos_where_the_server_may_read(tmp_path: Path) -> None:
    (tmp_path / "Game day.mp4").write_bytes(b"")
    (tmp_path / "notes.txt").write_text("")
    (tmp_path / "games").mkdir()
    (tmp_path / "games" / "final.mkv").write_bytes(b"")
    (tmp_path / ".hidden.mp4").write_bytes(b"")
    local = Settings(home=tmp_path / "home")
    assert path_candidates(f"{tmp_path}/", local) == [
        f"{tmp_path}/Game day.mp4",
        f"{tmp_path}/games/",
    ]
    assert path_candidates("relative/", local) == []  # the server's working folder means nothing to the user
    remote = Settings(home=tmp_path / "home", media_roots=str(tmp_path / "games")).for_remote_clients()
    assert path_candidates(f"{tmp_path}/", remote) == []  # outside the shared folders: nothing is listed
    assert path_candidates(f"{tmp_path}/games/", remote) == [f"{tmp_path}/games/final.mkv"]  # inside: listed


async def test_the_prompt_completes_a_recordings_path(tmp_path: Path) -> None:
    (tmp_path / "final.mp4").write_bytes(b"")
    settings = Settings(home=tmp_path / "home")
    async with connect(LocalBackend(settings), settings) as client:
        found = await client.complete(
            PromptReference(name="make_highlight_reel"), {"name": "path", "value": f"{tmp_path}/fi"}
        )
    assert found.completion.values == [f"{tmp_path}/final.mp4"]


async def test_a_setup_report_with_a_failed_check_is_an_error_that_says_what_to_fix(tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    settings = Settings(home=tmp_path / "home", output_dir=blocked / "renders")
    async with connect(LocalBackend(Settings(home=tmp_path / "home")), settings) as client:
        result = await client.call_tool("get_state", {})
    assert result.is_error
    assert "FAIL" in text_of(result) and "MCP_HIGHLIGHT_OUTPUT_DIR" in text_of(result)


class PageOpener:
    def __init__(self) -> None:
        self.asked: list[ElicitRequestURLParams] = []

    async def __call__(self, context, params) -> ElicitResult:
        self.asked.append(params)
        return ElicitResult(action="accept")


@pytest.mark.parametrize("mode", ["legacy", "2026-07-28"])
async def test_out_of_credits_the_sign_in_page_is_offered_by_url_where_the_client_can(
    mode: str,
    tmp_path: Path,
    cloud_fake: CloudFake,  # noqa: F811
) -> None:
    from footage.samples import synth_clip
    from media_files import MEDIA_CACHE

    clip = MEDIA_CACHE / "front-clip-320x180-4s.mp4"
    if not clip.exists():
        synth_clip(clip, duration_s=4, width=320, height=180)
    cloud_fake.switches.credits_available = 0
    opener = PageOpener()
    settings = Settings(home=tmp_path / "home")
    backend = make_cloud_backend(cloud_fake, tmp_path / "cloud")
    async with connect(backend, settings, mode=mode, elicitation_callback=opener) as client:
        sid = (await client.call_tool("upload_video", {"path": str(clip)})).structured_content["session_id"]
        result = await client.call_tool("edit_timeline", {"session_id": sid, "instruction": "pull the best moments"})
    assert result.is_error and "credits are used up" in text_of(result)
    assert "https://web.example/register?bind=" in text_of(result)  # the link, whatever the client could do
    if mode == "legacy":
        assert len(opener.asked) == 1 and opener.asked[0].url.startswith("https://web.example/register?bind=")
        assert "was opened" in text_of(result)
    else:  # a 2026-07-28 tool call has no mid-call channel: the text carries the link
        assert opener.asked == []
    assert "nmv_" not in text_of(result) and all("nmv_" not in q.url for q in opener.asked)


async def test_over_http_completions_offer_only_the_callers_own_sessions(tmp_path: Path) -> None:
    import threading
    import time

    import httpx2
    import uvicorn
    from http_harness import free_port
    from mcp import Client
    from mcp.client.streamable_http import streamable_http_client

    from mcp_highlight.fronts.http_app import build_http_app
    from mcp_highlight.fronts.server import build_server
    from mcp_highlight.service.studio import Studio

    picture = tmp_path / "logo.png"
    from PIL import Image

    Image.new("RGB", (32, 32), (0, 0, 255)).save(picture)
    settings = Settings(home=tmp_path / "home", media_roots=str(tmp_path)).for_remote_clients()
    studio = Studio(LocalBackend(settings), settings)
    port = free_port()
    app = build_http_app(
        build_server(studio),
        renders_dir=settings.renders_dir,
        host="127.0.0.1",
        port=port,
        token="tok-a-0123456789,tok-b-0123456789",
    )
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    found: dict[str, list[str]] = {}
    try:
        sid = ""
        for token in ("tok-a-0123456789", "tok-b-0123456789"):
            async with (
                httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=60) as http,
                Client(streamable_http_client(f"http://127.0.0.1:{port}/mcp", http_client=http)) as client,
            ):
                if not sid:
                    sid = (await client.call_tool("upload_video", {"path": str(picture)})).structured_content[
                        "session_id"
                    ]
                done = await client.complete(TEMPLATE, {"name": "session_id", "value": sid[:3]})
                found[token] = done.completion.values
    finally:
        server.should_exit = True
        thread.join(10)
    assert sid in found["tok-a-0123456789"]
    assert found["tok-b-0123456789"] == []
