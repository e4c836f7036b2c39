"""Pydantic models at the backend edge; the MCP tools return these as structured content."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal, NamedTuple

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from mcp_highlight.core.durations import parse_duration
from mcp_highlight.core.errors import BadInputError
from mcp_highlight.core.limits import MAX_PATH_CHARS, MAX_REEL_SECONDS, MAX_SOURCES, MAX_TITLE_CHARS
from mcp_highlight.engine.media import kinds as media_kinds

MediaKind = media_kinds.MediaKind  # one definition, in the engine's table


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


class Cli(NamedTuple):
    """How an EditRequest field appears as a `reel` flag (field metadata; the JSON schema ignores it).

    `flags` replaces the default `--field-name`; `hidden` keeps session-only edits (undo, drop a clip)
    off the one-shot command line.
    """

    flags: tuple[str, ...] = ()
    hidden: bool = False


SESSION_ONLY = Cli(hidden=True)


def _seconds(value: Any) -> Any:
    """parse_duration as a validation error (so a tool call's argument check reports it, not a crash)."""
    if not isinstance(value, str | int | float):
        return value
    try:
        return parse_duration(value)
    except BadInputError as exc:
        raise PydanticCustomError("duration", str(exc)) from None


#: Seconds (> 0), also as people type them: '3m', '1:30', '90'. Bad text is a validation error naming it.
Seconds = Annotated[
    float,
    BeforeValidator(_seconds),
    WithJsonSchema({"anyOf": [{"type": "number", "exclusiveMinimum": 0}, {"type": "string"}]}),
]


class EditRequest(BaseModel):
    """The one definition of an edit: the `edit_timeline` tool's arguments, the `reel` flags, the
    sampling prompt's schema and the instruction parser's output are all derived from these fields."""

    model_config = ConfigDict(allow_inf_nan=False)  # 1e309 parses as infinity; no edit means that

    target_s: Annotated[Seconds | None, Cli(("-d", "--duration"))] = Field(
        None, description="Reel length in seconds, or as written: '3m', '90s', '1:30'."
    )
    moments: Annotated[int | None, Cli(("-n", "--moments"))] = Field(
        None, ge=1, le=100, description="Number of moments ('top 5') instead of a length."
    )
    min_segment_s: Annotated[Seconds | None, Cli(("--min-clip",))] = Field(
        None, description="Shortest clip, seconds."
    )
    max_segment_s: Annotated[Seconds | None, Cli(("--max-clip",))] = Field(
        None, description="Longest clip, seconds."
    )
    aspect: Literal["16:9", "9:16", "1:1"] | None = Field(
        None, description="Frame shape: 16:9 (1920x1080), 9:16 vertical (1080x1920), 1:1 square (1080x1080)."
    )
    fit: Literal["crop", "blur", "follow"] | None = Field(
        None,
        description="How another shape fills the frame: centre crop, the whole picture over a blurred fill, or a "
        "crop that follows the action ('follow the action'). Default: follow for 9:16 and 1:1, blurred fill for a "
        "portrait source in 16:9.",
    )
    title: str | None = Field(None, max_length=MAX_TITLE_CHARS, description="Title text shown at the start.")
    title_start_s: Annotated[float | None, SESSION_ONLY] = Field(
        None, ge=0, le=MAX_REEL_SECONDS, description="When the title appears, seconds into the reel."
    )
    title_s: Annotated[Seconds | None, Cli(("--title-seconds",))] = Field(
        None, description="How long the title shows (default 3 s)."
    )
    remove_title: Annotated[bool, SESSION_ONLY] = Field(False, description="Take the title off.")
    music: str | None = Field(
        None,
        max_length=MAX_PATH_CHARS,
        description="Music under the game sound: a file path, or the id or name of an uploaded one.",
    )
    music_volume: float | None = Field(None, ge=0, le=1, description="Music level 0..1 (default 0.35).")
    music_volume_scale: Annotated[float | None, SESSION_ONLY] = Field(
        None, gt=0, le=4, description="Relative music volume: 'quieter' = 0.5, 'louder' = 1.5."
    )
    remove_music: Annotated[bool, SESSION_ONLY] = Field(False, description="Take the music off.")
    captions: bool | None = Field(None, description="Show each moment's source time in a corner.")
    include_replays: bool | None = Field(
        None, description="Broadcasts: also show each moment's replay right after it (default: the live action only)."
    )
    logo: str | None = Field(
        None,
        max_length=MAX_PATH_CHARS,
        description="An image (path, or the id or name of an uploaded one) shown in a corner of the whole reel.",
    )
    logo_position: Literal["top-right", "top-left", "bottom-right", "bottom-left"] | None = Field(
        None, description="The logo's corner (default top-right)."
    )
    remove_logo: Annotated[bool, SESSION_ONLY] = Field(False, description="Take the logo off.")
    drop_clips: Annotated[list[int], SESSION_ONLY] = Field(
        default_factory=list, max_length=100, description="1-based clip numbers to remove; -1 is the last."
    )
    scale_length: Annotated[float | None, SESSION_ONLY] = Field(
        None, gt=0, le=10, description="Relative length: 'make it shorter' = 0.67, 'longer' = 1.5."
    )
    sources: Annotated[list[str] | None, SESSION_ONLY] = Field(
        None,
        max_length=MAX_SOURCES,
        description="Uploaded videos (ids or file names) to take moments from; default all of them.",
    )
    reel: Annotated[bool, SESSION_ONLY] = Field(
        False, description="(Re)build the reel with the current settings ('make a highlight reel')."
    )
    undo: Annotated[bool, SESSION_ONLY] = Field(False, description="Undo the last change.")
    redo: Annotated[bool, SESSION_ONLY] = Field(False, description="Redo what was undone.")

    def is_empty(self) -> bool:
        return self == EditRequest()

    def given(self) -> dict[str, Any]:
        """The fields set to something other than their default."""
        return self.model_dump(exclude_defaults=True)

    def merged_over(self, other: EditRequest) -> EditRequest:
        """`other` with this request's given fields on top (structured arguments win over words)."""
        return other.model_copy(update=self.given())


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


Aspect = Literal["16:9", "9:16", "1:1"]
TimelineFormat = Literal["otio", "fcpxml", "edl"]


class ExportRequest(BaseModel):
    """Export options that are not edits: what to write besides the reel. One definition for the
    `export_video` arguments, the words ("export each moment as its own clip") and the `reel` flags."""

    clips: bool = Field(
        False, description="Also write every moment as its own MP4 (a clip pack), in a folder next to the reel."
    )
    timelines: list[TimelineFormat] = Field(
        default_factory=list,
        description="Editor timelines to write next to the reel, pointing at the original footage: otio "
        "(OpenTimelineIO), fcpxml (Final Cut Pro, DaVinci Resolve), edl (Premiere, Avid).",
    )
    aspects: list[Aspect] = Field(
        default_factory=list,
        description="Shapes to render from the same timeline, one MP4 each ('export 16:9 and 9:16'); the first "
        "is the reel, the others sit next to it. Default: the timeline's own shape.",
    )
    clips_dir: str | None = Field(None, description="Command line only: the clip pack's folder.")
    timeline_paths: list[str] = Field(default_factory=list, description="Command line only: timeline files to write.")

    def is_empty(self) -> bool:
        return self == ExportRequest()


class ExportedFile(BaseModel):
    """One more file an export wrote (a clip of the pack, the reel in another shape)."""

    path: str
    uri: str
    duration_s: float
    size_bytes: int
    width: int
    height: int


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
    fps: float | None = Field(None, description="The reel's constant frame rate (the sources' own up to 60, else 30).")
    warnings: list[str] = Field(
        default_factory=list,
        description="What the render worked around: damaged frames skipped (with their times), HDR converted, "
        "deinterlaced, which sound track was used.",
    )
    download_url: str | None = Field(None, description="HTTP mode: where the file downloads (same bearer token).")
    chapters: str | None = Field(None, description="YouTube-style chapters: reel time, what happened, source time.")
    chapters_path: str | None = Field(None, description="The chapters as <reel>.chapters.txt.")
    cover_path: str | None = Field(None, description="<reel>.jpg: the sharpest frame of the strongest moment.")
    clips: list[ExportedFile] = Field(default_factory=list, description="The clip pack, in reel order.")
    timelines: list[str] = Field(default_factory=list, description="Editor timeline files written.")
    shapes: list[ExportedFile] = Field(default_factory=list, description="The reel in the other shapes asked for.")

    def extras_text(self) -> str:
        """What the export wrote besides the reel, for the tool's text (chapters last: ready to paste)."""
        lines = [f"{shape.width}x{shape.height}: {shape.path}" for shape in self.shapes]
        if self.clips:
            lines.append(f"{len(self.clips)} clips: " + ", ".join(Path(c.path).name for c in self.clips))
        lines += [f"Timeline: {path}" for path in self.timelines]
        if self.cover_path:
            lines.append(f"Cover: {self.cover_path}")
        if self.chapters:
            lines.append("Chapters:\n" + self.chapters.rstrip())
        return "\n".join(lines)



class ExportJob(BaseModel):
    """An export as a job that any replica reports on (cluster mode), e.g. as an MCP task."""

    id: str
    session_id: str
    status: Literal["queued", "running", "completed", "failed", "cancelled", "interrupted"]
    progress: float = 0.0
    message: str = ""
    error: str | None = None
    result: ExportResult | None = None
    created_at: float
    updated_at: float
