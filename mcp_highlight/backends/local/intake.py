"""Bring a file into a session: a local path the user can read, or an http(s) URL downloaded with progress."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import time
from pathlib import Path
from typing import IO, NamedTuple
from urllib.parse import unquote, urlparse

import httpx

from mcp_highlight.core.errors import (
    BadInputError,
    MediaNotFoundError,
    MediaTooLargeError,
    SourceUnreachableError,
    UnsupportedMediaError,
)
from mcp_highlight.core.names import safe_name
from mcp_highlight.core.pinned_http import DeadlinePassedError, PinnedTransport
from mcp_highlight.core.progress import ProgressFn
from mcp_highlight.core.source_policy import SourcePolicy, shown_url
from mcp_highlight.engine.media import kinds as media_kinds
from mcp_highlight.engine.media import scratch

SUPPORTED = media_kinds.supported_text()
MAX_REDIRECTS = 5

kind_of = media_kinds.kind_of
"""What a local file is (video, image or audio), decided by its content; see `engine.media_kinds`."""


class Downloaded(NamedTuple):
    """Where a download is kept; `reused` when the same content was already there (and is not ours to delete)."""

    path: Path
    reused: bool = False


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
    quota_bytes: int | None = None,
) -> Downloaded:
    """Stream a URL to disk (never into memory), refusing it as soon as it passes the size limit.

    The bytes counted are the bytes received: the request asks for no content coding and a reply that
    uses one anyway is refused (a few kB of gzip can decode to gigabytes). Each hop's host is resolved
    once, every address checked by `policy`, and the connection made to that very address (see
    `pinned_http`); redirects are followed by hand so every hop is checked. One deadline covers
    connecting, headers and body, and each read waits at most `read_timeout`. On any failure nothing
    is left in `folder`; the partial file is locked while written, so the start-up sweep knows it is live.

    `folder` holds one owner's downloads: all of them together may take at most `quota_bytes`, and a
    download whose content is already there is not kept twice (the existing copy is returned).
    """
    policy = policy or SourcePolicy()
    name = safe_name(Path(unquote(urlparse(url).path)).name) or "download"
    folder.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + deadline_s
    fd, partial = tempfile.mkstemp(prefix=".download-", dir=folder)
    scratch.lock_fd(fd)
    timeout = httpx.Timeout(min(read_timeout, deadline_s), connect=min(10.0, deadline_s))
    try:
        with os.fdopen(fd, "wb") as out:
            limit = Limit(max_bytes, None if quota_bytes is None else quota_bytes - _stored_bytes(folder), quota_bytes)
            _fetch(url, out, limit, progress, policy, timeout, deadline, deadline_s)
            out.flush()
            _check_kind(Path(partial), url)
            digest = _digest(Path(partial))
            for existing in folder.glob(f"{digest}-*"):
                return Downloaded(existing, reused=True)  # the same content, downloaded before: kept once
            target = folder / f"{digest}-{name}"
            os.replace(partial, target)  # while still locked: a concurrent sweep never sees it unlocked
        return Downloaded(target, reused=False)
    except (httpx.TimeoutException, DeadlinePassedError) as exc:
        raise _too_slow(url, deadline_s) from exc
    except httpx.ConnectError as exc:
        raise SourceUnreachableError(
            f"Could not connect to {shown_url(url)} (nothing answered there).",
            hint="Check the address and port, and that the server is running.",
        ) from exc
    except httpx.HTTPError as exc:
        raise SourceUnreachableError(
            f"Could not download {shown_url(url)}: the connection failed ({_reason(exc)}).",
            hint="Check the URL and try again.",
        ) from exc
    finally:
        if os.path.exists(partial):
            os.unlink(partial)


class Limit(NamedTuple):
    """How many bytes a download may bring: the size limit, and the room left in its owner's quota."""

    max_bytes: int
    room: int | None = None
    quota: int | None = None

    def check(self, url: str, size: int) -> None:
        if size > self.max_bytes:
            raise MediaTooLargeError(
                f"The file at {shown_url(url)} is over the {self.max_bytes / 2**20:.0f} MB limit.",
                hint="Trim it to the key sections or compress it first.",
            )
        if self.room is not None and self.quota is not None and size > self.room:
            raise MediaTooLargeError(
                f"The file at {shown_url(url)} does not fit in the {self.quota / 2**20:.0f} MB kept for your "
                f"uploads ({max(0, self.room) / 2**20:.0f} MB left).",
                hint="The operator can raise MCP_HIGHLIGHT_UPLOAD_QUOTA.",
            )


def _stored_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))


def _digest(path: Path) -> str:
    hasher = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            hasher.update(block)
    return hasher.hexdigest()[:16]


def _fetch(
    url: str,
    out: IO[bytes],
    limit: Limit,
    progress: ProgressFn,
    policy: SourcePolicy,
    timeout: httpx.Timeout,
    deadline: float,
    deadline_s: float,
) -> None:
    current = url
    for _hop in range(MAX_REDIRECTS + 1):
        address = policy.resolve_url(current)  # resolved once; the connection goes to this address only
        transport = PinnedTransport(address, deadline=deadline)
        with (
            httpx.Client(transport=transport, timeout=timeout, follow_redirects=False) as client,
            client.stream("GET", current, headers={"Accept-Encoding": "identity"}) as reply,
        ):
            if reply.is_redirect and "location" in reply.headers:
                current = str(reply.url.join(reply.headers["location"]))
                if not is_url(current):
                    raise MediaNotFoundError(f"Downloading {shown_url(url)} redirected to a non-http address.")
                continue
            _copy_body(reply, out, url, limit, progress, deadline, deadline_s)
            return
    raise MediaNotFoundError(f"Downloading {shown_url(url)} redirected more than {MAX_REDIRECTS} times.")


def _copy_body(
    reply: httpx.Response,
    out: IO[bytes],
    url: str,
    limit: Limit,
    progress: ProgressFn,
    deadline: float,
    deadline_s: float,
) -> None:
    if reply.status_code >= 400:
        raise MediaNotFoundError(f"Downloading {shown_url(url)} failed with HTTP {reply.status_code}.")
    total = int(reply.headers.get("content-length") or 0)
    limit.check(url, total)
    coding = reply.headers.get("content-encoding", "identity").strip().lower()
    if coding not in ("", "identity"):
        raise UnsupportedMediaError(
            f"The server of {shown_url(url)} sent the file compressed ({coding[:40]}), which is refused: its size "
            "once unpacked cannot be known in advance.",
            hint="Serve the file as it is (no Content-Encoding), as servers normally do for video.",
        )
    done = 0
    for chunk in reply.iter_raw():  # raw bytes as they arrive: what is counted is what reaches memory
        done += len(chunk)
        limit.check(url, done)
        if time.monotonic() > deadline:
            raise _too_slow(url, deadline_s, done)
        out.write(chunk)
        progress(done / total if total else 0.0, f"Downloading {done / 2**20:.0f} MB")


def _too_slow(url: str, deadline_s: float, done: int | None = None) -> SourceUnreachableError:
    got = f"; stopped after {done / 2**20:.1f} MB" if done is not None else ""
    return SourceUnreachableError(
        f"Downloading {shown_url(url)} took longer than the {deadline_s:g} s limit{got}.",
        hint="Use a faster source, or raise MCP_HIGHLIGHT_DOWNLOAD_TIMEOUT.",
    )


def _reason(exc: httpx.HTTPError) -> str:
    """A short, fixed description of a transport failure (never the exception's own text, which may hold the URL)."""
    if isinstance(exc, httpx.RemoteProtocolError):
        return "the server broke the HTTP protocol"
    if isinstance(exc, httpx.ReadError | httpx.WriteError):
        return "the connection broke"
    return type(exc).__name__


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
