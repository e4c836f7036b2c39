"""MCP tool-call latency: a call that does no media work, and the whole upload -> edit -> export flow.

Run as `scripts/bench_mcp` (not a test). Everything runs in one process through the SDK's in-process
client, against the local backend with a fresh data directory. Baselines in the same run:
`tools/list` (the protocol's own floor) for get_state, and the engine called directly
(probe -> analyse -> plan -> render, no MCP, no sessions) for the full flow.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import anyio

ROOT = Path(__file__).resolve().parent.parent
MEDIA = ROOT / ".bench" / "mcp-media"  # not .bench/media: scripts/bench prunes what it did not make there


def machine() -> str:
    cpu = (
        next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            ),
            platform.processor(),
        )
        if Path("/proc/cpuinfo").exists()
        else ""
    )
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, load {os.getloadavg()[0]:.1f}"


def game(minutes: float) -> Path:
    from footage.samples import synth_game

    path = MEDIA / f"mcpbench-game-{minutes:g}m-1920x1080.mp4"
    if not path.exists():
        print(f"generating a {minutes:g}-minute 1080p game (once, cached in .bench/mcp-media) ...", file=sys.stderr)
        MEDIA.mkdir(parents=True, exist_ok=True)
        synth_game(path, duration_s=minutes * 60, width=1920, height=1080, fps=30)
    return path


async def tool_calls(source: Path, target: str, calls: int) -> dict[str, float]:
    from mcp import Client

    from mcp_highlight.backends.local import LocalBackend
    from mcp_highlight.core.config import Settings
    from mcp_highlight.fronts.server import build_server
    from mcp_highlight.service.studio import Studio

    with tempfile.TemporaryDirectory() as home:
        settings = Settings(home=Path(home))
        studio = Studio(LocalBackend(settings), settings)
        out: dict[str, float] = {}
        async with Client(build_server(studio)) as client:
            t0 = time.perf_counter()
            uploaded = await client.call_tool("upload_video", {"path": str(source)})
            sid = uploaded.structured_content["session_id"]
            t1 = time.perf_counter()
            edited = await client.call_tool("edit_timeline", {"session_id": sid, "target_s": target})
            assert not edited.is_error, edited.content
            t2 = time.perf_counter()
            exported = await client.call_tool("export_video", {"session_id": sid})
            assert not exported.is_error, exported.content
            t3 = time.perf_counter()
            out.update(upload=t1 - t0, edit=t2 - t1, export=t3 - t2, flow=t3 - t0)
            out["fast_path"] = float(bool(exported.structured_content.get("fast_path")))
            state, listing = [], []
            for _ in range(calls):
                a = time.perf_counter()
                await client.call_tool("get_state", {"session_id": sid})
                b = time.perf_counter()
                await client.list_tools()
                c = time.perf_counter()
                state.append(b - a)
                listing.append(c - b)
            out["get_state"] = statistics.median(state)
            out["list_tools"] = statistics.median(listing)
            again0 = time.perf_counter()
            await client.call_tool("export_video", {"session_id": sid})
            out["export_again"] = time.perf_counter() - again0
        await studio.aclose()
    return out


def engine_direct(source: Path, target_s: float) -> float:
    from mcp_highlight.engine.judge.analyse import analyse
    from mcp_highlight.engine.media.probe import probe
    from mcp_highlight.engine.plan.planner import PlanRequest, plan_reel
    from mcp_highlight.engine.render.reel import render
    from mcp_highlight.engine.render.spec import RenderSpec

    with tempfile.TemporaryDirectory() as folder:
        t0 = time.perf_counter()
        analysis = analyse(probe(source), cache_dir=None)
        plan = plan_reel([analysis], PlanRequest(target_s=target_s))
        render(RenderSpec(clips=plan.clips(), output=Path(folder) / "reel.mp4"))
        return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="length of the generated 1080p game")
    parser.add_argument("--target", default="3m", help="reel length asked for")
    parser.add_argument("--calls", type=int, default=50, help="get_state calls to take the median of")
    args = parser.parse_args()
    os.environ.setdefault("MCP_HIGHLIGHT_LOG_LEVEL", "warning")
    from mcp_highlight.core.durations import parse_duration
    from mcp_highlight.engine.media.probe import probe

    source = game(args.minutes)
    info = probe(source)
    mcp = anyio.run(tool_calls, source, args.target, args.calls)
    direct = engine_direct(source, parse_duration(args.target))
    rows = [
        ("get_state (no media work)", mcp["get_state"] * 1000, "ms", "tools/list", mcp["list_tools"] * 1000),
        ("upload_video (probe)", mcp["upload"] * 1000, "ms", "", None),
        ("edit_timeline (analyse+plan)", mcp["edit"], "s", "", None),
        ("export_video (render)", mcp["export"], "s", "", None),
        ("upload -> edit -> export", mcp["flow"], "s", "engine direct", direct),
        ("export again (unchanged)", mcp["export_again"] * 1000, "ms", "", None),
    ]
    print(f"machine: {machine()}")
    print(
        f"input:   {source.name}: {info.describe()}, {(info.bit_rate or 0) / 1e6:.1f} Mb/s; reel {args.target}, "
        f"fast path {'yes' if mcp['fast_path'] else 'no'}"
    )
    print(f"{'call':<30} {'time':>10}  {'baseline':<14} {'baseline time':>13} {'ratio':>7}")
    for name, value, unit, base_name, base in rows:
        ratio = f"{value / base:6.2f}x" if base else ""
        base_text = f"{base:10.2f} {unit}" if base is not None else ""
        print(f"{name:<30} {value:8.2f} {unit:<2} {base_name:<14} {base_text:>13} {ratio:>7}")


if __name__ == "__main__":
    main()
