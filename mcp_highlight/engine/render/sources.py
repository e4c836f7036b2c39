"""What render knows about each source: the facts `engine.probe` found, in the shape the cutters need."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from mcp_highlight.core.errors import MediaNotFoundError
from mcp_highlight.engine.media.info import MediaInfo
from mcp_highlight.engine.media.probe import probe


@dataclass(frozen=True)
class SourceFacts:
    """One source file as render sees it (built from a `probe` result, never from a second probe)."""

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
    nominal_fps: Fraction | None = None
    video_index: int = 0
    audio_track: str | None = None  # which sound track is used, when there are several
    hdr: str | None = None
    interlaced: bool = False
    warnings: tuple[str, ...] = ()

    @property
    def display(self) -> tuple[int, int]:
        if self.rotation % 180 == 90:
            return self.height, self.width
        return self.width, self.height


def facts_from_info(info: MediaInfo) -> SourceFacts:
    video = info.video
    if video is None:  # probe refuses files without a picture, so this is a caller's mistake
        raise ValueError(f"{info.path} was probed without a video stream")
    return SourceFacts(
        path=info.path.expanduser().absolute(),
        duration_s=info.duration_s,
        has_audio=info.has_audio,
        codec=video.codec,
        profile=video.profile,
        pix_fmt=video.pix_fmt,
        width=video.width,
        height=video.height,
        rotation=video.rotation,
        fps=Fraction(video.frame_rate) if video.frame_rate else None,
        variable_fps=video.variable_fps,
        time_base=Fraction(video.time_base) if video.time_base else Fraction(1, 90000),
        extradata=video.extradata,
        nominal_fps=Fraction(video.nominal_rate) if video.nominal_rate else None,
        video_index=video.stream_index,
        audio_track=info.audio.track if info.audio else None,
        hdr=video.hdr,
        interlaced=video.interlaced,
        warnings=tuple(info.warnings),
    )


def probe_source(path: Path, known: Mapping[Path, MediaInfo] | None = None) -> SourceFacts:
    """The facts for `path`: taken from `known` (already probed by the caller) or probed now.

    The path is made absolute so ffmpeg never reads a name as a protocol ("concat:", "http:").
    The size limit is the caller's business (it applied it at upload), so none is applied here.
    """
    path = path.expanduser().absolute()
    info = (known or {}).get(path)
    if info is None:
        if not path.is_file():
            raise MediaNotFoundError(
                f"Source video not found: {path}", hint="Check the path, or upload the file again."
            )
        info = probe(path, max_bytes=None)
    return facts_from_info(info)


@dataclass(frozen=True)
class Span:
    """A clip as rendered: source start (seconds from the file's start) and length."""

    source: SourceFacts
    start_s: float
    duration_s: float
    caption: str | None = None
