"""Quick analysis benchmark: x-real-time and peak memory of probe + analyse on a synthetic 1080p30 game.

    python scripts/bench_analyse_quick.py [--minutes 10] [--repeats 1] [--dir ~/.cache/mcp-highlight-bench]

Makes (once) a `--minutes` game, optionally stream-copies it `--repeats` times into a long file,
then analyses it without the cache in a fresh process state and prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

from footage.samples import load_truth, long_game, synth_game, truth_path

from mcp_highlight.engine.judge.analyse import analyse
from mcp_highlight.engine.media.probe import probe


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--dir", type=Path, default=Path.home() / ".cache" / "mcp-highlight-bench")
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    base = args.dir / f"game-{args.minutes:g}min-1080p.mp4"
    if not (base.exists() and truth_path(base).exists()):
        t = time.perf_counter()
        synth_game(base, duration_s=args.minutes * 60, width=1920, height=1080, fps=30)
        print(f"generated {base.name} in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    target = base
    if args.repeats > 1:
        target = args.dir / f"game-{args.minutes:g}min-x{args.repeats}-1080p.mp4"
        if not (target.exists() and truth_path(target).exists()):
            long_game(target, base, args.repeats)
    truth = load_truth(target)
    started = time.perf_counter()
    info = probe(target, max_bytes=1 << 40)
    probed = time.perf_counter()
    analysis = analyse(info)
    done = time.perf_counter()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = {
        "file": target.name,
        "size_mb": round(info.size_bytes / 2**20, 1),
        "duration_s": info.duration_s,
        "probe_s": round(probed - started, 3),
        "analyse_s": round(done - probed, 2),
        "x_realtime": round(info.duration_s / (done - started), 1),
        "peak_rss_mb": round(peak_mb, 1),
        "events": len(truth.events),
        "scene_cuts": len(analysis.scene_cuts),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
