"""What the MCP tools hand back: structured content from the service's models plus the text a person reads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mcp_types import CallToolResult, ResourceLink, TextContent
from pydantic import BaseModel

from mcp_highlight.backends.models import ExportResult, SessionState
from mcp_highlight.core.durations import format_seconds
from mcp_highlight.service.studio import TimelineOutcome


def tool_result(model: BaseModel, text: str, *extra: Any) -> CallToolResult:
    """A successful call: `text` for the reader, the model as structured content (validated by the output schema)."""
    return CallToolResult(
        content=[TextContent(type="text", text=text), *extra],
        structured_content=model.model_dump(mode="json"),
    )


def error_result(text: str) -> CallToolResult:
    """A call that did not do its work; the text says why and what to do."""
    return CallToolResult(content=[TextContent(type="text", text=text)], is_error=True)


def state_text(state: SessionState) -> str:
    lines = [state.summary, f"Session {state.session_id} ({state.backend})."]
    for item in state.media:
        lines.append(f"- {item.kind} {item.id}: {item.name} — {item.info}" + (" (analysed)" if item.analysed else ""))
    if state.jobs:
        job = state.jobs[-1]
        lines.append(
            f"Last render: {job.status}"
            + (f" — {job.path}" if job.path else "")
            + (f" ({job.error})" if job.error else "")
        )
    if state.claim_url:
        lines.append(f"Open in the browser: {state.claim_url}")
    return "\n".join(lines)


def outcome_text(outcome: TimelineOutcome) -> str:
    if outcome.edit is None:
        return outcome.message
    return f"{outcome.message}\nBefore: {outcome.edit.before}\nAfter: {outcome.edit.after}"


def export_text(result: ExportResult) -> str:
    text = (
        f"{'Unchanged since the last export: ' if result.reused else 'Exported '}{result.path} "
        f"({format_seconds(result.duration_s)}, {result.width}x{result.height}"
        + (f" at {result.fps:g} fps" if result.fps else "")
        + f", {result.size_bytes / 1e6:.1f} MB)."
    )
    if result.warnings:
        text += " Note: " + " ".join(result.warnings)
    if result.download_url:
        text += f" Download: {result.download_url} (with the server's bearer token)."
    if result.claim_url:
        text += f" Open in the browser: {result.claim_url}"
    if extras := result.extras_text():
        text += "\n" + extras
    return text


def _video_link(uri: str, path: str, size: int | None, width: int, height: int, duration_s: float) -> ResourceLink:
    return ResourceLink(
        type="resource_link",
        uri=uri,
        name=Path(path).name,
        mime_type="video/mp4",
        size=size,
        description=f"{width}x{height}, {format_seconds(duration_s)}",
    )


def export_links(result: ExportResult) -> list[ResourceLink]:
    """Links to everything the export wrote: the reel (file:// and the HTTP download), shapes, clips,
    editor timelines and the cover."""
    links = [
        _video_link(uri, result.path, result.size_bytes, result.width, result.height, result.duration_s)
        for uri in (result.uri, result.download_url)
        if uri
    ]
    for extra in [*result.shapes, *result.clips]:
        links.append(_video_link(extra.uri, extra.path, extra.size_bytes, extra.width, extra.height, extra.duration_s))
    others = [(p, "application/octet-stream") for p in result.timelines]
    others += [(p, "image/jpeg") for p in [result.cover_path] if p]
    for other, mime in others:
        links.append(
            ResourceLink(
                type="resource_link", uri=Path(other).resolve().as_uri(), name=Path(other).name, mime_type=mime
            )
        )
    return links
