"""Bring a file into a session: a local path the user can read, or an http(s) URL downloaded with progress."""

from __future__ import annotations

import os
import re
import secrets
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlparse

import httpx

from mcp_highlight.engine import media_kinds
from mcp_highlight.errors import (
    BackendUnavailableError,
    BadInputError,
    MediaNotFoundError,
    MediaTooLargeError,
    UnsupportedMediaError,
)
from mcp_highlight.progress import ProgressFn

SUPPORTED = media_kinds.supported_text()
DOWNLOAD_CHUNK = 1 << 20

kind_of = media_kinds.kind_of
"""What a local file is (video, image or audio), decided by its content; see `engine.media_kinds`."""


def is_url(source: str) -> bool:
    return re.match(r"^https?://", source.strip(), re.I) is not None


def local_file(source: str, max_bytes: int) -> Path:
    """The readable regular file behind `source`, or a specific error."""
    path = Path(os.path.expanduser(source.strip())).resolve()
    if not path.exists():
        raise MediaNotFoundError(f"No file at {str(path)!r}.", hint="Check the path; it must be on this computer.")
    if path.is_dir():
        raise BadInputError(f"{str(path)!r} is a folder, not a file.", hint="Give the path of one video file.")
    if not os.access(path, os.R_OK):
        raise BadInputError(f"{str(path)!r} cannot be read (permission denied).", hint="Check the file's permissions.")
    size = path.stat().st_size
    if size > max_bytes:
        raise MediaTooLargeError(
            f"{path.name!r} is {size / 2**20:.0f} MB, over the {max_bytes / 2**20:.0f} MB limit.",
            hint="Trim it to the key sections or compress it first.",
        )
    kind_of(path)
    return path


def download(url: str, folder: Path, max_bytes: int, progress: ProgressFn, *, timeout: float = 30.0) -> Path:
    """Stream a URL to disk (never into memory), refusing it as soon as it passes the size limit."""
    name = Path(unquote(urlparse(url).path)).name or "download"
    folder.mkdir(parents=True, exist_ok=True)
    fd, partial = tempfile.mkstemp(prefix=".download-", dir=folder)
    try:
        with os.fdopen(fd, "wb") as out, httpx.stream("GET", url, follow_redirects=True, timeout=timeout) as reply:
            if reply.status_code >= 400:
                raise MediaNotFoundError(f"Downloading {url!r} failed with HTTP {reply.status_code}.")
            total = int(reply.headers.get("content-length") or 0)
            if total > max_bytes:
                raise MediaTooLargeError(
                    f"The file at {url!r} is {total / 2**20:.0f} MB, over the {max_bytes / 2**20:.0f} MB limit.",
                    hint="Trim it to the key sections or compress it first.",
                )
            done = 0
            for chunk in reply.iter_bytes(DOWNLOAD_CHUNK):
                done += len(chunk)
                if done > max_bytes:
                    raise MediaTooLargeError(f"The file at {url!r} is over the {max_bytes / 2**20:.0f} MB limit.")
                out.write(chunk)
                progress(done / total if total else 0.0, f"Downloading {done / 2**20:.0f} MB")
        try:
            kind_of(Path(partial))  # refuse a web page or an archive now, by what was downloaded
        except BadInputError as exc:
            detail = exc.message.split(": ", 1)[-1] if ": " in exc.message else "FFmpeg cannot read it"
            raise UnsupportedMediaError(
                f"The file at {url!r} is not a video, picture or sound file ({detail.rstrip('.')}).", hint=exc.hint
            ) from exc
        target = folder / f"{secrets.token_hex(4)}-{name}"
        os.replace(partial, target)
        return target
    except httpx.HTTPError as exc:
        raise BackendUnavailableError(f"Could not download {url!r}: {type(exc).__name__}.") from exc
    finally:
        if os.path.exists(partial):
            os.unlink(partial)
