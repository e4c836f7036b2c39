"""SQLite persistence for local sessions: a restarted server finds everything it had.

Drafts are stored as an append-only history with a head pointer per session, so undo and
redo move the pointer and a new edit after an undo drops the undone branch.
Jobs that were running when the process died are marked interrupted at open, never lost.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from mcp_highlight.backends.models import JobInfo, MediaItem
from mcp_highlight.core.errors import UnknownSessionError, shown_value
from mcp_highlight.core.ownership import current_owner
from mcp_highlight.draft.model import Draft

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    head INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS media (
    id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions(id),
    position INTEGER NOT NULL,
    item TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS drafts (
    session_id TEXT NOT NULL REFERENCES sessions(id),
    version INTEGER NOT NULL,
    draft TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    created_at REAL NOT NULL,
    PRIMARY KEY (session_id, version)
);
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions(id),
    status TEXT NOT NULL,
    fingerprint TEXT,
    path TEXT,
    error TEXT,
    result TEXT,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
"""


def new_id(prefix: str) -> str:
    """Unguessable ids (128 random bits): a session id is a capability over HTTP."""
    return f"{prefix}_{secrets.token_urlsafe(16)}"


class Store:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA busy_timeout=5000")
        self._lock = threading.RLock()
        self._db.executescript(_SCHEMA)
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(sessions)")}
        if "owner" not in columns:  # databases from before sessions had owners
            self._db.execute("ALTER TABLE sessions ADD COLUMN owner TEXT")
        self.interrupted = self._mark_interrupted()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _one(self, sql: str, *args: Any) -> tuple[Any, ...] | None:
        with self._lock:
            return self._db.execute(sql, args).fetchone()

    def _all(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    def _mark_interrupted(self) -> int:
        with self._tx() as db:
            cur = db.execute(
                "UPDATE jobs SET status='interrupted', error='The server stopped while this render was running; "
                "export again to re-run it.', updated_at=? WHERE status IN ('pending', 'running')",
                (time.time(),),
            )
            return cur.rowcount

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # sessions -------------------------------------------------------------------------------
    def create_session(self) -> str:
        sid = new_id("ses")
        now = time.time()
        with self._tx() as db:
            db.execute(
                "INSERT INTO sessions (id, created_at, updated_at, head, owner) VALUES (?, ?, ?, 0, ?)",
                (sid, now, now, current_owner.get()),
            )
            db.execute("INSERT INTO drafts VALUES (?, 0, ?, 'empty', ?)", (sid, json.dumps(Draft().dump()), now))
        return sid

    def require_session(self, sid: str) -> None:
        owner = current_owner.get()
        row = self._one("SELECT owner FROM sessions WHERE id=?", sid) if sid else None
        if row is None or (owner is not None and row[0] != owner):  # another token's session: as if absent
            raise UnknownSessionError(
                f"There is no session {shown_value(sid)}.",
                hint="Upload a video without a session id to start one, or list sessions with get_state.",
            )

    def session_ids(self) -> list[str]:
        owner = current_owner.get()
        if owner is None:
            return [row[0] for row in self._all("SELECT id FROM sessions ORDER BY updated_at DESC")]
        return [row[0] for row in self._all("SELECT id FROM sessions WHERE owner=? ORDER BY updated_at DESC", owner)]

    # media ----------------------------------------------------------------------------------
    def add_media(self, sid: str, item: MediaItem) -> None:
        with self._tx() as db:
            (count,) = db.execute("SELECT COUNT(*) FROM media WHERE session_id=?", (sid,)).fetchone()
            db.execute("INSERT INTO media VALUES (?, ?, ?, ?)", (item.id, sid, count, item.model_dump_json()))
            db.execute("UPDATE sessions SET updated_at=? WHERE id=?", (time.time(), sid))

    def update_media(self, item: MediaItem) -> None:
        with self._tx() as db:
            db.execute("UPDATE media SET item=? WHERE id=?", (item.model_dump_json(), item.id))

    def media(self, sid: str) -> list[MediaItem]:
        rows = self._all("SELECT item FROM media WHERE session_id=? ORDER BY position", sid)
        return [MediaItem.model_validate_json(row[0]) for row in rows]

    # drafts ---------------------------------------------------------------------------------
    def draft(self, sid: str) -> tuple[Draft, int]:
        self.require_session(sid)
        row = self._one(
            "SELECT d.draft, s.head FROM sessions s JOIN drafts d ON d.session_id=s.id AND d.version=s.head "
            "WHERE s.id=?",
            sid,
        )
        assert row is not None
        return Draft.model_validate_json(row[0]), int(row[1])

    def push_draft(self, sid: str, draft: Draft, note: str) -> int:
        """Record a new head; anything undone past the old head is dropped (no branching history)."""
        now = time.time()
        with self._tx() as db:
            (head,) = db.execute("SELECT head FROM sessions WHERE id=?", (sid,)).fetchone()
            db.execute("DELETE FROM drafts WHERE session_id=? AND version>?", (sid, head))
            version = head + 1
            db.execute(
                "INSERT INTO drafts VALUES (?, ?, ?, ?, ?)",
                (sid, version, json.dumps(draft.dump(), ensure_ascii=False), note, now),
            )
            db.execute("UPDATE sessions SET head=?, updated_at=? WHERE id=?", (version, now, sid))
        return version

    def move_head(self, sid: str, step: int) -> int | None:
        """Undo (-1) or redo (+1); None when there is nothing to move to."""
        with self._tx() as db:
            (head,) = db.execute("SELECT head FROM sessions WHERE id=?", (sid,)).fetchone()
            target = head + step
            if db.execute("SELECT 1 FROM drafts WHERE session_id=? AND version=?", (sid, target)).fetchone() is None:
                return None
            db.execute("UPDATE sessions SET head=?, updated_at=? WHERE id=?", (target, time.time(), sid))
            return target

    def history_bounds(self, sid: str) -> tuple[int, int, int]:
        """(first, head, last) versions."""
        row = self._one(
            "SELECT MIN(d.version), s.head, MAX(d.version) FROM drafts d JOIN sessions s ON s.id=d.session_id "
            "WHERE d.session_id=?",
            sid,
        )
        assert row is not None
        return int(row[0]), int(row[1]), int(row[2])

    def note_at(self, sid: str, version: int) -> str:
        row = self._one("SELECT note FROM drafts WHERE session_id=? AND version=?", sid, version)
        return row[0] if row else ""

    # jobs -----------------------------------------------------------------------------------
    def create_job(self, sid: str, fingerprint: str) -> str:
        jid = new_id("job")
        now = time.time()
        with self._tx() as db:
            db.execute(
                "INSERT INTO jobs (id, session_id, status, fingerprint, created_at, updated_at) "
                "VALUES (?, ?, 'running', ?, ?, ?)",
                (jid, sid, fingerprint, now, now),
            )
        return jid

    def finish_job(
        self, jid: str, status: str, *, path: str | None = None, error: str | None = None, result: str | None = None
    ) -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE jobs SET status=?, path=?, error=?, result=?, updated_at=? WHERE id=?",
                (status, path, error, result, time.time(), jid),
            )

    def jobs(self, sid: str) -> list[JobInfo]:
        rows = self._all(
            "SELECT id, status, path, fingerprint, error, created_at FROM jobs WHERE session_id=? ORDER BY created_at",
            sid,
        )
        return [JobInfo(id=r[0], status=r[1], path=r[2], fingerprint=r[3], error=r[4], created_at=r[5]) for r in rows]

    def completed_job(self, sid: str, fingerprint: str) -> tuple[str, str] | None:
        """(job id, result json) of the newest completed render of this exact draft."""
        row = self._one(
            "SELECT id, result FROM jobs WHERE session_id=? AND fingerprint=? AND status='completed' "
            "ORDER BY updated_at DESC LIMIT 1",
            sid,
            fingerprint,
        )
        return (row[0], row[1]) if row else None
