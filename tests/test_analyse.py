"""analyse finds the true highlights of a synthetic game and not its distractors, in every degraded case."""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import threading
from pathlib import Path

import numpy as np
import pytest
from conftest import MakeGame
from footage.samples import GroundTruth

from mcp_highlight.core.errors import OperationCancelledError
from mcp_highlight.engine.judge import cache as analysis_cache
from mcp_highlight.engine.judge.analyse import analyse
from mcp_highlight.engine.judge.analysis import Analysis
from mcp_highlight.engine.media.ffmpeg import ffmpeg_exe
from mcp_highlight.engine.media.probe import probe

Span = tuple[float, float]


def _max_in(analysis: Analysis, spans: list[Span], pad_after: float = 0.0) -> list[float]:
    centres = analysis.times() + analysis.window_s / 2
    scores = analysis.scores()
    return [float(scores[(centres >= a) & (centres <= b + pad_after)].max()) for a, b in spans]


def _calm(analysis: Analysis, truth: GroundTruth) -> np.ndarray:
    centres = analysis.times() + analysis.window_s / 2
    mask = np.ones(len(centres), dtype=bool)
    for a, b in [*truth.events, *truth.loud_only, *truth.motion_only, *truth.replays]:
        mask &= ~((centres >= a - 2) & (centres <= b + 7))
    return analysis.scores()[mask]


def _peaks(analysis: Analysis, count: int, gap_s: float = 10.0) -> list[float]:
    """Times of the `count` highest scores at least `gap_s` apart."""
    scores = analysis.scores().copy()
    times = analysis.times() + analysis.window_s / 2
    found: list[float] = []
    for _ in range(count):
        i = int(np.argmax(scores))
        found.append(float(times[i]))
        scores[np.abs(times - times[i]) < gap_s] = -1
    return found


@pytest.fixture(scope="module")
def game_analysis(game_clip: tuple[Path, GroundTruth]) -> Analysis:
    return analyse(probe(game_clip[0]))


def test_every_event_outscores_every_distractor(game_analysis: Analysis, game_clip: tuple[Path, GroundTruth]) -> None:
    _, truth = game_clip
    events = _max_in(game_analysis, truth.events, pad_after=3)
    distractors = _max_in(game_analysis, [(a - 1, b + 1) for a, b in [*truth.loud_only, *truth.motion_only]])
    assert min(events) > 0.8
    assert max(distractors) < 0.5
    assert min(events) > 2 * max(distractors)


def test_the_highest_peaks_fall_on_the_true_events(
    game_analysis: Analysis, game_clip: tuple[Path, GroundTruth]
) -> None:
    _, truth = game_clip
    for peak in _peaks(game_analysis, len(truth.events)):
        assert any(a - 1 <= peak <= b + 6 for a, b in truth.events), f"peak at {peak} is not an event"


def test_calm_play_scores_near_zero(game_analysis: Analysis, game_clip: tuple[Path, GroundTruth]) -> None:
    calm = _calm(game_analysis, game_clip[1])
    assert calm.size > 50
    assert float(np.percentile(calm, 95)) < 0.1


def test_scene_cuts_are_found_where_the_picture_cuts(
    game_analysis: Analysis, game_clip: tuple[Path, GroundTruth]
) -> None:
    truth = game_clip[1]
    found = np.asarray(game_analysis.scene_cuts)
    # Cuts are read from packet sizes: the busy patch of play popping in may read as one more.
    assert len(truth.cuts) <= len(found) <= len(truth.cuts) + 1
    for cut in truth.cuts:
        assert np.min(np.abs(found - cut)) < 0.5, f"missed cut at {cut}"


def test_the_curve_covers_the_file_with_named_signals(
    game_analysis: Analysis, game_clip: tuple[Path, GroundTruth]
) -> None:
    n = math.ceil(game_clip[1].duration_s / 0.5)
    assert len(game_analysis.score) == n
    assert {"motion", "crowd", "coupled", "loudness", "flux"} <= set(game_analysis.signals)
    for name, values in game_analysis.signals.items():
        assert len(values) == n, name
        assert min(values) >= 0.0 and max(values) <= 1.0, name
    assert game_analysis.has_audio and game_analysis.has_motion
    assert not game_analysis.cached and game_analysis.content_hash


def test_without_sound_motion_alone_still_finds_the_action(silent_game: tuple[Path, GroundTruth]) -> None:
    path, truth = silent_game
    analysis = analyse(probe(path))
    assert not analysis.has_audio and analysis.has_motion
    assert "crowd" not in analysis.signals
    assert min(_max_in(analysis, truth.events)) > 0.5
    assert float(np.percentile(_calm(analysis, truth), 95)) < 0.1


def test_with_a_frozen_picture_the_crowd_alone_finds_the_events(static_game: tuple[Path, GroundTruth]) -> None:
    path, truth = static_game
    analysis = analyse(probe(path))
    assert analysis.has_audio and not analysis.has_motion
    assert max(analysis.signals["motion"]) == 0
    events = _max_in(analysis, truth.events, pad_after=3)
    assert min(events) > 0.5
    # A horn is as loud as the roar, but tonal: it scores below every roar.
    assert max(_max_in(analysis, truth.loud_only)) < min(events)
    assert float(np.percentile(_calm(analysis, truth), 95)) < 0.1


def test_a_second_analysis_comes_from_the_cache(game_clip: tuple[Path, GroundTruth], tmp_path: Path) -> None:
    path = game_clip[0]
    first = analyse(probe(path), cache_dir=tmp_path)
    assert not first.cached
    assert analysis_cache.cache_file(tmp_path, first.content_hash, 0.5).exists()
    copy = tmp_path / "renamed.mp4"
    shutil.copy(path, copy)
    messages: list[str] = []
    again = analyse(probe(copy), cache_dir=tmp_path, progress=lambda f, m: messages.append(m))
    assert again.cached and again.source == str(copy)
    assert again.score == first.score and again.scene_cuts == first.scene_cuts
    assert not any(m.startswith("Analysing") for m in messages)
    other_window = analyse(probe(path), cache_dir=tmp_path, window_s=1.0)
    assert not other_window.cached and len(other_window.score) == math.ceil(len(first.score) / 2)


def test_the_content_hash_changes_when_the_file_does(game_clip: tuple[Path, GroundTruth], tmp_path: Path) -> None:
    same = tmp_path / "same bytes, another name.mp4"
    shutil.copy(game_clip[0], same)
    os.utime(same, (1, 1))  # and another date: only the content counts
    assert analysis_cache.content_hash(same) == analysis_cache.content_hash(game_clip[0])
    copy = tmp_path / "edited.mp4"
    data = bytearray(game_clip[0].read_bytes())
    data[1000:1100] = bytes(100)  # same size, different bytes in the sampled head
    copy.write_bytes(bytes(data))
    assert analysis_cache.content_hash(copy) != analysis_cache.content_hash(game_clip[0])


def test_progress_rises_to_one_with_readable_messages(silent_game: tuple[Path, GroundTruth]) -> None:
    seen: list[tuple[float, str]] = []
    analyse(probe(silent_game[0]), progress=lambda f, m: seen.append((f, m)))
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and fractions[0] >= 0.0
    assert any(m == "Analysing motion" for _, m in seen)


def test_cancelling_from_progress_stops_both_readers(game_clip: tuple[Path, GroundTruth], tmp_path: Path) -> None:
    calls: list[str] = []

    def cancel(fraction: float, message: str) -> None:
        calls.append(message)
        if message.startswith("Analysing"):
            raise OperationCancelledError("Cancelled by the user.")

    with pytest.raises(OperationCancelledError):
        analyse(probe(game_clip[0]), progress=cancel, cache_dir=tmp_path)
    assert calls[-1] == "Analysing motion and audio"
    assert not [t for t in threading.enumerate() if t.name.startswith("analyse-") and t.is_alive()]
    assert not list(tmp_path.rglob("*.json")), "a cancelled analysis must not be cached"


def test_a_truncated_file_is_analysed_as_far_as_it_goes(game_clip: tuple[Path, GroundTruth], tmp_path: Path) -> None:
    whole = tmp_path / "whole.mp4"
    subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-i", str(game_clip[0]), "-c", "copy", "-movflags", "+faststart", str(whole)],
        check=True,
    )
    half = tmp_path / "half.mp4"
    half.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    info = probe(half)
    analysis = analyse(info)
    assert len(analysis.score) == math.ceil(info.duration_s / 0.5)
    assert analysis.warnings and "ends early" in analysis.warnings[0]
    first_event = game_clip[1].events[0]
    assert first_event[1] < info.duration_s
    assert _max_in(analysis, [first_event], pad_after=3)[0] > 0.8


@pytest.mark.parametrize("ext", ["mkv", "webm", "avi", "mov"])
def test_other_containers_analyse_too(make_game: MakeGame, ext: str) -> None:
    path, truth = make_game(f"container.{ext}", duration_s=6, width=320, height=180, seed=1)
    info = probe(path)
    analysis = analyse(info)
    assert analysis.has_audio and analysis.has_motion
    assert len(analysis.score) == math.ceil(info.duration_s / 0.5) >= 12
    ((a, b),) = truth.events
    peak = float(analysis.times()[int(np.argmax(analysis.scores()))])
    assert a - 1 <= peak <= b + 3, f"peak at {peak}, event at {a}..{b}"


def test_a_variable_frame_rate_game_still_finds_its_event(make_game: MakeGame) -> None:
    path, truth = make_game("vfr.mkv", duration_s=16, width=320, height=180, variable_fps=True, seed=1)
    info = probe(path)
    assert info.video is not None and info.video.variable_fps
    analysis = analyse(info)
    peak = float(analysis.times()[int(np.argmax(analysis.scores()))])
    ((a, b),) = truth.events
    assert a - 1 <= peak <= b + 3


@pytest.mark.parametrize(
    ("fmt", "layout", "stored", "expected"),
    [
        ("s16", "stereo", [16384, -16384, 16384, 16384], [0.0, 0.5]),
        ("fltp", "stereo", [[0.5, 1.0], [0.5, 0.0]], [0.5, 0.5]),
        ("u8", "mono", [192, 64], [0.5, -0.5]),
    ],
)
def test_audio_frames_of_any_sample_format_become_mono_floats(
    fmt: str, layout: str, stored: list, expected: list[float]
) -> None:
    import av

    from mcp_highlight.engine.judge.audio_signals import mono_samples

    dtype = {"s16": np.int16, "fltp": np.float32, "u8": np.uint8}[fmt]
    array = np.asarray(stored, dtype=dtype)
    frame = av.AudioFrame.from_ndarray(
        array.reshape(len(stored), -1) if fmt == "fltp" else array.reshape(1, -1), format=fmt, layout=layout
    )
    frame.sample_rate = 48000
    assert np.allclose(mono_samples(frame), expected)


def test_an_impossible_window_length_is_refused(silent_game: tuple[Path, GroundTruth]) -> None:
    from mcp_highlight.core.errors import ImpossibleRequestError

    with pytest.raises(ImpossibleRequestError, match="window of 0 s"):
        analyse(probe(silent_game[0]), window_s=0)


@pytest.mark.parametrize(
    ("cores", "codec", "profile", "threads"),
    [
        (1, "h264", "High", 1),
        (2, "h264", "Constrained Baseline", 1),
        (2, "h264", "High", 2),
        (2, "hevc", "Main", 2),
        (8, "h264", "Baseline", 7),
        (8, "vp9", None, 8),
    ],
)
def test_keyframes_get_every_core_the_sound_does_not_need(
    monkeypatch: pytest.MonkeyPatch, cores: int, codec: str, profile: str | None, threads: int
) -> None:
    """The sound's reader is one thread: cheap keyframes (H.264 without CABAC) leave it a core,
    dear ones (CABAC, HEVC, VP9) make the picture the slower reader, so it gets them all."""
    from mcp_highlight.engine.judge import video_signals

    monkeypatch.setattr(video_signals.os, "sched_getaffinity", lambda _pid: set(range(cores)), raising=False)
    assert video_signals.decode_threads(codec, profile) == threads
