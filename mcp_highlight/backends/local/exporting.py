"""One local export: the reel (in each shape asked for), its chapters and cover, and on request a clip
pack and editor timelines. Runs in a worker thread; every file comes from the same draft and analysis."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from mcp_highlight.backends.models import ExportedFile, ExportRequest
from mcp_highlight.core.progress import ProgressFn, scaled
from mcp_highlight.draft.model import Draft, TrackType
from mcp_highlight.engine.deliver.chapters import moment_label
from mcp_highlight.engine.deliver.deliverables import Deliverables, deliver
from mcp_highlight.engine.deliver.outputs import PlannedOutputs, check_outputs, plan_outputs
from mcp_highlight.engine.judge.analysis import Analysis
from mcp_highlight.engine.render.reel import render
from mcp_highlight.engine.render.spec import RenderResult, RenderSpec


def exported_file(result: RenderResult) -> ExportedFile:
    return ExportedFile(
        path=str(result.path),
        uri=result.path.resolve().as_uri(),
        duration_s=result.duration_s,
        size_bytes=result.size_bytes,
        width=result.width,
        height=result.height,
    )


def moment_facts(draft: Draft, analyses: Mapping[str, Analysis | None]) -> tuple[list[str], list[float]]:
    """Each clip's chapter label (from its source's signals) and score, in reel order."""
    labels, scores = [], []
    for track in draft.tracks_of(TrackType.VIDEO):
        for seg in track.sg:
            analysis = analyses.get(seg.m.src or "")
            labels.append(moment_label(analysis, seg.m.in_s, seg.m.out_s))
            scores.append(float(seg.m.score or 0.0))
    return labels, scores


def planned_outputs(spec: RenderSpec, request: ExportRequest) -> PlannedOutputs:
    """Every file this export writes (the first shape asked for is the reel; the others sit next to it)."""
    shapes = list(dict.fromkeys(request.aspects))
    first = shapes[0] if shapes else spec.aspect
    return plan_outputs(
        spec.output,
        other_shapes=[a for a in shapes[1:] if a != first],
        clips=request.clips,
        clips_dir=request.clips_dir,
        timeline_formats=request.timelines,
        timeline_paths=request.timeline_paths,
    )


def spec_inputs(spec: RenderSpec) -> list[Path]:
    """Every file the render reads: sources, music bed, logo."""
    return [c.source for c in spec.clips] + [x.path for x in (spec.music, spec.logo) if x is not None]


def export_all(
    spec: RenderSpec,
    draft: Draft,
    request: ExportRequest,
    analyses: Mapping[str, Analysis | None],
    progress: ProgressFn,
) -> tuple[RenderResult, Deliverables, list[RenderResult]]:
    """Render the reel (the first shape asked for, else the draft's), then what comes with it, then the
    other shapes. Returns the reel's render, its deliverables and the other shapes' renders."""
    planned = planned_outputs(spec, request)
    check_outputs(planned, spec_inputs(spec))
    shapes = list(dict.fromkeys(request.aspects))
    main = spec.model_copy(update={"aspect": shapes[0]}) if shapes else spec
    share = 1.0 / (1 + len(planned.shapes))
    rendered = render(main, progress=scaled(progress, 0.0, 0.85 * share))
    labels, scores = moment_facts(draft, analyses)
    if len(labels) != len(main.clips):
        labels, scores = ["Highlight"] * len(main.clips), [0.0] * len(main.clips)
    extras = deliver(
        main,
        rendered,
        labels=labels,
        scores=scores,
        clips_dir=planned.clips_dir,
        timelines=planned.timelines,
        progress=scaled(progress, 0.85 * share, share),
    )
    more = []
    for index, (aspect, path) in enumerate(planned.shapes.items(), start=1):
        part = scaled(progress, share * index, share * (index + 1))
        more.append(render(spec.model_copy(update={"aspect": aspect, "output": path}), progress=part))
    return rendered, extras, more
