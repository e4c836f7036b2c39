"""The fused curves of one file: an excitement score per window, the signals and measures behind it, the cuts.

What `moments` reads, and the base of `Analysis`: moments are found in curves, so they never need the
whole analysis they end up in.
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, Field


class Curves(BaseModel):
    window_s: float = 0.5
    score: list[float] = Field(description="Fused excitement, 0..1, one value per window.")
    signals: dict[str, list[float]] = Field(
        default_factory=dict, description="Normalised component signals, same length as `score`."
    )
    measures: dict[str, list[float]] = Field(
        default_factory=dict, description="Raw measures behind the signals, in their units (crowd dB, semitones)."
    )
    scene_cuts: list[float] = Field(default_factory=list, description="Seconds where the picture cuts.")

    def times(self) -> np.ndarray:
        """Start time in seconds of each window."""
        return np.arange(len(self.score)) * self.window_s

    def scores(self) -> np.ndarray:
        return np.asarray(self.score, dtype=np.float64)
