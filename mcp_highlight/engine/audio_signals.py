"""Audio half of the analysis: loudness, spectral flux and flatness per window, streamed.

The sound is decoded by an ffmpeg process to 16 kHz mono, cut into 50 ms hops and folded into
per-window sums as it arrives: memory stays constant whatever the length.
"""

from __future__ import annotations

import subprocess
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from mcp_highlight.engine.ffmpeg import ffmpeg_exe

RATE = 16_000
HOP = 800  # 50 ms at 16 kHz
NFFT = 1024
BANDS = 24
BATCH_HOPS = 200  # process 10 s of sound at a time


@dataclass
class ReadState:
    """Shared between a reader thread and the thread reporting progress."""

    stop: threading.Event = field(default_factory=threading.Event)
    position_s: float = 0.0
    done: bool = False
    warnings: list[str] = field(default_factory=list)
    error: BaseException | None = None


@dataclass
class AudioWindows:
    """Per-window audio statistics (NaN where no sound was read)."""

    loudness_db: np.ndarray
    flux: np.ndarray
    flatness: np.ndarray


def _band_starts() -> np.ndarray:
    """First rfft bin of each of BANDS log-spaced bands from 100 Hz to 7.5 kHz (for np.add.reduceat).

    Summing contiguous bins with reduceat instead of a matrix product keeps BLAS (and its
    busy-waiting worker threads, which starve the ffmpeg decoder on two cores) out of the loop.
    """
    freqs = np.fft.rfftfreq(NFFT, 1 / RATE)
    starts = np.searchsorted(freqs, np.geomspace(100, 7500, BANDS + 1))
    for i in range(1, starts.size):
        starts[i] = max(starts[i], starts[i - 1] + 1)
    return starts


class AudioAccumulator:
    """Folds mono 16 kHz samples into per-window sums, hop by hop."""

    def __init__(self, n_windows: int, window_s: float, start_s: float = 0.0) -> None:
        self.n = n_windows
        self.window_s = window_s
        self.energy = np.zeros(n_windows)
        self.flux = np.zeros(n_windows)
        self.flat = np.zeros(n_windows)
        self.count = np.zeros(n_windows)
        self.hops_done = 0
        self.start_s = start_s
        self.pending: list[np.ndarray] = []
        self.pending_len = 0
        self.prev_bands: np.ndarray | None = None
        self.window = np.hanning(HOP).astype(np.float32)
        self.band_starts = _band_starts()
        freqs = np.fft.rfftfreq(NFFT, 1 / RATE)
        self.flat_bins = (freqs >= 100) & (freqs <= 6000)

    def feed(self, samples: np.ndarray) -> None:
        self.pending.append(samples)
        self.pending_len += samples.size
        if self.pending_len >= BATCH_HOPS * HOP:
            self._process(final=False)

    def _process(self, final: bool) -> None:
        if not self.pending:
            return
        data = np.concatenate(self.pending)
        k = data.size // HOP
        rest = data[k * HOP :]
        self.pending = [rest] if rest.size else []
        self.pending_len = rest.size
        if k == 0:
            return
        blocks = data[: k * HOP].reshape(k, HOP)
        energy = np.mean(blocks.astype(np.float64) ** 2, axis=1)
        power = np.abs(np.fft.rfft(blocks * self.window, n=NFFT, axis=1)) ** 2 + 1e-12
        logbands = np.log10(np.add.reduceat(power, self.band_starts, axis=1)[:, :BANDS] + 1e-10)
        prev = self.prev_bands if self.prev_bands is not None else logbands[:1]
        diffs = np.diff(np.vstack([prev, logbands]), axis=0)
        flux = np.maximum(diffs, 0).mean(axis=1)
        self.prev_bands = logbands[-1:]
        p = power[:, self.flat_bins]
        flat = np.exp(np.mean(np.log(p), axis=1)) / np.mean(p, axis=1)
        starts = self.start_s + (self.hops_done + np.arange(k)) * (HOP / RATE)
        idx = np.floor(starts / self.window_s).astype(np.int64)
        ok = (idx >= 0) & (idx < self.n)
        idx = idx[ok]
        self.energy += np.bincount(idx, energy[ok], self.n)
        self.flux += np.bincount(idx, flux[ok], self.n)
        self.flat += np.bincount(idx, flat[ok], self.n)
        self.count += np.bincount(idx, None, self.n)
        self.hops_done += k

    def finish(self) -> AudioWindows:
        self._process(final=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            count = np.where(self.count > 0, self.count, np.nan)
            return AudioWindows(
                loudness_db=10 * np.log10(self.energy / count + 1e-10),
                flux=self.flux / count,
                flatness=self.flat / count,
            )


def _widen_pipe(fd: int) -> None:
    """Let ffmpeg run ahead while we compute (Linux: 1 MiB pipe instead of 64 KiB); harmless elsewhere."""
    try:
        import fcntl

        fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), 1 << 20)
    except (ImportError, OSError):
        pass


def read_audio(path: Path, n_windows: int, window_s: float, origin_s: float, state: ReadState) -> AudioWindows:
    """Per-window statistics of the first audio track of `path`; stops when `state.stop` is set.

    Decoding runs in a separate ffmpeg process (a true second core beside the video reader,
    measured faster than PyAV decode + resample in a thread), piping 16 kHz mono float32.
    `aresample=async=1:first_pts=0` pads a late start and any gaps with silence, so sample
    k is always at k/16000 s from the file's start (`origin_s` is already where ffmpeg puts 0).
    """
    acc = AudioAccumulator(n_windows, window_s)
    cmd = [
        ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "error", "-threads", "1",
        "-i", str(path), "-map", "0:a:0", "-vn", "-sn", "-dn",
        "-af", "aresample=async=1:first_pts=0", "-ac", "1", "-ar", str(RATE), "-f", "f32le", "-",
    ]  # fmt: skip
    chunk = RATE * 4 * 5  # five seconds of float32 per read
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=errors, stdin=subprocess.DEVNULL)
        assert proc.stdout is not None
        _widen_pipe(proc.stdout.fileno())
        read = 0
        leftover = b""
        try:
            while not state.stop.is_set():
                data = proc.stdout.read(chunk)
                if not data:
                    break
                data = leftover + data
                usable = len(data) - len(data) % 4
                leftover = data[usable:]
                acc.feed(np.frombuffer(data[:usable], dtype=np.float32))
                read += usable // 4
                state.position_s = read / RATE
        finally:
            if proc.poll() is None and state.stop.is_set():
                proc.kill()
            proc.stdout.close()
            code = proc.wait()
        if code != 0 and not state.stop.is_set():
            errors.seek(0)
            message = errors.read().decode(errors="replace").strip().splitlines()
            state.warnings.append(
                f"The sound could only be read up to {state.position_s:.1f} s"
                + (f" ({message[-1]})." if message else ".")
            )
    return acc.finish()
