"""A real speech synthesiser as the commentator: espeak-ng (Debian package `espeak-ng`).

Our own voice model is a pulse train through formant filters; a voice-activity or pitch signal
tuned on it may not hold for a real voice. espeak-ng speaks generated commentary lines in several
voices at several rates, and gets faster, higher and louder with the excitement, as a commentator
does. `scripts/test` installs it; `available()` says whether it is there.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import tempfile

import numpy as np
import scipy.io.wavfile

from footage.synth.sound import RATE, normalised

VOICES = ("en-gb", "en-us", "en-gb-scotland", "en-gb-x-rp", "en-us+m3", "en-gb+m7", "en+f3", "en-us+f4")
_WORDS = {
    "who": ["Silva", "the captain", "Okafor", "the number nine", "Martinez", "young Hansen", "the full back", "Kowalski"],
    "calm": ["plays it sideways", "keeps the ball", "looks for a pass", "goes back to the keeper", "takes a touch",
             "switches the play", "waits for support", "finds his midfield"],
    "rising": ["drives forward", "beats one man", "goes down the line", "cuts inside", "is through on goal",
               "has a chance here"],
    "peak": ["and he scores", "what a goal", "it's in", "unbelievable", "oh what a strike", "goal goal goal",
             "he's done it", "magnificent"],
    "tail": ["in the first half", "on the left", "in the middle of the park", "just now", "once again",
             "for the home side"],
}  # fmt: skip


def available() -> bool:
    return shutil.which("espeak-ng") is not None


def line(rng: np.random.Generator, excitement: float) -> str:
    """A commentary line whose words fit the excitement (calm passing … a goal)."""
    who = rng.choice(_WORDS["who"])
    if excitement > 0.75:
        return f"{rng.choice(_WORDS['peak'])}! {who} {rng.choice(_WORDS['peak'])}!"
    if excitement > 0.35:
        return f"{who} {rng.choice(_WORDS['rising'])}, {rng.choice(_WORDS['rising'])}"
    return f"{who} {rng.choice(_WORDS['calm'])} {rng.choice(_WORDS['tail'])}"


@functools.lru_cache(maxsize=2048)
def _speak(text: str, voice: str, wpm: int, pitch: int) -> np.ndarray:
    with tempfile.NamedTemporaryFile(suffix=".wav") as wav:
        cmd = ["espeak-ng", "-v", voice, "-s", str(wpm), "-p", str(pitch), "-w", wav.name, text]
        subprocess.run(cmd, capture_output=True, check=True)
        rate, x = scipy.io.wavfile.read(wav.name)
    x = x.astype(np.float32) / 32768.0
    if rate != RATE:
        x = np.interp(np.arange(0, x.size, rate / RATE), np.arange(x.size), x).astype(np.float32)
    nz = np.flatnonzero(np.abs(x) > 1e-3)
    return x[nz[0] : nz[-1] + 1] if nz.size else x


def settings(base_wpm: float, base_pitch: float, excitement: float) -> tuple[int, int]:
    """espeak-ng's rate (words a minute) and pitch (0–99) for an excitement: +40 % and +35 at the top."""
    return int(base_wpm * (1 + 0.4 * excitement)), int(min(99, base_pitch + 35 * excitement))


def speak(text: str, voice: str, wpm: int, pitch: int) -> np.ndarray:
    """`text` spoken by espeak-ng, mono at RATE, leading and trailing silence cut, unit RMS."""
    return normalised(_speak(text, voice, wpm, pitch), 0.0)


def phrase(rng: np.random.Generator, *, voice: str, base_wpm: float, base_pitch: float, excitement: float) -> np.ndarray:
    """One spoken commentary line (unit RMS) whose words, pace and pitch follow the excitement."""
    return speak(line(rng, excitement), voice, *settings(base_wpm, base_pitch, excitement))
