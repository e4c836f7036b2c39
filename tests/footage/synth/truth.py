"""Ground truth of a generated recording: what a fan would keep, and what they would not."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from footage.samples import truth_path

MomentKind = Literal["goal", "chance", "applause", "laughter", "cheer"]
NoiseKind = Literal["ad", "chant", "counter", "pa_music", "dance_music", "speech", "shout"]
BIG_KINDS = ("goal",)


class TrueMoment(BaseModel):
    """A highlight: the action from `start_s`, its decisive instant `peak_s`, the reaction until `end_s`."""

    kind: MomentKind
    start_s: float
    peak_s: float
    end_s: float
    grade: float = Field(1.0, description="How big the moment is, 0..1 (a goal is 1).")


class TrueReplay(BaseModel):
    """A slow-motion replay of moment `of` (an index into `moments`), between two graphic wipes."""

    of: int
    start_s: float
    end_s: float


class TrueSpan(BaseModel):
    """Something that is loud or busy but not a highlight (an ad break, a chant, music…)."""

    kind: NoiseKind
    start_s: float
    end_s: float


class RecordingTruth(BaseModel):
    kind: Literal["broadcast", "event"]
    duration_s: float
    moments: list[TrueMoment]
    replays: list[TrueReplay] = Field(default_factory=list)
    not_highlights: list[TrueSpan] = Field(default_factory=list)
    cuts: list[float] = Field(default_factory=list, description="Shot cuts (director cuts, wipes, ad cuts).")
    whistles: list[tuple[float, float]] = Field(default_factory=list)

    def save(self, media: Path) -> Path:
        side = truth_path(media)
        side.write_text(self.model_dump_json())
        return side

    @property
    def goals(self) -> list[TrueMoment]:
        return [m for m in self.moments if m.kind in BIG_KINDS]


def load_recording_truth(media: Path) -> RecordingTruth:
    return RecordingTruth.model_validate(json.loads(truth_path(media).read_text()))
