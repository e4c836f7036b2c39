"""Broadcast-style and event-style rows of the benchmark (`scripts/bench --broadcast`).

For each generated recording (several seeds, 5–20 min, 720p and 1080p, 1–2 s keyframes): our
analysis speed and peak memory (fresh process), then the 90 s and 60 s reels scored against the
ground truth (tests/footage/synth/score.py), next to two loudness edits on the same file in the
same call: auto-editor (its threshold whose reel is nearest the target, its first 90 s if longer)
and "loudest", the plain baseline of the loudest windows of our own loudness signal.
Then analysis speed on 30-minute 1080p files with 1 s, 2 s and 10 s (long-GOP) keyframe intervals.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_common  # noqa: E402
import bench_peer  # noqa: E402

CASES = [  # kind, minutes, (w, h), keyframe interval s, seed
    ("broadcast", 10, (1280, 720), 2.0, 0),
    ("broadcast", 15, (1920, 1080), 1.0, 1),
    ("broadcast", 20, (1280, 720), 2.0, 2),
    ("broadcast", 5, (1920, 1080), 2.0, 3),
    ("event", 6, (1280, 720), 1.0, 0),
]
SPEED_KEYINTS = (1.0, 2.0, 10.0)
PEER_THRESHOLDS = (0.04, 0.08, 0.12, 0.2, 0.3, 0.45)


def _media(kind: str, minutes: float, size: tuple[int, int], keyint: float, seed: int) -> Path:
    from footage.synth.broadcast import BROADCAST_VERSION, synth_broadcast
    from footage.synth.event_recording import EVENT_VERSION, synth_event

    version = BROADCAST_VERSION if kind == "broadcast" else EVENT_VERSION
    folder = bench_common.BENCH / "media-broadcast"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{kind}-v{version}-{minutes:g}m-{size[1]}p-k{keyint:g}-s{seed}.mp4"
    if not path.exists():
        bench_common.say(f"generating {path.name} (once) ...")
        t0 = time.perf_counter()
        tmp = path.with_name("tmp-" + path.name)
        generate = synth_broadcast if kind == "broadcast" else synth_event
        truth = generate(tmp, duration_s=minutes * 60, size=size, keyint_s=keyint, seed=seed)
        tmp.replace(path)
        truth.save(path)
        bench_common.say(f"  generated in {time.perf_counter() - t0:.0f} s")
    return path


def _loudest(analysis: Any, target_s: float, clip_s: float = 8.0) -> list[tuple[float, float]]:
    """The naive baseline: the loudest `clip_s` windows (by our loudness signal) until the target is filled."""
    loud = np.asarray(analysis.signals.get("loudness", analysis.score), dtype=float)
    w = analysis.window_s
    k = max(1, round(clip_s / w))
    sums = np.convolve(loud, np.ones(k), mode="valid")
    taken: list[tuple[float, float]] = []
    for i in np.argsort(-sums):
        a = i * w
        if all(a + clip_s <= s or a >= e for s, e in taken):
            taken.append((a, a + clip_s))
        if len(taken) * clip_s >= target_s:
            break
    return sorted(taken)


def _peer(path: Path, target_s: float) -> tuple[list[tuple[float, float]], str] | None:
    try:
        peer = bench_peer.ensure_peer(bench_common.BENCH, log=bench_common.say)
    except bench_peer.PeerUnavailable as exc:
        bench_common.say(f"auto-editor unavailable: {exc}")
        return None
    work = bench_common.BENCH / "peer-broadcast"
    temp = work / "tmp" / "run"
    bench_peer.clear_peer_cache(temp)
    best: tuple[float, list[tuple[float, float]], float] | None = None
    for threshold in PEER_THRESHOLDS:
        out = work / f"timeline-{threshold:g}.json"
        out.unlink(missing_ok=True)
        cmd = bench_peer.peer_command(peer, path, out, temp, threshold=threshold, margin=(1.0, 1.0))
        measured = bench_common.run_measured(cmd, log_path=work / "peer.log")
        if measured.returncode != 0 or not out.exists():
            return None
        kept = bench_peer.kept_spans(out)
        length = sum(b - a for a, b in kept)
        if best is None or abs(length - target_s) < abs(best[2] - target_s):
            best = (threshold, kept, length)
    assert best is not None
    threshold, kept, length = best
    label = f"auto-editor {threshold:.0%}"
    if length > target_s * 1.1:
        kept, label = bench_common.trim(kept, target_s), f"{label}, first {target_s:g} s of {length:.0f} s"
    return kept, label


def run(opts: argparse.Namespace) -> dict[str, Any]:
    from footage.synth.score import score_reel
    from footage.synth.truth import load_recording_truth

    from mcp_highlight.engine.judge.analysis import Analysis
    from mcp_highlight.engine.plan.planner import PlanRequest, plan_reel

    env = bench_common.engine_env()
    rows: list[dict[str, Any]] = []
    speed: list[dict[str, Any]] = []
    cases = CASES[: opts.cases] if opts.cases else CASES
    for kind, minutes, size, keyint, seed in cases:
        path = _media(kind, minutes, size, keyint, seed)
        truth = load_recording_truth(path)
        bench = bench_common.Bench(work=bench_common.BENCH / "run-broadcast")
        shutil.rmtree(bench.work, ignore_errors=True)
        row, info = bench.stage("probe", "probe", {"source": str(path)}, env)
        if not row.ok:
            continue
        bench.source_s = info["duration_s"]
        row, data = bench.stage("analyse_cold", f"analyse {path.name}", {"info": info, "cache_dir": None}, env)
        if data is None:
            continue
        analysis = Analysis.model_validate(data)
        label = f"{kind} {minutes:g} min {size[1]}p k{keyint:g}s seed {seed}"
        speed.append({"input": label, "x_realtime": row.x_realtime, "peak_mb": row.peak_mb})
        for target in (90.0, 60.0):
            plan = plan_reel([analysis], PlanRequest(target_s=target))
            edits = {"ours": [(m.start_s, m.end_s) for m in plan.moments], "loudest": _loudest(analysis, target)}
            if not opts.skip_peer:
                peer = _peer(path, target)
                if peer:
                    edits[peer[1]] = peer[0]
            for name, kept in edits.items():
                s = score_reel(truth, kept)
                rates = {"goal_recall": s.goal_recall, "moment_recall": s.moment_recall}
                rates["not_highlight_share"] = s.not_highlight_share
                rows.append({"input": label, "reel_s": target, "edit": name, **s.model_dump(), **rates})
    if not opts.skip_speed:
        from footage import samples

        for keyint in SPEED_KEYINTS:
            base = _media("broadcast", 10, (1920, 1080), keyint, 10)
            long_path = base.with_name(f"long3x-{base.name}")
            if not long_path.exists():
                samples.concat_copies(long_path, base, 3)
            bench = bench_common.Bench(work=bench_common.BENCH / "run-broadcast")
            row, info = bench.stage("probe", "probe", {"source": str(long_path)}, env)
            bench.source_s = info["duration_s"]
            row, _ = bench.stage("analyse_cold", f"analyse 30 min k{keyint:g}", {"info": info, "cache_dir": None}, env)
            label = f"30 min 1080p, keyframe every {keyint:g} s"
            speed.append({"input": label, "x_realtime": row.x_realtime, "peak_mb": row.peak_mb})
    return {"machine": bench_common.machine_info(), "quality": rows, "speed": speed}


def print_report(report: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=160)
    table = Table(title="broadcast- and event-style recordings: reels against the ground truth", title_justify="left")
    for col in ("input", "reel", "edit", "goals", "moments", "not-highlight", "duplicates", "clips", "kept s"):
        table.add_column(col, justify="left" if col in ("input", "edit") else "right")
    for r in report["quality"]:
        table.add_row(
            r["input"], f"{r['reel_s']:.0f} s", r["edit"], f"{r['goals_found']}/{r['goals']}",
            f"{r['moments_found']}/{r['moments']} ({r['moment_recall']:.0%})", f"{r['not_highlight_share']:.1%}",
            str(r["duplicates"]), str(r["clips"]), f"{r['kept_s']:.0f}",
        )  # fmt: skip
    console.print(table)
    table = Table(title="analysis speed (fresh process, no cache)", title_justify="left")
    for col in ("input", "x real time", "peak MB"):
        table.add_column(col, justify="left" if col == "input" else "right")
    for r in report["speed"]:
        table.add_row(r["input"], bench_common.fmt(r["x_realtime"], ".0f"), bench_common.fmt(r["peak_mb"], ".0f"))
    console.print(table)
    m = report["machine"]
    console.print(f"machine: {m['cpu']}, {m['usable_cores']} cores, load {m['load_avg_1m']} at start", highlight=False)
