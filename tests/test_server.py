"""The MCP front, driven through the SDK's own client: every tool, the resources, the prompt, errors.

Contract tests run against both backends (local engine, and cloud backend + the fake API);
media tests run on the local engine with generated footage.
"""

from __future__ import annotations

import http.server
import json
import os
import threading
from collections.abc import AsyncIterator, Iterator
from functools import partial
from pathlib import Path

import anyio
import av
import pytest
from cloud_fake import cloud_fake, make_cloud_backend  # noqa: F401 (fixture)
from footage.samples import synth_clip
from mcp.shared.exceptions import MCPDeprecationWarning
from mcp_harness import MEDIA_CACHE, ProgressLog, connect, text_of
from mcp_types import CreateMessageResult, TextContent

from mcp_highlight.backends.local import LocalBackend
from mcp_highlight.core.config import Settings

pytestmark = pytest.mark.anyio
SNAPSHOT = Path(__file__).parent / "snapshots" / "list_tools.json"


@pytest.fixture(scope="session")
def game_file() -> Path:
    path = MEDIA_CACHE / "server-game-640x360-40s.mp4"
    if not path.exists():
        synth_clip(path, duration_s=40, width=640, height=360, fps=30)
    return path


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / "home")


@pytest.fixture(params=["local", "cloud"])
async def client(request: pytest.FixtureRequest, settings: Settings, tmp_path: Path) -> AsyncIterator:
    if request.param == "local":
        backend = LocalBackend(settings)
    else:
        fake = request.getfixturevalue("cloud_fake")
        backend = make_cloud_backend(fake, tmp_path / "cloud-home")
    async with connect(backend, settings) as mcp_client:
        yield mcp_client


@pytest.fixture
async def local(settings: Settings) -> AsyncIterator:
    async with connect(LocalBackend(settings), settings) as mcp_client:
        yield mcp_client


# contract: both backends --------------------------------------------------------------------------
async def test_the_five_tools_are_listed_with_truthful_annotations(client) -> None:
    tools = {tool.name: tool for tool in (await client.list_tools()).tools}
    assert set(tools) == {"upload_video", "edit_timeline", "get_state", "get_credits", "export_video"}
    assert tools["get_state"].annotations.read_only_hint is True
    assert tools["get_credits"].annotations.read_only_hint is True
    assert tools["edit_timeline"].annotations.read_only_hint is False
    assert tools["export_video"].annotations.idempotent_hint is True
    assert all(tool.annotations.destructive_hint is False for tool in tools.values())
    assert all(tool.output_schema for tool in tools.values())


async def test_the_tool_list_matches_the_snapshot(local) -> None:
    listed = [
        {"name": t.name, "input": t.input_schema, "output": t.output_schema, "annotations": t.annotations.model_dump()}
        for t in sorted((await local.list_tools()).tools, key=lambda t: t.name)
    ]
    if os.environ.get("UPDATE_SNAPSHOTS"):  # after a deliberate schema change: review the diff, commit it
        SNAPSHOT.write_text(json.dumps(listed, indent=2, sort_keys=True) + "\n")
    assert json.loads(SNAPSHOT.read_text()) == json.loads(json.dumps(listed))


async def test_credits_have_the_same_shape_on_both_backends(client) -> None:
    result = await client.call_tool("get_credits", {})
    assert not result.is_error
    data = result.structured_content
    assert set(data) >= {"available", "frozen", "total", "metered", "message"}
    assert text_of(result)


async def test_an_unknown_session_is_a_specific_tool_error(client) -> None:
    for tool, args in [
        ("get_state", {"session_id": "ses_does_not_exist"}),
        ("export_video", {"session_id": "ses_does_not_exist"}),
        ("edit_timeline", {"session_id": "ses_does_not_exist", "instruction": "make it vertical"}),
    ]:
        result = await client.call_tool(tool, args)
        assert result.is_error, tool
        assert "session" in text_of(result).lower(), text_of(result)
        assert "Traceback" not in text_of(result)
        assert not text_of(result).startswith("Error executing tool")  # the message itself, nothing wrapped around


async def test_a_missing_file_and_a_wrong_format_are_refused_clearly(client, tmp_path: Path) -> None:
    missing = await client.call_tool("upload_video", {"path": str(tmp_path / "nope.mp4")})
    assert missing.is_error and "nope.mp4" in text_of(missing)
    notes = tmp_path / "notes.txt"
    notes.write_text("not a video")
    wrong = await client.call_tool("upload_video", {"path": str(notes)})
    assert wrong.is_error and "mp4" in text_of(wrong)


async def test_export_of_an_empty_draft_says_there_is_nothing_to_export(client, game_file: Path) -> None:
    uploaded = await client.call_tool("upload_video", {"path": str(game_file)})
    assert not uploaded.is_error, text_of(uploaded)
    sid = uploaded.structured_content["session_id"]
    result = await client.call_tool("export_video", {"session_id": sid})
    assert result.is_error and "nothing to export" in text_of(result).lower()


async def test_words_meaning_credits_or_status_are_routed_not_edited(client, game_file: Path) -> None:
    sid = (await client.call_tool("upload_video", {"path": str(game_file)})).structured_content["session_id"]
    credits = await client.call_tool("edit_timeline", {"session_id": sid, "instruction": "how many credits do I have?"})
    assert credits.structured_content["action"] == "credits"
    status = await client.call_tool("edit_timeline", {"session_id": sid, "instruction": "状态"})
    assert status.structured_content["action"] == "state"
    assert status.structured_content["state"]["summary"].startswith("Timeline (")


# local engine: media flows -----------------------------------------------------------------------
async def test_upload_edit_export_makes_a_reel_and_reports_progress(local, game_file: Path, settings: Settings) -> None:
    uploaded = await local.call_tool("upload_video", {"path": str(game_file)})
    sid = uploaded.structured_content["session_id"]
    assert uploaded.structured_content["media"]["kind"] == "video"
    progress = ProgressLog()
    edited = await local.call_tool(
        "edit_timeline",
        {"session_id": sid, "instruction": "pull the best moments into a 12 second reel", "title": "Derby Day"},
        progress_callback=progress,
    )
    assert not edited.is_error, text_of(edited)
    outcome = edited.structured_content
    assert outcome["action"] == "edit"
    assert outcome["edit"]["after"].startswith("Timeline (2 tracks): 1. Video:")
    assert '"Derby Day" (0-3s)' in outcome["edit"]["after"]
    assert any(change.startswith("Title: none ->") for change in outcome["edit"]["changes"])
    assert "Before:" in text_of(edited) and "After:" in text_of(edited)

    export_progress = ProgressLog()
    exported = await local.call_tool("export_video", {"session_id": sid}, progress_callback=export_progress)
    assert not exported.is_error, text_of(exported)
    data = exported.structured_content
    assert Path(data["path"]).is_file() and data["uri"].startswith("file://")
    assert Path(data["path"]).resolve().is_relative_to(settings.renders_dir.resolve())
    assert (data["width"], data["height"]) == (1920, 1080)
    assert abs(data["duration_s"] - 12) <= 1.0
    assert data["fps"] == 30 and "30 fps" in text_of(exported)  # the rate is stated in the result
    links = [block for block in exported.content if block.type == "resource_link"]
    assert links and links[0].uri == data["uri"]
    assert export_progress.events and export_progress.events[-1][0] <= 100
    with av.open(data["path"]) as container:
        assert container.streams.video[0].codec_context.name == "h264"
        assert container.streams.audio

    again = await local.call_tool("export_video", {"session_id": sid})
    assert again.structured_content["reused"] is True
    assert again.structured_content["path"] == data["path"]


async def test_undo_restores_the_previous_timeline(local, game_file: Path) -> None:
    sid = (await local.call_tool("upload_video", {"path": str(game_file)})).structured_content["session_id"]
    first = await local.call_tool("edit_timeline", {"session_id": sid, "target_s": "10s"})
    vertical = await local.call_tool("edit_timeline", {"session_id": sid, "instruction": "make it vertical for TikTok"})
    assert "Aspect: 16:9 -> 9:16" in vertical.structured_content["edit"]["changes"]
    undone = await local.call_tool("edit_timeline", {"session_id": sid, "instruction": "undo"})
    assert undone.structured_content["edit"]["draft"] == first.structured_content["edit"]["draft"]
    state = await local.call_tool("get_state", {"session_id": sid})
    assert state.structured_content["draft"] == first.structured_content["edit"]["draft"]


async def test_a_nonsense_instruction_says_what_it_can_do_and_changes_nothing(local, game_file: Path) -> None:
    sid = (await local.call_tool("upload_video", {"path": str(game_file)})).structured_content["session_id"]
    result = await local.call_tool("edit_timeline", {"session_id": sid, "instruction": "make it pop like crazy"})
    assert result.is_error
    assert "title" in text_of(result).lower() and "vertical" in text_of(result).lower()
    state = await local.call_tool("get_state", {"session_id": sid})
    assert state.structured_content["draft"]["t"] == []


async def test_with_sampling_the_clients_model_structures_what_the_rules_cannot(game_file: Path, settings) -> None:
    asked: list[str] = []

    async def sampling(context, params) -> CreateMessageResult:
        asked.append(params.messages[0].content.text)
        return CreateMessageResult(
            role="assistant", model="fake", content=TextContent(type="text", text='{"target_s": 8, "aspect": "1:1"}')
        )

    async with connect(LocalBackend(settings), settings, sampling_callback=sampling) as client:
        sid = (await client.call_tool("upload_video", {"path": str(game_file)})).structured_content["session_id"]
        result = await client.call_tool("edit_timeline", {"session_id": sid, "instruction": "jazz it up a bit"})
        assert not result.is_error, text_of(result)
        assert asked == ["jazz it up a bit"]
        assert "Aspect: none -> 1:1" in result.structured_content["edit"]["changes"]


async def test_the_timeline_resource_and_its_update_notifications(local, game_file: Path) -> None:
    sid = (await local.call_tool("upload_video", {"path": str(game_file)})).structured_content["session_id"]
    uri = f"highlight://sessions/{sid}/timeline"
    async with local.listen(resource_subscriptions=[uri]) as subscription:
        await local.call_tool("edit_timeline", {"session_id": sid, "target_s": "10s"})
        with anyio.fail_after(10):
            event = await subscription.__anext__()
        assert getattr(event, "uri", None) == uri
    contents = (await local.read_resource(uri)).contents
    payload = json.loads(contents[0].text)
    assert payload["summary"].startswith("Timeline (1 track): 1. Video:")
    assert payload["draft"]["t"][0]["tt"] == 0
    sessions = json.loads((await local.read_resource("highlight://sessions")).contents[0].text)
    assert sid in [s["session_id"] for s in sessions]


async def test_get_state_can_show_a_contact_sheet(local, game_file: Path) -> None:
    sid = (await local.call_tool("upload_video", {"path": str(game_file)})).structured_content["session_id"]
    await local.call_tool("edit_timeline", {"session_id": sid, "moments": 2})
    result = await local.call_tool("get_state", {"session_id": sid, "contact_sheet": True})
    images = [block for block in result.content if block.type == "image"]
    assert images and images[0].mime_type == "image/png" and len(images[0].data) > 1000


async def test_the_prompt_walks_from_a_file_to_an_export(local) -> None:
    prompt = await local.get_prompt("make_highlight_reel", {"path": "/v/game.mp4", "length": "3m", "title": "Derby"})
    text = prompt.messages[0].content.text
    assert "upload_video" in text and "export_video" in text and "3m" in text and "Derby" in text


async def test_an_upload_over_the_size_limit_is_refused(tmp_path: Path, game_file: Path) -> None:
    small = Settings(home=tmp_path / "home", max_bytes=1000)
    async with connect(LocalBackend(small), small) as client:
        result = await client.call_tool("upload_video", {"path": str(game_file)})
        assert result.is_error and "limit" in text_of(result)


@pytest.fixture
def file_server(game_file: Path) -> Iterator[str]:
    """Serves the media cache folder on 127.0.0.1 for URL uploads."""
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(game_file.parent))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


async def test_a_url_is_downloaded_with_progress_and_probed(local, file_server: str, game_file: Path) -> None:
    progress = ProgressLog()
    result = await local.call_tool(
        "upload_video", {"path": f"{file_server}/{game_file.name}"}, progress_callback=progress
    )
    assert not result.is_error, text_of(result)
    media = result.structured_content["media"]
    assert media["kind"] == "video" and media["size_bytes"] == game_file.stat().st_size
    assert Path(media["path"]).read_bytes() == game_file.read_bytes()
    missing = await local.call_tool("upload_video", {"path": f"{file_server}/absent.mp4"})
    assert missing.is_error and "404" in text_of(missing)


async def test_a_url_over_the_size_limit_is_refused_and_nothing_is_kept(
    tmp_path: Path, file_server: str, game_file: Path
) -> None:
    small = Settings(home=tmp_path / "home", max_bytes=10_000)
    async with connect(LocalBackend(small), small) as client:
        result = await client.call_tool("upload_video", {"path": f"{file_server}/{game_file.name}"})
        assert result.is_error and "limit" in text_of(result)
    assert [p for p in (small.home / "media").rglob("*") if p.is_file()] == []


async def test_cancelling_an_export_stops_the_render_and_leaves_no_file(local, game_file: Path, settings) -> None:
    sid = (await local.call_tool("upload_video", {"path": str(game_file)})).structured_content["session_id"]
    await local.call_tool("edit_timeline", {"session_id": sid, "target_s": "30s", "aspect": "9:16"})
    started = anyio.Event()

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        if progress > 0:
            started.set()

    with anyio.move_on_after(60) as scope:
        async with anyio.create_task_group() as group:

            async def export() -> None:
                await local.call_tool("export_video", {"session_id": sid}, progress_callback=on_progress)

            group.start_soon(export)
            await started.wait()
            group.cancel_scope.cancel()
    assert not scope.cancelled_caught, "the render never reported progress"
    with anyio.fail_after(30):
        while True:
            jobs = (await local.call_tool("get_state", {"session_id": sid})).structured_content["jobs"]
            if jobs and jobs[-1]["status"] != "running":
                break
            await anyio.sleep(0.2)
    assert jobs[-1]["status"] == "cancelled"
    assert list(settings.renders_dir.iterdir()) == []  # no reel, no partial file, no work folder


async def test_a_session_with_two_videos_can_reel_each_or_both(local, game_file: Path, tmp_path: Path) -> None:
    second = tmp_path / "second-half.mp4"
    second.write_bytes(game_file.read_bytes())
    sid = (await local.call_tool("upload_video", {"path": str(game_file)})).structured_content["session_id"]
    await local.call_tool("upload_video", {"path": str(second), "session_id": sid})
    both = await local.call_tool("edit_timeline", {"session_id": sid, "target_s": "20s"})
    names = {seg["m"]["name"] for seg in both.structured_content["edit"]["draft"]["t"][0]["sg"]}
    assert names == {game_file.name, "second-half.mp4"}
    only = await local.call_tool("edit_timeline", {"session_id": sid, "sources": ["second-half.mp4"]})
    assert not only.is_error, text_of(only)
    names = {seg["m"]["name"] for seg in only.structured_content["edit"]["draft"]["t"][0]["sg"]}
    assert names == {"second-half.mp4"}
    wrong = await local.call_tool("edit_timeline", {"session_id": sid, "sources": ["third.mp4"]})
    assert wrong.is_error and "third.mp4" in text_of(wrong)


async def test_the_cloud_flow_upload_edit_export_through_the_same_tools(
    cloud_fake,  # noqa: F811 (the fixture imported above)
    tmp_path: Path,
    game_file: Path,
) -> None:
    settings = Settings(home=tmp_path / "home")
    async with connect(make_cloud_backend(cloud_fake, tmp_path / "cloud-home"), settings) as client:
        sid = (await client.call_tool("upload_video", {"path": str(game_file)})).structured_content["session_id"]
        progress = ProgressLog()
        edited = await client.call_tool(
            "edit_timeline",
            {"session_id": sid, "instruction": "pull the best moments into a reel with the title 'Derby Day'"},
            progress_callback=progress,
        )
        assert not edited.is_error, text_of(edited)
        assert '"Derby Day"' in edited.structured_content["edit"]["after"]
        state = await client.call_tool("get_state", {"session_id": sid})
        assert state.structured_content["claim_url"].startswith("https://web.example/workspace/claim?ct=")
        exported = await client.call_tool("export_video", {"session_id": sid})
        assert not exported.is_error, text_of(exported)
        assert Path(exported.structured_content["path"]).is_file()
        assert exported.structured_content["claim_url"]
    sent = [r for r in cloud_fake.requests if r.path == "/run_sse"]
    assert len(sent) == 1 and "Derby Day" in sent[0].body.decode()


async def test_a_restarted_server_finds_its_sessions_and_reports_cut_off_renders(
    tmp_path: Path, game_file: Path
) -> None:
    settings = Settings(home=tmp_path / "home")
    async with connect(LocalBackend(settings), settings) as client:
        sid = (await client.call_tool("upload_video", {"path": str(game_file)})).structured_content["session_id"]
        edited = await client.call_tool("edit_timeline", {"session_id": sid, "target_s": "6s"})
    backend = LocalBackend(settings)
    backend.store.create_job(sid, "fingerprint-of-a-render-that-was-running")  # as if the process died mid-render
    await backend.aclose()
    async with connect(LocalBackend(settings), settings) as client:
        state = (await client.call_tool("get_state", {"session_id": sid})).structured_content
        assert state["draft"] == edited.structured_content["edit"]["draft"]
        assert state["jobs"][-1]["status"] == "interrupted"
        again = await client.call_tool("export_video", {"session_id": sid})
        assert not again.is_error, text_of(again)
        assert Path(again.structured_content["path"]).is_file()


async def test_an_uploaded_logo_goes_in_the_corner_asked_for(local, game_file: Path, tmp_path: Path) -> None:
    from PIL import Image

    logo = tmp_path / "club.png"
    Image.new("RGBA", (64, 64), (0, 0, 255, 255)).save(logo)
    sid = (await local.call_tool("upload_video", {"path": str(game_file)})).structured_content["session_id"]
    image = await local.call_tool("upload_video", {"path": str(logo), "session_id": sid})
    assert image.structured_content["media"]["kind"] == "image"
    result = await local.call_tool(
        "edit_timeline", {"session_id": sid, "instruction": "add my logo in the top left corner"}
    )
    assert not result.is_error, text_of(result)
    assert "Logo added: club.png, top-left" in text_of(result)


async def test_two_edits_at_once_both_land(local, game_file: Path) -> None:
    sid = (await local.call_tool("upload_video", {"path": str(game_file)})).structured_content["session_id"]
    await local.call_tool("edit_timeline", {"session_id": sid, "target_s": "10s"})
    async with anyio.create_task_group() as group:
        group.start_soon(local.call_tool, "edit_timeline", {"session_id": sid, "aspect": "9:16"})
        group.start_soon(local.call_tool, "edit_timeline", {"session_id": sid, "title": "Both"})
    summary = (await local.call_tool("get_state", {"session_id": sid})).structured_content
    assert summary["draft"]["m"]["aspect"] == "9:16"
    assert 'Title: "Both"' in summary["summary"]


async def test_a_2025_protocol_client_subscribed_to_the_timeline_is_notified(game_file: Path, settings) -> None:
    updated: list[str] = []

    async def on_message(message) -> None:
        if getattr(message, "method", None) == "notifications/resources/updated":
            updated.append(str(message.params.uri))

    async with connect(LocalBackend(settings), settings, mode="legacy", message_handler=on_message) as client:
        assert client.server_capabilities.resources.subscribe is True
        first = (await client.call_tool("upload_video", {"path": str(game_file)})).structured_content["session_id"]
        other = (await client.call_tool("upload_video", {"path": str(game_file)})).structured_content["session_id"]
        uri = f"highlight://sessions/{first}/timeline"
        with pytest.warns(MCPDeprecationWarning):  # deprecated in the 2026 protocol, still what 2025 clients send
            await client.subscribe_resource(uri)
        await client.call_tool("edit_timeline", {"session_id": other, "target_s": "5s"})
        await client.call_tool("edit_timeline", {"session_id": first, "target_s": "5s"})
        with anyio.fail_after(10):
            while not updated:
                await anyio.sleep(0.05)
        assert updated == [uri]  # the edit of a session nobody subscribed to sent nothing
