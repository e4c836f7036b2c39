"""What an uploaded file is, as the session's `MediaItem`: probed once, within the configured limits."""

from __future__ import annotations

from pathlib import Path

from mcp_highlight.backends.models import MediaItem
from mcp_highlight.core.config import Settings
from mcp_highlight.engine.media.assets import probe_audio, probe_image
from mcp_highlight.engine.media.probe import probe


def describe(media_id: str, path: Path, kind: str, settings: Settings) -> MediaItem:
    """A video, music file or image as a media record; a file we cannot read is refused with the reason."""
    if kind == "video":
        info = probe(path, max_bytes=settings.max_bytes, limits=settings.media_limits())
        width, height = info.video.display_size if info.video else (None, None)
        return MediaItem(
            id=media_id,
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
        sound = probe_audio(path, limits=settings.media_limits())
        return MediaItem(
            id=media_id,
            name=path.name,
            kind="audio",
            path=str(path),
            info=sound.describe(),
            duration_s=sound.duration_s,
            has_audio=True,
            size_bytes=sound.size_bytes,
        )
    image = probe_image(path, limits=settings.media_limits())
    return MediaItem(
        id=media_id,
        name=path.name,
        kind="image",
        path=str(path),
        info=f"{image.width}x{image.height} image",
        width=image.width,
        height=image.height,
        size_bytes=path.stat().st_size,
    )
