"""Benchmark (never a test): a 60 s 9:16 reel with the follow crop against the same reel with the centre crop.

Footage: generated 1080p30 wing play (`footage.samples_wing`: the ball and fast players on one wing
per event, a panning camera, one camera cut), cached in .bench/. The reel is the 8 events, 7.5 s each.
Both renders run in this process, one after the other, on the same clips; the table gives wall times,
their ratio, the time the follow analysis itself takes, and the share of event frames with the ball
inside the 9:16 window (from the known ball positions and each reel's window path).

Run: `scripts/bench --follow` (or `python scripts/bench_follow.py [--runs N]`).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
from footage.samples_wing import WING_VERSION, WingTruth, synth_wing_play

from mcp_highlight.engine.plan.clip import Clip
from mcp_highlight.engine.render.reel import render
from mcp_highlight.engine.render.reframe import crop_size, follow_path
from mcp_highlight.engine.render.spec import FRAME_SIZES, RenderSpec

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / ".bench"
FPS = 30
TARGET_RATIO = 1.5


def footage(width: int, height: int, seconds: float) -> tuple[Path, WingTruth]:
    path = BENCH / f"wing-v{WING_VERSION}-{width}x{height}-{seconds:g}s.mp4"
    side = path.with_suffix(".truth.json")
    if not (path.exists() and side.exists()):
        BENCH.mkdir(exist_ok=True)
        print(f"generating {path.name} ...", file=sys.stderr)
        tmp = path.with_name("tmp-" + path.name)
        truth = synth_wing_play(tmp, duration_s=seconds, width=width, height=height)
        tmp.replace(path)
        side.write_text(truth.model_dump_json())
    return path, WingTruth.model_validate_json(side.read_text())


def ball_inside(truth: WingTruth, clips: list[Clip], lefts: list[np.ndarray], crop_w: int) -> float:
    hits = []
    for clip, left in zip(clips, lefts, strict=True):
        for n, x0 in enumerate(left):
            t = clip.start_s + n / FPS
            if any(a <= t < b for a, b in truth.events):
                x = truth.ball_at(t)[0] * truth.width
                hits.append(x0 <= x <= x0 + crop_w)
    return float(np.mean(hits))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--width", type=int, default=1920)
    parser.add_argument("--height", type=int, default=1080)
    parser.add_argument("--runs", type=int, default=1, help="render each reel this many times (best time is kept)")
    args = parser.parse_args()
    source, truth = footage(args.width, args.height, 100.0)
    clips = [Clip(source=source, start_s=a - 0.75, end_s=b + 0.75) for a, b in truth.events]
    reel_s = sum(c.end_s - c.start_s for c in clips)
    out = BENCH / "follow-bench"
    out.mkdir(parents=True, exist_ok=True)
    times: dict[str, float] = {}
    for _ in range(args.runs):
        for fit in ("crop", "follow"):
            started = time.perf_counter()
            render(RenderSpec(clips=clips, output=out / f"{fit}.mp4", aspect="9:16", fit=fit))  # type: ignore[arg-type]
            times[fit] = min(times.get(fit, float("inf")), time.perf_counter() - started)
    display = (truth.width, truth.height)
    (crop_w, _), _axis = crop_size(display, FRAME_SIZES["9:16"])
    started = time.perf_counter()
    paths = [
        follow_path(c.source, c.start_s, c.end_s - c.start_s, display=display, rotation=0, frame=FRAME_SIZES["9:16"], fps=FPS)
        for c in clips
    ]
    analysis_s = time.perf_counter() - started
    followed = ball_inside(truth, clips, [p.positions() for p in paths], crop_w)
    centred = ball_inside(truth, clips, [np.full(p.frames, (truth.width - crop_w) / 2) for p in paths], crop_w)
    step = max(p.largest_step_px() for p in paths)
    ratio = times["follow"] / times["crop"]
    print(f"machine: {platform.machine()} {platform.processor() or ''} {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"input: generated wing play {args.width}x{args.height}@30 (H.264), {len(clips)} moments, reel {reel_s:.1f} s 9:16")
    print()
    print("| 9:16 reel | render wall time | x centre crop | ball in frame (event frames) | largest move / frame |")
    print("|---|---|---|---|---|")
    print(f"| centre crop | {times['crop']:.1f} s | 1.00 | {centred:.0%} | 0 px |")
    print(f"| follow | {times['follow']:.1f} s | {ratio:.2f} | {followed:.0%} | {step:.1f} px ({step / truth.width:.1%} of the width) |")
    print()
    print(f"follow analysis alone (all {len(clips)} clips, low resolution): {analysis_s:.1f} s")
    verdict = "met" if ratio <= TARGET_RATIO else "NOT met"
    print(f"target: follow within {TARGET_RATIO}x of the centre crop: {verdict}")


if __name__ == "__main__":
    main()
