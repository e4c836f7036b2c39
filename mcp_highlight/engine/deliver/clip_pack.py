"""A clip pack: every moment of a finished reel as its own MP4, for posting each goal as its own short.

The pieces are cut from the reel itself, so they have exactly its shape, crop and overlays, and their
lengths add up to the reel's. The reel's encoder puts a keyframe at every cut (and starts a closed group of
pictures there), so the video is copied, not encoded again (a piece whose start is not a keyframe is re-encoded instead). Each piece's sound is
re-encoded with its own short fade in and out, so the music does not start or stop with a click.
"""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

import av
from pydantic import BaseModel

from mcp_highlight.core.errors import BadInputError, HighlightError
from mcp_highlight.core.progress import ProgressFn, no_progress, scaled
from mcp_highlight.engine.media import scratch
from mcp_highlight.engine.media.ffmpeg import run_ffmpeg

FADE_S = 0.15
_AUDIO = ["-c:a", "aac", "-b:a", "192k", "-ar", "48000", "-ac", "2"]
_VIDEO = ["-c:v", "libx264", "-preset", "veryfast", "-crf", "21", "-profile:v", "high", "-pix_fmt", "yuv420p"]


class PackClip(BaseModel):
    path: Path
    reel_start_s: float
    duration_s: float
    size_bytes: int
    copied: bool


def keyframe_times(reel: Path) -> tuple[list[float], float]:
    """Presentation times of the reel's video keyframes (packet headers only, nothing decoded), and its fps."""
    times = []
    with av.open(str(reel)) as container:
        stream = container.streams.video[0]
        tb = Fraction(stream.time_base)
        origin = stream.start_time or 0
        fps = float(stream.average_rate or 30)
        for packet in container.demux(stream):
            if packet.is_keyframe and packet.pts is not None:
                times.append(float((packet.pts - origin) * tb))
    return sorted(times), fps


def _duration(path: Path) -> float:
    with av.open(str(path)) as container:
        return (container.duration or 0) / 1e6


def write_clip_pack(
    reel: Path,
    folder: Path,
    *,
    cut_times_s: list[float],
    reel_s: float,
    names: list[str],
    progress: ProgressFn = no_progress,
) -> list[PackClip]:
    """Cut `reel` at `cut_times_s` (where each moment starts) into `folder/names[i]`."""
    if len(names) != len(cut_times_s):
        raise ValueError("one name per cut")
    folder = folder.expanduser().absolute()
    if folder.exists() and not folder.is_dir():
        raise BadInputError(f"{folder} is a file, not a folder.", hint="Give a folder for the clips.")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BadInputError(f"Cannot make the folder {folder}: {exc.strerror or exc}") from exc
    keys, fps = keyframe_times(reel)
    # the cuts as the reel has them: a planned cut within half a frame of a keyframe is that keyframe, exactly
    starts = [next((k for k in keys if abs(k - c) < 0.5 / fps), c) for c in cut_times_s]
    ends = [*starts[1:], reel_s]
    pieces: list[PackClip] = []
    for i, (start, end, name) in enumerate(zip(starts, ends, names, strict=True)):
        length = end - start
        out = folder / name
        tmp = scratch.partial_path(out)
        copy = start in keys
        fade = min(FADE_S, length / 4)
        # rounded up to the microsecond FFmpeg counts in: rounded down, a seek lands on the keyframe before
        at = math.ceil(start * 1e6) / 1e6
        args = ["-ss", f"{at:.6f}", "-t", f"{length:.6f}", "-i", str(reel), "-map", "0:v:0", "-map", "0:a:0"]
        args += ["-c:v", "copy"] if copy else _VIDEO
        args += ["-af", f"afade=t=in:d={fade:.3f},afade=t=out:st={max(0.0, length - fade):.6f}:d={fade:.3f}", *_AUDIO]
        # a frame count, not -t, ends the video: with B-frames a copied -t cut keeps frames of the next moment
        args += ["-frames:v", str(max(1, round(length * fps))), "-t", f"{length:.6f}"]
        args += ["-map_metadata", "-1", "-movflags", "+faststart", "-f", "mp4", "-y", str(tmp)]
        share = scaled(progress, i / len(names), (i + 1) / len(names))
        try:
            run_ffmpeg(args, duration_s=length, progress=share, message=f"Clip {i + 1} of {len(names)}")
            got = _duration(tmp)
            if abs(got - length) > max(0.1, 0.02 * length):
                raise HighlightError(f"Clip {i + 1} came out {got:.2f}s long instead of {length:.2f}s.")
            tmp.replace(out)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        pieces.append(
            PackClip(path=out, reel_start_s=start, duration_s=round(got, 3), size_bytes=out.stat().st_size, copied=copy)
        )
    return pieces
