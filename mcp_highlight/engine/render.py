"""Render a reel: validate, then either copy the video (fast path) or re-encode it, always to a valid MP4.

The output is H.264 High (or, on the fast path, the source's own H.264, which a High decoder plays),
yuv420p, AAC 48 kHz stereo, with the moov atom first. It is written under a hidden temporary name next to
the target and moved into place only once it has been probed and found complete, so a failed or
cancelled render never leaves something that looks finished, and never touches an existing output.
"""

from __future__ import annotations

import contextlib
import math
import os
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
from PIL import Image

from mcp_highlight.engine import clip_audio, scratch
from mcp_highlight.engine import render_filters as rf
from mcp_highlight.engine.ffmpeg import run_ffmpeg
from mcp_highlight.engine.overlays import caption_image, logo_image, save_png, title_image
from mcp_highlight.engine.render_spec import Clip, RenderResult, RenderSpec
from mcp_highlight.errors import (
    BadInputError,
    CorruptMediaError,
    HighlightError,
    ImpossibleRequestError,
    MediaNotFoundError,
    OperationCancelledError,
    UnsupportedMediaError,
)
from mcp_highlight.logs import get_logger
from mcp_highlight.progress import ProgressFn, no_progress, scaled

log = get_logger(__name__)

FPS = rf.FPS
CRF = 21
PRESET = "veryfast"
AUDIO_BITRATE = "192k"
END_SLACK_S = 0.1  # a clip may end this far past the source's end (rounding); it is clamped
_COPYABLE_PROFILES = {"High", "Main", "Constrained Baseline"}  # all decodable by a High profile decoder
_INLINE_GRAPH_CHARS = 60_000
GROUP_CLIPS = 6  # clips per ffmpeg encode run: bounds memory (each input queues decoded frames)


@dataclass(frozen=True)
class SourceFacts:
    """What render needs to know about one source file (a light probe with PyAV)."""

    path: Path
    duration_s: float
    has_audio: bool
    codec: str
    profile: str | None
    pix_fmt: str | None
    width: int
    height: int
    rotation: int
    fps: Fraction | None
    variable_fps: bool
    time_base: Fraction
    extradata: bytes

    @property
    def display(self) -> tuple[int, int]:
        if self.rotation % 180 == 90:
            return self.height, self.width
        return self.width, self.height


def probe_source(path: Path) -> SourceFacts:
    """Open `path` and read its first frame (for rotation); refuse files we cannot render from."""
    path = path.expanduser().absolute()  # absolute, so ffmpeg never reads a name as a protocol ("concat:", "http:")
    if not path.is_file():
        raise MediaNotFoundError(f"Source video not found: {path}", hint="Check the path, or upload the file again.")
    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                raise UnsupportedMediaError(
                    f"{path.name} has no video stream.", hint="Give a video file (mp4, mov, mkv, webm, avi)."
                )
            stream = container.streams.video[0]
            ctx = stream.codec_context
            rotation = 0
            for frame in container.decode(stream):
                rotation = round(frame.rotation or 0) % 360
                break
            duration_s = _duration_s(container, stream)
            avg, base = stream.average_rate, stream.base_rate
            variable = bool(avg and base and abs(float(avg) - float(base)) > 0.01 * float(base))
            return SourceFacts(
                path=path,
                duration_s=duration_s,
                has_audio=bool(container.streams.audio),
                codec=ctx.name,
                profile=stream.profile,
                pix_fmt=ctx.pix_fmt,
                width=ctx.width,
                height=ctx.height,
                rotation=rotation,
                fps=Fraction(avg) if avg else None,
                variable_fps=variable,
                time_base=Fraction(stream.time_base),
                extradata=bytes(ctx.extradata or b""),
            )
    except HighlightError:
        raise
    except (av.FFmpegError, OSError, ValueError) as exc:
        raise CorruptMediaError(
            f"Cannot read {path.name}: {exc}", hint="The file may be damaged or not a video; try re-exporting it."
        ) from exc


def _duration_s(container: av.container.InputContainer, stream: av.video.stream.VideoStream) -> float:
    if container.duration:
        return container.duration / 1e6
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    return 0.0


@dataclass(frozen=True)
class _Span:
    """A clip as rendered: source start (seconds from the file's start) and length."""

    source: SourceFacts
    start_s: float
    duration_s: float
    caption: str | None = None


def render(spec: RenderSpec, *, progress: ProgressFn = no_progress) -> RenderResult:
    """Make the reel `spec` describes at `spec.output`; see the module docstring for the guarantees."""
    started = time.monotonic()
    progress(0.0, "Checking sources")
    output = spec.output.expanduser().absolute()
    sources = {clip.source: probe_source(clip.source) for clip in spec.clips}
    clips = [_checked_clip(clip, sources[clip.source]) for clip in spec.clips]
    if spec.music is not None:
        _check_music(spec.music.path)
    if spec.logo is not None:
        _check_logo(spec.logo.path)
    _check_output(output, list(sources))
    total_s = sum(c.duration_s for c in clips)
    if spec.title is not None and spec.title.text.strip() and spec.title.start_s >= total_s - 0.1:
        raise ImpossibleRequestError(
            f"The title starts at {spec.title.start_s:.1f}s but the reel is only {total_s:.1f}s long.",
            hint="Start the title earlier (0 is the beginning of the reel).",
        )

    token = secrets.token_hex(4)
    partial = output.with_name(f".{output.stem}.partial-{token}.mp4")
    work = output.with_name(f".{output.stem}.work-{token}")
    try:
        scratch.claim(work)  # locked while alive, so a start-up sweep leaves it alone
        blocker = _fast_path_blocker(spec, clips, list(sources.values()))
        spans: list[_Span] | None = None
        if blocker is None:
            try:
                spans = _render_fast(spec, clips, work, partial, progress)
            except _NotCopyable as exc:
                log.info("render.fast_path_abandoned", reason=str(exc))
                spans = None
        else:
            log.info("render.reencode", reason=blocker)
        fast = spans is not None
        if spans is None:
            spans = _render_reencode(spec, clips, work, partial, scaled(progress, 0.02, 0.97))
        progress(0.97, "Checking the result")
        expected = sum(s.duration_s for s in spans)
        duration, width, height = _verify(partial, expected)
        os.replace(partial, output)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
        raise
    finally:
        scratch.release(work)

    cuts, position = [], 0.0
    for span in spans:
        cuts.append(round(position, 3))
        position += span.duration_s
    result = RenderResult(
        path=output,
        duration_s=duration,
        size_bytes=output.stat().st_size,
        width=width,
        height=height,
        fast_path=fast,
        elapsed_s=round(time.monotonic() - started, 3),
        cut_times_s=cuts,
        source_spans=[(round(s.start_s, 3), round(s.start_s + s.duration_s, 3)) for s in spans],
    )
    log.info("render.done", path=str(output), duration_s=duration, fast_path=fast, elapsed_s=result.elapsed_s)
    with contextlib.suppress(OperationCancelledError):
        progress(1.0, "Done")  # a cancel arriving now is too late: the reel is finished and in place
    return result


# ---------------------------------------------------------------------------------------------- validation


def _checked_clip(clip: Clip, facts: SourceFacts) -> _Span:
    name = clip.source.name
    if clip.start_s < 0:
        raise ImpossibleRequestError(f"A clip of {name} starts at {clip.start_s:.2f}s, before the video begins.")
    if clip.end_s <= clip.start_s:
        raise ImpossibleRequestError(
            f"A clip of {name} ends ({clip.end_s:.2f}s) before it starts ({clip.start_s:.2f}s).",
            hint="Give each clip a start earlier than its end.",
        )
    if clip.end_s > facts.duration_s + END_SLACK_S:
        raise ImpossibleRequestError(
            f"A clip of {name} runs to {clip.end_s:.2f}s but the video is only {facts.duration_s:.2f}s long.",
            hint="Keep clips inside the source's duration.",
        )
    end = min(clip.end_s, facts.duration_s)
    if end - clip.start_s < 1.0 / FPS:
        raise ImpossibleRequestError(f"A clip of {name} is shorter than one frame.", hint="Make clips at least 0.1s.")
    caption = clip.caption.strip() if clip.caption else None
    return _Span(source=facts, start_s=clip.start_s, duration_s=end - clip.start_s, caption=caption or None)


def _check_music(path: Path) -> None:
    if not path.is_file():
        raise MediaNotFoundError(f"Music file not found: {path}", hint="Check the path (mp3, wav, m4a or aac).")
    try:
        with av.open(str(path)) as container:
            if not container.streams.audio:
                raise UnsupportedMediaError(f"{path.name} has no audio.", hint="Give an mp3, wav, m4a or aac file.")
    except HighlightError:
        raise
    except (av.FFmpegError, OSError) as exc:
        raise CorruptMediaError(f"Cannot read the music file {path.name}: {exc}") from exc


def _check_logo(path: Path) -> None:
    if not path.is_file():
        raise MediaNotFoundError(f"Logo image not found: {path}", hint="Check the path (png, jpg, gif or webp).")
    try:
        with Image.open(path) as image:
            image.verify()
    except (OSError, SyntaxError) as exc:
        raise UnsupportedMediaError(
            f"Cannot read the logo {path.name} as an image.", hint="Use a png, jpg, gif or webp."
        ) from exc


def _check_output(output: Path, sources: list[Path]) -> None:
    if output.is_dir():
        raise BadInputError(f"The output {output} is a folder.", hint="Give a file name such as reel.mp4.")
    if any(output.resolve() == source.expanduser().resolve() for source in sources):
        raise BadInputError("The output would overwrite a source video.", hint="Choose another output name.")
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        probe = output.with_name(f".{output.stem}.check-{secrets.token_hex(4)}")
        probe.touch()
        probe.unlink()
    except OSError as exc:
        raise BadInputError(
            f"Cannot write to {output.parent}: {exc.strerror or exc}", hint="Choose an output folder you can write to."
        ) from exc


# ----------------------------------------------------------------------------------------------- fast path


class _NotCopyable(Exception):
    """The stream turned out unfit for copying (found while reading packets); re-encode instead."""


def _fast_path_blocker(spec: RenderSpec, clips: list[_Span], sources: list[SourceFacts]) -> str | None:
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
        if s.variable_fps or s.fps is None or s.fps != first.fps:
            return f"{s.path.name} frame rate {s.fps} (variable={s.variable_fps})"
        if not s.extradata.startswith(b"\x01"):
            return f"{s.path.name} carries its H.264 headers in-band (not MP4-style)"
        if s.extradata != first.extradata or s.time_base != first.time_base:
            return "sources were encoded with different settings"
    return None


def _render_fast(spec: RenderSpec, clips: list[_Span], work: Path, partial: Path, progress: ProgressFn) -> list[_Span]:
    video = work / "video.mp4"
    spans = _copy_video(clips, video, scaled(progress, 0.02, 0.45), message="Copying video")
    _mux_final(spec, video, spans, work, partial, scaled(progress, 0.45, 0.97))
    return spans


@dataclass
class _Copied:
    """Where the last copied clip stands, so a following clip that overlaps it can simply continue it."""

    path: Path
    key: int  # its keyframe pts (source ticks)
    offset: int  # where it starts in the output (ticks)
    last_dts: int  # source dts of its last packet
    end_pts: int  # source pts where it ends


def _copy_video(clips: list[_Span], dest: Path, progress: ProgressFn, *, message: str) -> list[_Span]:
    """Copy each clip's packets (from the keyframe at or before its start) into one video-only MP4.

    A clip whose start snaps back to its keyframe ends as much earlier, keeping its planned length.
    Each clip ends at the first clean point at or after its end: every frame shown before the end is
    kept along with the frames it references, and no frame is left out in between (a gap would
    show as a stutter). When snapping a start back to its keyframe would replay the end of the
    previous clip of the same file, the two are merged into one continuous span instead.
    Returns the spans actually copied, so the audio can be cut to match exactly.
    """
    total = sum(c.duration_s for c in clips)
    inputs: dict[Path, av.container.InputContainer] = {}
    spans: list[_Span] = []
    out = av.open(str(dest), "w", format="mp4")
    try:
        first = av.open(str(clips[0].source.path))
        inputs[clips[0].source.path] = first
        out_stream = out.add_stream_from_template(first.streams.video[0])
        offset = 0
        last_out_dts: int | None = None
        previous: _Copied | None = None
        last_report = 0.0
        for clip in clips:
            container = inputs.get(clip.source.path) or inputs.setdefault(
                clip.source.path, av.open(str(clip.source.path))
            )
            stream = container.streams.video[0]
            tb = Fraction(stream.time_base)
            origin = _origin_ticks(container, tb)
            frame_ticks = max(1, round(1 / (clip.source.fps * tb))) if clip.source.fps else 1
            start_ts = origin + math.floor(Fraction(clip.start_s) / tb)
            end_ts = origin + round(Fraction(clip.start_s + clip.duration_s) / tb) - frame_ticks // 2
            key = _keyframe_at_or_before(container, stream, start_ts, origin)
            # keep the planned length: start on the keyframe and end as much earlier, so the reel stays on target
            end_ts = max(end_ts - (start_ts - key), key + frame_ticks)
            merge = previous is not None and previous.path == clip.source.path and key < previous.end_pts
            if merge and previous is not None:
                if end_ts <= previous.end_pts:
                    continue  # wholly inside what was already copied
                key, base = previous.key, previous.offset
                packets = _clip_packets(
                    container, stream, key, end_ts, resume_after_dts=previous.last_dts, emitted_max=previous.end_pts - 1
                )
            else:
                base = offset
                packets = _clip_packets(container, stream, key, end_ts)
            max_pts: int | None = None
            last_src_dts = previous.last_dts if merge and previous is not None else key
            for packet in packets:
                pts, dts = packet.pts, packet.dts if packet.dts is not None else packet.pts
                end_pts = pts + (packet.duration or frame_ticks)
                max_pts = end_pts if max_pts is None else max(max_pts, end_pts)
                out_dts = dts - key + base
                if last_out_dts is not None and out_dts <= last_out_dts:
                    out_dts = last_out_dts + 1
                out_pts = pts - key + base
                if out_pts < out_dts:
                    raise _NotCopyable("timestamps would go backwards at a cut")
                last_src_dts = dts
                packet.stream = out_stream
                packet.time_base = stream.time_base
                packet.pts, packet.dts = out_pts, out_dts
                last_out_dts = out_dts
                out.mux(packet)
                now = time.monotonic()
                if now - last_report >= 0.3:
                    last_report = now
                    here = min(float((out_pts) * tb) / total, 1.0)
                    progress(here, f"{message} {int(100 * here)}%")
            if max_pts is None:
                if merge:
                    continue
                raise _NotCopyable(f"no packets found for a clip of {clip.source.path.name}")
            if merge and previous is not None:
                max_pts = max(max_pts, previous.end_pts)
                spans.pop()
            length = max_pts - key
            spans.append(_Span(source=clip.source, start_s=float((key - origin) * tb), duration_s=float(length * tb)))
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
                raise _NotCopyable("packets without timestamps")
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
    raise _NotCopyable("no keyframe found before a clip start")


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
            raise _NotCopyable("packets without timestamps")
        if not started:
            if packet.is_keyframe and packet.pts == key:
                started = True
            elif packet.dts is not None and packet.dts > key:
                raise _NotCopyable("could not find the keyframe again after seeking")
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


# ------------------------------------------------------------------------------------------------ re-encode


def _render_reencode(
    spec: RenderSpec, clips: list[_Span], work: Path, partial: Path, progress: ProgressFn
) -> list[_Span]:
    """Encode the video in groups of at most GROUP_CLIPS clips, join the groups, then add the audio.

    One ffmpeg run per group keeps memory bounded: every clip is an ffmpeg input holding decoded
    frames in its queue, so one run over 40 clips would hold well over a gigabyte.
    """
    spans = [
        _Span(source=c.source, start_s=c.start_s, duration_s=max(1, round(c.duration_s * FPS)) / FPS, caption=c.caption)
        for c in clips
    ]
    total = sum(s.duration_s for s in spans)
    encode_share = 0.9
    segments: list[_Span] = []
    offset = 0.0
    for first in range(0, len(spans), GROUP_CLIPS):
        group = spans[first : first + GROUP_CLIPS]
        length = sum(s.duration_s for s in group)
        segment = work / f"video{first // GROUP_CLIPS:03d}.mp4"
        group_progress = scaled(progress, encode_share * offset / total, encode_share * (offset + length) / total)
        _encode_group(spec, group, offset, total, segment, work, group_progress)
        segments.append(_Span(source=probe_source(segment), start_s=0.0, duration_s=length))
        offset += length
    if len(segments) == 1:
        video = segments[0].source.path
    else:
        video = work / "video.mp4"
        joined = _copy_video(segments, video, scaled(progress, encode_share, 0.93), message="Joining")
        drift = abs(sum(s.duration_s for s in joined) - total)
        if drift > 1.0 / FPS:
            raise HighlightError(f"Joining the encoded parts changed the length by {drift:.3f}s.")
    _mux_final(spec, video, spans, work, partial, scaled(progress, 0.93, 1.0))
    return spans


def _encode_group(
    spec: RenderSpec,
    spans: list[_Span],
    offset_s: float,
    reel_length_s: float,
    dest: Path,
    work: Path,
    progress: ProgressFn,
) -> None:
    """Encode consecutive clips (video only) to `dest`: normalised, captioned, with the title where it falls."""
    frame = spec.frame_size
    length = sum(s.duration_s for s in spans)
    args: list[str] = []
    for span in spans:
        args += ["-an", "-sn", "-dn", *_input_window(span.start_s, span.duration_s + 0.5), "-i", str(span.source.path)]
    n_inputs = len(spans)
    margin = rf.even(min(frame) * 0.04)
    graph: list[str] = []
    for i, span in enumerate(spans):
        caption_input = None
        if span.caption:
            png = save_png(caption_image(span.caption, frame), work, f"caption{i}")
            args += ["-i", str(png)]
            caption_input = n_inputs
            n_inputs += 1
        video = rf.ClipVideo(
            input_index=i, display=span.source.display, frames=round(span.duration_s * FPS), caption_input=caption_input
        )
        graph += rf.clip_video_filters(video, f"v{i}", frame=frame, fit=spec.fit, caption_xy=(margin, margin))
    graph.append(rf.video_concat_filter([f"v{i}" for i in range(len(spans))], "vcat"))
    video_out = "vcat"
    title = spec.title
    if title is not None and title.text.strip():
        # The title's times are on the reel's timeline; this group starts `offset_s` into the reel.
        title_start = max(0.0, title.start_s)
        title_end = min(title_start + title.duration_s, reel_length_s)
        start, end = title_start - offset_s, min(title_end - offset_s, length)
        if end > 0 and start < length:
            image = title_image(title.text.strip(), frame)
            png = save_png(image, work, "title")
            args += ["-loop", "1", "-framerate", str(FPS), "-t", f"{end:.4f}", "-i", str(png)]
            y = rf.title_y(title.position, frame[1], image.height)
            graph += rf.title_filters(
                n_inputs,
                "vcat",
                "vout",
                frame=frame,
                size=image.size,
                y=y,
                start_s=start,
                end_s=end,
                fade_in=start >= 0,
                fade_out=title_end - offset_s <= length + 1e-6,
            )
            video_out = "vout"
            n_inputs += 1
    if spec.logo is not None:
        logo = logo_image(spec.logo.path, frame, width_fraction=spec.logo.width_fraction, opacity=spec.logo.opacity)
        png = save_png(logo, work, "logo")
        args += ["-loop", "1", "-framerate", str(FPS), "-t", f"{length:.4f}", "-i", str(png)]
        corner = spec.logo.position
        if corner.startswith("top") and corner.endswith("left") and any(s.caption for s in spans):
            corner = "top-right"  # captions sit top-left
        graph += rf.logo_filters(
            n_inputs, video_out, "vlogo", frame=frame, size=logo.size, corner=corner, margin=margin
        )
        video_out = "vlogo"
    args += _graph_args(graph, work)
    args += ["-map", f"[{video_out}]", "-an"]
    args += ["-c:v", "libx264", "-preset", PRESET, "-crf", str(CRF), "-profile:v", "high", "-pix_fmt", "yuv420p"]
    args += ["-g", str(2 * FPS), "-r", str(FPS), "-map_metadata", "-1", "-f", "mp4", "-y", str(dest)]
    run_ffmpeg(args, duration_s=length, progress=progress, message="Rendering")


def _mux_final(
    spec: RenderSpec, video: Path, spans: list[_Span], work: Path, partial: Path, progress: ProgressFn
) -> None:
    """Copy the finished video and build the audio: each clip's sound (or silence) faded at the cuts,
    joined, with the music bed mixed under it; AAC, moov atom first."""
    total = sum(s.duration_s for s in spans)
    args = ["-i", str(video)]
    audio_clips: list[rf.ClipAudio] = []
    n_inputs = 1
    with_sound = [span for span in spans if span.source.has_audio]
    raw = iter(clip_audio.extract_all([(s.source.path, s.start_s, s.duration_s) for s in with_sound], work))
    for span in spans:
        if span.source.has_audio:
            args += next(raw).input_args()
            audio_clips.append(rf.ClipAudio(input_index=n_inputs, duration_s=span.duration_s))
            n_inputs += 1
        else:
            audio_clips.append(rf.ClipAudio(input_index=None, duration_s=span.duration_s))
    graph = [
        chain
        for i, clip in enumerate(audio_clips)
        for chain in rf.clip_audio_filters(clip, f"a{i}", fade_s=spec.audio_fade_s)
    ]
    graph.append(rf.audio_concat_filter([f"a{i}" for i in range(len(audio_clips))], "game"))
    audio_out = _add_music(spec, args, graph, n_inputs, "game", total)
    args += _graph_args(graph, work)
    args += ["-map", "0:v:0", "-map", f"[{audio_out}]", "-c:v", "copy", *_audio_codec_args(), *_mp4_args(partial)]
    run_ffmpeg(args, duration_s=total, progress=progress, message="Mixing audio")


# ------------------------------------------------------------------------------------------------- helpers


def _input_window(start_s: float, duration_s: float) -> list[str]:
    return ["-ss", f"{start_s:.6f}", "-t", f"{duration_s:.6f}"]


def _add_music(spec: RenderSpec, args: list[str], graph: list[str], index: int, src: str, total: float) -> str:
    """Append the music input and its mix; return the label of the final audio."""
    if spec.music is None:
        return src
    args += ["-vn", "-stream_loop", "-1", "-t", f"{total + 1:.4f}", "-i", str(spec.music.path.expanduser().absolute())]
    graph += rf.music_filters(index, src, "mixed", duration_s=total, volume=spec.music.volume, fade_s=spec.music.fade_s)
    return "mixed"


def _graph_args(graph: list[str], work: Path) -> list[str]:
    text = ";\n".join(graph)
    if len(text) <= _INLINE_GRAPH_CHARS:
        return ["-filter_complex", text]
    script = work / "graph.txt"
    script.write_text(text, encoding="utf-8")
    return ["-/filter_complex", str(script)]


def _audio_codec_args() -> list[str]:
    return ["-c:a", "aac", "-b:a", AUDIO_BITRATE, "-ar", str(rf.SAMPLE_RATE), "-ac", "2"]


def _mp4_args(partial: Path) -> list[str]:
    return ["-map_metadata", "-1", "-map_chapters", "-1", "-movflags", "+faststart", "-f", "mp4", "-y", str(partial)]


def _verify(path: Path, expected_s: float) -> tuple[float, int, int]:
    """Probe the finished file: H.264 video and AAC audio present, and about as long as planned."""
    tolerance = max(0.3, 0.01 * expected_s)
    try:
        with av.open(str(path)) as container:
            if not container.streams.video or not container.streams.audio:
                raise HighlightError("The rendered file is missing its video or audio track.")
            video = container.streams.video[0]
            duration = (container.duration or 0) / 1e6
            width, height = video.codec_context.width, video.codec_context.height
            codec = video.codec_context.name
    except av.FFmpegError as exc:
        raise HighlightError(f"The rendered file cannot be read back: {exc}") from exc
    if codec != "h264":
        raise HighlightError(f"The rendered video is {codec}, not H.264.")
    if abs(duration - expected_s) > tolerance:
        raise HighlightError(
            f"The rendered file is {duration:.2f}s long but {expected_s:.2f}s was planned.",
            hint="This is a bug worth reporting, with the source files' details.",
        )
    return round(duration, 3), width, height
