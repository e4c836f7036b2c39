"""Shot cuts read from packet sizes alone (no decoding): a cut's P-frame is nearly all intra blocks, so it
costs about what a keyframe of the new scene costs, however costly other scenes of the file are."""

from __future__ import annotations

import numpy as np

from mcp_highlight.engine.judge.video_signals import THUMB, VideoWindows, packet_cuts

FPS, GOP_S = 25, 2.0


def _windows(sizes: np.ndarray) -> VideoWindows:
    t = np.arange(sizes.size) / FPS
    keys = np.zeros(sizes.size, bool)
    keys[:: int(GOP_S * FPS)] = True
    return VideoWindows(
        frame_bytes=np.zeros(1),
        key_times=np.zeros(0),
        key_hists=np.zeros((0, 64)),
        key_thumbs=np.zeros((0, THUMB[0] * THUMB[1]), np.float32),
        packet_times=t,
        packet_sizes=sizes.astype(np.int64),
        packet_keys=keys,
        median_key_bytes=float(np.median(sizes[keys])),
    )


def _at(t: float) -> int:
    return round(t * FPS)


def _game() -> np.ndarray:
    """120 s: a busy ad break (keyframes 200 kB) for the first half, then plain play (keyframes 50 kB,
    frames about 3 kB), with a hard cut into a close-up at 90.44 s and a still picture from 100 s to
    110 s in which the players start moving at 105.32 s."""
    rng = np.random.default_rng(3)
    sizes = rng.normal(3000, 200, _at(120)).clip(1000)
    sizes[: _at(60)] = rng.normal(20000, 2000, _at(60))
    keys = np.arange(0, sizes.size, int(GOP_S * FPS))
    sizes[keys] = np.where(keys < _at(60), 200_000, 50_000)
    sizes[_at(90.44)] = 19_000  # the cut: cheap next to the ad break's keyframes, a third of its own scene's
    sizes[_at(90.48) : _at(92)] = rng.normal(5000, 300, _at(92) - _at(90.48))
    sizes[_at(92)] = 53_000
    still = (np.arange(sizes.size) >= _at(100)) & (np.arange(sizes.size) < _at(110))
    sizes[still] = 11
    sizes[keys[(keys >= _at(100)) & (keys < _at(110))]] = 1000  # a held picture's keyframes are tiny...
    sizes[_at(105.32)] = 874  # ...so the first frame of motion in it is a spike, but no cut
    sizes[_at(106)] = 3000  # the next keyframe shows the moving picture
    sizes[_at(106) + 1 : _at(110)] = 400
    return sizes


def test_a_cut_into_a_plain_close_up_is_found_though_other_scenes_cost_far_more() -> None:
    cuts = packet_cuts(_windows(_game()))
    assert any(abs(c - 90.44) < 0.05 for c in cuts), cuts


def test_motion_starting_in_a_still_picture_is_not_a_cut() -> None:
    cuts = packet_cuts(_windows(_game()))
    assert not any(100 <= c < 110 for c in cuts), cuts
