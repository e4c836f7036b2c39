"""The five MCP tools and the resolvers they depend on, as plain functions over the studio.

The server's lifespan yields one `Front` (the studio and what the MCP side adds to it); every tool
reaches it through its `Context`, so nothing here is a closure and each tool reads on its own.
"""

import base64
import inspect
import json
from contextlib import suppress
from dataclasses import dataclass
from functools import wraps
from pathlib import Path
from typing import Annotated, Any

from mcp.server.elicitation import ElicitationResult
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.resolve import Elicit, Resolve, Sample
from mcp_types import CallToolResult, CreateMessageResult, ImageContent, SamplingMessage, TextContent
from pydantic import Field, ValidationError

from mcp_highlight.backends.models import (
    Aspect,
    Credits,
    EditRequest,
    ExportRequest,
    ExportResult,
    TimelineFormat,
    UploadResult,
)
from mcp_highlight.core.errors import HighlightError, InstructionNotUnderstoodError, invalid_input
from mcp_highlight.core.limits import MAX_INSTRUCTION_CHARS, MAX_PATH_CHARS
from mcp_highlight.core.logs import get_logger
from mcp_highlight.fronts.legacy_subscriptions import LegacySubscriptions
from mcp_highlight.fronts.mcp_progress import progress_notifications
from mcp_highlight.fronts.spend_consent import (
    GoAhead,
    NotAsked,
    offer_sign_in,
    refusal_text,
    spend_note,
    spend_question,
)
from mcp_highlight.fronts.tool_results import (
    error_result,
    export_links,
    export_text,
    outcome_text,
    state_text,
    tool_result,
)
from mcp_highlight.service.studio import StateOverview, Studio, TimelineOutcome
from mcp_highlight.service.understanding import Understood

log = get_logger(__name__)

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

_EXPORT_FIELDS = ExportRequest.model_fields  # export_video's arguments are described once, on the model


@dataclass
class Front:
    """What the tools share for the server's lifetime: the studio, and what only the MCP side needs."""

    studio: Studio
    legacy: LegacySubscriptions
    download_base: str | None = None
    #: cluster mode: 2025 subscribers hear of changes from the shared event bus, whichever replica made them
    legacy_via_bus: bool = False

    async def notify_timeline(self, ctx: Context, session_id: str) -> None:
        uri = timeline_uri(session_id)
        with suppress(Exception):
            await ctx.notify_resource_updated(uri)  # 2026 protocol: subscriptions/listen streams
        if not self.legacy_via_bus:
            await self.legacy.notify(uri)  # 2025 protocol: resources/subscribe


def front_of(ctx: Context) -> Front:
    return ctx.request_context.lifespan_context


def timeline_uri(session_id: str) -> str:
    return f"highlight://sessions/{session_id}/timeline"


def tool_errors(fn: Any) -> Any:
    """Our errors become tool errors carrying just their specific message; never a stack trace."""

    @wraps(fn)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return await fn(*args, **kwargs)
        except (HighlightError, ValidationError) as raised:
            exc = invalid_input(raised) if isinstance(raised, ValidationError) else raised
            log.info("tool_error", tool=fn.__name__, code=exc.code, error=str(exc))
            return error_result(await offer_sign_in(kwargs.get("ctx"), exc))

    return wrapper


def with_edit_fields(fn: Any) -> Any:
    """Give `fn` (which takes `**fields`) one keyword parameter per EditRequest field, so the tool's input
    schema is generated from the one definition of an edit (all optional: absent means unchanged).
    Applied once, where the tool is defined."""
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


# resolvers: run before edit_timeline's body -------------------------------------------------------
async def read_words(session_id: str, ctx: Context, instruction: str | None = None) -> Understood | HighlightError:
    """The one reading of the instruction (routing and edit fields), before the tool body runs.
    An error is handed to the body, which reports it like any other tool error."""
    try:
        return await front_of(ctx).studio.understand(session_id, instruction)
    except HighlightError as exc:
        return exc
    except ValidationError as exc:  # words asking past a limit ('a 5-hour reel')
        return invalid_input(exc)


async def ask_model(
    understood: Annotated[Understood | HighlightError, Resolve(read_words)], ctx: Context
) -> Sample | None:
    """Ask the client's model to restate words our rules could not read, when the backend needs fields."""
    if isinstance(understood, HighlightError) or not understood.edit_is_blank or not understood.words:
        return None
    capabilities = ctx.client_capabilities
    if front_of(ctx).studio.takes_words or capabilities is None or capabilities.sampling is None:
        return None
    return Sample(
        [SamplingMessage(role="user", content=TextContent(type="text", text=understood.words))],
        max_tokens=400,
        system_prompt=SAMPLING_SYSTEM,
        temperature=0.0,
    )


@with_edit_fields
async def ask_before_spending(
    session_id: str,
    ctx: Context,
    understood: Annotated[Understood | HighlightError, Resolve(read_words)],
    **fields: Any,
) -> Elicit[GoAhead] | NotAsked | HighlightError | None:
    """Before a request the backend charges for: the question for the user (see spend_consent)."""
    return await spend_question(front_of(ctx).studio, session_id, understood, fields, ctx)


def sampled_request(sampled: CreateMessageResult | None) -> EditRequest | None:
    if sampled is None or not isinstance(sampled.content, TextContent):
        return None
    raw = sampled.content.text.strip().removeprefix("```json").removeprefix("```").removesuffix("```").strip()
    try:
        request = EditRequest.model_validate(json.loads(raw))
    except (ValueError, ValidationError):
        log.info("sampling_unusable")
        return None
    return None if request.is_empty() else request


def merge_request(understood: Understood, fields: dict[str, Any], sampled: CreateMessageResult | None) -> Understood:
    """The words, the client's fields on top, and the client's model's reading when nothing else was understood."""
    given = EditRequest.model_validate({k: v for k, v in fields.items() if v is not None})
    understood = understood.with_fields(given)
    if understood.edit_is_blank and (from_model := sampled_request(sampled)) is not None:
        understood = understood.with_fields(from_model)  # the client's model restated the words as fields
    if understood.edit_is_blank and not understood.words:
        raise InstructionNotUnderstoodError(
            "Nothing to change: give an instruction or at least one edit argument.",
            hint="For example: instruction='a 60-second reel of the best moments'.",
        )
    return understood


# the tools ----------------------------------------------------------------------------------------
@tool_errors
async def upload_video(
    path: Annotated[str, Field(max_length=MAX_PATH_CHARS, description="A file on this computer, or an http(s) URL.")],
    ctx: Context,
    session_id: Annotated[str | None, Field(description="Add to this session; omit to start a new one.")] = None,
) -> Annotated[CallToolResult, UploadResult]:
    """Add a recording (mp4 mov avi webm mkv), a logo (jpg png gif webp) or music (mp3 wav m4a aac), up to
    500 MB, to a session. Returns the session id and what the file is. Analysis starts at once in the
    background, so the first edit is quick."""
    async with progress_notifications(ctx, "Uploading") as progress:
        result = await front_of(ctx).studio.upload(path, session_id, progress)
    with suppress(Exception):
        await ctx.notify_resources_changed()
    return tool_result(result, result.message)


@with_edit_fields
@tool_errors
async def edit_timeline(
    session_id: str,
    ctx: Context,
    understood: Annotated[Understood | HighlightError, Resolve(read_words)],
    sampled: Annotated[CreateMessageResult | None, Resolve(ask_model)],
    consent: Annotated[ElicitationResult[GoAhead], Resolve(ask_before_spending)],
    instruction: Annotated[
        str | None, Field(max_length=MAX_INSTRUCTION_CHARS, description=INSTRUCTION_DESCRIPTION)
    ] = None,
    **fields: Any,
) -> Annotated[CallToolResult, TimelineOutcome]:
    """Change the reel with an instruction and/or structured arguments. Returns what changed (before ->
    after) and the new timeline. Requests that mean export, credits, status or upload go to those actions."""
    if isinstance(understood, HighlightError):
        raise understood
    understood = merge_request(understood, fields, sampled)
    if (refused := refusal_text(consent)) is not None:
        return error_result(refused)
    front = front_of(ctx)
    async with progress_notifications(ctx, "Editing") as progress:
        outcome = await front.studio.run(session_id, understood, progress)
    if outcome.edit is not None:
        await front.notify_timeline(ctx, session_id)
    text = outcome_text(outcome)
    if note := spend_note(consent):
        text = f"{text}\n{note}"
    return tool_result(outcome, text)


@tool_errors
async def get_state(
    ctx: Context,
    session_id: Annotated[str | None, Field(description="Omit for the most recent session.")] = None,
    contact_sheet: Annotated[bool, Field(description="Also return a picture of the reel's moments.")] = False,
) -> Annotated[CallToolResult, StateOverview]:
    """The draft timeline, its one-line summary, the session's media and renders. Before the first upload:
    a setup check (what works on this machine) and what to do next."""
    studio = front_of(ctx).studio
    overview = await studio.overview(session_id)
    if overview.setup is not None:  # a first call: what works here and what to do next
        text = f"{overview.summary}\n{overview.setup.text()}"
        return tool_result(overview, text) if overview.setup.ok else error_result(text)
    extra: list[Any] = []
    if contact_sheet:
        png = await studio.contact_sheet(overview.session_id)
        extra.append(
            ImageContent(type="image", data=base64.b64encode(png.read_bytes()).decode(), mime_type="image/png")
        )
    return tool_result(overview, state_text(overview), *extra)


@tool_errors
async def get_credits(ctx: Context) -> Annotated[CallToolResult, Credits]:
    """Credits available, frozen by running work, and total. Local work is not metered."""
    credits = await front_of(ctx).studio.credits()
    text = credits.message
    if credits.metered:
        text = f"Available {credits.available}, frozen {credits.frozen}, total {credits.total}. {credits.message}"
    return tool_result(credits, text)


@tool_errors
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
    front = front_of(ctx)
    request = ExportRequest(clips=clips, timelines=timelines, aspects=aspects)
    async with progress_notifications(ctx, "Rendering") as progress:
        result = await front.studio.export(session_id, progress, request=request)
    return export_outcome(front, result)


def export_outcome(front: Front, result: ExportResult) -> CallToolResult:
    """What export_video hands back, blocking or as an MCP task: the result, its download link, its files."""
    if front.download_base and (served := front.studio.served_name(Path(result.path))):
        result = result.model_copy(update={"download_url": f"{front.download_base.rstrip('/')}/renders/{served}"})
    return tool_result(result, export_text(result), *export_links(result))
