"""The CLI's cluster commands: `mcp-highlight worker [--concurrency N]` and `mcp-highlight db upgrade`."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the queue and the database load only for these commands
    from mcp_highlight.core.config import Settings

COMMANDS = ("worker", "db")


def add_cluster_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    worker = sub.add_parser(
        "worker", help="Cluster mode: run renders and analyses from the queue in MCP_HIGHLIGHT_DATABASE_URL."
    )
    worker.add_argument("--concurrency", type=int, default=1, help="Jobs at once (default 1; about one per 2 cores).")
    db = sub.add_parser("db", help="Cluster mode: `db upgrade` migrates MCP_HIGHLIGHT_DATABASE_URL to this version.")
    db.add_argument("action", choices=["upgrade"])


def run_cluster_command(args: argparse.Namespace, settings: Settings) -> int:
    from mcp_highlight.service.cluster import upgrade_database, work

    if args.command == "worker":
        work(settings, args.concurrency)
    else:
        print(upgrade_database(settings))
    return 0
