"""The generated broadcast and event recordings really contain what their ground truth says.

Checked from the encoded files with plain measurements (levels, a band's share, packet sizes,
keyframe flags), not with the engine, so the quality tests built on them can trust the truth.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import av
import numpy as np
import pytest
from footage.synth.broadcast_script import script
from footage.synth.truth import RecordingTruth

Recording = tuple[Path, RecordingTruth]


def _sound(path: Path) -> tuple[np.ndarray, int]:
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        rate = stream.codec_context.sample_rate
        samples = np.concatenate([f.to_ndarray().mean(axis=0) for f in container.decode(stream)])
    return samples, rate


def _level_db(samples: np.ndarray, rate: int, a: float, b: float) -> float:
    x = samples[int(a * rate) : int(b * rate)]
    return float(10 * np.log10(np.mean(x.astype(np.float64) ** 2) + 1e-12))


def _band_share(samples: np.ndarray, rate: int, a: float, b: float, lo: float, hi: float) -> float:
    x = samples[int(a * rate) : int(b * rate)]
    power = np.abs(np.fft.rfft(x)) ** 2
    freqs = np.fft.rfftfreq(x.size, 1 / rate)
    return float(power[(freqs >= lo) & (freqs <= hi)].sum() / power.sum())


def _packets(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        rows = [
            (float(p.pts * p.time_base), p.size, p.is_keyframe)
            for p in container.demux(stream)
            if p.pts is not None and p.size
        ]
    rows.sort()
    t, s, k = (np.array(c) for c in zip(*rows, strict=True))
    return t, s.astype(float), k.astype(bool)


@pytest.mark.parametrize("duration", [300.0, 600.0, 1200.0])
@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_every_script_has_graded_moments_and_every_kind_of_decoy(duration: float, seed: int) -> None:
    plan = script(duration, seed)
    kinds = [e.kind for e in plan.events]
    assert kinds.count("goal") >= 2 and kinds.count("chance") >= 1
    for decoy in ("chant", "counter", "pa", "ad"):
        assert decoy in kinds, decoy
    spans = sorted((e.start, max(e.end, e.roar_end, (e.wipes[-1][1] if e.wipes else 0.0))) for e in plan.events)
    assert all(b1 <= a2 for (_, b1), (a2, _) in itertools.pairwise(spans)), "events overlap"
    gaps = np.diff([c for c, _ in plan.cuts])
    assert gaps.min() > 0.3 and np.median(gaps) < 15.0
    if duration >= 600:
        assert kinds.count("goal") >= 3 and kinds.count("chance") >= 4


def test_seeds_give_different_games() -> None:
    a, b = script(600.0, 0), script(600.0, 1)
    assert [e.kind for e in a.events] != [e.kind for e in b.events] or a.events[0].start != b.events[0].start


@pytest.mark.parametrize("fixture", ["broadcast_720", "broadcast_1080"])
def test_broadcast_sound_matches_its_truth(fixture: str, request: pytest.FixtureRequest) -> None:
    path, truth = request.getfixturevalue(fixture)
    samples, rate = _sound(path)
    live = [m for m in truth.moments]
    assert len(truth.goals) >= 2 and len(truth.replays) == len(truth.goals)
    for m in live:
        before = _level_db(samples, rate, m.start_s - 6, m.start_s - 1)
        roar = max(_level_db(samples, rate, t, t + 1.0) for t in np.arange(m.peak_s + 1, m.end_s - 1, 0.5))
        assert roar - before >= (6.0 if m.kind == "goal" else 1.5), (m.kind, m.peak_s, before, roar)
    ad = next(n for n in truth.not_highlights if n.kind == "ad")
    assert _level_db(samples, rate, ad.start_s + 1, ad.end_s - 1) > _level_db(samples, rate, 0, truth.duration_s) + 3
    for a, b in truth.whistles:
        inside = _band_share(samples, rate, a + 0.05, b - 0.05, 2400, 3900)
        outside = _band_share(samples, rate, a - 2.0, a - 0.5, 2400, 3900)
        assert inside > 2 * outside, (a, inside, outside)


@pytest.mark.parametrize(("fixture", "keyint"), [("broadcast_720", 2.0), ("broadcast_1080", 1.0)])
def test_broadcast_picture_cuts_and_keyframes_match_its_truth(
    fixture: str, keyint: float, request: pytest.FixtureRequest
) -> None:
    path, truth = request.getfixturevalue(fixture)
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        assert (stream.codec_context.width, stream.codec_context.height) in {(1280, 720), (1920, 1080)}
    t, size, key = _packets(path)
    gaps = np.diff(t[key])
    assert np.median(gaps) == pytest.approx(keyint, abs=0.05)
    assert gaps.max() <= keyint + 0.05
    # A hard cut costs bits: the frame at a cut is a keyframe (an encoder that places them at shot
    # changes) or much bigger than the frames around it.
    hits = 0
    for c in truth.cuts:
        near = (t >= c - 0.1) & (t <= c + 0.1)
        around = (t >= c - 1.5) & (t <= c + 1.5) & ~key
        if (near & key).any() or size[near & ~key].max(initial=0) >= 2.0 * np.median(size[around]):
            hits += 1
    assert hits >= 0.7 * len(truth.cuts), (hits, len(truth.cuts))
    # The camera never stops: even calm play costs bits in every second (no near-static stretch).
    calm = ~key & (t > 5) & (t < truth.duration_s - 5)
    per_second = np.bincount(t[calm].astype(int), size[calm])
    assert np.percentile(per_second[per_second > 0], 5) > 0.2 * np.median(per_second)


def test_event_recording_matches_its_truth(event_720: Recording) -> None:
    path, truth = event_720
    samples, rate = _sound(path)
    room = float(np.median([_level_db(samples, rate, t, t + 1) for t in range(0, int(truth.duration_s) - 1)]))
    kinds = {m.kind for m in truth.moments}
    assert "laughter" in kinds and kinds & {"applause", "cheer"}, kinds  # a joke, and a speech's ending
    for m in truth.moments:
        level = max(_level_db(samples, rate, t, t + 1.0) for t in np.arange(m.peak_s, m.end_s - 0.5, 0.5))
        assert level > room, (m.kind, m.peak_s, level, room)
    dance = [n for n in truth.not_highlights if n.kind == "dance_music"]
    assert dance
    loudest_moment = max(_level_db(samples, rate, m.peak_s, m.end_s) for m in truth.moments if m.kind != "laughter")
    for d in dance:  # the music is the loudest thing in the room
        assert _level_db(samples, rate, d.start_s + 1, d.end_s - 1) > loudest_moment
