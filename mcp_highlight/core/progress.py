"""Progress reporting shared by the engine and the fronts.

Long work calls `progress(fraction, message)` often (at least every second or so).
The callback may raise `OperationCancelledError` to stop the work: that is the one
cancellation mechanism, so every long loop is also a cancellation point.
"""

from __future__ import annotations

from typing import Protocol


class ProgressFn(Protocol):
    def __call__(self, fraction: float, message: str) -> None: ...


def no_progress(fraction: float, message: str) -> None:
    """Default callback: report nothing, never cancel."""


def scaled(progress: ProgressFn, start: float, end: float) -> ProgressFn:
    """Map a sub-task's 0..1 onto [start, end] of the parent's progress."""

    def report(fraction: float, message: str) -> None:
        progress(start + (end - start) * min(max(fraction, 0.0), 1.0), message)

    return report
