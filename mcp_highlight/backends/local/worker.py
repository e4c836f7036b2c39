"""`mcp-highlight worker`: runs the cluster's jobs (analyses, renders) from the Procrastinate queue.

Each job's progress goes to its row (and a NOTIFY), throttled; an abort from any replica cancels the
job's task, which stops the engine at its next progress call. A worker killed outright stops sending
heartbeats: any other worker sees its jobs stalled after `STALL_S` and puts them back on the queue.
That is safe because a render is idempotent on the draft's fingerprint (same input, same file, written
under a scratch name and renamed) and a job's row takes its outcome once (`Store.finish_job`).
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import anyio
import procrastinate

from mcp_highlight.backends.local import queue
from mcp_highlight.backends.local.database import libpq_url
from mcp_highlight.backends.local.render_job import RenderJob, analysis_of, render_export
from mcp_highlight.backends.local.store import Store
from mcp_highlight.backends.models import ExportResult, MediaItem
from mcp_highlight.core.config import Settings
from mcp_highlight.core.errors import OperationCancelledError, public_text
from mcp_highlight.core.logs import get_logger
from mcp_highlight.core.progress import ProgressFn
from mcp_highlight.core.workers import run_cancellable

log = get_logger(__name__)
HEARTBEAT_S = 2.0
STALL_S = 10.0
REAP_EVERY_S = 3.0
PROGRESS_EVERY_S = 0.5


@dataclass
class Runtime:
    settings: Settings
    store: Store
    name: str


class ProgressWriter:
    """The engine's progress callback on a worker: writes to the job's row when it moved enough."""

    def __init__(self, store: Store, job_id: str) -> None:
        self.store, self.job_id = store, job_id
        self.sent, self.sent_at = -1.0, 0.0

    def __call__(self, fraction: float, message: str) -> None:
        now = time.monotonic()
        if fraction - self.sent >= 0.01 or (fraction > self.sent and now - self.sent_at >= PROGRESS_EVERY_S):
            self.store.report_progress(self.job_id, fraction, message)
            self.sent, self.sent_at = fraction, now


async def _run(
    runtime: Runtime, job_id: str, work: Callable[[dict[str, Any], ProgressFn], ExportResult | None]
) -> None:
    row = await anyio.to_thread.run_sync(runtime.store.claim_job, job_id, runtime.name)
    if row is None:  # already ended (completed by an earlier attempt, or cancelled before it started)
        return
    log.info("job_started", job=job_id, kind=row["kind"], attempt=row["attempts"])
    try:
        result = await run_cancellable(lambda progress: work(row, progress), ProgressWriter(runtime.store, job_id))
    except (anyio.get_cancelled_exc_class(), OperationCancelledError):
        with anyio.CancelScope(shield=True):
            runtime.store.finish_job(job_id, "cancelled", error="Cancelled by the client.")
        log.info("job_cancelled", job=job_id)
        raise
    except Exception as exc:  # a failed render fails the same way again: record it, do not retry
        runtime.store.finish_job(job_id, "failed", error=public_text(exc)[:500])
        log.warning("job_failed", job=job_id, error=public_text(exc))
        return
    path, text = (result.path, result.model_dump_json()) if result is not None else (None, None)
    if runtime.store.finish_job(job_id, "completed", path=path, result=text):
        log.info("job_completed", job=job_id)


def _analyse_media(runtime: Runtime, payload: str, progress: ProgressFn) -> None:
    item = MediaItem.model_validate_json(payload)
    analysis_of(item, runtime.settings, progress)  # lands in the shared cache, where every process finds it
    runtime.store.update_media(item.model_copy(update={"analysed": True}))


def build_app(url: str) -> procrastinate.App:
    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=libpq_url(url)))

    @app.task(name="render", queue=queue.QUEUE, pass_context=True)
    async def render(context: procrastinate.JobContext, job_id: str) -> None:
        runtime: Runtime = context.additional_context["runtime"]

        def work(row: dict[str, Any], progress: ProgressFn) -> ExportResult:
            return render_export(RenderJob.model_validate_json(row["payload"]), job_id, runtime.settings, progress)

        await _run(runtime, job_id, work)

    @app.task(name="analyse", queue=queue.QUEUE, pass_context=True)
    async def analyse(context: procrastinate.JobContext, job_id: str) -> None:
        runtime: Runtime = context.additional_context["runtime"]
        await _run(runtime, job_id, lambda row, progress: _analyse_media(runtime, row["payload"], progress))

    return app


async def _reap_stalled(app: procrastinate.App) -> None:
    """Put back on the queue the jobs of workers that stopped sending heartbeats (killed, frozen, cut off)."""
    while True:
        await anyio.sleep(REAP_EVERY_S)
        try:
            for job in await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=STALL_S):
                log.warning("job_stalled_retrying", queue_id=job.id)
                await app.job_manager.retry_job(job)
        except Exception as exc:  # the database blinked: try again next round
            log.warning("reap_failed", error=public_text(exc))


async def run_worker(settings: Settings, concurrency: int = 1) -> None:
    assert settings.database_url is not None
    url = settings.database_url.get_secret_value()
    settings.ensure_dirs()
    runtime = Runtime(settings, Store(url, embedded=False), f"{socket.gethostname()}:{os.getpid()}")
    app = build_app(url)
    log.info("worker_started", name=runtime.name, concurrency=concurrency)
    async with app.open_async(), anyio.create_task_group() as group:
        group.start_soon(_reap_stalled, app)
        await app.run_worker_async(
            queues=[queue.QUEUE],
            concurrency=concurrency,
            additional_context={"runtime": runtime},
            update_heartbeat_interval=HEARTBEAT_S,
            stalled_worker_timeout=STALL_S,
            install_signal_handlers=True,
        )
        group.cancel_scope.cancel()
