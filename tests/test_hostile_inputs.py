"""Issue 9: hostile and careless inputs, through the real transports (stdio, and HTTP with a token).

Each test is one row of the issue's table. Bounds are generous (a loaded 2-core machine); what they
catch is the old behaviour: calls that never return, or that hold everyone else for 40 s or more.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
import time
from pathlib import Path

import anyio
import httpx
import pytest
from footage.samples import synth_clip
from http_harness import TOKEN, http_client, media_server, serve_http, stdio_client
from mcp_harness import MEDIA_CACHE, text_of

from mcp_highlight.backends.local.store import Store
from mcp_highlight.core.config import Settings
from mcp_highlight.core.limits import MAX_INSTRUCTION_CHARS, MAX_TITLE_CHARS
from mcp_highlight.core.ownership import current_owner, owner_of_token
from mcp_highlight.core.source_policy import SourcePolicy, is_public

pytestmark = pytest.mark.anyio
LOOPBACK_ONLY = "127.0.0.1/32"


@pytest.fixture(scope="module")
def clip() -> Path:
    path = MEDIA_CACHE / "hostile-clip-320x180-20s.mp4"
    if not path.exists():
        synth_clip(path, duration_s=20, width=320, height=180)
    return path


@pytest.fixture
def shared(tmp_path: Path, clip: Path) -> Path:
    """The operator's media folder (MCP_HIGHLIGHT_MEDIA_ROOTS), holding one clip."""
    folder = tmp_path / "shared"
    folder.mkdir()
    shutil.copy(clip, folder / "game.mp4")
    return folder


def remote_settings(tmp_path: Path, shared: Path, **extra: object) -> Settings:
    return Settings(home=tmp_path / "home", media_roots=str(shared), **extra)


def leftovers(settings: Settings) -> list[str]:
    folder = settings.home / "media"
    return sorted(p.name for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


# 1 --------------------------------------------------------------------------------------------
async def test_a_huge_instruction_is_refused_at_once_naming_the_limit(tmp_path: Path, shared: Path) -> None:
    with serve_http(remote_settings(tmp_path, shared)) as base:
        async with http_client(base) as alice, http_client(base) as bob:
            sid = (await alice.call_tool("upload_video", {"path": str(shared / "game.mp4")})).structured_content[
                "session_id"
            ]
            huge = "pull the best moments into a 3-minute reel " * 9500  # ~400 KB
            with anyio.fail_after(20):  # before: 42 s of parsing
                edited, credits = await _both(
                    alice.call_tool("edit_timeline", {"session_id": sid, "instruction": huge}),
                    bob.call_tool("get_credits", {}),
                )
            assert edited.is_error and f"at most {MAX_INSTRUCTION_CHARS} characters" in text_of(edited)
            assert not credits.is_error
            state = await alice.call_tool("get_state", {"session_id": sid})
            assert state.structured_content["draft"] == (await alice.call_tool("get_state", {})).structured_content[
                "draft"
            ]


async def test_parsing_runs_off_the_event_loop_so_another_client_is_answered_meanwhile(
    tmp_path: Path, shared: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A slow parse (stood in for by a 3 s sleep) must not hold the server: get_credits answers first."""
    from mcp_highlight.service import understanding

    parsing = threading.Event()
    real = understanding.plan_route

    def slow_parse(*args: object, **kwargs: object) -> object:
        parsing.set()
        time.sleep(3)
        return real(*args, **kwargs)

    monkeypatch.setattr(understanding, "plan_route", slow_parse)
    with serve_http(remote_settings(tmp_path, shared)) as base:
        async with http_client(base) as alice, http_client(base) as bob:
            sid = (await alice.call_tool("upload_video", {"path": str(shared / "game.mp4")})).structured_content[
                "session_id"
            ]
            finished: list[str] = []
            with anyio.fail_after(60):
                async with anyio.create_task_group() as group:

                    async def edit() -> None:
                        await alice.call_tool("edit_timeline", {"session_id": sid, "instruction": "make it vertical"})
                        finished.append("edit")

                    group.start_soon(edit)
                    assert await anyio.to_thread.run_sync(parsing.wait, 30), "the instruction was never parsed"
                    await bob.call_tool("get_credits", {})
                    finished.append("credits")
    assert finished == ["credits", "edit"]


async def test_a_huge_instruction_over_stdio_is_refused_and_the_server_stays_responsive(tmp_path: Path) -> None:
    async with stdio_client(tmp_path / "home") as client:
        with anyio.fail_after(20):
            edited, credits = await _both(
                client.call_tool("edit_timeline", {"session_id": "ses_x", "instruction": "make it vertical " * 24000}),
                client.call_tool("get_credits", {}),
            )
        assert edited.is_error and f"at most {MAX_INSTRUCTION_CHARS} characters" in text_of(edited)
        assert not credits.is_error


# 2 --------------------------------------------------------------------------------------------
async def test_a_fifo_is_refused_at_once_over_http(tmp_path: Path, shared: Path) -> None:
    fifo = shared / "f.mp4"
    os.mkfifo(fifo)
    with serve_http(remote_settings(tmp_path, shared)) as base:
        async with http_client(base) as alice, http_client(base) as bob:
            with anyio.fail_after(20):  # before: never returned
                uploaded, credits = await _both(
                    alice.call_tool("upload_video", {"path": str(fifo)}), bob.call_tool("get_credits", {})
                )
    assert uploaded.is_error and "not a regular file" in text_of(uploaded)
    assert not credits.is_error


async def test_a_fifo_is_refused_at_once_over_stdio_as_upload_and_as_music(tmp_path: Path, clip: Path) -> None:
    fifo = tmp_path / "f.mp4"
    os.mkfifo(fifo)
    music = tmp_path / "song.mp3"
    os.mkfifo(music)
    async with stdio_client(tmp_path / "home") as client:
        with anyio.fail_after(30):
            uploaded = await client.call_tool("upload_video", {"path": str(fifo)})
            assert uploaded.is_error and "not a regular file" in text_of(uploaded)
            sid = (await client.call_tool("upload_video", {"path": str(clip)})).structured_content["session_id"]
            edited = await client.call_tool("edit_timeline", {"session_id": sid, "music": str(music)})
            assert edited.is_error and "not a regular file" in text_of(edited)
            assert not (await client.call_tool("get_credits", {})).is_error


# 4 --------------------------------------------------------------------------------------------
async def test_a_rejected_download_leaves_nothing_behind_over_stdio(tmp_path: Path, clip: Path) -> None:
    home = tmp_path / "home"
    with media_server(clip) as media:
        async with stdio_client(home, MCP_HIGHLIGHT_MAX_BYTES=str(2_000_000)) as client:
            for name in ("zeros-1500000.mp4", "zeros-24.mp4", "zeros-3000000.mp4"):
                result = await client.call_tool("upload_video", {"path": f"{media}/{name}"})
                assert result.is_error, name
                assert leftovers(Settings(home=home)) == [], name
            assert "limit" in text_of(result)


async def test_a_rejected_download_leaves_nothing_behind_over_http(tmp_path: Path, shared: Path, clip: Path) -> None:
    settings = remote_settings(tmp_path, shared, allow_networks=LOOPBACK_ONLY, max_bytes=2_000_000)
    with media_server(clip) as media, serve_http(settings) as base:
        async with http_client(base) as client:
            for name in ("zeros-1500000.mp4", "zeros-24.mp4", "zeros-3000000.mp4"):
                result = await client.call_tool("upload_video", {"path": f"{media}/{name}"})
                assert result.is_error and "Refused" not in text_of(result), text_of(result)
                assert leftovers(settings) == [], name


# 5 --------------------------------------------------------------------------------------------
async def test_http_refuses_urls_to_loopback_unless_the_operator_allows_that_network(
    tmp_path: Path, shared: Path, clip: Path
) -> None:
    with media_server(clip) as media:
        with serve_http(remote_settings(tmp_path / "a", shared)) as base:
            async with http_client(base) as client:
                refused = await client.call_tool("upload_video", {"path": f"{media}/clip.mp4"})
        assert refused.is_error and "Refused" in text_of(refused) and "MCP_HIGHLIGHT_ALLOW_NETWORKS" in text_of(refused)
        allowed = remote_settings(tmp_path / "b", shared, allow_networks=LOOPBACK_ONLY)
        with serve_http(allowed) as base:
            async with http_client(base) as client:
                fetched = await client.call_tool("upload_video", {"path": f"{media}/clip.mp4"})
                assert not fetched.is_error, text_of(fetched)
                # an allowed host that redirects to another loopback address: every hop is checked
                port = media.rsplit(":", 1)[1]
                hop = await client.call_tool("upload_video", {"path": f"{media}/to/http://127.0.0.2:{port}/clip.mp4"})
        assert hop.is_error and "Refused" in text_of(hop), text_of(hop)
        assert [n for n in leftovers(allowed) if n.startswith(".")] == []


def test_the_address_check_knows_every_non_public_range() -> None:
    import ipaddress

    for address in ("127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "224.0.0.1",
                    "0.0.0.0", "::1", "fe80::1", "fc00::1", "::ffff:127.0.0.1", "100.64.0.1", "ff02::1"):  # fmt: skip
        assert not is_public(ipaddress.ip_address(address)), address
    for address in ("93.184.216.34", "2606:4700::1111"):
        assert is_public(ipaddress.ip_address(address)), address
    with pytest.raises(Exception, match="Refused"):
        SourcePolicy(remote=True).check_url("http://localhost:1/x.mp4")
    SourcePolicy(remote=False).check_url("http://localhost:1/x.mp4")  # stdio: the user's own machine


# 6 --------------------------------------------------------------------------------------------
async def test_http_reads_local_paths_only_under_the_media_roots_with_one_message(
    tmp_path: Path, shared: Path, clip: Path
) -> None:
    (shared / "escape.mp4").symlink_to(clip)  # inside the root, pointing outside it
    (shared / "folder.mp4").mkdir()
    with serve_http(remote_settings(tmp_path, shared)) as base:
        async with http_client(base) as client:
            texts = set()
            for path in ("/root", "/etc/passwd", "/nowhere/x.mp4", str(clip), "../../etc/hosts", "game.mp4",
                         str(shared / "escape.mp4"), str(shared / "missing.mp4"), "/proc/self/environ"):  # fmt: skip
                result = await client.call_tool("upload_video", {"path": path})
                assert result.is_error, path
                texts.add(re.sub(r"'[^']*'", "<path>", text_of(result), count=1))  # the path, as given or cut to its name
            assert len(texts) == 1, texts
            assert "not exist or is outside the folders" in texts.pop()
            ok = await client.call_tool("upload_video", {"path": str(shared / "game.mp4")})
            assert not ok.is_error, text_of(ok)
            sid = ok.structured_content["session_id"]
            outside = await client.call_tool("edit_timeline", {"session_id": sid, "music": str(clip)})
            absent = await client.call_tool("edit_timeline", {"session_id": sid, "music": "/nowhere/song.mp3"})
            assert outside.is_error and absent.is_error
            assert re.sub(r"'[^']*'", "<path>", text_of(outside), count=1) == re.sub(
                r"'[^']*'", "<path>", text_of(absent), count=1
            )


# 7 and 10 -------------------------------------------------------------------------------------
def test_renders_get_the_host_and_origin_checks_and_bad_names_are_404(tmp_path: Path, shared: Path) -> None:
    settings = remote_settings(tmp_path, shared)
    settings.ensure_dirs()
    reset = current_owner.set(owner_of_token(TOKEN))
    try:
        store = Store(settings.database)
        sid = store.create_session()[-8:]
        store.close()
    finally:
        current_owner.reset(reset)
    (settings.renders_dir / f"reel-{sid}-abc.mp4").write_bytes(b"reel")
    (settings.renders_dir / "reel-abc.mp4").write_bytes(b"nobody's reel")
    (settings.renders_dir / ".reel-abc.partial-0a1b.mp4").write_bytes(b"partial")
    good = {"Authorization": f"Bearer {TOKEN}"}
    with serve_http(settings) as base:
        assert httpx.get(f"{base}/renders/reel-{sid}-abc.mp4", headers=good).content == b"reel"
        evil_host = httpx.get(f"{base}/renders/reel-{sid}-abc.mp4", headers={**good, "Host": "evil.com"})
        assert evil_host.status_code == 421
        evil_origin = httpx.get(f"{base}/renders/reel-{sid}-abc.mp4", headers={**good, "Origin": "http://evil.com"})
        assert evil_origin.status_code == 403
        for name in ("reel-abc.mp4", "%00.mp4", "reel-abc.mp4%00.png", ".reel-abc.partial-0a1b.mp4", "..%2fstate.sqlite3",
                     "%2e%2e%2fstate.sqlite3", "reel-abc.MP4", "..%5creel-abc.mp4", "reel-abc.mp4.txt"):  # fmt: skip
            assert httpx.get(f"{base}/renders/{name}", headers=good).status_code == 404, name


# 8 --------------------------------------------------------------------------------------------
async def test_a_drip_fed_download_stops_at_the_total_deadline(tmp_path: Path, shared: Path, clip: Path) -> None:
    settings = remote_settings(tmp_path, shared, allow_networks=LOOPBACK_ONLY, download_timeout_s=2)
    with media_server(clip) as media, serve_http(settings) as base:
        async with http_client(base) as alice, http_client(base) as bob:
            with anyio.fail_after(25):  # before: held for the whole two-minute drip
                uploaded, credits = await _both(
                    alice.call_tool("upload_video", {"path": f"{media}/drip.mp4"}), bob.call_tool("get_credits", {})
                )
    assert uploaded.is_error and "longer than the 2 s limit" in text_of(uploaded), text_of(uploaded)
    assert not credits.is_error
    assert leftovers(settings) == []


# 9 --------------------------------------------------------------------------------------------
async def test_two_exports_of_one_draft_at_once_render_once(tmp_path: Path, shared: Path) -> None:
    with serve_http(remote_settings(tmp_path, shared)) as base:
        async with http_client(base) as alice, http_client(base) as bob:
            sid = (await alice.call_tool("upload_video", {"path": str(shared / "game.mp4")})).structured_content[
                "session_id"
            ]
            edited = await alice.call_tool("edit_timeline", {"session_id": sid, "target_s": "8s", "aspect": "1:1"})
            assert not edited.is_error, text_of(edited)
            with anyio.fail_after(240):
                first, second = await _both(
                    alice.call_tool("export_video", {"session_id": sid}),
                    bob.call_tool("export_video", {"session_id": sid}),
                )
            assert not first.is_error and not second.is_error, (text_of(first), text_of(second))
            a, b = first.structured_content, second.structured_content
            assert a["path"] == b["path"] and sorted([a["reused"], b["reused"]]) == [False, True]
            jobs = (await alice.call_tool("get_state", {"session_id": sid})).structured_content["jobs"]
            assert [job["status"] for job in jobs] == ["completed"]


# 11 -------------------------------------------------------------------------------------------
async def test_a_cancelled_export_shows_a_readable_reason(tmp_path: Path, shared: Path) -> None:
    with serve_http(remote_settings(tmp_path, shared)) as base:
        async with http_client(base) as client:
            sid = (await client.call_tool("upload_video", {"path": str(shared / "game.mp4")})).structured_content[
                "session_id"
            ]
            await client.call_tool("edit_timeline", {"session_id": sid, "target_s": "15s", "aspect": "9:16"})
            started = anyio.Event()

            async def on_progress(progress: float, total: float | None, message: str | None) -> None:
                if progress > 0:
                    started.set()

            with anyio.move_on_after(120) as scope:
                async with anyio.create_task_group() as group:

                    async def export() -> None:
                        await client.call_tool("export_video", {"session_id": sid}, progress_callback=on_progress)

                    group.start_soon(export)
                    await started.wait()
                    group.cancel_scope.cancel()
            assert not scope.cancelled_caught, "the render never reported progress"
            with anyio.fail_after(60):
                while True:
                    state = await client.call_tool("get_state", {"session_id": sid})
                    jobs = state.structured_content["jobs"]
                    if jobs and jobs[-1]["status"] != "running":
                        break
                    await anyio.sleep(0.2)
    assert jobs[-1]["status"] == "cancelled"
    assert jobs[-1]["error"] == "Cancelled by the client."
    assert "<Task" not in text_of(state) and "site-packages" not in text_of(state)


# 12 and 13 ------------------------------------------------------------------------------------
async def test_impossible_clock_times_and_endless_titles_are_refused_over_both_transports(
    tmp_path: Path, shared: Path
) -> None:
    async def check(client) -> None:
        sid = (await client.call_tool("upload_video", {"path": str(shared / "game.mp4")})).structured_content[
            "session_id"
        ]
        before = (await client.call_tool("get_state", {"session_id": sid})).structured_content["draft"]
        clock = await client.call_tool("edit_timeline", {"session_id": sid, "target_s": "1:99:99"})
        assert clock.is_error and "go up to 59" in text_of(clock), text_of(clock)
        title = await client.call_tool("edit_timeline", {"session_id": sid, "title": "T" * 10_000})
        assert title.is_error and f"at most {MAX_TITLE_CHARS} characters" in text_of(title)
        assert len(text_of(title)) < 1000  # the title is not echoed back in full
        worded = await client.call_tool(
            "edit_timeline", {"session_id": sid, "instruction": f"add the title 'W{'o' * 300}w'"}
        )
        assert worded.is_error and len(text_of(worded)) < 1500  # refused, and not echoed in full
        endless = await client.call_tool("edit_timeline", {"session_id": sid, "instruction": "make a 9 hour reel"})
        assert endless.is_error and "4-hour limit" in text_of(endless), text_of(endless)
        after = (await client.call_tool("get_state", {"session_id": sid})).structured_content["draft"]
        assert after == before

    async with stdio_client(tmp_path / "stdio-home") as client:
        await check(client)
    with serve_http(remote_settings(tmp_path, shared)) as base:
        async with http_client(base) as client:
            await check(client)


# ownership ------------------------------------------------------------------------------------
async def test_with_two_tokens_each_sees_only_its_own_sessions(tmp_path: Path, shared: Path) -> None:
    with serve_http(remote_settings(tmp_path, shared), token="token-alice-0123456789,token-bob-0123456789") as base:
        async with http_client(base, "token-alice-0123456789") as alice, http_client(base, "token-bob-0123456789") as bob:
            sid = (await alice.call_tool("upload_video", {"path": str(shared / "game.mp4")})).structured_content[
                "session_id"
            ]
            mine = await alice.call_tool("get_state", {})
            assert not mine.is_error and mine.structured_content["session_id"] == sid
            nothing = await bob.call_tool("get_state", {})
            assert nothing.structured_content["session_id"] is None and "No sessions yet" in text_of(nothing)
            for tool, args in (("get_state", {"session_id": sid}), ("export_video", {"session_id": sid}),
                               ("edit_timeline", {"session_id": sid, "target_s": "5s"})):  # fmt: skip
                foreign = await bob.call_tool(tool, args)
                assert foreign.is_error and "no session" in text_of(foreign), tool
            listed = await bob.read_resource("highlight://sessions")
            assert listed.contents[0].text == "[]"
            assert sid in (await alice.read_resource("highlight://sessions")).contents[0].text
        assert httpx.get(f"{base}/renders/x.mp4", headers={"Authorization": "Bearer token-carol"}).status_code == 401


async def _both(first, second):  # type: ignore[no-untyped-def]
    """Run two calls at once; return both results in order."""
    results: list[object] = [None, None]

    async def run(index: int, call) -> None:  # type: ignore[no-untyped-def]
        results[index] = await call

    async with anyio.create_task_group() as group:
        group.start_soon(run, 0, first)
        group.start_soon(run, 1, second)
    return results[0], results[1]


def test_stored_failure_texts_keep_file_names_and_drop_paths_and_reprs() -> None:
    import asyncio

    from mcp_highlight.core.errors import HighlightError, public_text

    failed = HighlightError("FFmpeg failed (exit 1): /home/u/.local/share/mcp-highlight/renders/.reel-x.work-ab12/seg0.ts: bad")
    assert public_text(failed) == "FFmpeg failed (exit 1): seg0.ts: bad"
    cancelled = asyncio.CancelledError("Cancelled via cancel scope 7f by <Task pending name='Task-5' coro=<x() at /venv/a.py:1>>")
    assert public_text(cancelled) == "Cancelled by the client."
    assert public_text(KeyError("/etc/secret")) == "Failed unexpectedly (KeyError); the server log has the details."
