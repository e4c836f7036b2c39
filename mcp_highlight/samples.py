"""Synthetic footage made with FFmpeg's own sources: for the demo, the tests and the benchmark."""

from __future__ import annotations

import subprocess
from pathlib import Path

from mcp_highlight.engine.ffmpeg import ffmpeg_exe


def synth_clip(
    path: Path,
    *,
    duration_s: float = 5.0,
    width: int = 640,
    height: int = 360,
    fps: int = 30,
    audio: bool = True,
    vcodec: str = "libx264",
    extra_output_args: tuple[str, ...] = (),
) -> Path:
    """A plain test pattern with a tone; the container follows the file's extension."""
    path.parent.mkdir(parents=True, exist_ok=True)
    cmd = [
        ffmpeg_exe(),
        "-hide_banner",
        "-loglevel",
        "error",
        "-y",
        "-f",
        "lavfi",
        "-i",
        f"testsrc2=size={width}x{height}:rate={fps}:duration={duration_s}",
    ]
    if audio:
        cmd += ["-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={duration_s}"]
    cmd += ["-c:v", vcodec, "-pix_fmt", "yuv420p"]
    if vcodec == "libx264":
        cmd += ["-preset", "ultrafast", "-g", str(fps * 2)]
    if audio:
        cmd += ["-c:a", "libopus" if path.suffix == ".webm" else "aac", "-ac", "2"]
    cmd += [*extra_output_args, "-shortest", str(path)]
    subprocess.run(cmd, check=True, capture_output=True)
    return path
