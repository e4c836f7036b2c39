"""Replays found from the picture (engine/judge/replays.py), whatever the broadcaster's wipe looks like.

Pictures only: the live moment is given (the truth's goal), the crowd is left silent, so what is
found comes from the one pass over the picture (packet sizes and decoded keyframes). The variants
are the generator's replay graphics (tests/footage/synth/variants.py): fresh noise every frame,
flat colour bands, one graphic sliding across as a piece, and none at all; plus replays that
repeat the live frames in slow motion with no graphic, as a cheap production would.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from footage.synth.broadcast import broadcast_truth, synth_broadcast_picture
from footage.synth.broadcast_script import script
from footage.synth.encode import encode
from footage.synth.truth import RecordingTruth
from footage.synth.variants import PictureVariant
from scipy.ndimage import gaussian_filter

from mcp_highlight.engine.judge.audio_signals import ReadState
from mcp_highlight.engine.judge.replays import Replay, _LiveMatch, find_replays
from mcp_highlight.engine.judge.video_signals import THUMB, VideoWindows, read_video, scene_cuts

W = 0.5
SEEDS = (0, 1)
SECONDS = 240.0


def _picture(media_cache: Path, graphic: str, seed: int, early: bool = False) -> tuple[Path, RecordingTruth]:
    plan = script(SECONDS, seed, early_replay=early)
    path = media_cache / f"replay-picture-v1-{graphic}-{'early' if early else 'late'}-s{seed}.mp4"
    if not path.exists():
        tmp = path.with_name(f"tmp{os.getpid()}-{path.name}")
        variant = PictureVariant(replay_graphic=graphic, early_replay=early)  # type: ignore[arg-type]
        synth_broadcast_picture(tmp, duration_s=SECONDS, size=(640, 360), seed=seed, picture=variant)
        tmp.replace(path)
    return path, broadcast_truth(plan)


def _found(path: Path, truth: RecordingTruth) -> tuple[list[Replay], VideoWindows]:
    n = int(SECONDS / W) + 1
    video = read_video(path, n, W, 0.0, ReadState())
    goals = [(g.peak_s, g.peak_s) for g in truth.goals]
    return find_replays(video, scene_cuts(video), goals, np.zeros(n), W), video


def _covers(found: list[Replay], start: float, end: float) -> bool:
    return any(f.start_s <= start + 1 and end - 1 <= f.end_s for f in found)


def _check(media_cache: Path, graphic: str, early: bool = False) -> None:
    hits = total = 0
    for seed in SEEDS:
        path, truth = _picture(media_cache, graphic, seed, early)
        found, _ = _found(path, truth)
        hits += sum(_covers(found, r.start_s, r.end_s) for r in truth.replays)
        total += len(truth.replays)
        wrong = [f for f in found if not any(f.start_s < r.end_s and r.start_s < f.end_s for r in truth.replays)]
        assert not wrong, (graphic, seed, wrong, truth.replays)
    assert total and hits == total, (graphic, early, f"{hits}/{total}")


@pytest.mark.parametrize("early", [False, True], ids=["after-the-roar", "while-the-crowd-cheers"])
def test_replays_wiped_in_with_a_busy_animated_graphic_are_found(media_cache: Path, early: bool) -> None:
    _check(media_cache, "noise", early)


@pytest.mark.parametrize("early", [False, True], ids=["after-the-roar", "while-the-crowd-cheers"])
def test_replays_with_no_graphic_at_all_are_found_by_the_held_picture_at_each_end(
    media_cache: Path, early: bool
) -> None:
    _check(media_cache, "none", early)


def test_a_replay_cut_to_while_the_roar_still_swells_is_found_and_the_goal_stays_live(media_cache: Path) -> None:
    """The reaction's smoothed peak can fall a second or two inside an early replay: the replay is still
    found (it starts after the reaction's onset), and the live goal is not taken for its own replay."""
    from mcp_highlight.engine.judge.moments import FoundMoment, mark_replays

    path, truth = _picture(media_cache, "noise", SEEDS[0], early=True)
    n = int(SECONDS / W) + 1
    video = read_video(path, n, W, 0.0, ReadState())
    late = [(truth.moments[r.of].peak_s, r.start_s + 1.5) for r in truth.replays]
    found = find_replays(video, scene_cuts(video), late, np.zeros(n), W)
    assert all(_covers(found, r.start_s, r.end_s) for r in truth.replays), (found, truth.replays)
    onset, peak = late[0]
    goal = FoundMoment(peak_s=peak, onset_s=onset, anchor_s=max(onset, peak - 5), fade_s=peak + 6, score=1, rank=1)
    assert not mark_replays([goal], found)[0].replay


def test_a_stretch_where_another_big_reaction_starts_is_live_play_not_a_replay(media_cache: Path) -> None:
    """A second goal soon after the first: the crowd's new roar starting inside a stretch that looks like
    a replay of the first (transitions at each end) says it is live, so the stretch is not a replay."""
    path, truth = _picture(media_cache, "noise", SEEDS[0])
    n = int(SECONDS / W) + 1
    video = read_video(path, n, W, 0.0, ReadState())
    first = truth.replays[0]
    moments = [(g.peak_s, g.peak_s) for g in truth.goals] + [(first.start_s + 3.0, first.start_s + 5.0)]
    found = find_replays(video, scene_cuts(video), moments, np.zeros(n), W)
    assert not any(f.start_s < first.start_s + 3.0 < f.end_s for f in found), found
    assert all(_covers(found, r.start_s, r.end_s) for r in truth.replays[1:]), (found, truth.replays)


@pytest.mark.xfail(
    strict=True,
    reason="issue 15, not solved: a flat band or a graphic sliding as one piece costs few bits (packet sizes "
    "show nothing), and a 0.6 s wipe falls between keyframes (2 s apart at the densest, the only frames decoded); the "
    "generator's replay is a close-up of a live wide shot, so its keyframes do not match the live ones",
)
@pytest.mark.parametrize("graphic", ["flat", "slide"])
def test_replays_wiped_in_with_a_cheap_graphic_are_found(media_cache: Path, graphic: str) -> None:
    _check(media_cache, graphic)


def _slow_motion_replay(path: Path) -> None:
    """60 s at 320x180, 25 fps: a camera panning over a textured field with players running; the live
    action at 20-30 s; a cut to elsewhere; at 34.5 s a plain cut to the action of 22-30 s again, every
    frame shown twice (slow motion by repetition, no graphic), until 50.5 s; a plain cut back to play."""
    rng = np.random.default_rng(5)
    field = gaussian_filter(rng.normal(0, 1, (180, 2400)), 6)
    field = (field - field.min()) / np.ptp(field) * 180 + 30 + rng.normal(0, 8, field.shape)
    other = gaussian_filter(rng.normal(0, 1, (180, 320)), 4)
    other = ((other - other.min()) / np.ptp(other) * 120 + 60).astype(np.uint8)
    walk = gaussian_filter(rng.normal(0, 1, (60 * 25 + 1, 12, 2)).cumsum(axis=0), (10, 0, 0))
    walk = walk / np.abs(walk).max(axis=0) * np.array([140.0, 70.0]) + np.array([160.0, 90.0])

    def live(i: int) -> np.ndarray:
        x = int(i / 25 * 35) % (2400 - 320)
        grey = np.clip(field[:, x : x + 320], 0, 255).astype(np.uint8)
        for px, py in walk[i].astype(int):
            grey[max(0, py - 4) : py + 4, max(0, px - 3) : px + 3] = 250
        return np.repeat(grey[:, :, None], 3, axis=2)

    def at(i: int) -> np.ndarray:
        t = i / 25
        if 30 <= t < 34.5:
            return np.repeat(np.roll(other, i, axis=1)[:, :, None], 3, axis=2)
        if 34.5 <= t < 50.5:
            return live(22 * 25 + (i - int(34.5 * 25)) // 2)
        return live(i if t < 30 else i - 40 * 25)

    frames = (at(i) for i in range(60 * 25))
    encode(path, frames, None, size=(320, 180), frame_size=(320, 180), fps=25, keyint_s=1.0, scene_keyframes=False)


def test_a_replay_that_repeats_the_live_frames_in_slow_motion_is_found_with_no_graphic(media_cache: Path) -> None:
    path = media_cache / "replay-picture-v2-slow-repeat.mp4"
    if not path.exists():
        tmp = path.with_name(f"tmp{os.getpid()}-{path.name}")
        _slow_motion_replay(tmp)
        tmp.replace(path)
    n = 121
    video = read_video(path, n, W, 0.0, ReadState())
    found = find_replays(video, scene_cuts(video), [(27.0, 29.0)], np.zeros(n), W)
    assert len(found) == 1 and found[0].of_s == 29.0, found
    assert 33.5 <= found[0].start_s <= 35.5 and 49.5 <= found[0].end_s <= 51.5, found
    # Nothing is a replay of a moment that has none: the same picture, a moment at 5 s.
    assert find_replays(video, scene_cuts(video), [(3.0, 5.0)], np.zeros(n), W) == []


def test_keyframes_skipped_by_the_one_pass_are_decoded_where_asked_as_a_dense_pass_would(
    media_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The one pass decodes a keyframe every REFRESH_S; `fill_keyframes` adds the skipped ones inside
    the spans asked for (a seek per group), with the very thumbnails a pass decoding them all gives."""
    from mcp_highlight.engine.judge import video_signals

    path = media_cache / "replay-picture-v2-slow-repeat.mp4"
    if not path.exists():
        tmp = path.with_name(f"tmp{os.getpid()}-{path.name}")
        _slow_motion_replay(tmp)
        tmp.replace(path)
    sparse = read_video(path, 121, W, 0.0, ReadState())
    assert sparse.skipped and np.all(np.diff(sparse.key_times) >= video_signals.REFRESH_S - 0.01)
    video_signals.fill_keyframes(sparse, [(10.0, 20.0), (40.0, 45.0)])
    filled = {round(t, 3) for t in sparse.key_times}
    monkeypatch.setattr(video_signals, "REFRESH_S", video_signals.DENSE_S)
    dense = read_video(path, 121, W, 0.0, ReadState())
    assert not dense.skipped
    for t, thumb in zip(dense.key_times, dense.key_thumbs, strict=True):
        if 10.0 <= t <= 20.0 or 40.0 <= t <= 45.0:
            assert round(t, 3) in filled, t
            i = int(np.argmin(np.abs(sparse.key_times - t)))
            assert abs(sparse.key_times[i] - t) < 1e-6, t
            np.testing.assert_array_equal(sparse.key_thumbs[i], thumb)
    assert sum(10.0 <= t <= 20.0 for t in sparse.key_times) == sum(10.0 <= t <= 20.0 for t in dense.key_times)
    assert not [t for t in sparse.skipped if 10.0 <= t <= 20.0 or 40.0 <= t <= 45.0]


def _thumbs_windows(times: np.ndarray, thumbs: np.ndarray) -> VideoWindows:
    rows = thumbs.reshape(len(thumbs), -1).astype(np.float32)
    rows -= rows.mean(axis=1, keepdims=True)
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    return VideoWindows(
        frame_bytes=np.zeros(1), key_times=times, key_hists=np.zeros((len(times), 64)), key_thumbs=rows,
        packet_times=np.zeros(0), packet_sizes=np.zeros(0, np.int64), packet_keys=np.zeros(0, bool),
        median_key_bytes=0.0,
    )  # fmt: skip


def test_a_moment_in_the_first_minute_is_not_matched_by_any_wide_shot_after_it() -> None:
    """With no play before a goal 21 s in, the margin over "other play" is taken against the play after the
    stretch: a wide shot after the goal looks like the wide shot of the goal, and is no replay of it; a
    close-up of the action shown again is."""
    rng = np.random.default_rng(2)
    rows, cols = THUMB
    wide = gaussian_filter(rng.normal(0, 1, (rows, cols)), 2)  # the main camera's view of the pitch
    action = gaussian_filter(rng.normal(0, 1, (rows, cols)), 1.5)  # a close-up of the goal
    times = np.arange(0.0, 120.0, 2.0)

    def noisy(picture: np.ndarray) -> np.ndarray:
        return picture + rng.normal(0, 0.03, (rows, cols))

    thumbs = np.array([noisy(action) if 18 <= t <= 22 else noisy(wide) for t in times])
    video = _thumbs_windows(times, thumbs)
    assert not _LiveMatch(video)(36.0, 44.0, 21.0)  # more wide play: no replay
    thumbs[(times > 36) & (times < 44)] = noisy(action)
    assert _LiveMatch(_thumbs_windows(times, thumbs))(36.0, 44.0, 21.0)  # the action again: a replay


def test_keyframes_are_decoded_only_in_stretches_where_the_live_moment_seen_again_decides() -> None:
    """Two signs make a replay without the match; one sign and the match make one. Only the second
    kind of stretch has its skipped keyframes decoded (the costly part of the replay search)."""
    from mcp_highlight.engine.judge.replays import Transition, _keyframes_wanted, _Stretch

    times = np.arange(0.0, 100.0, 0.04)
    video = _thumbs_windows(np.arange(0.0, 100.0, 6.0), np.random.default_rng(0).normal(size=(17, 18 * 32)))
    stretch = _Stretch(video, times, np.zeros(times.size, bool), np.zeros(0), np.zeros(200), W)
    marks = [Transition(40.0, 40.5, 1.0), Transition(50.0, 50.0, 0.0), Transition(60.0, 60.5, 1.0)]
    wanted = _keyframes_wanted(stretch, marks, [(30.0, 32.0)])
    assert sorted(wanted) == [(40.5, 50.0), (50.0, 60.0)], wanted  # wipe to cut, cut to wipe: one sign each
