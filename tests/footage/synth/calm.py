"""Calm footage with nothing to react to: a street scene and a training session.

No crowd, no commentator, no cheering: a hand-held camera on a textured scene where things move
(passers-by and cars on a street; players jogging across a training pitch), over ambient sound
(traffic hum, wind, the odd kick). What stands out is only busier than the rest, which is what a
reel of such footage has to fall back on.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
from scipy.ndimage import gaussian_filter

from footage.synth.encode import encode
from footage.synth.sound import RATE, NoiseBed, db, normalised

FW, FH = 192, 108
Scene = Literal["street", "training"]


def _backdrop(scene: Scene, rng: np.random.Generator) -> np.ndarray:
    if scene == "street":
        base = rng.integers(60, 200, (FH // 12, FW // 8, 3)).repeat(12, axis=0).repeat(8, axis=1)  # facades
        base[FH * 2 // 3 :] = (70, 70, 75)  # the road
    else:
        base = np.zeros((FH, FW, 3), np.int16)
        base[:] = (50, 130, 60)
        base[:, ::24] = (220, 220, 220)  # pitch markings
    texture = gaussian_filter(rng.normal(0, 12, (FH, FW, 1)), 1.0)
    return np.clip(base + texture, 0, 255).astype(np.uint8)


def _movers(
    scene: Scene, duration_s: float, rng: np.random.Generator
) -> list[tuple[float, float, float, float, tuple]]:
    """(start s, speed px/s, row, size px, colour) of everything that crosses the picture; busier at some times."""
    out = []
    busy = rng.uniform(0, duration_s, 3)  # a few busier spells (a bus and a group; a drill at pace)
    t = 0.0
    while t < duration_s:
        near = min(abs(t - b) for b in busy) < 10
        t += rng.exponential(1.5 if near else 5.0)
        fast = scene == "street" and rng.random() < 0.4
        speed = rng.uniform(60, 140) if fast else rng.uniform(10, 40)
        row = rng.uniform(FH * 0.7, FH * 0.9) if fast else rng.uniform(FH * 0.3, FH * 0.9)
        out.append(
            (t, speed * rng.choice([-1, 1]), row, rng.uniform(4, 14 if fast else 8), tuple(rng.integers(0, 255, 3)))
        )
    return out


def _frames(scene: Scene, duration_s: float, fps: int, rng: np.random.Generator):
    back = _backdrop(scene, rng)
    movers = _movers(scene, duration_s, rng)
    for i in range(int(duration_s * fps)):
        t = i / fps
        frame = back.copy()
        for start, speed, row, size, colour in movers:
            if not start <= t <= start + 2 * FW / abs(speed):
                continue
            x = (t - start) * speed if speed > 0 else FW + (t - start) * speed
            a, b = int(x), int(x + size)
            if b > 0 and a < FW:
                frame[int(row - size) : int(row), max(0, a) : min(FW, b)] = colour
        jitter = rng.integers(-1, 2)  # a hand-held camera's small shake
        yield np.roll(frame, jitter, axis=1)


def _sound(scene: Scene, duration_s: float, rng: np.random.Generator) -> np.ndarray:
    """Ambient sound with nothing in it anyone reacts to: distant traffic whose level drifts by a dB
    or two (a street), or wind with the thud of a kicked ball now and then (a training pitch)."""
    n = int(duration_s * RATE)
    hum = NoiseBed(rng, 60, 1500, tilt=0.8).block(n)
    knots = max(3, int(duration_s / 4))
    drift = np.interp(np.arange(n), np.linspace(0, n, knots), rng.uniform(-2.0, 2.0, knots))
    out = normalised(hum, -38.0) * db(drift).astype(np.float32)
    if scene == "training":
        for at in rng.uniform(0, duration_s - 1, max(2, int(duration_s / 6))):
            m = int(0.12 * RATE)
            thud = NoiseBed(rng, 80, 600).block(m) * np.exp(-np.arange(m) / (0.02 * RATE))
            out[int(at * RATE) : int(at * RATE) + m] += normalised(thud, -30.0)
    return out


def synth_calm(
    path: Path,
    *,
    scene: Scene = "street",
    duration_s: float = 120.0,
    size: tuple[int, int] = (640, 360),
    fps: int = 25,
    seed: int = 0,
) -> Path:
    """Write a calm `scene` (MP4, H.264/AAC) with nothing anyone reacts to."""
    rng = np.random.default_rng(seed)
    sound = _sound(scene, duration_s, rng)
    encode(
        path,
        _frames(scene, duration_s, fps, rng),
        sound,
        size=size,
        frame_size=(FW, FH),
        fps=fps,
        keyint_s=2.0,
        scene_keyframes=False,
    )
    return path
