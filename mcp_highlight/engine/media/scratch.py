"""Scratch files that outlive a crash are swept at start-up, unless a live process still holds them.

A render's work folder holds a lock file and a download's partial file is itself locked (flock). The
kernel drops those locks when the holder dies, even by kill -9, so "lock free" means "owner gone",
whichever process (server or CLI) made the file.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import secrets
import shutil
import time
from pathlib import Path

from mcp_highlight.core.logs import get_logger

log = get_logger(__name__)

LOCK_NAME = ".lock"
ORPHAN_PARTIAL_AGE_S = 60.0
_WORK = re.compile(r"^\.(?P<stem>.+)\.work-(?P<token>[0-9a-f]+)$")
_PARTIAL = re.compile(r"^\.(?P<stem>.+)\.partial-(?P<token>[0-9a-f]+)\.\w+$")
_DOWNLOAD = re.compile(r"^\.download-\w+$")
_held: dict[Path, int] = {}


def partial_path(target: Path) -> Path:
    """The hidden name `target` is written under until complete (`.reel.partial-1a2b3c4d.mp4`): the sweep
    knows the pattern, so one left by a killed process is removed at the next start."""
    return target.with_name(f".{target.stem}.partial-{secrets.token_hex(4)}{target.suffix or '.tmp'}")


def lock_fd(fd: int) -> None:
    """Mark an open scratch file as live for as long as `fd` stays open."""
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def claim(work: Path) -> None:
    """Create the work folder `work` and hold its lock until `release(work)`."""
    work.mkdir()
    fd = os.open(work / LOCK_NAME, os.O_CREAT | os.O_WRONLY | os.O_CLOEXEC, 0o600)
    lock_fd(fd)
    _held[work] = fd


def release(work: Path) -> None:
    """Remove the work folder, then drop its lock."""
    shutil.rmtree(work, ignore_errors=True)
    fd = _held.pop(work, None)
    if fd is not None:
        os.close(fd)


def _is_free(path: Path) -> bool:
    """True when no live process holds the lock on `path` (a missing lock file counts as free)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:
        return False
    finally:
        os.close(fd)


def sweep(folder: Path) -> list[str]:
    """Remove work folders, partial files and partial downloads in `folder` that no live process owns,
    and partial files in its sub-folders (clip packs) one level down."""
    removed: list[str] = []
    if not folder.is_dir():
        return removed
    for sub in sorted(folder.iterdir()):
        if sub.is_dir() and not sub.is_symlink() and not sub.name.startswith("."):
            removed += [f"{sub.name}/{name}" for name in _sweep_partials(sub, set(), set())]
    live_tokens: set[str] = set()
    dead_tokens: set[str] = set()
    entries = sorted(folder.iterdir())
    for entry in entries:
        work = _WORK.match(entry.name)
        if work and entry.is_dir() and not entry.is_symlink():
            if _is_free(entry / LOCK_NAME):
                shutil.rmtree(entry, ignore_errors=True)
                removed.append(entry.name)
                dead_tokens.add(work["token"])
            else:
                live_tokens.add(work["token"])
    removed += _sweep_partials(folder, live_tokens, dead_tokens)
    if removed:
        log.info("scratch.swept", folder=folder.name, removed=len(removed))
    return removed


def _sweep_partials(folder: Path, live_tokens: set[str], dead_tokens: set[str]) -> list[str]:
    removed: list[str] = []
    now = time.time()
    for entry in sorted(folder.iterdir()):
        partial = _PARTIAL.match(entry.name)
        stale_partial = (
            partial is not None
            and partial["token"] not in live_tokens
            and (partial["token"] in dead_tokens or _age(entry, now) > ORPHAN_PARTIAL_AGE_S)
        )
        stale_download = _DOWNLOAD.match(entry.name) is not None and _is_free(entry)
        if (stale_partial or stale_download) and entry.is_file() and not entry.is_symlink():
            with contextlib.suppress(FileNotFoundError):
                entry.unlink()
            removed.append(entry.name)
    return removed


def _age(path: Path, now: float) -> float:
    try:
        return now - path.lstat().st_mtime
    except FileNotFoundError:
        return 0.0
