"""The SDK's own client over the real transports, in both protocol generations.

`open_client(transport, mode, ...)`: "stdio" starts the installed console script (`mcp-highlight serve`)
as a desktop client does; "http" serves the HTTP app (as `serve --http` builds it, with its token) from
uvicorn in a thread. `mode` is the SDK's: "legacy" (the initialize handshake, 2025-11-25) or
"2026-07-28" (sessionless). The cloud backend points at the fake hosted API (tests/cloud_fake.py).
"""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from typing import Any, Literal

import httpx2
from cloud_fake import CloudFake, make_cloud_backend
from http_harness import TOKEN, serving_studio
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

from mcp_highlight.backends.local import LocalBackend
from mcp_highlight.core.config import Settings
from mcp_highlight.service.studio import Studio

Transport = Literal["stdio", "http"]
Mode = Literal["legacy", "2026-07-28"]
WAYS: list[tuple[Transport, Mode]] = [
    ("stdio", "legacy"),
    ("stdio", "2026-07-28"),
    ("http", "legacy"),
    ("http", "2026-07-28"),
]
WAY_IDS = [f"{transport}-{mode}" for transport, mode in WAYS]


def console_script() -> list[str]:
    script = Path(sys.executable).with_name("mcp-highlight")
    return [str(script), "serve"] if script.exists() else [sys.executable, "-m", "mcp_highlight", "serve"]


def server_env(home: Path, fake: CloudFake | None, extra: dict[str, str]) -> dict[str, str]:
    env = {**os.environ, "MCP_HIGHLIGHT_HOME": str(home), "MCP_HIGHLIGHT_LOG_LEVEL": "warning", **extra}
    if fake is not None:
        env.update(MCP_HIGHLIGHT_BACKEND="cloud", NEMO_API_URL=fake.base_url, NEMO_WEB_URL="https://web.example")
    return env


def http_studio(home: Path, fake: CloudFake | None, env: dict[str, str]) -> Studio:
    """The studio `serve --http` would make, for local paths under `home`'s parent (the test's folder)."""
    overrides: dict[str, Any] = {"media_roots": os.pathsep.join([str(home.parent), *_media_roots()])}
    if env.get("MCP_HIGHLIGHT_CONFIRM_CREDITS"):
        overrides["confirm_credits"] = env["MCP_HIGHLIGHT_CONFIRM_CREDITS"]
    if fake is not None:
        backend = make_cloud_backend(fake, home, **overrides)
        return Studio(backend, backend.settings)
    settings = Settings(home=home, **overrides).for_remote_clients()
    return Studio(LocalBackend(settings), settings)


def _media_roots() -> list[str]:
    from media_files import MEDIA_CACHE

    return [str(MEDIA_CACHE)]


@asynccontextmanager
async def open_client(
    transport: Transport,
    mode: Mode,
    home: Path,
    *,
    fake: CloudFake | None = None,
    env: dict[str, str] | None = None,
    **client_args: Any,
) -> AsyncIterator[Client]:
    """A connected SDK client; `fake` selects the cloud backend against that fake API."""
    env = env or {}
    if transport == "stdio":
        command = console_script()
        params = StdioServerParameters(command=command[0], args=command[1:], env=server_env(home, fake, env))
        async with Client(params, mode=mode, **client_args) as client:
            yield client
        return
    studio = http_studio(home, fake, env)
    try:
        with serving_studio(studio) as base:
            async with (
                httpx2.AsyncClient(headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60) as http,
                Client(streamable_http_client(f"{base}/mcp", http_client=http), mode=mode, **client_args) as client,
            ):
                yield client
    finally:
        with suppress(Exception):  # its HTTP clients belonged to the server thread's loop
            await studio.aclose()
