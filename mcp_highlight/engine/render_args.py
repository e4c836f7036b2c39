"""The encoder settings and ffmpeg argument pieces every render step shares, defined once."""

from __future__ import annotations

from pathlib import Path

from mcp_highlight.engine import render_filters as rf

FPS = rf.FPS
CRF = 21
PRESET = "veryfast"
AUDIO_BITRATE = "192k"
_INLINE_GRAPH_CHARS = 60_000


def input_window(start_s: float, duration_s: float) -> list[str]:
    return ["-ss", f"{start_s:.6f}", "-t", f"{duration_s:.6f}"]


def graph_args(graph: list[str], work: Path) -> list[str]:
    """`-filter_complex`, or a script file when the graph is too long for a command line."""
    text = ";\n".join(graph)
    if len(text) <= _INLINE_GRAPH_CHARS:
        return ["-filter_complex", text]
    script = work / "graph.txt"
    script.write_text(text, encoding="utf-8")
    return ["-/filter_complex", str(script)]


def video_codec_args(fps: int = FPS) -> list[str]:
    """H.264 High yuv420p, a keyframe every two seconds, a constant rate."""
    return [
        *("-c:v", "libx264", "-preset", PRESET, "-crf", str(CRF), "-profile:v", "high", "-pix_fmt", "yuv420p"),
        *("-g", str(2 * fps), "-r", str(fps)),
    ]


def audio_codec_args() -> list[str]:
    return ["-c:a", "aac", "-b:a", AUDIO_BITRATE, "-ar", str(rf.SAMPLE_RATE), "-ac", "2"]


def mp4_args(partial: Path) -> list[str]:
    return ["-map_metadata", "-1", "-map_chapters", "-1", "-movflags", "+faststart", "-f", "mp4", "-y", str(partial)]
