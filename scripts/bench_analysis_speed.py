"""Analysis speed before and after, in one call (`scripts/bench --analysis-speed [--baseline REF]`).

Analyses the same 30-minute 1080p broadcast (2 s keyframes, three stream-copied 10-minute games)
with the code at a baseline git revision (its package unpacked into .bench/baseline-REV) and with this
checkout, each in a fresh process, alternating `--repeats` times so a change of machine load hits
both, and prints wall time, x real time, CPU time and peak memory with the after/before ratios.
Targets: >= 300x real time and < 500 MB (issue 15), on 2 cores.

Two encodings of the same picture and sound: as generated (x264 ultrafast: CAVLC, no deblocking,
the cheapest H.264 to decode) and re-encoded as a broadcaster or a camera would (x264 veryfast:
CABAC and deblocking, 1.9 Mb/s to stay under the 500 MB limit, the same 2 s keyframes), where each keyframe costs several times more
to decode. `--input generated|broadcast|both` picks (default both; the second is encoded once, a
few minutes, and cached in .bench).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_broadcast  # noqa: E402
import bench_common  # noqa: E402

TARGET_X, TARGET_MB = 300.0, 500.0
RUNNER = """
import json, resource, sys, time
sys.meta_path[:] = [f for f in sys.meta_path if "ditable" not in repr(f)]  # this tree, not the installed one
sys.path.insert(0, sys.argv[1])
from pathlib import Path
try:
    from mcp_highlight.engine.media.probe import probe
    from mcp_highlight.engine.judge.analyse import analyse
except ImportError:  # revisions before the package move
    from mcp_highlight.engine.probe import probe
    from mcp_highlight.engine.analyse import analyse
path = Path(sys.argv[2])
started = time.perf_counter()
info = probe(path)
analyse(info)
wall = time.perf_counter() - started
use = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"wall_s": wall, "cpu_s": use.ru_utime + use.ru_stime, "duration_s": info.duration_s}))
"""


def _generated() -> Path:
    return bench_broadcast._media("broadcast", 10, (1920, 1080), 2.0, 10)


def _long_file() -> Path:
    from footage.samples import concat_copies

    base = _generated()
    long_path = base.with_name(f"long3x-{base.name}")
    if not long_path.exists():
        concat_copies(long_path, base, 3)
    return long_path


def _broadcast_encoded(generated: Path) -> Path:
    """The generated 10-minute game re-encoded with CABAC and deblocking at 1.9 Mb/s (about the most a
    30-minute file carries under the 500 MB limit), three times over."""
    from footage.samples import concat_copies

    from mcp_highlight.engine.media.ffmpeg import ffmpeg_exe

    base = generated.with_name(f"cabac2m-{generated.name}")
    if not base.exists():
        bench_common.say(f"encoding {base.name} (once, a few minutes) ...")
        tmp = base.with_name(f"tmp-{base.name}")
        video = ["-c:v", "libx264", "-preset", "veryfast", "-g", "50", "-keyint_min", "50", "-sc_threshold", "0"]
        rate = ["-b:v", "1900k", "-maxrate", "2400k", "-bufsize", "4M", "-pix_fmt", "yuv420p"]
        cmd = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-i", str(generated), *video, *rate]
        subprocess.run([*cmd, "-c:a", "copy", str(tmp)], check=True)
        tmp.replace(base)
    long_path = base.with_name(f"long3x-{base.name}")
    if not long_path.exists():
        concat_copies(long_path, base, 3)
    return long_path


def _checkout(rev: str) -> Path:
    sha = subprocess.run(["git", "rev-parse", "--short", rev], capture_output=True, text=True, check=True).stdout.strip()
    where = bench_common.BENCH / f"baseline-{sha}"
    if not (where / "mcp_highlight").exists():
        where.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "archive", sha, "mcp_highlight"], capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(where)], input=archive, check=True)
    return where


def _run(tree: Path, media: Path, label: str) -> dict[str, float]:
    cmd = [sys.executable, "-c", RUNNER, str(tree), str(media)]
    measured = bench_common.run_measured(cmd, log_path=bench_common.BENCH / "analysis-speed" / f"{label}.log")
    if measured.returncode != 0:
        raise SystemExit(f"{label} failed:\n{measured.stderr_tail}")
    lines = (bench_common.BENCH / "analysis-speed" / f"{label}.log").read_text().strip().splitlines()
    result = json.loads(next(line for line in reversed(lines) if line.startswith("{")))
    return {**result, "peak_mb": measured.peak_bytes / 1e6, "x_realtime": result["duration_s"] / result["wall_s"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default="HEAD~1", help="git revision to compare with (default HEAD~1)")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--input", choices=("generated", "broadcast", "both"), default="both")
    opts = parser.parse_args()
    inputs = {}
    if opts.input in ("generated", "both"):
        inputs["generated (CAVLC)"] = _long_file()
    if opts.input in ("broadcast", "both"):
        inputs["broadcast (CABAC)"] = _broadcast_encoded(_generated())
    trees = {"before": _checkout(opts.baseline), "after": bench_common.ROOT}
    runs: dict[tuple[str, str], list[dict[str, float]]] = {(i, t): [] for i in inputs for t in trees}
    for i in range(opts.repeats):
        for label, media in inputs.items():
            for name, tree in trees.items():
                bench_common.say(f"▶ analyse {label} ({name}, run {i + 1}) ...")
                runs[label, name].append(_run(tree, media, f"{name}-{label.split()[0]}-{i}"))
    med = {key: {k: statistics.median(r[k] for r in rs) for k in rs[0]} for key, rs in runs.items()}
    machine = bench_common.machine_info()
    print(f"machine: {machine['cpu']}, {machine['usable_cores']} cores, load {machine['load_avg_1m']} at the end")
    print(f"before = {opts.baseline} ({trees['before'].name}), after = this checkout; median of {opts.repeats} runs")
    met = True
    for label, media in inputs.items():
        minutes = med[label, "after"]["duration_s"] / 60
        print(f"\ninput: {label}: {media.name} ({minutes:.0f} min 1080p, keyframe every 2 s)")
        print(f"{'':8} {'wall s':>8} {'x real time':>12} {'CPU s':>8} {'peak MB':>8}")
        for name in trees:
            m = med[label, name]
            print(f"{name:8} {m['wall_s']:8.2f} {m['x_realtime']:12.0f} {m['cpu_s']:8.2f} {m['peak_mb']:8.0f}")
        a, b = med[label, "after"], med[label, "before"]
        print(
            f"{'ratio':8} {a['wall_s'] / b['wall_s']:8.2f} {a['x_realtime'] / b['x_realtime']:12.2f} "
            f"{a['cpu_s'] / b['cpu_s']:8.2f} {a['peak_mb'] / b['peak_mb']:8.2f}"
        )
        met = met and a["x_realtime"] >= TARGET_X and a["peak_mb"] < TARGET_MB
    print(f"\ntarget >= {TARGET_X:g}x real time and < {TARGET_MB:g} MB on every input: {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
