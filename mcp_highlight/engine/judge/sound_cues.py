"""What a broadcast's sound says, per window, from the 50 ms hop features of `audio_signals`.

- **crowd**: the level where nobody speaks, in dB above its own slow baseline. A trained voice
  model marks the commentator (`speech`); the crowd is the sound in the gaps it leaves, or the
  floor between syllables where that is lower. A drifting bed moves the baseline, not the cue.
- **periodic**: how regularly the level above 2.5 kHz pulses at 0.2–2.5 s (autocorrelation of
  the detrended envelope over 8 s, a peak after a dip): chants and a band's beat do, a roar does not.
- **music**: partials held for seconds in the sound where nobody speaks (`harmonic`, a semitone
  spectrum's held peaks), more so on a steady beat: ads, PA, dance sets. A vibrato and chord
  changes keep it; crowds, applause and whistles have no held partials; voices are left out.
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
from scipy.ndimage import maximum_filter1d, median_filter, percentile_filter, uniform_filter1d

from mcp_highlight.engine.judge import constants as C
from mcp_highlight.engine.judge.audio_signals import NOISE_MIN_HOPS
from mcp_highlight.engine.judge.percentiles import nanpercentile_rows
from mcp_highlight.engine.judge.speech import talking

NO_SOUND_DB = -100.0
PERIOD_BLOCK = 256
NOISE_LAG_HOPS = NOISE_MIN_HOPS // 2
"""The noise feature is a minimum over the past NOISE_MIN_HOPS: centred, it is read this many hops late."""


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


def _percentile_around(x: np.ndarray, per: int, n: int, span: int, pct: float, min_share: float) -> np.ndarray:
    """Per window, the `pct` percentile of the non-NaN hops within `span` hops around its centre;
    NaN where those are fewer than `min_share` of the span."""
    m = min(n * per, x.size)
    half = span // 2
    padded = np.concatenate([np.full(half, np.nan), x[:m], np.full(half + per, np.nan)])
    starts = np.arange(n) * per + per // 2
    frames = sliding_window_view(padded, span)[starts[starts + span <= padded.size]]
    out = np.full(n, np.nan)
    values = nanpercentile_rows(frames, pct)
    enough = np.isfinite(frames).mean(axis=1) >= min_share
    out[: frames.shape[0]] = np.where(enough, values, np.nan)
    return out


def _baseline(x: np.ndarray, size: int, pct: float) -> np.ndarray:
    size = max(3, min(size, x.size) | 1)
    return percentile_filter(x, pct, size=size, mode="nearest")


def crowd_rise(
    db_hop: np.ndarray, noise_db: np.ndarray, speech: np.ndarray, hop_s: float, per: int, n: int, window_s: float
) -> np.ndarray:
    """dB above its own slow baseline of the sound beneath any voice.

    Where the voice model hears nobody, the crowd is what sounds (a low percentile over FLOOR_S,
    the gaps of a chant's pulses, not its peaks). Where someone speaks, the noise beneath the voice
    by minimum statistics (`noise`: each semitone band's minimum over 1.5 s; a voice moves between
    bands, a crowd fills them all), brought onto the same scale by their median difference in the
    gaps. Where both exist the lower is taken: each is raised only by what it failed to leave out.
    """
    span = round(C.FLOOR_S / hop_s)
    quiet = ~talking(speech, C.SPEECH_FROM, C.SPEECH_EARLY_HOPS, C.SPEECH_LATE_HOPS)
    gaps = _percentile_around(np.where(quiet, db_hop, np.nan), per, n, span, C.FLOOR_PERCENTILE, 1 / span)
    late = NOISE_LAG_HOPS
    centred = np.concatenate([noise_db[late:], np.full(min(late, noise_db.size), noise_db[-1] if noise_db.size else 0)])
    beneath = fill_gaps(_per_window(centred, per, n, "median"), NO_SOUND_DB)
    both = np.isfinite(gaps)
    if not both.any():  # speech throughout: the noise beneath it is all there is
        level = beneath
    else:
        level = np.where(both, np.fmin(gaps, beneath + float(np.median(gaps[both] - beneath[both]))), np.nan)
        level = np.where(both, level, beneath + float(np.median(gaps[both] - beneath[both])))
    return level - _baseline(level, round(C.BASELINE_S / window_s), C.CROWD_BASELINE_PERCENTILE)


def periodicity(db_hop: np.ndarray, hop_s: float, per: int, n: int) -> np.ndarray:
    """0..1 per window: the strongest normalised autocorrelation of the level's pulses at PERIOD_LAGS_S."""
    env = db_hop - uniform_filter1d(db_hop, size=max(3, round(C.PERIOD_DETREND_S / hop_s)), mode="nearest")
    span = round(C.PERIOD_WINDOW_S / hop_s)
    if env.size < span + 2:
        return np.zeros(n)
    frames = sliding_window_view(env, span)[::per]
    frames = frames - frames.mean(axis=1, keepdims=True)
    nfft = 1 << (2 * span - 1).bit_length()
    lo, hi = round(C.PERIOD_LAGS_S[0] / hop_s), round(C.PERIOD_LAGS_S[1] / hop_s)
    best = np.empty(len(frames))
    # In blocks of rows: the whole file's spectra at once are tens of MB of fresh pages (0.2 s of faults).
    for a in range(0, len(frames), PERIOD_BLOCK):
        spec = np.fft.rfft(frames[a : a + PERIOD_BLOCK], n=nfft, axis=1)
        ac = np.fft.irfft(np.abs(spec) ** 2, n=nfft, axis=1)[:, :span]
        ac /= np.maximum(ac[:, :1], 1e-9)
        # A repeat is a peak after a dip, as for pitch: a slow swell has neither.
        rise = ac[:, lo:hi] - np.minimum.accumulate(ac[:, 1:hi], axis=1)[:, lo - 1 :]
        best[a : a + PERIOD_BLOCK] = np.clip(rise.max(axis=1) / 2, 0, 1)
    out = np.zeros(n)
    offset = span // (2 * per)  # centre each analysis span on its window
    m = min(n - offset, best.size)
    out[offset : offset + m] = best[:m]
    if offset:
        out[:offset] = best[0]
    if offset + m < n:
        out[offset + m :] = best[m - 1]
    return out


def music_score(
    harmonic: np.ndarray, speech: np.ndarray, periodic: np.ndarray, per: int, n: int, window_s: float
) -> np.ndarray:
    """0..1 per window: partials held for MUSIC_HOLD_S in the sound where nobody speaks, plus a beat.

    A low percentile over seconds: music holds its partials (a chord change dips for a moment),
    a voice the model missed under a roar is harmonic only in bursts. Hops with any hint of speech
    are left out (voices are harmonic too); where too few are left, there is no music.
    """
    quiet = ~talking(speech, C.MUSIC_SPEECH_MAX, C.SPEECH_EARLY_HOPS, C.SPEECH_LATE_HOPS)
    span = round(C.MUSIC_HOLD_S / (window_s / per))
    quiet_h = np.where(quiet, harmonic, np.nan)
    held = np.nan_to_num(_percentile_around(quiet_h, per, n, span, C.MUSIC_PERCENTILE, C.MUSIC_QUIET_SHARE))
    held = maximum_filter1d(held, size=max(1, round(C.MUSIC_EDGE_S / window_s)), mode="nearest")
    tonal = np.clip((held - C.MUSIC_FROM) / C.MUSIC_SPAN, 0, 1)
    beat = np.clip((periodic - C.BEAT_FROM) / C.BEAT_SPAN, 0, 1)
    # A beat makes faint partials music (a band under the crowd), never a crowd's pulse alone.
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
    talk = uniform_filter1d(share, size=two_s) > C.TALKING_SHARE
    base_w = max(3, round(C.BASELINE_S / window_s) | 1)
    pitch = fill_gaps(pitch_w, 0.0)
    loud_f = fill_gaps(loud_w, NO_SOUND_DB)
    pitch_up = pitch - median_filter(pitch, size=base_w, mode="nearest")
    loud_up = loud_f - median_filter(loud_f, size=base_w, mode="nearest")
    rate_base = median_filter(rate_w, size=base_w, mode="nearest")
    rate_up = rate_w / np.maximum(rate_base, C.RATE_BASE_MIN) - 1
    smooth = max(1, round(C.VOICE_SMOOTH_S / window_s))
    pitch_up = uniform_filter1d(pitch_up, smooth)
    loud_up = uniform_filter1d(loud_up, smooth)
    w_pitch, w_loud, w_rate = C.VOICE_WEIGHTS
    score = (
        w_pitch * np.clip((pitch_up - C.PITCH_FROM_ST) / C.PITCH_SPAN_ST, 0, 1)
        + w_loud * np.clip((loud_up - C.LOUD_FROM_DB) / C.LOUD_SPAN_DB, 0, 1)
        + w_rate * np.clip(rate_up / C.RATE_SPAN, 0, 1)
    ) * talk
    parts = {"pitch_semitones": pitch_up * talk, "voice_db": loud_up * talk, "rate_change": rate_up * talk}
    return np.clip(score, 0, 1), parts


def whistle_presence(whistle: np.ndarray, hop_s: float, per: int, n: int) -> np.ndarray:
    """1 where a narrow 2.2-4.2 kHz tone (WHISTLE_SHARE of all the sound) holds for most of WHISTLE_HOLD_S."""
    tone = np.nan_to_num(whistle) > C.WHISTLE_SHARE
    held = max(1, round(C.WHISTLE_HOLD_S / hop_s))
    run = uniform_filter1d(tone.astype(float), size=held, mode="constant") >= C.WHISTLE_HELD_SHARE
    run = maximum_filter1d(run.astype(float), size=held)
    return fill_gaps(_per_window(run, per, n), 0.0)


def sound_cues(hops: dict[str, np.ndarray], hop_s: float, n: int, window_s: float) -> SoundCues:
    per = max(1, round(window_s / hop_s))
    energy = fill_gaps(hops["energy"], 1e-10)
    db_hop = 10 * np.log10(np.maximum(energy, 1e-10))
    speech = hops.get("speech", np.full(db_hop.size, np.nan))
    # The beat of a chant or a band shows best above the voice's band, where commentary is thin.
    bright = 10 * np.log10(np.maximum(fill_gaps(hops["bright"], 1e-12), 1e-12))
    periodic = periodicity(bright, hop_s, per, n)
    music = music_score(np.nan_to_num(hops["harmonic"]), speech, periodic, per, n, window_s)
    voice, parts = voice_excitement(
        np.nan_to_num(hops["voicing"]), np.nan_to_num(hops["f0"], nan=100.0), db_hop, hop_s, per, n, window_s
    )
    return SoundCues(
        crowd_db=crowd_rise(db_hop, fill_gaps(hops["noise"], NO_SOUND_DB), speech, hop_s, per, n, window_s),
        periodic=periodic,
        music=music,
        voice=voice,
        voice_parts=parts,
        whistle=whistle_presence(hops["whistle"], hop_s, per, n),
    )
