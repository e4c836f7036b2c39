"""Synthetic play on the wings: the action is off-centre, and where the ball is is known in every frame.

Made for the follow-crop: a centre crop of a 16:9 picture to 9:16 keeps the middle 32 %, and every
event here (a white ball chased by fast players) happens on one wing, outside that middle. The camera
pans slowly (so frame differences alone would see the whole pitch move), calm players wander near the
centre between events, and one event is cut in two by a change of camera, after which the ball is on
the other wing (the crop must jump, not sweep). Frames are drawn with NumPy and piped to FFmpeg.
"""

from __future__ import annotations

import math
import subprocess
from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field

from mcp_highlight.engine.media.ffmpeg import ffmpeg_exe

WING_VERSION = 2
"""Bump when the picture changes, so cached media is rebuilt."""
BALL_RGB = (255, 255, 255)
PASS_S = 1.0
"""The ball travels out to the wing over this long before each event (it never teleports)."""
_LINE_RGB = (150, 190, 150)  # pitch lines: light, but never as white as the ball


class WingTruth(BaseModel):
    """Ground truth of a wing-play file, in seconds and in fractions of the frame (0..1)."""

    duration_s: float
    fps: int
    width: int
    height: int
    events: list[tuple[float, float]] = Field(description="Spans where the ball and fast players are on a wing.")
    cuts: list[float] = Field(default_factory=list, description="Camera changes (hard cuts).")
    ball: list[tuple[float, float]] = Field(description="Ball centre per frame, as fractions of width and height.")
    ball_radius: float = Field(description="Ball radius as a fraction of the frame height.")

    def ball_at(self, t: float) -> tuple[float, float]:
        return self.ball[min(len(self.ball) - 1, max(0, round(t * self.fps)))]


def _layout(duration_s: float) -> tuple[list[tuple[float, float]], list[str], float | None]:
    """Events of 6 s every 12 s, alternating wings; the second event is split by a camera cut."""
    events, sides = [], []
    t = 3.0
    while t + 6.0 <= duration_s - 1.0:
        events.append((t, t + 6.0))
        sides.append("left" if len(events) % 2 else "right")
        t += 12.0
    cut = events[1][0] + 3.0 if len(events) > 1 else None
    return events, sides, cut


def _world(width: int, height: int, tint: int, stripes: int, rng: np.random.Generator) -> np.ndarray:
    """A pitch wider than the frame (the camera pans over it): mowing stripes, grain, touch lines."""
    world_w = int(width * 1.4)
    xs = np.arange(world_w)
    stripe = ((xs // max(8, width // stripes)) % 2).astype(np.float32)
    base = np.zeros((height, world_w, 3), np.float32)
    base[..., 0] = 40 + 14 * stripe + tint
    base[..., 1] = 110 + 40 * stripe + tint
    base[..., 2] = 45 + 8 * stripe
    base += rng.normal(0, 9, size=(height, world_w, 1)).astype(np.float32)
    line = max(2, height // 120)
    for y in (int(height * 0.12), int(height * 0.88)):
        base[y : y + line, :] = _LINE_RGB
    for x in range(0, world_w, world_w // 3):
        base[int(height * 0.12) : int(height * 0.88), x : x + line] = _LINE_RGB
    return np.clip(base, 0, 255).astype(np.uint8)


def _disc(img: np.ndarray, cx: float, cy: float, r: float, rgb: tuple[int, int, int]) -> None:
    h, w = img.shape[:2]
    x0, x1 = max(0, int(cx - r)), min(w, int(cx + r) + 1)
    y0, y1 = max(0, int(cy - r)), min(h, int(cy + r) + 1)
    if x0 >= x1 or y0 >= y1:
        return
    yy, xx = np.ogrid[y0:y1, x0:x1]
    img[y0:y1, x0:x1][(xx - cx) ** 2 + (yy - cy) ** 2 <= r * r] = rgb


def _player(img: np.ndarray, cx: float, cy: float, size: float, rgb: tuple[int, int, int]) -> None:
    h, w = img.shape[:2]
    x0, x1 = max(0, int(cx - size * 0.4)), min(w, int(cx + size * 0.4))
    y0, y1 = max(0, int(cy - size)), min(h, int(cy + size))
    if x0 < x1 and y0 < y1:
        img[y0:y1, x0:x1] = rgb


def synth_wing_play(
    path: Path, *, duration_s: float = 30.0, width: int = 640, height: int = 360, fps: int = 30, seed: int = 0
) -> WingTruth:
    """Write the footage (H.264 + a crowd-noise AAC track that swells during events) and return its truth."""
    rng = np.random.default_rng(seed)
    events, sides, cut = _layout(duration_s)
    worlds = [_world(width, height, 0, 12, rng), _world(width, height, 40, 5, rng)]
    world_w = worlds[0].shape[1]
    n_frames = round(duration_s * fps)
    radius = max(3.0, height / 45)
    player = height / 16
    calm = [(rng.uniform(0.4, 0.6), rng.uniform(0.3, 0.7), rng.uniform(0, 6.3)) for _ in range(5)]
    chasers = [(rng.uniform(-0.06, 0.06), rng.uniform(-0.12, 0.12), rng.uniform(0, 6.3)) for _ in range(4)]
    ball: list[tuple[float, float]] = []
    cmd = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24"]
    cmd += ["-s", f"{width}x{height}", "-r", str(fps), "-i", "pipe:0"]
    roar = "+".join(f"clip((t-{a + 0.8:.2f})/1.0,0,1)*clip(({b + 1.5:.2f}-t)/1.0,0,1)" for a, b in events) or "0"
    cmd += ["-f", "lavfi", "-i", f"anoisesrc=color=pink:sample_rate=48000:amplitude=0.5:duration={duration_s}"]
    cmd += ["-filter:a", f"volume='0.15+0.85*min(1,{roar})':eval=frame"]
    cmd += ["-c:v", "libx264", "-preset", "ultrafast", "-crf", "23", "-pix_fmt", "yuv420p", "-g", str(2 * fps)]
    cmd += ["-c:a", "aac", "-ac", "2", "-shortest", str(path)]
    path.parent.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdin is not None
    try:
        for n in range(n_frames):
            t = n / fps
            camera = 1 if cut is not None and events[1][0] <= t < events[1][1] and t >= cut else 0
            pan = (world_w - width) * (0.5 + 0.45 * math.sin(2 * math.pi * t / 17.0))
            img = worlds[camera][:, int(pan) : int(pan) + width].copy()
            active = next((i for i, (a, b) in enumerate(events) if a <= t < b), None)
            for px, py, ph in calm:  # slow players near the centre, always
                _player(img, (px + 0.03 * math.sin(t * 0.7 + ph)) * width, py * height, player, (200, 60, 50))
            upcoming = next((i for i, (a, _b) in enumerate(events) if 0 <= a - t < PASS_S), None)
            if active is None:
                bx, by = 0.5 + 0.04 * math.sin(t * 0.5), 0.5 + 0.05 * math.sin(t * 0.3)
                if upcoming is not None:  # a long pass out to the wing where the event starts
                    share = 1.0 - (events[upcoming][0] - t) / PASS_S
                    goal = 0.2 if sides[upcoming] == "left" else 0.8
                    bx, by = bx + (goal - bx) * share, by
            else:
                a, _b = events[active]
                side = sides[active]
                if camera == 1:
                    side = "left" if side == "right" else "right"
                centre = 0.2 if side == "left" else 0.8
                u = t - a
                bx = centre + 0.13 * math.sin(2 * math.pi * u / 3.2) + 0.03 * math.sin(2 * math.pi * u / 0.9)
                by = 0.5 + 0.25 * math.sin(2 * math.pi * u / 4.1)
                for dx, dy, ph in chasers:  # fast players around the ball
                    jitter = 0.02 * math.sin(t * 5 + ph)
                    _player(img, (bx + dx + jitter) * width, (by + dy) * height, player, (40, 60, 200))
            _disc(img, bx * width, by * height, radius, BALL_RGB)
            ball.append((round(bx, 5), round(by, 5)))
            proc.stdin.write(img.tobytes())
        _, err = proc.communicate()
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    if proc.returncode != 0:
        raise RuntimeError(f"ffmpeg failed: {err.decode(errors='replace')[-1500:]}")
    return WingTruth(
        duration_s=duration_s,
        fps=fps,
        width=width,
        height=height,
        events=events,
        cuts=[cut] if cut is not None else [],
        ball=ball,
        ball_radius=radius / height,
    )
