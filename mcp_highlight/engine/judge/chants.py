"""Chants told from reactions. A crowd that chants holds a level, pulses, sings and grows out of play;
one that reacts jumps, roars (noise-like) and fades. Both are loud, so a chant can outrank a real moment;
these measures rank it down (`moments`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from mcp_highlight.engine.judge import constants as C
from mcp_highlight.engine.judge.curves import Curves


@dataclass(frozen=True)
class ChantCurves:
    """The per-window curves a chant is told by (empty where not measured)."""

    crowd_db: np.ndarray
    """Smoothed as moments are found on it."""
    broadband: np.ndarray
    sung: np.ndarray
    voice_db: np.ndarray
    whistle: np.ndarray
    match: bool
    """The file is like a match broadcast: a commentator who gets CONFIRM_VOICE_DB louder for
    COMMENTATOR_REACTS_S or more (only then does a moment he met calmly say anything), and a referee's
    whistle or a director cutting between cameras (MATCH_CUTS_PER_MIN). A crowd that chants is a sports
    crowd; applause in a room filmed by one camera is held, pulses and runs long too."""
    directed: bool = False
    """A director cuts between cameras (MATCH_CUTS_PER_MIN): a broadcast, not one camera in a room, where a
    "whistle" may be a guest's or a tone in the music (6 of the sweep's first 48 event runs heard one for
    1-6.5 s in all, and passed as a match)."""

    @classmethod
    def of(cls, curves: Curves, crowd_db: np.ndarray) -> ChantCurves:
        def get(values: list[float] | None) -> np.ndarray:
            return np.asarray(values or np.zeros(0), dtype=np.float64)

        s, m = curves.signals, curves.measures
        voice, whistle = get(m.get("voice_db")), get(s.get("whistle"))
        reacts = float(np.sum(voice >= C.CONFIRM_VOICE_DB)) * curves.window_s >= C.COMMENTATOR_REACTS_S
        whistled = float(np.sum(whistle >= C.CONFIRM_WHISTLE)) * curves.window_s >= C.MATCH_WHISTLE_S
        minutes = len(curves.score) * curves.window_s / 60
        directed = len(curves.scene_cuts) >= C.MATCH_CUTS_PER_MIN * minutes > 0
        match = reacts and (whistled or directed)
        return cls(crowd_db, get(s.get("broadband")), get(s.get("sung")), voice, whistle, match, directed)


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

    rise = _rise(crowd_db, onset, peak, window_s)
    w = C.CHANT_WEIGHTS
    z = (
        C.CHANT_BIAS
        + w["broadband"] * _over(broadband, onset, fade, np.mean)
        + w["sung"] * _over(sung, onset, fade, np.mean)
        + w["length_s"] * (fade - onset + 1) * window_s
        + w["rise_db"] * rise
    )
    return float(1.0 / (1.0 + np.exp(-z)))


def _rise(crowd_db: np.ndarray, onset: int, peak: int, window_s: float) -> float:
    """dB the crowd rose from CHANT_RISE_BEFORE_S before the onset to the peak (0 without a crowd measure)."""
    before, until = (round(s / window_s) for s in C.CHANT_RISE_BEFORE_S)
    if crowd_db.size <= peak or onset <= until:
        return 0.0
    return float(crowd_db[peak] - crowd_db[max(0, onset - before) : onset - until].mean())


def _over(x: np.ndarray, onset: int, fade: int, how: Callable[[np.ndarray], Any]) -> float:
    """`how` (mean, max) of `x` over windows `onset` to `fade`; 0 where it was not measured."""
    part = x[onset : fade + 1]
    return float(how(part)) if part.size else 0.0


def chant_z(sound: ChantCurves, onset: int, peak: int, fade: int, window_s: float, *, pulse: float) -> float:
    """The fuller model's log-odds that the moment is a chant (CHANT_SURE_WEIGHTS): it holds its level,
    pulses, sings, is long and narrow-band."""
    w = C.CHANT_SURE_WEIGHTS
    return (
        C.CHANT_SURE_BIAS
        + w["broadband"] * _over(sound.broadband, onset, fade, np.mean)
        + w["sung"] * _over(sound.sung, onset, fade, np.mean)
        + w["length_s"] * (fade - onset + 1) * window_s
        + w["rise_db"] * _rise(sound.crowd_db, onset, peak, window_s)
        + w["pulse"] * pulse
        + w["shape"] * hold_shape(sound.crowd_db, peak, window_s)
    )


def surely_a_chant(sound: ChantCurves, onset: int, peak: int, fade: int, window_s: float, *, pulse: float) -> bool:
    """Whether the moment is taken for a chant by the fuller model (`chant_z`), only in a file like a match
    broadcast (`ChantCurves.match`). Unless it is certain (CHANT_CERTAIN_Z), it must also go unconfirmed:
    no whistle, and the commentator, who gets louder elsewhere in the file, not getting louder here."""
    if not sound.match:
        return False
    z = chant_z(sound, onset, peak, fade, window_s, pulse=pulse)
    if z > C.CHANT_CERTAIN_Z:
        return True
    confirmed = (
        _over(sound.voice_db, onset, fade, np.max) >= C.CONFIRM_VOICE_DB
        or _over(sound.whistle, onset, fade, np.max) >= C.CONFIRM_WHISTLE
    )
    return z > C.CHANT_SURE_Z and not confirmed


def chant_cut(
    sound: ChantCurves, onset: int, peak: int, fade: int, window_s: float, *, pulse: float
) -> tuple[float, float | None]:
    """What a moment keeps of its rank for sounding like a chant, and its chant likelihood when it is taken
    for one: a span that pulses on a beat (`pulse`, the mean chant signal from CHANT_AROUND_S before to
    after it) is cut by up to CHANT_MAX_CUT, a likely chant by CHANT_LIKELY_CUT times its likelihood, one
    taken for a chant (CHANT_SURE, or `surely_a_chant`) by the whole of it."""
    keep = 1.0 - float(np.clip((pulse - C.CHANT_FROM) / C.CHANT_SPAN, 0, C.CHANT_MAX_CUT))
    likely = chant_likelihood(sound.broadband, sound.sung, sound.crowd_db, onset, peak, fade, window_s)
    sure = likely >= C.CHANT_SURE or surely_a_chant(sound, onset, peak, fade, window_s, pulse=pulse)
    keep *= 1.0 - C.CHANT_LIKELY_CUT * (1.0 if sure else likely)
    return keep, (likely if sure else None)


def joins_a_chant(
    sound: ChantCurves, onset: int, peak: int, fade: int, window_s: float, chants: Sequence[tuple[int, int]]
) -> bool:
    """Whether the moment from window `onset` to `fade` is more of a chant taken next to it (the spans of
    `chants`, first and last window): within CHANT_JOIN_S, in a directed match broadcast, with no
    whistle, no commentator JOIN_VOICE_DB louder and no crowd JOIN_OVER_DB over that chant's loudest."""
    near = round(C.CHANT_JOIN_S / window_s)
    next_to = [(a, b) for a, b in chants if a - fade - 1 <= near and onset - b - 1 <= near]
    if not (sound.match and sound.directed) or not next_to:
        return False
    chant_db = max(_over(sound.crowd_db, a, b, np.max) for a, b in next_to)
    crowd_db = float(sound.crowd_db[peak]) if sound.crowd_db.size > peak else 0.0
    return not (
        _over(sound.whistle, onset, fade, np.max) >= C.CONFIRM_WHISTLE
        or _over(sound.voice_db, onset, fade, np.max) >= C.JOIN_VOICE_DB
        or crowd_db - chant_db >= C.JOIN_OVER_DB
    )
