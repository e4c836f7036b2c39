"""The static ffmpeg binary from imageio-ffmpeg (never a system ffmpeg), run with progress and cancellation."""

from __future__ import annotations

import collections
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterable
from functools import cache
from typing import IO

import imageio_ffmpeg

from mcp_highlight.core.errors import HighlightError
from mcp_highlight.core.logs import get_logger
from mcp_highlight.core.progress import ProgressFn

log = get_logger(__name__)

_POLL_S = 0.25
_REPORT_EVERY_S = 0.5
_STDERR_KEEP = 200
_ERROR_LINES = 6
_ERROR_CHARS = 1200
_OUT_TIME = re.compile(r"^out_time_(?:us|ms)=(-?\d+)$")


@cache
def ffmpeg_exe() -> str:
    return imageio_ffmpeg.get_ffmpeg_exe()


def run_ffmpeg(args: list[str], *, duration_s: float, progress: ProgressFn, message: str = "Rendering") -> None:
    """Run ffmpeg with `args` (everything after the binary), reporting `message N%` from its `-progress` output.

    `progress` is called at least twice a second, whether or not ffmpeg has said anything, so it
    doubles as the cancellation point: if it raises, ffmpeg is stopped (terminate, then kill) and
    the exception is re-raised. A non-zero exit raises HighlightError with ffmpeg's last error lines.
    """
    quiet = ["-hide_banner", "-nostdin", "-nostats", "-loglevel", "error", "-progress", "pipe:1"]
    cmd = [*_dying_with_us(), ffmpeg_exe(), *quiet, *args]
    log.debug("ffmpeg.start", args=args[:60])
    proc = subprocess.Popen(
        cmd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group: a terminal's Ctrl-C goes to us, we stop it
    )
    state = _ProgressState()
    stderr_tail: collections.deque[str] = collections.deque(maxlen=_STDERR_KEEP)
    assert proc.stdout is not None and proc.stderr is not None
    readers = [
        threading.Thread(target=_read_progress, args=(proc.stdout, state), daemon=True),
        threading.Thread(target=_drain, args=(proc.stderr, stderr_tail), daemon=True),
    ]
    for reader in readers:
        reader.start()
    total = max(duration_s, 1e-6)
    last_report = 0.0
    try:
        progress(0.0, f"{message} 0%")
        while True:
            try:
                proc.wait(timeout=_POLL_S)
                break
            except subprocess.TimeoutExpired:
                pass
            now = time.monotonic()
            if now - last_report >= _REPORT_EVERY_S:
                last_report = now
                fraction = min(max(state.out_time_s / total, 0.0), 0.999)
                progress(fraction, f"{message} {int(fraction * 100)}%")
    except BaseException:
        _stop(proc)
        raise
    finally:
        for reader in readers:
            reader.join(timeout=5)
        proc.stdout.close()
        proc.stderr.close()
    if proc.returncode != 0:
        detail = _summarise_stderr(stderr_tail)
        log.warning("ffmpeg.failed", returncode=proc.returncode, detail=detail)
        raise HighlightError(
            f"FFmpeg failed (exit {proc.returncode}): {detail or 'no error output'}",
            hint="Check that the input files are readable media; if they are, this is a bug worth reporting.",
        )
    progress(1.0, f"{message} 100%")


@cache
def _dying_with_us() -> tuple[str, ...]:
    """`setpriv --pdeathsig KILL --` before ffmpeg on Linux: the kernel SIGKILLs ffmpeg when the thread
    that started it dies, even by kill -9 of the server (that thread waits on ffmpeg until it exits).
    setpriv is util-linux's (essential on Debian and Ubuntu); without it ffmpeg is started bare.

    Not a `preexec_fn`: Python code in a child forked from a threaded process can deadlock before exec
    (the child clears the other threads' state; freeing a PyAV scaler there waits forever on its slice
    threads, which the child does not have), and without one the child is spawned with vfork."""
    if not sys.platform.startswith("linux"):
        return ()
    setpriv = shutil.which("setpriv")
    return (setpriv, "--pdeathsig", "KILL", "--") if setpriv else ()


class _ProgressState:
    def __init__(self) -> None:
        self.out_time_s = 0.0


def _read_progress(stream: IO[bytes], state: _ProgressState) -> None:
    for raw in iter(stream.readline, b""):
        match = _OUT_TIME.match(raw.decode("utf-8", "replace").strip())
        if match:
            state.out_time_s = int(match.group(1)) / 1e6


def _drain(stream: IO[bytes], tail: collections.deque[str]) -> None:
    for raw in iter(stream.readline, b""):
        line = raw.decode("utf-8", "replace").rstrip()
        if line:
            tail.append(line)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop ffmpeg at once: its output is a scratch file that is thrown away. (SIGTERM would have it flush
    the encoder's look-ahead first: a second or two at 1080p, which a client's cancel would wait for.)"""
    if proc.poll() is None:
        proc.kill()
        proc.wait()


def _summarise_stderr(lines: Iterable[str]) -> str:
    """The last few distinct lines, without the repeated noise ffmpeg prints per frame."""
    kept: list[str] = []
    for line in reversed(list(lines)):
        if line in kept:
            continue
        kept.append(line)
        if len(kept) >= _ERROR_LINES:
            break
    text = " | ".join(reversed(kept))
    return text if len(text) <= _ERROR_CHARS else "…" + text[-_ERROR_CHARS:]
