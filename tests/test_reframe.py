"""Follow-the-action crop: the window finds play on a wing, moves smoothly, jumps only at cuts, renders."""

from __future__ import annotations

import subprocess
from pathlib import Path

import av
import numpy as np
import pytest
from footage.samples_wing import WingTruth
from wing_media import wing_play

from mcp_highlight.engine.media.ffmpeg import ffmpeg_exe
from mcp_highlight.engine.plan.clip import Clip
from mcp_highlight.engine.render.action_track import ActionTrack, camera_shift
from mcp_highlight.engine.render.filters import fit_filters
from mcp_highlight.engine.render.reel import render
from mcp_highlight.engine.render.reframe import MAX_SPEED, CropPath, crop_size, follow, follow_path, plan_path
from mcp_highlight.engine.render.spec import RenderSpec

FPS = 30
VERTICAL = (1080, 1920)


@pytest.fixture(scope="module")
def wing(media_cache: Path) -> tuple[Path, WingTruth]:
    return wing_play(media_cache)


def _inside(truth: WingTruth, start_s: float, positions: np.ndarray, crop_w: int, event: tuple[float, float]) -> float:
    """Share of the event's frames whose ball centre lies inside the window."""
    hits = []
    for n, left in enumerate(positions):
        t = start_s + n / FPS
        if event[0] <= t < event[1]:
            x = truth.ball_at(t)[0] * truth.width
            hits.append(left <= x <= left + crop_w)
    return float(np.mean(hits))


def test_the_window_keeps_the_ball_in_frame_on_both_wings_where_a_centre_crop_loses_it(wing):
    path, truth = wing
    assert len(truth.events) == 2
    for event in truth.events:
        start, end = event[0] - 1.0, event[1] + 1.0
        crop = follow_path(
            path, start, end - start, display=(truth.width, truth.height), rotation=0, frame=VERTICAL, fps=FPS
        )
        width = crop.crop[0]
        followed = _inside(truth, start, crop.positions(), width, event)
        centred = _inside(truth, start, np.full(crop.frames, (truth.width - width) / 2), width, event)
        step = crop.largest_step_px()
        print(f"event {event}: ball in frame {followed:.0%} following, {centred:.0%} centre crop; "
              f"largest move {step:.1f}px/frame ({step / truth.width:.1%} of the width)")
        assert followed >= 0.9
        assert centred <= 0.2
        assert not crop.blur
        # speed is bounded: never more than the speed limit allows in one frame (cuts excluded)
        assert 0 < step <= MAX_SPEED * truth.width / FPS + 0.5


def test_at_a_camera_cut_the_window_jumps_to_the_other_wing_instead_of_sweeping(wing):
    path, truth = wing
    (cut,) = truth.cuts
    start = cut - 2.0
    crop = follow_path(path, start, 4.0, display=(truth.width, truth.height), rotation=0, frame=VERTICAL, fps=FPS)
    positions = crop.positions()
    at = round((cut - start) * FPS)
    before, after = positions[at - 1], positions[at]
    width = crop.crop[0]
    ball_before, ball_after = truth.ball_at(cut - 1 / FPS)[0] * truth.width, truth.ball_at(cut)[0] * truth.width
    assert before <= ball_before <= before + width
    assert after <= ball_after <= after + width  # already there on the first frame of the new shot
    assert abs(after - before) > width  # a jump of more than a window: no sweep across the cut
    assert crop.largest_step_px() <= MAX_SPEED * truth.width / FPS + 0.5  # the jump is the only fast move


def test_a_follow_reel_shows_the_ball_in_nine_of_ten_event_frames(wing, tmp_path):
    path, truth = wing
    (a1, b1), (a2, b2) = truth.events
    clips = [Clip(source=path, start_s=a1 - 0.5, end_s=b1 + 0.5), Clip(source=path, start_s=a2 - 0.5, end_s=b2 + 0.5)]
    result = render(RenderSpec(clips=clips, output=tmp_path / "follow.mp4", aspect="9:16", fit="follow"))
    assert (result.width, result.height) == VERTICAL
    seen = []
    with av.open(str(result.path)) as container:
        for i, frame in enumerate(container.decode(video=0)):
            t = i / FPS
            first = clips[0].end_s - clips[0].start_s
            src = clips[0].start_s + t if t < first else clips[1].start_s + t - first
            if a1 <= src < b1 or a2 <= src < b2:
                rgb = frame.to_ndarray(format="rgb24")[::4, ::4]
                seen.append(int((rgb.min(axis=2) > 225).sum()) > 20)  # the ball is the only white thing
    print(f"ball visible in {np.mean(seen):.1%} of {len(seen)} event frames of the rendered 9:16 follow reel")
    assert len(seen) > 300
    assert np.mean(seen) >= 0.9


def test_the_crop_expression_ffmpeg_evaluates_is_the_planned_path():
    keys = ((0, 10.0), (15, 10.0), (45, 100.0), (46, 300.0), (80, 260.0))
    crop = CropPath(axis="x", crop=(200, 360), display=(640, 360), keys=keys, frames=90)
    expression = crop.expression()
    evaluated = [eval(expression, {"max": max}, {"n": n}) for n in range(90)]  # same grammar for + * max
    assert np.allclose(evaluated, crop.positions(), atol=0.01)
    assert crop.largest_step_px() == pytest.approx(90 / 30)  # the cut (45 -> 46) is not a move
    chains = fit_filters("in", "out", display=(640, 360), frame=VERTICAL, fit="follow", tag="t", crop_path=crop)
    assert chains == [f"[in]crop=200:360:'{expression}':0,scale=1080:1920,setsar=1[out]"]


def test_inside_the_dead_zone_the_window_holds_still_and_it_brakes_without_overshoot():
    rng = np.random.default_rng(0)
    jitter = 300 + rng.uniform(-8, 8, size=120)
    jitter[0] = 300  # the window starts on the target; the jitter never leaves the 10 px dead zone around it
    held = follow(jitter, fps=FPS, dead_zone=10, max_speed=300, max_accel=900, lo=0, hi=1000)
    assert np.ptp(held) == 0
    step = np.concatenate([np.full(30, 100.0), np.full(120, 500.0)])
    moved = follow(step, fps=FPS, dead_zone=10, max_speed=300, max_accel=900, lo=0, hi=1000)
    assert moved.max() <= 500 and moved[-1] >= 480
    assert np.abs(np.diff(moved)).max() <= 300 / FPS + 1e-6
    assert np.abs(np.diff(moved, 2)).max() <= 900 / FPS**2 + 1e-6


def _track(profile_of_time, size=192, seconds=4.0) -> ActionTrack:
    times = np.arange(0.1, seconds, 0.1)
    return ActionTrack(
        axis="x", size=size, times=times, profiles=np.vstack([profile_of_time(t) for t in times]), duration_s=seconds
    )


def test_action_wider_than_the_window_falls_back_to_the_blurred_fill():
    wide = _track(lambda t: np.full(192, 10.0))
    crop = plan_path(wide, display=(640, 360), frame=VERTICAL, fps=FPS, frames=120)
    assert crop.blur
    narrow_profile = np.zeros(192)
    narrow_profile[20:30] = 50.0
    narrow = plan_path(_track(lambda t: narrow_profile), display=(640, 360), frame=VERTICAL, fps=FPS, frames=120)
    assert not narrow.blur
    assert narrow.positions()[0] == 0  # action at the left edge: the window starts there, not at the centre
    chains = fit_filters("in", "out", display=(640, 360), frame=VERTICAL, fit="follow", tag="t", crop_path=crop)
    assert any("boxblur" in c for c in chains)


def test_with_no_motion_the_window_stays_in_the_centre():
    still = plan_path(_track(lambda t: np.zeros(192)), display=(640, 360), frame=VERTICAL, fps=FPS, frames=120)
    width = crop_size((640, 360), VERTICAL)[0][0]
    assert np.allclose(still.positions(), (640 - width) / 2, atol=1)


def test_a_panning_camera_is_measured_and_taken_out():
    rng = np.random.default_rng(1)
    a = rng.uniform(0, 255, size=(108, 192)).astype(np.float32)
    b = np.roll(a, (2, -5), axis=(0, 1))
    window = np.outer(np.hanning(108), np.hanning(192)).astype(np.float32)
    assert camera_shift(a, b, window) == (2, -5)


def test_a_long_busy_path_is_still_an_expression_ffmpeg_accepts():
    """Pins a bug: FFmpeg's parser refused a flat sum of ~100 hinges (a 7.5 s clip of 1080p play had more)."""
    keys = tuple((2 * i, float((37 * i) % 300)) for i in range(400))
    crop = CropPath(axis="x", crop=(608, 1080), display=(1920, 1080), keys=keys, frames=800)
    chains = fit_filters("in", "out", display=(1920, 1080), frame=VERTICAL, fit="follow", tag="t", crop_path=crop)
    graph = ";".join(["[0:v]null[in]", *chains])
    done = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30:d=0.2",
         "-filter_complex", graph, "-map", "[out]", "-f", "null", "-"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def test_a_pan_over_mowing_stripes_is_not_mistaken_for_a_jump_of_one_stripe(media_cache):
    """Pins a bug: in 720p and 1080p play the stripes (16 px apart at analysis size, the grain averaged away)
    made phase correlation pick a shift one stripe off, so the whole pitch looked like motion and the window
    chased nothing (ball in frame 72 % of the event; now the least-residue candidate shift wins)."""
    path, truth = wing_play(media_cache, width=1280, height=720, duration_s=16.0)
    (event,) = truth.events
    start, end = event[0] - 0.75, event[1] + 0.75
    crop = follow_path(path, start, end - start, display=(1280, 720), rotation=0, frame=VERTICAL, fps=FPS)
    assert _inside(truth, start, crop.positions(), crop.crop[0], event) >= 0.9
