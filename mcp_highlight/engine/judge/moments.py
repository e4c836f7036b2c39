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
from mcp_highlight.engine.judge import constants as C
from mcp_highlight.engine.judge.activity import activity_peaks
from mcp_highlight.engine.judge.chants import ChantCurves, chant_cut, chant_likelihood, hold_shape, joins_a_chant
from mcp_highlight.engine.judge.curves import Curves
from mcp_highlight.engine.judge.replays import Replay
from mcp_highlight.engine.judge.video_signals import montage

QUIET_NOTE = "No crowd or commentator reactions found; chose the most active moments."


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
    active_only: bool = Field(
        False, description="Chosen as one of the busiest stretches: nothing in this footage reacts."
    )


def _smooth(scores: np.ndarray, window_s: float) -> np.ndarray:
    return uniform_filter1d(scores, size=max(1, round(C.MOMENT_SMOOTH_S / window_s)), mode="nearest")


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
    before = C.EXPLAIN_BEFORE_S
    crowd = _span(curves.measures.get("crowd_db"), onset_s - before["crowd"], fade_s, w)
    if crowd.size and crowd.max() >= C.CROWD_FROM_DB:
        facts["crowd_db"] = round(float(crowd.max()), 1)
        parts.append(f"crowd +{facts['crowd_db']:.0f} dB")
    pitch = _span(curves.measures.get("pitch_semitones"), onset_s - before["voice"], fade_s, w)
    if pitch.size and pitch.max() >= C.EXPLAIN_PITCH_ST:
        facts["commentator_pitch_pct"] = round(float(2 ** (pitch.max() / 12) - 1) * 100, 0)
        parts.append(f"commentator pitch +{facts['commentator_pitch_pct']:.0f} %")
    voice = _span(curves.measures.get("voice_db"), onset_s - before["voice"], fade_s, w)
    if voice.size and voice.max() >= C.EXPLAIN_VOICE_DB:
        facts["commentator_db"] = round(float(voice.max()), 1)
        parts.append(f"voice +{facts['commentator_db']:.0f} dB")
    whistle = _span(curves.signals.get("whistle"), anchor_s - before["whistle"], fade_s, w)
    if whistle.size and whistle.max() >= C.EXPLAIN_SIGNAL:
        facts["whistle"] = 1.0
        parts.append("whistle")
    motion = _span(curves.signals.get("coupled"), onset_s - before["action"], fade_s, w)
    if motion.size and motion.max() >= C.EXPLAIN_ACTION:
        facts["action"] = round(float(motion.max()), 2)
        parts.append("fast action before it")
    cuts = [c for c in curves.scene_cuts if anchor_s - before["cut"] <= c <= fade_s]
    if cuts:
        facts["shot_cut_s"] = round(float(cuts[0]), 2)
        parts.append(f"shot cut at {format_seconds(cuts[0])}")
    if not parts:
        parts.append("louder and busier than the footage around it")
    return ", ".join(parts), facts


def _mean(x: np.ndarray, a: float, b: float, window_s: float) -> float:
    part = x[max(0, int(a / window_s)) : max(0, int(b / window_s)) + 1]
    return float(part.mean()) if part.size else 0.0


def windows_of(m: FoundMoment, window_s: float) -> tuple[int, int, int]:
    """The windows of a moment's onset, peak and last window of its reaction (indices into its curves)."""
    return round(m.onset_s / window_s), round(m.peak_s / window_s - 0.5), round(m.fade_s / window_s) - 1


def worth_hearing(curves: Curves, moments: Sequence[FoundMoment]) -> list[FoundMoment]:
    """The moments whose rank hearing them sung could change: ranked at least SUNG_MIN_SHARE of the
    best, and called a chant with likelihood SUNG_WORTH or more were they sung throughout. A roar
    (noise-like, jumping out of the crowd) is not heard: sung or not, it is no chant."""
    reactions = [m for m in moments if not m.active_only]
    if not reactions:
        return []
    w = curves.window_s
    top = max(m.rank for m in reactions)
    broadband = np.asarray(curves.signals.get("broadband") or np.zeros(0), dtype=np.float64)
    crowd = _smooth(np.asarray(curves.measures.get("crowd_db") or np.zeros(0), dtype=np.float64), w)
    sung = np.ones(len(curves.score))
    out = []
    for m in reactions:
        if m.rank < C.SUNG_MIN_SHARE * top:
            continue
        if chant_likelihood(broadband, sung, crowd, *windows_of(m, w), w) >= C.SUNG_WORTH:
            out.append(m)
    return out


def _reactions(curves: Curves, min_gap_s: float) -> list[FoundMoment]:
    """Every distinct reaction in the curves, strongest first."""
    scores = curves.scores()
    w = curves.window_s
    smooth = _smooth(scores, w)
    spread = float(smooth.max() - np.median(smooth))
    padded = np.concatenate([[-1.0], smooth, [-1.0]])
    prominence = max(C.PROMINENCE * spread, 1e-6)
    peaks, _ = find_peaks(padded, distance=max(1, round(min_gap_s / w)), prominence=prominence)
    base = float(np.median(smooth))
    crowd = _smooth(np.asarray(curves.measures.get("crowd_db") or np.zeros(0), dtype=np.float64), w)
    music = np.asarray(curves.signals.get("music") or np.zeros(0), dtype=np.float64)
    chant = np.asarray(curves.signals.get("chant") or np.zeros(0), dtype=np.float64)
    sound = ChantCurves.of(curves, crowd)
    cuts = np.asarray(curves.scene_cuts, dtype=np.float64)
    out: list[FoundMoment] = []
    for p in peaks - 1:
        lift = smooth[p] - base
        onset = p
        while onset > 0 and (p - onset) * w < C.MAX_BACK_S and smooth[onset - 1] - base > C.ONSET_LEVEL * lift:
            onset -= 1
        fade = p
        last = smooth.size - 1
        while fade < last and (fade - p) * w < C.MAX_FORWARD_S and smooth[fade + 1] - base > C.FADE_LEVEL * lift:
            fade += 1
        peak_s, onset_s, fade_s = (p + 0.5) * w, onset * w, (fade + 1) * w
        anchor_s = max(onset_s, peak_s - C.ANCHOR_BEFORE_PEAK_S)
        score = float(scores[onset : fade + 1].max())
        length = min(1.0, (fade_s - onset_s) / C.BIG_REACTION_S)
        rank = score * (1 - C.LENGTH_SHARE + C.LENGTH_SHARE * length) * hold_shape(crowd, p, w)
        # The edge of an ad break or a PA song, and a chant, rank low however loud.
        rank *= 1.0 - _mean(music, onset_s - C.MUSIC_AROUND_S[0], fade_s + C.MUSIC_AROUND_S[1], w)
        chanting = _mean(chant, onset_s - C.CHANT_AROUND_S, fade_s + C.CHANT_AROUND_S, w)
        keep, likely = chant_cut(sound, onset, p, fade, w, pulse=chanting)
        rank *= keep
        why, facts = explain(curves, onset_s, anchor_s, fade_s)
        if likely is not None:
            facts["chant_likelihood"] = round(likely, 2)
            why += ", sounds like a chant (ranked down)"
        if montage(cuts, onset_s - C.MONTAGE_BEFORE_S, onset_s):
            rank *= 1.0 - C.MONTAGE_CUT
            why += ", comes out of a montage of quick cuts, an ad break or a recap (ranked down)"
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
    return _join_chants(out, sound, w)


def _join_chants(moments: list[FoundMoment], sound: ChantCurves, w: float) -> list[FoundMoment]:
    """The moments, strongest first, with the pieces of a chant next to one taken for it ranked down as it
    was (`chants.joins_a_chant`): the finder may split a chant into several moments."""
    taken = [(a, b) for a, _, b in (windows_of(m, w) for m in moments if "chant_likelihood" in m.facts)]
    out = []
    for m in moments:
        if taken and "chant_likelihood" not in m.facts and joins_a_chant(sound, *windows_of(m, w), w, taken):
            m = m.model_copy(update={
                "rank": round(m.rank * (1.0 - C.CHANT_LIKELY_CUT), 4),
                "why": m.why + ", more of the chant next to it (ranked down)",
                "facts": {**m.facts, "chant_joined": 1.0},
            })  # fmt: skip
        out.append(m)
    return sorted(out, key=lambda m: -m.rank)


def _most_active(curves: Curves, min_gap_s: float) -> list[FoundMoment]:
    """The busiest, most varied stretches by picture and sound, busiest first (see `activity`)."""
    activity = np.asarray(curves.signals.get("activity") or np.zeros(0), dtype=np.float64)
    w = curves.window_s
    end = len(curves.score) * w
    out = []
    for p in activity_peaks(activity, w, min_gap_s):
        peak_s = (p + 0.5) * w
        onset_s = max(0.0, peak_s - C.ACTIVITY_CLIP_S / 2)
        value = round(float(activity[p]), 4)
        out.append(
            FoundMoment(
                peak_s=round(peak_s, 3),
                onset_s=round(onset_s, 3),
                anchor_s=round(onset_s, 3),
                fade_s=round(min(end, peak_s + C.ACTIVITY_CLIP_S / 2), 3),
                score=value,
                rank=value,
                why=f"among the busiest {100 - 100 * value:.0f} % of the footage by picture and sound",
                facts={"activity": value},
                active_only=True,
            )
        )
    return out


def find_moments(
    curves: Curves, replays: Sequence[Replay] = (), *, min_gap_s: float = C.MIN_GAP_S
) -> list[FoundMoment]:
    """Every distinct reaction in the curves, strongest first; those inside a replay are marked as replays.
    When nothing reacts (the best score stays under REACTION_MIN_SCORE: no crowd, no commentator), the
    most active stretches instead."""
    scores = curves.scores()
    if scores.size == 0:
        return []
    reactions = _reactions(curves, min_gap_s) if float(scores.max()) >= C.REACTION_MIN_SCORE else []
    return mark_replays(reactions, replays) if reactions else _most_active(curves, min_gap_s)


def mark_replays(moments: list[FoundMoment], replays: Sequence[Replay]) -> list[FoundMoment]:
    """The moments with those inside a replay marked, and the live moment they repeat named. A moment
    is inside when its reaction starts there; the live moment itself may still roar into its replay."""
    out = []
    for m in moments:
        inside = [r for r in replays if r.start_s <= m.anchor_s <= r.end_s and r.of_s != m.peak_s]
        if inside:
            m = m.model_copy(update={"replay": True, "why": f"replay of {format_seconds(inside[0].of_s)}; {m.why}"})
        out.append(m)
    return out
