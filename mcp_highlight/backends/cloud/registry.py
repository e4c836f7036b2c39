"""What this client must remember across restarts: its sessions and its render jobs.

A render id is the only handle on a cloud render, so it is written here before the first
poll; a restarted server finds the pending job of a session and resumes polling it instead
of paying for (and waiting on) a second render. A small JSON file under the data directory,
written atomically, is enough for the handful of records one user accumulates.
"""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from mcp_highlight.backends.cloud.models import RenderJob, SessionRecord
from mcp_highlight.logs import get_logger

log = get_logger(__name__)

REGISTRY_FILE = "cloud_jobs.json"


class _Contents(BaseModel):
    sessions: dict[str, SessionRecord] = Field(default_factory=dict)
    renders: dict[str, RenderJob] = Field(default_factory=dict)


class JobRegistry:
    """Sessions created and renders submitted by this client, in `<home>/cloud_jobs.json`."""

    def __init__(self, home: Path) -> None:
        self.path = home / REGISTRY_FILE
        self._lock = threading.Lock()

    def _load(self) -> _Contents:
        if not self.path.exists():
            return _Contents()
        try:
            return _Contents.model_validate(json.loads(self.path.read_text(encoding="utf-8")))
        except (ValueError, ValidationError):
            log.warning("cloud.registry.unreadable", path=str(self.path))
            return _Contents()

    def _save(self, contents: _Contents) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        tmp.write_text(contents.model_dump_json(indent=1), encoding="utf-8")
        os.replace(tmp, self.path)

    # --- sessions -------------------------------------------------------------------------------------------

    def add_session(self, session_id: str, *, task_id: str | None, bind_id: str | None, language: str) -> SessionRecord:
        record = SessionRecord(
            session_id=session_id, task_id=task_id, bind_id=bind_id, language=language, created_at=time.time()
        )
        with self._lock:
            contents = self._load()
            contents.sessions[session_id] = record
            self._save(contents)
        return record

    def session(self, session_id: str) -> SessionRecord | None:
        with self._lock:
            return self._load().sessions.get(session_id)

    def sessions(self) -> list[SessionRecord]:
        with self._lock:
            return sorted(self._load().sessions.values(), key=lambda record: record.created_at)

    def forget_session(self, session_id: str) -> None:
        with self._lock:
            contents = self._load()
            contents.sessions.pop(session_id, None)
            self._save(contents)

    # --- renders --------------------------------------------------------------------------------------------

    def save_job(self, job: RenderJob) -> None:
        with self._lock:
            contents = self._load()
            contents.renders[job.render_id] = job
            self._save(contents)

    def jobs(self, session_id: str) -> list[RenderJob]:
        with self._lock:
            found = [job for job in self._load().renders.values() if job.session_id == session_id]
        return sorted(found, key=lambda job: job.created_at)

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
