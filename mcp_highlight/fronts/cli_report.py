"""What the CLI prints for people: the table of moments in a reel, its JSON report, an analysis summary."""

from __future__ import annotations

import json
import sys
from typing import Any

from mcp_highlight.backends.models import EditResult, ExportResult
from mcp_highlight.core.durations import format_clock, format_seconds
from mcp_highlight.draft.model import Draft, TrackType


def print_moments(draft: Draft) -> None:
    """The moments of a reel as a table (on stdout at a terminal, else on stderr, leaving stdout to the result)."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Moments in the reel")
    for column in ("#", "source", "from", "length", "score", "why"):
        table.add_column(column, justify="right" if column in ("#", "length", "score") else "left")
    for track in draft.tracks_of(TrackType.VIDEO):
        for i, seg in enumerate(track.sg, start=1):
            table.add_row(
                str(i),
                seg.m.name or "?",
                format_clock(seg.m.in_s),
                format_seconds(seg.d / 1000),
                f"{seg.m.score or 0:.2f}",
                seg.m.why or "",
            )
    Console(file=sys.stderr if not sys.stdout.isatty() else sys.stdout).print(table)


def print_analysis_summary(data: dict[str, Any]) -> None:
    """The analysis in a few lines: length, windows, scene cuts and the top moments with why."""
    import numpy as np

    scores = np.asarray(data["score"])
    order = np.argsort(scores)[::-1]
    picked: list[int] = []
    for i in order:
        if all(abs(int(i) - j) * data["window_s"] > 10 for j in picked):
            picked.append(int(i))
        if len(picked) == 10:
            break
    print(
        f"{data['source']}: {format_seconds(data['duration_s'])}, {len(scores)} windows of {data['window_s']}s, "
        f"{len(data['scene_cuts'])} scene cuts{' (cached)' if data.get('cached') else ''}"
    )
    found = data.get("moments") or []
    if found:  # the engine's moments, each with the signals behind it
        print("Top moments (time, score, why):")
        for m in sorted(found[:10], key=lambda m: m["peak_s"]):
            print(f"  {format_seconds(m['peak_s']):>8}  {m['score']:.2f}  {m['why']}")
        return
    print("Top moments (time, score):")
    for i in sorted(picked):
        print(f"  {format_seconds(i * data['window_s']):>8}  {scores[i]:.2f}")


def reel_report(exported: ExportResult, edited: EditResult, session_id: str, draft: Draft) -> dict[str, Any]:
    """The `reel` command's report (printed as JSON with --json): the files written and the moments used."""
    return {
        "output": exported.path,
        "duration_s": exported.duration_s,
        "size_bytes": exported.size_bytes,
        "width": exported.width,
        "height": exported.height,
        "fast_path": exported.fast_path,
        "fps": exported.fps,
        "warnings": exported.warnings,
        "chapters": exported.chapters,
        "chapters_path": exported.chapters_path,
        "cover": exported.cover_path,
        "clips": [c.path for c in exported.clips],
        "timelines": exported.timelines,
        "shapes": [s.path for s in exported.shapes],
        "session_id": session_id,
        "summary": edited.after,
        "notes": edited.message,
        "moments": [
            {
                "source": seg.m.path,
                "start_s": seg.m.in_s,
                "duration_s": seg.d / 1000,
                "score": seg.m.score,
                "why": seg.m.why,
            }
            for track in draft.tracks_of(TrackType.VIDEO)
            for seg in track.sg
        ],
    }


def print_reel(report: dict[str, Any], *, as_json: bool, quiet: bool) -> None:
    """The files written on stdout (one a line, or the JSON report); chapters, notes and warnings on stderr
    (piped, the chapters as the path of their file)."""
    if as_json:
        print(json.dumps(report, indent=2))
        return
    print(report["output"])
    for extra in [*report["shapes"], *report["clips"], *report["timelines"]]:
        print(extra)
    if report.get("chapters") and not quiet:
        if sys.stderr.isatty():
            print(f"Chapters ({report['chapters_path']}):\n{report['chapters'].rstrip()}", file=sys.stderr)
        else:  # piped: the file holds them; a log gets one line, not a line per moment
            print(f"Chapters: {report['chapters_path']}", file=sys.stderr)
    if report.get("notes"):
        print(report["notes"], file=sys.stderr)
    for warning in report.get("warnings") or []:
        print(f"note: {warning}", file=sys.stderr)
