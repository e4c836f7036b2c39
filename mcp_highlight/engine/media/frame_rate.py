"""Frame rates as exact fractions, and times as whole frames: what editors count, defined once.

A 29.97 fps source runs at 30000/1001, not 29.97: a timeline written with the float drifts off the
source's frames and an editor's timecode. Render (the reel's rate) and deliver (editor timelines) both
snap to the same standard rates here.
"""

from __future__ import annotations

from fractions import Fraction

DEFAULT_RATE = Fraction(30)
MAX_RATE = Fraction(60)
STANDARD_RATES = tuple(
    Fraction(n, d)
    for n, d in ((24000, 1001), (24, 1), (25, 1), (30000, 1001), (30, 1), (48, 1), (50, 1), (60000, 1001), (60, 1))
)
SNAP_TOLERANCE = Fraction(15, 1000)
"""A measured rate within 1.5 % of a standard rate is that rate (container averages wobble)."""


def standard_rate(rate: Fraction | float | None) -> Fraction | None:
    """The standard rate `rate` is a measurement of, or None when it is none of them."""
    if not rate:
        return None
    rate = Fraction(rate).limit_denominator(1_000_000)
    nearest = min(STANDARD_RATES, key=lambda r: abs(r - rate))
    return nearest if abs(nearest - rate) <= rate * SNAP_TOLERANCE else None


def to_frames(seconds: float, rate: Fraction) -> int:
    """The frame at `seconds` (nearest), counted exactly at `rate`."""
    return round(Fraction(seconds) * rate)


def frame_seconds(frames: int, rate: Fraction) -> float:
    """Where frame number `frames` starts, in seconds."""
    return float(frames / rate)
