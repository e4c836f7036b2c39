"""Chants told from reactions. A crowd that chants holds a level, pulses, sings and grows out of play;
one that reacts jumps, roars (noise-like) and fades. Both are loud, so a chant can outrank a real moment;
these measures rank it down (`moments`)."""

from __future__ import annotations

import numpy as np

from mcp_highlight.engine.judge import constants as C


def hold_shape(crowd_db: np.ndarray, p: int, window_s: float) -> float:
    """1 for a reaction, a transient: the crowd stays near its peak for seconds, then fades. Lower
    for a level the crowd holds (a chant, a singing end, a PA song it sings along to): the longer it
    stays within HOLD_DB of the peak in the HOLD_AROUND_S either side, the lower, down to
    SHAPE_FLOOR. 1 when there is no crowd measure."""
    if crowd_db.size <= p:
        return 1.0
    near = round(C.HOLD_PEAK_S / window_s)
    level = crowd_db[max(0, p - near) : p + near + 1].max()
    around = round(C.HOLD_AROUND_S / window_s)
    held = window_s * float(np.sum(crowd_db[max(0, p - around) : p + around + 1] >= level - C.HOLD_DB))
    short, long = C.HOLD_S
    return float(1.0 - (1.0 - C.SHAPE_FLOOR) * np.clip((held - short) / (long - short), 0.0, 1.0))


def chant_likelihood(
    broadband: np.ndarray, sung: np.ndarray, crowd_db: np.ndarray, onset: int, peak: int, fade: int, window_s: float
) -> float:
    """0..1: how likely the moment from window `onset` to `fade` is a chant, not a reaction (constants:
    CHANT_WEIGHTS). A signal that was not measured counts as 0; with no crowd measure, the rise is 0."""

    def mean(x: np.ndarray) -> float:
        part = x[onset : fade + 1]
        return float(part.mean()) if part.size else 0.0

    before, until = (round(s / window_s) for s in C.CHANT_RISE_BEFORE_S)
    rise = 0.0
    if crowd_db.size > peak and onset > until:
        rise = float(crowd_db[peak] - crowd_db[max(0, onset - before) : onset - until].mean())
    w = C.CHANT_WEIGHTS
    z = (
        C.CHANT_BIAS
        + w["broadband"] * mean(broadband)
        + w["sung"] * mean(sung)
        + w["length_s"] * (fade - onset + 1) * window_s
        + w["rise_db"] * rise
    )
    return float(1.0 / (1.0 + np.exp(-z)))
