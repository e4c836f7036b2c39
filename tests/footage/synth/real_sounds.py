"""Real recorded stadium and room sounds from Debian's game packages, mixed into generated footage.

Our own generators draw crowds, whistles and music from their physics; a signal tuned on them can
still fail on the real thing. These recordings (crowd chants, a stadium murmur, goal cheers, an
"ooh", referee whistles, applause and recorded music) ship in Debian packages under the GPL, so
they are installed by `scripts/test` (`apt-get install`, see `PACKAGES`) and never committed.
`MCP_HIGHLIGHT_REAL_SOUNDS` may point at a folder where the packages were unpacked instead
(`dpkg-deb -x pkg.deb DIR`); otherwise they are looked for under `/`.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

import av
import numpy as np
from av.audio.resampler import AudioResampler

from footage.synth.sound import RATE, normalised

PACKAGES = {
    "etw-data": "Eat the Whistle (GPL-2+): stadium murmur, 17 crowd chants, a goal cheer",
    "tuxfootball": "Tux Football (GPL-2+): goal cheer, 'ooh', boos, four referee whistles, music",
    "frozen-bubble-data": "Frozen Bubble (GPL-2): applause, three recorded music tracks",
    "tuxtype-data": "Tux Typing (GPL / public domain): a cheer, three recorded music tracks",
}
_ETW = "usr/share/games/etw"
_TUX = "usr/share/games/tuxfootball/sound"
_FB = "usr/share/games/frozen-bubble/snd"
_TT = "usr/share/tuxtype/sounds"
CATALOGUE: dict[str, list[str]] = {
    "bed": [f"{_ETW}/snd/fondo.wav"],
    "cheer": [f"{_TUX}/crowdcheer.wav", f"{_ETW}/snd/crowd.wav", f"{_TT}/cheer.wav"],
    "ooh": [f"{_TUX}/crowdooh.wav"],
    "boo": [f"{_TUX}/crowdboo.wav", f"{_ETW}/snd/boou.wav"],
    "chant": [f"{_ETW}/crowd/crowd{i:02d}.wav" for i in range(1, 18)],
    "whistle": [f"{_TUX}/refwhistle{k}.wav" for k in ("short", "long", "twice", "end")],
    "applause": [f"{_FB}/applause.ogg"],
    "music": [
        f"{_FB}/frozen-mainzik-1p.ogg", f"{_FB}/frozen-mainzik-2p.ogg", f"{_FB}/introzik.ogg",
        f"{_TUX}/titlemusic.ogg", f"{_TT}/tuxi.ogg", f"{_TT}/amidst_the_raindrops.ogg", f"{_TT}/chiptune2.ogg",
    ],
}  # fmt: skip


class RealSoundsMissing(RuntimeError):
    """The packaged recordings are not installed on this machine."""


def _roots() -> list[Path]:
    extra = os.environ.get("MCP_HIGHLIGHT_REAL_SOUNDS")
    return [Path(extra), Path("/")] if extra else [Path("/")]


def _find(rel: str) -> Path | None:
    return next((root / rel for root in _roots() if (root / rel).is_file()), None)


def missing() -> list[str]:
    """Which sound kinds have no recording on this machine (empty when all are there)."""
    return [kind for kind, files in CATALOGUE.items() if not any(_find(f) for f in files)]


def available() -> bool:
    return not missing()


def why_missing() -> str:
    return (
        f"real recordings missing ({', '.join(missing())}): install the Debian packages "
        f"{' '.join(PACKAGES)} (scripts/test does) or unpack them into $MCP_HIGHLIGHT_REAL_SOUNDS"
    )


@functools.lru_cache(maxsize=64)
def _decode(path: str) -> np.ndarray:
    """A recording as mono float32 at RATE, unit RMS."""
    resampler = AudioResampler(format="flt", layout="mono", rate=RATE)
    parts: list[np.ndarray] = []
    with av.open(path) as container:
        for frame in container.decode(audio=0):
            for out in resampler.resample(frame):
                parts.append(out.to_ndarray().reshape(-1))
    for out in resampler.resample(None):
        parts.append(out.to_ndarray().reshape(-1))
    x = np.concatenate(parts).astype(np.float32)
    x -= x.mean()
    return normalised(x, 0.0)


def recordings(kind: str) -> list[np.ndarray]:
    """Every recording of a kind (unit RMS, mono, RATE); raises RealSoundsMissing if none is installed."""
    found = [p for p in (_find(f) for f in CATALOGUE[kind]) if p is not None]
    if not found:
        raise RealSoundsMissing(why_missing())
    return [_decode(str(p)) for p in found]


def pick(kind: str, rng: np.random.Generator) -> np.ndarray:
    clips = recordings(kind)
    return clips[int(rng.integers(len(clips)))]


def _varied(clip: np.ndarray, rng: np.random.Generator, spread: float) -> np.ndarray:
    """The clip played a little faster or slower (pitch and tempo together), as another take would be."""
    rate = rng.uniform(1 - spread, 1 + spread)
    idx = np.arange(0, clip.size - 1, rate)
    return np.interp(idx, np.arange(clip.size), clip).astype(np.float32)


def texture(kind: str, rng: np.random.Generator, n: int, *, layers: int = 3, spread: float = 0.06) -> np.ndarray:
    """`n` samples of a kind's recordings layered and chained with crossfades: a crowd, not a loop.

    Each layer strings random takes (random start, slightly changed speed) end to end with 50 ms
    crossfades; layers start at different points, so no period of the source survives. Unit RMS.
    """
    out = np.zeros(n, np.float32)
    fade = int(0.05 * RATE)
    for _ in range(layers):
        pos = -int(rng.integers(0, RATE))
        while pos < n:
            clip = _varied(pick(kind, rng), rng, spread)
            start = int(rng.integers(0, max(1, clip.size // 2)))
            piece = clip[start:].copy()
            if piece.size <= 2 * fade:
                piece = clip.copy()
            ramp = np.linspace(0, 1, min(fade, piece.size // 2), dtype=np.float32)
            piece[: ramp.size] *= ramp
            piece[piece.size - ramp.size :] *= ramp[::-1]
            a, b = max(pos, 0), min(n, pos + piece.size)
            if b > a:
                out[a:b] += piece[a - pos : b - pos]
            pos += piece.size - ramp.size
    return normalised(out, 0.0)


def one_shot(kind: str, rng: np.random.Generator, duration_s: float | None = None) -> np.ndarray:
    """One recording of a kind (a whistle, an 'ooh'), trimmed to `duration_s` if given, unit RMS."""
    clip = _varied(pick(kind, rng), rng, 0.04)
    if duration_s is not None:
        clip = clip[: max(1, int(duration_s * RATE))].copy()
        k = min(clip.size // 4, int(0.03 * RATE))
        if k:
            clip[-k:] *= np.linspace(1, 0, k, dtype=np.float32)
    return normalised(clip, 0.0)


def music(rng: np.random.Generator, duration_s: float) -> np.ndarray:
    """`duration_s` of one recorded track from a random point (tracks chained if one is too short)."""
    n = int(duration_s * RATE)
    out = np.zeros(0, np.float32)
    while out.size < n:
        track = pick("music", rng)
        start = int(rng.integers(0, max(1, track.size - n))) if track.size > n else 0
        out = np.concatenate([out, track[start : start + n - out.size]])
    t = np.arange(n) / RATE
    fade = np.clip(t / 0.3, 0, 1) * np.clip((duration_s - t) / 0.5, 0, 1)
    return normalised(out * fade, 0.0)
