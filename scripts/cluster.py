"""`scripts/cluster`: on loopback, a throwaway PostgreSQL (initdb into a temporary folder), `db upgrade`,
two `mcp-highlight worker`s, two `serve --http` replicas on one shared MCP_HIGHLIGHT_HOME, and haproxy in
front of them (sticky on Mcp-Session-Id for 2025 clients). Prints the URL and token; Ctrl-C stops all.
"""

from __future__ import annotations

import argparse
import secrets
import signal
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from cluster_harness import running_cluster, start_haproxy  # noqa: E402
from throwaway_postgres import throwaway_postgres  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8765, help="The load balancer's port on 127.0.0.1.")
    parser.add_argument("--media", default=str(Path.cwd()), help="Folder clients may upload from (MEDIA_ROOTS).")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--replicas", type=int, default=2)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    token = secrets.token_urlsafe(24)
    with tempfile.TemporaryDirectory(prefix="highlight-cluster-") as tmp, throwaway_postgres() as database:
        home = Path(tmp) / "home"
        media = Path(args.media)
        with running_cluster(
            database, home, media, workers=args.workers, replicas=args.replicas, token=token
        ) as cluster:
            _, url, config = start_haproxy(cluster, args.port)
            print(config, file=sys.stderr)
            print(f"MCP endpoint: {url}/mcp  (Authorization: Bearer {token})")
            print(f"database: {database}   shared home: {home}   logs: {cluster.logs}")
            print("Ctrl-C stops everything.", flush=True)
            try:
                while all(p.poll() is None for p in [*cluster.workers, *cluster.replicas]):
                    time.sleep(1)
                print("a process stopped; see the logs", file=sys.stderr)
                return 1
            except KeyboardInterrupt:
                print("stopping ...", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
