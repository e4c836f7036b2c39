"""Each variation axis of the generated footage (footage/synth/variants.py) really changes what it says.

The judgement benchmark reports every axis on its own; these checks measure the generated sound
and picture directly (levels, spectra, pixels), not through the engine, so a variant that silently
fell back to the original would be caught. Short pieces only: the sweep itself lives in the bench.
"""

from __future__ import annotations

import numpy as np
import pytest
from footage.synth import real_sounds, speech_synth
from footage.synth.broadcast import broadcast_truth
from footage.synth.broadcast_picture import FW, _logo, _wipe
from footage.synth.broadcast_script import Event, Script, script, with_extras
from footage.synth.broadcast_sound import broadcast_sound
from footage.synth.sound import RATE, music, voice_phrase
from footage.synth.variants import AXES, PictureVariant, SoundVariant

needs_real = pytest.mark.skipif(not real_sounds.available(), reason=real_sounds.why_missing())
needs_espeak = pytest.mark.skipif(not speech_synth.available(), reason="espeak-ng is not installed")


def _frame_levels_db(x: np.ndarray, frame_s: float = 0.02) -> np.ndarray:
    k = int(frame_s * RATE)
    frames = x[: x.size // k * k].reshape(-1, k).astype(np.float64)
    return 10 * np.log10(np.mean(frames**2, axis=1) + 1e-12)


def test_legato_speech_never_drops_to_silence_inside_a_phrase_and_syllabic_speech_does() -> None:
    def gaps(legato: bool) -> float:
        x = voice_phrase(np.random.default_rng(3), 4.0, f0=110, excitement=0.2, legato=legato)
        levels = _frame_levels_db(x)[5:-5]  # leave out the phrase's own fade in and out
        return float(np.mean(levels < np.max(levels) - 30))

    assert gaps(legato=False) > 0.1
    assert gaps(legato=True) == 0.0


def _peak_track_hz(x: np.ndarray, a_s: float, b_s: float) -> np.ndarray:
    """The strongest frequency between 300 and 1200 Hz in each 60 ms frame."""
    k = int(0.06 * RATE)
    out = []
    for i in range(int(a_s * RATE), int(b_s * RATE) - k, k):
        spec = np.abs(np.fft.rfft(x[i : i + k] * np.hanning(k), 8 * k))
        freqs = np.fft.rfftfreq(8 * k, 1 / RATE)
        band = (freqs > 300) & (freqs < 1200)
        out.append(freqs[band][np.argmax(spec[band])])
    return np.asarray(out)


def test_vibrato_music_wavers_in_pitch_where_plain_chords_hold_still() -> None:
    def spread(vibrato: bool) -> float:
        x = music(np.random.default_rng(5), 3.0, busy=0.0, vibrato=vibrato)
        track = _peak_track_hz(x, 0.1, 0.9)  # inside one chord either way
        return float(np.ptp(track))

    assert spread(vibrato=False) < 5.0
    assert spread(vibrato=True) > 10.0


def test_a_sliding_replay_graphic_moves_as_one_piece_and_a_noisy_one_changes_every_frame() -> None:
    logo = _logo(1)
    rng = np.random.default_rng(0)

    def drawn(graphic: str, p: float) -> np.ndarray:
        frame = np.zeros((144, FW, 3), np.uint8)
        _wipe(frame, p, graphic, rng, logo)
        return frame

    a, b = drawn("slide", 0.5), drawn("slide", 0.5 + 10 / (2 * FW))  # 10 pixels further on
    assert np.array_equal(a[:, 60:150], b[:, 70:160])  # the same pixels, shifted
    n1, n2 = drawn("noise", 0.5), drawn("noise", 0.5)
    assert np.mean(n1 != n2) > 0.3
    flat = drawn("flat", 0.5)
    assert len(np.unique(flat.reshape(-1, 3), axis=0)) <= 3
    assert not drawn("none", 0.5).any()


def test_early_replays_start_while_the_crowd_still_cheers() -> None:
    for seed in range(4):
        late = [e for e in script(600, seed).of("goal")]
        early = [e for e in script(600, seed, early_replay=True).of("goal")]
        assert all(e.replay and e.replay[0] >= e.roar_end for e in late)
        assert all(e.replay and e.roar_peak < e.replay[0] < e.roar_end for e in early)


def test_chants_follow_goals_and_shouts_fall_in_calm_play_without_touching_any_event() -> None:
    for seed in range(4):
        plan = script(600, seed)
        more = with_extras(plan, seed, chants_after_goals=True, shouts=True)
        added = more.events[len(plan.events) :]
        chants = [e for e in added if e.kind == "chant"]
        assert chants and len([e for e in added if e.kind == "shout"]) >= 1
        for c in chants:  # after a goal's restart, never over another event
            assert any(0 < c.start - max(g.roar_end, g.wipes[-1][1]) < 3 for g in plan.of("goal"))
        for x in added:
            for e in plan.events:
                end = max(e.end, e.roar_end, e.wipes[-1][1] if e.wipes else 0.0)
                assert x.end <= e.start or x.start >= end, (x, e)


def _tiny_script(*extra: Event) -> Script:
    """55 s holding one of everything the sound draws: a goal with its whistle, a chance, a chant, PA music."""
    goal = Event(kind="goal", start=2, end=8, roar_db=15, roar_onset=8.8, roar_peak=11, roar_end=20,
                 whistle=(10, 11), side=1)  # fmt: skip
    chance = Event(kind="chance", start=21, end=26, roar_db=8, roar_onset=26.5, roar_peak=28, roar_end=31)
    events = [goal, chance, Event(kind="chant", start=31, end=35), Event(kind="pa", start=35, end=39), *extra]
    return Script(duration=55.0, events=events, cuts=[], fouls=[(1.0, 1.5)])


def test_a_shout_without_reaction_is_loud_speech_over_a_quiet_crowd() -> None:
    shout = Event(kind="shout", start=45.0, end=50.0)
    quiet = broadcast_sound(_tiny_script(), 2)
    shouted = broadcast_sound(_tiny_script(shout), 2)
    assert broadcast_truth(_tiny_script(shout)).not_highlights[-1].kind == "shout"
    a, b = int(45.5 * RATE), int(49.5 * RATE)
    gain_db = 10 * np.log10(np.mean(shouted[a:b].astype(np.float64) ** 2) / np.mean(quiet[a:b].astype(np.float64) ** 2))
    assert gain_db > 3.0


def test_the_real_variants_draw_on_the_recordings_and_the_original_never_does(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []

    def fake(kind: str, rng: np.random.Generator, n: int, **_: object) -> np.ndarray:
        asked.append(kind)
        return np.ones(n, np.float32)

    monkeypatch.setattr(real_sounds, "texture", fake)
    monkeypatch.setattr(real_sounds, "one_shot", lambda kind, rng, d=None: fake(kind, rng, int((d or 1) * RATE)))
    monkeypatch.setattr(real_sounds, "music", lambda rng, d: fake("music", rng, int(d * RATE)))
    broadcast_sound(_tiny_script(), 0, SoundVariant())
    assert asked == []
    broadcast_sound(_tiny_script(), 0, SoundVariant(crowd="real", music="real", pa_under_crowd=True))
    assert set(asked) == {"bed", "cheer", "ooh", "whistle", "chant", "music"}


@needs_real
def test_every_kind_of_real_recording_loads_as_mono_sound_at_the_generator_rate() -> None:
    for kind in real_sounds.CATALOGUE:
        clips = real_sounds.recordings(kind)
        assert clips and all(c.ndim == 1 and c.size > 0.5 * RATE for c in clips), kind
        assert all(abs(float(np.sqrt(np.mean(c.astype(np.float64) ** 2))) - 1.0) < 0.05 for c in clips), kind


@needs_real
def test_a_recorded_crowd_texture_does_not_repeat_its_source_loop() -> None:
    bed = real_sounds.recordings("bed")[0]
    x = real_sounds.texture("bed", np.random.default_rng(0), 30 * RATE)
    env = _frame_levels_db(x, 0.05)
    env -= env.mean()
    lag = int(bed.size / RATE / 0.05)  # one source length, in 50 ms frames
    corr = float(np.dot(env[:-lag], env[lag:]) / np.sqrt(np.dot(env[:-lag], env[:-lag]) * np.dot(env[lag:], env[lag:])))
    assert corr < 0.5


def _median_pitch_hz(x: np.ndarray) -> float:
    k = int(0.04 * RATE)
    lo, hi = int(RATE / 400), int(RATE / 70)
    loud = np.percentile(_frame_levels_db(x, 0.04), 60)
    found = []
    for i in range(0, x.size - k, k):
        f = x[i : i + k].astype(np.float64)
        if 10 * np.log10(np.mean(f**2) + 1e-12) < loud:
            continue
        ac = np.correlate(f, f, "full")[k - 1 :]
        found.append(RATE / (lo + int(np.argmax(ac[lo:hi]))))
    return float(np.median(found))


@needs_espeak
def test_the_speech_synthesiser_speaks_the_same_line_faster_and_higher_when_excited() -> None:
    text = "Silva drives forward and beats one man on the left"
    calm = speech_synth.speak(text, "en-gb", *speech_synth.settings(160, 40, 0.0))
    wild = speech_synth.speak(text, "en-gb", *speech_synth.settings(160, 40, 1.0))
    assert 1.0 * RATE < wild.size < 0.85 * calm.size
    assert _median_pitch_hz(wild) > 1.15 * _median_pitch_hz(calm)


def test_the_axes_table_names_every_variant_field() -> None:
    fields = set(PictureVariant.model_fields) | set(SoundVariant.model_fields)
    assert fields == set(AXES)
    for name, values in AXES.items():
        model = PictureVariant if name in PictureVariant.model_fields else SoundVariant
        assert model.model_fields[name].default == values[0]  # the first value is the original generator
