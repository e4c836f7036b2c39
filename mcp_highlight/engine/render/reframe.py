"""Follow the action: a crop window that slides smoothly to where the play is, per clip.

From `action_track`'s motion profiles, each sample gets a target (the centre of the motion inside the
best window of the crop's width). Per shot (between hard cuts) the targets are cleaned (median, then a
Gaussian), looked at slightly ahead, and followed by a window with a dead zone (small drifts do not
move it), a speed limit and an acceleration limit, so it never jitters. At a cut the window jumps
straight to the new shot's action: no sweep across a cut. When the action is wider than the window
for most of the clip, the clip falls back to the blurred fill.

The path is a piecewise-linear function of the output frame number `n` (frames at the reel's rate,
counted from the clip's first frame), handed to FFmpeg's `crop` as an expression.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
from scipy.ndimage import gaussian_filter1d, median_filter

from mcp_highlight.core.progress import ProgressFn
from mcp_highlight.engine.render.action_track import ActionTrack, Axis, track_action

DEAD_ZONE = 0.10
"""The window does not move while the action stays within this share of its width from its centre."""
MAX_SPEED = 0.6
"""Fastest pan, in source widths (or heights) per second."""
MAX_ACCEL = 2.0
"""Hardest speed change, in source widths per second squared."""
LOOKAHEAD_S = 0.25
"""Aim slightly ahead: the window starts moving as the play does, not after it has left."""
WIDE_COVERAGE = 0.5
"""A sample whose best window holds less than this share of the motion has action wider than the frame."""
WIDE_SHARE = 0.5
"""A clip where more than this share of the informative samples is wide gets the blurred fill."""
MIN_ENERGY = 40.0
"""Per-sample motion energy (grey levels summed over the axis) below which a sample says nothing."""
FPS = 30
"""The reel's frame rate (render normalises every clip to it); the path is planned per output frame."""
SIMPLIFY_PX = 1.0
"""Keyframes are dropped while the line between their neighbours stays this close (source pixels)."""


@dataclass(frozen=True)
class CropPath:
    """Where a fixed-size crop window sits over one clip; `keys` are (output frame, left/top edge in px)."""

    axis: Axis
    crop: tuple[int, int]
    display: tuple[int, int]
    keys: tuple[tuple[int, float], ...]
    frames: int
    blur: bool = False
    """The action is wider than the window: render this clip with the blurred fill instead."""

    def positions(self) -> np.ndarray:
        """The window's edge at every output frame (what FFmpeg computes from `expression`)."""
        n = np.arange(self.frames)
        ks = np.array([k for k, _ in self.keys], dtype=np.float64)
        xs = np.array([x for _, x in self.keys], dtype=np.float64)
        return np.interp(n, ks, xs)

    def largest_step_px(self) -> float:
        """The biggest frame-to-frame move within a shot (jumps at cuts excluded: they are meant)."""
        steps = np.abs(np.diff(self.positions()))
        if steps.size == 0:
            return 0.0
        jumps = {k for (k, _), (k2, _) in itertools.pairwise(self.keys) if k2 - k == 1}
        keep = np.array([i not in jumps for i in range(steps.size)])
        return float(steps[keep].max()) if keep.any() else 0.0

    def expression(self) -> str:
        """The edge as an FFmpeg expression of `n`: a start value plus one hinge per change of slope, summed as
        a balanced tree (FFmpeg's parser gives up on a flat sum of about a hundred terms)."""
        keys = list(self.keys)
        if len(keys) == 1:
            return f"{keys[0][1]:.2f}"
        slopes = [(x2 - x1) / (n2 - n1) for (n1, x1), (n2, x2) in itertools.pairwise(keys)]
        n0, x0 = keys[0]
        terms = [f"{x0 - slopes[0] * n0:.3f}", f"{slopes[0]:.5f}*n"]
        # after the last key the window holds still (slope 0), as `positions` does
        for (n, _), before, after in zip(keys[1:], slopes, [*slopes[1:], 0.0], strict=True):
            delta = after - before
            if abs(delta) > 1e-7:
                terms.append(f"{delta:.5f}*max(0,n-{n})")
        return _balanced_sum(terms)


def _balanced_sum(terms: list[str]) -> str:
    if len(terms) == 1:
        return terms[0]
    middle = len(terms) // 2
    return f"({_balanced_sum(terms[:middle])}+{_balanced_sum(terms[middle:])})"


def crop_size(display: tuple[int, int], frame: tuple[int, int]) -> tuple[tuple[int, int], Axis]:
    """The window (source pixels, even) with the frame's shape, and the axis it slides on."""
    dw, dh = display
    fw, fh = frame
    if dw / dh > fw / fh:
        return (min(dw, max(2, round(dh * fw / fh / 2) * 2)), dh), "x"
    return (dw, min(dh, max(2, round(dw * fh / fw / 2) * 2))), "y"


def targets(track: ActionTrack, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Per sample: the action's centre (analysis px, NaN when nothing moved) and the share of motion the
    best `window`-wide span holds."""
    centres = np.full(len(track.times), np.nan)
    coverage = np.full(len(track.times), np.nan)
    window = max(1, min(window, track.size))
    positions = np.arange(track.size, dtype=np.float64)
    for i, profile in enumerate(track.profiles):
        if not np.all(np.isfinite(profile)):
            continue
        total = float(profile.sum())
        if total < MIN_ENERGY:
            continue
        sums = np.convolve(profile, np.ones(window), mode="valid")
        best = int(np.argmax(sums))
        inside = profile[best : best + window]
        centres[i] = float((inside * positions[best : best + window]).sum() / max(inside.sum(), 1e-9))
        coverage[i] = float(sums[best] / total)
    return centres, coverage


def _fill(values: np.ndarray, default: float) -> np.ndarray:
    """NaNs take the last known value (the first known one at the start; `default` if none)."""
    known = np.flatnonzero(np.isfinite(values))
    if known.size == 0:
        return np.full_like(values, default)
    out = values.copy()
    out[: known[0]] = values[known[0]]
    for i in range(known[0] + 1, len(out)):
        if not np.isfinite(out[i]):
            out[i] = out[i - 1]
    return out


def follow(
    target: np.ndarray, *, fps: float, dead_zone: float, max_speed: float, max_accel: float, lo: float, hi: float
) -> np.ndarray:
    """Chase `target` (one value per frame): hold inside the dead zone, else accelerate within limits and
    brake in time (speed at most sqrt(2 * accel * distance)), so the window settles without overshoot."""
    dt = 1.0 / fps
    x = float(np.clip(target[0], lo, hi))
    v = 0.0
    out = np.empty_like(target)
    for i, goal in enumerate(target):
        error = float(goal) - x
        distance = max(0.0, abs(error) - dead_zone)
        wanted = np.sign(error) * min(max_speed, np.sqrt(2.0 * max_accel * distance)) if distance > 0 else 0.0
        v += float(np.clip(wanted - v, -max_accel * dt, max_accel * dt))
        x = float(np.clip(x + v * dt, lo, hi))
        if x in (lo, hi):
            v = 0.0
        out[i] = x
    return out


def simplify(points: np.ndarray, tolerance: float) -> list[int]:
    """Ramer-Douglas-Peucker on (n, x): the indices of the points to keep."""
    keep = {0, len(points) - 1}
    stack = [(0, len(points) - 1)]
    while stack:
        a, b = stack.pop()
        if b - a < 2:
            continue
        (n1, x1), (n2, x2) = points[a], points[b]
        inner = points[a + 1 : b]
        line = x1 + (inner[:, 0] - n1) * (x2 - x1) / (n2 - n1)
        errors = np.abs(inner[:, 1] - line)
        worst = int(np.argmax(errors))
        if errors[worst] > tolerance:
            mid = a + 1 + worst
            keep.add(mid)
            stack += [(a, mid), (mid, b)]
    return sorted(keep)


def plan_path(
    track: ActionTrack, *, display: tuple[int, int], frame: tuple[int, int], fps: int, frames: int
) -> CropPath:
    """Turn measured motion into the window's path over `frames` output frames."""
    crop, axis = crop_size(display, frame)
    span = display[0] if axis == "x" else display[1]
    window_len = crop[0] if axis == "x" else crop[1]
    scale = span / track.size
    centres, coverage = targets(track, round(window_len / scale))
    informative = coverage[np.isfinite(coverage)]
    blur = informative.size > 0 and float(np.mean(informative < WIDE_COVERAGE)) > WIDE_SHARE
    hi = float(span - window_len)
    frame_times = np.arange(frames) / fps
    edges = [0.0, *[c for c in track.cuts_s if 0 < c < frames / fps], frames / fps + 1.0]
    path = np.empty(frames)
    for a, b in itertools.pairwise(edges):
        in_shot = (frame_times >= a) & (frame_times < b)
        if not in_shot.any():
            continue
        sample = (track.times >= a) & (track.times < b)
        shot_centres = _fill(centres[sample], default=track.size / 2) * scale
        shot_times = track.times[sample]
        if shot_centres.size >= 3:
            shot_centres = median_filter(shot_centres, size=min(5, shot_centres.size), mode="nearest")
            shot_centres = gaussian_filter1d(shot_centres, sigma=1.5, mode="nearest")
        wanted = frame_times[in_shot] + LOOKAHEAD_S
        goal = np.interp(wanted, shot_times, shot_centres) if shot_centres.size else np.full(wanted.size, span / 2)
        path[in_shot] = follow(
            goal - window_len / 2,
            fps=fps,
            dead_zone=DEAD_ZONE * window_len,
            max_speed=MAX_SPEED * span,
            max_accel=MAX_ACCEL * span,
            lo=0.0,
            hi=hi,
        )
    points = np.column_stack([np.arange(frames, dtype=np.float64), path])
    keep: set[int] = set()
    starts = [0, *[int(np.searchsorted(frame_times, c)) for c in edges[1:-1]], frames]
    for a, b in itertools.pairwise(starts):
        if b > a:
            keep.update(a + i for i in simplify(points[a:b], SIMPLIFY_PX))
    keys = tuple((int(n), round(float(path[n]), 2)) for n in sorted(keep))
    return CropPath(axis=axis, crop=crop, display=display, keys=keys, frames=frames, blur=blur)


def follow_path(
    source: Path,
    start_s: float,
    duration_s: float,
    *,
    display: tuple[int, int],
    rotation: int,
    frame: tuple[int, int],
    fps: int,
) -> CropPath:
    """Measure one clip and plan its crop window (the whole job for one clip of a `follow` reel)."""
    _, axis = crop_size(display, frame)
    track = track_action(source, start_s, duration_s, display=display, rotation=rotation, axis=axis)
    frames = max(1, round(duration_s * fps))
    return plan_path(track, display=display, frame=frame, fps=fps, frames=frames)


class _Source(Protocol):
    path: Path
    rotation: int

    @property
    def display(self) -> tuple[int, int]: ...


def resolve_fit(fit: str, display: tuple[int, int], frame: tuple[int, int]) -> str:
    """The fit a clip gets. "auto": a vertical or square reel follows the action in a wider picture; a
    portrait picture in a landscape reel keeps all of itself over a blurred fill (a crop would lose about
    70 % of it); anything else is a centre crop."""
    if fit != "auto":
        return fit
    source, target = display[0] / display[1], frame[0] / frame[1]
    if abs(source - target) <= 0.01 * target:
        return "crop"  # same shape: only scaled, the fit does not matter
    if target > 1 and source < 1:
        return "blur"
    if target <= 1 and source > target:
        return "follow"
    return "crop"


def clip_follow_path(
    fit: str,
    source: _Source,
    start_s: float,
    duration_s: float,
    frame: tuple[int, int],
    progress: ProgressFn,
    *,
    fps: int = FPS,
) -> CropPath | None:
    """What render asks per clip: the window's path when the clip's fit is "follow" and the shapes differ.

    `fps` is the reel's rate: the path has one position per output frame.
    """
    display = source.display
    if resolve_fit(fit, display, frame) != "follow" or abs(display[0] / display[1] - frame[0] / frame[1]) < 0.01 * (
        frame[0] / frame[1]
    ):
        return None
    progress(0.0, "Following the action")
    return follow_path(
        source.path,
        start_s,
        duration_s,
        display=source.display,
        rotation=source.rotation,
        frame=frame,
        fps=fps,
    )
