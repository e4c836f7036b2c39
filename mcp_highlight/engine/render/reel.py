"""Render a reel: validate, then either copy the video (fast path) or re-encode it, always to a valid MP4.

The output is H.264 High (or, on the fast path, the source's own H.264, which a High decoder plays),
yuv420p, AAC 48 kHz stereo, with the moov atom first. It is written under a hidden temporary name next to
the target and moved into place only once it has been probed and found complete, so a failed or
cancelled render never leaves something that looks finished, and never touches an existing output.

The steps live in their own modules: `render_sources` (probe facts), `render_checks` (refusals and the
final check), `render_copy` (fast path and joins), `render_video` (re-encode), `render_audio` (sound mix),
`render_filters` (filter-graph text) and `render_args` (encoder settings).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import secrets
import time
from collections.abc import Mapping
from pathlib import Path

from mcp_highlight.core.errors import OperationCancelledError
from mcp_highlight.core.logs import get_logger
from mcp_highlight.core.progress import ProgressFn, no_progress, scaled
from mcp_highlight.engine.media import scratch
from mcp_highlight.engine.media.info import ImageInfo, MediaInfo
from mcp_highlight.engine.plan.clip import Clip
from mcp_highlight.engine.render.checks import (
    check_logo,
    check_music,
    check_output,
    check_title_fits,
    checked_clip,
    verify_output,
)
from mcp_highlight.engine.render.encoder_args import clips_rate
from mcp_highlight.engine.render.reencode import render_reencode
from mcp_highlight.engine.render.sources import SourceFacts, Span, probe_source
from mcp_highlight.engine.render.spec import RenderResult, RenderSpec
from mcp_highlight.engine.render.stream_copy import NotCopyable, fast_path_blocker, render_fast

log = get_logger(__name__)


def _checked(
    spec: RenderSpec, probed: Mapping[Path, MediaInfo | ImageInfo] | None
) -> tuple[Path, dict[Path, SourceFacts], list[Clip]]:
    """Everything refused before any work: sources, clips, music, logo, the output path, the title."""
    output = spec.output.expanduser().absolute()
    videos = {path: info for path, info in (probed or {}).items() if isinstance(info, MediaInfo) and info.video}
    sources = {clip.source: probe_source(clip.source, videos) for clip in spec.clips}
    clips = [checked_clip(clip, sources[clip.source]) for clip in spec.clips]
    if spec.music is not None:
        check_music(spec.music.path, probed)
    if spec.logo is not None:
        check_logo(spec.logo.path, probed)
    check_output(output, list(sources))
    if spec.title is not None and spec.title.text.strip():
        check_title_fits(spec.title.start_s, sum(c.duration_s for c in clips))
    return output, sources, clips


def _cut_or_encode(
    spec: RenderSpec, clips: list[Clip], sources: dict[Path, SourceFacts], work: Path, partial: Path, progress: ProgressFn
) -> tuple[list[Span], list[str], bool]:
    """The reel written to `partial`: copied when it can be, else re-encoded. Returns spans, damage notes, fast."""
    blocker = fast_path_blocker(spec, clips, list(sources.values()))
    if blocker is None:
        try:
            spans, damage = render_fast(spec, clips, work, partial, progress)
            return spans, damage, True
        except NotCopyable as exc:
            log.info("render.fast_path_abandoned", reason=str(exc))
    else:
        log.info("render.reencode", reason=blocker)
    spans, damage = render_reencode(spec, clips, work, partial, scaled(progress, 0.02, 0.97))
    return spans, damage, False


def render(
    spec: RenderSpec,
    *,
    progress: ProgressFn = no_progress,
    probed: Mapping[Path, MediaInfo | ImageInfo] | None = None,
) -> RenderResult:
    """Make the reel `spec` describes at `spec.output`; see the module docstring for the guarantees.

    `probed` holds `engine.probe` results the caller already has (by absolute path), so they are not probed again.
    """
    started = time.monotonic()
    progress(0.0, "Checking sources")
    output, sources, clips = _checked(spec, probed)
    token = secrets.token_hex(4)
    partial = output.with_name(f".{output.stem}.partial-{token}.mp4")
    work = output.with_name(f".{output.stem}.work-{token}")
    try:
        scratch.claim(work)  # locked while alive, so a start-up sweep leaves it alone
        spans, damage, fast = _cut_or_encode(spec, clips, sources, work, partial, progress)
        progress(0.97, "Checking the result")
        duration, width, height = verify_output(partial, sum(s.duration_s for s in spans))
        fps = (sources[spec.clips[0].source].fps if fast else None) or clips_rate(clips)
        os.replace(partial, output)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
        raise
    finally:
        scratch.release(work)
    cuts = [round(c, 3) for c in itertools.accumulate((s.duration_s for s in spans[:-1]), initial=0.0)]
    result = RenderResult(
        path=output,
        duration_s=duration,
        size_bytes=output.stat().st_size,
        width=width,
        height=height,
        fast_path=fast,
        elapsed_s=round(time.monotonic() - started, 3),
        cut_times_s=cuts if spans else [],
        source_spans=[(round(s.start_s, 3), round(s.start_s + s.duration_s, 3)) for s in spans],
        span_sources=[s.source.path for s in spans],
        fps=round(float(fps), 3),
        warnings=_source_notes(list(sources.values())) + damage,
    )
    log.info("render.done", path=str(output), duration_s=duration, fast_path=fast, elapsed_s=result.elapsed_s)
    with contextlib.suppress(OperationCancelledError):
        progress(1.0, "Done")  # a cancel arriving now is too late: the reel is finished and in place
    return result


def _source_notes(sources: list[SourceFacts]) -> list[str]:
    """What the user should know about how the sources were read: damage found by probe, conversions, tracks."""
    notes: list[str] = []
    for s in sources:
        notes += [f"{s.path.name}: {w}" for w in s.warnings]
        if s.hdr:
            notes.append(f"{s.path.name} is HDR ({s.hdr.upper()}); it was converted to SDR (BT.709).")
        if s.interlaced:
            notes.append(f"{s.path.name} is interlaced; it was deinterlaced.")
        if s.audio_track:
            notes.append(f"{s.path.name} has several sound tracks; {s.audio_track} was used.")
    return notes
