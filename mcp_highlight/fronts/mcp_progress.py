"""Bridge engine progress (sync, from worker threads) to MCP progress notifications.

Workers call a plain function that records the latest (fraction, message); a pump task sends it as
a notification when it moved. The spec wants every value above the one before and the last equal
to the total, so nothing is re-sent as a heartbeat (the transport keeps the connection alive: the
SDK pings on 2026-07-28 connections); a new message at the same fraction goes out one step higher,
and the total itself is sent once, when the work has succeeded.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

import anyio
from mcp.server.mcpserver import Context

from mcp_highlight.core.progress import ProgressFn

TICK_S = 0.25
TOTAL = 100.0
STEP = 0.1
"""Values are percentages to one decimal; a message change without progress moves up by this much."""


class IncreasingProgress:
    """Chooses the value of each notification so the sequence strictly increases and ends at TOTAL."""

    def __init__(self) -> None:
        self.sent: float | None = None
        self.message: str | None = None

    def next(self, fraction: float, message: str) -> float | None:
        """The value to send for (fraction, message), or None when there is nothing new to say."""
        value = min(round(min(max(fraction, 0.0), 1.0) * TOTAL, 1), TOTAL - STEP)  # TOTAL waits for the end
        if self.sent is not None and value <= self.sent:
            if message == self.message:
                return None
            value = round(self.sent + STEP, 1)
            if value >= TOTAL:
                return None
        self.sent, self.message = value, message
        return value

    def last(self, message: str) -> float | None:
        """TOTAL, unless it was sent already."""
        if self.sent == TOTAL:
            return None
        self.sent, self.message = TOTAL, message
        return TOTAL


@asynccontextmanager
async def progress_notifications(ctx: Context, first_message: str = "Starting") -> AsyncIterator[ProgressFn]:
    latest: list[tuple[float, str]] = [(0.0, first_message)]
    values = IncreasingProgress()

    def report(fraction: float, message: str) -> None:
        latest[0] = (fraction, message)

    async def send(value: float | None, message: str) -> None:
        if value is not None:
            with suppress(Exception):  # a client without a progress token gets nothing; that's fine
                await ctx.report_progress(value, TOTAL, message)

    async def pump() -> None:
        while True:
            fraction, message = latest[0]
            await send(values.next(fraction, message), message)
            await anyio.sleep(TICK_S)

    failure: Exception | None = None
    async with anyio.create_task_group() as group:
        group.start_soon(pump)
        try:
            yield report
        except Exception as exc:  # re-raised below, outside the group, so it is not wrapped in an ExceptionGroup
            failure = exc
        finally:
            group.cancel_scope.cancel()
    if failure is not None:
        raise failure
    await send(values.last(latest[0][1]), latest[0][1])
