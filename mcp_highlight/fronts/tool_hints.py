"""What each tool tells a client before it is called: its annotations, from the backend in use, and icons.

The hints must be true of the backend actually serving: with the cloud engine every tool that talks to
the hosted API reaches an open world (and edits spend credits there); with the local engine only an
upload from a URL leaves the machine. Nothing here deletes anything the user cannot get back (an edit
can be undone; an export writes a new file), so no tool is destructive.
"""

from __future__ import annotations

from base64 import b64encode
from typing import Literal, NamedTuple

from mcp_types import Icon, ToolAnnotations

Backend = Literal["local", "cloud"]


class Hints(NamedTuple):
    read_only: bool
    idempotent: bool
    open_world: frozenset[Backend]
    """The backends on which the tool reaches beyond this machine."""


BOTH: frozenset[Backend] = frozenset({"local", "cloud"})
CLOUD: frozenset[Backend] = frozenset({"cloud"})

HINTS: dict[str, Hints] = {
    "upload_video": Hints(read_only=False, idempotent=False, open_world=BOTH),  # fetches http(s) URLs
    "edit_timeline": Hints(read_only=False, idempotent=False, open_world=CLOUD),  # the hosted agent, credits
    "get_state": Hints(read_only=True, idempotent=True, open_world=CLOUD),  # reads the hosted project
    "get_credits": Hints(read_only=True, idempotent=True, open_world=CLOUD),  # the hosted balance
    "export_video": Hints(read_only=False, idempotent=True, open_world=CLOUD),  # an unchanged timeline: same file
}


def annotations_for(tool: str, backend: Backend) -> ToolAnnotations:
    hints = HINTS[tool]
    return ToolAnnotations(
        readOnlyHint=hints.read_only,
        destructiveHint=False,
        idempotentHint=hints.idempotent,
        openWorldHint=backend in hints.open_world,
    )


def _svg_icon(body: str) -> Icon:
    """A 24x24 line icon (white strokes on the project's dark blue), as a data: URI any client can show."""
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" fill="none" stroke="#fff" '
        'stroke-width="2" stroke-linecap="round" stroke-linejoin="round">'
        f'<rect width="24" height="24" rx="5" fill="#141c30" stroke="none"/>{body}</svg>'
    )
    return Icon(
        src="data:image/svg+xml;base64," + b64encode(svg.encode()).decode(), mime_type="image/svg+xml", sizes=["any"]
    )


SERVER_ICON = _svg_icon('<path d="M4 17l4-5 3 3 4-7 5 9"/><path d="M10 6l4 2.5L10 11z" fill="#fff"/>')
"""A play button over a rising excitement curve, as the bundle's icon."""

TOOL_ICONS: dict[str, Icon] = {
    "upload_video": _svg_icon('<path d="M12 17V7"/><path d="M8 11l4-4 4 4"/><path d="M6 19h12"/>'),
    "edit_timeline": _svg_icon(
        '<circle cx="7" cy="17" r="2"/><circle cx="17" cy="17" r="2"/><path d="M8.5 15.5L17 5M15.5 15.5L7 5"/>'
    ),
    "get_state": _svg_icon('<path d="M5 7h14M5 12h10M5 17h7"/>'),
    "get_credits": _svg_icon('<circle cx="12" cy="12" r="6"/><path d="M12 9v6"/>'),
    "export_video": _svg_icon('<rect x="5" y="6" width="14" height="12" rx="2"/><path d="M10 9.5l4 2.5-4 2.5z"/>'),
}
