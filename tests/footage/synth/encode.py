"""Encode NumPy frames and samples into a file the way a phone or a broadcast writes it.

Frames are drawn small and scaled up by the encoder's scaler (cheap to draw, real-sized to
decode); the keyframe interval is fixed (1–2 s, like phones and broadcast contribution feeds),
with or without extra keyframes at shot changes.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from footage.synth.sound import RATE
from mcp_highlight.engine.media.ffmpeg import ffmpeg_exe


def encode(
    path: Path,
    frames: Iterable[np.ndarray],
    sound: np.ndarray,
    *,
    size: tuple[int, int],
    frame_size: tuple[int, int],
    fps: int,
    keyint_s: float,
    scene_keyframes: bool,
    crf: int = 24,
) -> None:
    """Write `frames` (RGB uint8, frame_size=(w, h)) and mono `sound` at RATE to an H.264/AAC MP4 at `size`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    width, height = size
    fw, fh = frame_size
    params = f"keyint={round(fps * keyint_s)}:min-keyint={round(fps * keyint_s) if not scene_keyframes else 1}"
    params += ":scenecut=40" if scene_keyframes else ":scenecut=0"
    with tempfile.NamedTemporaryFile(suffix=".f32", dir=path.parent) as audio:
        np.clip(sound, -1, 1).astype("<f4").tofile(audio.name)
        cmd = [
            ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y",
            "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{fw}x{fh}", "-r", str(fps), "-i", "pipe:",
            "-f", "f32le", "-ar", str(RATE), "-ac", "1", "-i", audio.name,
            "-vf", f"scale={width}:{height}:flags=bilinear",
            "-c:v", "libx264", "-preset", "ultrafast", "-crf", str(crf), "-x264-params", params,
            "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "128k", "-ar", "48000", "-ac", "2",
            "-movflags", "+faststart", "-shortest", str(path),
        ]  # fmt: skip
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stderr=subprocess.PIPE)
        assert proc.stdin is not None
        try:
            for frame in frames:
                proc.stdin.write(np.ascontiguousarray(frame, dtype=np.uint8).tobytes())
            proc.stdin.close()
        except BrokenPipeError:
            pass
        err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        if proc.wait() != 0:
            raise RuntimeError(f"ffmpeg failed ({proc.returncode}): {err.strip()[-2000:]}")
