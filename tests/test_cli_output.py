"""Issue 16, row 20: the command line as a new user meets it: `--help` loads only what it needs, and a
piped reel prints a few readable progress lines, not hundreds of the engine's inner step names.

The start-up cost itself is measured by `scripts/bench --startup`, never timed here.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from footage.samples import synth_clip
from mcp_harness import MEDIA_CACHE

HEAVY = ("av", "numpy", "scipy", "mcp.server", "uvicorn", "httpx", "starlette", "mcp_highlight.engine.judge.analyse")


@pytest.fixture(scope="module")
def clip() -> Path:
    path = MEDIA_CACHE / "cli-clip-640x360-30s.mp4"
    if not path.exists():
        synth_clip(path, duration_s=30, width=640, height=360)
    return path


def test_help_loads_neither_the_engine_nor_the_server() -> None:
    probe = (
        "import sys; from mcp_highlight.fronts import cli; cli.build_parser().format_help(); "
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.strip() == "", f"--help imported {done.stdout.strip()}"
    shown = subprocess.run(
        [sys.executable, "-m", "mcp_highlight", "reel", "--help"], capture_output=True, text=True, timeout=120
    )
    assert shown.returncode == 0 and "--duration" in shown.stdout and "--timeline" in shown.stdout


def test_a_piped_reel_prints_a_few_lines_in_plain_words(tmp_path: Path, clip: Path) -> None:
    env = {**os.environ, "MCP_HIGHLIGHT_HOME": str(tmp_path / "home")}
    out = tmp_path / "reel.mp4"
    done = subprocess.run(
        [sys.executable, "-m", "mcp_highlight", "reel", str(clip), "--duration", "10s", "--clips", str(tmp_path / "c"),
         "-o", str(out)],
        capture_output=True, text=True, env=env, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    progress = [line for line in lines if line.split(" ")[0].rstrip(".") in ("Checking", "Analysing", "Rendering")]
    assert len(lines) <= 25, "\n".join(lines)
    assert len(progress) <= 3 + 3 * 2, progress  # one per stage, plus one per 10 s (the stages here are short)
    for leak in ("Uploaded", "Edit applied", "Done", "Mixing", "Clip 1 of"):
        assert leak not in done.stderr, done.stderr
