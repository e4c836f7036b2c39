"""Look inside a file before anything else touches it, and refuse what we cannot use with a clear reason.

`probe` reads headers and a few hundred packets (never the whole file): container, codecs,
duration, frame rate (constant or variable), rotation, audio presence, and how much of a
damaged file can actually be read. `assets` does the same for music beds
and logos.
"""

from __future__ import annotations

import os
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from av.container import InputContainer
from av.video.frame import VideoFrame
from av.video.stream import VideoStream

from mcp_highlight.core.config import MAX_UPLOAD_BYTES
from mcp_highlight.core.errors import (
    BadInputError,
    CorruptMediaError,
    MediaNotFoundError,
    MediaTooLargeError,
    UnsupportedMediaError,
)
from mcp_highlight.core.limits import MediaLimits
from mcp_highlight.core.logs import get_logger
from mcp_highlight.engine.media import declared, streams
from mcp_highlight.engine.media.info import AudioInfo, MediaInfo, VideoInfo
from mcp_highlight.engine.media.kinds import looks_like_text, read_head, refuse_non_media

log = get_logger(__name__)

HDR_TRANSFERS = {16: "pq", 18: "hlg"}
"""FFmpeg transfer characteristics (AVColorTransferCharacteristic) of HDR video: SMPTE 2084 and ARIB STD-B67."""
MIN_DURATION_S = 0.1
VFR_SAMPLE_PACKETS = 300
CONVERT_HINT = "Convert it to MP4 first, for example: ffmpeg -i INPUT -c:v libx264 -c:a aac OUTPUT.mp4"


def check_file(path: Path, what: str, max_bytes: int | None) -> int:
    """Existence, type, permission, size and obvious non-media (text, archives), before any demuxer sees the file.

    The extension is not checked: what the file holds decides (see `media_kinds`).
    """
    if not path.exists():
        raise MediaNotFoundError(f"No file at {str(path)!r}.", hint="Check the path; it must be on this computer.")
    if path.is_dir():
        raise MediaNotFoundError(
            f"{str(path)!r} is a folder, not a {what} file.", hint=f"Give the path of one {what} file inside it."
        )
    if not path.is_file():  # a pipe, device or socket: opening it could block for good
        raise BadInputError(
            f"{path.name!r} is not a regular file (it is a pipe, device or socket).",
            hint=f"Give the path of a {what} file saved on disk.",
        )
    head = read_head(path)
    size = path.stat().st_size
    if max_bytes is not None and size > max_bytes:
        raise MediaTooLargeError(
            f"{path.name!r} is {size / 2**20:.0f} MB, over the {max_bytes / 2**20:.0f} MB limit.",
            hint="Trim it to the key sections or compress it first.",
        )
    if size == 0:
        raise CorruptMediaError(f"{path.name!r} is empty (0 bytes).", hint="Copy or export the file again.")
    if looks_like_text(head):
        raise UnsupportedMediaError(
            f"{path.name!r} is a text file, not a {what} file.", hint="Check you picked the right file."
        )
    refuse_non_media(path, head)
    return size


def open_media(path: Path, what: str) -> InputContainer:
    try:
        return av.open(str(path), metadata_errors="ignore")
    except av.error.InvalidDataError as exc:
        raise CorruptMediaError(
            f"{path.name!r} has no readable {what} header: it is damaged, incomplete or not a {what} file.",
            hint="If it is still copying or downloading, wait and try again; otherwise export it again.",
        ) from exc
    except (av.error.FFmpegError, OSError) as exc:
        raise CorruptMediaError(f"{path.name!r} could not be opened: {exc}.") from exc


def _demuxer_names(container: InputContainer) -> set[str]:
    return set(container.format.name.split(","))


def _seconds(value: int | None, time_base: object) -> float | None:
    if value is None or time_base is None:
        return None
    return float(value * time_base)  # type: ignore[operator]


def probe(path: Path, *, max_bytes: int | None = MAX_UPLOAD_BYTES, limits: MediaLimits | None = None) -> MediaInfo:
    """Facts about a video file, or a specific `BadInputError` subclass saying what is wrong and how to fix it.

    What the file declares (streams, frame size, duration) is checked against `limits` before any frame
    is decoded; the default limits apply when none are given.
    """
    path = Path(os.path.expanduser(str(path)))
    size = check_file(path, "video", max_bytes)
    container = open_media(path, "video")
    try:
        return _probe_open(path, size, container, limits or MediaLimits())
    finally:
        container.close()


def _main_video(path: Path, container: InputContainer, found: str) -> VideoStream:
    """The picture stream, or a refusal saying what the file is instead."""
    vstream = streams.main_video(container)
    if vstream is None:
        if container.streams.audio:
            raise UnsupportedMediaError(
                f"{path.name!r} has sound but no picture ({found}).",
                hint="Give a video file; use sound-only files as a music bed instead.",
            )
        if _demuxer_names(container) & {"image2", "png_pipe", "jpeg_pipe", "gif", "webp_pipe"}:
            raise UnsupportedMediaError(f"{path.name!r} is a picture, not a video.", hint="Use it as a logo instead.")
        raise UnsupportedMediaError(
            f"{path.name!r} has no video stream (FFmpeg reads it as {found}).", hint="Check you picked the right file."
        )
    ctx = vstream.codec_context
    if ctx is None or not ctx.codec or not ctx.codec.name:
        tag = _codec_tag(vstream)
        raise UnsupportedMediaError(
            f"The video codec in {path.name!r} cannot be decoded here ({found}, codec {tag}).", hint=CONVERT_HINT
        )
    return vstream


def _duration(path: Path, size: int, container: InputContainer, vstream: VideoStream, warnings: list[str]) -> float:
    """The length that can really be read: the header's, or less when the file ends early (said in `warnings`)."""
    header_duration = float(container.duration) / 1e6 if container.duration else None
    if header_duration is None and vstream.duration:
        header_duration = _seconds(vstream.duration, vstream.time_base)
    start = _seconds(vstream.start_time, vstream.time_base) or 0.0
    readable_end = _readable_end(path, size, container, vstream, header_duration, start)
    duration = header_duration or 0.0
    if readable_end is not None and (header_duration is None or readable_end < header_duration - 1.0):
        if header_duration:
            warnings.append(
                f"The file ends early: only the first {readable_end:.1f} s of {header_duration:.1f} s could be read "
                "(it may be truncated or still copying)."
            )
        duration = readable_end
    if duration < MIN_DURATION_S:
        raise UnsupportedMediaError(
            f"{path.name!r} has no length to speak of ({duration:.2f} s).", hint="Give a longer recording."
        )
    return duration


def _audio(container: InputContainer, warnings: list[str]) -> AudioInfo | None:
    """The main sound track's facts; a sound that cannot be decoded is a warning, not a refusal."""
    astream = streams.main_audio(container)
    if astream is not None and astream.codec_context.sample_rate:
        actx = astream.codec_context
        tracks = len(container.streams.audio)
        return AudioInfo(
            codec=actx.codec.canonical_name,
            sample_rate=actx.sample_rate,
            channels=actx.channels or 1,
            bit_rate=actx.bit_rate or None,
            stream_index=astream.index,
            track=streams.describe_track(container, astream) if tracks > 1 else None,
        )
    if container.streams.audio:
        codecs = ", ".join(_codec_tag(a) for a in container.streams.audio)
        warnings.append(f"The sound ({codecs}) cannot be decoded; only the picture will be analysed.")
    return None


def _video(container: InputContainer, vstream: VideoStream, first: VideoFrame) -> VideoInfo:
    ctx = vstream.codec_context
    fps, variable = _frame_rate(container, vstream)
    nominal = vstream.base_rate or vstream.guessed_rate or vstream.average_rate
    transfer = ctx.color_trc if ctx.color_trc in HDR_TRANSFERS else first.color_trc
    return VideoInfo(
        codec=ctx.codec.canonical_name,
        profile=vstream.profile,
        pix_fmt=ctx.pix_fmt,
        width=ctx.width,
        height=ctx.height,
        fps=round(fps, 3),
        variable_fps=variable,
        rotation=round(first.rotation) % 360,
        bit_rate=ctx.bit_rate or None,
        frames=vstream.frames or None,
        frame_rate=_exact_rate(vstream.average_rate, fps),
        nominal_rate=str(Fraction(nominal)) if nominal else None,
        stream_index=vstream.index,
        hdr=HDR_TRANSFERS.get(transfer),
        interlaced=bool(first.interlaced_frame) or ctx.field_order not in (0, 1),  # 0 unknown, 1 progressive
        time_base=str(Fraction(vstream.time_base)) if vstream.time_base else None,
        extradata=bytes(ctx.extradata or b""),
    )


def _probe_open(path: Path, size: int, container: InputContainer, limits: MediaLimits) -> MediaInfo:
    declared.check_streams(path.name, len(container.streams), limits)
    found = container.format.long_name or container.format.name
    vstream = _main_video(path, container, found)
    ctx = vstream.codec_context
    declared.check_frame(path.name, ctx.width, ctx.height, limits)
    first = _first_frame(container, vstream)
    if first is None:
        raise CorruptMediaError(
            f"No picture in {path.name!r} could be decoded ({found} with {ctx.codec.canonical_name} video): "
            "the video stream is damaged.",
            hint="Export the file again, or convert it: " + CONVERT_HINT,
        )
    warnings: list[str] = []
    duration = _duration(path, size, container, vstream, warnings)
    declared.check_duration(path.name, duration, size, limits)
    info = MediaInfo(
        path=path,
        container=container.format.name,
        size_bytes=size,
        duration_s=round(duration, 3),
        bit_rate=container.bit_rate or None,
        video=_video(container, vstream, first),
        audio=_audio(container, warnings),
        warnings=warnings,
    )
    log.debug("probed", path=str(path), info=info.describe(), warnings=warnings)
    return info


def _first_frame(container: InputContainer, vstream: VideoStream) -> VideoFrame | None:
    """Decode the first picture: proves the codec works and gives rotation, transfer and interlacing."""
    try:
        for count, packet in enumerate(container.demux(vstream)):
            try:
                for frame in vstream.decode(packet):
                    return frame
            except streams.DAMAGED_DATA_ERRORS:
                pass  # a damaged packet at the start: try the next ones
            if count > 300:
                break
        for frame in vstream.decode(None):
            return frame
    except av.error.FFmpegError:
        pass
    return None


def _exact_rate(declared: Fraction | None, measured: float) -> str | None:
    """The declared average rate as a fraction, unless the timestamps contradict it."""
    if declared and abs(float(declared) - measured) <= 0.01 * measured:
        return str(Fraction(declared))
    return str(Fraction(measured).limit_denominator(1001)) if measured else None


def _codec_tag(stream: av.stream.Stream) -> str:
    ctx = stream.codec_context
    if ctx is not None and ctx.codec is not None and ctx.codec.name:
        return ctx.codec.name
    tag = getattr(ctx, "codec_tag", None) if ctx is not None else None
    return f"{tag!r}" if tag else "unknown"


def _readable_end(
    path: Path,
    size: int,
    container: InputContainer,
    vstream: VideoStream,
    header_duration: float | None,
    start: float,
) -> float | None:
    """Seconds of video that can really be read: less than the header says when the file is cut short."""
    tb = vstream.time_base
    entries = vstream.index_entries
    if len(entries) > 1 and tb is not None:
        # MP4/MOV: the sample table says where every frame lives; frames past the end are lost.
        n = len(entries)
        ends = np.fromiter((e.pos + e.size for e in entries), np.int64, n)
        if int(ends.max()) <= size:
            return header_duration
        stamps = np.fromiter((e.timestamp for e in entries), np.int64, n)
        inside = stamps[ends <= size]
        if inside.size == 0:
            return 0.0
        return float(int(inside.max()) * tb) - start + (1 / float(vstream.average_rate or 30))
    # Other containers: look near the end and see how far the packets go.
    last = None
    try:
        if header_duration and tb is not None:
            container.seek(int((start + max(0.0, header_duration - 10.0)) / tb), stream=vstream)
        for packet in container.demux(vstream):
            stamp = packet.pts if packet.pts is not None else packet.dts
            if stamp is not None:
                last = max(last or 0.0, float(stamp * tb) - start)
    except av.error.FFmpegError:
        pass
    if last is None:
        return header_duration
    return last + 1 / float(vstream.average_rate or 30)


def _frame_rate(container: InputContainer, vstream: VideoStream) -> tuple[float, bool]:
    """Average fps and whether frame spacing varies, from packet timestamps at the start and middle."""
    tb = vstream.time_base
    stamps: list[list[int]] = []
    duration = float(container.duration or 0) / 1e6
    for where in (0.0, 0.5):
        chunk: list[int] = []
        try:
            container.seek(int(where * duration / float(tb)) if where and tb else 0, stream=vstream)
            for packet in container.demux(vstream):
                if packet.pts is not None:
                    chunk.append(int(packet.pts))
                if len(chunk) >= VFR_SAMPLE_PACKETS:
                    break
        except av.error.FFmpegError:
            pass
        if len(chunk) > 2:
            stamps.append(sorted(chunk))
        if duration < 20:
            break
    rate = vstream.average_rate or vstream.guessed_rate or vstream.base_rate
    fps = float(rate) if rate else 0.0
    diffs = np.concatenate([np.diff(np.asarray(c, dtype=np.float64)) for c in stamps]) if stamps else np.array([])
    diffs = diffs[diffs > 0]
    if diffs.size < 10 or tb is None:
        return fps or 30.0, False
    typical = float(np.median(diffs))
    odd = np.abs(diffs - typical) > 0.25 * typical
    variable = bool(odd.mean() > 0.02)
    spaced = 1.0 / (typical * float(tb))  # the rate the timestamps show
    if not fps or (not variable and abs(fps - spaced) > 0.1 * spaced):
        fps = spaced if not variable else 1.0 / (float(diffs.mean()) * float(tb))  # headers can be wrong (raw DV)
    return fps, variable
