"""Cut each clip's sound out of its source in-process, as raw float32 stereo files.

Giving ffmpeg one `-ss … -i source` per clip makes it parse the source's whole index once per
clip (about 30 MB each for a 2-hour MP4), so memory grew with the number of clips. PyAV opens
each source once; the files written here are tiny and cost ffmpeg nothing to read.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from mcp_highlight.errors import CorruptMediaError

PAD_S = 0.05  # a little extra so the filter graph's exact trim never runs short


@dataclass(frozen=True)
class RawAudio:
    """A raw `f32le` stereo file and how to tell ffmpeg to read it."""

    path: Path
    sample_rate: int

    def input_args(self) -> list[str]:
        return ["-f", "f32le", "-ar", str(self.sample_rate), "-ch_layout", "stereo", "-i", str(self.path)]


def _stereo(frame: av.AudioFrame) -> np.ndarray:
    """(samples, 2) float32 from any layout and sample format."""
    data = frame.to_ndarray()
    channels = data if frame.format.is_planar else data.reshape(-1, len(frame.layout.channels)).T
    if np.issubdtype(channels.dtype, np.integer):
        channels = channels.astype(np.float32) / float(np.iinfo(channels.dtype).max)
    channels = channels.astype(np.float32, copy=False)
    if channels.shape[0] == 1:
        channels = np.repeat(channels, 2, axis=0)
    return np.ascontiguousarray(channels[:2].T)


def extract(container: av.container.InputContainer, start_s: float, duration_s: float, out: Path) -> RawAudio:
    """Write the sound from `start_s` (seconds after the file's start, as ffmpeg's -ss counts) for `duration_s`."""
    stream = container.streams.audio[0]
    rate = stream.codec_context.sample_rate or 48000
    origin = (container.start_time or 0) / 1_000_000
    begin, end = start_s, start_s + duration_s + PAD_S
    container.seek(max(0, round((origin + begin - 1.0) * 1_000_000)), backward=True, any_frame=False)
    written = 0
    wanted = round((end - begin) * rate)
    try:
        with out.open("wb") as sink:
            for frame in container.decode(stream):
                if frame.pts is None or frame.time_base is None:
                    continue
                t0 = float(frame.pts * frame.time_base) - origin
                if t0 >= end:
                    break
                samples = _stereo(frame)
                skip = max(0, round((begin - t0) * rate)) if written == 0 else 0
                if written == 0 and t0 > begin:  # a gap before the first frame: keep time with silence
                    gap = min(round((t0 - begin) * rate), wanted)
                    sink.write(np.zeros((gap, 2), np.float32).tobytes())
                    written += gap
                chunk = samples[skip : skip + max(0, wanted - written)]
                sink.write(chunk.tobytes())
                written += len(chunk)
                if written >= wanted:
                    break
    except av.FFmpegError as exc:
        raise CorruptMediaError(
            f"The sound of {Path(container.name).name} cannot be decoded near {start_s:.1f}s: {exc}"
        ) from exc
    return RawAudio(out, rate)


def extract_all(spans: list[tuple[Path, float, float]], work: Path) -> list[RawAudio]:
    """One raw file per (source, start, duration), opening each source once."""
    opened: dict[Path, av.container.InputContainer] = {}
    try:
        results = []
        for i, (source, start, duration) in enumerate(spans):
            container = opened.get(source) or opened.setdefault(source, av.open(str(source)))
            results.append(extract(container, start, duration, work / f"clip{i:03d}.f32"))
        return results
    finally:
        for container in opened.values():
            container.close()
