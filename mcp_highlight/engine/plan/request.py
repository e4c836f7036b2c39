"""What the plan is asked for (`PlanRequest`) and what it gives back (`Plan` of `Moment`s): the stage's edges."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field, model_validator

from mcp_highlight.core.durations import format_seconds
from mcp_highlight.core.errors import ImpossibleRequestError
from mcp_highlight.engine.plan.clip import Clip


class PlanRequest(BaseModel):
    target_s: float | None = Field(None, gt=0, description="Reel length; default 60 s unless `moments` is given.")
    moments: int | None = Field(None, ge=1, le=200, description="Number of moments ('top 5').")
    min_segment_s: float = Field(4.0, gt=0)
    max_segment_s: float = Field(20.0, gt=0)
    lead_in_s: float = Field(5.0, ge=0, description="Build-up kept before the excitement starts.")
    reaction_s: float = Field(3.0, ge=0, description="Reaction kept after it ends.")
    snap_s: float = Field(1.5, ge=0, description="Snap a clip edge to a scene cut this close.")
    min_gap_s: float = Field(2.0, ge=0, description="Clips closer than this are merged or kept apart.")
    exclude: list[tuple[int, float, float]] = Field(
        default_factory=list, description="(source index, start s, end s) the user dropped: never chosen again."
    )
    include_replays: bool = Field(
        False, description="Also show each chosen moment's replay, right after it (default: the live action only)."
    )

    @model_validator(mode="after")
    def _check(self) -> PlanRequest:
        if self.min_segment_s > self.max_segment_s:
            raise ImpossibleRequestError(
                f"Minimum clip length ({format_seconds(self.min_segment_s)}) is longer than the maximum "
                f"({format_seconds(self.max_segment_s)}).",
                hint="Swap them or widen the range.",
            )
        if self.target_s is not None and self.target_s < self.min_segment_s:
            raise ImpossibleRequestError(
                f"A {format_seconds(self.target_s)} reel cannot hold one clip of at least "
                f"{format_seconds(self.min_segment_s)}.",
                hint="Ask for a longer reel or shorter clips.",
            )
        return self


class Moment(BaseModel):
    source: Path
    source_index: int
    start_s: float
    end_s: float
    peak_s: float
    score: float
    why: str = Field("", description="The signals behind the choice, in words (crowd +14 dB, a whistle…).")
    facts: dict[str, float] = Field(default_factory=dict, description="The same reasons as numbers.")
    replay: bool = False

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


class Plan(BaseModel):
    moments: list[Moment]
    target_s: float | None
    note: str | None = Field(None, description="Said to the user: e.g. the source is shorter than the target.")

    @property
    def total_s(self) -> float:
        return sum(m.duration_s for m in self.moments)

    def clips(self, *, captions: bool = False) -> list[Clip]:
        return [
            Clip(
                source=m.source,
                start_s=m.start_s,
                end_s=m.end_s,
                caption=format_seconds(m.start_s) if captions else None,
            )
            for m in self.moments
        ]
