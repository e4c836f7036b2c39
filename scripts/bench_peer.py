"""The benchmark's peer: auto-editor 23.32.1 doing its loudness edit, in its own venv under .bench/.

auto-editor is the closest open tool to what we do (analyse loudness, keep the loud parts). It is set up
by the benchmark itself, the first time, so the comparison is reproducible on a fresh machine:

- `.bench/peer-venv`, with auto-editor installed `--no-deps` and its real needs pinned by hand: its
  metadata asks for av==10.0.0 and pillow==10.0.0, but av 10 has no wheel for current Pythons, and the
  audio edit never touches PyAV (auto-editor reads audio from a WAV that ffmpeg extracts), so av 12.0
  (the oldest with wheels) stands in. `ae-ffmpeg` ships no Linux binary, so
- the peer uses Debian's `ffmpeg`/`ffprobe` on PATH (installed with apt-get when missing and we are root).
  Our own code never uses that ffmpeg: it uses imageio-ffmpeg's static binary and PyAV.

We only ask auto-editor for its timeline (`--export json`), not a render: its kept ranges are what we score.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

PEER_VERSION = "23.32.1"
_PINS = ("numpy<2", "pillow==10.0.0", "av==12.0.0")
_NO_DEPS = (f"auto-editor=={PEER_VERSION}", "ae-ffmpeg==1.1.2")


@dataclass
class Peer:
    exe: Path
    version: str
    ffmpeg_version: str


class PeerUnavailable(Exception):
    """Why the peer cannot run here; the benchmark prints it instead of failing."""


def _run(cmd: list[str], what: str) -> str:
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise PeerUnavailable(f"{what} failed: {' | '.join(tail)}")
    return done.stdout


def _ensure_ffmpeg(log: callable) -> str:
    if not (shutil.which("ffmpeg") and shutil.which("ffprobe")):
        if os.geteuid() != 0 or not shutil.which("apt-get"):
            raise PeerUnavailable("auto-editor needs ffmpeg and ffprobe on PATH (apt-get install ffmpeg)")
        log("installing Debian's ffmpeg for the peer (apt-get) ...")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for cmd in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "ffmpeg"]):
            done = subprocess.run(cmd, capture_output=True, text=True, env=env)
            if done.returncode != 0:
                raise PeerUnavailable(f"{' '.join(cmd)} failed: {done.stderr.strip()[-200:]}")
    first = _run(["ffmpeg", "-version"], "ffmpeg -version").splitlines()[0]
    return first.replace("ffmpeg version", "").split()[0]


def ensure_peer(bench_dir: Path, log: callable = lambda message: print(message, file=sys.stderr)) -> Peer:
    """Set up (once) and return the peer, or raise PeerUnavailable with the reason."""
    ffmpeg_version = _ensure_ffmpeg(log)
    venv = bench_dir / "peer-venv"
    exe = venv / "bin" / "auto-editor"
    stamp = venv / f".ready-{PEER_VERSION}"
    if not stamp.exists():
        log(f"setting up auto-editor {PEER_VERSION} in {venv} ...")
        base_python = getattr(sys, "_base_executable", None) or sys.executable
        _run([base_python, "-m", "venv", str(venv)], "creating the peer venv")
        pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        _run([*pip, *_PINS], "pip install " + " ".join(_PINS))
        _run([*pip, "--no-deps", *_NO_DEPS], "pip install --no-deps " + " ".join(_NO_DEPS))
        stamp.touch()
    version = _run([str(exe), "--version"], "auto-editor --version").strip()
    return Peer(exe=exe, version=version, ffmpeg_version=ffmpeg_version)


def peer_command(
    peer: Peer, source: Path, out_json: Path, temp_dir: Path, *, threshold: float, margin: tuple[float, float]
) -> list[str]:
    """auto-editor's loudness edit, exported as its v3 JSON timeline (kept ranges, no render)."""
    return [
        str(peer.exe),
        str(source),
        "--edit",
        f"audio:threshold={threshold:g}",
        "--margin",
        f"{margin[0]:g}s,{margin[1]:g}s",
        "--export",
        "json",
        "--output",
        str(out_json),
        "--temp-dir",
        str(temp_dir),
        "--my-ffmpeg",
        "--no-open",
        "--progress",
        "none",
    ]


def clear_peer_cache(temp_dir: Path) -> None:
    """auto-editor caches its loudness levels next to its temp dir (`ae-23w32a/`): start cold.

    `temp_dir`'s parent must be ours alone: it is emptied.
    """
    shutil.rmtree(temp_dir.parent, ignore_errors=True)
    temp_dir.parent.mkdir(parents=True, exist_ok=True)


def kept_spans(timeline_json: Path) -> list[tuple[float, float]]:
    """Source ranges (seconds) that auto-editor kept at normal speed, from its v3 timeline."""
    data = json.loads(timeline_json.read_text())
    tb = Fraction(data["timebase"])
    layers = data.get("v") or data.get("a") or []
    spans: list[tuple[float, float]] = []
    for layer in layers[:1]:
        for clip in layer:
            speed = float(clip.get("speed", 1.0))
            if speed <= 0 or speed >= 99999:
                continue
            start = float(Fraction(clip["offset"]) / tb)
            length = float(Fraction(clip["dur"]) * Fraction(speed) / tb)
            spans.append((start, start + length))
    return spans
