"""A clip: a range of one source file. The plan makes them; render, deliver and the backends consume them."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel


class Clip(BaseModel):
    source: Path
    start_s: float
    end_s: float
    caption: str | None = None

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s
