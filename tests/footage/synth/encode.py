"""Encode NumPy frames and samples into a file the way a phone or a broadcast writes it.

Frames are drawn small and scaled up by the encoder's scaler (cheap to draw, real-sized to
decode); the keyframe interval is fixed (1–2 s, like phones and broadcast contribution feeds),
with or without extra keyframes at shot changes. A picture encoded once can be paired with many
sound tracks by `mux` (stream copy), which is how the judgement benchmark stays affordable.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from footage.synth.sound import RATE
from mcp_highlight.engine.media.ffmpeg import ffmpeg_exe

AUDIO_ARGS = ["-c:a", "aac", "-b:a", "128k", "-ar", "48000", "-ac", "2"]


def _run(cmd: list[str]) -> None:
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"ffmpeg failed ({done.returncode}): {done.stderr.strip()[-2000:]}")


def encode(
    path: Path,
    frames: Iterable[np.ndarray],
    sound: np.ndarray | None,
    *,
    size: tuple[int, int],
    frame_size: tuple[int, int],
    fps: int,
    keyint_s: float,
    scene_keyframes: bool,
    crf: int = 24,
) -> None:
    """Write `frames` (RGB uint8, frame_size=(w, h)) and mono `sound` at RATE (None: no sound track)
    to an H.264/AAC MP4 at `size`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    width, height = size
    fw, fh = frame_size
    params = f"keyint={round(fps * keyint_s)}:min-keyint={round(fps * keyint_s) if not scene_keyframes else 1}"
    params += ":scenecut=40" if scene_keyframes else ":scenecut=0"
    with tempfile.NamedTemporaryFile(suffix=".f32", dir=path.parent) as audio:
        audio_in: list[str] = []
        if sound is not None:
            np.clip(sound, -1, 1).astype("<f4").tofile(audio.name)
            audio_in = ["-f", "f32le", "-ar", str(RATE), "-ac", "1", "-i", audio.name]
        cmd = [
            ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y",
            "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{fw}x{fh}", "-r", str(fps), "-i", "pipe:",
            *audio_in,
            "-vf", f"scale={width}:{height}:flags=bilinear",
            "-c:v", "libx264", "-preset", "ultrafast", "-crf", str(crf), "-x264-params", params,
            "-pix_fmt", "yuv420p", *(AUDIO_ARGS if sound is not None else ["-an"]),
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


def encode_sound(path: Path, sound: np.ndarray) -> None:
    """Mono `sound` at RATE as an AAC track on its own (.m4a), ready for `mux`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(suffix=".f32", dir=path.parent) as raw:
        np.clip(sound, -1, 1).astype("<f4").tofile(raw.name)
        _run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-f", "f32le", "-ar", str(RATE), "-ac", "1",
              "-i", raw.name, *AUDIO_ARGS, str(path)])  # fmt: skip


def mux(picture: Path, sound: Path, path: Path) -> Path:
    """A playable MP4 of an encoded picture and an encoded sound track, both copied as they are."""
    _run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-i", str(picture), "-i", str(sound),
          "-map", "0:v:0", "-map", "1:a:0", "-c", "copy", "-shortest", "-movflags", "+faststart", str(path)])  # fmt: skip
    return path
