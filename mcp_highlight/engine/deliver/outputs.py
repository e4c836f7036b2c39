"""Every file an export will write, known before anything runs, and checked against every input.

An output must never replace an input: `-o brand.mp4` would make the cover `brand.jpg` (the logo), `-o
song.m4a` would turn the music bed into the reel. So the reel, its shapes, chapters, cover, timelines and
clip-pack folder are listed here (one definition, used by the export itself) and refused up front when one
of them is an input, another output, or cannot be written.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel, Field

from mcp_highlight.core.errors import BadInputError

TIMELINE_SUFFIXES = {".otio": "otio_json", ".fcpxml": "fcpx_xml", ".edl": "cmx_3600"}
"""Editor timeline formats by file suffix, and the OpenTimelineIO adapter that writes each."""

CLIP_NAME = re.compile(r"^\d{2,}-.*\.mp4$")
"""Names the clip pack writes (`01-derby-23m15s.mp4`): an input so named in the pack's folder is at risk."""


def side_path(output: Path, suffix: str) -> Path:
    """`reel.mp4` -> `reel.chapters.txt`, `reel.jpg`: files that belong to a reel sit next to it."""
    return output.with_name(output.stem + suffix)


def shape_path(output: Path, aspect: str) -> Path:
    """`reel.mp4` in 9:16 -> `reel-9x16.mp4`."""
    return output.with_name(f"{output.stem}-{aspect.replace(':', 'x')}{output.suffix}")


class PlannedOutputs(BaseModel):
    reel: Path
    shapes: dict[str, Path] = Field(default_factory=dict, description="Each other shape's reel, by aspect.")
    chapters: Path
    cover: Path
    timelines: list[Path] = Field(default_factory=list)
    clips_dir: Path | None = None
    previews: list[Path] = Field(default_factory=list, description="Written by the CLI's --preview.")

    def files(self) -> list[Path]:
        return [self.reel, *self.shapes.values(), self.chapters, self.cover, *self.timelines, *self.previews]


def plan_outputs(
    output: Path,
    *,
    other_shapes: Iterable[str] = (),
    clips: bool = False,
    clips_dir: str | Path | None = None,
    timeline_formats: Iterable[str] = (),
    timeline_paths: Iterable[str | Path] = (),
    previews: Iterable[Path] = (),
) -> PlannedOutputs:
    """The files an export of a reel at `output` writes, given its options."""
    reel = output.expanduser().absolute()
    folder = Path(clips_dir).expanduser().absolute() if clips_dir else None
    if folder is None and clips:
        folder = reel.with_name(f"{reel.stem}-clips")
    timelines = [Path(p).expanduser().absolute() for p in timeline_paths]
    timelines += [reel.with_suffix(f".{fmt}") for fmt in timeline_formats]
    return PlannedOutputs(
        reel=reel,
        shapes={aspect: shape_path(reel, aspect) for aspect in other_shapes},
        chapters=side_path(reel, ".chapters.txt"),
        cover=side_path(reel, ".jpg"),
        timelines=timelines,
        clips_dir=folder,
        previews=[p.expanduser().absolute() for p in previews],
    )


def check_outputs(planned: PlannedOutputs, inputs: Iterable[Path]) -> None:
    """Refuse, before any work, an export that would overwrite an input or one of its own files, or write
    a timeline in no known format, or a clip pack into a file."""
    sources = [p.expanduser().absolute() for p in inputs]
    for path in planned.timelines:
        if path.suffix.lower() not in TIMELINE_SUFFIXES:
            raise BadInputError(
                f"Cannot write a timeline as {path.suffix or 'a file without a suffix'} ({path.name}).",
                hint="Use .otio (OpenTimelineIO), .fcpxml (Final Cut Pro, DaVinci Resolve) or .edl (Premiere, Avid).",
            )
    seen: dict[Path, str] = {}
    for path in planned.files():
        key = path.resolve()
        if key in seen:
            raise BadInputError(f"Two of the export's files would both be {path.name}.", hint="Choose another -o name.")
        seen[key] = path.name
        if path.is_dir():
            raise BadInputError(f"{path.name} is a folder; the export needs to write a file there.")
        for source in sources:
            if _same_file(path, source):
                raise BadInputError(
                    f"The export would overwrite the input {source.name} (as {_role(planned, path)}).",
                    hint="Choose another output name (-o) or folder.",
                )
    folder = planned.clips_dir
    if folder is not None:
        if folder.exists() and not folder.is_dir():
            raise BadInputError(f"The clip folder {folder.name} is a file.", hint="Give a folder for the clips.")
        for source in sources:
            if _inside(source, folder) and CLIP_NAME.match(source.name):
                raise BadInputError(
                    f"The clip pack could overwrite the input {source.name} in {folder.name}.",
                    hint="Write the clips to another folder.",
                )


def _same_file(a: Path, b: Path) -> bool:
    if a.resolve() == b.resolve():
        return True
    try:
        return os.path.samefile(a, b)  # hard links and other names of one file
    except OSError:
        return False


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().parent == folder.resolve()


def _role(planned: PlannedOutputs, path: Path) -> str:
    if path == planned.reel:
        return "the reel"
    if path == planned.cover:
        return "the cover picture"
    if path == planned.chapters:
        return "the chapters"
    if path in planned.timelines:
        return "a timeline"
    if path in planned.previews:
        return "a preview"
    return "another shape of the reel"
