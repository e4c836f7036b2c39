"""Turn raw per-window statistics into one 0..1 excitement score.

A highlight in sport is action followed by the crowd's reaction a second or two later. So the
core of the score is the COINCIDENCE of the two: motion in the recent past times a sustained
loudness rise now or just ahead. Loud sound over a calm picture (a horn, the PA) or action to
a flat murmur each get only a small share. With no sound track the score is motion alone; with
a static picture it is the sound alone.

Every signal is measured against a rolling baseline of its own file (robust z-scores or dB
above a rolling percentile), so absolute bit rates and recording levels do not matter.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from scipy.ndimage import percentile_filter, uniform_filter1d

from mcp_highlight.engine.judge.audio_signals import AudioWindows
from mcp_highlight.engine.judge.sound_cues import fill_gaps, sound_cues
from mcp_highlight.engine.judge.video_signals import VideoWindows

BASELINE_S = 60.0
"""Rolling baseline length: long against a highlight, short against a game's changing mood."""
MOTION_LOOKBACK_S = 6.0
"""The coupled score holds this long after the action, through the crowd's reaction."""
ROAR_LOOKAHEAD_S = 4.0
"""Action counts for a roar arriving up to this long after it."""
ACTION_S = 2.0
"""Motion is averaged over this long before it counts as action."""
WEIGHTS = {"coupled": 0.6, "crowd": 0.25, "motion": 0.15}
CROWD_FROM_DB = 3.0
CROWD_SPAN_DB = 10.0
"""The crowd counts from 3 dB above its own baseline and is full at 13 dB (a goal's roar)."""


@dataclass
class Fused:
    score: np.ndarray
    signals: dict[str, np.ndarray]
    has_audio: bool
    has_motion: bool
    measures: dict[str, np.ndarray] = field(default_factory=dict)
    """Raw measures behind the signals, in their own units (dB, semitones), for explanations."""


def _baseline(x: np.ndarray, window: int, percentile: float) -> np.ndarray:
    window = max(3, min(window, x.size) | 1)
    return percentile_filter(x, percentile, size=window, mode="nearest")


def _robust_z(residual: np.ndarray, floor: float) -> np.ndarray:
    centre = float(np.median(residual))
    spread = 1.4826 * float(np.median(np.abs(residual - centre)))
    return (residual - centre) / max(spread, floor)


def window_max(x: np.ndarray, before: int, after: int) -> np.ndarray:
    """y[i] = max(x[i-before : i+after+1]) for non-negative x."""
    padded = np.concatenate([np.zeros(before), x, np.zeros(after)])
    return sliding_window_view(padded, before + after + 1).max(axis=1)


def motion_signal(video: VideoWindows, n: int, window_s: float) -> tuple[np.ndarray, bool]:
    """0..1 per window from non-key packet sizes; False when the picture never really moves."""
    fb = fill_gaps(video.frame_bytes[:n], 0.0)
    key = video.median_key_bytes or float(np.nanmax(fb) if fb.size else 1.0) or 1.0
    if fb.size == 0 or float(np.percentile(fb, 95)) < 0.01 * key:
        return np.zeros(n), False
    floor = max(16.0, 0.01 * key)
    x = np.log(fb + floor)
    residual = x - _baseline(x, round(BASELINE_S / window_s), 40)
    z = _robust_z(residual, floor=0.2)
    return np.clip((z - 1.5) / 5.0, 0.0, 1.0), True


def _near(x: np.ndarray, before_s: float, after_s: float, window_s: float) -> np.ndarray:
    return window_max(np.clip(x, 0, None), round(before_s / window_s), round(after_s / window_s))


def audio_signals(
    audio: AudioWindows, n: int, window_s: float
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], bool]:
    """0..1 sound signals, the raw measures behind them (dB, semitones), and whether there is usable sound."""
    db = audio.loudness_db[:n]
    if not np.isfinite(db).any() or float(np.nanpercentile(db, 95)) < -75:
        return {}, {}, False
    db = fill_gaps(db, -100.0)
    base_w = round(BASELINE_S / window_s)
    flux = fill_gaps(audio.flux[:n], 0.0)
    flux_z = _robust_z(flux - _baseline(flux, base_w, 50), floor=0.01)
    flat = fill_gaps(audio.flatness[:n], 0.0)
    broadband = np.clip((flat - _baseline(flat, base_w, 30)) / 0.15, 0.0, 1.0)
    loud = np.clip((db - np.percentile(db, 5)) / max(1.0, float(np.percentile(db, 99.5) - np.percentile(db, 5))), 0, 1)
    cues = sound_cues(audio.hops, audio.hop_s, n, window_s)
    # Pulsing at a steady beat: a little in any crowd noise, clearly in a chant. Per window it is
    # noisy, so it only damps the clear cases here; moments average it over their span (moments.py).
    chant = np.clip((cues.periodic - 0.2) / 0.15, 0.0, 1.0)
    crowd = np.clip((cues.crowd_db - CROWD_FROM_DB) / CROWD_SPAN_DB, 0.0, 1.0)
    # A reaction is the crowd rising in the gaps of the commentary, unless it is music or a chant.
    reaction = crowd * (1 - cues.music) * (1 - 0.7 * np.clip((cues.periodic - 0.3) / 0.2, 0.0, 1.0))
    signals = {
        "loudness": loud,
        "crowd": reaction,
        "flux": np.clip((flux_z - 1.0) / 5.0, 0.0, 1.0),
        "broadband": broadband,
        "music": cues.music,
        "chant": chant,
        "commentator": cues.voice * (1 - cues.music),
        "whistle": cues.whistle,
    }
    measures = {"crowd_db": cues.crowd_db, **cues.voice_parts}
    return signals, measures, True


def fuse(video: VideoWindows | None, audio: AudioWindows | None, n: int, window_s: float) -> Fused:
    """One excitement score per window, plus the named component signals (all 0..1, length n)."""
    signals: dict[str, np.ndarray] = {}
    measures: dict[str, np.ndarray] = {}
    motion, has_motion = motion_signal(video, n, window_s) if video is not None else (np.zeros(n), False)
    sound, measures, has_audio = audio_signals(audio, n, window_s) if audio is not None else ({}, {}, False)
    signals["motion"] = motion
    signals.update(sound)
    crowd = sound["crowd"] if has_audio else np.zeros(n)
    if has_audio:
        # The commentator's excitement and the whistle confirm a reaction; alone they are not one
        # (a replay is commented, a foul is whistled). With no commentator the crowd speaks alone.
        talking = float(np.mean(measures.get("voice_db", np.zeros(n)) != 0)) > 0.3
        excite = _near(sound["commentator"], 5.0, 5.0, window_s)
        whistle = _near(sound["whistle"], 3.0, 3.0, window_s)
        heard = crowd * (0.4 + 0.6 * excite) if talking else crowd
        heard = np.clip(heard + 0.1 * whistle * crowd, 0.0, 1.0)
    if has_audio and has_motion:
        # Sustained action now (a lone big frame, such as a cut, is diluted) times a roar within
        # ROAR_LOOKAHEAD_S; then held for MOTION_LOOKBACK_S so the reaction scores with its cause.
        action = uniform_filter1d(motion, size=max(1, round(ACTION_S / window_s)), mode="nearest")
        onset = action * window_max(crowd, 0, round(ROAR_LOOKAHEAD_S / window_s))
        coupled = window_max(onset, round(MOTION_LOOKBACK_S / window_s), 1)
        signals["coupled"] = coupled
        raw = np.maximum(heard, WEIGHTS["coupled"] * coupled + WEIGHTS["crowd"] * heard + WEIGHTS["motion"] * motion)
    elif has_motion:
        raw = motion
    elif has_audio:
        raw = 0.9 * heard + 0.1 * sound["flux"] * crowd
    else:
        raw = np.zeros(n)
    score = np.clip(uniform_filter1d(raw, size=3, mode="nearest"), 0.0, 1.0) if n else raw
    return Fused(score=score, signals=signals, has_audio=has_audio, has_motion=has_motion, measures=measures)
