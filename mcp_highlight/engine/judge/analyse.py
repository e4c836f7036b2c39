"""analyse: one pass over a file (`readers`), its signals fused into curves, the moments and replays in them.

The result is cached per file by content hash, so asking again (another reel, another shape) is instant.
"""

from __future__ import annotations

import math
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import av
import numpy as np

from mcp_highlight.core.errors import ImpossibleRequestError
from mcp_highlight.core.logs import get_logger
from mcp_highlight.core.progress import ProgressFn, no_progress
from mcp_highlight.engine.judge import cache as analysis_cache
from mcp_highlight.engine.judge import constants as C
from mcp_highlight.engine.judge.analysis import ANALYSIS_VERSION, Analysis
from mcp_highlight.engine.judge.curves import Curves
from mcp_highlight.engine.judge.fuse import Fused, fuse
from mcp_highlight.engine.judge.moments import FoundMoment, find_moments, mark_replays, windows_of, worth_hearing
from mcp_highlight.engine.judge.readers import Reader, read_side_by_side
from mcp_highlight.engine.judge.replays import Replay, find_replays
from mcp_highlight.engine.judge.sound_events import MODEL_ERRORS as SOUND_MODEL_ERRORS
from mcp_highlight.engine.judge.sound_events import sung_windows
from mcp_highlight.engine.judge.sound_events import warm as warm_sound_events
from mcp_highlight.engine.judge.video_signals import VideoWindows, scene_cuts
from mcp_highlight.engine.media.info import MediaInfo

log = get_logger(__name__)

BIG_MOMENT = 0.5
"""A moment ranked at least this share of the best is big enough to be replayed."""


def _round(values: Any) -> list[float]:
    return [round(float(v), 4) for v in values]


def big_moments(moments: list[FoundMoment]) -> list[tuple[float, float]]:
    """(onset, peak) of the moments big enough to be replayed (`moments` strongest first)."""
    top = moments[0].rank if moments else 0.0
    return [(m.onset_s, m.peak_s) for m in moments if m.rank >= BIG_MOMENT * top]


def _moments_and_replays(curves: Curves, video: VideoWindows | None) -> tuple[list[FoundMoment], list[Replay]]:
    """Moments with their reasons, the replays of the big ones, and those moments marked as replays."""
    moments = find_moments(curves)
    crowd = np.asarray(curves.signals.get("crowd", []), dtype=np.float64)
    if video is None or not moments or not crowd.size:
        return moments, []
    replays = find_replays(video, curves.scene_cuts, big_moments(moments), crowd, curves.window_s)
    return mark_replays(moments, replays), replays


def _judged(
    curves: Curves, video: VideoWindows | None, path: Path, warnings: list[str]
) -> tuple[Curves, list[FoundMoment], list[Replay]]:
    """The curves with chants heard, their moments and replays. The chants are heard (a few seconds of
    sound decoded again) while the picture is searched for the replays of the big moments as ranked
    before; in the rare case that hearing changes which moments are big, the search is run again."""
    with ThreadPoolExecutor(1, thread_name_prefix="analyse-chants") as pool:
        heard = pool.submit(_hear_sung, curves, path, warnings)
        moments, replays = _moments_and_replays(curves, video)
        ranked = heard.result()
    if ranked is curves:
        return curves, moments, replays
    again = find_moments(ranked)
    if replays and big_moments(again) != big_moments(moments):  # marking replays keeps every rank
        return ranked, *_moments_and_replays(ranked, video)
    return ranked, mark_replays(again, replays), replays


def _hear_sung(curves: Curves, path: Path, warnings: list[str]) -> Curves:
    """The curves with `sung` over the candidate moments that could be chants: the audio-event model's
    music probability, heard on up to SUNG_SAMPLE_S around each one's peak and given to all its windows.
    It ranks chants down (`chants.chant_likelihood`). If the sound cannot be read again, a warning."""
    moments = worth_hearing(curves, find_moments(curves))
    if not moments:
        return curves
    w, n = curves.window_s, len(curves.score)
    half = round(C.SUNG_SAMPLE_S / 2 / w)
    spans = [windows_of(m, w) for m in moments]
    samples = [(max(onset, peak - half), min(fade, peak + half - 1)) for onset, peak, fade in spans]
    try:
        heard = sung_windows(path, samples, n, w)
    except av.error.FFmpegError as exc:
        warnings.append(f"Chants could not be told from reactions: the sound could not be read again ({exc}).")
        return curves
    except SOUND_MODEL_ERRORS as exc:
        log.warning("sound events model unavailable", error=str(exc))
        warnings.append(f"Chants could not be told from reactions: the audio-event model did not load ({exc}).")
        return curves
    sung = np.zeros(n)
    for (onset, _, fade), (first, last) in zip(spans, samples, strict=True):
        sung[onset : fade + 1] = np.maximum(sung[onset : fade + 1], heard[first : last + 1].mean())
    return curves.model_copy(update={"signals": {**curves.signals, "sung": _round(sung)}})


def _curves(fused: Fused, cuts: list[float], window_s: float, duration_s: float) -> Curves:
    return Curves(
        window_s=window_s,
        score=_round(fused.score),
        signals={name: _round(values) for name, values in fused.signals.items()},
        measures={name: [round(float(v), 2) for v in values] for name, values in fused.measures.items()},
        scene_cuts=[c for c in cuts if 0 < c < duration_s],
    )


def analyse(
    info: MediaInfo,
    *,
    progress: ProgressFn = no_progress,
    cache_dir: Path | None = None,
    window_s: float = 0.5,
    read: Reader = read_side_by_side,
) -> Analysis:
    """Score every `window_s` of `info.path` for excitement (0..1), with the signals behind it.

    Results are cached in `cache_dir` by content hash; a hit returns `cached=True` at once. `read` is
    the one pass over the file (the judgement benchmark records and replays it to judge again).
    """
    if not 0.05 <= window_s <= 10:
        raise ImpossibleRequestError(
            f"An analysis window of {window_s} s is not possible.", hint="Use 0.05 to 10 seconds (default 0.5)."
        )
    started = time.perf_counter()
    path = Path(info.path)
    progress(0.0, "Checking the analysis cache")
    digest = analysis_cache.content_hash(path)
    hit = analysis_cache.load(cache_dir, digest, window_s) if cache_dir is not None else None
    if hit is not None:
        progress(1.0, "Analysis loaded from cache")
        return hit.model_copy(update={"source": str(path), "cached": True, "elapsed_s": time.perf_counter() - started})

    n = max(1, math.ceil(info.duration_s / window_s))
    if info.has_audio:
        warm_sound_events()
    video, audio, warnings = read(info, n, window_s, progress)
    progress(0.95, "Scoring")
    fused = fuse(video, audio, n, window_s)
    curves = _curves(fused, scene_cuts(video) if video is not None else [], window_s, info.duration_s)
    if fused.has_audio:
        curves, moments, replays = _judged(curves, video, path, warnings)
    else:
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
    log.info("analysed", path=str(path), seconds=round(info.duration_s, 1), elapsed=round(analysis.elapsed_s, 2),
             has_audio=analysis.has_audio, has_motion=analysis.has_motion)  # fmt: skip
    progress(1.0, "Analysis done")
    return analysis
