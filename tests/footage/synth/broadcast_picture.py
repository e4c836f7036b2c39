"""The picture of a generated broadcast, drawn small with NumPy (the encoder scales it up).

The camera never stops: it follows the ball across a pitch four frames wide, faster when play
is fast. The director cuts between the wide and a close camera; goals get a close-up of the
celebration, then a graphic wipe, the same action again in slow motion, and a wipe back. An ad
break is full-screen busy graphics with cuts every second or two.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from scipy.ndimage import gaussian_filter1d

from footage.synth.broadcast_script import Script

FW, FH = 256, 144  # internal frame size
CW = 4 * FW  # pitch canvas width
STANDS = 26
PLAYERS = 10


def _canvas(rng: np.random.Generator) -> np.ndarray:
    c = np.zeros((FH, CW, 3), np.int16)
    stripe = ((np.arange(CW) // 64) % 2)[None, :]
    c[..., 0] = 40 + 8 * stripe
    c[..., 1] = 118 + 14 * stripe
    c[..., 2] = 52 + 6 * stripe
    c += rng.integers(-6, 7, (FH, CW, 1))
    white = (235, 235, 235)
    c[STANDS + 2 : FH - 2, CW // 2 - 1 : CW // 2 + 1] = white
    c[STANDS + 2 : STANDS + 4, :] = white
    c[FH - 4 : FH - 2, :] = white
    for x0 in (4, CW - 94):
        c[60:112, x0 : x0 + 2] = white
        c[60:112, x0 + 88 : x0 + 90] = white
        c[60:62, x0 : x0 + 90] = white
        c[110:112, x0 : x0 + 90] = white
    people = rng.integers(30, 230, (STANDS, CW // 2, 3))
    c[:STANDS] = np.repeat(people, 2, axis=1)
    return np.clip(c, 0, 255).astype(np.uint8)


class _Play:
    """Ball, players and cameras for every frame (vectorised over time)."""

    def __init__(self, script: Script, fps: int, rng: np.random.Generator) -> None:
        n = int(script.duration * fps) + 2
        self.n, self.fps = n, fps
        wt, wx, wy = [0.0], [CW / 2], [90.0]
        actions = sorted(script.of("goal", "chance", "counter"), key=lambda e: e.start)
        t = 0.0
        for e in [*actions, None]:
            stop = e.start if e else script.duration + 1
            while t < stop - 1.0:  # calm play: short passes around the current position
                t = min(stop - 0.5, t + rng.uniform(1.2, 3.0))
                wt.append(t)
                wx.append(float(np.clip(wx[-1] + rng.normal(0, 70), 60, CW - 60)))
                wy.append(float(np.clip(wy[-1] + rng.normal(0, 20), STANDS + 12, FH - 8)))
            if e is None:
                break
            goal_x = 20.0 if e.side < 0 else CW - 20.0
            stop_x = goal_x if e.kind != "counter" else CW / 2 + e.side * CW * 0.32
            start_x = CW / 2 - e.side * rng.uniform(0, CW * 0.25)
            for f in np.linspace(0, 1, 5)[1:] if e.kind != "counter" else np.linspace(0, 1, 4):
                wt.append(e.start + f * (e.end - e.start))
                wx.append(float(start_x + (stop_x - start_x) * f))
                wy.append(float(np.clip(90 + rng.normal(0, 25), STANDS + 12, FH - 8)))
            t = e.end + 0.1
            if e.kind == "goal":  # celebration by the goal, then kick-off from the centre
                t = (e.wipes[-1][1] if e.wipes else e.roar_end) + 0.5
                wt += [e.end + 1.0, t]
                wx += [goal_x - e.side * 60, CW / 2]
                wy += [80.0, 85.0]
        times = np.arange(n) / fps
        order = np.argsort(wt, kind="stable")
        bt, bx, by = np.asarray(wt)[order], np.asarray(wx)[order], np.asarray(wy)[order]
        self.bx = gaussian_filter1d(np.interp(times, bt, bx), fps * 0.35)
        self.by = gaussian_filter1d(np.interp(times, bt, by), fps * 0.35)
        self.cam = np.clip(gaussian_filter1d(self.bx - FW / 2, fps * 0.6), 0, CW - FW)
        drift = gaussian_filter1d(rng.normal(0, 1, (n, PLAYERS, 2)).cumsum(axis=0), fps, axis=0)
        drift = drift / (np.abs(drift).max(axis=0, keepdims=True) + 1e-9)
        spread = np.ones(n)
        for e in actions:
            a, b = int(e.start * fps), int(e.end * fps)
            spread[a:b] = 0.55
        self.spread = gaussian_filter1d(spread, fps * 0.5)
        self.offsets = drift * np.array([110.0, 40.0])
        self.team = np.arange(PLAYERS) % 2

    def at(self, t: float) -> tuple[float, float, float, np.ndarray]:
        """Ball x, y, camera x and player positions at a (fractional) time, for slow motion."""
        f = min(max(t * self.fps, 0), self.n - 2)
        i, w = int(f), f - int(f)

        def lerp(a: np.ndarray) -> np.ndarray:
            return a[i] * (1 - w) + a[i + 1] * w

        players = np.array([lerp(self.bx), lerp(self.by)]) + lerp(self.offsets) * lerp(self.spread)
        return float(lerp(self.bx)), float(lerp(self.by)), float(lerp(self.cam)), players


def _draw_players(frame: np.ndarray, players: np.ndarray, team: np.ndarray, x0: float, y0: float, zoom: int) -> None:
    colours = np.array([[220, 30, 30], [240, 240, 60]], np.uint8)
    for (px, py), k in zip(players, team, strict=True):
        x = int((px - x0) * zoom)
        y = int((py - y0) * zoom)
        w, h = 3 * zoom, 6 * zoom
        if -w < x < FW and -h < y < FH:
            frame[max(0, y - h) : max(0, y), max(0, x) : max(0, x + w)] = colours[k]


def _ad_frame(t: float, spot: int, rng_seed: int) -> np.ndarray:
    rng = np.random.default_rng(rng_seed * 1000 + spot)
    frame = np.empty((FH, FW, 3), np.uint8)
    frame[:] = rng.integers(0, 255, 3)
    for _ in range(5):
        w, h = rng.integers(20, 120), rng.integers(10, 70)
        vx, vy = rng.uniform(-220, 220, 2)
        x = int((rng.uniform(0, FW) + vx * t) % FW)
        y = int((rng.uniform(0, FH) + vy * t) % FH)
        frame[y : y + h, x : x + w] = rng.integers(0, 255, 3)
    if int(t * 6) % 2:
        frame[FH - 30 : FH - 14, 20 : FW - 20] = 255
    return frame


def _logo(seed: int) -> np.ndarray:
    """The broadcaster's replay graphic for `slide`: one detailed picture, drawn once."""
    rng = np.random.default_rng(seed + 7)
    logo = np.empty((FH, FW, 3), np.uint8)
    logo[:] = rng.integers(20, 120, 3)
    for _ in range(24):
        w, h = int(rng.integers(8, 60)), int(rng.integers(6, 40))
        x, y = int(rng.integers(0, FW - w)), int(rng.integers(0, FH - h))
        logo[y : y + h, x : x + w] = rng.integers(0, 255, 3)
    return logo


def _wipe(frame: np.ndarray, p: float, graphic: str, rng: np.random.Generator, logo: np.ndarray) -> None:
    """Draw the replay transition at progress p (0..1) over `frame`, in place."""
    x = int((p * 2 - 0.5) * FW)
    a, b = max(0, x - FW // 2), max(0, min(FW, x + FW // 2))
    if b <= a or graphic == "none":
        return
    if graphic == "slide":  # one graphic moving across as a piece: the same pixels, shifted
        frame[:, a:b] = logo[:, a - (x - FW // 2) : b - (x - FW // 2)]
        return
    if graphic == "flat":  # flat colour bands, no texture at all
        frame[:, a:b] = (30, 60, 150)
        c, d = max(0, x - FW // 6), max(0, min(FW, x + FW // 6))
        if d > c:
            frame[FH // 3 : 2 * FH // 3, c:d] = (240, 200, 40)
        return
    # The original: an animated, detailed logo sweeping across the picture (like real ones, it
    # is busy: sparkles and a textured band that change every frame).
    band = rng.integers(0, 80, (FH, b - a, 1)) + np.array([30, 60, 150])
    frame[:, a:b] = np.clip(band, 0, 255).astype(np.uint8)
    c, d = max(0, x - FW // 6), max(0, min(FW, x + FW // 6))
    if d > c:
        frame[FH // 3 : 2 * FH // 3, c:d] = rng.integers(150, 255, (FH // 3, d - c, 3), dtype=np.uint8)


def frames(script: Script, fps: int, seed: int, replay_graphic: str = "noise") -> Iterator[np.ndarray]:
    """Every frame of the broadcast, RGB uint8 FW×FH; `replay_graphic` is how replays are wiped in."""
    rng = np.random.default_rng(seed + 104729)
    logo = _logo(seed)
    canvas = _canvas(rng)
    play = _Play(script, fps, rng)
    cut_times = np.array([c for c, _ in script.cuts])
    cut_kinds = [k for _, k in script.cuts]
    replays = [(e.replay, e) for e in script.of("goal") if e.replay]
    roar = np.zeros(play.n)
    for e in script.of("goal", "chance"):
        a, b = int(e.roar_onset * fps), int(e.roar_end * fps)
        roar[a:b] = 1.0
    for i in range(int(script.duration * fps)):
        t = i / fps
        k = int(np.searchsorted(cut_times, t, side="right")) - 1
        kind = cut_kinds[k] if k >= 0 else "wide"
        if kind == "ad":
            spot = int((t - cut_times[k]) / 1.6)
            yield _ad_frame(t - cut_times[k] - spot * 1.6, spot, seed)
            continue
        src, badge = t, False
        if kind in ("replay", "wipe"):
            for (a, b), e in replays:
                if a - 1 <= t <= b + 1:
                    span = b - a
                    src = e.end - (span / 2 - 1.0) + (min(max(t, a), b) - a) * 0.5
                    badge = True
        bx, by, cam, players = play.at(src)
        if kind in ("close", "replay", "wipe"):
            x0 = float(np.clip(bx - FW / 4, 0, CW - FW / 2))
            y0 = float(np.clip(by - FH / 4, 0, FH / 2))
            xi, yi = int(x0), int(y0)
            frame = np.repeat(np.repeat(canvas[yi : yi + FH // 2, xi : xi + FW // 2], 2, axis=0), 2, axis=1)
            _draw_players(frame, players, play.team, xi, yi, 2)
        else:
            xi = int(cam)
            frame = canvas[:, xi : xi + FW].copy()
            if roar[i]:
                frame[:STANDS] = np.roll(frame[:STANDS], int(rng.integers(-2, 3)), axis=1)
            _draw_players(frame, players, play.team, xi, 0, 1)
            bxi, byi = int(bx - xi), int(by)
            frame[max(0, byi - 2) : byi, max(0, bxi) : bxi + 2] = 255
        frame[4:12, 6:50] = (20, 30, 90)
        frame[6:10, 10:46:6] = 255
        if badge:
            frame[4:14, FW - 40 : FW - 6] = (200, 160, 20)
        if kind == "wipe":
            _wipe(frame, (t - cut_times[k]) / 0.6, replay_graphic, rng, logo)
        yield frame
