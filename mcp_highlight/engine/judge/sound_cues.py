"""What a broadcast's sound says, per window, from the 50 ms hop features of `audio_signals`.

- **crowd**: the level *between* syllables (a low percentile over a second), in dB above its own
  slow baseline. Commentary comes and goes; a crowd's roar fills the gaps, so the floor rises
  with the crowd and hardly with the voice. A drifting bed moves the baseline, not the cue.
- **periodic**: how regularly the level above 2.5 kHz pulses at 0.3–2.5 s (autocorrelation of
  the detrended envelope over 8 s, a peak after a dip): chants and a band's beat do, a roar does not.
- **music**: sustained partials (the fine structure of the spectrum 200 and 350 ms later still
  matches) held over seconds, more so on a steady beat: ads, PA, dance sets. Voices glide and
  change vowels, noise has no partials, so speech, laughter and crowds stay low.
- **voice**: the commentator's excitement: pitch (semitones), loudness and syllable rate of voiced
  hops against the speaker's own running baseline.
- **whistle**: a narrow 2–4 kHz tone held for a quarter second or more.

Every threshold is in `constants`, with where its value came from.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from scipy.ndimage import maximum_filter1d, median_filter, minimum_filter1d, percentile_filter, uniform_filter1d

from mcp_highlight.engine.judge import constants as C

NO_SOUND_DB = -100.0


@dataclass
class SoundCues:
    crowd_db: np.ndarray
    periodic: np.ndarray
    music: np.ndarray
    voice: np.ndarray
    voice_parts: dict[str, np.ndarray]
    whistle: np.ndarray


def fill_gaps(x: np.ndarray, default: float) -> np.ndarray:
    """Replace NaN (windows with no data) by linear interpolation, or `default` if all are NaN."""
    x = np.asarray(x, dtype=np.float64)
    ok = np.isfinite(x)
    if not ok.any():
        return np.full_like(x, default)
    if ok.all():
        return x
    idx = np.arange(x.size)
    return np.interp(idx, idx[ok], x[ok])


def _per_window(x: np.ndarray, per: int, n: int, how: str = "mean") -> np.ndarray:
    """Fold hop values into n windows of `per` hops (NaN-aware); missing windows are NaN."""
    m = min(n * per, x.size - x.size % per)
    out = np.full(n, np.nan)
    if m <= 0:
        return out
    blocks = x[:m].reshape(-1, per)
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        folded = np.nanmedian(blocks, axis=1) if how == "median" else np.nanmean(blocks, axis=1)
    out[: folded.size] = folded
    return out


def _baseline(x: np.ndarray, size: int, pct: float) -> np.ndarray:
    size = max(3, min(size, x.size) | 1)
    return percentile_filter(x, pct, size=size, mode="nearest")


def crowd_rise(db_hop: np.ndarray, hop_s: float, per: int, n: int, window_s: float) -> np.ndarray:
    floor = percentile_filter(db_hop, C.FLOOR_PERCENTILE, size=max(3, round(C.FLOOR_S / hop_s)), mode="nearest")
    level = fill_gaps(_per_window(floor, per, n), NO_SOUND_DB)
    return level - _baseline(level, round(C.BASELINE_S / window_s), C.CROWD_BASELINE_PERCENTILE)


def periodicity(db_hop: np.ndarray, hop_s: float, per: int, n: int) -> np.ndarray:
    """0..1 per window: the strongest normalised autocorrelation of the level's pulses at 0.3–1.2 s."""
    env = db_hop - uniform_filter1d(db_hop, size=max(3, round(C.PERIOD_DETREND_S / hop_s)), mode="nearest")
    span = round(C.PERIOD_WINDOW_S / hop_s)
    if env.size < span + 2:
        return np.zeros(n)
    frames = sliding_window_view(env, span)[::per]
    frames = frames - frames.mean(axis=1, keepdims=True)
    nfft = 1 << (2 * span - 1).bit_length()
    spec = np.fft.rfft(frames, n=nfft, axis=1)
    ac = np.fft.irfft(np.abs(spec) ** 2, n=nfft, axis=1)[:, :span]
    ac /= np.maximum(ac[:, :1], 1e-9)
    lo, hi = round(C.PERIOD_LAGS_S[0] / hop_s), round(C.PERIOD_LAGS_S[1] / hop_s)
    # A repeat is a peak after a dip, as for pitch: a slow swell has neither.
    rise = ac[:, lo:hi] - np.minimum.accumulate(ac[:, 1:hi], axis=1)[:, lo - 1 :]
    best = np.clip(rise.max(axis=1) / 2, 0, 1)
    out = np.zeros(n)
    offset = span // (2 * per)  # centre each analysis span on its window
    m = min(n - offset, best.size)
    out[offset : offset + m] = best[:m]
    if offset:
        out[:offset] = best[0]
    if offset + m < n:
        out[offset + m :] = best[m - 1]
    return out


def music_score(stability: np.ndarray, periodic: np.ndarray, per: int, n: int, window_s: float) -> np.ndarray:
    w = fill_gaps(_per_window(stability, per, n), 0.0)
    # Tonal for 1.5 s on end (longer than any vowel or laugh), then widened to cover its own edges.
    sustained = minimum_filter1d(w, size=max(1, round(C.MUSIC_SUSTAIN_S / window_s)), mode="nearest")
    held = maximum_filter1d(sustained, size=max(1, round(C.MUSIC_EDGE_S / window_s)), mode="nearest")
    tonal = np.clip((held - C.MUSIC_FROM) / C.MUSIC_SPAN, 0, 1)
    beat = np.clip((periodic - C.BEAT_FROM) / C.BEAT_SPAN, 0, 1)
    return np.clip(tonal + C.BEAT_MUSIC_SHARE * beat * np.clip(held / C.MUSIC_FROM, 0, 1), 0, 1)


def voice_excitement(
    voicing: np.ndarray, f0: np.ndarray, db_hop: np.ndarray, hop_s: float, per: int, n: int, window_s: float
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    voiced = voicing >= C.VOICED
    semis = np.where(voiced, 12 * np.log2(np.maximum(f0, 1.0) / 100.0), np.nan)
    loud = np.where(voiced, db_hop, np.nan)
    onsets = np.zeros(voicing.size)
    onsets[1:] = voiced[1:] & ~voiced[:-1]
    pitch_w = _per_window(semis, per, n, "median")
    loud_w = _per_window(loud, per, n, "median")
    share = fill_gaps(_per_window(voiced.astype(float), per, n), 0.0)
    two_s = max(1, round(C.VOICE_SPAN_S / window_s))
    rate_w = uniform_filter1d(fill_gaps(_per_window(onsets, per, n), 0.0) / hop_s, size=two_s)
    talking = uniform_filter1d(share, size=two_s) > C.TALKING_SHARE
    base_w = round(C.BASELINE_S / window_s)
    pitch = fill_gaps(pitch_w, 0.0)
    loud_f = fill_gaps(loud_w, NO_SOUND_DB)
    pitch_up = pitch - median_filter(pitch, size=max(3, base_w | 1), mode="nearest")
    loud_up = loud_f - median_filter(loud_f, size=max(3, base_w | 1), mode="nearest")
    rate_base = median_filter(rate_w, size=max(3, base_w | 1), mode="nearest")
    rate_up = rate_w / np.maximum(rate_base, C.RATE_BASE_MIN) - 1
    smooth = max(1, round(C.VOICE_SMOOTH_S / window_s))
    pitch_up = uniform_filter1d(pitch_up, smooth)
    loud_up = uniform_filter1d(loud_up, smooth)
    w_pitch, w_loud, w_rate = C.VOICE_WEIGHTS
    score = (
        w_pitch * np.clip((pitch_up - C.PITCH_FROM_ST) / C.PITCH_SPAN_ST, 0, 1)
        + w_loud * np.clip((loud_up - C.LOUD_FROM_DB) / C.LOUD_SPAN_DB, 0, 1)
        + w_rate * np.clip(rate_up / C.RATE_SPAN, 0, 1)
    ) * talking
    parts = {"pitch_semitones": pitch_up * talking, "voice_db": loud_up * talking, "rate_change": rate_up * talking}
    return np.clip(score, 0, 1), parts


def whistle_presence(whistle: np.ndarray, hop_s: float, per: int, n: int) -> np.ndarray:
    # Three bins around the strongest 2.2-4.2 kHz bin hold a share of all the sound that noise,
    # voices and music almost never reach (under 0.06 in 99 % of hops), for most of 0.3 s.
    tone = np.nan_to_num(whistle) > C.WHISTLE_SHARE
    held = max(1, round(C.WHISTLE_HOLD_S / hop_s))
    run = uniform_filter1d(tone.astype(float), size=held, mode="constant") >= C.WHISTLE_HELD_SHARE
    run = maximum_filter1d(run.astype(float), size=held)
    return fill_gaps(_per_window(run, per, n), 0.0)


def sound_cues(hops: dict[str, np.ndarray], hop_s: float, n: int, window_s: float) -> SoundCues:
    per = max(1, round(window_s / hop_s))
    energy = fill_gaps(hops["energy"], 1e-10)
    db_hop = 10 * np.log10(np.maximum(energy, 1e-10))
    # The beat of a chant or a band shows best above the voice's band, where commentary is thin.
    bright = 10 * np.log10(np.maximum(fill_gaps(hops["bright"], 1e-12), 1e-12))
    periodic = periodicity(bright, hop_s, per, n)
    music = music_score(fill_gaps(hops["stability"], 0.0), periodic, per, n, window_s)
    voice, parts = voice_excitement(
        np.nan_to_num(hops["voicing"]), np.nan_to_num(hops["f0"], nan=100.0), db_hop, hop_s, per, n, window_s
    )
    return SoundCues(
        crowd_db=crowd_rise(db_hop, hop_s, per, n, window_s),
        periodic=periodic,
        music=music,
        voice=voice,
        voice_parts=parts,
        whistle=whistle_presence(hops["whistle"], hop_s, per, n),
    )
