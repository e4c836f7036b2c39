"""Bounded load test: N clients at once against a real `mcp-highlight serve --http` on 127.0.0.1.

Each client opens its own MCP session (bearer token), uploads a clip from the shared media folder,
reads the state, makes two edits, reads the state again and exports once. Prints latency
percentiles per tool and the error count. Loopback only; it stops by itself (--deadline), and
stops the server it started. Run as `scripts/load_test` (not a test).
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import anyio

ROOT = Path(__file__).resolve().parent.parent
MEDIA = ROOT / ".bench" / "load-media"
HOST = "127.0.0.1"  # never anything else: this is a load test of our own server


def machine() -> str:
    cpu = platform.processor()
    if Path("/proc/cpuinfo").exists():
        names = [ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines() if "model name" in ln]
        cpu = names[0] if names else cpu
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, load {os.getloadavg()[0]:.1f}"


def clip() -> Path:
    from footage.samples import synth_clip

    path = MEDIA / "load-clip-1920x1080-20s.mp4"
    if not path.exists():
        MEDIA.mkdir(parents=True, exist_ok=True)
        synth_clip(path, duration_s=20, width=1920, height=1080)
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start_server(home: Path, port: int, token: str, media_root: Path, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "MCP_HIGHLIGHT_HOME": str(home),
        "MCP_HIGHLIGHT_TOKEN": token,
        "MCP_HIGHLIGHT_MEDIA_ROOTS": str(media_root),
        "MCP_HIGHLIGHT_LOG_LEVEL": "warning",
    }
    cmd = [sys.executable, "-m", "mcp_highlight", "serve", "--http", "--host", HOST, "--port", str(port)]
    with log.open("wb") as out:
        server = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=out)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit(f"the server did not start; see {log}")


async def one_client(
    base: str, token: str, source: Path, latencies: dict[str, list[float]], errors: list[str], index: int
) -> None:
    import httpx2
    from mcp import Client
    from mcp.client.streamable_http import streamable_http_client

    async def call(tool: str, args: dict[str, object]) -> dict[str, object]:
        started = time.perf_counter()
        result = await client.call_tool(tool, args)
        latencies[tool].append(time.perf_counter() - started)
        if result.is_error:
            text = " ".join(getattr(block, "text", "") for block in result.content)
            errors.append(f"client {index} {tool}: {text[:200]}")
            raise RuntimeError(text)
        return result.structured_content or {}

    try:
        async with (
            httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=600) as http,
            Client(streamable_http_client(f"{base}/mcp", http_client=http)) as client,
        ):
            sid = (await call("upload_video", {"path": str(source)}))["session_id"]
            await call("get_state", {"session_id": sid})
            await call("edit_timeline", {"session_id": sid, "instruction": "a 6-second reel of the best moments"})
            await call("get_state", {"session_id": sid})
            await call("edit_timeline", {"session_id": sid, "target_s": "5s"})
            await call("get_state", {"session_id": sid})
            exported = await call("export_video", {"session_id": sid})
            if not Path(str(exported["path"])).is_file():
                errors.append(f"client {index}: the exported file is missing")
    except RuntimeError:
        pass  # already counted
    except Exception as exc:  # a transport failure counts as an error too
        errors.append(f"client {index}: {type(exc).__name__}: {exc}"[:200])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


async def run(clients: int, deadline_s: float) -> int:
    source_file = clip()
    token = secrets.token_urlsafe(24)
    with tempfile.TemporaryDirectory(prefix="mcp-highlight-load-") as tmp:
        port = free_port()
        server = start_server(Path(tmp) / "home", port, token, source_file.parent, Path(tmp) / "server.log")
        latencies: dict[str, list[float]] = defaultdict(list)
        errors: list[str] = []
        started = time.perf_counter()
        try:
            with anyio.move_on_after(deadline_s) as scope:
                async with anyio.create_task_group() as group:
                    for index in range(clients):
                        group.start_soon(one_client, f"http://{HOST}:{port}", token, source_file, latencies, errors, index)
            wall = time.perf_counter() - started
        finally:
            server.terminate()
            try:
                server.wait(15)
            except subprocess.TimeoutExpired:
                server.kill()
        if scope.cancelled_caught:
            errors.append(f"stopped at the {deadline_s:g} s deadline")
    print(f"Machine: {machine()}")
    print(f"{clients} clients at once, each: upload, 3x get_state, 2 edits, 1 export (1080p 20 s clip); wall {wall:.1f} s")
    print()
    print("| tool | calls | p50 s | p90 s | p99 s | max s |")
    print("|---|---|---|---|---|---|")
    for tool in ("upload_video", "get_state", "edit_timeline", "export_video"):
        values = latencies.get(tool, [])
        if values:
            print(
                f"| {tool} | {len(values)} | {statistics.median(values):.2f} | {percentile(values, 90):.2f} "
                f"| {percentile(values, 99):.2f} | {max(values):.2f} |"
            )
    print()
    print(f"Errors: {len(errors)}")
    for line in errors[:20]:
        print(f"  {line}")
    return 1 if errors else 0


def main() -> int:
    for name in ("httpx", "httpx2", "mcp"):
        logging.getLogger(name).setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--deadline", type=float, default=900.0, help="Stop everything after this many seconds.")
    args = parser.parse_args()
    return anyio.run(run, args.clients, args.deadline)


if __name__ == "__main__":
    raise SystemExit(main())
