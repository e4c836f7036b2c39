"""Connect an in-process MCP client to a server built on a given backend (local, or cloud + fake)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from mcp import Client
from mcp_types import CallToolResult
from media_files import MEDIA_CACHE  # noqa: F401 (re-exported for the tests)

from mcp_highlight.backends.base import Backend
from mcp_highlight.core.config import Settings
from mcp_highlight.fronts.server import build_server
from mcp_highlight.service.studio import Studio


class ProgressLog:
    def __init__(self) -> None:
        self.events: list[tuple[float, float | None, str | None]] = []

    async def __call__(self, progress: float, total: float | None, message: str | None) -> None:
        self.events.append((progress, total, message))


@asynccontextmanager
async def connect(backend: Backend, settings: Settings, **client_args: Any) -> AsyncIterator[Client]:
    studio = Studio(backend, settings)
    try:
        async with Client(build_server(studio), **client_args) as client:
            yield client
    finally:
        await studio.aclose()


def text_of(result: CallToolResult) -> str:
    return "\n".join(block.text for block in result.content if getattr(block, "type", "") == "text")
