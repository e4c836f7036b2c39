"""Preview images for people and assistants: a contact sheet of the chosen moments and the excitement curve.

Both are drawn with Pillow (no matplotlib) and written atomically, like renders.
"""

from __future__ import annotations

import contextlib
import math
import os
import secrets
from collections.abc import Sequence
from pathlib import Path

import av
from PIL import Image, ImageDraw

from mcp_highlight.core.durations import format_clock
from mcp_highlight.core.errors import BadInputError, CorruptMediaError, MediaNotFoundError
from mcp_highlight.engine.media import streams
from mcp_highlight.engine.plan.clip import Clip
from mcp_highlight.engine.render.overlays import load_font

_BACKGROUND = (24, 26, 31)
_PANEL = (34, 37, 44)
_TEXT = (235, 237, 240)
_MUTED = (150, 156, 166)
_CURVE = (255, 196, 0)
_MOMENT = (58, 122, 254, 90)
_CUT = (120, 126, 136)
_MAX_DECODE_FRAMES = 240  # after a seek, decode at most this many frames looking for the exact moment


def _length(seconds: float) -> str:
    return f"{seconds:.0f}s" if seconds < 60 else format_clock(seconds)


def frame_at(path: Path, at_s: float) -> Image.Image:
    """The frame shown at `at_s` (seek to the keyframe before, decode forward), upright per rotation metadata."""
    if not path.is_file():
        raise MediaNotFoundError(f"Video not found: {path}", hint="Check the path, or upload the file again.")
    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                raise CorruptMediaError(f"{path.name} has no video stream.")
            stream = streams.main_video(container) or container.streams.video[0]
            stream.thread_type = "AUTO"
            origin = (container.start_time or 0) / 1e6
            target = origin + max(0.0, at_s)
            container.seek(int(target * 1e6), backward=True, any_frame=False)
            chosen = None
            for count, frame in enumerate(container.decode(stream)):
                chosen = frame
                if frame.time is None or frame.time >= target - 0.5 / 30 or count >= _MAX_DECODE_FRAMES:
                    break
            if chosen is None:
                raise CorruptMediaError(f"No picture could be decoded from {path.name} near {format_clock(at_s)}.")
            image = chosen.to_image()
            rotation = round(chosen.rotation or 0) % 360
    except (av.FFmpegError, OSError) as exc:
        raise CorruptMediaError(f"Cannot read {path.name}: {exc}") from exc
    return image.rotate(rotation, expand=True) if rotation else image


def contact_sheet(clips: list[Clip], out: Path, *, columns: int = 4, thumb_width: int = 320) -> Path:
    """One labelled thumbnail per moment (its middle frame), in a grid, saved as a PNG at `out`."""
    if not clips:
        raise BadInputError("There are no moments to show.", hint="Choose at least one clip.")
    columns = max(1, min(columns, len(clips)))
    thumb_height = round(thumb_width * 9 / 16)
    label_height = max(22, thumb_width // 10)
    gap = max(6, thumb_width // 32)
    rows = math.ceil(len(clips) / columns)
    sheet = Image.new(
        "RGB",
        (columns * thumb_width + (columns + 1) * gap, rows * (thumb_height + label_height) + (rows + 1) * gap),
        _BACKGROUND,
    )
    draw = ImageDraw.Draw(sheet)
    font_px = max(12, label_height * 3 // 5)
    for i, clip in enumerate(clips):
        image = frame_at(clip.source, (clip.start_s + clip.end_s) / 2)
        image.thumbnail((thumb_width, thumb_height), Image.Resampling.BILINEAR)
        row, col = divmod(i, columns)
        x = gap + col * (thumb_width + gap)
        y = gap + row * (thumb_height + label_height + gap)
        draw.rectangle((x, y, x + thumb_width - 1, y + thumb_height - 1), fill=_PANEL)
        sheet.paste(image, (x + (thumb_width - image.width) // 2, y + (thumb_height - image.height) // 2))
        label = f"{i + 1}. {format_clock(clip.start_s)} · {_length(clip.end_s - clip.start_s)}"
        if clip.caption:
            label += f" · {clip.caption}"
        draw.text(
            (x + 2, y + thumb_height + label_height // 2),
            label,
            font=load_font(label, font_px),
            fill=_TEXT,
            anchor="lm",
        )
    return _save_atomic(sheet, out)


def excitement_curve(
    times: Sequence[float],
    scores: Sequence[float],
    moments: list[tuple[float, float]],
    out: Path,
    *,
    width: int = 1600,
    height: int = 360,
    cuts: Sequence[float] | None = None,
) -> Path:
    """The score over the source's timeline, chosen moments shaded, scene cuts as faint ticks; a PNG at `out`."""
    if len(times) != len(scores):
        raise BadInputError(f"Got {len(times)} times but {len(scores)} scores.", hint="Pass one score per time.")
    image = Image.new("RGB", (width, height), _BACKGROUND)
    draw = ImageDraw.Draw(image, "RGBA")
    font = load_font("0:00", max(11, height // 26))
    left, right, top, bottom = 48, width - 16, 16, height - 34
    end_s = max([float(times[-1]) if len(times) else 0.0, *(e for _, e in moments), 1e-6])
    peak = max([float(s) for s in scores] + [1e-9])
    top_value = 1.0 if peak <= 1.0 else peak

    def x_of(t: float) -> float:
        return left + (right - left) * min(max(t / end_s, 0.0), 1.0)

    def y_of(v: float) -> float:
        return bottom - (bottom - top) * min(max(v / top_value, 0.0), 1.0)

    draw.rectangle((left, top, right, bottom), fill=_PANEL)
    for start, end in moments:
        draw.rectangle((x_of(start), top, max(x_of(end), x_of(start) + 1), bottom), fill=_MOMENT)
    for cut in cuts or ():
        x = x_of(cut)
        draw.line((x, bottom - 8, x, bottom), fill=_CUT, width=1)
    for fraction in (0.0, 0.5, 1.0):
        y = y_of(fraction * top_value)
        draw.line((left, y, right, y), fill=(70, 74, 84), width=1)
        draw.text((left - 6, y), f"{fraction * top_value:.1f}", font=font, fill=_MUTED, anchor="rm")
    step = _tick_step(end_s, max(2, (right - left) // 120))
    tick = 0.0
    while tick <= end_s + 1e-9:
        x = x_of(tick)
        draw.line((x, bottom, x, bottom + 4), fill=_MUTED, width=1)
        draw.text((x, bottom + 6), format_clock(tick), font=font, fill=_MUTED, anchor="ma")
        tick += step
    if len(times) >= 2:
        points = _decimate([(x_of(float(t)), y_of(float(s))) for t, s in zip(times, scores, strict=True)], right - left)
        draw.line(points, fill=_CURVE, width=2, joint="curve")
    elif len(times) == 1:
        x, y = x_of(float(times[0])), y_of(float(scores[0]))
        draw.ellipse((x - 2, y - 2, x + 2, y + 2), fill=_CURVE)
    return _save_atomic(image, out)


def _tick_step(span_s: float, max_ticks: int) -> float:
    """A round label spacing (1 s .. 1 h) giving at most `max_ticks` labels."""
    for step in (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200):
        if span_s / step <= max_ticks:
            return float(step)
    return float(math.ceil(span_s / max_ticks / 3600) * 3600)


def _decimate(points: list[tuple[float, float]], columns: int) -> list[tuple[float, float]]:
    """Keep the min and max per pixel column so long curves stay cheap to draw without losing peaks."""
    if len(points) <= 2 * columns:
        return points
    kept: list[tuple[float, float]] = []
    bucket: list[tuple[float, float]] = []
    current = int(points[0][0])
    for point in points:
        if int(point[0]) != current:
            kept += sorted({min(bucket, key=lambda p: p[1]), max(bucket, key=lambda p: p[1])})
            bucket, current = [], int(point[0])
        bucket.append(point)
    if bucket:
        kept += sorted({min(bucket, key=lambda p: p[1]), max(bucket, key=lambda p: p[1])})
    return kept


def _save_atomic(image: Image.Image, out: Path) -> Path:
    """Write the PNG under a hidden temporary name, then move it into place."""
    out = out.expanduser()
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BadInputError(f"Cannot write to {out.parent}: {exc.strerror or exc}") from exc
    partial = out.with_name(f".{out.stem}.partial-{secrets.token_hex(4)}.png")
    try:
        image.save(partial, format="PNG")
        os.replace(partial, out)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
        raise
    return out
