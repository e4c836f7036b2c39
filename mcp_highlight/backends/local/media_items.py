"""What an uploaded file is, as the session's MediaItem: probed (within the limits) by its kind."""

from __future__ import annotations

from pathlib import Path

from mcp_highlight.backends.local.store import new_id
from mcp_highlight.backends.models import MediaItem
from mcp_highlight.core.limits import MediaLimits
from mcp_highlight.engine.media.assets import probe_audio, probe_image
from mcp_highlight.engine.media.probe import probe


def describe_media(path: Path, kind: str, max_bytes: int, limits: MediaLimits) -> MediaItem:
    """Probe an uploaded file within the limits and say what it is; the probe raises on what we cannot use."""
    mid = new_id("med")
    if kind == "video":
        info = probe(path, max_bytes=max_bytes, limits=limits)
        width, height = info.video.display_size if info.video else (None, None)
        return MediaItem(
            id=mid,
            name=path.name,
            kind="video",
            path=str(path),
            info=info.describe(),
            duration_s=info.duration_s,
            width=width,
            height=height,
            has_audio=info.has_audio,
            size_bytes=info.size_bytes,
        )
    if kind == "audio":
        info = probe_audio(path, limits=limits)
        return MediaItem(
            id=mid,
            name=path.name,
            kind="audio",
            path=str(path),
            info=info.describe(),
            duration_s=info.duration_s,
            has_audio=True,
            size_bytes=info.size_bytes,
        )
    image = probe_image(path, limits=limits)
    return MediaItem(
        id=mid,
        name=path.name,
        kind="image",
        path=str(path),
        info=f"{image.width}x{image.height} image",
        width=image.width,
        height=image.height,
        size_bytes=path.stat().st_size,
    )
