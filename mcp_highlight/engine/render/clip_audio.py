"""Cut each clip's sound out of its source in-process, as raw float32 48 kHz stereo files.

Giving ffmpeg one `-ss … -i source` per clip makes it parse the source's whole index once per
clip (about 30 MB each for a 2-hour MP4), so memory grew with the number of clips. PyAV opens
each source once; the files written here are tiny and cost ffmpeg nothing to read.

The sound is the file's main track (see `streams.main_audio`), downmixed to stereo (5.1 keeps
its centre channel, where commentary lives) and resampled by FFmpeg's resampler. It is laid out
by timestamps: a track that starts late, ends early or loses a damaged packet gets silence in
the gap, as players do; only a clip whose sound is mostly unreadable is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import BinaryIO

import av
import numpy as np

from mcp_highlight.core.errors import CorruptMediaError
from mcp_highlight.engine.media import streams

PAD_S = 0.05  # a little extra so the filter graph's exact trim never runs short
RATE = 48000
MAX_DAMAGED_SHARE = 0.5  # refuse a clip when more than this share of its sound packets cannot be decoded
_GAP_S = 0.02  # timestamp jumps larger than this are filled with silence


@dataclass(frozen=True)
class RawAudio:
    """A raw `f32le` stereo file, how to tell ffmpeg to read it, and which damaged packets were skipped."""

    path: Path
    sample_rate: int
    damaged_at_s: tuple[float, ...] = field(default=())  # source times of the skipped packets

    def input_args(self) -> list[str]:
        return ["-f", "f32le", "-ar", str(self.sample_rate), "-ch_layout", "stereo", "-i", str(self.path)]


def _stereo(frame: av.AudioFrame) -> np.ndarray:
    """(samples, 2) float32 from a packed `flt` stereo frame."""
    return frame.to_ndarray().reshape(-1, 2)


def _seconds(stamp: int | None, time_base: Fraction | None, origin: float) -> float | None:
    return float(stamp * time_base) - origin if stamp is not None and time_base else None


@dataclass
class _Cut:
    """Samples written from `begin` on, exactly `wanted` of them, gaps kept as silence."""

    sink: BinaryIO
    begin: float
    wanted: int
    written: int = 0

    def put(self, samples: np.ndarray, t0: float | None) -> None:
        if t0 is not None:
            at = round((t0 - self.begin) * RATE)  # where this block belongs in the cut
            if at > self.written + _GAP_S * RATE:  # a gap (late start, lost packet): keep time with silence
                gap = min(at, self.wanted) - self.written
                self.sink.write(np.zeros((gap, 2), np.float32).tobytes())
                self.written += gap
            elif at < self.written:  # before the cut, or overlapping what was written
                samples = samples[min(len(samples), self.written - at) :]
        chunk = samples[: max(0, self.wanted - self.written)]
        self.sink.write(chunk.tobytes())
        self.written += len(chunk)

    def pad(self) -> None:
        if self.written < self.wanted:  # the track ends early
            self.sink.write(np.zeros((self.wanted - self.written, 2), np.float32).tobytes())


def _decode_into(
    cut: _Cut, container: av.container.InputContainer, stream: av.audio.AudioStream, end: float, origin: float
) -> tuple[int, list[float]]:
    """Decode packets into `cut` until it is full; returns the packets inside the cut and where damage was."""
    resampler = av.AudioResampler(format="flt", layout="stereo", rate=RATE)
    packets, damaged = 0, []
    for packet in container.demux(stream):
        t_packet = _seconds(packet.pts if packet.pts is not None else packet.dts, packet.time_base, origin)
        if t_packet is not None and t_packet >= end:
            break
        inside = t_packet is None or t_packet >= cut.begin - 0.1
        packets += inside
        try:
            frames = stream.decode(packet)
        except streams.DAMAGED_DATA_ERRORS:
            if inside and packet.size:
                damaged.append(t_packet if t_packet is not None else cut.begin)
            continue
        for frame in frames:
            t0 = _seconds(frame.pts, frame.time_base, origin)
            for converted in resampler.resample(frame):
                cut.put(_stereo(converted), t0)
                t0 = None  # a resampler may return more than one block: they follow on
        if cut.written >= cut.wanted:
            break
    return packets, damaged


def extract(container: av.container.InputContainer, start_s: float, duration_s: float, out: Path) -> RawAudio:
    """Write the sound from `start_s` (seconds after the file's start, as ffmpeg's -ss counts) for `duration_s`."""
    stream = streams.main_audio(container)
    if stream is None:
        raise CorruptMediaError(f"{Path(container.name).name} has no sound track that can be decoded.")
    origin = (container.start_time or 0) / 1_000_000
    end = start_s + duration_s + PAD_S
    container.seek(max(0, round((origin + start_s - 1.0) * 1_000_000)), backward=True, any_frame=False)
    try:
        with out.open("wb") as sink:
            cut = _Cut(sink, start_s, round((end - start_s) * RATE))
            packets, damaged = _decode_into(cut, container, stream, end, origin)
            cut.pad()
    except av.FFmpegError as exc:
        raise CorruptMediaError(
            f"The sound of {Path(container.name).name} cannot be read near {start_s:.1f}s: {exc}"
        ) from exc
    if packets and len(damaged) > MAX_DAMAGED_SHARE * packets:
        raise CorruptMediaError(
            f"The sound of {Path(container.name).name} ({stream.codec_context.name}) is unreadable near "
            f"{start_s:.1f}s: {len(damaged)} of {packets} packets are damaged.",
            hint="Export the file again, or leave this part out.",
        )
    return RawAudio(out, RATE, tuple(damaged))


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
