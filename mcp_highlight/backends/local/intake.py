"""Bring a file into a session: a local path the user can read, or an http(s) URL downloaded with progress."""

from __future__ import annotations

import os
import re
import secrets
import tempfile
import time
from pathlib import Path
from typing import IO
from urllib.parse import unquote, urlparse

import httpx

from mcp_highlight.core.errors import (
    BackendUnavailableError,
    BadInputError,
    MediaNotFoundError,
    MediaTooLargeError,
    UnsupportedMediaError,
)
from mcp_highlight.core.progress import ProgressFn
from mcp_highlight.core.source_policy import SourcePolicy, shown_url
from mcp_highlight.engine.media import kinds as media_kinds
from mcp_highlight.engine.media import scratch

SUPPORTED = media_kinds.supported_text()
MAX_REDIRECTS = 5

kind_of = media_kinds.kind_of
"""What a local file is (video, image or audio), decided by its content; see `engine.media_kinds`."""


def is_url(source: str) -> bool:
    return re.match(r"^https?://", source.strip(), re.I) is not None


def local_file(source: str, max_bytes: int, policy: SourcePolicy | None = None) -> Path:
    """The readable regular file behind `source` (as `policy` allows), or a specific error."""
    path = (policy or SourcePolicy()).local_path(source)  # a regular file: reading it cannot block
    size = path.stat().st_size
    if size > max_bytes:
        raise MediaTooLargeError(
            f"{path.name!r} is {size / 2**20:.0f} MB, over the {max_bytes / 2**20:.0f} MB limit.",
            hint="Trim it to the key sections or compress it first.",
        )
    kind_of(path)
    return path


def download(
    url: str,
    folder: Path,
    max_bytes: int,
    progress: ProgressFn,
    *,
    policy: SourcePolicy | None = None,
    read_timeout: float = 30.0,
    deadline_s: float = 600.0,
) -> Path:
    """Stream a URL to disk (never into memory), refusing it as soon as it passes the size limit.

    Each read waits at most `read_timeout`, the whole download at most about `deadline_s`; redirects
    are followed by hand so `policy` checks every hop. On any failure nothing is left in `folder`.
    The partial file is locked while it is written, so the start-up sweep knows it is live.
    """
    policy = policy or SourcePolicy()
    name = Path(unquote(urlparse(url).path)).name or "download"
    folder.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    fd, partial = tempfile.mkstemp(prefix=".download-", dir=folder)
    scratch.lock_fd(fd)
    timeout = httpx.Timeout(min(read_timeout, deadline_s), connect=min(10.0, deadline_s))
    try:
        with os.fdopen(fd, "wb") as out, httpx.Client(timeout=timeout, follow_redirects=False) as client:
            current = url
            for _hop in range(MAX_REDIRECTS + 1):
                policy.check_url(current)
                with client.stream("GET", current) as reply:
                    if reply.is_redirect and "location" in reply.headers:
                        current = str(reply.url.join(reply.headers["location"]))
                        if not is_url(current):
                            raise MediaNotFoundError(f"Downloading {shown_url(url)} redirected to a non-http address.")
                        continue
                    _copy_body(reply, out, url, max_bytes, progress, started, deadline_s)
                    break
            else:
                raise MediaNotFoundError(f"Downloading {shown_url(url)} redirected more than {MAX_REDIRECTS} times.")
            out.flush()
            _check_kind(Path(partial), url)
            target = folder / f"{secrets.token_hex(4)}-{name}"
            os.replace(partial, target)  # while still locked: a concurrent sweep never sees it unlocked
        return target
    except httpx.HTTPError as exc:
        raise BackendUnavailableError(f"Could not download {shown_url(url)}: {type(exc).__name__}.") from exc
    finally:
        if os.path.exists(partial):
            os.unlink(partial)


def _copy_body(
    reply: httpx.Response,
    out: IO[bytes],
    url: str,
    max_bytes: int,
    progress: ProgressFn,
    started: float,
    deadline_s: float,
) -> None:
    if reply.status_code >= 400:
        raise MediaNotFoundError(f"Downloading {shown_url(url)} failed with HTTP {reply.status_code}.")
    total = int(reply.headers.get("content-length") or 0)
    if total > max_bytes:
        raise MediaTooLargeError(
            f"The file at {shown_url(url)} is {total / 2**20:.0f} MB, over the {max_bytes / 2**20:.0f} MB limit.",
            hint="Trim it to the key sections or compress it first.",
        )
    done = 0
    for chunk in reply.iter_bytes():  # no chunk size: yields as bytes arrive, so the deadline is checked often
        done += len(chunk)
        if done > max_bytes:
            raise MediaTooLargeError(f"The file at {shown_url(url)} is over the {max_bytes / 2**20:.0f} MB limit.")
        if time.monotonic() - started > deadline_s:
            raise BackendUnavailableError(
                f"Downloading {shown_url(url)} took longer than the {deadline_s:g} s limit; stopped after "
                f"{done / 2**20:.1f} MB.",
                hint="Use a faster source, or raise MCP_HIGHLIGHT_DOWNLOAD_TIMEOUT.",
            )
        out.write(chunk)
        progress(done / total if total else 0.0, f"Downloading {done / 2**20:.0f} MB")


def _check_kind(partial: Path, url: str) -> None:
    """Refuse a web page or an archive now, by what was downloaded."""
    try:
        kind_of(partial)
    except BadInputError as exc:
        detail = exc.message.split(": ", 1)[-1] if ": " in exc.message else "FFmpeg cannot read it"
        raise UnsupportedMediaError(
            f"The file at {shown_url(url)} is not a video, picture or sound file ({detail.rstrip('.')}).",
            hint=exc.hint,
        ) from exc
