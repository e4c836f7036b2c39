"""The draft: the timeline JSON both backends speak (short keys `t/tt/sg/d/m`).

Documented keys: `t` tracks, `tt` track type (0 video, 1 audio, 7 text), `sg` segments,
`d` duration in ms, `m` metadata. Everything else is kept as-is on round trip
(`extra="allow"`), because the hosted backend's segment keys are not documented.

Local conventions (all optional for drafts that come from the cloud):
- segment `st`: start on the reel's timeline, ms (absent: segments follow each other);
- video segment `m`: `src` media id, `path`, `in`/`out` source ms, `score`, `why`, `replay`, `caption`, `name`;
- audio segment `m`: `src`, `path`, `name`, `volume` (0..1), `fade_ms`;
- text segment `m`: `text`, `role` ("title" | "caption");
- image segment (track type 2, a local convention) `m`: `path`, `name`, `position` (a corner): the logo;
- draft `m`: `aspect` ("16:9" | "9:16" | "1:1"), `fit` ("crop" | "blur" | "follow"; absent: auto), `target_ms`, `moments`.
"""

from __future__ import annotations

import hashlib
import json
from enum import IntEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class TrackType(IntEnum):
    VIDEO = 0
    AUDIO = 1
    IMAGE = 2  # local convention (the contract documents 0, 1 and 7): a logo over the whole reel
    TEXT = 7


class Meta(BaseModel):
    """Metadata with the wire's short keys; keys we do not know (the hosted agent's) are kept as-is."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, coerce_numbers_to_str=True)


Number = int | float  # ints stay ints on the wire, so a draft's JSON (and its fingerprint) is unchanged


class SegmentMeta(Meta):
    src: str | None = Field(None, description="Media id of the source (video and audio segments).")
    path: str | None = None
    name: str | None = None
    title: str | None = None
    in_ms: Number | None = Field(None, alias="in", description="Source in-point, ms.")
    out_ms: Number | None = Field(None, alias="out", description="Source out-point, ms.")
    score: float | None = None
    why: str | None = Field(None, description="Why the moment was chosen: the signals behind its score.")
    replay: bool | None = None
    caption: str | None = None
    text: str | None = None
    role: str | None = None
    volume: float | None = None
    fade_ms: Number | None = None
    position: str | None = None

    @property
    def in_s(self) -> float:
        return (self.in_ms or 0) / 1000

    @property
    def out_s(self) -> float:
        return (self.out_ms or 0) / 1000


class TrackMeta(Meta):
    name: str | None = None
    role: str | None = None
    volume: float | None = None


class DraftMeta(Meta):
    """The reel's settings, kept with the draft so a later edit re-plans with them."""

    aspect: str | None = None
    fit: str | None = None
    captions: bool | None = None
    include_replays: bool | None = None
    target_ms: Number | None = None
    moments: int | None = None
    min_segment_s: float | None = None
    max_segment_s: float | None = None
    sources: list[str] | None = None
    dropped: list[tuple[str, Number, Number]] | None = Field(
        None, description="(source id, in ms, out ms) of clips the user dropped: never chosen again."
    )


class Segment(BaseModel):
    model_config = ConfigDict(extra="allow")

    d: int = Field(0, description="Duration in ms.")
    m: SegmentMeta = Field(default_factory=SegmentMeta)
    st: int | None = Field(None, description="Start on the reel's timeline, ms.")


class Track(BaseModel):
    model_config = ConfigDict(extra="allow")

    tt: int = Field(TrackType.VIDEO, description="0 video, 1 audio, 7 text.")
    sg: list[Segment] = Field(default_factory=list)
    m: TrackMeta = Field(default_factory=TrackMeta)

    def spans(self) -> list[tuple[int, int]]:
        """(start_ms, end_ms) of each segment on the timeline."""
        out: list[tuple[int, int]] = []
        cursor = 0
        for seg in self.sg:
            start = seg.st if seg.st is not None else cursor
            out.append((start, start + seg.d))
            cursor = start + seg.d
        return out

    @property
    def end_ms(self) -> int:
        return max((end for _, end in self.spans()), default=0)


class Draft(BaseModel):
    model_config = ConfigDict(extra="allow")

    t: list[Track] = Field(default_factory=list)
    d: int | None = Field(None, description="Total duration in ms, when known.")
    m: DraftMeta = Field(default_factory=DraftMeta)

    def tracks_of(self, kind: TrackType) -> list[Track]:
        return [track for track in self.t if track.tt == kind]

    @property
    def duration_ms(self) -> int:
        return self.d if self.d else max((track.end_ms for track in self.t), default=0)

    @property
    def exportable(self) -> bool:
        """The contract's test: at least one track with segments."""
        return any(track.sg for track in self.t)

    def dump(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True, by_alias=True)

    def fingerprint(self) -> str:
        """Stable hash of the content: an unchanged draft re-exports instantly."""
        blob = json.dumps(self.dump(), sort_keys=True, ensure_ascii=False).encode()
        return hashlib.sha256(blob).hexdigest()[:16]


def _seconds(ms: float) -> str:
    value = ms / 1000
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _track_label(track: Track) -> tuple[str, str]:
    """(kind word, detail) for one track of the summary line."""
    first = track.sg[0].m if track.sg else SegmentMeta()
    if track.tt == TrackType.TEXT:
        role = track.m.role or first.role or "title"
        text = first.text or track.m.name or ""
        return ("Title" if role == "title" else "Captions" if len(track.sg) > 1 else "Text"), f'"{text}"'
    name = track.m.name or first.name or first.title or ""
    if track.tt == TrackType.AUDIO:
        return "BGM", str(name or "audio")
    if track.tt == TrackType.IMAGE:
        return "Logo", str(name or "image")
    count = len(track.sg)
    detail = str(name or "clips")
    if count > 1:
        detail = f"{detail}, {count} clips"
    return "Video", detail


def summarize(draft: Draft) -> str:
    """`Timeline (3 tracks): 1. Video: ... (0-10s) 2. BGM: ... (0-10s, 35%) 3. Title: "..." (0-3s)`."""
    if not draft.t:
        return "Timeline (0 tracks): empty"
    parts = []
    for index, track in enumerate(draft.t, start=1):
        kind, detail = _track_label(track)
        spans = track.spans()
        start = min((s for s, _ in spans), default=0)
        end = max((e for _, e in spans), default=0)
        extra = ""
        if track.tt == TrackType.AUDIO and track.sg:
            volume = track.sg[0].m.volume if track.sg[0].m.volume is not None else track.m.volume
            if volume is not None:
                extra = f", {round(float(volume) * 100)}%"
        parts.append(f"{index}. {kind}: {detail} ({_seconds(start)}-{_seconds(end)}s{extra})")
    plural = "track" if len(draft.t) == 1 else "tracks"
    return f"Timeline ({len(draft.t)} {plural}): " + " ".join(parts)
