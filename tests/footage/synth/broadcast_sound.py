"""The sound of a generated broadcast: crowd bed, reactions, chants, whistles, commentator, music.

Levels are dBFS RMS. The crowd bed drifts by several dB over minutes; the commentator talks most
of the time and gets higher, louder and faster in big moments (less so in replays and counters);
an ad break is loud music with a voice-over and no stadium at all. A `SoundVariant` swaps parts
for real recordings (footage/synth/real_sounds.py), a real speech synthesiser (footage/synth/speech_synth.py),
sustained speech or wavering music; with the default variant the track is the original one.
"""

from __future__ import annotations

import numpy as np

from footage.synth import real_sounds, speech_synth
from footage.synth.broadcast_script import Script
from footage.synth.sound import RATE, crowd_noise, db, music, voice_phrase, whistle
from footage.synth.variants import SoundVariant

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


def _crowd(rng: np.random.Generator, n: int, v: SoundVariant, *, bright: bool, kind: str = "cheer") -> np.ndarray:
    if v.crowd == "real":
        return real_sounds.texture(kind, rng, n)
    return crowd_noise(rng, n, bright=bright)


def _bed(out: np.ndarray, duration: float, rng: np.random.Generator, script: Script, v: SoundVariant) -> None:
    """Stadium murmur whose level drifts by several dB, silent during the ad break."""
    n = out.size
    knots = max(3, int(duration / 20))
    walk = np.cumsum(rng.normal(0, 1.0, knots))
    walk = (walk - walk.mean()) / max(np.ptp(walk), 1e-6) * rng.uniform(6.0, 9.0)  # several dB peak to peak
    level = np.interp(np.arange(n) / RATE, np.linspace(0, duration, knots), walk)
    if v.crowd == "real":  # one continuous texture: recorded takes chained with crossfades
        out += real_sounds.texture("bed", rng, n) * db(BED_DB + level)
    else:
        block = RATE * 30
        for a in range(0, n, block):
            b = min(n, a + block)
            out[a:b] += crowd_noise(rng, b - a, bright=False) * db(BED_DB + level[a:b])
    for e in script.of("ad"):
        a, b = int(e.start * RATE), int(e.end * RATE)
        out[a:b] *= 0.0


def _whistle(rng: np.random.Generator, length: float, v: SoundVariant) -> np.ndarray:
    return real_sounds.one_shot("whistle", rng, length + 0.3) if v.crowd == "real" else whistle(rng, length)


def _reactions(out: np.ndarray, rng: np.random.Generator, script: Script, v: SoundVariant) -> None:
    for e in script.of("goal", "chance"):
        length = e.roar_end - e.roar_onset + 2.0
        t = np.arange(int(length * RATE)) / RATE
        rise = e.roar_peak - e.roar_onset
        up = np.clip(t / rise, 0, 1) ** 1.5
        down = np.exp(-np.clip(t - rise, 0, None) / ((e.roar_end - e.roar_peak) / 2.5))
        env = up * down
        gain = db(BED_DB + e.roar_db) * env
        _place(out, e.roar_onset, _crowd(rng, t.size, v, bright=True), gain.astype(np.float32))
        if v.crowd == "real" and e.kind == "chance":  # the "ooh" of a near miss
            _place(out, e.roar_onset, real_sounds.one_shot("ooh", rng), db(BED_DB + e.roar_db - 3))
        if e.whistle:
            a, b = e.whistle
            _place(out, a, _whistle(rng, b - a, v), db(BED_DB + e.roar_db + rng.uniform(-6, -2)))
    for a, b in script.fouls:
        _place(out, a, _whistle(rng, b - a, v), db(BED_DB + rng.uniform(2, 8)))


def _chants(out: np.ndarray, rng: np.random.Generator, script: Script, v: SoundVariant) -> None:
    """A chant: the crowd claps or sings on a steady beat, loud and broadband, over ordinary play."""
    for e in script.of("chant"):
        length = e.end - e.start
        n = int(length * RATE)
        t = np.arange(n) / RATE
        env = np.clip(t / 2.0, 0, 1) * np.clip((length - t) / 2.0, 0, 1)
        if v.crowd == "real":  # recorded chants carry their own rhythm
            _place(out, e.start, real_sounds.texture("chant", rng, n, layers=1), env * db(BED_DB + rng.uniform(9, 13)))
            continue
        bpm = rng.uniform(90, 130)
        beat = 60 / bpm
        pattern = rng.choice([[1, 1, 0, 1, 1, 1, 0, 0], [1, 0, 1, 0, 1, 1, 1, 0], [1, 1, 1, 0, 1, 1, 1, 0]])
        step = (t / (beat / 2)).astype(int) % len(pattern)
        within = (t / (beat / 2)) % 1.0
        pulse = np.asarray(pattern)[step] * np.exp(-within * 4.0)
        loud = db(BED_DB + rng.uniform(9.0, 13.0))
        _place(out, e.start, crowd_noise(rng, n, bright=True), (0.35 + 0.9 * pulse) * env * loud)


def _tune(rng: np.random.Generator, length: float, busy: float, v: SoundVariant) -> np.ndarray:
    if v.music == "real":
        return real_sounds.music(rng, length)
    return music(rng, length, busy=busy, vibrato=v.music == "vibrato")


def _music(out: np.ndarray, rng: np.random.Generator, script: Script, v: SoundVariant) -> None:
    for e in script.of("ad"):
        _place(out, e.start, _tune(rng, e.end - e.start, 1.0, v), db(rng.uniform(-16.0, -13.0)))
    for e in script.of("pa"):
        # Over the crowd (the PA is the loudest thing) or under it (the crowd carries on above it).
        tune = _tune(rng, e.end - e.start, 0.6, v)
        level = rng.uniform(-7.0, -3.0) if v.pa_under_crowd else rng.uniform(3.0, 7.0)
        _place(out, e.start, tune, db(BED_DB + level))
        if v.pa_under_crowd:
            n = int((e.end - e.start) * RATE)
            env = np.clip(np.arange(n) / RATE / 2.0, 0, 1) * np.clip((n / RATE - np.arange(n) / RATE) / 2.0, 0, 1)
            _place(out, e.start, _crowd(rng, n, v, bright=False, kind="bed"), env * db(BED_DB + 2.0))


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
        elif e.kind == "shout":  # shouting over nothing: as excited as a goal, and nobody reacts
            x = np.maximum(x, 1.0 * ((times >= e.start) & (times <= e.end)))
    return x


class _Speaker:
    """One commentator for the whole game: our formant voice (syllabic or legato) or espeak-ng."""

    def __init__(self, rng: np.random.Generator, v: SoundVariant, seed: int) -> None:
        self.f0 = rng.uniform(95, 135)
        self.rate = rng.uniform(3.8, 4.6)
        self.style = v.commentary
        self.words = np.random.default_rng(seed + 4241)  # espeak's choices leave the main draws alone
        self.voice = str(self.words.choice(speech_synth.VOICES))
        self.wpm = self.words.uniform(140, 200)
        self.pitch = self.words.uniform(30, 55)

    def phrase(self, rng: np.random.Generator, length: float, ex: float) -> np.ndarray:
        if self.style == "espeak":
            return speech_synth.phrase(self.words, voice=self.voice, base_wpm=self.wpm, base_pitch=self.pitch,
                                       excitement=ex)  # fmt: skip
        return voice_phrase(rng, length, f0=self.f0, excitement=ex, syllable_rate=self.rate,
                            legato=self.style == "legato")  # fmt: skip


def _commentator(out: np.ndarray, rng: np.random.Generator, script: Script, v: SoundVariant, seed: int) -> None:
    """Phrases of 1–5 s with pauses; pitch, pace and loudness follow the excitement curve."""
    speaker = _Speaker(rng, v, seed)
    silent = [(e.start, e.end) for e in script.of("ad")]
    t = rng.uniform(0.5, 2.0)
    times = np.arange(0, script.duration + 10, 0.25)
    excitement = _excitement(script, times)
    while t < script.duration - 1:
        ex = float(np.interp(t, times, excitement))
        length = rng.uniform(1.0, 4.5) * (1 + 0.4 * ex)
        if not any(a - 1 <= t <= b for a, b in silent):
            phrase = speaker.phrase(rng, length, ex)
            if v.commentary == "espeak":
                length = phrase.size / RATE
            _place(out, t, phrase, db(VOICE_DB + 10.0 * ex + rng.uniform(-1.5, 1.5)))
        pause = rng.uniform(0.3, 1.6) * (1 - 0.6 * ex)
        if v.commentary == "legato":  # a flowing commentator barely breathes between phrases
            pause *= 0.35
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


def broadcast_sound(script: Script, seed: int, variant: SoundVariant | None = None) -> np.ndarray:
    """The mixed mono track at RATE, softly limited to ±1."""
    v = variant or SoundVariant()
    rng = np.random.default_rng(seed + 7919)
    out = np.zeros(int(script.duration * RATE) + 1, dtype=np.float32)
    _bed(out, script.duration, rng, script, v)
    _reactions(out, rng, script, v)
    _chants(out, rng, script, v)
    _music(out, rng, script, v)
    _commentator(out, rng, script, v, seed)
    _ad_voice(out, rng, script)
    np.tanh(out * 1.2, out=out)
    return out
