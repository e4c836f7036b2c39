"""Where generated test media lives (outside git), and a cached ffmpeg run to make it."""

from __future__ import annotations

import fcntl
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from mcp_highlight.engine.media.ffmpeg import ffmpeg_exe

SHARED_MEDIA = Path(os.environ.get("MCP_HIGHLIGHT_TEST_MEDIA", Path.home() / ".cache" / "mcp-highlight-tests"))
"""The big generated recordings, made once for every worker (`made_once`): on an empty cache each worker
used to make its own copy of the 1080p broadcast (100 MB) at the same time as the other."""
# Under pytest-xdist each worker keeps its own folder for everything else, so no two processes ever write the
# same file (many fixtures write straight to the final path).
MEDIA_CACHE = SHARED_MEDIA / os.environ.get("PYTEST_XDIST_WORKER", "")


@contextmanager
def made_once(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on `path` while it is checked for and made: a second worker waits for the first
    and then finds the file. (Makers still write under a temporary name and rename: other checkouts may share
    the cache without the lock.)"""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(f".{path.name}.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def cached_ffmpeg(path: Path, *args: str) -> Path:
    """Run ffmpeg once per cached file, writing under a temporary name first."""
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}{path.suffix}")  # unique: checkouts may share the cache
    subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *args, str(tmp)], check=True)
    os.replace(tmp, path)
    return path
