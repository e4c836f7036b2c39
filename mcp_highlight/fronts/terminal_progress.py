"""Progress on the command line: a bar on a terminal, a few plain lines when piped (both on stderr).

Only the stage's own word and a percentage are shown: the engine's inner step names ("Mixing audio",
"Done") mean nothing to a person and change too often to read in a log.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

from mcp_highlight.core.progress import ProgressFn

PIPED_EVERY_S = 10.0
"""Piped (not a terminal), progress is one line when a stage starts and then at most one every 10 s."""


@contextmanager
def terminal_progress(label: str, *, quiet: bool = False) -> Iterator[ProgressFn]:
    """A rich bar on a terminal; piped, one line when the stage starts and at most one every 10 s."""
    if quiet:
        yield lambda fraction, message: None
        return
    if sys.stderr.isatty():
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        with Progress(
            TextColumn("{task.description:<12}"),
            BarColumn(),
            TextColumn("{task.percentage:>3.0f}%"),
            TimeElapsedColumn(),
            transient=True,
        ) as bar:
            task = bar.add_task(label, total=1.0)
            yield lambda fraction, message: bar.update(task, completed=max(0.0, min(1.0, fraction)))
        return
    shown_at: list[float] = []

    def plain(fraction: float, message: str) -> None:
        now = time.monotonic()
        if not shown_at:
            print(f"{label}...", file=sys.stderr, flush=True)
            shown_at.append(now)
        elif now - shown_at[-1] >= PIPED_EVERY_S:
            print(f"{label} {max(0.0, min(1.0, fraction)) * 100:.0f}%", file=sys.stderr, flush=True)
            shown_at.append(now)

    yield plain
