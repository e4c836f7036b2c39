"""Persistence for local sessions, on SQLite (embedded) or PostgreSQL (cluster): a restarted server, or
another replica, finds everything there was.

Drafts are stored as an append-only history with a head pointer per session, so undo and redo move the
pointer and a new edit after an undo drops the undone branch. The tables are defined once, in `schema`.
Embedded: jobs that were running when the process died are marked interrupted at open, never lost. In a
cluster a job belongs to the queue, not to the process that took the request, so nothing is marked.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from mcp_highlight.backends.local import database
from mcp_highlight.backends.local.schema import drafts, jobs, media, sessions
from mcp_highlight.backends.models import JobInfo, MediaItem
from mcp_highlight.core.errors import ImpossibleRequestError, UnknownSessionError, shown_value
from mcp_highlight.core.ownership import current_owner
from mcp_highlight.draft.model import Draft

ACTIVE = ("pending", "queued", "running")
PROGRESS_CHANNEL = "highlight_jobs"
INTERRUPTED = "The server stopped while this render was running; export again to re-run it."


def queue_notify(conn: sa.Connection, job_id: str) -> None:
    """Wake the replicas waiting on this job (PostgreSQL's NOTIFY, sent when the transaction commits)."""
    conn.execute(sa.select(sa.func.pg_notify(PROGRESS_CHANNEL, job_id)))


def new_id(prefix: str) -> str:
    """Unguessable ids (128 random bits): a session id is a capability over HTTP."""
    return f"{prefix}_{secrets.token_urlsafe(16)}"


class Store:
    def __init__(self, url: str | Path, *, embedded: bool = True) -> None:
        """`url`: a database URL, or the path of the embedded SQLite file."""
        self.engine: Engine = database.make_engine(url if isinstance(url, str) else f"sqlite:///{url}")
        self.embedded = embedded
        if embedded:
            database.upgrade(self.engine)
        else:
            database.require_current(self.engine)
        self.interrupted = self._mark_interrupted() if embedded else 0

    @classmethod
    def at(cls, path: Any) -> Store:
        """The embedded store in a SQLite file."""
        return cls(f"sqlite:///{path}")

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def _tx(self) -> Iterator[sa.Connection]:
        with self.engine.begin() as conn:
            yield conn

    def _lock_session(self, conn: sa.Connection, sid: str) -> int:
        """The session's head, with the row locked until the transaction ends (SQLite locks the file)."""
        query = sa.select(sessions.c.head).where(sessions.c.id == sid)
        if self.dialect == "postgresql":
            query = query.with_for_update()
        return int(conn.execute(query).scalar_one())

    def _mark_interrupted(self) -> int:
        with self._tx() as conn:
            done = conn.execute(
                sa.update(jobs)
                .where(jobs.c.status.in_(ACTIVE))
                .values(status="interrupted", error=INTERRUPTED, updated_at=time.time())
            )
            return done.rowcount

    def close(self) -> None:
        self.engine.dispose()

    # sessions -------------------------------------------------------------------------------
    def create_session(self) -> str:
        sid = new_id("ses")
        now = time.time()
        with self._tx() as conn:
            conn.execute(
                sa.insert(sessions).values(id=sid, created_at=now, updated_at=now, head=0, owner=current_owner.get())
            )
            conn.execute(
                sa.insert(drafts).values(
                    session_id=sid, version=0, draft=json.dumps(Draft().dump()), note="empty", created_at=now
                )
            )
        return sid

    def require_session(self, sid: str) -> None:
        owner = current_owner.get()
        row = None
        if sid:
            with self.engine.connect() as conn:
                row = conn.execute(sa.select(sessions.c.owner).where(sessions.c.id == sid)).first()
        if row is None or (owner is not None and row[0] != owner):  # another token's session: as if absent
            raise UnknownSessionError(
                f"There is no session {shown_value(sid)}.",
                hint="Upload a video without a session id to start one, or list sessions with get_state.",
            )

    def session_ids(self) -> list[str]:
        owner = current_owner.get()
        query = sa.select(sessions.c.id).order_by(sessions.c.updated_at.desc())
        if owner is not None:
            query = query.where(sessions.c.owner == owner)
        with self.engine.connect() as conn:
            return list(conn.execute(query).scalars())

    # media ----------------------------------------------------------------------------------
    def add_media(self, sid: str, item: MediaItem) -> None:
        with self._tx() as conn:
            self._lock_session(conn, sid)  # two uploads at once get distinct positions
            count = conn.execute(
                sa.select(sa.func.count()).select_from(media).where(media.c.session_id == sid)
            ).scalar_one()
            conn.execute(
                sa.insert(media).values(id=item.id, session_id=sid, position=count, item=item.model_dump_json())
            )
            conn.execute(sa.update(sessions).where(sessions.c.id == sid).values(updated_at=time.time()))

    def update_media(self, item: MediaItem) -> None:
        with self._tx() as conn:
            conn.execute(sa.update(media).where(media.c.id == item.id).values(item=item.model_dump_json()))

    def media(self, sid: str) -> list[MediaItem]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(media.c.item).where(media.c.session_id == sid).order_by(media.c.position))
            return [MediaItem.model_validate_json(item) for item in rows.scalars()]

    # drafts ---------------------------------------------------------------------------------
    def draft(self, sid: str) -> tuple[Draft, int]:
        self.require_session(sid)
        query = (
            sa.select(drafts.c.draft, sessions.c.head)
            .join(drafts, sa.and_(drafts.c.session_id == sessions.c.id, drafts.c.version == sessions.c.head))
            .where(sessions.c.id == sid)
        )
        with self.engine.connect() as conn:
            text, head = conn.execute(query).one()
        return Draft.model_validate_json(text), int(head)

    def push_draft(self, sid: str, draft: Draft, note: str, *, after_version: int | None = None) -> int:
        """Record a new head; anything undone past the old head is dropped (no branching history).

        With `after_version`, the edit was made on that version: if another process moved the head since
        (two replicas editing one session at once), it is refused rather than silently undoing the other.
        """
        now = time.time()
        with self._tx() as conn:
            head = self._lock_session(conn, sid)
            if after_version is not None and head != after_version:
                raise ImpossibleRequestError(
                    "Another edit changed this timeline at the same moment.",
                    hint="Look at it again and repeat the edit.",
                )
            conn.execute(sa.delete(drafts).where(drafts.c.session_id == sid, drafts.c.version > head))
            version = head + 1
            conn.execute(
                sa.insert(drafts).values(
                    session_id=sid,
                    version=version,
                    draft=json.dumps(draft.dump(), ensure_ascii=False),
                    note=note,
                    created_at=now,
                )
            )
            conn.execute(sa.update(sessions).where(sessions.c.id == sid).values(head=version, updated_at=now))
        return version

    def move_head(self, sid: str, step: int) -> int | None:
        """Undo (-1) or redo (+1); None when there is nothing to move to."""
        with self._tx() as conn:
            target = self._lock_session(conn, sid) + step
            exists = conn.execute(
                sa.select(drafts.c.version).where(drafts.c.session_id == sid, drafts.c.version == target)
            )
            if exists.first() is None:
                return None
            conn.execute(sa.update(sessions).where(sessions.c.id == sid).values(head=target, updated_at=time.time()))
            return target

    def history_bounds(self, sid: str) -> tuple[int, int, int]:
        """(first, head, last) versions."""
        query = sa.select(sa.func.min(drafts.c.version), sa.func.max(drafts.c.version)).where(
            drafts.c.session_id == sid
        )
        with self.engine.connect() as conn:
            first, last = conn.execute(query).one()
            head = conn.execute(sa.select(sessions.c.head).where(sessions.c.id == sid)).scalar_one()
        return int(first), int(head), int(last)

    def note_at(self, sid: str, version: int) -> str:
        query = sa.select(drafts.c.note).where(drafts.c.session_id == sid, drafts.c.version == version)
        with self.engine.connect() as conn:
            return conn.execute(query).scalar() or ""

    # jobs -----------------------------------------------------------------------------------
    def create_job(self, sid: str, fingerprint: str, *, conn: sa.Connection | None = None, **fields: Any) -> str:
        """A job row; `fields` (kind, payload, status) for a queued cluster job, inside the caller's `conn`."""
        jid = new_id("job")
        now = time.time()
        values = {"status": "running", **fields}
        statement = sa.insert(jobs).values(
            id=jid, session_id=sid, fingerprint=fingerprint, created_at=now, updated_at=now, **values
        )
        if conn is not None:
            conn.execute(statement)
        else:
            with self._tx() as own:
                own.execute(statement)
        return jid

    def finish_job(
        self,
        jid: str,
        status: str,
        *,
        path: str | None = None,
        error: str | None = None,
        result: str | None = None,
        only_if: tuple[str, ...] = ACTIVE,
    ) -> bool:
        """Record the outcome once: a job that already ended (say, completed by another worker) is left alone."""
        with self._tx() as conn:
            done = conn.execute(
                sa.update(jobs)
                .where(jobs.c.id == jid, jobs.c.status.in_(only_if))
                .values(status=status, path=path, error=error, result=result, updated_at=time.time())
            )
            if self.dialect == "postgresql":
                queue_notify(conn, jid)
            return done.rowcount == 1

    def claim_job(self, jid: str, worker: str) -> dict[str, Any] | None:
        """A worker starts (or, after a stalled worker, restarts) the job; None if it has ended already."""
        with self._tx() as conn:
            done = conn.execute(
                sa.update(jobs)
                .where(jobs.c.id == jid, jobs.c.status.in_(ACTIVE))
                .values(status="running", worker=worker, attempts=jobs.c.attempts + 1, updated_at=time.time())
                .returning(*jobs.c)
            )
            row = done.mappings().first()
            return dict(row) if row is not None else None

    def report_progress(self, jid: str, fraction: float, message: str) -> None:
        with self._tx() as conn:
            conn.execute(
                sa.update(jobs)
                .where(jobs.c.id == jid, jobs.c.status == "running")
                .values(progress=fraction, message=message[:200], updated_at=time.time())
            )
            if self.dialect == "postgresql":
                queue_notify(conn, jid)

    def jobs(self, sid: str) -> list[JobInfo]:
        query = (
            sa.select(jobs.c.id, jobs.c.status, jobs.c.path, jobs.c.fingerprint, jobs.c.error, jobs.c.created_at)
            .where(jobs.c.session_id == sid, jobs.c.kind == "render")
            .order_by(jobs.c.created_at)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [JobInfo(id=r[0], status=r[1], path=r[2], fingerprint=r[3], error=r[4], created_at=r[5]) for r in rows]

    def job(self, jid: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(jobs).where(jobs.c.id == jid)).mappings().first()
        return dict(row) if row is not None else None

    def latest_job(self, kind: str, fingerprint: str) -> dict[str, Any] | None:
        query = (
            sa.select(jobs)
            .where(jobs.c.kind == kind, jobs.c.fingerprint == fingerprint)
            .order_by(jobs.c.created_at.desc())
            .limit(1)
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).mappings().first()
        return dict(row) if row is not None else None

    def update_job(self, jid: str, *, conn: sa.Connection | None = None, **values: Any) -> None:
        statement = sa.update(jobs).where(jobs.c.id == jid).values(updated_at=time.time(), **values)
        if conn is not None:
            conn.execute(statement)
        else:
            with self._tx() as own:
                own.execute(statement)

    def completed_job(self, sid: str, fingerprint: str) -> tuple[str, str] | None:
        """(job id, result json) of the newest completed render of this exact draft."""
        query = (
            sa.select(jobs.c.id, jobs.c.result)
            .where(jobs.c.session_id == sid, jobs.c.fingerprint == fingerprint, jobs.c.status == "completed")
            .order_by(jobs.c.updated_at.desc())
            .limit(1)
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return (row[0], row[1]) if row else None
