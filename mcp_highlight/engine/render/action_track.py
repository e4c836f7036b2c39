"""Where the action is in one clip: camera-motion-compensated frame differences at low resolution.

Only the chosen clip is decoded (PyAV, frames shrunk to ~192 px, grey). Between samples 0.1 s apart
the camera's own pan is estimated by phase correlation and taken out, so a panning shot does not look
like motion everywhere; what still changes (players, the ball) is summed into a profile along the axis
the crop will slide on. Hard cuts are found from frame-to-frame change so the crop never drifts across
one. The result is plain arrays; `reframe` turns them into a smooth crop window.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import av
import numpy as np
from scipy.ndimage import median_filter

from mcp_highlight.core.errors import CorruptMediaError

Axis = Literal["x", "y"]

SAMPLE_S = 0.1
"""Motion is measured between frames this far apart: enough movement to see, little enough to localise."""
SMALL_SIDE = 192
"""Analysis frames are this wide (or tall, for portrait); a ball of a few pixels still shows."""
NOISE_LEVEL = 18.0
"""Grey-level differences below this are compression noise and sub-pixel pan residue, not motion."""
CUT_JUMP = 20.0
CUT_RATIO = 4.0
"""A hard cut: mean frame-to-frame change above CUT_JUMP grey levels and CUT_RATIO times its neighbourhood."""


@dataclass
class ActionTrack:
    """Motion along one axis of a clip, sampled every SAMPLE_S, with the clip's hard cuts.

    `profiles[i]` is the motion energy per low-resolution column (axis x) or row (axis y) at `times[i]`
    (seconds from the clip start); a row is NaN where no motion could be measured (across a cut).
    """

    axis: Axis
    size: int
    """Length of the axis in analysis pixels (the profile length)."""
    times: np.ndarray
    profiles: np.ndarray
    cuts_s: list[float] = field(default_factory=list)
    duration_s: float = 0.0


def _small_size(display: tuple[int, int]) -> tuple[int, int]:
    w, h = display
    if w >= h:
        return SMALL_SIDE, max(16, round(SMALL_SIDE * h / w / 2) * 2)
    return max(16, round(SMALL_SIDE * w / h / 2) * 2), SMALL_SIDE


def _grey(frame: av.VideoFrame, size: tuple[int, int], rotation: int) -> np.ndarray:
    w, h = size
    if rotation % 180 == 90:
        w, h = h, w
    # area averaging: a bilinear 10x shrink aliases stripes and grain into motion that is not there
    image = frame.reformat(width=w, height=h, format="gray", interpolation="AREA").to_ndarray().astype(np.float32)
    if rotation % 360:
        # The display matrix turns the stored picture anticlockwise by `rotation` degrees.
        image = np.rot90(image, k=round(rotation / 90) % 4)
    return image


def _window(shape: tuple[int, int]) -> np.ndarray:
    return np.outer(np.hanning(shape[0]), np.hanning(shape[1])).astype(np.float32)


def _signed(d: int, size: int) -> int:
    return d - size if d > size // 2 else d


def camera_shift(
    a: np.ndarray, b: np.ndarray, window: np.ndarray, previous: tuple[int, int] = (0, 0), peaks: int = 4
) -> tuple[int, int]:
    """The whole-picture move (dy, dx) from `a` to `b`: the camera's pan.

    Phase correlation proposes shifts; a periodic picture (mowing stripes, a crowd, seats) gives several
    peaks a stripe apart, so the strongest few, no move and the previous move are all tried and the one
    that leaves the least difference wins.
    """
    fa = np.fft.rfft2((a - a.mean()) * window)
    fb = np.fft.rfft2((b - b.mean()) * window)
    cross = fb * np.conj(fa)
    cross /= np.abs(cross) + 1e-6
    corr = np.fft.irfft2(cross, s=a.shape)
    h, w = a.shape
    best = np.argpartition(corr.ravel(), -peaks)[-peaks:]
    candidates = {(0, 0), previous}
    for index in best:
        dy, dx = np.unravel_index(int(index), corr.shape)
        candidates.add((_signed(int(dy), h), _signed(int(dx), w)))
    my, mx = h // 8, w // 8  # compare the middle only: every candidate sees the same pixels

    def residual(shift: tuple[int, int]) -> float:
        moved = np.roll(a, shift, axis=(0, 1))
        return float(np.abs(b[my:-my, mx:-mx] - moved[my:-my, mx:-mx]).mean())

    return min(sorted(candidates, key=lambda c: abs(c[0]) + abs(c[1])), key=residual)


def moving_energy(a: np.ndarray, b: np.ndarray, shift: tuple[int, int]) -> np.ndarray:
    """|b - a moved by the camera's shift| above the noise level; the edges the shift uncovered count 0.

    The shift is whole pixels but a pan rarely is: each pixel takes the smallest difference over the
    shift and its eight neighbours, so sharp static lines (touch lines, text) do not leave a residue.
    """
    dy, dx = shift
    diff = np.full(b.shape, np.inf, dtype=np.float32)
    for ey in (-1, 0, 1):
        for ex in (-1, 0, 1):
            np.minimum(diff, np.abs(b - np.roll(a, (dy + ey, dx + ex), axis=(0, 1))), out=diff)
    diff -= NOISE_LEVEL
    np.maximum(diff, 0.0, out=diff)
    pad_y, pad_x = abs(dy) + 1, abs(dx) + 1
    diff[:pad_y] = 0
    diff[-pad_y:] = 0
    diff[:, :pad_x] = 0
    diff[:, -pad_x:] = 0
    return diff


def find_cuts(times: np.ndarray, change: np.ndarray) -> list[float]:
    """Hard cuts: frame-to-frame change far above its neighbourhood (`change[i]` is between frames i-1 and i)."""
    if change.size < 3:
        return []
    local = median_filter(change, size=31, mode="nearest")
    hits = np.flatnonzero((change > CUT_JUMP) & (change > CUT_RATIO * np.maximum(local, 1.0)))
    cuts: list[float] = []
    for i in hits:
        if not cuts or times[i] - cuts[-1] > 0.5:
            cuts.append(float(times[i]))
    return cuts


def track_action(
    source: Path, start_s: float, duration_s: float, *, display: tuple[int, int], rotation: int, axis: Axis
) -> ActionTrack:
    """Decode `duration_s` of `source` from `start_s` at low resolution and measure motion along `axis`."""
    size = _small_size(display)
    window = _window((size[1], size[0]))
    frame_times: list[float] = []
    change: list[float] = []
    times: list[float] = []
    profiles: list[np.ndarray] = []
    previous: np.ndarray | None = None
    sampled: tuple[float, np.ndarray] | None = None
    shift = (0, 0)
    end_s = start_s + duration_s
    try:
        with av.open(str(source)) as container:
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            origin = (container.start_time or 0) / 1e6
            if start_s > 0:
                container.seek(round((origin + start_s) * 1e6), backward=True, any_frame=False)
            for frame in container.decode(stream):
                if frame.time is None:
                    continue
                t = frame.time - origin
                if t < start_s - 1e-3:
                    continue
                if t >= end_s:
                    break
                image = _grey(frame, size, rotation)
                rel = t - start_s
                if previous is not None:
                    frame_times.append(rel)
                    change.append(float(np.abs(image - previous).mean()))
                previous = image
                if sampled is None:
                    sampled = (rel, image)
                elif rel - sampled[0] >= SAMPLE_S - 1e-3:
                    shift = camera_shift(sampled[1], image, window, shift)
                    energy = moving_energy(sampled[1], image, shift)
                    times.append(rel)
                    profiles.append(energy.sum(axis=0 if axis == "x" else 1))
                    sampled = (rel, image)
    except av.FFmpegError as exc:
        raise CorruptMediaError(f"Cannot read {source.name} to follow the action: {exc}") from exc
    length = size[0] if axis == "x" else size[1]
    cuts = find_cuts(np.asarray(frame_times), np.asarray(change))
    sample_times = np.asarray(times, dtype=np.float64)
    stacked = np.vstack(profiles) if profiles else np.zeros((0, length), np.float32)
    for cut in cuts:  # a sample whose pair of frames straddles a cut measured the cut, not motion
        stacked[(sample_times >= cut) & (sample_times < cut + SAMPLE_S + 1e-3)] = np.nan
    return ActionTrack(axis=axis, size=length, times=sample_times, profiles=stacked, cuts_s=cuts, duration_s=duration_s)
