"""A cover image for the reel: the sharpest frame of its strongest moment, at the reel's size, with the title.

Frames are taken from the finished reel (so the cover has the reel's shape, crop and overlays) inside
the strongest moment's span, a few per second; sharpness is the variance of the Laplacian of a small
grey copy (motion blur and soft focus both lower it). Frames under the burnt-in title are skipped when
the moment has others, so the title is drawn once, cleanly, on the chosen frame.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np
from scipy.ndimage import laplace

from mcp_highlight.core.errors import HighlightError
from mcp_highlight.engine.media import scratch
from mcp_highlight.engine.render.filters import title_y
from mcp_highlight.engine.render.overlays import title_image
from mcp_highlight.engine.render.spec import TitleSpec

SAMPLES_PER_S = 4.0
MAX_SCANNED_S = 30.0
"""A span longer than this is judged by its keyframes only: decoding every frame of minutes costs minutes."""
MAX_CANDIDATES = 120
_SMALL_WIDTH = 320


def sharpness(image: np.ndarray) -> float:
    """Variance of the Laplacian of a grey image: high for crisp detail, low for blur."""
    return float(laplace(image.astype(np.float32)).var())


def _candidates(reel: Path, start_s: float, end_s: float) -> Iterator[tuple[float, av.VideoFrame]]:
    """Frames of the reel in [start_s, end_s), a few per second; over a long span (a reel longer than its
    footage is one long moment) only keyframes are decoded and at most MAX_CANDIDATES are looked at."""
    long_span = end_s - start_s > MAX_SCANNED_S
    step = max(1.0 / SAMPLES_PER_S, (end_s - start_s) / MAX_CANDIDATES)
    try:
        with av.open(str(reel)) as container:
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            if long_span:
                stream.codec_context.skip_frame = "NONKEY"
            container.seek(round(max(0.0, start_s) * 1e6), backward=True, any_frame=False)
            next_t = start_s
            for frame in container.decode(stream):
                t = frame.time
                if t is None or t < next_t - 1e-3:
                    continue
                if t >= end_s:
                    break
                yield t, frame
                next_t = t + step
    except av.FFmpegError as exc:
        raise HighlightError(f"Cannot read the reel back for its cover: {exc}") from exc


def _score(frame: av.VideoFrame) -> float:
    height = max(2, round(frame.height * _SMALL_WIDTH / frame.width))
    return sharpness(frame.reformat(width=_SMALL_WIDTH, height=height, format="gray").to_ndarray())


def _sharpest(reel: Path, start_s: float, end_s: float, title: TitleSpec | None) -> av.VideoFrame | None:
    """The sharpest frame of the span, keeping one frame at a time (never the whole span in memory);
    frames under the burnt-in title only when the span has no other."""
    best: dict[bool, tuple[float, av.VideoFrame]] = {}
    for t, frame in _candidates(reel, start_s, end_s):
        clean = title is None or not title.start_s - 0.5 <= t < title.start_s + title.duration_s + 0.5
        score = _score(frame)
        if clean not in best or score > best[clean][0]:
            best[clean] = (score, frame)
    chosen = best.get(True) or best.get(False)
    return chosen[1] if chosen else None


def make_cover(reel: Path, out: Path, *, span_s: tuple[float, float], title: TitleSpec | None = None) -> Path:
    """Write `out` (JPEG, the reel's size): the sharpest frame in `span_s` of the reel, titled if asked."""
    start, end = span_s
    text = title.text.strip() if title is not None and title.text.strip() else None
    best = _sharpest(reel, start, end, title if text else None)
    if best is None:
        last = None
        for _t, frame in _candidates(reel, max(0.0, end - 2.0), end):
            last = frame
        best = last
    if best is None:
        raise HighlightError("The reel has no frames to make a cover from.")
    picture = best.to_image().convert("RGB")
    if text and title is not None:
        overlay = title_image(text, picture.size)
        x = (picture.width - overlay.width) // 2
        y = title_y(title.position, picture.height, overlay.height)
        picture.paste(overlay, (x, y), overlay)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = scratch.partial_path(out)
    picture.save(tmp, format="JPEG", quality=90)
    tmp.replace(out)
    return out
