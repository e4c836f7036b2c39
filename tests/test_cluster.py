"""Cluster mode for real: PostgreSQL started by the test session, `mcp-highlight db upgrade`, two
`mcp-highlight worker`s and two `serve --http` replicas sharing one MCP_HIGHLIGHT_HOME, driven by MCP
clients over HTTP. Small on purpose (three clients, short reels) so CI can afford it; `scripts/bench
--cluster` runs the 20-client version of the same story.
"""

from __future__ import annotations

import itertools
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import anyio
import pytest
from cluster_harness import Cluster, cluster_clip, new_database, running_cluster
from http_harness import http_client
from mcp_harness import text_of
from reel_checks import assert_valid_reel

pytestmark = pytest.mark.anyio
CLIENTS = 3


@pytest.fixture(scope="module")
def clip() -> Path:
    return cluster_clip()


@pytest.fixture(scope="module")
def cluster(postgres_server: str, clip: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    home = tmp_path_factory.mktemp("cluster-home")
    with running_cluster(new_database(postgres_server), home, clip.parent) as running:
        yield running


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2 :].split()
            if int(fields[1]) == pid and fields[0] != "Z":
                found.append(int(entry.name))
    return found


async def _make_reel(cluster: Cluster, index: int, clip: Path, progress: list[float]) -> Any:
    """Upload on one replica, edit on the other (any replica answers from the database), export on the first."""
    first, second = cluster.bases[index % 2], cluster.bases[(index + 1) % 2]
    async with http_client(first) as one, http_client(second) as other:
        uploaded = await one.call_tool("upload_video", {"path": str(clip)})
        assert not uploaded.is_error, text_of(uploaded)
        sid = uploaded.structured_content["session_id"]
        edited = await other.call_tool("edit_timeline", {"session_id": sid, "target_s": "4s", "title": f"Reel {index}"})
        assert not edited.is_error, text_of(edited)

        async def on_progress(value: float, total: float | None, message: str | None) -> None:
            progress.append(value)

        exported = await one.call_tool("export_video", {"session_id": sid}, progress_callback=on_progress)
        assert not exported.is_error, text_of(exported)
        return exported.structured_content


async def _kill_a_rendering_worker(cluster: Cluster, killed: dict[str, Any]) -> None:
    """kill -9 the worker of the first render that is well under way; note which job, when, and its ffmpeg."""
    with anyio.fail_after(240):
        while True:
            rows = cluster.query(
                "SELECT id, worker FROM jobs WHERE kind = 'render' AND status = 'running' AND progress >= 0.1 LIMIT 1"
            )
            if rows:
                break
            await anyio.sleep(0.1)
    job_id, worker = rows[0]
    pid = int(str(worker).rsplit(":", 1)[1])
    (process,) = [w for w in cluster.workers if w.pid == pid]
    killed.update(job=job_id, worker=worker, children=_children(pid))
    process.send_signal(signal.SIGKILL)
    killed["at"] = time.time()
    process.wait(10)


async def test_clients_on_two_replicas_all_get_valid_reels_while_a_worker_is_killed_mid_render(
    cluster: Cluster, clip: Path
) -> None:
    progress: dict[int, list[float]] = {i: [] for i in range(CLIENTS)}
    results: dict[int, Any] = {}
    killed: dict[str, Any] = {}

    async def client(index: int) -> None:
        results[index] = await _make_reel(cluster, index, clip, progress[index])

    async with anyio.create_task_group() as group:
        for index in range(CLIENTS):
            group.start_soon(client, index)
        group.start_soon(_kill_a_rendering_worker, cluster, killed)

    assert sorted(results) == list(range(CLIENTS))
    for result in results.values():
        assert_valid_reel(
            # over HTTP a result names its file only; it is in the shared home's renders folder
            SimpleNamespace(path=cluster.home / "renders" / result["path"], width=result["width"], height=result["height"]), (1920, 1080)
        )
    for index, values in progress.items():
        assert values, f"client {index} saw no progress"
        assert all(b > a for a, b in itertools.pairwise(values)), f"client {index}: {values}"

    ((status, attempts, worker, finished_at),) = cluster.query(
        "SELECT status, attempts, worker, updated_at FROM jobs WHERE id = %s", killed["job"]
    )
    assert status == "completed" and attempts == 2, "the killed render ran again, once"
    assert worker != killed["worker"], "another worker finished it"
    # 60 s is the target (the bench reports it); here only a bound a loaded CI machine keeps
    assert finished_at - killed["at"] <= 240, f"{finished_at - killed['at']:.0f} s after the kill"
    assert not any(Path(f"/proc/{pid}").exists() and _children(pid) for pid in killed["children"])

    # no job completed twice, nothing left queued or running
    renders = cluster.query("SELECT id, queue_id, status FROM jobs WHERE kind = 'render'")
    assert len(renders) == CLIENTS and all(status == "completed" for _, _, status in renders)
    for _, queue_id, _ in renders:
        ((succeeded,),) = cluster.query(
            "SELECT count(*) FROM procrastinate_events WHERE job_id = %s AND type = 'succeeded'", queue_id
        )
        assert succeeded == 1
    assert cluster.query("SELECT count(*) FROM procrastinate_jobs WHERE status IN ('todo', 'doing')") == [(0,)]
    assert len({r["path"] for r in results.values()}) == CLIENTS


async def test_a_cancel_on_one_replica_stops_the_render_on_a_worker(cluster: Cluster, clip: Path) -> None:
    if not any(w.poll() is None for w in cluster.workers):
        cluster.start_worker()
    async with http_client(cluster.bases[0]) as client:
        sid = (await client.call_tool("upload_video", {"path": str(clip)})).structured_content["session_id"]
        edited = await client.call_tool("edit_timeline", {"session_id": sid, "target_s": "12s", "aspect": "9:16"})
        assert not edited.is_error, text_of(edited)
        async with anyio.create_task_group() as group:
            group.start_soon(client.call_tool, "export_video", {"session_id": sid})
            with anyio.fail_after(120):
                while not (
                    rows := cluster.query(
                        "SELECT id, queue_id, worker FROM jobs WHERE session_id = %s AND kind = 'render' "
                        "AND status = 'running' AND progress > 0.05",
                        sid,
                    )
                ):
                    await anyio.sleep(0.1)
            group.cancel_scope.cancel()
    cancelled_at = time.monotonic()
    job_id, queue_id, worker = rows[0]
    pid = int(str(worker).rsplit(":", 1)[1])
    while time.monotonic() - cancelled_at < 30:  # 5 s is the target; the bench measures it on a quiet machine
        ((status,),) = cluster.query("SELECT status FROM jobs WHERE id = %s", job_id)
        ((queued,),) = cluster.query("SELECT status FROM procrastinate_jobs WHERE id = %s", queue_id)
        if status == "cancelled" and queued == "aborted" and not _children(pid):
            break
        await anyio.sleep(0.1)
    assert (status, queued) == ("cancelled", "aborted"), "the worker should stop the render"
    assert not _children(pid), "the worker's ffmpeg should be gone"
