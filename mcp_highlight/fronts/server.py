"""The MCP front: tools, resources and prompts over the studio. Thin and MCP-only."""

import base64
import inspect
import json
from contextlib import suppress
from functools import wraps
from pathlib import Path
from typing import Annotated, Any

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ResourceError
from mcp.server.mcpserver.prompts.base import Message, UserMessage
from mcp.server.mcpserver.resolve import Resolve, Sample
from mcp_types import (
    CallToolResult,
    CreateMessageResult,
    ImageContent,
    ResourceLink,
    SamplingMessage,
    TextContent,
    ToolAnnotations,
)
from pydantic import Field, ValidationError

from mcp_highlight import __version__
from mcp_highlight.backends.models import (
    Aspect,
    Credits,
    EditRequest,
    ExportRequest,
    ExportResult,
    SessionState,
    TimelineFormat,
    UploadResult,
)
from mcp_highlight.core.durations import format_seconds
from mcp_highlight.core.errors import HighlightError, InstructionNotUnderstoodError, UnknownSessionError, invalid_input
from mcp_highlight.core.limits import MAX_INSTRUCTION_CHARS, MAX_PATH_CHARS
from mcp_highlight.core.logs import get_logger
from mcp_highlight.fronts.legacy_subscriptions import LegacySubscriptions
from mcp_highlight.fronts.mcp_progress import progress_notifications
from mcp_highlight.fronts.request_state import shared_request_state
from mcp_highlight.service.studio import Studio, TimelineOutcome
from mcp_highlight.service.understanding import Understood

log = get_logger(__name__)

INSTRUCTIONS = """\
mcp-highlight turns long recordings (sports games, events, streams) into short 1080p highlight reels.
Flow: upload_video(path) -> edit_timeline(session_id, "pull the best moments into a 3-minute reel")
-> more edits ("make it vertical", "add the title 'Derby Day'", "add music.mp3 at 35%", "undo")
-> export_video(session_id). get_state shows the timeline; get_credits the balance."""

SAMPLING_SYSTEM = (
    "You turn a video editing request into JSON for a highlight-reel editor. Answer with one JSON object and "
    "nothing else, valid against this JSON schema (every key optional; leave out what the request does not "
    "mention). If the request is not a video edit, answer {}.\n"
    + json.dumps(EditRequest.model_json_schema(), ensure_ascii=False, separators=(",", ":"))
)

INSTRUCTION_DESCRIPTION = (
    "Plain words, English or Chinese: 'pull the best moments into a 3-minute reel', 'make it vertical for "
    "TikTok', 'add the title \"Derby Day\"', 'add music.mp3 at 35%', 'drop the second clip', 'make it shorter', "
    "'undo', '把精彩片段剪成30秒'. The other arguments say the same things as fields and win over the words."
)


def edit_fields_signature(fn: Any) -> Any:
    """Give `fn` (which takes `**fields`) one keyword parameter per EditRequest field, so the tool's input
    schema is generated from the one definition of an edit (all optional: absent means unchanged)."""
    signature = inspect.signature(fn, eval_str=True)
    fixed = [p for p in signature.parameters.values() if p.kind is not inspect.Parameter.VAR_KEYWORD]
    fields = [
        inspect.Parameter(
            name,
            inspect.Parameter.KEYWORD_ONLY,
            default=None,
            annotation=Annotated[(info.annotation | None, *info.metadata, Field(description=info.description))],
        )
        for name, info in EditRequest.model_fields.items()
    ]
    fn.__signature__ = signature.replace(parameters=[*fixed, *fields])
    return fn


READ_ONLY = ToolAnnotations(readOnlyHint=True, destructiveHint=False, idempotentHint=True, openWorldHint=False)


def timeline_uri(session_id: str) -> str:
    return f"highlight://sessions/{session_id}/timeline"


def _tool_errors(fn: Any) -> Any:
    """Our errors become tool errors carrying just their specific message; never a stack trace."""

    @wraps(fn)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return await fn(*args, **kwargs)
        except (HighlightError, ValidationError) as raised:
            exc = invalid_input(raised) if isinstance(raised, ValidationError) else raised
            log.info("tool_error", tool=fn.__name__, code=exc.code, error=str(exc))
            return CallToolResult(content=[TextContent(type="text", text=str(exc))], is_error=True)

    return wrapper


def _result(model: Any, text: str, *extra: Any) -> CallToolResult:
    return CallToolResult(
        content=[TextContent(type="text", text=text), *extra],
        structured_content=model.model_dump(mode="json"),
    )


def _state_text(state: SessionState) -> str:
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


_EXPORT_FIELDS = ExportRequest.model_fields  # export_video's arguments are described once, on the model


def _export_text(result: ExportResult) -> str:
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


def _sampled_request(sampled: CreateMessageResult | None) -> EditRequest | None:
    if sampled is None or not isinstance(sampled.content, TextContent):
        return None
    raw = sampled.content.text.strip().removeprefix("```json").removeprefix("```").removesuffix("```").strip()
    try:
        request = EditRequest.model_validate(json.loads(raw))
    except (ValueError, ValidationError):
        log.info("sampling_unusable")
        return None
    return None if request.is_empty() else request


def build_server(studio: Studio, *, download_base: str | None = None) -> MCPServer:
    """The MCP server over `studio`; the caller owns the studio's lifetime.

    `download_base` (HTTP mode, e.g. `http://127.0.0.1:8765`) adds a download link to every export,
    served by the HTTP app's `/renders/<name>` route.
    """
    mcp = MCPServer(
        name="mcp-highlight",
        title="Highlight reels",
        version=__version__,
        instructions=INSTRUCTIONS,
        website_url="https://pypi.org/project/mcp-highlight/",
        request_state_security=shared_request_state(studio.settings),
    )

    legacy = LegacySubscriptions()
    legacy.install(mcp)

    async def notify_timeline(ctx: Context, session_id: str) -> None:
        uri = timeline_uri(session_id)
        with suppress(Exception):
            await ctx.notify_resource_updated(uri)  # 2026 protocol: subscriptions/listen streams
        await legacy.notify(uri)  # 2025 protocol: resources/subscribe

    async def read_words(session_id: str, instruction: str | None = None) -> Understood | HighlightError:
        """The one reading of the instruction (routing and edit fields), before the tool body runs.
        An error is handed to the body, which reports it like any other tool error."""
        try:
            return await studio.understand(session_id, instruction)
        except HighlightError as exc:
            return exc
        except ValidationError as exc:  # words asking past a limit ('a 5-hour reel')
            return invalid_input(exc)

    async def ask_model(
        understood: Annotated[Understood | HighlightError, Resolve(read_words)], ctx: Context
    ) -> Sample | None:
        """Ask the client's model to restate words our rules could not read, when the backend needs fields."""
        if isinstance(understood, HighlightError) or not understood.edit_is_blank or not understood.words or studio.takes_words:
            return None
        capabilities = ctx.client_capabilities
        if capabilities is None or capabilities.sampling is None:
            return None
        return Sample(
            [SamplingMessage(role="user", content=TextContent(type="text", text=understood.words))],
            max_tokens=400,
            system_prompt=SAMPLING_SYSTEM,
            temperature=0.0,
        )

    @mcp.tool(
        title="Upload a video, image or music file",
        annotations=ToolAnnotations(
            readOnlyHint=False, destructiveHint=False, idempotentHint=False, openWorldHint=True
        ),
    )
    @_tool_errors
    async def upload_video(
        path: Annotated[
            str, Field(max_length=MAX_PATH_CHARS, description="A file on this computer, or an http(s) URL.")
        ],
        ctx: Context,
        session_id: Annotated[str | None, Field(description="Add to this session; omit to start a new one.")] = None,
    ) -> Annotated[CallToolResult, UploadResult]:
        """Add a recording (mp4 mov avi webm mkv), a logo (jpg png gif webp) or music (mp3 wav m4a aac), up to
        500 MB, to a session. Returns the session id and what the file is. Analysis starts at once in the
        background, so the first edit is quick."""
        async with progress_notifications(ctx, "Uploading") as progress:
            result = await studio.upload(path, session_id, progress)
        with suppress(Exception):
            await ctx.notify_resources_changed()
        return _result(result, result.message)

    @_tool_errors
    async def edit_timeline(
        session_id: str,
        ctx: Context,
        understood: Annotated[Understood | HighlightError, Resolve(read_words)],
        sampled: Annotated[CreateMessageResult | None, Resolve(ask_model)],
        instruction: Annotated[
            str | None, Field(max_length=MAX_INSTRUCTION_CHARS, description=INSTRUCTION_DESCRIPTION)
        ] = None,
        **fields: Any,
    ) -> Annotated[CallToolResult, TimelineOutcome]:
        """Change the reel with an instruction and/or structured arguments. Returns what changed (before ->
        after) and the new timeline. Requests that mean export, credits, status or upload go to those actions."""
        if isinstance(understood, HighlightError):
            raise understood
        given = EditRequest.model_validate({k: v for k, v in fields.items() if v is not None})
        understood = understood.with_fields(given)
        if understood.edit_is_blank and (from_model := _sampled_request(sampled)) is not None:
            understood = understood.with_fields(from_model)  # the client's model restated the words as fields
        if understood.edit_is_blank and not understood.words:
            raise InstructionNotUnderstoodError(
                "Nothing to change: give an instruction or at least one edit argument.",
                hint="For example: instruction='a 60-second reel of the best moments'.",
            )
        async with progress_notifications(ctx, "Editing") as progress:
            outcome = await studio.run(session_id, understood, progress)
        if outcome.edit is not None:
            await notify_timeline(ctx, session_id)
        text = outcome.message
        if outcome.edit is not None:
            text = f"{outcome.message}\nBefore: {outcome.edit.before}\nAfter: {outcome.edit.after}"
        return _result(outcome, text)

    edit_fields_signature(edit_timeline)
    mcp.tool(
        title="Edit the highlight reel",
        annotations=ToolAnnotations(
            readOnlyHint=False, destructiveHint=False, idempotentHint=False, openWorldHint=False
        ),
    )(edit_timeline)

    @mcp.tool(title="Show the session's timeline", annotations=READ_ONLY)
    @_tool_errors
    async def get_state(
        session_id: Annotated[str | None, Field(description="Omit for the most recent session.")] = None,
        contact_sheet: Annotated[bool, Field(description="Also return a picture of the reel's moments.")] = False,
    ) -> Annotated[CallToolResult, SessionState]:
        """The draft timeline, its one-line summary, the session's media and renders."""
        if not session_id:
            sessions = await studio.sessions()
            if not sessions:  # a first call: say what works here and what to do next, not just "nothing yet"
                report = await studio.diagnose()
                raise UnknownSessionError(
                    "There are no sessions yet: upload_video(path) starts one.", hint="\n" + report.text()
                )
            session_id = sessions[0].session_id
        state = await studio.state(session_id)
        extra: list[Any] = []
        if contact_sheet:
            png = await studio.contact_sheet(session_id)
            extra.append(
                ImageContent(type="image", data=base64.b64encode(png.read_bytes()).decode(), mime_type="image/png")
            )
        return _result(state, _state_text(state), *extra)

    @mcp.tool(title="Show the credit balance", annotations=READ_ONLY)
    @_tool_errors
    async def get_credits() -> Annotated[CallToolResult, Credits]:
        """Credits available, frozen by running work, and total. Local work is not metered."""
        credits = await studio.credits()
        text = credits.message
        if credits.metered:
            text = f"Available {credits.available}, frozen {credits.frozen}, total {credits.total}. {credits.message}"
        return _result(credits, text)

    @mcp.tool(
        title="Render the reel to an MP4",
        annotations=ToolAnnotations(
            readOnlyHint=False, destructiveHint=False, idempotentHint=True, openWorldHint=False
        ),
    )
    @_tool_errors
    async def export_video(
        session_id: str,
        ctx: Context,
        clips: Annotated[bool, Field(description=_EXPORT_FIELDS["clips"].description)] = False,
        timelines: Annotated[list[TimelineFormat], Field(description=_EXPORT_FIELDS["timelines"].description)] = [],  # noqa: B006
        aspects: Annotated[list[Aspect], Field(description=_EXPORT_FIELDS["aspects"].description)] = [],  # noqa: B006
    ) -> Annotated[CallToolResult, ExportResult]:
        """Render the timeline to a 1080p H.264 MP4 and return its path, a file:// link, duration, size,
        resolution, YouTube-style chapters and a cover image (<reel>.jpg). On request also every moment as its
        own MP4, editor timelines (otio, fcpxml, edl) and the reel in other shapes. Exporting an unchanged
        timeline again (with no such request) returns the existing file at once."""
        request = ExportRequest(clips=clips, timelines=timelines, aspects=aspects)
        async with progress_notifications(ctx, "Rendering") as progress:
            result = await studio.export(session_id, progress, request=request)
        path = Path(result.path)
        if download_base and (served := studio.served_name(path)):
            result = result.model_copy(update={"download_url": f"{download_base.rstrip('/')}/renders/{served}"})
        links = [
            ResourceLink(
                type="resource_link",
                uri=uri,
                name=path.name,
                mime_type="video/mp4",
                size=result.size_bytes,
                description=f"{result.width}x{result.height}, {format_seconds(result.duration_s)}",
            )
            for uri in (result.uri, result.download_url)
            if uri
        ]
        for extra in [*result.shapes, *result.clips]:
            links.append(
                ResourceLink(
                    type="resource_link",
                    uri=extra.uri,
                    name=Path(extra.path).name,
                    mime_type="video/mp4",
                    size=extra.size_bytes,
                    description=f"{extra.width}x{extra.height}, {format_seconds(extra.duration_s)}",
                )
            )
        for other, mime in [(p, "application/octet-stream") for p in result.timelines] + [
            (p, "image/jpeg") for p in [result.cover_path] if p
        ]:
            links.append(ResourceLink(type="resource_link", uri=Path(other).resolve().as_uri(), name=Path(other).name, mime_type=mime))
        return _result(result, _export_text(result), *links)

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
        items = await studio.sessions()
        return json.dumps(
            [
                {
                    "session_id": s.session_id,
                    "summary": s.summary,
                    "uri": timeline_uri(s.session_id),
                    "media": [m.name for m in s.media],
                }
                for s in items
            ],
            ensure_ascii=False,
        )

    @mcp.prompt(name="make_highlight_reel", title="Make a highlight reel")
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

    return mcp
