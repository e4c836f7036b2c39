"""`scripts/bench --cluster`: N clients (20) run upload -> edit -> export at once, in embedded mode and on a
loopback cluster (throwaway PostgreSQL, haproxy, 2 replicas, workers), in one call.

Runs, each on a fresh home and database: embedded (one `serve --http`); cluster with 2 workers; cluster
with 1 worker; cluster with 2 workers where one worker is killed -9 mid-render and one more client cancels
its export. Prints the machine, the input, wall times and throughput ratios against the embedded run, and
the checks of the kill run (all reels valid, the killed job done elsewhere within 60 s, no job completed
twice, nothing left queued or running, the cancel stopped the render within 5 s, progress always rose).
Loopback only; bounded by --deadline. Not a test: numbers go in the README.
"""

from __future__ import annotations

import argparse
import itertools
import logging
import os
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import anyio
import av

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from cluster_harness import Cluster, new_database, running_cluster, start_haproxy  # noqa: E402
from http_harness import http_client  # noqa: E402
from load_test import machine  # noqa: E402
from throwaway_postgres import throwaway_postgres  # noqa: E402

MEDIA = ROOT / ".bench" / "cluster-media"
REEL_S = "4s"


def clip() -> Path:
    from footage.samples import synth_clip

    path = MEDIA / "cluster-clip-640x360-16s.mp4"
    if not path.exists():
        MEDIA.mkdir(parents=True, exist_ok=True)
        synth_clip(path, duration_s=16, width=640, height=360)
    return path


def valid_reel(path: Path) -> bool:
    """Over HTTP a result names its file only; the reel is in the shared home's renders folder."""
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        return (video.codec_context.name, video.codec_context.width, video.codec_context.height) == ("h264", 1920, 1080)


async def one_client(base: str, source: Path, index: int, progress: list[float]) -> dict[str, Any]:
    async with http_client(base) as client:
        uploaded = await client.call_tool("upload_video", {"path": str(source)})
        sid = uploaded.structured_content["session_id"]
        await client.call_tool("edit_timeline", {"session_id": sid, "target_s": REEL_S, "title": f"Game {index}"})

        async def on_progress(value: float, total: float | None, message: str | None) -> None:
            progress.append(value)

        exported = await client.call_tool("export_video", {"session_id": sid}, progress_callback=on_progress)
        if exported.is_error:
            raise RuntimeError(str(exported.content[0])[:300])
        return exported.structured_content


async def clients(
    base: str, source: Path, count: int, chaos: Any = None
) -> tuple[float, dict[int, Any], dict[int, list[float]]]:
    results: dict[int, Any] = {}
    progress: dict[int, list[float]] = {i: [] for i in range(count)}

    async def run(index: int) -> None:
        results[index] = await one_client(base, source, index, progress[index])

    started = time.perf_counter()
    async with anyio.create_task_group() as group:
        for index in range(count):
            group.start_soon(run, index)
        if chaos is not None:
            group.start_soon(chaos)
    return time.perf_counter() - started, results, progress


async def kill_a_worker(cluster: Cluster, killed: dict[str, Any]) -> None:
    while not (
        rows := cluster.query(
            "SELECT id, worker FROM jobs WHERE kind='render' AND status='running' AND progress >= 0.2 LIMIT 1"
        )
    ):
        await anyio.sleep(0.1)
    job, worker = rows[0]
    pid = int(str(worker).rsplit(":", 1)[1])
    os.kill(pid, signal.SIGKILL)
    killed.update(job=job, worker=worker, at=time.time())


async def cancel_one(base: str, source: Path, cluster: Cluster, outcome: dict[str, Any]) -> None:
    async with http_client(base) as client:
        sid = (await client.call_tool("upload_video", {"path": str(source)})).structured_content["session_id"]
        await client.call_tool("edit_timeline", {"session_id": sid, "target_s": "12s", "aspect": "9:16"})
        async with anyio.create_task_group() as group:
            group.start_soon(client.call_tool, "export_video", {"session_id": sid})
            while not (
                rows := cluster.query(
                    "SELECT id, queue_id FROM jobs WHERE session_id=%s AND kind='render' AND status='running' AND progress>0.05",
                    sid,
                )
            ):
                await anyio.sleep(0.1)
            group.cancel_scope.cancel()
    asked = time.monotonic()
    job, queue_id = rows[0]
    while time.monotonic() - asked < 30:
        if cluster.query("SELECT status FROM procrastinate_jobs WHERE id=%s", queue_id) == [("aborted",)]:
            break
        await anyio.sleep(0.05)
    outcome.update(
        seconds=time.monotonic() - asked, status=cluster.query("SELECT status FROM jobs WHERE id=%s", job)[0][0]
    )


def embedded_run(source: Path, count: int) -> float:
    with tempfile.TemporaryDirectory(prefix="bench-embedded-") as tmp:
        from cluster_harness import Cluster as _Cluster
        from cluster_harness import command, wait_for_port
        from http_harness import TOKEN, free_port

        home = Path(tmp) / "home"
        (home / "logs").mkdir(parents=True)
        env = {
            **os.environ,
            "MCP_HIGHLIGHT_HOME": str(home),
            "MCP_HIGHLIGHT_TOKEN": TOKEN,
            "MCP_HIGHLIGHT_MEDIA_ROOTS": str(source.parent),
            "MCP_HIGHLIGHT_LOG_LEVEL": "warning",
        }
        env.pop("MCP_HIGHLIGHT_DATABASE_URL", None)
        one = _Cluster("", home, env, home / "logs")
        port = free_port()
        one.replicas.append(one._spawn("embedded", command("serve", "--http", "--port", str(port))))
        wait_for_port(port)
        try:
            wall, results, _ = anyio.run(clients, f"http://127.0.0.1:{port}", source, count)
        finally:
            one.stop()
        assert len(results) == count and all(valid_reel(home / "renders" / r["path"]) for r in results.values())
        return wall


def cluster_run(server: str, source: Path, count: int, workers: int, chaos: bool, concurrency: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-cluster-") as tmp:
        home = Path(tmp) / "home"
        with running_cluster(
            new_database(server), home, source.parent, workers=workers, concurrency=concurrency
        ) as cluster:
            _, base, _ = start_haproxy(cluster)
            killed: dict[str, Any] = {}
            cancel: dict[str, Any] = {}

            async def go() -> tuple[float, dict[int, Any], dict[int, list[float]]]:
                if not chaos:
                    return await clients(base, source, count)

                async def mayhem() -> None:
                    async with anyio.create_task_group() as group:
                        group.start_soon(kill_a_worker, cluster, killed)
                        group.start_soon(cancel_one, base, source, cluster, cancel)

                return await clients(base, source, count, mayhem)

            wall, results, progress = anyio.run(go)
            report: dict[str, Any] = {"wall": wall, "results": results}
            if chaos:
                ((status, attempts, worker, done_at),) = cluster.query(
                    "SELECT status, attempts, worker, updated_at FROM jobs WHERE id=%s", killed["job"]
                )
                twice = cluster.query(
                    "SELECT job_id FROM procrastinate_events WHERE type='succeeded' GROUP BY job_id HAVING count(*) > 1"
                )
                report["checks"] = {
                    f"all {count} reels valid 1080p H.264": len(results) == count
                    and all(valid_reel(home / "renders" / r["path"]) for r in results.values()),
                    f"killed job finished on another worker ({done_at - killed['at']:.1f} s after the kill)": status
                    == "completed"
                    and attempts == 2
                    and worker != killed["worker"]
                    and done_at - killed["at"] <= 60,
                    "no job completed twice": twice == [],
                    f"cancel through haproxy stopped the render on a worker in {cancel['seconds']:.1f} s "
                    "(client closes its request -> the job aborted in Procrastinate; target 5 s)": cancel["status"]
                    == "cancelled"
                    and cancel["seconds"] <= 5,
                    "progress rose at every notification, for every client": all(
                        v and all(b > a for a, b in itertools.pairwise(v)) for v in progress.values()
                    ),
                    "nothing left queued or running": cluster.query(
                        "SELECT count(*) FROM procrastinate_jobs WHERE status IN ('todo','doing')"
                    )
                    == [(0,)],
                }
        codes = cluster.stop()
        report.setdefault("checks", {})["every process stopped cleanly"] = all(c in (0, -9, -15) for c in codes)
        return report


def main() -> int:
    for name in ("httpx", "httpx2", "mcp"):
        logging.getLogger(name).setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=1, help="Jobs at once per worker.")
    parser.add_argument("--runs", default="embedded,two,one,chaos", help="Which runs, comma-separated.")
    parser.add_argument("--deadline", type=float, default=2400.0, help="Give up after this many seconds.")
    args = parser.parse_args()
    signal.alarm(int(args.deadline))
    runs = set(args.runs.split(","))
    source = clip()
    print(f"Machine: {machine()}")
    print(
        f"Input: {args.clients} clients at once, each upload -> edit ({REEL_S} reel, title) -> export 1080p, "
        f"from {source.name}; cluster: haproxy, 2 replicas, workers with --concurrency {args.concurrency}"
    )
    walls: dict[str, float] = {}
    checks: dict[str, bool] = {}
    if "embedded" in runs:
        walls["embedded (1 process, in-process renders)"] = embedded_run(source, args.clients)
    with throwaway_postgres("postgres") as server:
        for key, label, workers, chaos in (
            ("two", "cluster, 2 workers", 2, False),
            ("one", "cluster, 1 worker", 1, False),
            ("chaos", "cluster, 2 workers, one killed -9 + a cancel", 2, True),
        ):
            if key in runs:
                report = cluster_run(server, source, args.clients, workers, chaos, args.concurrency)
                walls[label] = report["wall"]
                checks.update({f"({label}) {k}": v for k, v in report["checks"].items()})
    base = next(iter(walls.values()))
    print()
    print(f"| run | wall s | exports/min | time vs {next(iter(walls))} |")
    print("|---|---|---|---|")
    for name, wall in walls.items():
        print(f"| {name} | {wall:.1f} | {args.clients / wall * 60:.1f} | {wall / base:.2f}x |")
    print()
    for label, passed in checks.items():
        print(f"- [{'x' if passed else ' '}] {label}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
