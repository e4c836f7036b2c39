"""Bringing a file to the hosted agent: what it accepts, a local file checked against our limits, the upload call."""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlparse

from mcp_highlight.backends.cloud.client import NemoClient, supported_formats_hint, trim_hint
from mcp_highlight.backends.cloud.models import SUPPORTED_EXTENSIONS, UrlUploadRequest
from mcp_highlight.backends.cloud.multipart import multipart_file
from mcp_highlight.core.config import Settings
from mcp_highlight.core.errors import MediaTooLargeError, UnsupportedMediaError
from mcp_highlight.core.progress import ProgressFn, scaled


def check_extension(name: str) -> None:
    ext = PurePosixPath(name).suffix.lower().lstrip(".")
    if ext not in SUPPORTED_EXTENSIONS:
        raise UnsupportedMediaError(
            f"NemoVideo does not accept {'.' + ext if ext else 'files without an extension'} files ({name}).",
            hint=supported_formats_hint(),
        )


def url_source(url: str) -> tuple[str, str, None]:
    """(url, name, unknown size); the name's extension is checked when it has one."""
    name = PurePosixPath(urlparse(url).path).name or url
    if PurePosixPath(name).suffix:
        check_extension(name)
    return url, name, None


def local_source(settings: Settings, source: str) -> tuple[str, str, int]:
    """(path, name, size) of a local file the policy allows (over HTTP: only the shared folders), under the limit."""
    path = settings.source_policy().local_path(source)
    check_extension(path.name)
    size = path.stat().st_size
    if size > settings.max_bytes:
        raise MediaTooLargeError(
            f"{path.name} is {size / 1e6:.0f} MB, over the {settings.max_bytes // (1024 * 1024)} MB upload limit.",
            hint=trim_hint(settings.max_bytes),
        )
    return str(path), path.name, size


async def send_upload(
    client: NemoClient, source: str, session_id: str, is_url: bool, name: str, progress: ProgressFn
) -> Any:
    path = f"/api/upload-video/nemo_agent/me/{session_id}"
    if is_url:
        progress(0.1, f"Asking NemoVideo to fetch {name}")
        return await client.call("POST", path, json_body=UrlUploadRequest(urls=[source]).model_dump())
    length, content_type, body = multipart_file(Path(source).expanduser(), name, scaled(progress, 0.05, 0.98))
    return await client.call(
        "POST",
        path,
        body_factory=body,
        headers={"Content-Type": content_type, "Content-Length": str(length)},
    )
