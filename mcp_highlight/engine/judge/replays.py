"""Replays in a broadcast: the same action again, between two graphic wipes, after a big moment.

A broadcaster's replay wipe is a busy animated graphic over a fraction of a second: a run of
frames each far bigger than the frames around them (a hard cut is one big frame, a wipe is
many). A replay is the stretch between two wipes a few seconds apart that starts soon after a
big moment, while the crowd stays quiet (it is reacting to nothing new). Read from packet sizes
alone: no decoding.
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel
from scipy.ndimage import median_filter

from mcp_highlight.engine.judge.video_signals import VideoWindows

WIPE_MIN_S, WIPE_MAX_S = 0.25, 2.0
BIG_FRAME = 2.5
"""A wipe frame is this many times the local median frame size."""
REPLAY_S = (3.0, 30.0)
AFTER_MOMENT_S = 50.0
"""A replay starts within this long after the moment's reaction peak."""


class Replay(BaseModel):
    start_s: float
    end_s: float
    of_s: float
    """Peak time of the live moment it replays."""


def wipes(video: VideoWindows) -> list[tuple[float, float]]:
    """Runs of WIPE_MIN_S..WIPE_MAX_S of frames much bigger than their neighbourhood."""
    t = video.packet_times
    if t.size < 50 or video.packet_keys.mean() > 0.5:
        return []
    order = np.argsort(t, kind="stable")
    t, size, key = t[order], video.packet_sizes[order].astype(np.float64), video.packet_keys[order]
    dt = float(np.median(np.diff(t))) or 1 / 30
    span = max(5, round(2.0 / dt) | 1)
    idx = np.arange(size.size)
    plain = np.interp(idx, idx[~key], size[~key]) if (~key).any() else size
    local = median_filter(plain, size=span, mode="nearest")
    big = size > BIG_FRAME * np.maximum(local, 1.0)
    # A keyframe inside a run neither breaks nor starts it.
    for i in np.nonzero(key)[0]:
        big[i] = bool(i > 0 and big[i - 1] and i + 1 < big.size and big[i + 1])
    out: list[tuple[float, float]] = []
    i = 0
    while i < big.size:
        if not big[i]:
            i += 1
            continue
        j = i
        while j + 1 < big.size and (big[j + 1] or (j + 2 < big.size and big[j + 2])):  # bridge one-frame gaps
            j += 1
        length = t[j] - t[i] + dt
        if WIPE_MIN_S <= length <= WIPE_MAX_S:
            out.append((round(float(t[i]), 3), round(float(t[j] + dt), 3)))
        i = j + 1
    return out


def find_replays(
    found: list[tuple[float, float]], big_moments: list[float], crowd: np.ndarray, window_s: float
) -> list[Replay]:
    """Pair wipes into replays of the big moments (peak times) they follow; each wipe is used once."""
    replays: list[Replay] = []
    used: set[int] = set()
    for i, (a0, a1) in enumerate(found):
        if i in used:
            continue
        before = [p for p in big_moments if 0 < a0 - p <= AFTER_MOMENT_S]
        if not before:
            continue
        for j in range(i + 1, len(found)):
            b0, b1 = found[j]
            if not REPLAY_S[0] <= b0 - a1 <= REPLAY_S[1]:
                if b0 - a1 > REPLAY_S[1]:
                    break
                continue
            inside = crowd[int(a1 / window_s) : int(b0 / window_s) + 1]
            if inside.size and float(np.percentile(inside, 75)) > 0.5:
                continue  # the crowd is reacting: live play, not a replay
            replays.append(Replay(start_s=a0, end_s=b1, of_s=max(before)))
            used.update((i, j))
            break
    return replays
