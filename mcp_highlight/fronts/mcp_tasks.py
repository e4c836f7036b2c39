"""MCP Tasks (the 2026-07-28 Tasks extension, `io.modelcontextprotocol/tasks`) for `export_video`.

In cluster mode a client that declares the extension on its call gets a task handle at once instead of
waiting for the render. The handle is the export's job id, so `tasks/get` (status, progress message, and
at the end the same result the blocking call returns) and `tasks/cancel` are answered from the job table
by whichever replica a request reaches, and a client can poll again after reconnecting or restarting.
Clients without the extension, and every client of an embedded server (whose exports run inside the
request), keep the blocking call with progress.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.server.extension import Extension, MethodBinding
from mcp.server.mcpserver.server import require_client_extension
from mcp.shared.exceptions import MCPError
from mcp_types import INVALID_PARAMS, CallToolRequestParams, RequestParams
from pydantic import Field, ValidationError

from mcp_highlight.backends.models import ExportJob, ExportRequest
from mcp_highlight.core.errors import BadInputError, HighlightError, invalid_input
from mcp_highlight.fronts.mcp_tools import Front, export_outcome
from mcp_highlight.fronts.tool_results import error_result

TASKS = "io.modelcontextprotocol/tasks"
POLL_MS = 2000
STATUS = {"queued": "working", "running": "working", "cancelled": "cancelled"}
"""Our job states as task states; the others are `completed` (a failed render is a tool error, as in the
blocking call: the spec keeps `failed` for JSON-RPC errors)."""


class TaskParams(RequestParams):
    task_id: str = Field(alias="taskId", min_length=1, max_length=200)


class UpdateTaskParams(TaskParams):
    input_responses: dict[str, Any] = Field(default_factory=dict, alias="inputResponses")


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat().replace("+00:00", "Z")


def task_fields(job: ExportJob) -> dict[str, Any]:
    """The spec's `Task`: id, status, a message a person can read, times, and how often to poll."""
    status = STATUS.get(job.status, "completed")
    message = f"{job.message or 'Waiting for a worker'} ({job.progress:.0%})" if status == "working" else None
    if job.status in ("failed", "interrupted"):
        message = job.error or "The render failed."
    return {
        "taskId": job.id,
        "status": status,
        **({"statusMessage": message} if message else {}),
        "createdAt": _iso(job.created_at),
        "lastUpdatedAt": _iso(job.updated_at),
        "ttlMs": None,  # the job's row is kept: the task does not expire
        "pollIntervalMs": POLL_MS,
    }


def _declared(ctx: ServerRequestContext[Any, Any]) -> bool:
    capabilities = ctx.session.client_capabilities
    return bool(capabilities and capabilities.extensions and TASKS in capabilities.extensions)


class ExportTasks(Extension):
    """`export_video` as a task for clients that declare the extension (cluster mode only)."""

    identifier = TASKS

    def methods(self) -> list[MethodBinding]:
        return [
            MethodBinding("tasks/get", TaskParams, self.get),
            MethodBinding("tasks/cancel", TaskParams, self.cancel),
            MethodBinding("tasks/update", UpdateTaskParams, self.update),
        ]

    async def intercept_tool_call(
        self, params: CallToolRequestParams, ctx: ServerRequestContext[Any, Any], call_next: CallNext
    ) -> HandlerResult:
        front: Front = ctx.lifespan_context
        if params.name != "export_video" or not front.studio.queues_exports or not _declared(ctx):
            return await call_next(ctx)
        arguments = dict(params.arguments or {})
        session_id = arguments.pop("session_id", None)
        try:
            if not isinstance(session_id, str) or not session_id:
                raise BadInputError("session_id is required: the session to export.")
            request = ExportRequest.model_validate(arguments)
            job = await front.studio.start_export(session_id, request)
        except (HighlightError, ValidationError) as raised:
            exc = invalid_input(raised) if isinstance(raised, ValidationError) else raised
            return error_result(str(exc))
        return {"resultType": "task", **task_fields(job)}

    async def get(self, ctx: ServerRequestContext[Any, Any], params: TaskParams) -> HandlerResult:
        job = await _job(ctx, params.task_id)
        fields = task_fields(job)
        front: Front = ctx.lifespan_context
        if job.status == "completed" and job.result is not None:
            fields["result"] = _wire(export_outcome(front, job.result))
        elif fields["status"] == "completed":
            fields["result"] = _wire(error_result(f"The render failed: {job.error or job.status}"))
        return {"resultType": "complete", **fields}

    async def cancel(self, ctx: ServerRequestContext[Any, Any], params: TaskParams) -> HandlerResult:
        await _job(ctx, params.task_id)
        front: Front = ctx.lifespan_context
        await front.studio.cancel_export(params.task_id)
        return {"resultType": "complete"}

    async def update(self, ctx: ServerRequestContext[Any, Any], params: UpdateTaskParams) -> HandlerResult:
        """An export never asks for input: responses name no outstanding request and are ignored."""
        await _job(ctx, params.task_id)
        return {"resultType": "complete"}


async def _job(ctx: ServerRequestContext[Any, Any], task_id: str) -> ExportJob:
    """The caller's export job, or the spec's 'not found' (another token's job is as if absent)."""
    require_client_extension(ctx, TASKS)
    front: Front = ctx.lifespan_context
    try:
        return await front.studio.export_job(task_id)
    except HighlightError as exc:
        raise MCPError(code=INVALID_PARAMS, message=f"Failed to retrieve task: {exc}") from exc


def _wire(result: Any) -> dict[str, Any]:
    return result.model_dump(by_alias=True, mode="json", exclude_none=True)
