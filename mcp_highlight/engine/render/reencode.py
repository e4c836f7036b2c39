"""The re-encode path: every clip decoded, normalised (rate, size, shape), captioned, titled and logoed,
then encoded to H.264 High yuv420p in groups, joined, and handed to the audio step."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from mcp_highlight.core.errors import HighlightError
from mcp_highlight.core.progress import ProgressFn, scaled
from mcp_highlight.engine.media.ffmpeg import run_ffmpeg
from mcp_highlight.engine.render import filters as rf
from mcp_highlight.engine.render.audio import mux_final
from mcp_highlight.engine.render.encoder_args import clips_rate, graph_args, input_window, video_codec_args
from mcp_highlight.engine.render.overlays import caption_image, logo_image, save_png, title_image
from mcp_highlight.engine.render.reframe import clip_follow_path
from mcp_highlight.engine.render.sources import Span, probe_source
from mcp_highlight.engine.render.spec import RenderSpec
from mcp_highlight.engine.render.stream_copy import copy_video

GROUP_CLIPS = 6  # clips per ffmpeg encode run: bounds memory (each input queues decoded frames)


def render_reencode(
    spec: RenderSpec, clips: list[Span], work: Path, partial: Path, progress: ProgressFn
) -> tuple[list[Span], list[str]]:
    """Encode the video in groups of at most GROUP_CLIPS clips, join the groups, then add the audio.

    One ffmpeg run per group keeps memory bounded: every clip is an ffmpeg input holding decoded
    frames in its queue, so one run over 40 clips would hold well over a gigabyte.
    Returns the spans as rendered (frame-rounded) and warnings about damaged sound.
    """
    fps = clips_rate(clips)
    spans = [
        Span(
            source=c.source,
            start_s=c.start_s,
            duration_s=float(max(1, round(c.duration_s * fps)) / fps),
            caption=c.caption,
        )
        for c in clips
    ]
    total = sum(s.duration_s for s in spans)
    encode_share = 0.9
    segments: list[Span] = []
    offset = 0.0
    for first in range(0, len(spans), GROUP_CLIPS):
        group = spans[first : first + GROUP_CLIPS]
        length = sum(s.duration_s for s in group)
        segment = work / f"video{first // GROUP_CLIPS:03d}.mp4"
        group_progress = scaled(progress, encode_share * offset / total, encode_share * (offset + length) / total)
        encode_group(spec, group, offset, total, segment, work, group_progress, fps=fps)
        segments.append(Span(source=probe_source(segment), start_s=0.0, duration_s=length))
        offset += length
    if len(segments) == 1:
        video = segments[0].source.path
    else:
        video = work / "video.mp4"
        joined = copy_video(segments, video, scaled(progress, encode_share, 0.93), message="Joining")
        drift = abs(sum(s.duration_s for s in joined) - total)
        if drift > 1.0 / fps:
            raise HighlightError(f"Joining the encoded parts changed the length by {drift:.3f}s.")
    warnings = mux_final(spec, video, spans, work, partial, scaled(progress, 0.93, 1.0))
    return spans, warnings


@dataclass
class _Command:
    """An ffmpeg command being built: inputs in order, the filter graph, and the label of the picture so far."""

    args: list[str] = field(default_factory=list)
    graph: list[str] = field(default_factory=list)
    inputs: int = 0
    out: str = "vcat"

    def add_input(self, *args: str) -> int:
        self.args += args
        self.inputs += 1
        return self.inputs - 1


def _add_clips(cmd: _Command, spec: RenderSpec, spans: list[Span], work: Path, progress: ProgressFn, fps: Fraction) -> None:
    """Each clip normalised to the frame (crop, follow or blur fill), captioned, then all joined as `vcat`."""
    frame = spec.frame_size
    margin = rf.even(min(frame) * 0.04)
    for span in spans:
        cmd.add_input("-an", "-sn", "-dn", *input_window(span.start_s, span.duration_s + 0.5), "-i", str(span.source.path))
    for i, span in enumerate(spans):
        caption_input = None
        if span.caption:
            caption_input = cmd.add_input("-i", str(save_png(caption_image(span.caption, frame), work, f"caption{i}")))
        video = rf.ClipVideo(
            input_index=i,
            display=span.source.display,
            frames=round(span.duration_s * fps),
            caption_input=caption_input,
            crop_path=clip_follow_path(
                spec.fit, span.source, span.start_s, span.duration_s, frame, progress, fps=round(fps)
            ),
            stream=span.source.video_index,
            fps=fps,
            interlaced=span.source.interlaced,
            hdr=span.source.hdr,
        )
        cmd.graph += rf.clip_video_filters(video, f"v{i}", frame=frame, fit=spec.fit, caption_xy=(margin, margin))
    cmd.graph.append(rf.video_concat_filter([f"v{i}" for i in range(len(spans))], "vcat"))


def _add_title(
    cmd: _Command, spec: RenderSpec, offset_s: float, reel_length_s: float, length: float, work: Path, fps: Fraction
) -> None:
    """The title over the part of it that falls in this group (its times are on the reel's timeline)."""
    title = spec.title
    if title is None or not title.text.strip():
        return
    title_start = max(0.0, title.start_s)
    title_end = min(title_start + title.duration_s, reel_length_s)
    start, end = title_start - offset_s, min(title_end - offset_s, length)
    if end <= 0 or start >= length:
        return
    frame = spec.frame_size
    image = title_image(title.text.strip(), frame)
    png = save_png(image, work, "title")
    index = cmd.add_input("-loop", "1", "-framerate", rf.rate_text(fps), "-t", f"{end:.4f}", "-i", str(png))
    y = rf.title_y(title.position, frame[1], image.height)
    cmd.graph += rf.title_filters(
        index,
        cmd.out,
        "vout",
        frame=frame,
        size=image.size,
        y=y,
        start_s=start,
        end_s=end,
        fade_in=start >= 0,
        fade_out=title_end - offset_s <= length + 1e-6,
    )
    cmd.out = "vout"


def _add_logo(cmd: _Command, spec: RenderSpec, spans: list[Span], length: float, work: Path, fps: Fraction) -> None:
    if spec.logo is None:
        return
    frame = spec.frame_size
    logo = logo_image(spec.logo.path, frame, width_fraction=spec.logo.width_fraction, opacity=spec.logo.opacity)
    png = save_png(logo, work, "logo")
    index = cmd.add_input("-loop", "1", "-framerate", rf.rate_text(fps), "-t", f"{length:.4f}", "-i", str(png))
    corner = spec.logo.position
    if corner.startswith("top") and corner.endswith("left") and any(s.caption for s in spans):
        corner = "top-right"  # captions sit top-left
    margin = rf.even(min(frame) * 0.04)
    cmd.graph += rf.logo_filters(index, cmd.out, "vlogo", frame=frame, size=logo.size, corner=corner, margin=margin)
    cmd.out = "vlogo"


def encode_group(
    spec: RenderSpec,
    spans: list[Span],
    offset_s: float,
    reel_length_s: float,
    dest: Path,
    work: Path,
    progress: ProgressFn,
    *,
    fps: Fraction,
) -> None:
    """Encode consecutive clips (video only) to `dest`: normalised, captioned, with the title where it falls."""
    length = sum(s.duration_s for s in spans)
    cmd = _Command()
    _add_clips(cmd, spec, spans, work, progress, fps)
    _add_title(cmd, spec, offset_s, reel_length_s, length, work, fps)
    _add_logo(cmd, spec, spans, length, work, fps)
    args = [*cmd.args, *graph_args(cmd.graph, work), "-map", f"[{cmd.out}]", "-an"]
    args += [*video_codec_args(fps), *_keyframes_at_cuts(spans), "-map_metadata", "-1", "-f", "mp4", "-y", str(dest)]
    run_ffmpeg(args, duration_s=length, progress=progress, message="Rendering")


def _keyframes_at_cuts(spans: list[Span]) -> list[str]:
    """A keyframe where each clip starts, so a clip pack can copy each moment out of the reel."""
    starts, position = [], 0.0
    for span in spans[:-1]:
        position += span.duration_s
        starts.append(f"{position:.4f}")
    return ["-force_key_frames", ",".join(starts)] if starts else []
