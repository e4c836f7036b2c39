"""What `render` is asked to make, and what it reports back."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from mcp_highlight.engine.plan.clip import Clip

Aspect = Literal["16:9", "9:16", "1:1"]
Fit = Literal["auto", "crop", "blur", "follow"]
TitlePosition = Literal["lower_third", "upper_third", "center"]

FRAME_SIZES: dict[str, tuple[int, int]] = {"16:9": (1920, 1080), "9:16": (1080, 1920), "1:1": (1080, 1080)}


class TitleSpec(BaseModel):
    text: str
    start_s: float = 0.0
    duration_s: float = 3.0
    position: TitlePosition = "lower_third"


class MusicSpec(BaseModel):
    path: Path
    volume: float = Field(0.35, ge=0.0, le=1.0, description="Music level under the game sound.")
    fade_s: float = 1.5


Corner = Literal["top-right", "top-left", "bottom-right", "bottom-left"]


class LogoSpec(BaseModel):
    path: Path
    position: Corner = "top-right"
    width_fraction: float = Field(0.12, gt=0, le=0.5, description="Logo width as a share of the frame width.")
    opacity: float = Field(0.9, ge=0.0, le=1.0)


class RenderSpec(BaseModel):
    clips: list[Clip] = Field(min_length=1)
    output: Path
    aspect: Aspect = "16:9"
    fit: Fit = Field(
        "auto",
        description="How a frame of another shape fills ours: centre crop, blurred fill, a crop that follows the "
        "action, or auto (follow for vertical and square reels, blurred fill for portrait footage in 16:9).",
    )
    title: TitleSpec | None = None
    music: MusicSpec | None = None
    logo: LogoSpec | None = None
    audio_fade_s: float = Field(0.05, description="Fade at every cut so nothing clicks.")
    allow_stream_copy: bool = True

    @property
    def frame_size(self) -> tuple[int, int]:
        return FRAME_SIZES[self.aspect]


class RenderResult(BaseModel):
    path: Path
    duration_s: float
    size_bytes: int
    width: int
    height: int
    fast_path: bool = Field(description="True when video was stream-copied (cut on keyframes).")
    elapsed_s: float = 0.0
    cut_times_s: list[float] = Field(
        default_factory=list, description="Where each clip starts on the reel's timeline (the first is 0)."
    )
    source_spans: list[tuple[float, float]] = Field(
        default_factory=list,
        description="The source range each piece of the reel actually used: frame-rounded, or keyframe-snapped on "
        "the fast path, where clips of one file that overlap once snapped become one piece (so there may be fewer "
        "pieces than clips).",
    )
    span_sources: list[Path] = Field(default_factory=list, description="The file each piece of the reel came from.")
    fps: float = Field(30.0, description="The reel's constant frame rate: the sources' own up to 60, else 30.")
    warnings: list[str] = Field(
        default_factory=list,
        description="How the sources were read: damage skipped, HDR converted, deinterlaced, which sound track.",
    )
