"""What every benchmark shares: running a command while sampling its process tree's memory, running one
engine stage in a fresh process (`Bench.stage`), the machine's description, and small formatting helpers."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BENCH = ROOT / ".bench"

_PAGE = os.sysconf("SC_PAGE_SIZE")


def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(b")", 1)[1].split()[1])
        kids.setdefault(ppid, []).append(int(entry))
    return kids


def _tree_rss(root: int) -> int:
    kids = _children()
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(kids.get(pid, ()))
        try:
            with open(f"/proc/{pid}/statm", "rb") as fh:
                total += int(fh.read().split()[1]) * _PAGE
        except (OSError, IndexError, ValueError):
            pass
    return total


@dataclass
class Measured:
    returncode: int
    wall_s: float
    peak_bytes: int
    stderr_tail: str


def run_measured(
    cmd: list[str], *, log_path: Path, env: dict[str, str] | None = None, interval: float = 0.1
) -> Measured:
    """Run `cmd`, sampling its process tree's RSS; wall time is the whole process's life."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "wb") as log:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
        peak = 0
        stop = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not stop.is_set():
                peak = max(peak, _tree_rss(proc.pid))
                stop.wait(interval)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        stop.set()
        sampler.join()
    tail = log_path.read_text(errors="replace").strip().splitlines()[-6:]
    return Measured(proc.returncode, wall, max(peak, usage.ru_maxrss * 1024), "\n".join(tail))


def _worker_progress(name: str) -> Callable[[float, str], None]:
    last = [0.0]

    def report(fraction: float, message: str) -> None:
        now = time.monotonic()
        if now - last[0] >= 2.0:
            last[0] = now
            print(f"[{name}] {fraction:5.1%} {message}", file=sys.stderr, flush=True)

    return report


def _stage_worker(name: str, args_path: Path, out_path: Path) -> int:
    """Run one engine stage; write {"elapsed_s", "result"} to out_path. Imports happen before the clock starts."""
    args = json.loads(args_path.read_text())
    from mcp_highlight.engine.judge.analysis import Analysis
    from mcp_highlight.engine.media.info import MediaInfo

    progress = _worker_progress(name)
    if name == "probe":
        from mcp_highlight.engine.media.probe import probe

        start = time.perf_counter()
        result: Any = probe(Path(args["source"]), max_bytes=1 << 40)  # the upload cap is policy, not engine
    elif name.startswith("analyse"):
        from mcp_highlight.engine.judge.analyse import analyse

        info = MediaInfo.model_validate(args["info"])
        cache_dir = Path(args["cache_dir"]) if args.get("cache_dir") else None
        start = time.perf_counter()
        result = analyse(info, progress=progress, cache_dir=cache_dir)
    elif name == "plan":
        from mcp_highlight.engine.plan.planner import PlanRequest, plan_reel

        analysis = Analysis.model_validate(args["analysis"])
        start = time.perf_counter()
        result = plan_reel([analysis], PlanRequest(target_s=args["target_s"]))
    elif name.startswith("render"):
        from mcp_highlight.engine.plan.planner import Plan
        from mcp_highlight.engine.render.reel import render
        from mcp_highlight.engine.render.spec import RenderSpec, TitleSpec

        plan = Plan.model_validate(args["plan"])
        spec = RenderSpec(
            clips=plan.clips(),
            output=Path(args["output"]),
            aspect=args["aspect"],
            title=TitleSpec(text=args["title"]) if args.get("title") else None,
        )
        start = time.perf_counter()
        result = render(spec, progress=progress)
    elif name == "e2e":
        from mcp_highlight.engine.judge.analyse import analyse
        from mcp_highlight.engine.media.probe import probe
        from mcp_highlight.engine.plan.planner import PlanRequest, plan_reel
        from mcp_highlight.engine.render.reel import render
        from mcp_highlight.engine.render.spec import RenderSpec

        start = time.perf_counter()
        info = probe(Path(args["source"]), max_bytes=1 << 40)
        analysis = analyse(info, progress=progress, cache_dir=None)
        plan = plan_reel([analysis], PlanRequest(target_s=args["target_s"]))
        result = render(RenderSpec(clips=plan.clips(), output=Path(args["output"]), aspect="16:9"), progress=progress)
    else:
        raise SystemExit(f"unknown stage {name}")
    elapsed = time.perf_counter() - start
    out_path.write_text(json.dumps({"elapsed_s": elapsed, "result": result.model_dump(mode="json")}))
    return 0


@dataclass
class StageRow:
    name: str
    ok: bool
    wall_s: float | None = None
    process_s: float | None = None
    x_realtime: float | None = None
    peak_mb: float | None = None
    note: str = ""


@dataclass
class Bench:
    source_s: float = 0.0
    rows: list[StageRow] = field(default_factory=list)
    work: Path = BENCH / "run"

    def stage(self, name: str, label: str, args: dict[str, Any], env: dict[str, str]) -> tuple[StageRow, Any]:
        say(f"▶ {label} ...")
        self.work.mkdir(parents=True, exist_ok=True)
        args_path = self.work / f"{name}.args.json"
        out_path = self.work / f"{name}.out.json"
        out_path.unlink(missing_ok=True)
        args_path.write_text(json.dumps(args))
        cmd = [sys.executable, str(Path(__file__).resolve()), "_stage", name, str(args_path), str(out_path)]
        measured = run_measured(cmd, log_path=self.work / f"{name}.log", env=env)
        row = StageRow(name=label, ok=measured.returncode == 0 and out_path.exists())
        row.process_s = measured.wall_s
        row.peak_mb = measured.peak_bytes / 1e6
        result = None
        if row.ok:
            payload = json.loads(out_path.read_text())
            row.wall_s = payload["elapsed_s"]
            row.x_realtime = self.source_s / row.wall_s if row.wall_s > 0 and self.source_s else None
            result = payload["result"]
            say(f"  {label}: {row.wall_s:.2f} s, peak {row.peak_mb:.0f} MB")
        else:
            row.note = "failed: " + (measured.stderr_tail.splitlines() or ["?"])[-1][:160]
            say(f"  {label} FAILED (exit {measured.returncode}):\n{measured.stderr_tail}")
        self.rows.append(row)
        return row, result


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def engine_env() -> dict[str, str]:
    """The stage processes' environment: PATH without any system ffmpeg, so the engine cannot lean on one."""
    paths = [p for p in os.environ.get("PATH", "").split(os.pathsep) if p and not (Path(p) / "ffmpeg").exists()]
    return {**os.environ, "PATH": os.pathsep.join(paths), "PYTHONUNBUFFERED": "1"}


def machine_info() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram_gb = int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    import av

    from mcp_highlight.engine.media.ffmpeg import ffmpeg_exe

    libs = getattr(av, "library_versions", {})
    avcodec = ".".join(map(str, libs.get("libavcodec", ()))) or "?"
    ffmpeg_line = subprocess.run([ffmpeg_exe(), "-version"], capture_output=True, text=True).stdout.splitlines()
    ffmpeg_bin = ffmpeg_line[0].replace("ffmpeg version", "").split()[0] if ffmpeg_line else "?"
    ffmpeg_lib = getattr(av, "ffmpeg_version_info", None)
    return {
        "load_avg_1m": round(os.getloadavg()[0], 2),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "ram_gb": round(ram_gb, 1) if ram_gb else None,
        "os": platform.platform(terse=True),
        "python": platform.python_version(),
        "pyav": av.__version__,
        "pyav_ffmpeg": f"{ffmpeg_lib or '?'} (libavcodec {avcodec})",
        "ffmpeg_binary": f"imageio-ffmpeg {ffmpeg_bin}",
    }


def trim(spans: list[tuple[float, float]], length_s: float) -> list[tuple[float, float]]:
    """The first `length_s` seconds of an edit (its kept spans in order)."""
    out, left = [], length_s
    for a, b in sorted(spans):
        if left <= 1e-6:
            break
        out.append((a, min(b, a + left)))
        left -= out[-1][1] - a
    return out


def fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


if __name__ == "__main__":  # `bench_common.py _stage NAME ARGS OUT`: one engine stage, in its own process
    raise SystemExit(_stage_worker(sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4])))
