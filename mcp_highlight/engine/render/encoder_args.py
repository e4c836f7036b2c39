"""The encoder settings and ffmpeg argument pieces every render step shares, defined once."""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction
from pathlib import Path

from mcp_highlight.engine.media.frame_rate import MAX_RATE, standard_rate
from mcp_highlight.engine.render import filters as rf
from mcp_highlight.engine.render.sources import Span

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


MAX_FPS = int(MAX_RATE)


def source_rate(fps: Fraction | None, nominal: Fraction | None, variable: bool) -> Fraction:
    """The rate one source is best shown at: its own (snapped to a standard rate) up to 60, else 30.

    A variable-rate source (phones, screen recorders) is shown at the rate it declares, not its average.
    """
    rate = nominal if variable and nominal and nominal <= MAX_FPS * 1.01 else fps
    if not rate or rate > MAX_FPS * 1.01 or rate < 23:
        return Fraction(FPS)
    return standard_rate(rate) or Fraction(round(rate))


def reel_rate(rates: Iterable[Fraction]) -> Fraction:
    """The reel's constant rate: the highest of its sources' rates (each already at most 60)."""
    return max(rates, default=Fraction(FPS))


def video_codec_args(fps: Fraction = Fraction(FPS)) -> list[str]:
    """H.264 High yuv420p tagged BT.709, a keyframe every two seconds, a constant rate."""
    return [
        *("-c:v", "libx264", "-preset", PRESET, "-crf", str(CRF), "-profile:v", "high", "-pix_fmt", "yuv420p"),
        *("-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709", "-color_range", "tv"),
        *("-g", str(round(2 * fps)), "-r", rf.rate_text(fps)),
    ]


def audio_codec_args() -> list[str]:
    return ["-c:a", "aac", "-b:a", AUDIO_BITRATE, "-ar", str(rf.SAMPLE_RATE), "-ac", "2"]


def mp4_args(partial: Path) -> list[str]:
    return ["-map_metadata", "-1", "-map_chapters", "-1", "-movflags", "+faststart", "-f", "mp4", "-y", str(partial)]


def clips_rate(spans: Iterable[Span]) -> Fraction:
    """The rate of a reel made of these clips."""
    return reel_rate(source_rate(s.source.fps, s.source.nominal_fps, s.source.variable_fps) for s in spans)
