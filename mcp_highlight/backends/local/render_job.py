"""One export as a job: everything needed to render it, and the render itself, for whichever process runs
it (the server in embedded mode, a worker in a cluster). The job carries a frozen copy of the draft, not
a pointer to the session's head, so an edit made while it waits in the queue cannot change what it renders.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from mcp_highlight.backends.local.exporting import export_all, exported_file
from mcp_highlight.backends.local.timeline import draft_to_spec
from mcp_highlight.backends.models import ExportedFile, ExportRequest, ExportResult, MediaItem
from mcp_highlight.core.config import Settings
from mcp_highlight.core.progress import ProgressFn, scaled
from mcp_highlight.draft.model import Draft
from mcp_highlight.engine.deliver.deliverables import Deliverables
from mcp_highlight.engine.judge.analyse import analyse
from mcp_highlight.engine.judge.analysis import Analysis
from mcp_highlight.engine.media.probe import probe
from mcp_highlight.engine.render.spec import RenderResult


class RenderJob(BaseModel):
    session_id: str
    fingerprint: str
    draft: dict[str, Any]
    request: ExportRequest
    target: str
    videos: list[MediaItem]


def export_result(
    session_id: str, job_id: str, rendered: RenderResult, extras: Deliverables, shapes: list[RenderResult]
) -> ExportResult:
    """What a finished export reports, from the engine's results."""
    return ExportResult(
        session_id=session_id,
        path=str(rendered.path),
        uri=rendered.path.resolve().as_uri(),
        duration_s=rendered.duration_s,
        size_bytes=rendered.size_bytes,
        width=rendered.width,
        height=rendered.height,
        render_id=job_id,
        fast_path=rendered.fast_path,
        fps=rendered.fps,
        warnings=rendered.warnings,
        chapters=extras.chapters_text,
        chapters_path=str(extras.chapters_path),
        cover_path=str(extras.cover_path),
        clips=[
            ExportedFile(
                path=str(c.path),
                uri=c.path.resolve().as_uri(),
                duration_s=c.duration_s,
                size_bytes=c.size_bytes,
                width=rendered.width,
                height=rendered.height,
            )
            for c in extras.clips
        ],
        timelines=[str(p) for p in extras.timeline_paths],
        shapes=[exported_file(r) for r in shapes],
    )


def run_export(
    job: RenderJob, job_id: str, analyses: Mapping[str, Analysis | None], progress: ProgressFn
) -> ExportResult:
    draft = Draft.model_validate(job.draft)
    spec = draft_to_spec(draft, Path(job.target))
    rendered, extras, shapes = export_all(spec, draft, job.request, analyses, progress)
    return export_result(job.session_id, job_id, rendered, extras, shapes)


def analysis_of(item: MediaItem, settings: Settings, progress: ProgressFn) -> Analysis:
    """A video's analysis: from the shared cache when any process made it already, else made now."""
    assert item.path is not None
    return analyse(
        probe(Path(item.path), max_bytes=settings.max_bytes, limits=settings.media_limits()),
        progress=progress, cache_dir=settings.cache_dir
    )


def render_export(job: RenderJob, job_id: str, settings: Settings, progress: ProgressFn) -> ExportResult:
    """A worker's whole export: the analyses (cache hits after the upload's analysis job), then the render."""
    analyses = {item.id: analysis_of(item, settings, scaled(progress, 0.0, 0.02)) for item in job.videos}
    return run_export(job, job_id, analyses, scaled(progress, 0.02, 1.0))
