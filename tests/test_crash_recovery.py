"""kill -9 of the server mid-export: its ffmpeg dies with it, and the next start sweeps what it left."""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import anyio
import pytest
from footage.samples import synth_clip
from http_harness import TOKEN, free_port, http_client
from mcp_harness import MEDIA_CACHE, text_of

from mcp_highlight.backends.local import LocalBackend
from mcp_highlight.core.config import Settings
from mcp_highlight.engine.media import scratch


@pytest.fixture(scope="module")
def long_clip() -> Path:
    path = MEDIA_CACHE / "crash-clip-640x360-60s.mp4"
    if not path.exists():
        synth_clip(path, duration_s=60, width=640, height=360)
    return path


def _children(pid: int) -> dict[int, str]:
    """Live (non-zombie) child processes of `pid`: {pid: command name}."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                stat = (entry / "stat").read_text()
                name, rest = stat[stat.index("(") + 1 : stat.rindex(")")], stat[stat.rindex(")") + 2 :].split()
                if int(rest[1]) == pid and rest[0] != "Z":
                    found[int(entry.name)] = name
    return found


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2 :].split()[0] != "Z"


def _scratch_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".work-" in p.name or ".partial-" in p.name) if folder.exists() else []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc to find the server's ffmpeg")
@pytest.mark.anyio
async def test_kill_9_mid_export_leaves_no_ffmpeg_and_the_next_start_sweeps(tmp_path: Path, long_clip: Path) -> None:
    home = tmp_path / "home"
    port = free_port()
    env = {
        **os.environ,
        "MCP_HIGHLIGHT_HOME": str(home),
        "MCP_HIGHLIGHT_TOKEN": TOKEN,
        "MCP_HIGHLIGHT_MEDIA_ROOTS": str(long_clip.parent),
    }
    log = (tmp_path / "server.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "mcp_highlight", "serve", "--http", "--port", str(port)],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=log,
    )
    ffmpeg: dict[int, str] = {}
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            time.sleep(0.1)
        renders = Settings(home=home).renders_dir
        killed = False
        try:
            async with http_client(f"http://127.0.0.1:{port}") as client:
                uploaded = await client.call_tool("upload_video", {"path": str(long_clip)})
                assert not uploaded.is_error, text_of(uploaded)
                sid = uploaded.structured_content["session_id"]
                edited = await client.call_tool(
                    "edit_timeline", {"session_id": sid, "target_s": "40s", "aspect": "9:16", "fit": "blur"}
                )
                assert not edited.is_error, text_of(edited)
                async with anyio.create_task_group() as group:
                    group.start_soon(client.call_tool, "export_video", {"session_id": sid})
                    with anyio.fail_after(120):
                        while not (ffmpeg and _scratch_in(renders)):
                            ffmpeg = {p: n for p, n in _children(server.pid).items() if "ffmpeg" in n}
                            await anyio.sleep(0.05)
                    server.send_signal(signal.SIGKILL)
                    killed = True
                    server.wait(10)
                    group.cancel_scope.cancel()
        except Exception:
            if not killed:  # only the connection dying with the server is expected
                raise
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(10)
        log.close()
    assert ffmpeg, "no ffmpeg child was seen rendering"
    left = _scratch_in(renders)
    assert any(".work-" in name for name in left), "the kill should have left a work folder for the sweep"
    deadline = time.monotonic() + 5
    while any(_alive(pid) for pid in ffmpeg) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in ffmpeg), f"ffmpeg outlived its server: {ffmpeg}"

    restarted = LocalBackend(Settings(home=home))  # the next start
    try:
        assert _scratch_in(renders) == []
        assert [p.name for p in renders.iterdir()] == []
        assert restarted.store.interrupted == 1
    finally:
        await restarted.aclose()


def test_the_sweep_keeps_what_a_live_process_holds(tmp_path: Path) -> None:
    live = tmp_path / ".reel-a.work-0a0a"
    scratch.claim(live)
    (tmp_path / ".reel-a.partial-0a0a.mp4").write_bytes(b"live")
    dead = tmp_path / ".reel-b.work-0b0b"
    dead.mkdir()
    (dead / scratch.LOCK_NAME).touch()
    (tmp_path / ".reel-b.partial-0b0b.mp4").write_bytes(b"dead")
    fd = os.open(tmp_path / ".download-live", os.O_CREAT | os.O_WRONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    (tmp_path / ".download-dead").write_bytes(b"dead")
    (tmp_path / "reel-c.mp4").write_bytes(b"finished")
    try:
        removed = scratch.sweep(tmp_path)
        assert sorted(removed) == [".download-dead", ".reel-b.partial-0b0b.mp4", ".reel-b.work-0b0b"]
        assert sorted(p.name for p in tmp_path.iterdir()) == [
            ".download-live",
            ".reel-a.partial-0a0a.mp4",
            ".reel-a.work-0a0a",
            "reel-c.mp4",
        ]
    finally:
        os.close(fd)
        scratch.release(live)
    assert not live.exists()
