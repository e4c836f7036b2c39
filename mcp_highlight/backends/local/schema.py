"""The one definition of the local backend's tables, for SQLite (embedded) and PostgreSQL (cluster).

Alembic's migrations (`migrations/`) create and change these tables on both databases; the store reads
and writes them through SQLAlchemy Core, so no SQL dialect is written by hand.
"""

from __future__ import annotations

from sqlalchemy import Column, Float, ForeignKey, Integer, MetaData, String, Table, Text

metadata = MetaData()

sessions = Table(
    "sessions",
    metadata,
    Column("id", String, primary_key=True),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Column("head", Integer, nullable=False, server_default="0"),
    Column("owner", String, nullable=True),
)

media = Table(
    "media",
    metadata,
    Column("id", String, primary_key=True),
    Column("session_id", String, ForeignKey("sessions.id"), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("item", Text, nullable=False),
)

drafts = Table(
    "drafts",
    metadata,
    Column("session_id", String, ForeignKey("sessions.id"), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("draft", Text, nullable=False),
    Column("note", Text, nullable=False, server_default=""),
    Column("created_at", Float, nullable=False),
)

jobs = Table(
    "jobs",
    metadata,
    Column("id", String, primary_key=True),
    Column("session_id", String, ForeignKey("sessions.id"), nullable=False, index=True),
    Column("status", String, nullable=False),
    Column("fingerprint", String, nullable=True),
    Column("path", Text, nullable=True),
    Column("error", Text, nullable=True),
    Column("result", Text, nullable=True),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    # cluster mode: what a worker needs to run the job, and what it reports back
    Column("kind", String, nullable=False, server_default="render"),
    Column("payload", Text, nullable=True),
    Column("queue_id", Integer, nullable=True),
    Column("progress", Float, nullable=False, server_default="0"),
    Column("message", Text, nullable=False, server_default=""),
    Column("worker", String, nullable=True),
    Column("attempts", Integer, nullable=False, server_default="0"),
)


def is_ours(name: str | None, type_: str, parent_names: dict[str, str | None]) -> bool:
    """Alembic's filter: compare and migrate our tables only (Procrastinate's come from its own schema)."""
    if type_ == "schema":
        return True
    return (name if type_ == "table" else parent_names.get("table_name")) in metadata.tables
