"""The two readers of one analysis pass, side by side: picture (packets and keyframes) and sound (16 kHz mono).

Each runs in its own thread (PyAV releases the GIL while demuxing and decoding) and folds what it reads
into per-window sums, so memory does not grow with the recording. The calling thread reports progress and
is where cancellation (an exception from the progress callback) lands: it stops both readers and re-raises.
A reader that FFmpeg cannot get through becomes a warning; the other side still scores the file.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import av

from mcp_highlight.core.errors import CorruptMediaError
from mcp_highlight.core.progress import ProgressFn
from mcp_highlight.engine.judge.audio_signals import AudioWindows, ReadState, read_audio
from mcp_highlight.engine.judge.video_signals import VideoWindows, read_video
from mcp_highlight.engine.media.info import MediaInfo

POLL_S = 0.2
Readers = dict[str, tuple[threading.Thread, ReadState]]


def _origin(path: Path) -> float:
    """The file's start time: timestamps are measured from here, as FFmpeg's -ss does."""
    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            return float(container.start_time or 0) / 1e6
    except av.error.FFmpegError as exc:
        raise CorruptMediaError(f"{path.name!r} could not be opened for analysis: {exc}.") from exc


def _launch(readers: Readers, results: dict[str, Any], name: str, target: Callable[..., Any], *args: Any) -> None:
    state = ReadState()

    def run() -> None:
        try:
            results[name] = target(*args, state)
        except BaseException as exc:
            state.error = exc
        finally:
            state.done = True

    thread = threading.Thread(target=run, name=f"analyse-{name}", daemon=True)
    readers[name] = (thread, state)
    thread.start()


def _follow(readers: Readers, duration_s: float, progress: ProgressFn) -> None:
    """Wait for the readers, reporting progress; on cancellation stop them and re-raise."""
    label = "Analysing " + " and ".join(readers) if readers else "Analysing"
    try:
        progress(0.02, label)
        while any(thread.is_alive() for thread, _ in readers.values()):
            for thread, _ in readers.values():
                thread.join(timeout=POLL_S / max(1, len(readers)))
            done = [
                min(1.0, st.position_s / max(duration_s, 1e-6)) if not st.done else 1.0 for _, st in readers.values()
            ]
            progress(0.02 + 0.9 * sum(done) / max(1, len(done)), label)
    except BaseException:
        for _, state in readers.values():
            state.stop.set()
        for thread, _ in readers.values():
            thread.join(timeout=10)
        raise


Reads = tuple[VideoWindows | None, AudioWindows | None, list[str]]
"""What the one pass over a file gives: the picture's and the sound's windows, and the warnings."""
Reader = Callable[[MediaInfo, int, float, ProgressFn], Reads]
"""How `analyse` gets a file's one pass (`read_side_by_side`; a benchmark may replay kept reads)."""


def read_side_by_side(info: MediaInfo, n: int, window_s: float, progress: ProgressFn) -> Reads:
    """The picture's and the sound's windows (None for a side with nothing readable) and the warnings."""
    path = Path(info.path)
    origin = _origin(path)
    readers: Readers = {}
    results: dict[str, Any] = {}
    if info.video is not None:
        _launch(readers, results, "motion", read_video, path, n, window_s, origin)
    if info.audio is not None:
        _launch(readers, results, "audio", read_audio, path, n, window_s, origin)
    _follow(readers, info.duration_s, progress)
    warnings = list(info.warnings)
    for name, (_, state) in readers.items():
        warnings += state.warnings
        if state.error is not None:
            if not isinstance(state.error, av.error.FFmpegError):
                raise state.error
            warnings.append(f"The {name} could not be analysed: {state.error}.")
            results.pop(name, None)
    video: VideoWindows | None = results.get("motion")
    audio: AudioWindows | None = results.get("audio")
    if video is not None and video.packet_times.size == 0:
        video = None
    if video is None and audio is None:
        raise CorruptMediaError(
            f"Nothing in {path.name!r} could be read for analysis.", hint="Export the file again and retry."
        )
    return video, audio, warnings
