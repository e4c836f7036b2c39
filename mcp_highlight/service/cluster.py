"""Cluster mode's operator commands, for the CLI: migrate the database, run a worker.

Both need MCP_HIGHLIGHT_DATABASE_URL; without it there is no cluster (the embedded SQLite migrates itself).
"""

from __future__ import annotations

import anyio

from mcp_highlight.backends.local import database
from mcp_highlight.backends.local.worker import run_worker
from mcp_highlight.core.config import Settings
from mcp_highlight.core.errors import BadInputError


def cluster_url(settings: Settings) -> str:
    if settings.database_url is None:
        raise BadInputError(
            "This needs a cluster database: MCP_HIGHLIGHT_DATABASE_URL is not set.",
            hint="Set MCP_HIGHLIGHT_DATABASE_URL=postgresql://user@host:5432/highlight (see README, Cluster mode).",
        )
    return settings.database_url.get_secret_value()


def upgrade_database(settings: Settings) -> str:
    """Migrate the cluster database to this version's schema; says what it did."""
    engine = database.make_engine(cluster_url(settings))
    try:
        before, after = database.upgrade(engine)
    finally:
        engine.dispose()
    if before == after:
        return f"The database is up to date (schema revision {after})."
    return f"Migrated the database from schema revision {before or 'none'} to {after}."


def work(settings: Settings, concurrency: int) -> None:
    """Run jobs until stopped (Ctrl-C or SIGTERM finish the running jobs first)."""
    cluster_url(settings)
    if concurrency < 1:
        raise BadInputError(f"--concurrency {concurrency} is not possible.", hint="Give 1 or more.")
    anyio.run(run_worker, settings, concurrency)
