"""A generated event recording (a wedding reception, a conference session) with ground truth.

One camera on a tripod, slowly reframed now and then. Speeches (a single voice) end in
applause, jokes get laughter, a toast gets cheering; between them the room murmurs, and dance
sets play loud music under flashing lights: the loudest, busiest part of the file and never
what a videographer cuts into a highlight reel of the speeches.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np

from footage.synth.encode import encode
from footage.synth.sound import RATE, claps, crowd_noise, db, laughter, music, voice_phrase
from footage.synth.truth import RecordingTruth, TrueMoment, TrueSpan

EVENT_VERSION = 1
FW, FH = 256, 144
ROOM_DB = -42.0


def _schedule(duration: float, rng: np.random.Generator) -> tuple[list[TrueMoment], list[TrueSpan], list[tuple]]:
    """Speeches with their laughs and applause, dance sets, a toast; returns truth and speech spans."""
    moments: list[TrueMoment] = []
    dance: list[TrueSpan] = []
    speeches: list[tuple[float, float, float]] = []  # start, end, speaker f0
    t = rng.uniform(4, 10)
    n_dance = max(1, int(duration // 150))
    dance_at = set(rng.choice(np.arange(1, 2 + n_dance * 2), n_dance, replace=False).tolist())
    block = 0
    while t < duration - 40:
        block += 1
        if block in dance_at:
            length = min(rng.uniform(35, 70), duration - t - 5)
            dance.append(TrueSpan(kind="dance_music", start_s=t, end_s=t + length))
            t += length + rng.uniform(3, 8)
            continue
        length = rng.uniform(25, 50)
        f0 = rng.uniform(95, 210)
        speeches.append((t, t + length, f0))
        for _ in range(rng.integers(1, 3)):  # a joke lands somewhere in the speech
            at = t + rng.uniform(5, length - 6)
            if all(abs(at - m.peak_s) > 8 for m in moments):
                moments.append(
                    TrueMoment(kind="laughter", start_s=at - 3, peak_s=at, end_s=at + rng.uniform(2.5, 4), grade=0.6)
                )
        end = t + length
        kind = "cheer" if rng.random() < 0.3 else "applause"
        clap_len = rng.uniform(5, 9)
        moments.append(
            TrueMoment(kind=kind, start_s=end - 3, peak_s=end + 0.5, end_s=end + clap_len, grade=0.9)  # type: ignore[arg-type]
        )
        t = end + clap_len + rng.uniform(4, 12)
    return moments, dance, speeches


def _sound(duration: float, moments, dance, speeches, rng: np.random.Generator) -> np.ndarray:
    n = int(duration * RATE) + 1
    out = crowd_noise(rng, n, bright=False) * db(ROOM_DB + rng.uniform(-2, 2))

    def place(at: float, clip: np.ndarray, gain: float) -> None:
        a = int(at * RATE)
        b = min(n, a + clip.size)
        if 0 <= a < n:
            out[a:b] += clip[: b - a] * gain

    laughs = [m for m in moments if m.kind == "laughter"]
    for a, b, f0 in speeches:
        t = a
        while t < b:
            if any(m.peak_s <= t <= m.end_s for m in laughs):  # the speaker waits for the laugh
                t += 0.5
                continue
            length = min(rng.uniform(1.5, 4.0), b - t)
            if length > 0.4:
                place(t, voice_phrase(rng, length, f0=f0, excitement=0.1), db(-24 + rng.uniform(-1, 1)))
            t += length + rng.uniform(0.3, 1.2)
    for m in moments:
        length = m.end_s - m.peak_s + 0.5
        if m.kind == "laughter":
            place(m.peak_s, laughter(rng, length), db(-25 + rng.uniform(-2, 2)))
        else:
            place(m.peak_s, claps(rng, length), db(-22 + rng.uniform(-2, 2)))
            if m.kind == "cheer":
                place(m.peak_s, crowd_noise(rng, int(length * RATE * 0.6)), db(-24))
    for d in dance:
        place(d.start_s, music(rng, d.end_s - d.start_s, busy=1.0), db(rng.uniform(-13, -10)))
    return np.tanh(out * 1.2).astype(np.float32)


def _frames(duration: float, fps: int, dance, moments, rng: np.random.Generator) -> Iterator[np.ndarray]:
    room = np.zeros((FH * 2, FW * 2, 3), np.int16)
    room[:] = (70, 55, 45)
    room[: FH // 2] = (110, 100, 90)
    room += rng.integers(-5, 6, (FH * 2, FW * 2, 1))
    heads = rng.integers(0, FW * 2, (60, 1)), rng.integers(FH, FH * 2 - 8, (60, 1))
    for x, y in zip(*heads, strict=True):
        room[y[0] : y[0] + 8, x[0] : x[0] + 6] = rng.integers(20, 200, 3)
    room = np.clip(room, 0, 255).astype(np.uint8)
    knots = np.linspace(0, duration, max(3, int(duration / 20)))
    cam_x = np.interp(np.arange(int(duration * fps)) / fps, knots, rng.uniform(0, FW, knots.size))
    clapping = [(m.peak_s, m.end_s) for m in moments if m.kind != "laughter"]
    for i in range(int(duration * fps)):
        t = i / fps
        x = int(cam_x[i])
        frame = room[FH // 2 : FH // 2 + FH, x : x + FW].copy()
        frame[20:70, FW // 2 - 6 : FW // 2 + 6] = (30, 30, 40)  # the speaker at the lectern
        frame[14:22, FW // 2 - 4 + int(2 * np.sin(t)) : FW // 2 + 4 + int(2 * np.sin(t))] = (220, 180, 150)
        if any(a <= t <= b for a, b in clapping):
            frame[FH - 60 :] = np.roll(frame[FH - 60 :], int(rng.integers(-2, 3)), axis=0)
        if any(d.start_s <= t <= d.end_s for d in dance):
            frame[:] = (frame * 0.3).astype(np.uint8)
            for _ in range(8):
                cx, cy = rng.integers(0, FW), rng.integers(0, FH)
                frame[max(0, cy - 10) : cy + 10, max(0, cx - 10) : cx + 10] = rng.integers(0, 255, 3)
        yield frame


def synth_event(
    path: Path,
    *,
    duration_s: float = 300.0,
    size: tuple[int, int] = (1280, 720),
    fps: int = 25,
    keyint_s: float = 1.0,
    seed: int = 0,
) -> RecordingTruth:
    """Write an event recording to `path` (MP4) and return its truth (also saved next to it)."""
    path = Path(path)
    rng = np.random.default_rng(seed + 31337)
    moments, dance, speeches = _schedule(duration_s, rng)
    sound = _sound(duration_s, moments, dance, speeches, rng)
    encode(
        path,
        _frames(duration_s, fps, dance, moments, rng),
        sound,
        size=size,
        frame_size=(FW, FH),
        fps=fps,
        keyint_s=keyint_s,
        scene_keyframes=False,
    )
    truth = RecordingTruth(
        kind="event", duration_s=duration_s, moments=sorted(moments, key=lambda m: m.peak_s), not_highlights=dance
    )
    truth.save(path)
    return truth
