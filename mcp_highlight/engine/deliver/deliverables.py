"""What comes with a finished reel: chapters, a cover, and on request a clip pack and an editor timeline.

Everything here works from the render's own report (where each clip starts in the reel, which source
range it used), so the chapters, the pieces of the pack and the timeline agree with the reel exactly.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field

from mcp_highlight.core.progress import ProgressFn, no_progress, scaled
from mcp_highlight.engine.deliver.chapters import Chapter, chapters_text, make_chapters
from mcp_highlight.engine.deliver.clip_pack import PackClip, write_clip_pack
from mcp_highlight.engine.deliver.cover import make_cover
from mcp_highlight.engine.deliver.editor_timeline import write_timeline
from mcp_highlight.engine.plan.clip import Clip
from mcp_highlight.engine.render.spec import RenderResult, RenderSpec


class Deliverables(BaseModel):
    chapters: list[Chapter]
    chapters_text: str
    chapters_path: Path
    cover_path: Path
    clips: list[PackClip] = Field(default_factory=list)
    timeline_paths: list[Path] = Field(default_factory=list)


def side_path(output: Path, suffix: str) -> Path:
    """`reel.mp4` -> `reel.chapters.txt`, `reel.jpg`: files that belong to a reel sit next to it."""
    return output.with_name(output.stem + suffix)


def clip_names(result: RenderResult, spec: RenderSpec) -> list[str]:
    """`01-derby-23m15s.mp4`: order in the reel, source name, source time."""
    names = []
    for number, ((start, _end), clip) in enumerate(zip(result.source_spans, spec.clips, strict=True), start=1):
        minutes, seconds = divmod(int(start), 60)
        names.append(f"{number:02d}-{clip.source.stem}-{minutes:02d}m{seconds:02d}s.mp4")
    return names


def deliver(
    spec: RenderSpec,
    result: RenderResult,
    *,
    labels: list[str] | None = None,
    scores: list[float] | None = None,
    clips_dir: Path | None = None,
    timelines: list[Path] | None = None,
    progress: ProgressFn = no_progress,
) -> Deliverables:
    """Write the reel's chapters and cover, and the clip pack and timelines when asked for."""
    spans = result.source_spans or [(c.start_s, c.end_s) for c in spec.clips]
    used = [(c.source, a, b) for c, (a, b) in zip(spec.clips, spans, strict=True)]
    labels = labels or ["Highlight"] * len(used)
    cuts = result.cut_times_s or [0.0]
    chapters = make_chapters(used, cuts, result.duration_s, labels)
    text = chapters_text(chapters)
    chapters_path = side_path(result.path, ".chapters.txt")
    chapters_path.write_text(text, encoding="utf-8")
    strongest = max(range(len(chapters)), key=lambda i: scores[i]) if scores else 0
    chapter = chapters[strongest]
    progress(0.05, "Choosing a cover")
    cover = make_cover(
        result.path, side_path(result.path, ".jpg"), span_s=(chapter.reel_s, chapter.end_reel_s), title=spec.title
    )
    pack: list[PackClip] = []
    if clips_dir is not None:
        pack = write_clip_pack(
            result.path,
            clips_dir,
            cut_times_s=cuts,
            reel_s=result.duration_s,
            names=clip_names(result, spec),
            progress=scaled(progress, 0.1, 0.9),
        )
    written = []
    if timelines:
        # the timeline points at what the reel really used (keyframe-snapped on the stream-copy path)
        used_spec = spec.model_copy(
            update={"clips": [Clip(source=s, start_s=a, end_s=b, caption=None) for s, a, b in used]}
        )
        written = [write_timeline(used_spec, path, name=result.path.stem) for path in timelines]
    progress(1.0, "Done")
    return Deliverables(
        chapters=chapters,
        chapters_text=text,
        chapters_path=chapters_path,
        cover_path=cover,
        clips=pack,
        timeline_paths=written,
    )
