"""Refuse a file for what it declares, before the work that would trust it (README, Security).

A few kB of MKV can declare a 100-million-second timeline, and a 1.5 MB PNG a 16000x16000 picture;
analysing or decoding those costs gigabytes. These checks read only headers and the probe's few packets.
"""

from __future__ import annotations

from mcp_highlight.core.durations import format_seconds
from mcp_highlight.core.errors import CorruptMediaError, MediaTooLargeError
from mcp_highlight.core.limits import MIN_BYTES_PER_SECOND, MediaLimits


def check_streams(name: str, count: int, limits: MediaLimits) -> None:
    if count > limits.max_streams:
        raise MediaTooLargeError(
            f"{name!r} has {count} streams, over the limit of {limits.max_streams}.",
            hint="Keep the picture and sound tracks you need (the operator can raise MCP_HIGHLIGHT_MAX_STREAMS).",
        )


def check_frame(name: str, width: int, height: int, limits: MediaLimits) -> None:
    if max(width, height) > limits.max_frame_side or width * height > limits.max_pixels:
        raise MediaTooLargeError(
            f"{name!r} declares {width}x{height} pictures, over the limit of {limits.max_frame_side} pixels a side "
            f"and {limits.max_pixels / 1e6:.1f} million pixels.",
            hint="Scale it down first (the operator can raise MCP_HIGHLIGHT_MAX_FRAME_SIDE and MCP_HIGHLIGHT_MAX_PIXELS).",
        )


def check_duration(name: str, duration_s: float, size_bytes: int, limits: MediaLimits) -> None:
    if duration_s > limits.max_duration_s:
        raise MediaTooLargeError(
            f"{name!r} declares {format_seconds(duration_s)}, over the limit of {format_seconds(limits.max_duration_s)}.",
            hint="Trim it first (the operator can raise MCP_HIGHLIGHT_MAX_DURATION).",
        )
    if size_bytes < duration_s * MIN_BYTES_PER_SECOND:
        raise CorruptMediaError(
            f"{name!r} declares {format_seconds(duration_s)} but holds only {size_bytes} bytes: its timestamps "
            "claim far more than its packets carry.",
            hint="Export or convert the file again.",
        )
