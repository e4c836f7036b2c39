"""The result of `analyse`: one excitement score per short window, and the signals behind it."""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, Field

from mcp_highlight.engine.judge.moments import FoundMoment
from mcp_highlight.engine.judge.replays import Replay

ANALYSIS_VERSION = 3


class Analysis(BaseModel):
    version: int = ANALYSIS_VERSION
    source: str = Field(description="Path of the analysed file, as given.")
    content_hash: str = Field(description="Cache key part: hash of the file's content sample and size.")
    duration_s: float
    window_s: float = 0.5
    score: list[float] = Field(description="Fused excitement, 0..1, one value per window.")
    signals: dict[str, list[float]] = Field(
        default_factory=dict, description="Normalised component signals, same length as `score`."
    )
    measures: dict[str, list[float]] = Field(
        default_factory=dict, description="Raw measures behind the signals, in their units (crowd dB, semitones)."
    )
    scene_cuts: list[float] = Field(default_factory=list, description="Seconds where the picture cuts.")
    replays: list[Replay] = Field(default_factory=list, description="Replays found (between wipes, after a moment).")
    moments: list[FoundMoment] = Field(
        default_factory=list, description="Every distinct moment, strongest first, with its score and reasons."
    )
    has_audio: bool = True
    has_motion: bool = True
    warnings: list[str] = Field(default_factory=list, description="Parts of the file that could not be read.")
    elapsed_s: float = 0.0
    cached: bool = False

    def times(self) -> np.ndarray:
        """Start time in seconds of each window."""
        return np.arange(len(self.score)) * self.window_s

    def scores(self) -> np.ndarray:
        return np.asarray(self.score, dtype=np.float64)
