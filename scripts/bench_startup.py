"""Benchmark (never a test): what `mcp-highlight --help` costs to start, against a bare Python start.

Each command runs `--runs` times in a fresh process; CPU is the child's user+system time (from
`os.wait4`), wall its elapsed time. Rows: `python -c pass` (the baseline: the interpreter alone),
`mcp-highlight --help`, `mcp-highlight reel --help` (builds the flags from the edit model) and, for
contrast, importing the MCP server module (what the CLI no longer loads for --help). Ratios are against
the baseline's median in the same run.

Run: `scripts/bench --startup [--runs 7]`.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time

COMMANDS = {
    "python -c pass (baseline)": [sys.executable, "-c", "pass"],
    "mcp-highlight --help": [sys.executable, "-m", "mcp_highlight", "--help"],
    "mcp-highlight reel --help": [sys.executable, "-m", "mcp_highlight", "reel", "--help"],
    "import mcp_highlight.fronts.server (contrast)": [sys.executable, "-c", "import mcp_highlight.fronts.server"],
}


def measure(command: list[str]) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one run of `command`, its output discarded."""
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(command)} exited {child.returncode}")
    return usage.ru_utime + usage.ru_stime, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"load {os.getloadavg()[0]:.2f}; {args.runs} runs each, medians")  # fmt: skip
    print(f"{'command':<40} {'CPU s':>7} {'wall s':>7} {'CPU x baseline':>15}")
    baseline = None
    for label, command in COMMANDS.items():
        measure(command)  # warm the file cache
        runs = [measure(command) for _ in range(args.runs)]
        cpu = statistics.median(r[0] for r in runs)
        wall = statistics.median(r[1] for r in runs)
        baseline = baseline or cpu
        print(f"{label:<40} {cpu:>7.3f} {wall:>7.3f} {cpu / baseline:>15.1f}")


if __name__ == "__main__":
    main()
