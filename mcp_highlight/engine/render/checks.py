"""Everything render refuses before any work starts, and the check of the finished file before it is kept."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from pathlib import Path

import av

from mcp_highlight.core.errors import BadInputError, HighlightError, ImpossibleRequestError, MediaNotFoundError
from mcp_highlight.engine.media.assets import probe_audio, probe_image
from mcp_highlight.engine.media.info import ImageInfo, MediaInfo
from mcp_highlight.engine.plan.clip import Clip
from mcp_highlight.engine.render.encoder_args import FPS
from mcp_highlight.engine.render.sources import SourceFacts, Span

END_SLACK_S = 0.1  # a clip may end this far past the source's end (rounding); it is clamped


def checked_clip(clip: Clip, facts: SourceFacts) -> Span:
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
    return Span(source=facts, start_s=clip.start_s, duration_s=end - clip.start_s, caption=caption or None)


def check_music(path: Path, known: Mapping[Path, MediaInfo | ImageInfo] | None = None) -> None:
    """Probe the music bed with `engine.probe`, unless the caller already did."""
    path = path.expanduser().absolute()
    if isinstance((known or {}).get(path), MediaInfo):
        return
    if not path.is_file():
        raise MediaNotFoundError(f"Music file not found: {path}", hint="Check the path (mp3, wav, m4a or aac).")
    probe_audio(path, max_bytes=None)


def check_logo(path: Path, known: Mapping[Path, MediaInfo | ImageInfo] | None = None) -> None:
    """Probe the logo with `engine.probe`, unless the caller already did."""
    path = path.expanduser().absolute()
    if isinstance((known or {}).get(path), ImageInfo):
        return
    if not path.is_file():
        raise MediaNotFoundError(f"Logo image not found: {path}", hint="Check the path (png, jpg, gif or webp).")
    probe_image(path, max_bytes=None)


def check_output(output: Path, sources: list[Path]) -> None:
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


def check_title_fits(start_s: float, total_s: float) -> None:
    if start_s >= total_s - 0.1:
        raise ImpossibleRequestError(
            f"The title starts at {start_s:.1f}s but the reel is only {total_s:.1f}s long.",
            hint="Start the title earlier (0 is the beginning of the reel).",
        )


def verify_output(path: Path, expected_s: float) -> tuple[float, int, int]:
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
