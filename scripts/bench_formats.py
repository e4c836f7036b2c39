"""Benchmark (never a test): analysis and render cost of big and HDR sources against a plain 1080p30 H.264 baseline.

Sources, all one generated game (cached in .bench/): the baseline 1080p30 H.264, the same game upscaled to
4K60 H.264, and as HEVC Main10 HLG (BT.2020) at 1080p30. Each stage runs in its own Python process: the
parent samples the resident memory of that process tree (the stage and any ffmpeg it starts); wall time is
measured inside the stage around the engine call (imports excluded). Ratios are against the baseline row
of the same run. The render is a 16:9 reel of three 5 s clips (re-encoded: HDR is tone-mapped, 4K scaled).

Run: `scripts/bench --formats [--seconds 30] [--runs 1]`.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BENCH = ROOT / ".bench"
sys.path.insert(0, str(HERE))

HLG = "zscale=tin=bt709:min=bt709:pin=bt709:rin=tv:t=arib-std-b67:m=bt2020nc:p=bt2020:r=tv:npl=203,format=yuv420p10le"
SOURCES = {
    "1080p30 H.264 (baseline)": (),
    "4K60 H.264": ("-vf", "scale=3840:2160:flags=bicubic,fps=60", "-c:v", "libx264", "-preset", "veryfast",
                   "-crf", "23", "-c:a", "copy"),
    "1080p30 HEVC Main10 HLG": ("-vf", HLG, "-c:v", "libx265", "-preset", "fast", "-x265-params", "log-level=error",
                                "-tag:v", "hvc1", "-color_primaries", "bt2020", "-color_trc", "arib-std-b67",
                                "-colorspace", "bt2020nc", "-c:a", "copy"),
}  # fmt: skip


def make_sources(seconds: float) -> dict[str, Path]:
    from footage import samples

    from mcp_highlight.engine.media.ffmpeg import ffmpeg_exe

    BENCH.mkdir(exist_ok=True)
    base = BENCH / f"formats-base-{seconds:g}s.mp4"
    if not base.exists():
        print(f"generating {base.name} ...", file=sys.stderr)
        samples.synth_game(base.with_name("tmp-" + base.name), duration_s=seconds, width=1920, height=1080, seed=4)
        base.with_name("tmp-" + base.name).replace(base)
    paths = {}
    for label, args in SOURCES.items():
        if not args:
            paths[label] = base
            continue
        slug = label.split()[0].lower() + "-" + label.split()[1].lower().replace(".", "")
        path = BENCH / f"formats-{slug}-{seconds:g}s.mp4"
        if not path.exists():
            print(f"encoding {label} ...", file=sys.stderr)
            tmp = path.with_name("tmp-" + path.name)
            cmd = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-i", str(base), *args, str(tmp)]
            subprocess.run(cmd, check=True)
            tmp.replace(path)
        paths[label] = path
    return paths


def stage(name: str, source: Path, out: Path) -> dict[str, float]:
    """Run in the child process: one engine stage on `source`, timed around the engine call."""
    from mcp_highlight.engine.judge.analyse import analyse
    from mcp_highlight.engine.media.probe import probe
    from mcp_highlight.engine.render.reel import render
    from mcp_highlight.engine.render.spec import Clip, RenderSpec

    started = time.perf_counter()
    info = probe(source, max_bytes=None)
    if name == "analyse":
        analyse(info)
        return {"seconds": time.perf_counter() - started, "duration": info.duration_s}
    step = info.duration_s / 3
    clips = [Clip(source=source, start_s=i * step + 1, end_s=i * step + 6) for i in range(3)]
    result = render(RenderSpec(clips=clips, output=out, allow_stream_copy=False), probed={source.absolute(): info})
    return {"seconds": time.perf_counter() - started, "duration": result.duration_s, "fps": result.fps}


def measure(name: str, source: Path) -> dict[str, float]:
    from bench_common import run_measured

    out = BENCH / "formats-out.json"
    reel = BENCH / f"formats-reel-{source.stem}.mp4"
    cmd = [sys.executable, __file__, "--stage", name, str(source), str(reel), str(out)]
    run = run_measured(cmd, log_path=BENCH / f"formats-{name}.log", env={**os.environ, "MCP_HIGHLIGHT_LOG_LEVEL": "warning"})
    if run.returncode != 0:
        raise SystemExit(f"{name} failed on {source.name}:\n{run.stderr_tail}")
    return {**json.loads(out.read_text()), "peak_mb": run.peak_bytes / 2**20}


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="scripts/bench --formats", description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="length of the generated game (default 30)")
    parser.add_argument("--runs", type=int, default=1, help="runs per stage; the median is shown")
    parser.add_argument("--stage", nargs=4, help=argparse.SUPPRESS)
    opts = parser.parse_args(argv)
    if opts.stage:
        name, source, reel, out = opts.stage
        Path(out).write_text(json.dumps(stage(name, Path(source), Path(reel))))
        return
    from bench_common import machine_info

    sources = make_sources(opts.seconds)
    rows = []
    for label, path in sources.items():
        runs = [(measure("analyse", path), measure("render", path)) for _ in range(opts.runs)]
        runs.sort(key=lambda r: r[0]["seconds"] + r[1]["seconds"])
        analysed, rendered = runs[len(runs) // 2]
        rows.append((label, path, analysed, rendered))
    machine = machine_info()
    print(f"\nmachine: {machine['cpu']}, {machine['usable_cores']} usable cores, {machine['ram_gb']} GB RAM, "
          f"load {machine['load_avg_1m']}; {machine['pyav_ffmpeg']}; {machine['ffmpeg_binary']}")  # fmt: skip
    print(f"source: one generated {opts.seconds:g} s game; median of {opts.runs} run(s); reel: 3 x 5 s, 1080p\n")
    header = "| source | analysis x real time | analysis peak MB | render s (15 s reel) | vs baseline | render peak MB | reel fps |"
    print(header)
    print("|---" * (header.count("|") - 1) + "|")
    baseline = rows[0][3]["seconds"]
    for label, _, analysed, rendered in rows:
        speed = analysed["duration"] / analysed["seconds"]
        print(
            f"| {label} | {speed:.0f}x | {analysed['peak_mb']:.0f} | {rendered['seconds']:.1f} | "
            f"{rendered['seconds'] / baseline:.2f}x | {rendered['peak_mb']:.0f} | {rendered['fps']:g} |"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
