"""What `probe` learns about a file: the facts every later stage relies on."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from mcp_highlight.core.durations import format_seconds


class VideoInfo(BaseModel):
    codec: str
    profile: str | None = None
    pix_fmt: str | None = None
    width: int = Field(description="Coded width, before rotation.")
    height: int
    fps: float = Field(description="Average frame rate.")
    variable_fps: bool = False
    rotation: int = Field(0, description="Display rotation in degrees (0, 90, 180, 270).")
    bit_rate: int | None = None
    frames: int | None = None
    frame_rate: str | None = Field(None, description="Exact average rate as a fraction, such as '30000/1001'.")
    time_base: str | None = Field(None, description="The stream's time base, such as '1/15360'.")
    extradata: bytes = Field(b"", exclude=True, repr=False, description="Codec headers (for stream copy checks).")
    nominal_rate: str | None = Field(
        None, description="The rate the stream declares (r_frame_rate); for VFR, its peak."
    )
    stream_index: int = Field(0, description="Index of the main picture among all the file's streams.")
    hdr: Literal["hlg", "pq"] | None = Field(None, description="HDR transfer (HLG or PQ), None for SDR.")
    interlaced: bool = False

    @property
    def display_size(self) -> tuple[int, int]:
        """(width, height) as shown, after rotation metadata is applied."""
        if self.rotation % 180 == 90:
            return self.height, self.width
        return self.width, self.height


class AudioInfo(BaseModel):
    codec: str
    sample_rate: int
    channels: int
    bit_rate: int | None = None
    stream_index: int = Field(0, description="Index of the main sound track among all the file's streams.")
    track: str | None = Field(None, description="Which track is used, when the file has several.")


class MediaInfo(BaseModel):
    path: Path
    container: str = Field(description="Demuxer name, such as 'mov,mp4,m4a,3gp,3g2,mj2' or 'matroska,webm'.")
    size_bytes: int
    duration_s: float
    bit_rate: int | None = None
    video: VideoInfo | None = None
    audio: AudioInfo | None = None
    warnings: list[str] = Field(default_factory=list, description="What could not be read, for damaged files.")

    @property
    def has_audio(self) -> bool:
        return self.audio is not None

    @property
    def has_video(self) -> bool:
        return self.video is not None

    def describe(self) -> str:
        """One line for people: `1920x1080 h264 30fps, aac stereo, 2:00:00, 412 MB`."""
        bits = []
        if self.video:
            w, h = self.video.display_size
            fps = f"{self.video.fps:.3g}fps" + (" (variable)" if self.video.variable_fps else "")
            bits.append(f"{w}x{h} {self.video.codec} {fps}")
        bits.append(f"{self.audio.codec} {self.audio.channels}ch" if self.audio else "no audio")
        bits.append(format_seconds(self.duration_s))
        bits.append(f"{self.size_bytes / 1e6:.0f} MB" if self.size_bytes >= 1e6 else f"{self.size_bytes / 1e3:.0f} kB")
        return ", ".join(bits)


class ImageInfo(BaseModel):
    """What `probe_image` learns about a logo or still picture."""

    path: Path
    format: str = Field(description="Pillow's format name, such as 'PNG' or 'JPEG'.")
    width: int
    height: int
    size_bytes: int
    has_alpha: bool = False
    frames: int = Field(1, description="More than one for an animated GIF or WebP (the first frame is used).")
