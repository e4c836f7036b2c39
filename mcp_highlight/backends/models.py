"""Pydantic models at the backend edge; the MCP tools return these as structured content."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from mcp_highlight.limits import MAX_PATH_CHARS, MAX_REEL_SECONDS, MAX_SOURCES, MAX_TITLE_CHARS

MediaKind = Literal["video", "image", "audio"]


class MediaItem(BaseModel):
    id: str
    name: str
    kind: MediaKind
    path: str | None = None
    info: str = Field("", description="One line: resolution, codecs, duration, size.")
    duration_s: float | None = None
    width: int | None = None
    height: int | None = None
    has_audio: bool | None = None
    size_bytes: int | None = None
    analysed: bool = False


class JobInfo(BaseModel):
    id: str
    status: Literal["pending", "running", "completed", "failed", "interrupted", "cancelled"]
    path: str | None = None
    fingerprint: str | None = None
    error: str | None = None
    created_at: float | None = None


class SessionState(BaseModel):
    session_id: str
    backend: Literal["local", "cloud"]
    summary: str = Field(description="One line: `Timeline (N tracks): 1. Video: ... (0-10s) ...`.")
    draft: dict[str, Any]
    media: list[MediaItem] = Field(default_factory=list)
    jobs: list[JobInfo] = Field(default_factory=list)
    claim_url: str | None = Field(None, description="Cloud only: open the project in the browser.")
    can_undo: bool = False


class UploadResult(BaseModel):
    session_id: str
    media: MediaItem
    message: str


class EditRequest(BaseModel):
    """A structured edit. Rule-based parsing, client sampling, or a client's own arguments produce it."""

    target_s: float | None = Field(None, gt=0, le=MAX_REEL_SECONDS, description="Reel length in seconds.")
    moments: int | None = Field(None, ge=1, le=100, description="Number of moments ('top 5').")
    min_segment_s: float | None = Field(None, gt=0)
    max_segment_s: float | None = Field(None, gt=0)
    aspect: Literal["16:9", "9:16", "1:1"] | None = None
    fit: Literal["crop", "blur"] | None = None
    title: str | None = Field(None, max_length=MAX_TITLE_CHARS, description="Title text shown at the start.")
    title_start_s: float | None = Field(None, ge=0)
    title_s: float | None = Field(None, gt=0, description="How long the title shows.")
    remove_title: bool = False
    music: str | None = Field(None, max_length=MAX_PATH_CHARS, description="Path of a music file, or the id of an uploaded one.")
    music_volume: float | None = Field(None, ge=0, le=1)
    music_volume_scale: float | None = Field(
        None, gt=0, le=4, description="Relative music volume: 'quieter' = 0.5, 'louder' = 1.5."
    )
    remove_music: bool = False
    captions: bool | None = Field(None, description="Per-moment captions with their source time.")
    logo: str | None = Field(
        None, max_length=MAX_PATH_CHARS, description="An image (path, or the id or name of an uploaded one) shown in a corner."
    )
    logo_position: Literal["top-right", "top-left", "bottom-right", "bottom-left"] | None = None
    remove_logo: bool = False
    drop_clips: list[int] = Field(default_factory=list, max_length=100, description="1-based clip numbers to remove.")
    scale_length: float | None = Field(None, gt=0, description="'make it shorter' = 0.67, 'longer' = 1.5.")
    sources: list[str] | None = Field(None, max_length=MAX_SOURCES, description="Media ids to draw moments from (default: all videos).")
    reel: bool = Field(False, description="(Re)build the reel with the current settings ('make a highlight reel').")
    undo: bool = False
    redo: bool = False

    def is_empty(self) -> bool:
        return self == EditRequest()

    def describe(self) -> str:
        """Plain English, for the hosted agent (which takes words, not fields)."""
        from mcp_highlight.service.describe_edit import describe_edit

        return describe_edit(self)


class EditResult(BaseModel):
    session_id: str
    changes: list[str] = Field(description="What changed, each as `thing: before -> after`.")
    before: str
    after: str
    message: str
    draft: dict[str, Any]


class Credits(BaseModel):
    available: int | None
    frozen: int | None
    total: int | None
    metered: bool
    message: str


class ExportResult(BaseModel):
    session_id: str
    path: str
    uri: str
    duration_s: float
    size_bytes: int
    width: int
    height: int
    reused: bool = Field(False, description="True when an unchanged draft returned the existing file.")
    render_id: str | None = None
    claim_url: str | None = None
    fast_path: bool | None = None
    download_url: str | None = Field(None, description="HTTP mode: where the file downloads (same bearer token).")
