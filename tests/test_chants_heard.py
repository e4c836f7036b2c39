"""A chant is sung, narrow-band and long; a reaction is not: such moments rank low (chants.chant_likelihood),
and the trained audio-event model (sound_events) hears recorded chants as sung and recorded cheers not."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from drawn_crowd import drawn_crowd
from footage.synth import real_sounds
from footage.synth.sound import RATE as SYNTH_RATE

from mcp_highlight.engine.judge import constants as C
from mcp_highlight.engine.judge.analyse import _hear_sung
from mcp_highlight.engine.judge.analysis import Analysis
from mcp_highlight.engine.judge.chants import chant_likelihood
from mcp_highlight.engine.judge.curves import Curves
from mcp_highlight.engine.judge.moments import _smooth, find_moments, windows_of, worth_hearing
from mcp_highlight.engine.judge.sound_events import sung_windows
from mcp_highlight.engine.plan.lengths import STANDOUT
from mcp_highlight.engine.plan.planner import PlanRequest, plan_reel

W = 0.5
SECONDS = 300.0
needs_real = pytest.mark.skipif(not real_sounds.available(), reason=real_sounds.why_missing())


def _held_rise(t: np.ndarray, at: float) -> np.ndarray:
    """A crowd that swells by 8 dB over 4 s, holds 8 s and falls: the shape of a chant and of a long roar."""
    up = np.clip((t - at) / 4.0, 0, 1) * 8.0
    return np.where(t < at + 12, up, 8.0 * np.exp(-(t - at - 12) / 1.5))


def _drawn(crowd_db: np.ndarray, **signals: np.ndarray) -> Analysis:
    return drawn_crowd(crowd_db, full_db=12.0, window_s=W, **signals)


def _analysis(broadband: np.ndarray, sung: np.ndarray) -> tuple[Analysis, float, float]:
    t = np.arange(int(SECONDS / W)) * W
    first, second = 60.0, 180.0
    db = _held_rise(t, first) + _held_rise(t, second) + np.random.default_rng(5).normal(0, 0.3, t.size)
    return _drawn(db, broadband=broadband, sung=sung), first, second


def _curves(analysis: Analysis) -> Curves:
    return Curves(**{k: getattr(analysis, k) for k in ("window_s", "score", "signals", "measures", "scene_cuts")})


def _rank_near(analysis: Analysis, at: float) -> float:
    return max(m.rank for m in find_moments(analysis) if at <= m.peak_s <= at + 16)


def test_the_same_swell_ranks_far_lower_when_it_is_sung_and_narrow_band() -> None:
    n = int(SECONDS / W)
    t = np.arange(n) * W
    chant = (t >= 180) & (t < 196)
    roar, sung = np.full(n, 0.6), np.zeros(n)
    roar[chant], sung[chant] = 0.0, 0.7  # the second swell: no noise-like rise, heard as sung
    analysis, first, second = _analysis(roar, sung)
    assert _rank_near(analysis, second) < 0.5 * _rank_near(analysis, first)
    # ...and says so, where the user reads why a moment was (or was not) chosen.
    said = {m.peak_s: m for m in find_moments(analysis)}
    chant = max((m for p, m in said.items() if second <= p <= second + 16), key=lambda m: m.score)
    roared = max((m for p, m in said.items() if first <= p <= first + 16), key=lambda m: m.score)
    assert "sounds like a chant" in chant.why and chant.facts["chant_likelihood"] >= C.CHANT_SURE, chant
    assert "chant" not in roared.why and "chant_likelihood" not in roared.facts, roared
    # Heard as sung but noise-like (a roar with the band's music under it): not a chant.
    noisy, first, second = _analysis(np.full(n, 0.6), sung)
    assert _rank_near(noisy, second) > 0.7 * _rank_near(noisy, first)


def _sung_for(likelihood: float) -> tuple[Analysis, float, float]:
    """The two swells, the second narrow-band and sung just enough to be a chant with `likelihood`."""
    n = int(SECONDS / W)
    t = np.arange(n) * W
    chant = (t >= 180) & (t < 196)
    roar = np.where(chant, 0.1, 0.6)
    lo, hi = 0.0, 1.0
    for _ in range(40):  # bisection on how sung the second swell is
        level = (lo + hi) / 2
        analysis, first, second = _analysis(roar, np.where(chant, level, 0.0))
        m = max((m for m in find_moments(analysis) if second <= m.peak_s <= second + 16), key=lambda m: m.score)
        w = analysis.window_s
        onset, peak, fade = windows_of(m, w)
        crowd = _smooth(np.asarray(analysis.measures["crowd_db"]), w)
        got = chant_likelihood(np.asarray(roar), np.where(chant, level, 0.0), crowd, onset, peak, fade, w)
        lo, hi = (level, hi) if got < likelihood else (lo, level)
    assert abs(got - likelihood) < 0.01, got
    return analysis, first, second


def test_a_moment_likely_enough_a_chant_falls_under_the_planners_bar_and_one_less_likely_does_not() -> None:
    """At CHANT_SURE a swell is taken for a chant: under STANDOUT of the best, so the reel grows the
    goal's clip rather than show it; a little less likely, it keeps most of its rank and makes the reel."""
    sure, first, second = _sung_for(C.CHANT_SURE + 0.02)
    assert _rank_near(sure, second) < STANDOUT * _rank_near(sure, first)
    plan = plan_reel([sure], PlanRequest(target_s=20))
    assert not any(m.start_s <= second + 4 <= m.end_s for m in plan.moments), plan.moments
    said = [m for m in find_moments(sure) if second <= m.peak_s <= second + 16]
    assert any("sounds like a chant" in m.why for m in said), said
    unsure, first, second = _sung_for(C.CHANT_SURE - 0.02)
    plain, _, _ = _analysis(np.full(int(SECONDS / W), 0.6), np.zeros(int(SECONDS / W)))
    assert _rank_near(unsure, second) > (1 - C.CHANT_LIKELY_CUT * C.CHANT_SURE) * 0.9 * _rank_near(plain, second)
    plan = plan_reel([unsure], PlanRequest(target_s=20))
    assert any(m.start_s <= second + 4 <= m.end_s for m in plan.moments), plan.moments


def test_a_short_sharp_voiced_burst_is_not_taken_for_a_chant() -> None:
    """Laughter is narrow-band too, but it jumps out of the room at once and is over in seconds."""
    n = int(SECONDS / W)
    t = np.arange(n) * W
    db = 14.0 * np.exp(-0.5 * ((t - 100.0) / 1.2) ** 2) + np.random.default_rng(2).normal(0, 0.3, n)
    plain, narrow = _drawn(db), _drawn(db, broadband=np.zeros(n), sung=np.full(n, 0.3))
    assert find_moments(narrow)[0].rank >= 0.8 * find_moments(plain)[0].rank


def _write_m4a(path: Path, sound: np.ndarray, rate: int) -> Path:
    with av.open(str(path), "w") as out:
        stream = out.add_stream("aac", rate=rate, layout="mono")
        pcm = (np.clip(sound, -1, 1) * 32767).astype(np.int16)
        for i in range(0, pcm.size, 1024):
            frame = av.AudioFrame.from_ndarray(pcm[None, i : i + 1024], format="s16", layout="mono")
            frame.sample_rate = rate
            frame.pts = i
            frame.time_base = Fraction(1, rate)
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return path


@needs_real
def test_the_audio_event_model_hears_recorded_chants_as_sung_and_recorded_cheers_not(tmp_path: Path) -> None:
    rng = np.random.default_rng(11)
    seg = int(12 * SYNTH_RATE)
    bed = real_sounds.texture("bed", rng, 4 * seg) * 0.03
    parts = [real_sounds.texture(kind, rng, seg, layers=1) * 0.1 for kind in ("chant", "cheer", "chant", "applause")]
    path = _write_m4a(tmp_path / "crowd.m4a", bed + np.concatenate(parts), SYNTH_RATE)
    per = round(12 / W)
    spans = [(k * per + 2, (k + 1) * per - 3) for k in range(4)]
    heard = sung_windows(path, spans, 4 * per + 10, W)
    means = [float(heard[a : b + 1].mean()) for a, b in spans]
    chants, others = min(means[0], means[2]), max(means[1], means[3])
    assert chants > 0.4 and others < 0.25 and chants > 2.5 * others, means
    outside = np.ones(heard.size, bool)
    for a, b in spans:
        outside[a : b + 1] = False
    assert not heard[outside].any(), "the model is only run on the spans asked for"


def test_a_sound_that_cannot_be_read_again_is_a_warning_and_changes_nothing(tmp_path: Path) -> None:
    analysis, _, _ = _analysis(np.full(int(SECONDS / W), 0.6), np.zeros(int(SECONDS / W)))
    curves = _curves(analysis)
    warnings: list[str] = []
    after = _hear_sung(curves, tmp_path / "gone.mp4", warnings)
    assert after == curves
    assert len(warnings) == 1 and "Chants could not be told from reactions" in warnings[0]


def test_only_moments_that_could_be_chants_are_heard() -> None:
    """A noise-like roar that jumps out of the crowd is no chant, sung or not: the model is not run on it.
    A swell that only hearing it sung could make a chant is heard (one already taken for a chant by its
    band, length and rise need not be: hearing can only make it more of one)."""
    n = int(SECONDS / W)
    t = np.arange(n) * W
    after = t - 60.0
    goal = np.where(after < 0, 15.0 * np.exp(-0.5 * (after / 1.0) ** 2), 15.0 * np.exp(-np.clip(after, 0, None) / 4.0))
    db = goal + _held_rise(t, 180.0) + np.random.default_rng(7).normal(0, 0.3, n)
    analysis = _drawn(db, broadband=np.where((t >= 55) & (t < 75), 0.6, 0.3))
    heard = [(m.onset_s, m.fade_s) for m in worth_hearing(analysis, find_moments(analysis))]
    assert any(a <= 190 <= b for a, b in heard), heard
    assert not any(a <= 61 <= b for a, b in heard), heard


def test_a_model_that_does_not_load_is_a_warning_and_the_reel_is_still_judged(monkeypatch: pytest.MonkeyPatch) -> None:
    from mcp_highlight.engine.judge import sound_events

    def broken() -> None:
        raise OSError("libomnivad.so: cannot open shared object file")

    monkeypatch.setattr(sound_events, "_model", broken)
    analysis, _, _ = _analysis(np.full(int(SECONDS / W), 0.0), np.zeros(int(SECONDS / W)))
    curves = _curves(analysis)
    warnings: list[str] = []
    assert _hear_sung(curves, Path("game.mp4"), warnings) == curves
    assert len(warnings) == 1 and "the audio-event model did not load" in warnings[0], warnings
