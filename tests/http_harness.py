"""The real transports for hostile-input tests: uvicorn on 127.0.0.1, the stdio console script, and a
small media server with misbehaving routes (no length, drip feed, redirects)."""

from __future__ import annotations

import gzip
import http.server
import os
import socket
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any, ClassVar

import httpx2
import uvicorn
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

from mcp_highlight.backends.local import LocalBackend
from mcp_highlight.core.config import Settings
from mcp_highlight.fronts.http_app import build_http_app
from mcp_highlight.fronts.server import build_server
from mcp_highlight.service.studio import Studio

TOKEN = "test-token-0123456789abcdef"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serve_http(settings: Settings, token: str = TOKEN) -> Iterator[str]:
    """The HTTP app as `serve --http` builds it (remote mode), in a thread; yields the base URL."""
    settings = settings.for_remote_clients()
    with serving_studio(Studio(LocalBackend(settings), settings), token) as base:
        yield base


@contextmanager
def serving_studio(studio: Studio, token: str = TOKEN, *, any_render: bool = False) -> Iterator[str]:
    """`studio` behind build_server + build_http_app as `serve --http` puts them together, under uvicorn on
    127.0.0.1 in a thread; yields the base URL. The caller owns the studio. `any_render` serves every file
    in the renders folder to any token holder (for tests of the route's token and path checks alone)."""
    port = free_port()
    mcp = build_server(studio, download_base=f"http://127.0.0.1:{port}")
    app = build_http_app(
        mcp,
        renders_dir=studio.settings.renders_dir,
        host="127.0.0.1",
        port=port,
        token=token,
        may_download=None if any_render else studio.owns_render,
    )
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@asynccontextmanager
async def http_client(base: str, token: str = TOKEN, **options: Any) -> AsyncIterator[Client]:
    async with (
        httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=60) as http,
        Client(streamable_http_client(f"{base}/mcp", http_client=http), **options) as client,
    ):
        yield client


@asynccontextmanager
async def stdio_client(home: Path, **env: str) -> AsyncIterator[Client]:
    """The installed console script over stdio, as a desktop client starts it."""
    script = Path(sys.executable).with_name("mcp-highlight")
    command = [str(script), "serve"] if script.exists() else [sys.executable, "-m", "mcp_highlight", "serve"]
    full_env = {**os.environ, "MCP_HIGHLIGHT_HOME": str(home), **env}
    async with Client(StdioServerParameters(command=command[0], args=command[1:], env=full_env)) as client:
        yield client


class _MediaHandler(http.server.BaseHTTPRequestHandler):
    """HTTP/1.0: bodies without Content-Length end when the connection closes."""

    clip: bytes = b""
    drip_interval_s = 0.25
    # each server gets its own lists (see `media_host`): what was asked for, and how much of /slow-headers went out
    seen: ClassVar[list[tuple[str, str]]] = []  # (path, Host header) of every request
    headers_seen: ClassVar[list[dict[str, str]]] = []
    slow_headers_sent: ClassVar[list[int]] = []

    def do_GET(self) -> None:
        self.seen.append((self.path, self.headers.get("Host", "")))
        self.headers_seen.append({k.lower(): v for k, v in self.headers.items()})
        if self.path == "/clip.mp4" or self.path.startswith("/named/"):  # /named/<any name>: the clip
            self._head(200, {"Content-Length": str(len(self.clip))})
            self.wfile.write(self.clip)
        elif self.path.startswith("/zeros-"):  # /zeros-<bytes>.mp4, no Content-Length
            size = int(self.path.removeprefix("/zeros-").removesuffix(".mp4"))
            self._head(200, {})
            for start in range(0, size, 1 << 16):
                self.wfile.write(b"\0" * min(1 << 16, size - start))
        elif self.path == "/drip.mp4":  # one byte every 0.25 s for two minutes: never a read timeout
            self._head(200, {})
            try:
                for _ in range(480):
                    self.wfile.write(b"\0")
                    self.wfile.flush()
                    time.sleep(self.drip_interval_s)
            except OSError:
                return
        elif self.path.startswith("/clip-padded-"):  # the clip, then a 'free' box: other bytes, same video
            pad = int(self.path.removeprefix("/clip-padded-").removesuffix(".mp4")) % 1000 + 8
            body = self.clip + pad.to_bytes(4, "big") + b"free" + bytes(pad - 8)
            self._head(200, {"Content-Length": str(len(body))})
            self.wfile.write(body)
        elif self.path == "/gzip-bomb.mp4":  # 1 MiB of zeros gzipped twice: a few kB on the wire
            body = gzip.compress(gzip.compress(bytes(1 << 20)))
            self._head(200, {"Content-Encoding": "gzip, gzip", "Content-Length": str(len(body))})
            self.wfile.write(body)
        elif self.path == "/slow-headers.mp4":  # the status line and headers one byte every 0.25 s
            head = b"HTTP/1.0 200 OK\r\nContent-Type: video/mp4\r\n" + b"X-Pad: " + b"a" * 400 + b"\r\n\r\n"
            try:
                for byte in head:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    self.slow_headers_sent.append(byte)
                    time.sleep(self.drip_interval_s)
                self.wfile.write(self.clip)
            except OSError:
                return
        elif self.path.startswith("/to/"):  # /to/<url>: a redirect there
            self._head(302, {"Location": self.path.removeprefix("/to/")})
        else:
            self._head(404, {"Content-Length": "0"})

    def _head(self, status: int, headers: dict[str, str]) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "video/mp4")
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def media_host(clip: Path) -> Iterator[tuple[str, type[_MediaHandler]]]:
    """The media server and its handler class, whose `seen` lists every request (path, Host header)."""
    handler = type("Handler", (_MediaHandler,), {"clip": clip.read_bytes(), "seen": [], "slow_headers_sent": [], "headers_seen": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def media_server(clip: Path) -> Iterator[str]:
    with media_host(clip) as (base, _handler):
        yield base
