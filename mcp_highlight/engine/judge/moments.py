"""Moments in an excitement curve, each with the signals that make it one (shown to the user).

A moment is a reaction: it starts where the score rises out of the background (the crowd's
onset, a second or two after the action), peaks, and fades. Its rank favours big moments: a
higher peak and a longer reaction. Each carries plain-language reasons ("crowd +14 dB,
commentator pitch +40 %, shot cut at 12:03") computed from the analysis's raw measures.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from pydantic import BaseModel, Field
from scipy.ndimage import uniform_filter1d
from scipy.signal import find_peaks

from mcp_highlight.core.durations import format_seconds
from mcp_highlight.engine.judge.curves import Curves
from mcp_highlight.engine.judge.replays import Replay

ONSET_LEVEL = 0.25
FADE_LEVEL = 0.3
MAX_BACK_S = 12.0
MAX_FORWARD_S = 25.0
ANCHOR_BEFORE_PEAK_S = 3.0
BIG_REACTION_S = 12.0
CHANT_FROM, CHANT_SPAN = 0.35, 0.3
"""A moment whose span pulses on a beat (mean chant signal above CHANT_FROM) is a chant, not a reaction."""
RISE_S, DECAY_S, SHAPE_DB = 6.0, (6.0, 9.0), 6.0
"""A reaction rises by SHAPE_DB within RISE_S before its peak and has fallen as much 6-9 s after it;
a chant holds its level for much longer."""


class FoundMoment(BaseModel):
    peak_s: float
    onset_s: float = Field(description="Where the reaction rises out of the background.")
    anchor_s: float = Field(description="Where a clip is centred: the onset, or shortly before the peak.")
    fade_s: float = Field(description="Where the reaction has faded.")
    score: float
    rank: float = Field(description="Score weighted by how long the reaction lasts: big moments first.")
    why: str = ""
    facts: dict[str, float] = Field(default_factory=dict)
    replay: bool = False


def _smooth(scores: np.ndarray, window_s: float) -> np.ndarray:
    return uniform_filter1d(scores, size=max(1, round(1.5 / window_s)), mode="nearest")


def _span(measure: list[float] | None, a: float, b: float, window_s: float) -> np.ndarray:
    if not measure:
        return np.zeros(0)
    x = np.asarray(measure, dtype=np.float64)
    return x[max(0, int(a / window_s)) : max(0, int(b / window_s)) + 1]


def explain(curves: Curves, onset_s: float, anchor_s: float, fade_s: float) -> tuple[str, dict[str, float]]:
    """Reasons in words and numbers, from the raw measures around a moment."""
    w = curves.window_s
    facts: dict[str, float] = {}
    parts: list[str] = []
    crowd = _span(curves.measures.get("crowd_db"), onset_s - 1, fade_s, w)
    if crowd.size and crowd.max() >= 3:
        facts["crowd_db"] = round(float(crowd.max()), 1)
        parts.append(f"crowd +{facts['crowd_db']:.0f} dB")
    pitch = _span(curves.measures.get("pitch_semitones"), onset_s - 3, fade_s, w)
    if pitch.size and pitch.max() >= 1.5:
        facts["commentator_pitch_pct"] = round(float(2 ** (pitch.max() / 12) - 1) * 100, 0)
        parts.append(f"commentator pitch +{facts['commentator_pitch_pct']:.0f} %")
    voice = _span(curves.measures.get("voice_db"), onset_s - 3, fade_s, w)
    if voice.size and voice.max() >= 3:
        facts["commentator_db"] = round(float(voice.max()), 1)
        parts.append(f"voice +{facts['commentator_db']:.0f} dB")
    whistle = _span(curves.signals.get("whistle"), anchor_s - 3, fade_s, w)
    if whistle.size and whistle.max() >= 0.5:
        facts["whistle"] = 1.0
        parts.append("whistle")
    motion = _span(curves.signals.get("coupled"), onset_s - 2, fade_s, w)
    if motion.size and motion.max() >= 0.3:
        facts["action"] = round(float(motion.max()), 2)
        parts.append("fast action before it")
    cuts = [c for c in curves.scene_cuts if anchor_s - 6 <= c <= fade_s]
    if cuts:
        facts["shot_cut_s"] = round(float(cuts[0]), 2)
        parts.append(f"shot cut at {format_seconds(cuts[0])}")
    if not parts:
        parts.append("louder and busier than the footage around it")
    return ", ".join(parts), facts


def _mean(x: np.ndarray, a: float, b: float, window_s: float) -> float:
    part = x[max(0, int(a / window_s)) : max(0, int(b / window_s)) + 1]
    return float(part.mean()) if part.size else 0.0


def _shape(crowd_db: np.ndarray, p: int, window_s: float) -> float:
    """1 for a reaction that rises and decays within seconds; lower for a level the crowd holds
    (a chant, a singing end) or drifts into. 1 when there is no crowd measure."""
    if crowd_db.size <= p:
        return 1.0
    level = crowd_db[p]
    rise = level - crowd_db[max(0, p - round(RISE_S / window_s)) : p + 1].min()
    later = crowd_db[p + round(DECAY_S[0] / window_s) : p + round(DECAY_S[1] / window_s) + 1]
    decay = level - (float(later.mean()) if later.size else level)
    return float(np.clip(min(rise, decay) / SHAPE_DB, 0.35, 1.0))


def find_moments(curves: Curves, replays: Sequence[Replay] = (), *, min_gap_s: float = 6.0) -> list[FoundMoment]:
    """Every distinct reaction in the curves, strongest first; those inside a replay are marked as replays."""
    scores = curves.scores()
    if scores.size == 0:
        return []
    w = curves.window_s
    smooth = _smooth(scores, w)
    spread = float(smooth.max() - np.median(smooth))
    padded = np.concatenate([[-1.0], smooth, [-1.0]])
    peaks, _ = find_peaks(padded, distance=max(1, round(min_gap_s / w)), prominence=max(0.1 * spread, 1e-6))
    base = float(np.median(smooth))
    crowd = _smooth(np.asarray(curves.measures.get("crowd_db") or np.zeros(0), dtype=np.float64), w)
    music = np.asarray(curves.signals.get("music") or np.zeros(0), dtype=np.float64)
    chant = np.asarray(curves.signals.get("chant") or np.zeros(0), dtype=np.float64)
    out: list[FoundMoment] = []
    for p in peaks - 1:
        level = smooth[p]
        lift = level - base
        onset = p
        while onset > 0 and (p - onset) * w < MAX_BACK_S and smooth[onset - 1] - base > ONSET_LEVEL * lift:
            onset -= 1
        fade = p
        while fade < smooth.size - 1 and (fade - p) * w < MAX_FORWARD_S and smooth[fade + 1] - base > FADE_LEVEL * lift:
            fade += 1
        peak_s, onset_s, fade_s = (p + 0.5) * w, onset * w, (fade + 1) * w
        anchor_s = max(onset_s, peak_s - ANCHOR_BEFORE_PEAK_S)
        score = float(scores[onset : fade + 1].max())
        rank = score * (0.75 + 0.25 * min(1.0, (fade_s - onset_s) / BIG_REACTION_S)) * _shape(crowd, p, w)
        rank *= 1.0 - _mean(music, onset_s - 2, fade_s + 5, w)  # the edge of an ad break or a PA song
        rank *= 1.0 - float(np.clip((_mean(chant, onset_s - 3, fade_s + 3, w) - CHANT_FROM) / CHANT_SPAN, 0, 0.8))
        why, facts = explain(curves, onset_s, anchor_s, fade_s)
        out.append(
            FoundMoment(
                peak_s=round(peak_s, 3),
                onset_s=round(onset_s, 3),
                anchor_s=round(anchor_s, 3),
                fade_s=round(fade_s, 3),
                score=round(score, 4),
                rank=round(rank, 4),
                why=why,
                facts=facts,
            )
        )
    out.sort(key=lambda m: -m.rank)
    return mark_replays(out, replays)


def mark_replays(moments: list[FoundMoment], replays: Sequence[Replay]) -> list[FoundMoment]:
    """The moments with those inside a replay marked, and the live moment they repeat named."""
    out = []
    for m in moments:
        inside = [r for r in replays if r.start_s <= m.peak_s <= r.end_s or r.start_s <= m.anchor_s <= r.end_s]
        if inside:
            m = m.model_copy(update={"replay": True, "why": f"replay of {format_seconds(inside[0].of_s)}; {m.why}"})
        out.append(m)
    return out
