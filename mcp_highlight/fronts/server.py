"""The MCP front: tools, resources and prompts over the studio. Thin and MCP-only.

`build_server` assembles the parts; the tools live in `mcp_tools`, what they hand back in `tool_results`.
"""

import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any

import anyio
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ResourceError
from mcp.server.mcpserver.prompts.base import Message, UserMessage
from mcp.server.subscriptions import ResourceUpdated, ServerEvent
from pydantic import Field

from mcp_highlight import __version__
from mcp_highlight.core.errors import HighlightError
from mcp_highlight.fronts import mcp_tools
from mcp_highlight.fronts.completions import Completer
from mcp_highlight.fronts.legacy_subscriptions import LegacySubscriptions
from mcp_highlight.fronts.mcp_tasks import ExportTasks
from mcp_highlight.fronts.mcp_tools import Front, timeline_uri
from mcp_highlight.fronts.prompt_errors import PromptErrors
from mcp_highlight.fronts.request_state import shared_request_state
from mcp_highlight.fronts.shared_events import SharedEvents
from mcp_highlight.fronts.tool_hints import SERVER_ICON, TOOL_ICONS, Backend, annotations_for
from mcp_highlight.service.studio import Studio

INSTRUCTIONS = """\
mcp-highlight turns long recordings (sports games, events, streams) into short 1080p highlight reels.
Flow: upload_video(path) -> edit_timeline(session_id, "pull the best moments into a 3-minute reel")
-> more edits ("make it vertical", "add the title 'Derby Day'", "add music.mp3 at 35%", "undo")
-> export_video(session_id). get_state shows the timeline; get_credits the balance."""


def build_server(studio: Studio, *, download_base: str | None = None) -> MCPServer:
    """The MCP server over `studio`; the caller owns the studio's lifetime.

    `download_base` (HTTP mode, e.g. `http://127.0.0.1:8765`) adds a download link to every export,
    served by the HTTP app's `/renders/<name>` route.
    """
    url = studio.settings.database_url
    bus = SharedEvents(url.get_secret_value()) if url is not None else None  # cluster: events through PostgreSQL
    front = Front(studio=studio, legacy=LegacySubscriptions(), download_base=download_base, legacy_via_bus=bus is not None)

    async def relay(event: ServerEvent) -> None:
        if isinstance(event, ResourceUpdated):  # 2025 subscribers on this replica, whichever replica edited
            await front.legacy.notify(event.uri)

    @asynccontextmanager
    async def lifespan(_: MCPServer) -> AsyncIterator[Front]:
        if bus is None:
            yield front  # the studio is the caller's to close
            return
        async with anyio.create_task_group() as group:
            group.start_soon(bus.run, relay)
            yield front
            group.cancel_scope.cancel()
        await bus.aclose()

    mcp = MCPServer(
        name="mcp-highlight",
        title="Highlight reels",
        version=__version__,
        instructions=INSTRUCTIONS,
        website_url="https://pypi.org/project/mcp-highlight/",
        icons=[SERVER_ICON],
        lifespan=lifespan,
        middleware=[PromptErrors()],
        request_state_security=shared_request_state(studio.settings),
        subscriptions=bus,
        extensions=[ExportTasks()] if studio.queues_exports else None,
    )
    front.legacy.install(mcp)
    register_tools(mcp, studio.backend.name)
    register_resources(mcp, studio)
    register_prompts(mcp)
    mcp.completion()(Completer(studio).complete)
    return mcp


TOOLS: dict[Callable[..., Any], str] = {
    mcp_tools.upload_video: "Upload a video, image or music file",
    mcp_tools.edit_timeline: "Edit the highlight reel",
    mcp_tools.get_state: "Show the session's timeline",
    mcp_tools.get_credits: "Show the credit balance",
    mcp_tools.export_video: "Render the reel to an MP4",
}
"""Each tool (the functions in mcp_tools) with its title."""


def register_tools(mcp: MCPServer, backend: Backend) -> None:
    """The five tools, with annotations true of `backend` (tool_hints) and their icons."""
    for tool, title in TOOLS.items():
        name = tool.__name__
        mcp.tool(title=title, annotations=annotations_for(name, backend), icons=[TOOL_ICONS[name]])(tool)


def register_resources(mcp: MCPServer, studio: Studio) -> None:
    """The timeline of one session (a template) and the list of sessions."""

    @mcp.resource(
        "highlight://sessions/{session_id}/timeline",
        name="timeline",
        title="Session timeline",
        description="The one-line summary and the draft JSON of a session's timeline.",
        mime_type="application/json",
    )
    async def timeline(session_id: str) -> str:
        try:
            state = await studio.state(session_id)
        except HighlightError as exc:
            raise ResourceError(str(exc)) from None
        return json.dumps({"summary": state.summary, "draft": state.draft}, ensure_ascii=False)

    @mcp.resource(
        "highlight://sessions",
        name="sessions",
        title="Sessions",
        description="Every session with its timeline summary.",
        mime_type="application/json",
    )
    async def sessions() -> str:
        listed = [
            {
                "session_id": s.session_id,
                "summary": s.summary,
                "uri": timeline_uri(s.session_id),
                "media": [m.name for m in s.media],
            }
            for s in await studio.sessions()
        ]
        return json.dumps(listed, ensure_ascii=False)


def make_highlight_reel(
    path: Annotated[str, Field(description="The recording to cut down.")],
    length: Annotated[str, Field(description="Reel length, e.g. 60s or 3m.")] = "60s",
    shape: Annotated[str, Field(description="16:9, 9:16 (vertical) or 1:1.")] = "16:9",
    title: Annotated[str, Field(description="Optional title text.")] = "",
) -> list[Message]:
    """From a file to an exported reel, step by step."""
    title_step = f' 4. Add the title "{title}" for the first 3 seconds.' if title else ""
    return [
        UserMessage(
            f"Make a highlight reel from {path}. 1. Call upload_video with that path. "
            f"2. Call edit_timeline with the session id and 'pull the best moments into a {length} reel'. "
            f"3. If the shape is not 16:9, call edit_timeline with aspect {shape}.{title_step} "
            "Show me the timeline summary and the moments chosen, then call export_video and give me the file path."
        )
    ]


def change_highlight_reel(
    session_id: Annotated[str, Field(description="The session whose reel to change.")],
    change: Annotated[str, Field(description="What to change, in plain words.")] = "make it shorter",
    shape: Annotated[str, Field(description="16:9, 9:16 (vertical) or 1:1; empty keeps the shape.")] = "",
) -> list[Message]:
    """Change an existing reel, show what changed, and export it again."""
    shape_step = f" Then call edit_timeline with aspect {shape}." if shape else ""
    return [
        UserMessage(
            f"Change the highlight reel of session {session_id}: call edit_timeline with that session id and the "
            f"instruction {change!r}.{shape_step} Show me what changed (before -> after), then call export_video "
            "and give me the file path."
        )
    ]


def register_prompts(mcp: MCPServer) -> None:
    mcp.prompt(name="make_highlight_reel", title="Make a highlight reel")(make_highlight_reel)
    mcp.prompt(name="change_highlight_reel", title="Change a highlight reel")(change_highlight_reel)
