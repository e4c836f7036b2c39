"""Sounds for generated test recordings, built from their physics rather than to fit our analysis.

A voice is a glottal pulse train (pitch with intonation and jitter) through vowel formant
resonators, cut into syllables by an amplitude envelope at the speaker's syllable rate. A crowd
is filtered noise. A whistle is a narrow trilled tone. Music is harmonic chords over a steady
beat. Every generator takes a `numpy.random.Generator` so a seed changes every detail.
"""

from __future__ import annotations

import numpy as np
from scipy.signal import butter, sosfilt, sosfilt_zi

RATE = 22_050

VOWELS = np.array(
    [  # F1, F2, F3 in Hz (adult speaker, approximate)
        [730, 1090, 2440],
        [270, 2290, 3010],
        [300, 870, 2240],
        [530, 1840, 2480],
        [570, 840, 2410],
        [660, 1720, 2410],
    ],
    dtype=np.float64,
)


def db(gain_db: float | np.ndarray) -> float | np.ndarray:
    return 10 ** (np.asarray(gain_db) / 20)


def _bandpass(lo: float, hi: float, order: int = 2) -> np.ndarray:
    return butter(order, [lo, min(hi, RATE * 0.45)], btype="bandpass", fs=RATE, output="sos")


def _rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))) if x.size else 0.0


def normalised(x: np.ndarray, level_db: float) -> np.ndarray:
    """`x` scaled to an RMS of `level_db` dBFS."""
    r = _rms(x)
    return (x * (db(level_db) / r)).astype(np.float32) if r > 0 else x.astype(np.float32)


def voice_phrase(
    rng: np.random.Generator,
    duration_s: float,
    *,
    f0: float,
    excitement: float,
    syllable_rate: float = 4.2,
    legato: bool = False,
) -> np.ndarray:
    """One spoken phrase (unit RMS while voiced). Excitement 0..1 raises pitch, pace and effort.

    Loudness is applied by the caller, so a louder excited phrase is the caller's choice.
    `legato` runs the syllables together (the voice never drops to silence inside a phrase), as a
    sustained, flowing commentator does; otherwise each syllable ends in a short silence.
    """
    n = max(1, int(duration_s * RATE))
    t = np.arange(n) / RATE
    rate = syllable_rate * (1 + 0.45 * excitement) * rng.uniform(0.9, 1.1)
    pitch = f0 * (1 + 0.55 * excitement)
    # Intonation: declination over the phrase, a rise on stressed syllables, slow jitter.
    contour = pitch * (1.08 - 0.16 * t / max(duration_s, 1e-3))
    contour *= 1 + (0.06 + 0.1 * excitement) * np.sin(2 * np.pi * rng.uniform(0.6, 1.4) * t + rng.uniform(0, 6))
    contour *= 1 + 0.01 * rng.standard_normal(n).cumsum() / np.sqrt(np.arange(1, n + 1))
    phase = np.cumsum(contour / RATE)
    source = 2 * (phase % 1.0) - 1  # sawtooth: all harmonics, falling 6 dB/octave like a glottal pulse
    # Syllables: each a vowel with its own formants, voiced for ~70 % of its length, sometimes a fricative.
    out = np.zeros(n)
    pos = 0
    while pos < n:
        length = int(RATE / rate * rng.uniform(0.7, 1.3))
        seg = slice(pos, min(n, pos + length))
        m = seg.stop - seg.start
        if m < 32:
            break
        formants = VOWELS[rng.integers(len(VOWELS))] * rng.uniform(0.92, 1.12)
        voiced = np.zeros(m)
        for k, f in enumerate(formants):
            width = 80 + 60 * k
            voiced += sosfilt(_bandpass(max(60, f - width), f + width), source[seg]) * (1.0, 0.6, 0.3)[k]
        if legato:
            env = 0.6 + 0.4 * np.sin(np.pi * np.arange(m) / m) ** 0.6
        else:
            env = np.sin(np.pi * np.clip(np.arange(m) / (0.72 * m), 0, 1)) ** 0.6
        syllable = voiced * env
        if rng.random() < 0.35:  # a consonant: short noise burst before the vowel
            k = min(m, int(0.05 * RATE))
            burst = sosfilt(_bandpass(2500, 7000), rng.standard_normal(k)) * 0.5
            syllable[:k] += burst * np.hanning(k)
        out[seg] += syllable
        pos += length
    out *= np.clip(t / 0.05, 0, 1) * np.clip((duration_s - t) / 0.05, 0, 1)
    return (out / max(_rms(out), 1e-9)).astype(np.float32)


class NoiseBed:
    """Long filtered noise, produced block by block with the filter state carried across blocks."""

    def __init__(self, rng: np.random.Generator, lo: float, hi: float, tilt: float = 0.0) -> None:
        self.rng = rng
        self.sos = _bandpass(lo, hi)
        self.zi = sosfilt_zi(self.sos) * 0.0
        self.tilt = tilt  # one-pole low-pass amount: 0 white-ish, 0.9 dark (far crowd)
        self.last = 0.0

    def block(self, n: int) -> np.ndarray:
        white = self.rng.standard_normal(n)
        if self.tilt:
            coloured = sosfilt(np.array([[1 - self.tilt, 0, 0, 1, -self.tilt, 0]]), white)
            white = coloured / np.sqrt((1 - self.tilt) / (1 + self.tilt))
        y, self.zi = sosfilt(self.sos, white, zi=self.zi)
        return y.astype(np.float32)


def crowd_noise(rng: np.random.Generator, n: int, *, bright: bool = True) -> np.ndarray:
    """Unit-RMS crowd noise: many voices blur into noise; a cheering crowd is brighter."""
    bed = NoiseBed(rng, 250 if bright else 120, 4500 if bright else 2500, tilt=0.3 if bright else 0.7)
    x = bed.block(n)
    # Voices come and go: a slow, irregular (not periodic) shimmer of a few dB.
    k = max(2, n // (RATE // 8))
    shimmer = np.interp(np.arange(n), np.linspace(0, n, k), 1 + 0.25 * rng.standard_normal(k))
    return normalised(x * shimmer, 0.0)


def whistle(rng: np.random.Generator, duration_s: float) -> np.ndarray:
    """A referee's pea whistle: a 2.5–3.8 kHz tone, trilled by the pea at ~30 Hz, unit RMS."""
    n = int(duration_s * RATE)
    t = np.arange(n) / RATE
    f = rng.uniform(2500, 3800) * (1 + 0.015 * np.sin(2 * np.pi * rng.uniform(25, 40) * t))
    tone = np.sin(2 * np.pi * np.cumsum(f) / RATE)
    trill = 0.65 + 0.35 * np.sin(2 * np.pi * rng.uniform(25, 40) * t)
    edge = np.clip(t / 0.02, 0, 1) * np.clip((duration_s - t) / 0.04, 0, 1)
    breath = sosfilt(_bandpass(2000, 5000), rng.standard_normal(n)) * 0.08
    return normalised(tone * trill * edge + breath * edge, 0.0)


def music(rng: np.random.Generator, duration_s: float, *, busy: float = 1.0, vibrato: bool = False) -> np.ndarray:
    """Pop-like music, unit RMS: a kick on every beat, hi-hats, bass and sustained harmonic chords.

    Plain, the chords are steady tones changing every bar; with `vibrato` each note wavers by about
    a quarter tone at 5–6.5 Hz (as a singer's or a string section's does) and the chord changes
    every two beats, so no partial holds still long enough to look like a fixed tone.
    """
    n = int(duration_s * RATE)
    t = np.arange(n) / RATE
    bpm = rng.uniform(100, 132)
    beat = 60 / bpm
    out = np.zeros(n)
    root = rng.uniform(100, 150)
    progression = [0, 5, 7, 3, 8, 10][: rng.integers(3, 6)]
    bar = (2 if vibrato else 4) * beat
    wobble_hz, wobble = (rng.uniform(5.0, 6.5), 0.015) if vibrato else (0.0, 0.0)
    for i, start in enumerate(np.arange(0, duration_s, bar)):
        a, b = int(start * RATE), min(n, int((start + bar) * RATE))
        if b <= a:
            break
        tt = t[a:b] - start
        base = root * 2 ** (progression[i % len(progression)] / 12)
        chord = np.zeros(b - a)
        for step in (0, 4, 7, 12):
            f = base * 2 ** (step / 12) * 2
            # phase of a note whose frequency wavers by ±wobble around f (none for steady tones)
            sway = wobble * f * np.cos(2 * np.pi * wobble_hz * tt + step) / wobble_hz if vibrato else 0.0
            for h in range(1, 6):
                chord += np.sin(2 * np.pi * f * h * tt + h * sway) / h**1.5
        chord *= 0.35 * (1 - 0.3 * tt / bar)
        bass = np.sin(2 * np.pi * base / 2 * tt) * 0.8
        out[a:b] += chord + bass
    kick_len = int(0.18 * RATE)
    kt = np.arange(kick_len) / RATE
    kick = np.sin(2 * np.pi * (55 + 90 * np.exp(-kt * 30)) * kt) * np.exp(-kt * 18) * 2.5
    hat_len = int(0.04 * RATE)
    hat = sosfilt(_bandpass(5000, 10000), rng.standard_normal(hat_len)) * np.exp(-np.arange(hat_len) / (0.01 * RATE))
    for k, start in enumerate(np.arange(0, duration_s, beat / 2)):
        a = int(start * RATE)
        if k % 2 == 0:
            m = min(kick_len, n - a)
            out[a : a + m] += kick[:m]
        if busy > 0.5 or k % 2:
            m = min(hat_len, n - a)
            out[a : a + m] += hat[:m] * 3 * busy
    fade = np.clip(t / 0.3, 0, 1) * np.clip((duration_s - t) / 0.5, 0, 1)
    return normalised(out * fade, 0.0)


def claps(rng: np.random.Generator, duration_s: float, *, people: int = 40) -> np.ndarray:
    """Applause, unit RMS: each person claps at their own rate, so the sum is dense and irregular."""
    n = int(duration_s * RATE)
    out = np.zeros(n)
    clap_len = int(0.012 * RATE)
    clap = np.exp(-np.arange(clap_len) / (0.003 * RATE))
    for _ in range(people):
        period = rng.uniform(0.18, 0.32)
        times = np.arange(rng.uniform(0, period), duration_s, period) + rng.normal(0, 0.012, 1)
        idx = (times * RATE).astype(int)
        idx = idx[(idx >= 0) & (idx < n - clap_len)]
        train = np.zeros(n)
        train[idx] = rng.uniform(0.5, 1.0, idx.size)
        out += np.convolve(train, clap)[:n]
    out = sosfilt(_bandpass(600, 8000), out * rng.standard_normal(n) ** 2)
    t = np.arange(n) / RATE
    env = np.clip(t / 0.4, 0, 1) * np.clip((duration_s - t) / 1.5, 0, 1)
    return normalised(out * env, 0.0)


def laughter(rng: np.random.Generator, duration_s: float, *, people: int = 12) -> np.ndarray:
    """A room laughing, unit RMS: breathy voiced 'ha' bursts at ~5 per second, per person, out of step."""
    n = int(duration_s * RATE)
    out = np.zeros(n)
    t = np.arange(n) / RATE
    for _ in range(people):
        f0 = rng.uniform(150, 320)
        start = rng.uniform(0, 0.6)
        length = rng.uniform(0.5, 1.0) * duration_s
        rate = rng.uniform(4, 6)
        phase = np.cumsum(f0 * (1 - 0.2 * (t - start) / duration_s)) / RATE
        source = (2 * (phase % 1.0) - 1) * 0.6 + 0.4 * rng.standard_normal(n)
        vowel = VOWELS[0] * rng.uniform(0.95, 1.15)
        voiced = sosfilt(_bandpass(vowel[0] - 150, vowel[1] + 200), source)
        bursts = np.clip(np.sin(2 * np.pi * rate * (t - start)), 0, 1) ** 2
        env = ((t > start) & (t < start + length)) * np.exp(-np.clip(t - start, 0, None) / length)
        out += voiced * bursts * env
    return normalised(out, 0.0)
