"""When nothing reacts: the busiest, most varied stretches of the footage, by picture and sound.

Footage with no crowd, no commentator and no cheering (a street scene, a training session)
still makes a reel. Each window is ranked against the rest of the same file on how much the
picture changes (compressed bytes per frame), how much the sound changes (spectral flux) and how
loud it is; the mean rank, averaged over a clip's length, peaks where most is going on. Ranks,
not levels: no threshold depends on the camera, the encoder or the recording level.
"""

from __future__ import annotations

import numpy as np
from scipy.ndimage import uniform_filter1d
from scipy.signal import find_peaks
from scipy.stats import rankdata

from mcp_highlight.engine.judge.constants import ACTIVITY_CLIP_S


def _ranks(x: np.ndarray | None, n: int) -> np.ndarray | None:
    """Each window's rank among the file's windows, 0 (calmest) .. 1 (busiest); None without data."""
    if x is None:
        return None
    x = np.asarray(x, dtype=np.float64)[:n]
    ok = np.isfinite(x)
    if ok.sum() < 2 or np.ptp(x[ok]) == 0:
        return None
    out = np.full(n, 0.5)
    out[: x.size][ok] = (rankdata(x[ok]) - 1) / (ok.sum() - 1)
    return out


def activity_curve(
    frame_bytes: np.ndarray | None, flux: np.ndarray | None, loudness_db: np.ndarray | None, n: int, window_s: float
) -> np.ndarray:
    """0..1 per window: the mean rank of motion, sound change and loudness over ACTIVITY_CLIP_S."""
    parts = [r for r in (_ranks(frame_bytes, n), _ranks(flux, n), _ranks(loudness_db, n)) if r is not None]
    if not parts or n == 0:
        return np.zeros(n)
    mean = np.mean(parts, axis=0)
    return uniform_filter1d(mean, size=max(1, round(ACTIVITY_CLIP_S / window_s)), mode="nearest")


def activity_peaks(activity: np.ndarray, window_s: float, min_gap_s: float) -> list[int]:
    """Window indices of the most active stretches, at least `min_gap_s` apart, busiest first."""
    if activity.size == 0:
        return []
    padded = np.concatenate([[-1.0], activity, [-1.0]])
    peaks, _ = find_peaks(padded, distance=max(1, round(max(min_gap_s, ACTIVITY_CLIP_S) / window_s)))
    peaks = peaks - 1
    return sorted(peaks.tolist(), key=lambda p: -activity[p])
