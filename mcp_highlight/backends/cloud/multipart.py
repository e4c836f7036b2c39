"""A one-file multipart body, streamed from disk so a 500 MB recording never sits in memory."""

from __future__ import annotations

import asyncio
import mimetypes
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

from mcp_highlight.backends.cloud.client import BodyFactory
from mcp_highlight.core.progress import ProgressFn

UPLOAD_CHUNK = 256 * 1024


def _quote_filename(name: str) -> str:
    return name.replace("\\", "\\\\").replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


def multipart_file(path: Path, name: str, progress: ProgressFn) -> tuple[int, str, BodyFactory]:
    """(content length, content type, body factory) of a one-file multipart body under the field `files`.

    The file is read chunk by chunk as the body is sent: a 500 MB recording never sits in memory.
    """
    boundary = uuid.uuid4().hex
    mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{_quote_filename(name)}"\r\n'
        f"Content-Type: {mime}\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    size = path.stat().st_size

    async def body() -> AsyncIterator[bytes]:
        yield head
        sent = 0
        with path.open("rb") as handle:
            while chunk := await asyncio.to_thread(handle.read, UPLOAD_CHUNK):
                sent += len(chunk)
                yield chunk
                progress(sent / size if size else 1.0, f"Uploading {name}: {sent / 1e6:.0f} of {size / 1e6:.0f} MB")
        yield tail

    return len(head) + size + len(tail), f"multipart/form-data; boundary={boundary}", body
