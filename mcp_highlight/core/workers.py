"""Run blocking engine work in a thread without losing cancellation.

The engine stops when its progress callback raises; this bridges an async caller's
cancellation to that callback, then waits for the worker to clean up before returning.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

import anyio

from mcp_highlight.core.errors import OperationCancelledError
from mcp_highlight.core.progress import ProgressFn

T = TypeVar("T")
CLEANUP_WAIT_S = 60.0


async def run_cancellable(work: Callable[[ProgressFn], T], progress: ProgressFn) -> T:
    cancelled = threading.Event()
    finished = threading.Event()

    def guarded(fraction: float, message: str) -> None:
        if cancelled.is_set():
            raise OperationCancelledError("Cancelled by the client.")
        progress(fraction, message)

    def run() -> T:
        try:
            return work(guarded)
        finally:
            finished.set()

    try:
        return await anyio.to_thread.run_sync(run, abandon_on_cancel=True)
    except anyio.get_cancelled_exc_class():
        cancelled.set()
        with anyio.CancelScope(shield=True), anyio.move_on_after(CLEANUP_WAIT_S):
            while not finished.is_set():
                await anyio.sleep(0.05)
        raise
