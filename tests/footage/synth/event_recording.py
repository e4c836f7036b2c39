"""A generated event recording (a wedding reception, a conference session) with ground truth.

One camera on a tripod, slowly reframed now and then. Speeches (a single voice) end in
applause, jokes get laughter, a toast gets cheering; between them the room murmurs, and dance
sets play loud music under flashing lights: the loudest, busiest part of the file and never
what a videographer cuts into a highlight reel of the speeches.

The schedule, the sound and the picture each draw from their own generator, so a `SoundVariant`
(speech: syllabic / legato / espeak-ng; reactions: synthetic / recorded applause and cheers;
music: tones / vibrato / recorded) changes the sound and nothing else.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np

from footage.synth import real_sounds, speech_synth
from footage.synth.encode import encode
from footage.synth.sound import RATE, claps, crowd_noise, db, laughter, music, voice_phrase
from footage.synth.truth import RecordingTruth, TrueMoment, TrueSpan
from footage.synth.variants import SoundVariant

EVENT_VERSION = 2
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


def _speech(rng: np.random.Generator, length: float, f0: float, v: SoundVariant, voice: str) -> np.ndarray:
    if v.commentary == "espeak":
        return speech_synth.phrase(rng, voice=voice, base_wpm=150 + f0 / 5, base_pitch=f0 / 4, excitement=0.1)
    return voice_phrase(rng, length, f0=f0, excitement=0.1, legato=v.commentary == "legato")


def _sound(duration: float, moments, dance, speeches, rng: np.random.Generator, v: SoundVariant) -> np.ndarray:
    n = int(duration * RATE) + 1
    room = real_sounds.texture("bed", rng, n) if v.crowd == "real" else crowd_noise(rng, n, bright=False)
    out = room * db(ROOM_DB + rng.uniform(-2, 2))

    def place(at: float, clip: np.ndarray, gain: float) -> float:
        a = int(at * RATE)
        b = min(n, a + clip.size)
        if 0 <= a < n:
            out[a:b] += clip[: b - a] * gain
        return clip.size / RATE

    laughs = [m for m in moments if m.kind == "laughter"]
    for a, b, f0 in speeches:
        t = a
        voice = str(rng.choice(speech_synth.VOICES))
        while t < b:
            if any(m.peak_s <= t <= m.end_s for m in laughs):  # the speaker waits for the laugh
                t += 0.5
                continue
            length = min(rng.uniform(1.5, 4.0), b - t)
            if length > 0.4:
                length = place(t, _speech(rng, length, f0, v, voice), db(-24 + rng.uniform(-1, 1)))
            t += length + rng.uniform(0.3, 1.2) * (0.35 if v.commentary == "legato" else 1.0)
    for m in moments:
        length = m.end_s - m.peak_s + 0.5
        if m.kind == "laughter":
            place(m.peak_s, laughter(rng, length), db(-25 + rng.uniform(-2, 2)))
            continue
        if v.crowd == "real":  # recorded applause (and cheers), layered into a room's worth
            clapping = real_sounds.texture("applause", rng, int(length * RATE), layers=4) * _fade(int(length * RATE))
        else:
            clapping = claps(rng, length)
        place(m.peak_s, clapping, db(-22 + rng.uniform(-2, 2)))
        if m.kind == "cheer":
            k = int(length * RATE * 0.6)
            real = v.crowd == "real"
            cheer = real_sounds.texture("cheer", rng, k, layers=2) * _fade(k) if real else crowd_noise(rng, k)
            place(m.peak_s, cheer, db(-24))
    for d in dance:
        length = d.end_s - d.start_s
        tune = real_sounds.music(rng, length) if v.music == "real" else music(rng, length, vibrato=v.music == "vibrato")
        place(d.start_s, tune, db(rng.uniform(-13, -10)))
    return np.tanh(out * 1.2).astype(np.float32)


def _fade(n: int) -> np.ndarray:
    """A 0.4 s fade in and 1.5 s fade out over n samples (a count, so it always matches the sound it shapes)."""
    t = np.arange(n) / RATE
    return (np.clip(t / 0.4, 0, 1) * np.clip((n / RATE - t) / 1.5, 0, 1)).astype(np.float32)


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


def event_parts(duration_s: float, seed: int) -> tuple[list[TrueMoment], list[TrueSpan], list[tuple]]:
    return _schedule(duration_s, np.random.default_rng(seed + 31337))


def event_truth(duration_s: float, seed: int) -> RecordingTruth:
    moments, dance, _ = event_parts(duration_s, seed)
    return RecordingTruth(
        kind="event", duration_s=duration_s, moments=sorted(moments, key=lambda m: m.peak_s), not_highlights=dance
    )


def event_track(duration_s: float, seed: int, sound: SoundVariant | None = None) -> np.ndarray:
    """The event's sound for one variant (the picture is the same for every variant)."""
    moments, dance, speeches = event_parts(duration_s, seed)
    return _sound(duration_s, moments, dance, speeches, np.random.default_rng(seed + 31338), sound or SoundVariant())


def event_frames(duration_s: float, seed: int, fps: int = 25) -> Iterator[np.ndarray]:
    moments, dance, _ = event_parts(duration_s, seed)
    return _frames(duration_s, fps, dance, moments, np.random.default_rng(seed + 31339))


def synth_event(
    path: Path,
    *,
    duration_s: float = 300.0,
    size: tuple[int, int] = (1280, 720),
    fps: int = 25,
    keyint_s: float = 1.0,
    seed: int = 0,
    sound: SoundVariant | None = None,
) -> RecordingTruth:
    """Write an event recording to `path` (MP4) and return its truth (also saved next to it)."""
    path = Path(path)
    encode(
        path,
        event_frames(duration_s, seed, fps),
        event_track(duration_s, seed, sound),
        size=size,
        frame_size=(FW, FH),
        fps=fps,
        keyint_s=keyint_s,
        scene_keyframes=False,
    )
    truth = event_truth(duration_s, seed)
    truth.save(path)
    return truth
