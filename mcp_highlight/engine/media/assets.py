"""The reel's assets looked at before use: a music bed (any sound file FFmpeg reads) and a logo (a still picture).

Same rules as `probe`: refuse what cannot be used, with the reason, before any work.
"""

from __future__ import annotations

import os
from pathlib import Path

import av

from mcp_highlight.core.config import MAX_UPLOAD_BYTES
from mcp_highlight.core.errors import CorruptMediaError, MediaTooLargeError, UnsupportedMediaError
from mcp_highlight.core.limits import MediaLimits
from mcp_highlight.engine.media import declared, streams
from mcp_highlight.engine.media import kinds as media_kinds
from mcp_highlight.engine.media.info import AudioInfo, ImageInfo, MediaInfo
from mcp_highlight.engine.media.probe import MIN_DURATION_S, check_file, open_media


def probe_audio(
    path: Path, *, max_bytes: int | None = MAX_UPLOAD_BYTES, limits: MediaLimits | None = None
) -> MediaInfo:
    """Facts about a music file (mp3, wav, m4a, aac), or a clear error."""
    path = Path(os.path.expanduser(str(path)))
    size = check_file(path, "music", max_bytes)
    container = open_media(path, "audio")
    limits = limits or MediaLimits()
    try:
        declared.check_streams(path.name, len(container.streams), limits)
        sounds = container.streams.audio
        if not sounds:
            raise UnsupportedMediaError(
                f"{path.name!r} has no sound ({container.format.long_name or container.format.name}).",
                hint="Give a sound file (mp3, wav, m4a, aac, flac, ogg, opus, wma).",
            )
        pictures = [s for s in container.streams.video if not (s.disposition & av.stream.Disposition.attached_pic)]
        if pictures and media_kinds.detect(path).kind == "video":
            raise UnsupportedMediaError(
                f"{path.name!r} is a video, not a music file.",
                hint="Use it as footage, or give a sound file (mp3, wav, m4a, aac, flac, ogg, opus, wma).",
            )
        stream = streams.main_audio(container) or sounds[0]
        ctx = stream.codec_context
        if ctx is None or not ctx.codec:
            raise UnsupportedMediaError(
                f"The sound in {path.name!r} cannot be decoded here.", hint="Convert it to mp3."
            )
        if not ctx.sample_rate:
            raise CorruptMediaError(f"{path.name!r} has no readable sound: the file is damaged or not music.")
        duration = float(container.duration) / 1e6 if container.duration else 0.0
        if not duration and stream.duration and stream.time_base:
            duration = float(stream.duration * stream.time_base)
        decoded = False
        try:
            for frame in container.decode(stream):
                decoded = frame.samples > 0
                break
        except av.error.FFmpegError:
            decoded = False
        if not decoded:
            raise CorruptMediaError(f"No sound in {path.name!r} could be decoded: the file is damaged.")
        if duration < MIN_DURATION_S:
            raise UnsupportedMediaError(f"{path.name!r} is too short to use as music ({duration:.2f} s).")
        declared.check_duration(path.name, duration, size, limits)
        return MediaInfo(
            path=path,
            container=container.format.name,
            size_bytes=size,
            duration_s=round(duration, 3),
            bit_rate=container.bit_rate or None,
            audio=AudioInfo(
                codec=ctx.codec.canonical_name,
                sample_rate=ctx.sample_rate,
                channels=ctx.channels or 1,
                bit_rate=ctx.bit_rate,
            ),
        )
    finally:
        container.close()


def probe_image(
    path: Path, *, max_bytes: int | None = 50 * 1024 * 1024, limits: MediaLimits | None = None
) -> ImageInfo:
    """Facts about a logo or still (jpg, png, gif, webp), or a clear error.

    The picture's declared size is checked before its pixels are decoded: a 1 MB PNG can unpack to gigabytes.
    """
    from PIL import Image, UnidentifiedImageError

    path = Path(os.path.expanduser(str(path)))
    size = check_file(path, "image", max_bytes)
    limits = limits or MediaLimits()
    Image.MAX_IMAGE_PIXELS = limits.max_pixels  # Pillow's own guard, for every later open in this process too
    try:
        with Image.open(path) as image:
            declared.check_frame(path.name, image.width, image.height, limits)
            image.verify()
        with Image.open(path) as image:
            image.load()
            return ImageInfo(
                path=path,
                format=image.format or path.suffix.lstrip(".").upper(),
                width=image.width,
                height=image.height,
                size_bytes=size,
                has_alpha="A" in image.getbands() or "transparency" in image.info,
                frames=getattr(image, "n_frames", 1),
            )
    except Image.DecompressionBombError as exc:
        raise MediaTooLargeError(
            f"{path.name!r} declares a picture of far more than {limits.max_pixels / 1e6:.1f} million pixels, the limit.",
            hint="Scale it down first (the operator can raise MCP_HIGHLIGHT_MAX_PIXELS).",
        ) from exc
    except UnidentifiedImageError as exc:
        raise UnsupportedMediaError(
            f"{path.name!r} is not a picture Pillow can read.", hint="Give a png, jpg, gif, webp, bmp or tiff file."
        ) from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise CorruptMediaError(f"{path.name!r} is damaged and cannot be read: {exc}.") from exc
