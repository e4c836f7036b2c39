"""A real cluster on loopback for tests and benches: `mcp-highlight worker` and `serve --http` processes on
one PostgreSQL and one shared MCP_HIGHLIGHT_HOME, started as an operator would, stopped at the end."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from footage.samples import synth_clip
from http_harness import TOKEN, free_port
from media_files import MEDIA_CACHE


def cluster_clip() -> Path:
    """The 16 s 640x360 game every cluster test uploads (made once per media cache)."""
    path = MEDIA_CACHE / "cluster-clip-640x360-16s.mp4"
    if not path.exists():
        synth_clip(path, duration_s=16, width=640, height=360)
    return path


def new_database(server_url: str) -> str:
    """A new empty database on the server of `server_url`; its URL."""
    name = f"c_{os.urandom(6).hex()}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return server_url.rsplit("/", 1)[0] + f"/{name}"


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "mcp_highlight", *args]


def wait_for_port(port: int, timeout_s: float = 180) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port}")


@dataclass
class Cluster:
    database_url: str
    home: Path
    env: dict[str, str]
    logs: Path
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    replicas: list[subprocess.Popen[bytes]] = field(default_factory=list)
    bases: list[str] = field(default_factory=list)

    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{name}.log").open("ab")
        return subprocess.Popen(args, env=self.env, stdin=subprocess.DEVNULL, stdout=log, stderr=log)

    def start_worker(self, concurrency: int = 1) -> subprocess.Popen[bytes]:
        worker = self._spawn(f"worker-{len(self.workers)}", command("worker", "--concurrency", str(concurrency)))
        self.workers.append(worker)
        return worker

    def start_replicas(self, count: int) -> list[str]:
        """Start `count` replicas at once (a cold start imports a lot), return once all listen."""
        ports = [free_port() for _ in range(count)]
        for port in ports:
            self.replicas.append(self._spawn(f"replica-{port}", command("serve", "--http", "--port", str(port))))
        for port in ports:
            wait_for_port(port)
            self.bases.append(f"http://127.0.0.1:{port}")
        return self.bases[-count:]

    def query(self, sql: str, *params: object) -> list[tuple[object, ...]]:
        with psycopg.connect(self.database_url, autocommit=True) as conn:
            return conn.execute(sql, params).fetchall()  # type: ignore[arg-type]

    def stop(self) -> list[int]:
        """SIGTERM everything still running (workers finish their job), then wait; the exit codes."""
        processes = [*self.replicas, *self.workers]
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        codes = []
        for process in processes:
            try:
                codes.append(process.wait(30))
            except subprocess.TimeoutExpired:
                process.kill()
                codes.append(process.wait(10))
        return codes


def upgrade(env: dict[str, str]) -> str:
    done = subprocess.run(command("db", "upgrade"), env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"db upgrade failed: {done.stderr[-2000:]}")
    return done.stdout


@contextlib.contextmanager
def running_cluster(
    database_url: str,
    home: Path,
    media_root: Path,
    *,
    workers: int = 2,
    replicas: int = 2,
    concurrency: int = 1,
    token: str = TOKEN,
) -> Iterator[Cluster]:
    env = {
        **os.environ,
        "MCP_HIGHLIGHT_DATABASE_URL": database_url,
        "MCP_HIGHLIGHT_HOME": str(home),
        "MCP_HIGHLIGHT_TOKEN": token,
        "MCP_HIGHLIGHT_MEDIA_ROOTS": str(media_root),
        "MCP_HIGHLIGHT_STATE_KEYS": os.urandom(32).hex(),  # one key, shared by every replica
    }
    logs = home / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    upgrade(env)
    cluster = Cluster(database_url, home, env, logs)
    try:
        for _ in range(workers):
            cluster.start_worker(concurrency)
        cluster.start_replicas(replicas)
        yield cluster
    finally:
        cluster.stop()


HAPROXY_CONFIG = """\
global
    log stderr format raw local0 warning
defaults
    mode http
    log global
    timeout connect 5s
    timeout client 1h
    timeout server 1h
    timeout tunnel 1h
    # a client that goes away (a cancel at 2026-07-28 closes the request) closes the replica's side too
    option abortonclose
frontend mcp
    bind 127.0.0.1:{port}
    default_backend replicas
backend replicas
    balance roundrobin
    # 2026-07-28 requests carry no session: any replica answers. A 2025 client's Mcp-Session-Id
    # lives on the replica that made it, so requests with that header go back to it.
    stick-table type string len 128 size 100k expire 2h
    stick match req.hdr(mcp-session-id)
    stick store-response res.hdr(mcp-session-id)
    # replicas check Host (DNS-rebinding protection) against their own loopback names
    http-request set-header Host 127.0.0.1
{servers}
"""


def haproxy_config(port: int, bases: list[str]) -> str:
    servers = "\n".join(
        f"    server replica{i} {base.removeprefix('http://')} check inter 2s" for i, base in enumerate(bases)
    )
    return HAPROXY_CONFIG.format(port=port, servers=servers)


def start_haproxy(cluster: Cluster, port: int | None = None) -> tuple[subprocess.Popen[bytes], str, str]:
    """haproxy (Debian's package) in front of the replicas; (process, base URL, its configuration)."""
    binary = shutil.which("haproxy") or "/usr/sbin/haproxy"
    if not Path(binary).exists():
        raise FileNotFoundError("haproxy is not installed (Debian: apt-get install haproxy)")
    port = port or free_port()
    config = haproxy_config(port, cluster.bases)
    path = cluster.logs / "haproxy.cfg"
    path.write_text(config, encoding="utf-8")
    process = cluster._spawn("haproxy", [binary, "-db", "-f", str(path)])
    cluster.replicas.append(process)  # stopped with the rest
    wait_for_port(port)
    return process, f"http://127.0.0.1:{port}", config
