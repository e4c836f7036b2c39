"""A cover image for the reel: the sharpest frame of its strongest moment, at the reel's size, with the title.

Frames are taken from the finished reel (so the cover has the reel's shape, crop and overlays) inside
the strongest moment's span, a few per second; sharpness is the variance of the Laplacian of a small
grey copy (motion blur and soft focus both lower it). Frames under the burnt-in title are skipped when
the moment has others, so the title is drawn once, cleanly, on the chosen frame.
"""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
from scipy.ndimage import laplace

from mcp_highlight.core.errors import HighlightError
from mcp_highlight.engine.render.filters import title_y
from mcp_highlight.engine.render.overlays import title_image
from mcp_highlight.engine.render.spec import TitleSpec

SAMPLES_PER_S = 4.0
_SMALL_WIDTH = 320


def sharpness(image: np.ndarray) -> float:
    """Variance of the Laplacian of a grey image: high for crisp detail, low for blur."""
    return float(laplace(image.astype(np.float32)).var())


def _candidates(reel: Path, start_s: float, end_s: float) -> list[tuple[float, av.VideoFrame]]:
    frames: list[tuple[float, av.VideoFrame]] = []
    step = 1.0 / SAMPLES_PER_S
    try:
        with av.open(str(reel)) as container:
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            container.seek(round(max(0.0, start_s) * 1e6), backward=True, any_frame=False)
            next_t = start_s
            for frame in container.decode(stream):
                t = frame.time
                if t is None or t < next_t - 1e-3:
                    continue
                if t >= end_s:
                    break
                frames.append((t, frame))
                next_t = t + step
    except av.FFmpegError as exc:
        raise HighlightError(f"Cannot read the reel back for its cover: {exc}") from exc
    return frames


def make_cover(reel: Path, out: Path, *, span_s: tuple[float, float], title: TitleSpec | None = None) -> Path:
    """Write `out` (JPEG, the reel's size): the sharpest frame in `span_s` of the reel, titled if asked."""
    start, end = span_s
    frames = _candidates(reel, start, end)
    if not frames:
        frames = _candidates(reel, 0.0, end)[-1:]
    if not frames:
        raise HighlightError("The reel has no frames to make a cover from.")
    text = title.text.strip() if title is not None and title.text.strip() else None
    if text and title is not None:
        clean = [(t, f) for t, f in frames if not title.start_s - 0.5 <= t < title.start_s + title.duration_s + 0.5]
        frames = clean or frames

    def score(item: tuple[float, av.VideoFrame]) -> float:
        frame = item[1]
        height = max(2, round(frame.height * _SMALL_WIDTH / frame.width))
        return sharpness(frame.reformat(width=_SMALL_WIDTH, height=height, format="gray").to_ndarray())

    _, best = max(frames, key=score)
    picture = best.to_image().convert("RGB")
    if text and title is not None:
        overlay = title_image(text, picture.size)
        x = (picture.width - overlay.width) // 2
        y = title_y(title.position, picture.height, overlay.height)
        picture.paste(overlay, (x, y), overlay)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.partial")
    picture.save(tmp, format="JPEG", quality=90)
    tmp.replace(out)
    return out
