"""Audio half of the analysis: loudness, spectral flux and flatness per window, streamed.

The sound is decoded with PyAV, averaged to mono, decimated to about 16 kHz, cut into 50 ms
hops and folded into per-window sums as it arrives: memory stays constant whatever the length.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import av
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from scipy.ndimage import median_filter

from mcp_highlight.engine.judge.speech import CHUNK_S, SpeechThread, per_hop
from mcp_highlight.engine.media import streams

RATE = 16_000
HOP = 800  # 50 ms at 16 kHz (scaled for other rates)
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


HOP_FEATURES = ("energy", "bright", "voicing", "f0", "whistle", "flux", "harmonic", "noise")
"""Per-hop (50 ms) features kept for the whole file (a few MB for two hours): the cues that need
finer time than a window (syllables, a beat, a whistle's length) are read from these. `speech`
(the voice model's probability, NaN where it was not needed) is added at the end."""
PITCH_MIN_HZ, PITCH_MAX_HZ = 70.0, 420.0
HARMONIC_LOW_HZ, HARMONIC_HIGH_HZ = 150.0, 2000.0
"""Partials of chords and melodies; above 2 kHz a referee's whistle would count as a held tone."""
HARMONIC_HOLD_HOPS = 15
"""A partial is held when it stands out in the mean of 0.75 s of log spectra (HPSS's harmonic part,
with a mean in place of the median: a tenth of the cost, and a gliding voice averages out more)."""
NOISE_MIN_HOPS = 20
"""The noise under speech is the minimum of each semitone band over the last 1 s (minimum
statistics, Martin 2001): a voice moves between bands as its pitch and vowels change, so each band
dips to the noise beneath it within a second or so, while a crowd's roar fills every band. 1 s, not
1.5 s: a near miss's "ooh" peaks for a second or two, and a longer minimum cut it by 3-4 dB (issue 15:
broadcast_720's chances measured 5 dB at 1.5 s, 7-8 dB at 1 s; the judgement sweep's recall rose)."""
NOISE_LOW_HZ, NOISE_HIGH_HZ = 150.0, 7000.0
"""...over the whole band a crowd fills, not only the voice's: an excited crowd is bright, and below
2 kHz alone a reaction rose half as much as the sound did (4.5 dB of 9 on broadcast_720's chance at 4:19)."""
HARMONIC_NEIGHBOURS = 7
HARMONIC_PEAK_DB = 6.0
"""...by 6 dB over the median of the 7 semitones around it (noise bands differ by 1-3 dB)."""


@dataclass
class AudioWindows:
    """Per-window audio statistics (NaN where no sound was read), and per-hop features."""

    loudness_db: np.ndarray
    flux: np.ndarray
    flatness: np.ndarray
    hop_s: float = HOP / RATE
    hops: dict[str, np.ndarray] = field(default_factory=dict)
    """HOP_FEATURES, one value per hop from time 0 (NaN where no sound was read)."""


def _semitone_starts(rate: int, nfft: int, low_hz: float, high_hz: float) -> np.ndarray:
    """First rfft bin of each semitone from `low_hz` to `high_hz`, and one past the last
    (low semitones narrower than a bin merge into it)."""
    freqs = np.fft.rfftfreq(nfft, 1 / rate)
    semitones = np.arange(0, 12 * np.log2(high_hz / low_hz) + 1)
    return np.unique(np.searchsorted(freqs, low_hz * 2 ** (semitones / 12)))


def _band_starts(rate: int, nfft: int) -> np.ndarray:
    """First rfft bin of each of BANDS log-spaced bands from 100 Hz to 7.5 kHz (for np.add.reduceat).

    Summing contiguous bins with reduceat instead of a matrix product keeps BLAS (and its
    busy-waiting worker threads, which starve the ffmpeg decoder on two cores) out of the loop.
    """
    freqs = np.fft.rfftfreq(nfft, 1 / rate)
    starts = np.searchsorted(freqs, np.geomspace(100, min(7500, 0.45 * rate), BANDS + 1))
    for i in range(1, starts.size):
        starts[i] = max(starts[i], starts[i - 1] + 1)
    return starts


class AudioAccumulator:
    """Folds mono 16 kHz samples into per-window sums, hop by hop."""

    def __init__(self, n_windows: int, window_s: float, start_s: float = 0.0, rate: int = RATE) -> None:
        self.rate = rate
        self.hop = round(rate * HOP / RATE)
        self.nfft = 1 << (self.hop - 1).bit_length()
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
        self.window = np.hanning(self.hop).astype(np.float32)
        self.power_scale = self.nfft * float(np.sum(self.window.astype(np.float64) ** 2))
        """Parseval: a spectrum's power summed over bins, divided by this, is the hop's mean square."""
        self.band_starts = _band_starts(rate, self.nfft)
        freqs = np.fft.rfftfreq(self.nfft, 1 / rate)
        self.flat_bins = (freqs >= 100) & (freqs <= 6000)
        self.pitch_band = (freqs >= 60) & (freqs <= 1500)
        self.lags = (int(rate / PITCH_MAX_HZ), int(rate / PITCH_MIN_HZ) + 1)
        self.whistle_bins = (freqs >= 2200) & (freqs <= 4200)
        self.total_bins = (freqs >= 150) & (freqs <= min(7500, 0.45 * rate))
        self.bright_bins = (freqs >= 2500) & (freqs <= min(7000, 0.45 * rate))
        self.semitone_starts = _semitone_starts(rate, self.nfft, HARMONIC_LOW_HZ, HARMONIC_HIGH_HZ)
        self.noise_starts = _semitone_starts(rate, self.nfft, NOISE_LOW_HZ, min(NOISE_HIGH_HZ, 0.45 * rate))
        self.prev_semitones: np.ndarray | None = None
        self.prev_smoothed: np.ndarray | None = None
        self.hop_parts: dict[str, list[np.ndarray]] = {name: [] for name in HOP_FEATURES}
        self.first_hop: int | None = None
        self.speech = SpeechThread(rate)

    def feed(self, samples: np.ndarray) -> None:
        self.pending.append(samples)
        self.pending_len += samples.size
        if self.pending_len >= BATCH_HOPS * self.hop:
            self._process(final=False)

    def _process(self, final: bool) -> None:
        if not self.pending:
            return
        data = np.concatenate(self.pending)
        k = data.size // self.hop
        rest = data[k * self.hop :]
        self.pending = [rest] if rest.size else []
        self.pending_len = rest.size
        if k == 0:
            return
        blocks = data[: k * self.hop].reshape(k, self.hop)
        self.speech.feed(blocks.reshape(-1))
        energy = np.einsum("ij,ij->i", blocks, blocks, dtype=np.float64) / self.hop
        power = np.abs(np.fft.rfft(blocks * self.window, n=self.nfft, axis=1)) ** 2 + 1e-12
        logbands = np.log10(np.add.reduceat(power, self.band_starts, axis=1)[:, :BANDS] + 1e-10)
        prev = self.prev_bands if self.prev_bands is not None else logbands[:1]
        diffs = np.diff(np.vstack([prev, logbands]), axis=0)
        flux = np.maximum(diffs, 0).mean(axis=1)
        self.prev_bands = logbands[-1:]
        p = power[:, self.flat_bins]
        flat = np.exp(np.mean(np.log(p), axis=1)) / np.mean(p, axis=1)
        self._hop_features(power, energy, flux)
        starts = self.start_s + (self.hops_done + np.arange(k)) * (self.hop / self.rate)
        idx = np.floor(starts / self.window_s).astype(np.int64)
        ok = (idx >= 0) & (idx < self.n)
        idx = idx[ok]
        self.energy += np.bincount(idx, energy[ok], self.n)
        self.flux += np.bincount(idx, flux[ok], self.n)
        self.flat += np.bincount(idx, flat[ok], self.n)
        self.count += np.bincount(idx, None, self.n)
        self.hops_done += k

    def _hop_features(self, power: np.ndarray, energy: np.ndarray, flux: np.ndarray) -> None:
        """Voicing and pitch (autocorrelation of the low band), whistle peakiness, held partials."""
        if self.first_hop is None:
            self.first_hop = round(self.start_s / (self.hop / self.rate))
        low = np.where(self.pitch_band, power, 0.0)
        ac = np.fft.irfft(low, n=self.nfft, axis=1)
        a, b = self.lags
        norm = ac[:, :b] / np.maximum(ac[:, :1], 1e-12)
        # A period is a peak after a dip: low-pass noise (a distant crowd, wind) has a high but
        # falling autocorrelation and no dip, so it measures as unvoiced.
        seg = norm[:, a:b] - np.minimum.accumulate(norm[:, 1:b], axis=1)[:, a - 1 :]
        best = seg.max(axis=1)
        # The shortest lag nearly as strong as the best: the period, not a multiple of it.
        lag = np.argmax(seg >= 0.9 * best[:, None], axis=1) + a
        band = power[:, self.whistle_bins]
        peak = np.max(band[:, 1:-1] + band[:, :-2] + band[:, 2:], axis=1)
        whistle = peak / power[:, self.total_bins].sum(axis=1)
        parts = self.hop_parts
        parts["energy"].append(energy.astype(np.float32))
        parts["bright"].append((power[:, self.bright_bins].sum(axis=1) / self.nfft**2).astype(np.float32))
        parts["voicing"].append(best.astype(np.float32))
        parts["f0"].append((self.rate / lag).astype(np.float32))
        parts["whistle"].append(whistle.astype(np.float32))
        parts["flux"].append(flux.astype(np.float32))
        logs = 10 * np.log10(np.add.reduceat(power, self.semitone_starts, axis=1)[:, :-1] + 1e-12)
        parts["harmonic"].append(self._harmonic(logs))
        noise_logs = 10 * np.log10(np.add.reduceat(power, self.noise_starts, axis=1)[:, :-1] + 1e-12)
        parts["noise"].append(self._noise(noise_logs))

    def _noise(self, logs: np.ndarray) -> np.ndarray:
        """dB of the noise beneath any voice: per semitone band, the minimum over the last NOISE_MIN_HOPS
        of its level (each averaged with the hop before), summed over the bands. Causal: read it
        NOISE_MIN_HOPS / 2 hops late (sound_cues does)."""
        keep = NOISE_MIN_HOPS
        history = logs if self.prev_smoothed is None else np.vstack([self.prev_smoothed, logs])
        if len(history) < len(logs) + keep:
            history = np.vstack([np.repeat(history[:1], len(logs) + keep - len(history), axis=0), history])
        self.prev_smoothed = history[-keep:]
        smoothed = (history[1:] + history[:-1]) / 2
        lowest = sliding_window_view(smoothed[-len(logs) - keep + 1 :], keep, axis=0).min(axis=2)
        power = np.sum(10 ** (lowest / 10), axis=1) / self.power_scale  # mean square, as `energy`
        return (10 * np.log10(power + 1e-12)).astype(np.float32)

    def _harmonic(self, logs: np.ndarray) -> np.ndarray:
        """Share of the sound in partials held for HARMONIC_HOLD_HOPS, on a semitone scale: a vibrato
        (under a semitone) stays in its band and a chord held half a second is held, while speech
        glides and changes vowel and noise has no partials. Carries its history across batches."""
        keep = HARMONIC_HOLD_HOPS - 1
        history = logs if self.prev_semitones is None else np.vstack([self.prev_semitones, logs])
        if len(history) < len(logs) + keep:
            history = np.vstack([np.repeat(history[:1], len(logs) + keep - len(history), axis=0), history])
        self.prev_semitones = history[-keep:]
        held = sliding_window_view(history, HARMONIC_HOLD_HOPS, axis=0).mean(axis=2)
        peak = held - median_filter(held, size=(1, HARMONIC_NEIGHBOURS), mode="nearest") >= HARMONIC_PEAK_DB
        power_held = 10 ** (held / 10)
        return (np.sum(power_held * peak, axis=1) / np.maximum(power_held.sum(axis=1), 1e-12)).astype(np.float32)

    def _hops(self) -> dict[str, np.ndarray]:
        n = max(0, round(self.n * self.window_s / (self.hop / self.rate)))
        out = {}
        for name, parts in self.hop_parts.items():
            values = np.full(n, np.nan, np.float32)
            if parts and self.first_hop is not None:
                data = np.concatenate(parts)[: max(0, n - self.first_hop)]
                values[self.first_hop : self.first_hop + data.size] = data
            out[name] = values
        out["speech"] = np.full(n, np.nan, np.float32)
        probs = self.speech.finish()
        if probs.size and self.first_hop is not None:
            hop_s = self.hop / self.rate
            m = max(0, min(n - self.first_hop, int(probs.size * CHUNK_S / hop_s)))
            out["speech"][self.first_hop : self.first_hop + m] = per_hop(probs, hop_s, m)
        return out

    def finish(self) -> AudioWindows:
        self._process(final=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            count = np.where(self.count > 0, self.count, np.nan)
            return AudioWindows(
                loudness_db=10 * np.log10(self.energy / count + 1e-10),
                flux=self.flux / count,
                flatness=self.flat / count,
                hop_s=self.hop / self.rate,
                hops=self._hops(),
            )


_DTYPES: dict[str, tuple[type[np.generic], float, float]] = {
    # sample format -> (dtype, offset, scale) mapping stored samples onto -1..1
    "flt": (np.float32, 0.0, 1.0),
    "dbl": (np.float64, 0.0, 1.0),
    "s16": (np.int16, 0.0, 1 / 32768),
    "s32": (np.int32, 0.0, 1 / 2**31),
    "u8": (np.uint8, -128.0, 1 / 128),
}


def mono_samples(frame: av.AudioFrame) -> np.ndarray:
    """The frame's channels averaged into one float array, read straight from its planes."""
    fmt = frame.format
    dtype, offset, scale = _DTYPES[fmt.name.rstrip("p")]
    samples = frame.samples
    channels = max(1, len(frame.layout.channels))
    if fmt.is_planar:
        total = np.frombuffer(frame.planes[0], dtype, samples).astype(np.float32)
        for plane in frame.planes[1:channels]:
            total += np.frombuffer(plane, dtype, samples)
        mono = total / channels
    else:
        mono = np.frombuffer(frame.planes[0], dtype, samples * channels).reshape(samples, channels).mean(axis=1)
    if offset or scale != 1.0:
        mono = (mono + offset) * scale
    return mono.astype(np.float32, copy=False)


def _fltp_mono(frame: av.AudioFrame) -> np.ndarray:
    """mono_samples for planar float (what AAC and Opus decode to), with as few steps as possible:
    this runs once per 1024 samples, so its Python overhead shows in the analysis time."""
    n = frame.samples
    planes = frame.planes
    first = np.frombuffer(planes[0], np.float32, n)
    if len(planes) == 1:
        return first
    total = first + np.frombuffer(planes[1], np.float32, n)
    for plane in planes[2:]:
        total += np.frombuffer(plane, np.float32, n)
    total *= 1.0 / len(planes)
    return total


def _decimate(data: np.ndarray, factor: int) -> np.ndarray:
    """Means of `factor` consecutive samples, summed column by column (a mean over a short last
    axis is several times slower in NumPy)."""
    if factor == 1:
        return data
    columns = data.reshape(-1, factor)
    total = columns[:, 0].copy()
    for j in range(1, factor):
        total += columns[:, j]
    total *= np.float32(1 / factor)
    return total


def _decode(
    container: av.container.InputContainer,
    stream: av.audio.stream.AudioStream,
    origin_s: float,
    state: ReadState,
    take: Callable[[av.AudioFrame], None],
) -> int:
    """Every frame of `stream`, in order, to `take`, until the end or `state.stop`; the number of
    damaged packets skipped. An error that ends the stream early becomes a warning."""
    bad_packets = 0
    try:
        for count, packet in enumerate(container.demux(stream)):
            if state.stop.is_set():
                break
            try:
                frames = stream.decode(packet)
            except streams.DAMAGED_DATA_ERRORS:
                bad_packets += 1
                continue
            for frame in frames:
                take(frame)
            if count % 256 == 0 and packet.pts is not None and packet.time_base is not None:
                state.position_s = float(packet.pts * packet.time_base) - origin_s
        if not state.stop.is_set():
            for frame in stream.decode(None):
                take(frame)
    except av.error.FFmpegError as exc:
        state.warnings.append(f"The sound could only be read up to {state.position_s:.1f} s ({exc}).")
    return bad_packets


def read_audio(path: Path, n_windows: int, window_s: float, origin_s: float, state: ReadState) -> AudioWindows:
    """Per-window statistics of the first audio track of `path`; stops when `state.stop` is set.

    Decoded in this process with PyAV (the decoder releases the GIL, so it overlaps the video
    reader's thread). Measured on a 2-hour 1080p AAC game on 2 cores: 9.5 s for the whole
    analysis, against 14 s when an ffmpeg subprocess decoded and resampled the sound.
    Channels are averaged and the rate decimated by an integer factor (48 kHz -> 16 kHz) with
    a block mean: crude anti-aliasing, ample for loudness and band-energy changes.
    """
    acc: AudioAccumulator | None = None
    rate, factor = RATE, 1
    pending: list[np.ndarray] = []
    pending_len = 0

    def push(final: bool = False) -> None:
        nonlocal pending, pending_len
        if acc is None or not pending:
            return
        data = np.concatenate(pending)
        usable = data.size - data.size % factor
        pending = [data[usable:]] if usable < data.size and not final else []
        pending_len = data.size - usable if pending else 0
        acc.feed(_decimate(data[:usable], factor))

    def take(frame: av.AudioFrame) -> None:
        nonlocal acc, pending_len
        if acc is None:
            start = max(0.0, (frame.time or 0.0) - origin_s)
            acc = AudioAccumulator(n_windows, window_s, start_s=start, rate=rate // factor)
        pending.append(_fltp_mono(frame) if frame.format.name == "fltp" else mono_samples(frame))
        pending_len += frame.samples
        if pending_len >= rate * 5:
            push()

    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            stream = streams.main_audio(container) or container.streams.audio[0]
            streams.read_only(container, stream)
            rate = stream.codec_context.sample_rate or RATE
            factor = max(1, rate // RATE) if rate % max(1, rate // RATE) == 0 else 1
            bad_packets = _decode(container, stream, origin_s, state, take)
        push(final=True)
    except BaseException:
        if acc is not None:
            acc.speech.close()  # the model's thread ends with the reader's
        raise
    if bad_packets:
        state.warnings.append(f"{bad_packets} damaged audio packets were skipped.")
    return (acc or AudioAccumulator(n_windows, window_s)).finish()
