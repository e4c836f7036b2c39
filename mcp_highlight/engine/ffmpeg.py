"""The static ffmpeg binary from imageio-ffmpeg (never a system ffmpeg)."""

from __future__ import annotations

from functools import cache

import imageio_ffmpeg


@cache
def ffmpeg_exe() -> str:
    return imageio_ffmpeg.get_ffmpeg_exe()
