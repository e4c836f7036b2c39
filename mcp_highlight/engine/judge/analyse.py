"""analyse: one pass over a file, picture and sound side by side, into an excitement curve.

Two reader threads run in parallel (PyAV releases the GIL while demuxing and decoding): the
video reader demuxes packets and decodes keyframes only; the audio reader decodes the sound at
16 kHz mono. Both fold what they read into per-window sums, so memory does not grow with the
length of the recording. The calling thread reports progress and is where cancellation (an
exception from the progress callback) lands: it stops both readers and re-raises.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import av
import numpy as np

from mcp_highlight.core.errors import CorruptMediaError, ImpossibleRequestError
from mcp_highlight.core.logs import get_logger
from mcp_highlight.core.progress import ProgressFn, no_progress
from mcp_highlight.engine.judge import cache as analysis_cache
from mcp_highlight.engine.judge.analysis import ANALYSIS_VERSION, Analysis
from mcp_highlight.engine.judge.audio_signals import AudioWindows, ReadState, read_audio
from mcp_highlight.engine.judge.curves import Curves
from mcp_highlight.engine.judge.fuse import fuse
from mcp_highlight.engine.judge.moments import FoundMoment, find_moments, mark_replays
from mcp_highlight.engine.judge.replays import Replay, find_replays, wipes
from mcp_highlight.engine.judge.video_signals import VideoWindows, read_video, scene_cuts
from mcp_highlight.engine.media.info import MediaInfo

log = get_logger(__name__)

POLL_S = 0.2
BIG_MOMENT = 0.5
"""A moment ranked at least this share of the best is big enough to be replayed."""


def _origin(path: Path) -> float:
    """The file's start time: timestamps are measured from here, as FFmpeg's -ss does."""
    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            return float(container.start_time or 0) / 1e6
    except av.error.FFmpegError as exc:
        raise CorruptMediaError(f"{path.name!r} could not be opened for analysis: {exc}.") from exc


def _round(values: Any) -> list[float]:
    return [round(float(v), 4) for v in values]


def _moments_and_replays(curves: Curves, video: VideoWindows | None) -> tuple[list[FoundMoment], list[Replay]]:
    """Moments with their reasons, the replays of the big ones, and those moments marked as replays."""
    moments = find_moments(curves)
    crowd = np.asarray(curves.signals.get("crowd", []), dtype=np.float64)
    if video is None or not moments or not crowd.size:
        return moments, []
    top = moments[0].rank
    big = [m.peak_s for m in moments if m.rank >= BIG_MOMENT * top]
    replays = find_replays(wipes(video), big, crowd, curves.window_s)
    return mark_replays(moments, replays), replays


def analyse(
    info: MediaInfo,
    *,
    progress: ProgressFn = no_progress,
    cache_dir: Path | None = None,
    window_s: float = 0.5,
) -> Analysis:
    """Score every `window_s` of `info.path` for excitement (0..1), with the signals behind it.

    Results are cached in `cache_dir` by content hash; a hit returns `cached=True` at once.
    """
    if not 0.05 <= window_s <= 10:
        raise ImpossibleRequestError(
            f"An analysis window of {window_s} s is not possible.", hint="Use 0.05 to 10 seconds (default 0.5)."
        )
    started = time.perf_counter()
    path = Path(info.path)
    progress(0.0, "Checking the analysis cache")
    digest = analysis_cache.content_hash(path)
    if cache_dir is not None:
        hit = analysis_cache.load(cache_dir, digest, window_s)
        if hit is not None:
            progress(1.0, "Analysis loaded from cache")
            return hit.model_copy(
                update={"source": str(path), "cached": True, "elapsed_s": time.perf_counter() - started}
            )

    n = max(1, math.ceil(info.duration_s / window_s))
    origin = _origin(path)
    readers: dict[str, tuple[threading.Thread, ReadState]] = {}
    results: dict[str, Any] = {}

    def launch(name: str, target: Callable[..., Any]) -> None:
        state = ReadState()

        def run() -> None:
            try:
                results[name] = target(path, n, window_s, origin, state)
            except BaseException as exc:
                state.error = exc
            finally:
                state.done = True

        thread = threading.Thread(target=run, name=f"analyse-{name}", daemon=True)
        readers[name] = (thread, state)
        thread.start()

    if info.video is not None:
        launch("motion", read_video)
    if info.audio is not None:
        launch("audio", read_audio)
    label = "Analysing " + " and ".join(readers) if readers else "Analysing"
    try:
        progress(0.02, label)
        while any(thread.is_alive() for thread, _ in readers.values()):
            for thread, _ in readers.values():
                thread.join(timeout=POLL_S / max(1, len(readers)))
            done = [
                min(1.0, st.position_s / max(info.duration_s, 1e-6)) if not st.done else 1.0
                for _, st in readers.values()
            ]
            progress(0.02 + 0.9 * sum(done) / max(1, len(done)), label)
    except BaseException:
        for _, state in readers.values():
            state.stop.set()
        for thread, _ in readers.values():
            thread.join(timeout=10)
        raise

    warnings = list(info.warnings)
    for name, (_, state) in readers.items():
        warnings += state.warnings
        if state.error is not None:
            if isinstance(state.error, av.error.FFmpegError):
                warnings.append(f"The {name} could not be analysed: {state.error}.")
                results.pop(name, None)
            else:
                raise state.error
    video: VideoWindows | None = results.get("motion")
    audio: AudioWindows | None = results.get("audio")
    if video is not None and video.packet_times.size == 0:
        video = None
    if video is None and audio is None:
        raise CorruptMediaError(
            f"Nothing in {path.name!r} could be read for analysis.", hint="Export the file again and retry."
        )

    progress(0.95, "Scoring")
    fused = fuse(video, audio, n, window_s)
    cuts = scene_cuts(video) if video is not None else []
    curves = Curves(
        window_s=window_s,
        score=_round(fused.score),
        signals={name: _round(values) for name, values in fused.signals.items()},
        measures={name: [round(float(v), 2) for v in values] for name, values in fused.measures.items()},
        scene_cuts=[c for c in cuts if 0 < c < info.duration_s],
    )
    moments, replays = _moments_and_replays(curves, video)
    analysis = Analysis(
        **dict(curves),
        version=ANALYSIS_VERSION,
        source=str(path),
        content_hash=digest,
        duration_s=info.duration_s,
        replays=replays,
        moments=moments,
        has_audio=fused.has_audio,
        has_motion=fused.has_motion,
        warnings=warnings,
        elapsed_s=time.perf_counter() - started,
    )
    if cache_dir is not None:
        analysis_cache.store(cache_dir, analysis)
    log.info(
        "analysed",
        path=str(path),
        seconds=round(info.duration_s, 1),
        elapsed=round(analysis.elapsed_s, 2),
        has_audio=analysis.has_audio,
        has_motion=analysis.has_motion,
    )
    progress(1.0, "Analysis done")
    return analysis
