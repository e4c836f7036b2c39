"""The synthetic game really contains what its ground truth says, so analysis tests can trust it."""

from __future__ import annotations

import itertools
from pathlib import Path

import av
import numpy as np
import pytest
from footage.samples import (
    ROAR_LAG_S,
    GroundTruth,
    _layout,
    load_truth,
    long_game,
    make_sample,
    media_duration,
)


def _loudness_db(path: Path) -> np.ndarray:
    """Mean-square level per second, in dB, of the first audio track."""
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        rate = stream.codec_context.sample_rate
        chunks = [frame.to_ndarray().mean(axis=0) for frame in container.decode(stream)]
    samples = np.concatenate(chunks)
    seconds = len(samples) // rate
    power = (samples[: seconds * rate].reshape(seconds, rate) ** 2).mean(axis=1)
    return 10 * np.log10(power + 1e-12)


def _packet_bytes_per_second(path: Path) -> np.ndarray:
    """Bytes of non-key video packets per second: how much the picture changes."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        total: dict[int, int] = {}
        for packet in container.demux(stream):
            if packet.pts is None or packet.is_keyframe or packet.time_base is None:
                continue
            second = int(packet.pts * packet.time_base)
            total[second] = total.get(second, 0) + packet.size
    out = np.zeros(max(total) + 1)
    for second, size in total.items():
        out[second] = size
    return out


def _inside(second: int, spans: list[tuple[float, float]], pad: float = 0.0) -> bool:
    return any(a - pad <= second + 0.5 <= b + pad for a, b in spans)


def test_game_has_the_events_and_distractors_its_truth_lists(game_clip: tuple[Path, GroundTruth]) -> None:
    path, truth = game_clip
    assert len(truth.events) == 3 and len(truth.loud_only) == 1 and len(truth.motion_only) == 1
    spans = sorted([*truth.events, *truth.loud_only, *truth.motion_only, *truth.replays])
    assert all(a < b <= c for (a, b), (c, _) in itertools.pairwise(spans)), "spans overlap"
    assert abs(media_duration(path) - truth.duration_s) < 0.2
    assert load_truth(path) == truth


def test_the_crowd_roars_after_events_and_the_horn_is_as_loud(game_clip: tuple[Path, GroundTruth]) -> None:
    path, truth = game_clip
    db = _loudness_db(path)
    calm = [s for s in range(len(db)) if not _inside(s, [*truth.events, *truth.loud_only], pad=5)]
    baseline = float(np.median(db[calm]))
    for a, b in truth.events:
        roar = db[int(a + ROAR_LAG_S + 2) : int(b)]
        assert roar.min() > baseline + 10, f"no roar after event at {a}"
    for a, b in truth.loud_only:
        assert db[int(a) + 1 : int(b)].min() > baseline + 10
    for a, b in truth.motion_only:
        assert db[int(a) : int(b)].max() < baseline + 4, "motion-only span should sound calm"


def test_action_makes_big_video_packets_and_loud_only_spans_do_not(game_clip: tuple[Path, GroundTruth]) -> None:
    path, truth = game_clip
    per_second = _packet_bytes_per_second(path)
    calm = [s for s in range(len(per_second)) if not _inside(s, [*truth.events, *truth.motion_only, *truth.replays], 2)]
    calm_level = float(np.median(per_second[calm]))
    for a, b in [*truth.events, *truth.motion_only]:
        assert np.median(per_second[int(a) + 1 : int(b)]) > 5 * calm_level
    for a, b in truth.loud_only:
        assert np.median(per_second[int(a) + 1 : int(b)]) < 3 * calm_level


def test_layout_fits_short_games_and_keeps_at_least_one_event() -> None:
    for duration in (6, 20):
        events, loud, motion = _layout(duration, distractors=True, seed=0)
        assert len(events) == 1
        assert all(0 < a < b <= duration for a, b in [*events, *loud, *motion])
    events, loud, motion = _layout(600, distractors=True, seed=3)
    assert len(events) == 15 and len(loud) == 6 and len(motion) == 6


def test_long_game_repeats_the_base_with_shifted_truth(game_clip: tuple[Path, GroundTruth], media_cache: Path) -> None:
    base, truth = game_clip
    out = media_cache / "long-test.mp4"
    combined = long_game(out, base, 3)
    step = media_duration(base)
    assert abs(media_duration(out) - 3 * step) < 0.5
    assert len(combined.events) == 3 * len(truth.events)
    assert combined.events[len(truth.events)][0] == pytest.approx(truth.events[0][0] + step)
    assert load_truth(out) == combined


def test_make_sample_writes_a_720p_demo_game(tmp_path: Path) -> None:
    truth = make_sample(tmp_path / "demo.mp4", minutes=0.25)
    with av.open(str(tmp_path / "demo.mp4")) as container:
        video = container.streams.video[0]
        assert (video.codec_context.width, video.codec_context.height) == (1280, 720)
        assert container.streams.audio
    assert truth.events and truth.duration_s == 15


def test_synth_clip_still_makes_a_plain_clip(short_clip: Path) -> None:
    with av.open(str(short_clip)) as container:
        assert container.streams.video[0].codec_context.width == 320
        assert container.streams.audio
