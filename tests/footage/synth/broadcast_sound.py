"""The sound of a generated broadcast: crowd bed, reactions, chants, whistles, commentator, music.

Levels are dBFS RMS. The crowd bed drifts by several dB over minutes; the commentator talks most
of the time and gets higher, louder and faster in big moments (less so in replays and counters);
an ad break is loud music with a voice-over and no stadium at all.
"""

from __future__ import annotations

import numpy as np

from footage.synth.broadcast_script import Script
from footage.synth.sound import RATE, crowd_noise, db, music, voice_phrase, whistle

BED_DB = -31.0
VOICE_DB = -23.0


def _place(out: np.ndarray, at_s: float, clip: np.ndarray, gain: float | np.ndarray) -> None:
    a = int(at_s * RATE)
    if a >= out.size or a + clip.size <= 0:
        return
    lo = max(0, -a)
    b = min(out.size, a + clip.size)
    piece = clip[lo : lo + b - max(a, 0)]
    g = gain[lo : lo + piece.size] if isinstance(gain, np.ndarray) else gain
    out[max(a, 0) : b] += piece * g


def _bed(out: np.ndarray, duration: float, rng: np.random.Generator, script: Script) -> None:
    """Stadium murmur whose level drifts by several dB, silent during the ad break."""
    n = out.size
    knots = max(3, int(duration / 20))
    walk = np.cumsum(rng.normal(0, 1.0, knots))
    walk = (walk - walk.mean()) / max(np.ptp(walk), 1e-6) * rng.uniform(6.0, 9.0)  # several dB peak to peak
    level = np.interp(np.arange(n) / RATE, np.linspace(0, duration, knots), walk)
    block = RATE * 30
    for a in range(0, n, block):
        b = min(n, a + block)
        out[a:b] += crowd_noise(rng, b - a, bright=False) * db(BED_DB + level[a:b])
    for e in script.of("ad"):
        a, b = int(e.start * RATE), int(e.end * RATE)
        out[a:b] *= 0.0


def _reactions(out: np.ndarray, rng: np.random.Generator, script: Script) -> None:
    for e in script.of("goal", "chance"):
        length = e.roar_end - e.roar_onset + 2.0
        t = np.arange(int(length * RATE)) / RATE
        rise = e.roar_peak - e.roar_onset
        up = np.clip(t / rise, 0, 1) ** 1.5
        down = np.exp(-np.clip(t - rise, 0, None) / ((e.roar_end - e.roar_peak) / 2.5))
        env = up * down
        gain = db(BED_DB + e.roar_db) * env
        _place(out, e.roar_onset, crowd_noise(rng, t.size, bright=True), gain.astype(np.float32))
        if e.whistle:
            a, b = e.whistle
            _place(out, a, whistle(rng, b - a), db(BED_DB + e.roar_db + rng.uniform(-6, -2)))
    for a, b in script.fouls:
        _place(out, a, whistle(rng, b - a), db(BED_DB + rng.uniform(2, 8)))


def _chants(out: np.ndarray, rng: np.random.Generator, script: Script) -> None:
    """A chant: the crowd claps or sings on a steady beat, loud and broadband, over ordinary play."""
    for e in script.of("chant"):
        length = e.end - e.start
        n = int(length * RATE)
        t = np.arange(n) / RATE
        bpm = rng.uniform(90, 130)
        beat = 60 / bpm
        pattern = rng.choice([[1, 1, 0, 1, 1, 1, 0, 0], [1, 0, 1, 0, 1, 1, 1, 0], [1, 1, 1, 0, 1, 1, 1, 0]])
        step = (t / (beat / 2)).astype(int) % len(pattern)
        within = (t / (beat / 2)) % 1.0
        pulse = np.asarray(pattern)[step] * np.exp(-within * 4.0)
        env = np.clip(t / 2.0, 0, 1) * np.clip((length - t) / 2.0, 0, 1)
        loud = db(BED_DB + rng.uniform(9.0, 13.0))
        _place(out, e.start, crowd_noise(rng, n, bright=True), (0.35 + 0.9 * pulse) * env * loud)


def _music(out: np.ndarray, rng: np.random.Generator, script: Script) -> None:
    for e in script.of("ad"):
        _place(out, e.start, music(rng, e.end - e.start, busy=1.0), db(rng.uniform(-16.0, -13.0)))
    for e in script.of("pa"):
        _place(out, e.start, music(rng, e.end - e.start, busy=0.6), db(BED_DB + rng.uniform(3.0, 7.0)))


def _excitement(script: Script, times: np.ndarray) -> np.ndarray:
    """The commentator's excitement, 0..1, over time."""
    x = np.full(times.size, 0.12)
    for e in script.events:
        if e.kind in ("goal", "chance"):
            top = 1.0 if e.kind == "goal" else 0.7
            build = np.clip((times - e.start) / (e.end - e.start), 0, 1) * (times <= e.end) * 0.5 * top
            after = top * np.exp(-np.clip(times - e.end, 0, None) / (7.0 if e.kind == "goal" else 3.0))
            x = np.maximum(x, np.where(times < e.start, 0, np.where(times <= e.end, build, after)))
            if e.replay:
                a, b = e.replay
                x = np.maximum(x, 0.4 * ((times >= a) & (times <= b)))
        elif e.kind == "counter":
            inside = (times >= e.start) & (times <= e.end)
            x = np.maximum(x, 0.3 * inside)
    return x


def _commentator(out: np.ndarray, rng: np.random.Generator, script: Script) -> None:
    """Phrases of 1–5 s with pauses; pitch, pace and loudness follow the excitement curve."""
    f0 = rng.uniform(95, 135)
    rate = rng.uniform(3.8, 4.6)
    silent = [(e.start, e.end) for e in script.of("ad")]
    t = rng.uniform(0.5, 2.0)
    times = np.arange(0, script.duration + 10, 0.25)
    excitement = _excitement(script, times)
    while t < script.duration - 1:
        ex = float(np.interp(t, times, excitement))
        length = rng.uniform(1.0, 4.5) * (1 + 0.4 * ex)
        if not any(a - 1 <= t <= b for a, b in silent):
            phrase = voice_phrase(rng, length, f0=f0, excitement=ex, syllable_rate=rate)
            _place(out, t, phrase, db(VOICE_DB + 10.0 * ex + rng.uniform(-1.5, 1.5)))
        pause = rng.uniform(0.3, 1.6) * (1 - 0.6 * ex)
        t += length + pause


def _ad_voice(out: np.ndarray, rng: np.random.Generator, script: Script) -> None:
    """Ads talk too: a bright, lively voice-over on top of their music."""
    for e in script.of("ad"):
        f0 = rng.uniform(110, 210)
        t = e.start + rng.uniform(1, 3)
        while t < e.end - 3:
            length = rng.uniform(1.5, 3.5)
            phrase = voice_phrase(rng, length, f0=f0, excitement=0.5, syllable_rate=5.0)
            _place(out, t, phrase, db(-17.0))
            t += length + rng.uniform(0.3, 4.0)


def broadcast_sound(script: Script, seed: int) -> np.ndarray:
    """The mixed mono track at RATE, softly limited to ±1."""
    rng = np.random.default_rng(seed + 7919)
    out = np.zeros(int(script.duration * RATE) + 1, dtype=np.float32)
    _bed(out, script.duration, rng, script)
    _reactions(out, rng, script)
    _chants(out, rng, script)
    _music(out, rng, script)
    _commentator(out, rng, script)
    _ad_voice(out, rng, script)
    np.tanh(out * 1.2, out=out)
    return out
