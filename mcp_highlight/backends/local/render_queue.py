"""A fixed number of exports render at once (MCP_HIGHLIGHT_MAX_RENDERS); the others wait in line.

Each export runs FFmpeg, which takes every core it can: four at once on two cores finish later than
one after another, and starve the server. Waiting exports are served first come, first served, and
report their place in line through their progress, so a client sees why nothing moves yet.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from mcp_highlight.core.progress import ProgressFn


class RenderQueue:
    def __init__(self, slots: int) -> None:
        self.slots = slots
        self._running = 0
        self._line: list[object] = []
        self._changed = asyncio.Condition()

    @property
    def running(self) -> int:
        return self._running

    @asynccontextmanager
    async def turn(self, progress: ProgressFn) -> AsyncIterator[None]:
        """Wait for a free slot (saying how many are ahead), hold it for the block, then hand it on."""
        me = object()
        async with self._changed:
            self._line.append(me)
            try:
                while self._running >= self.slots or self._line[0] is not me:
                    ahead = self._line.index(me) + max(0, self._running - self.slots + 1)
                    progress(0.0, f"Waiting to render: {ahead} ahead in line")
                    await self._changed.wait()
            finally:  # served or cancelled: out of the line, and the others learn their new place
                self._line.remove(me)
                self._changed.notify_all()
            self._running += 1
        try:
            yield
        finally:
            async with self._changed:
                self._running -= 1
                self._changed.notify_all()
