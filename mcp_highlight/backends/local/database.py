"""Where the local backend's state lives: SQLite under MCP_HIGHLIGHT_HOME (embedded) or the PostgreSQL
of MCP_HIGHLIGHT_DATABASE_URL (cluster); one engine per process, migrated by Alembic.

The embedded database migrates itself when opened (one user, one process: nothing to coordinate). A
PostgreSQL database is migrated once, by `mcp-highlight db upgrade`; replicas and workers refuse to
start on an older schema rather than race each other to change it.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from mcp_highlight.core.errors import BackendUnavailableError, BadInputError

MIGRATIONS = Path(__file__).with_name("migrations")
FIRST = "0001"
"""The revision that matches databases made before migrations existed (stamped, not re-created)."""


def sqlalchemy_url(url: str) -> str:
    """`postgresql://…` (what people write) → the psycopg 3 driver SQLAlchemy should use."""
    for prefix in ("postgresql://", "postgres://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def libpq_url(url: str) -> str:
    """The same database as a plain libpq URL (for psycopg and Procrastinate)."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def make_engine(url: str) -> Engine:
    url = sqlalchemy_url(url)
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 5})

        @sa.event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            dbapi_connection.isolation_level = None  # we say BEGIN ourselves (below)
            dbapi_connection.execute("PRAGMA journal_mode=WAL")
            dbapi_connection.execute("PRAGMA busy_timeout=5000")

        @sa.event.listens_for(engine, "begin")
        def _on_begin(conn):  # type: ignore[no-untyped-def]
            conn.exec_driver_sql("BEGIN IMMEDIATE")  # writers queue up instead of failing on upgrade

        return engine
    if not url.startswith("postgresql+psycopg://"):
        raise BadInputError(
            "MCP_HIGHLIGHT_DATABASE_URL must be a postgresql:// URL.", hint="e.g. postgresql://user@host:5432/highlight"
        )
    return sa.create_engine(url, pool_size=5, max_overflow=10, pool_pre_ping=True)


def _config(connection: sa.Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


@functools.cache
def head_revision() -> str:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with reachable(engine) as conn:
        return MigrationContext.configure(conn).get_current_revision()


@contextlib.contextmanager
def reachable(engine: Engine) -> Iterator[sa.Connection]:
    """A connection, or a clear error naming the database's host (never its password) and why."""
    try:
        conn = engine.connect()
    except sa.exc.OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else "no answer"
        where = f"{engine.url.host or 'localhost'}:{engine.url.port or 5432}/{engine.url.database}"
        raise BackendUnavailableError(
            f"Cannot reach the database at {where}: {reason}",
            hint="Check MCP_HIGHLIGHT_DATABASE_URL and that PostgreSQL is running.",
        ) from None
    with conn:
        yield conn


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Bring the database to the newest schema; (revision before, revision after)."""
    with reachable(engine) as conn, conn.begin():
        before = MigrationContext.configure(conn).get_current_revision()
        if before == head_revision():
            return before, before
        if before is None and sa.inspect(conn).has_table("sessions"):
            _adopt_unversioned(conn)
            command.stamp(_config(conn), FIRST)
        command.upgrade(_config(conn), "head")
    return before, head_revision()


def _adopt_unversioned(conn: sa.Connection) -> None:
    """A SQLite file from before migrations: add the one column it may lack, then it is revision 0001."""
    columns = {c["name"] for c in sa.inspect(conn).get_columns("sessions")}
    if "owner" not in columns:
        conn.exec_driver_sql("ALTER TABLE sessions ADD COLUMN owner TEXT")


def require_current(engine: Engine) -> None:
    """Refuse to serve on a database the newest code does not know (not migrated yet, or newer)."""
    current, head = current_revision(engine), head_revision()
    if current != head:
        raise BadInputError(
            f"The database is at schema revision {current or 'none'}, this version needs {head}.",
            hint="Run `mcp-highlight db upgrade` once (with the same MCP_HIGHLIGHT_DATABASE_URL), then start again.",
        )
