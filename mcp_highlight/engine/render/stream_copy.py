"""The fast path: copy the source's H.264 packets clip by clip (cut on keyframes) instead of re-encoding.

Also used to join the parts the re-encode path writes. Only sources that a High profile decoder plays
and that share one set of codec headers qualify; anything found unfit while reading packets raises
`NotCopyable` so the caller re-encodes instead.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av

from mcp_highlight.core.progress import ProgressFn, scaled
from mcp_highlight.engine.render.audio import mux_final
from mcp_highlight.engine.render.encoder_args import MAX_FPS
from mcp_highlight.engine.render.sources import SourceFacts, Span
from mcp_highlight.engine.render.spec import RenderSpec

_COPYABLE_PROFILES = {"High", "Main", "Constrained Baseline"}  # all decodable by a High profile decoder


class NotCopyable(Exception):
    """The stream turned out unfit for copying (found while reading packets); re-encode instead."""


def fast_path_blocker(spec: RenderSpec, clips: list[Span], sources: list[SourceFacts]) -> str | None:
    """Why the video cannot simply be copied, or None when it can."""
    if not spec.allow_stream_copy:
        return "stream copy disabled"
    if spec.aspect != "16:9":
        return f"aspect {spec.aspect}"
    if spec.title is not None and spec.title.text.strip():
        return "title overlay"
    if any(c.caption for c in clips):
        return "caption overlay"
    if spec.logo is not None:
        return "logo overlay"
    first = sources[0]
    for s in sources:
        if s.codec != "h264" or s.pix_fmt != "yuv420p" or s.profile not in _COPYABLE_PROFILES:
            return f"{s.path.name} is {s.codec} {s.profile} {s.pix_fmt}"
        if (s.width, s.height) != spec.frame_size or s.rotation:
            return f"{s.path.name} is {s.width}x{s.height} rotated {s.rotation}"
        if s.hdr or s.interlaced:
            return f"{s.path.name} is {s.hdr or 'interlaced'}"
        if s.variable_fps or s.fps is None or s.fps != first.fps or s.fps > MAX_FPS * 1.01:
            return f"{s.path.name} frame rate {s.fps} (variable={s.variable_fps})"
        if not s.extradata.startswith(b"\x01"):
            return f"{s.path.name} carries its H.264 headers in-band (not MP4-style)"
        if s.extradata != first.extradata or s.time_base != first.time_base:
            return "sources were encoded with different settings"
    return None


def render_fast(
    spec: RenderSpec, clips: list[Span], work: Path, partial: Path, progress: ProgressFn
) -> tuple[list[Span], list[str]]:
    """The spans actually copied, and warnings about damaged sound."""
    video = work / "video.mp4"
    spans = copy_video(clips, video, scaled(progress, 0.02, 0.45), message="Copying video")
    warnings = mux_final(spec, video, spans, work, partial, scaled(progress, 0.45, 0.97))
    return spans, warnings


@dataclass
class _Copied:
    """Where the last copied clip stands, so a following clip that overlaps it can simply continue it."""

    path: Path
    key: int  # its keyframe pts (source ticks)
    offset: int  # where it starts in the output (ticks)
    last_dts: int  # source dts of its last packet
    end_pts: int  # source pts where it ends


@dataclass
class _Muxer:
    """The output side of a copy: packets re-timed onto the reel's timeline, decode order kept strictly rising."""

    out: av.container.OutputContainer
    stream: av.video.VideoStream
    total_s: float
    progress: ProgressFn
    message: str
    last_out_dts: int | None = None
    last_report: float = 0.0

    def put(self, packet: av.Packet, source: av.video.VideoStream, key: int, base: int) -> None:
        pts, dts = packet.pts, packet.dts if packet.dts is not None else packet.pts
        out_dts = dts - key + base
        if self.last_out_dts is not None and out_dts <= self.last_out_dts:
            out_dts = self.last_out_dts + 1
        out_pts = pts - key + base
        if out_pts < out_dts:
            raise NotCopyable("timestamps would go backwards at a cut")
        packet.stream = self.stream
        packet.time_base = source.time_base
        packet.pts, packet.dts = out_pts, out_dts
        self.last_out_dts = out_dts
        self.out.mux(packet)
        now = time.monotonic()
        if now - self.last_report >= 0.3:
            self.last_report = now
            here = min(float(out_pts * Fraction(source.time_base)) / self.total_s, 1.0)
            self.progress(here, f"{self.message} {int(100 * here)}%")


def _ticks(
    container: av.container.InputContainer, stream: av.video.VideoStream, clip: Span
) -> tuple[Fraction, int, int, int, int]:
    """(time base, origin, ticks per frame, keyframe at or before the start, end) of one clip, in the stream's ticks.

    The start snaps back to its keyframe and the end moves as much earlier, so the reel keeps its planned length.
    """
    tb = Fraction(stream.time_base)
    origin = _origin_ticks(container, tb)
    frame_ticks = max(1, round(1 / (clip.source.fps * tb))) if clip.source.fps else 1
    start_ts = origin + math.floor(Fraction(clip.start_s) / tb)
    end_ts = origin + round(Fraction(clip.start_s + clip.duration_s) / tb) - frame_ticks // 2
    key = _keyframe_at_or_before(container, stream, start_ts, origin)
    return tb, origin, frame_ticks, key, max(end_ts - (start_ts - key), key + frame_ticks)


def copy_video(clips: list[Span], dest: Path, progress: ProgressFn, *, message: str) -> list[Span]:
    """Copy each clip's packets (from the keyframe at or before its start) into one video-only MP4.

    A clip whose start snaps back to its keyframe ends as much earlier, keeping its planned length.
    Each clip ends at the first clean point at or after its end: every frame shown before the end is
    kept along with the frames it references, and no frame is left out in between (a gap would
    show as a stutter). When snapping a start back to its keyframe would replay the end of the
    previous clip of the same file, the two are merged into one continuous span instead.
    Returns the spans actually copied, so the audio can be cut to match exactly.
    """
    inputs: dict[Path, av.container.InputContainer] = {}
    spans: list[Span] = []
    out = av.open(str(dest), "w", format="mp4")
    try:
        first = inputs.setdefault(clips[0].source.path, av.open(str(clips[0].source.path)))
        muxer = _Muxer(out, out.add_stream_from_template(first.streams[clips[0].source.video_index]),
                       sum(c.duration_s for c in clips), progress, message)
        offset, previous = 0, None
        for clip in clips:
            container = inputs.get(clip.source.path) or inputs.setdefault(clip.source.path, av.open(str(clip.source.path)))
            stream = container.streams[clip.source.video_index]
            tb, origin, frame_ticks, key, end_ts = _ticks(container, stream, clip)
            merge = previous is not None and previous.path == clip.source.path and key < previous.end_pts
            if merge and end_ts <= previous.end_pts:
                continue  # wholly inside what was already copied
            if merge:
                key, base = previous.key, previous.offset
                packets = _clip_packets(
                    container, stream, key, end_ts, resume_after_dts=previous.last_dts, emitted_max=previous.end_pts - 1
                )
            else:
                base, packets = offset, _clip_packets(container, stream, key, end_ts)
            max_pts: int | None = None
            last_src_dts = previous.last_dts if merge else key
            for packet in packets:
                end_pts = packet.pts + (packet.duration or frame_ticks)
                max_pts = end_pts if max_pts is None else max(max_pts, end_pts)
                last_src_dts = packet.dts if packet.dts is not None else packet.pts
                muxer.put(packet, stream, key, base)
            if max_pts is None:
                if merge:
                    continue
                raise NotCopyable(f"no packets found for a clip of {clip.source.path.name}")
            if merge:
                max_pts = max(max_pts, previous.end_pts)
                spans.pop()
            length = max_pts - key
            spans.append(Span(source=clip.source, start_s=float((key - origin) * tb), duration_s=float(length * tb)))
            previous = _Copied(clip.source.path, key=key, offset=base, last_dts=last_src_dts, end_pts=max_pts)
            offset = base + length
    finally:
        out.close()
        for container in inputs.values():
            container.close()
    return spans


def _origin_ticks(container: av.container.InputContainer, tb: Fraction) -> int:
    """The file's start time in the stream's ticks: clip times count from here, as ffmpeg's -ss does."""
    return round(Fraction(container.start_time or 0, 1_000_000) / tb)


def _keyframe_at_or_before(
    container: av.container.InputContainer, stream: av.video.stream.VideoStream, start_ts: int, origin: int
) -> int:
    """The pts of the last keyframe shown at or before `start_ts` (seek, then read packet headers)."""
    tb = Fraction(stream.time_base)
    back = 0
    for attempt in range(8):
        target = start_ts - round(Fraction(back) / tb)
        at_file_start = target <= origin
        container.seek(max(target, origin), stream=stream, backward=True, any_frame=False)
        best: int | None = None
        first_key: int | None = None
        for packet in container.demux(stream):
            if packet.pts is None:
                if packet.dts is None:
                    continue
                raise NotCopyable("packets without timestamps")
            if packet.is_keyframe:
                if first_key is None:
                    first_key = packet.pts
                if packet.pts <= start_ts:
                    best = packet.pts
            if packet.dts is not None and packet.dts > start_ts:
                break
        if best is not None:
            return best
        if at_file_start and first_key is not None:
            return first_key  # the clip starts before the first keyframe: start there
        back = 1 if attempt == 0 else back * 4
    raise NotCopyable("no keyframe found before a clip start")


def _clip_packets(
    container: av.container.InputContainer,
    stream: av.video.stream.VideoStream,
    key: int,
    end_ts: int,
    *,
    resume_after_dts: int | None = None,
    emitted_max: int | None = None,
) -> Iterator[av.Packet]:
    """Packets (decode order) from the keyframe `key` to the first clean cut after `end_ts`.

    With `resume_after_dts`, packets up to that dts were already copied: continue after them.
    """
    lookahead = round(Fraction(1) / Fraction(stream.time_base))
    container.seek(key, stream=stream, backward=True, any_frame=False)
    started = False
    held: list[av.Packet] = []
    for packet in container.demux(stream):
        if packet.pts is None:
            if packet.dts is None:
                continue
            raise NotCopyable("packets without timestamps")
        if not started:
            if packet.is_keyframe and packet.pts == key:
                started = True
            elif packet.dts is not None and packet.dts > key:
                raise NotCopyable("could not find the keyframe again after seeking")
            else:
                continue
        if packet.pts < key:
            continue  # a leading picture of an open GOP: it needs frames before the cut
        dts = packet.dts if packet.dts is not None else packet.pts
        if resume_after_dts is not None and dts <= resume_after_dts:
            continue
        if dts >= end_ts + lookahead:
            break
        held.append(packet)
        if packet.pts < end_ts:
            for kept in held:
                emitted_max = kept.pts if emitted_max is None else max(emitted_max, kept.pts)
                yield kept
            held = []
    # `held` now holds frames at or after the end; keep the fewest that leave no gap behind a kept frame.
    cut = len(held)
    for i in range(len(held) + 1):
        before = max([emitted_max if emitted_max is not None else key - 1, *(p.pts for p in held[:i])])
        after = min((p.pts for p in held[i:]), default=None)
        if after is None or before < after:
            cut = i
            break
    yield from held[:cut]
