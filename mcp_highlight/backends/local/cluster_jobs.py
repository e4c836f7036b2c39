"""The replica's side of cluster mode: put a job on the queue and wait for it, relaying its progress.

`submit` writes our job row and Procrastinate's in one transaction. `wait` wakes on the job's NOTIFY
(and re-reads the row every second in case one is missed), passes on progress only when it grows, so
a retried job starting again at 0 % never makes a client's bar go back, and turns the job's end into a
result or an error. A caller cancelled while waiting aborts the job on whichever worker runs it.
"""

from __future__ import annotations

from typing import Any

import anyio
import psycopg

from mcp_highlight.backends.local import queue
from mcp_highlight.backends.local.database import libpq_url
from mcp_highlight.backends.local.render_job import RenderJob, analysis_of
from mcp_highlight.backends.local.store import PROGRESS_CHANNEL, Store
from mcp_highlight.backends.models import ExportJob, ExportResult, MediaItem
from mcp_highlight.core.config import Settings
from mcp_highlight.core.errors import (
    BackendError,
    ImpossibleRequestError,
    OperationCancelledError,
    UnknownSessionError,
    shown_value,
)
from mcp_highlight.core.progress import ProgressFn, no_progress, scaled
from mcp_highlight.engine.judge.analysis import Analysis

FINAL = ("completed", "failed", "cancelled", "interrupted")
POLL_S = 1.0


class QueuedJobs:
    def __init__(self, store: Store, url: str) -> None:
        self.store = store
        self.url = libpq_url(url)
        self.app = queue.deferring_app(url)

    def submit(self, session_id: str, kind: str, fingerprint: str, payload: str) -> str:
        with self.store.engine.begin() as conn:
            job_id = self.store.create_job(
                session_id, fingerprint, conn=conn, status="queued", kind=kind, payload=payload
            )
            queue_id = queue.defer(self.app, conn, kind, job_id)
            self.store.update_job(job_id, conn=conn, queue_id=queue_id)
        return job_id

    def submit_render(self, job: RenderJob) -> str:
        return self.submit(job.session_id, "render", job.fingerprint, job.model_dump_json())

    async def render(self, job: RenderJob, progress: ProgressFn) -> ExportResult:
        job_id = await anyio.to_thread.run_sync(self.submit_render, job)
        row = await self.wait(job_id, progress)
        if row["status"] != "completed":
            raise BackendError(f"The render failed: {row['error'] or row['status']}")
        return ExportResult.model_validate_json(row["result"])

    async def analyses(self, items: list[MediaItem], settings: Settings, progress: ProgressFn) -> dict[str, Analysis]:
        """Wait for the analyses the uploads queued, then read them from the shared cache."""
        found: dict[str, Analysis] = {}
        for index, item in enumerate(items):
            row = await anyio.to_thread.run_sync(self.store.latest_job, "analyse", item.id)
            if row is None:
                raise ImpossibleRequestError(f"{item.name} has no analysis.", hint="Upload it again.")
            part = scaled(progress, index / len(items), (index + 1) / len(items))
            row = await self.wait(row["id"], part, abort_on_cancel=False)  # other edits may wait for it too
            if row["status"] != "completed":
                raise BackendError(f"Analysing {item.name} failed: {row['error'] or row['status']}")
            found[item.id] = await anyio.to_thread.run_sync(analysis_of, item, settings, no_progress)
        return found

    async def wait(self, job_id: str, progress: ProgressFn, *, abort_on_cancel: bool = True) -> dict[str, Any]:
        """The job's final row. Raises OperationCancelledError if it was cancelled (by anyone)."""
        try:
            row = await self._follow(job_id, progress)
        except anyio.get_cancelled_exc_class():
            if abort_on_cancel:
                with anyio.CancelScope(shield=True):
                    await anyio.to_thread.run_sync(self.cancel, job_id)
            raise
        if row["status"] == "cancelled":
            raise OperationCancelledError("The render was cancelled.")
        return row

    def export_job(self, job_id: str) -> ExportJob:
        """One of the caller's export jobs, from its row; another token's job is as if absent."""
        row = self.store.job(job_id)
        try:
            if row is not None and row["kind"] == "render":
                self.store.require_session(row["session_id"])
        except UnknownSessionError:
            row = None
        if row is None or row["kind"] != "render":
            raise UnknownSessionError(f"There is no export {shown_value(job_id)}.")
        result = ExportResult.model_validate_json(row["result"]) if row["result"] else None
        fields = ("id", "session_id", "status", "progress", "message", "error", "created_at", "updated_at")
        return ExportJob(**{name: row[name] for name in fields}, result=result)

    def cancel(self, job_id: str) -> None:
        row = self.store.job(job_id)
        if row is None or row["status"] in FINAL or row["queue_id"] is None:
            return
        with self.store.engine.begin() as conn:
            queue.abort(self.app, conn, int(row["queue_id"]))
        self.store.finish_job(job_id, "cancelled", error="Cancelled by the client.", only_if=("queued",))

    async def _follow(self, job_id: str, progress: ProgressFn) -> dict[str, Any]:
        best = -1.0
        async with await psycopg.AsyncConnection.connect(self.url, autocommit=True) as listener:
            await listener.execute(f"LISTEN {PROGRESS_CHANNEL}")
            while True:
                row = await anyio.to_thread.run_sync(self.store.job, job_id)
                assert row is not None
                if row["progress"] > best and row["status"] not in FINAL:
                    best = row["progress"]
                    progress(best, row["message"] or "Working")
                if row["status"] in FINAL:
                    return row
                async for note in listener.notifies(timeout=POLL_S):
                    if note.payload == job_id:
                        break
