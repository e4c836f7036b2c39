"""What this client must remember across restarts: its sessions and its render jobs.

A render id is the only handle on a cloud render, so it is written here before the first
poll; a restarted server finds the pending job of a session and resumes polling it instead
of paying for (and waiting on) a second render. The records live in the same SQLite database
as the local store (tables of their own), so two processes sharing a data directory cannot
corrupt them; a registry file from an earlier version is imported once.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pydantic import ValidationError

from mcp_highlight.backends.cloud.models import RenderJob, SessionRecord
from mcp_highlight.core.logs import get_logger

log = get_logger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS cloud_sessions (
    session_id TEXT PRIMARY KEY,
    created_at REAL NOT NULL,
    record TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS cloud_renders (
    render_id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL,
    created_at REAL NOT NULL,
    job TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS cloud_renders_by_session ON cloud_renders(session_id, created_at);
"""
LEGACY_FILE = "cloud_jobs.json"  # the JSON registry of versions before 0.2


class JobRegistry:
    """Sessions created and renders submitted by this client, in the data directory's SQLite database."""

    def __init__(self, database: Path) -> None:
        self.database = database
        database.parent.mkdir(parents=True, exist_ok=True)
        with self._db() as db:
            db.executescript(_SCHEMA)
        self._import_legacy(database.parent / LEGACY_FILE)

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        """One short transaction; SQLite's own locking keeps concurrent processes consistent."""
        db = sqlite3.connect(self.database, timeout=30)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            with db:
                yield db
        finally:
            db.close()

    def _import_legacy(self, path: Path) -> None:
        if not path.is_file():
            return
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            sessions = [SessionRecord.model_validate(v) for v in data.get("sessions", {}).values()]
            renders = [RenderJob.model_validate(v) for v in data.get("renders", {}).values()]
        except (ValueError, ValidationError, AttributeError):
            log.warning("cloud.registry.legacy_unreadable", path=str(path))
            return
        for record in sessions:
            self._put_session(record, replace=False)
        for job in renders:
            self._put_job(job, replace=False)
        path.replace(path.with_name(path.name + ".imported"))
        log.info("cloud.registry.imported", sessions=len(sessions), renders=len(renders))

    # --- sessions -------------------------------------------------------------------------------------------

    def _put_session(self, record: SessionRecord, *, replace: bool = True) -> None:
        verb = "INSERT OR REPLACE" if replace else "INSERT OR IGNORE"
        with self._db() as db:
            db.execute(
                f"{verb} INTO cloud_sessions (session_id, created_at, record) VALUES (?, ?, ?)",
                (record.session_id, record.created_at, record.model_dump_json()),
            )

    def add_session(self, session_id: str, *, task_id: str | None, bind_id: str | None, language: str) -> SessionRecord:
        record = SessionRecord(
            session_id=session_id, task_id=task_id, bind_id=bind_id, language=language, created_at=time.time()
        )
        self._put_session(record)
        return record

    def session(self, session_id: str) -> SessionRecord | None:
        with self._db() as db:
            row = db.execute("SELECT record FROM cloud_sessions WHERE session_id = ?", (session_id,)).fetchone()
        return SessionRecord.model_validate_json(row[0]) if row else None

    def sessions(self) -> list[SessionRecord]:
        with self._db() as db:
            rows = db.execute("SELECT record FROM cloud_sessions ORDER BY created_at").fetchall()
        return [SessionRecord.model_validate_json(row[0]) for row in rows]

    def forget_session(self, session_id: str) -> None:
        with self._db() as db:
            db.execute("DELETE FROM cloud_sessions WHERE session_id = ?", (session_id,))

    # --- renders --------------------------------------------------------------------------------------------

    def _put_job(self, job: RenderJob, *, replace: bool = True) -> None:
        verb = "INSERT OR REPLACE" if replace else "INSERT OR IGNORE"
        with self._db() as db:
            db.execute(
                f"{verb} INTO cloud_renders (render_id, session_id, created_at, job) VALUES (?, ?, ?, ?)",
                (job.render_id, job.session_id, job.created_at, job.model_dump_json()),
            )

    def save_job(self, job: RenderJob) -> None:
        self._put_job(job)

    def jobs(self, session_id: str) -> list[RenderJob]:
        with self._db() as db:
            rows = db.execute(
                "SELECT job FROM cloud_renders WHERE session_id = ? ORDER BY created_at", (session_id,)
            ).fetchall()
        return [RenderJob.model_validate_json(row[0]) for row in rows]

    def pending_job(self, session_id: str, fingerprint: str) -> RenderJob | None:
        """The newest unfinished render of this exact draft, to resume instead of resubmitting."""
        pending = [j for j in self.jobs(session_id) if j.status == "pending" and j.fingerprint == fingerprint]
        return pending[-1] if pending else None

    def completed_job(self, session_id: str, fingerprint: str) -> RenderJob | None:
        """The newest finished render of this exact draft whose file is still on disk."""
        done = [
            j
            for j in self.jobs(session_id)
            if j.status == "completed" and j.fingerprint == fingerprint and j.path and Path(j.path).exists()
        ]
        return done[-1] if done else None
