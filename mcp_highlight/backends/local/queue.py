"""Cluster mode's job queue: Procrastinate, on the same PostgreSQL as the state.

A job is two rows written in one transaction: ours in `jobs` (what to do, its progress, its result: what
every replica reads) and Procrastinate's (who runs it, retries, aborts). Workers run the tasks
(`worker`); replicas only defer and abort, by task name. Progress travels as an update of our row plus a
NOTIFY on `store.PROGRESS_CHANNEL`, so a replica waiting on the job wakes at once.
"""

from __future__ import annotations

import procrastinate
import sqlalchemy as sa

from mcp_highlight.backends.local.database import libpq_url

QUEUE = "highlight"


def deferring_app(url: str) -> procrastinate.App:
    """For replicas: defers and aborts through a connection it is handed, so it needs no pool of its own."""
    return procrastinate.App(connector=procrastinate.SyncPsycopgConnector(conninfo=libpq_url(url)))


def defer(app: procrastinate.App, conn: sa.Connection, task: str, job_id: str) -> int:
    """Queue `task` for our job `job_id` inside the caller's transaction: both rows commit, or neither."""
    raw = conn.connection.driver_connection
    return app.configure_task(task, queue=QUEUE, connection=raw).defer(job_id=job_id)


def abort(app: procrastinate.App, conn: sa.Connection, queue_id: int) -> bool:
    """Stop the job: a queued one is cancelled, a running one's worker hears the request at once (NOTIFY)."""
    raw = conn.connection.driver_connection
    return app.job_manager.cancel_job_by_id(queue_id, abort=True, connection=raw)
