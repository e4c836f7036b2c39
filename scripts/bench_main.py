"""`scripts/bench`: the reel benchmark, or with `--broadcast` the broadcast- and event-style rows (see `--help`)."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_broadcast
import bench_reel
from bench_common import BENCH


def main(argv: list[str]) -> int:
    opts = bench_reel.parse_args(argv)
    started = time.perf_counter()
    if opts.broadcast:
        report = bench_broadcast.run(opts)
        report["bench_wall_s"] = time.perf_counter() - started
        (BENCH / "last-broadcast-report.json").write_text(json.dumps(report, indent=2))
        if opts.json:
            print(json.dumps(report, indent=2))
        else:
            bench_broadcast.print_report(report)
            print(f"(bench took {report['bench_wall_s']:.0f} s; JSON in .bench/last-broadcast-report.json)")
        return 0
    report = bench_reel.run(opts)
    report["bench_wall_s"] = time.perf_counter() - started
    report["load_avg_end_1m"] = round(os.getloadavg()[0], 2)
    report["options"] = {k: v for k, v in vars(opts).items() if isinstance(v, str | int | float | bool | tuple)}
    (BENCH / "last-report.json").write_text(json.dumps(report, indent=2))
    if opts.json:
        print(json.dumps(report, indent=2))
    else:
        bench_reel.print_report(report)
        print(f"(bench took {report['bench_wall_s']:.0f} s; JSON in .bench/last-report.json)")
    failed = [r for r in report.get("stages", []) if not r["ok"]]
    return 1 if failed or "input" not in report else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
