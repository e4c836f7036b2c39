"""The studio: one API that the MCP server and the CLI share, over whichever backend is configured.

It routes plain-language requests (export, credits, status, upload go to those actions,
never to the editor), and gives every answer a readable message.
"""

from __future__ import annotations

from typing import Literal

import anyio
from pydantic import BaseModel, Field

from mcp_highlight.backends.base import Backend
from mcp_highlight.backends.models import (
    Credits,
    EditRequest,
    EditResult,
    ExportResult,
    SessionState,
    UploadResult,
)
from mcp_highlight.config import Settings
from mcp_highlight.errors import BadInputError
from mcp_highlight.progress import ProgressFn, no_progress, scaled

Action = Literal["edit", "export", "credits", "state", "upload"]


class TimelineOutcome(BaseModel):
    """What `edit_timeline` did: an edit, or the action the words really asked for."""

    action: Action
    message: str
    session_id: str | None = None
    edit: EditResult | None = None
    export: ExportResult | None = None
    credits: Credits | None = None
    state: SessionState | None = None
    upload: UploadResult | None = None
    steps: list[Action] = Field(default_factory=list)


def make_backend(settings: Settings) -> Backend:
    if settings.backend == "cloud":
        from mcp_highlight.backends.cloud import CloudBackend

        return CloudBackend(settings)
    from mcp_highlight.backends.local import LocalBackend

    return LocalBackend(settings)


class Studio:
    def __init__(self, backend: Backend, settings: Settings) -> None:
        self.backend = backend
        self.settings = settings

    async def aclose(self) -> None:
        await self.backend.aclose()

    async def upload(
        self, source: str, session_id: str | None = None, progress: ProgressFn = no_progress
    ) -> UploadResult:
        if not source or not source.strip():
            raise BadInputError(
                "No file was given.", hint="Pass the path of a video on this computer, or an http(s) URL."
            )
        return await self.backend.upload(source, session_id=session_id or None, progress=progress)

    async def state(self, session_id: str) -> SessionState:
        return await self.backend.state(session_id)

    async def sessions(self) -> list[SessionState]:
        return await self.backend.list_sessions()

    async def credits(self) -> Credits:
        return await self.backend.credits()

    async def export(self, session_id: str, progress: ProgressFn = no_progress) -> ExportResult:
        return await self.backend.export(session_id, progress=progress)

    async def edit(
        self,
        session_id: str,
        instruction: str | None = None,
        request: EditRequest | None = None,
        progress: ProgressFn = no_progress,
    ) -> TimelineOutcome:
        """Apply an edit, or do what the words route to (export, credits, state, upload)."""
        from mcp_highlight.service.routing import plan_route

        steps: list[Action] = ["edit"]
        uploads: list[str] = []
        if instruction and (request is None or request.is_empty()):
            plan = await anyio.to_thread.run_sync(plan_route, instruction)  # CPU work: off the event loop
            steps, uploads, instruction = list(plan.steps), plan.uploads, plan.edit_text or instruction
        outcome: TimelineOutcome | None = None
        for index, step in enumerate(steps):
            part = scaled(progress, index / len(steps), (index + 1) / len(steps))
            if step == "edit":
                result = await self.backend.edit(session_id, instruction, request, progress=part)
                outcome = TimelineOutcome(action="edit", message=result.message, session_id=session_id, edit=result)
            elif step == "export":
                exported = await self.backend.export(session_id, progress=part)
                message = f"Exported {exported.path} ({exported.duration_s:.1f}s, {exported.width}x{exported.height})."
                if outcome is not None:
                    outcome.export, outcome.message = exported, f"{outcome.message} {message}"
                else:
                    outcome = TimelineOutcome(action="export", message=message, session_id=session_id, export=exported)
            elif step == "credits":
                credits = await self.backend.credits()
                outcome = TimelineOutcome(action="credits", message=credits.message, credits=credits)
            elif step == "state":
                state = await self.backend.state(session_id)
                outcome = TimelineOutcome(action="state", message=state.summary, session_id=session_id, state=state)
            else:
                if not uploads:
                    raise BadInputError(
                        "That sounds like an upload, but no file path or URL was given.",
                        hint="Use upload_video with the file's path, or include the path in the request.",
                    )
                for source in uploads:
                    uploaded = await self.backend.upload(source, session_id=session_id or None, progress=part)
                    session_id = uploaded.session_id
                outcome = TimelineOutcome(
                    action="upload", message=uploaded.message, session_id=uploaded.session_id, upload=uploaded
                )
        assert outcome is not None
        outcome.steps = steps
        return outcome
