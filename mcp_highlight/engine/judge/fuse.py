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

from mcp_highlight.engine.judge import constants as C
from mcp_highlight.engine.judge.activity import activity_curve
from mcp_highlight.engine.judge.audio_signals import AudioWindows
from mcp_highlight.engine.judge.sound_cues import NO_SOUND_DB, fill_gaps, sound_cues
from mcp_highlight.engine.judge.video_signals import VideoWindows


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
    if fb.size == 0 or float(np.percentile(fb, C.TOP_PERCENTILE)) < C.STILL_SHARE_OF_KEY * key:
        return np.zeros(n), False
    floor = max(C.MOTION_MIN_BYTES, C.STILL_SHARE_OF_KEY * key)
    x = np.log(fb + floor)
    residual = x - _baseline(x, round(C.BASELINE_S / window_s), C.MOTION_BASELINE_PERCENTILE)
    z = _robust_z(residual, floor=C.MOTION_Z_FLOOR)
    return np.clip((z - C.MOTION_FROM_Z) / C.MOTION_SPAN_Z, 0.0, 1.0), True


def _near(x: np.ndarray, before_s: float, after_s: float, window_s: float) -> np.ndarray:
    return window_max(np.clip(x, 0, None), round(before_s / window_s), round(after_s / window_s))


def audio_signals(
    audio: AudioWindows, n: int, window_s: float
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], bool]:
    """0..1 sound signals, the raw measures behind them (dB, semitones), and whether there is usable sound."""
    db = audio.loudness_db[:n]
    if not np.isfinite(db).any() or float(np.nanpercentile(db, C.TOP_PERCENTILE)) < C.SILENT_DB:
        return {}, {}, False
    db = fill_gaps(db, NO_SOUND_DB)
    base_w = round(C.BASELINE_S / window_s)
    flux = fill_gaps(audio.flux[:n], 0.0)
    flux_z = _robust_z(flux - _baseline(flux, base_w, 50), floor=C.FLUX_Z_FLOOR)
    flat = fill_gaps(audio.flatness[:n], 0.0)
    broadband = np.clip((flat - _baseline(flat, base_w, C.CROWD_BASELINE_PERCENTILE)) / C.FLATNESS_SPAN, 0.0, 1.0)
    lo, hi = np.percentile(db, C.LOUDNESS_RANGE_PERCENTILES)
    loud = np.clip((db - lo) / max(1.0, float(hi - lo)), 0, 1)
    cues = sound_cues(audio.hops, audio.hop_s, n, window_s)
    # Pulsing at a steady beat: a little in any crowd noise, clearly in a chant. Per window it is
    # noisy, so it only damps the clear cases here; moments average it over their span (moments.py).
    chant = np.clip((cues.periodic - C.CHANT_SIGNAL_FROM) / C.CHANT_SIGNAL_SPAN, 0.0, 1.0)
    crowd = np.clip((cues.crowd_db - C.CROWD_FROM_DB) / C.CROWD_SPAN_DB, 0.0, 1.0)
    # A reaction is the crowd rising in the gaps of the commentary, unless it is music or a chant.
    beat = np.clip((cues.periodic - C.BEAT_FROM) / C.BEAT_SPAN, 0.0, 1.0)
    reaction = crowd * (1 - cues.music) * (1 - C.CHANT_DAMP * beat)
    signals = {
        "loudness": loud,
        "crowd": reaction,
        "flux": np.clip((flux_z - C.FLUX_FROM_Z) / C.FLUX_SPAN_Z, 0.0, 1.0),
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
        talking = float(np.mean(measures.get("voice_db", np.zeros(n)) != 0)) > C.TALKING_FILE_SHARE
        excite = _near(sound["commentator"], C.EXCITE_NEAR_S, C.EXCITE_NEAR_S, window_s)
        whistle = _near(sound["whistle"], C.WHISTLE_NEAR_S, C.WHISTLE_NEAR_S, window_s)
        heard = crowd * (C.HEARD_FLOOR + (1 - C.HEARD_FLOOR) * excite) if talking else crowd
        heard = np.clip(heard + C.WHISTLE_BONUS * whistle * crowd, 0.0, 1.0)
    if has_audio and has_motion:
        # Sustained action now (a lone big frame, such as a cut, is diluted) times a roar within
        # ROAR_LOOKAHEAD_S; then held for MOTION_LOOKBACK_S so the reaction scores with its cause.
        action = uniform_filter1d(motion, size=max(1, round(C.ACTION_S / window_s)), mode="nearest")
        onset = action * window_max(crowd, 0, round(C.ROAR_LOOKAHEAD_S / window_s))
        coupled = window_max(onset, round(C.MOTION_LOOKBACK_S / window_s), 1)
        signals["coupled"] = coupled
        w = C.WEIGHTS
        raw = np.maximum(heard, w["coupled"] * coupled + w["crowd"] * heard + w["motion"] * motion)
    elif has_motion:
        raw = motion
    elif has_audio:
        raw = (1 - C.FLUX_SHARE_NO_PICTURE) * heard + C.FLUX_SHARE_NO_PICTURE * sound["flux"] * crowd
    else:
        raw = np.zeros(n)
    score = np.clip(uniform_filter1d(raw, size=C.SMOOTH_WINDOWS, mode="nearest"), 0.0, 1.0) if n else raw
    signals["activity"] = activity_curve(
        video.frame_bytes if video is not None else None,
        audio.flux if audio is not None else None,
        audio.loudness_db if audio is not None else None,
        n,
        window_s,
    )
    return Fused(score=score, signals=signals, has_audio=has_audio, has_motion=has_motion, measures=measures)
