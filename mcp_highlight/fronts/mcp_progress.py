"""Bridge engine progress (sync, from worker threads) to MCP progress notifications.

Workers call a plain function that records the latest (fraction, message); a pump task sends
it as a notification when it changes, and again every few seconds while work goes on, so clients that
reset their timeout on progress keep waiting. Each value sent is above the one before (as the spec asks):
a repeat steps up by a hundredth of a percent, and a report that went back (a retried job) is held.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

import anyio
from mcp.server.mcpserver import Context

from mcp_highlight.core.logs import get_logger
from mcp_highlight.core.progress import ProgressFn

log = get_logger(__name__)
TICK_S = 0.25
HEARTBEAT_S = 3.0
STEP = 0.01


@asynccontextmanager
async def progress_notifications(ctx: Context, first_message: str = "Starting") -> AsyncIterator[ProgressFn]:
    latest: list[tuple[float, str]] = [(0.0, first_message)]

    def report(fraction: float, message: str) -> None:
        latest[0] = (min(max(fraction, 0.0), 1.0), message)

    async def pump() -> None:
        sent: tuple[float, str] | None = None
        sent_at, value = 0.0, -1.0
        while True:
            now = time.monotonic()
            current = latest[0]
            if current != sent or now - sent_at >= HEARTBEAT_S:
                # the spec wants each value above the last: a repeat (heartbeat, same fraction) steps up a hair
                value = min(max(round(current[0] * 100, 1), round(value + STEP, 3)), 100.0)
                if value < 100.0 or sent is None or sent[0] < 1.0:
                    with suppress(Exception):  # a client without a progress token gets nothing; that's fine
                        await ctx.report_progress(value, 100, current[1])
                sent, sent_at = current, now
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
