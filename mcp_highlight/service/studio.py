"""The studio: one API that the MCP server and the CLI share, over whichever backend is configured.

Requests are understood once here (routing plus the edit's fields, with the session's media known)
and carried out step by step: export, credits, status and upload words go to those actions, never
to the editor. Every answer has a readable message.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import anyio
from pydantic import BaseModel, Field

from mcp_highlight.backends.base import Backend, QueuedExports
from mcp_highlight.backends.cloud import CloudBackend
from mcp_highlight.backends.local import LocalBackend
from mcp_highlight.backends.models import (
    Credits,
    EditRequest,
    EditResult,
    ExportJob,
    ExportRequest,
    ExportResult,
    SessionState,
    UploadResult,
)
from mcp_highlight.core.config import Settings
from mcp_highlight.core.errors import BadInputError, ImpossibleRequestError
from mcp_highlight.core.progress import ProgressFn, no_progress, scaled
from mcp_highlight.engine.judge.analysis import Analysis
from mcp_highlight.service.doctor import DoctorReport, diagnose
from mcp_highlight.service.understanding import Action, Understood, understand


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


class StateOverview(SessionState):
    """`get_state`'s answer: a session's state or, before any session exists, the setup report instead."""

    session_id: str | None = Field(None, description="None before the first upload.")  # type: ignore[assignment]
    setup: DoctorReport | None = Field(None, description="Before the first upload: what works here, what to do.")


class Spend(BaseModel):
    """What a request costs on a metered backend, and the balance: what the user is asked before it runs."""

    what: str = Field(description="The request in words: 'This edit', 'This edit and export'.")
    credits: int
    available: int | None

    @property
    def affordable(self) -> bool:
        return self.available is None or self.available >= self.credits

    def question(self) -> str:
        have = "an unknown number" if self.available is None else str(self.available)
        return f"{self.what} uses about {self.credits} credits; you have {have}. Go?"


def make_backend(settings: Settings) -> Backend:
    return CloudBackend(settings) if settings.backend == "cloud" else LocalBackend(settings)


class Studio:
    def __init__(self, backend: Backend, settings: Settings) -> None:
        self.backend = backend
        self.settings = settings

    @classmethod
    def from_settings(cls, settings: Settings) -> Studio:
        return cls(make_backend(settings), settings)

    async def diagnose(self) -> DoctorReport:
        """What works here and what to do next (the doctor's report). A remote client learns whether the
        server has room, never how much or where (see `public_paths`)."""
        report = await diagnose(self.settings)
        if self.settings.remote:
            for check in report.checks:
                if check.name == "Free space":
                    check.detail = "enough room for a render" if check.ok else "low on room for a render"
        return report

    async def aclose(self) -> None:
        await self.backend.aclose()

    @property
    def takes_words(self) -> bool:
        return self.backend.takes_words

    def served_name(self, path: str | Path) -> str | None:
        """The file name under which the HTTP front serves `path`, if it is in the renders folder."""
        path = Path(path)
        return path.name if path.resolve().parent == self.backend.renders_dir.resolve() else None

    async def owns_render(self, name: str) -> bool:
        """Whether the render file `name` (`reel-<session>-….mp4`, `sheet-<session>-….png`) comes from one of
        the caller's sessions: the HTTP front serves a render only to the token that made it."""
        sessions = await self.sessions()
        return any(name.startswith((f"reel-{s.session_id[-8:]}-", f"sheet-{s.session_id[-8:]}-")) for s in sessions)

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

    async def overview(self, session_id: str | None = None) -> StateOverview:
        """A session's state (the most recent one when None); before the first upload, the setup report."""
        if not session_id:
            sessions = await self.sessions()
            if not sessions:
                report = await self.diagnose()
                summary = "No sessions yet: upload_video(path) starts one."
                return StateOverview(backend=self.backend.name, summary=summary, draft={}, setup=report)
            session_id = sessions[0].session_id
        return StateOverview.model_validate((await self.state(session_id)).model_dump())

    async def spend(self, session_id: str, steps: Sequence[Action]) -> Spend | None:
        """What these steps would cost, with the balance; None when they are free here. The session is
        checked first, so nobody is asked to pay for work on a session that is gone."""
        credits = self.backend.credits_needed(steps)
        if credits <= 0:
            return None
        await self.backend.state(session_id)
        balance = await self.backend.credits()
        what = "This " + " and ".join(step for step in steps if step in ("upload", "edit", "export"))
        return Spend(what=what, credits=credits, available=balance.available)

    async def sessions(self) -> list[SessionState]:
        return await self.backend.list_sessions()

    async def credits(self) -> Credits:
        return await self.backend.credits()

    async def export(
        self,
        session_id: str,
        progress: ProgressFn = no_progress,
        output: Path | None = None,
        request: ExportRequest | None = None,
    ) -> ExportResult:
        return await self.backend.export(session_id, progress=progress, output=output, request=request)

    @property
    def queues_exports(self) -> bool:
        """Cluster mode: an export is a job any replica reports on, so it can be an MCP task."""
        return isinstance(self.backend, QueuedExports) and self.backend.queues_exports

    def _queued(self) -> QueuedExports:
        if not isinstance(self.backend, QueuedExports) or not self.backend.queues_exports:
            raise ImpossibleRequestError("Exports are tasks in cluster mode only (MCP_HIGHLIGHT_DATABASE_URL).")
        return self.backend

    async def start_export(self, session_id: str, request: ExportRequest) -> ExportJob:
        return await self._queued().start_export(session_id, request)

    async def export_job(self, job_id: str) -> ExportJob:
        return await self._queued().export_job(job_id)

    async def cancel_export(self, job_id: str) -> None:
        await self._queued().cancel_export(job_id)

    async def contact_sheet(self, session_id: str) -> Path:
        return await self.backend.contact_sheet(session_id)

    async def analysis(self, media_id: str) -> Analysis | None:
        return await self.backend.analysis(media_id)

    async def understand(self, session_id: str | None, instruction: str | None) -> Understood:
        """The one reading of the words, off the event loop (long text must not stall other clients)."""
        if not instruction or not instruction.strip():
            return Understood()
        known = await self.backend.known_media(session_id) if session_id else {}
        return await anyio.to_thread.run_sync(understand, instruction, known)

    async def edit(
        self,
        session_id: str,
        instruction: str | None = None,
        request: EditRequest | None = None,
        progress: ProgressFn = no_progress,
    ) -> TimelineOutcome:
        """Understand the words (structured fields on top), then carry them out."""
        understood = (await self.understand(session_id, instruction)).with_fields(request or EditRequest())
        return await self.run(session_id, understood, progress)

    async def run(self, session_id: str, understood: Understood, progress: ProgressFn = no_progress) -> TimelineOutcome:
        """Carry out an understood request, step by step, in execution order."""
        steps = understood.steps
        outcome: TimelineOutcome | None = None
        for index, step in enumerate(steps):
            part = scaled(progress, index / len(steps), (index + 1) / len(steps))
            if step == "edit":
                result = await self._edit_step(session_id, understood, part)
                outcome = TimelineOutcome(action="edit", message=result.message, session_id=session_id, edit=result)
            elif step == "export":
                exported = await self.backend.export(session_id, progress=part, request=understood.export)
                message = f"Exported {exported.path} ({exported.duration_s:.1f}s, {exported.width}x{exported.height})."
                if extras := exported.extras_text():
                    message += "\n" + extras
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
                if not understood.uploads:
                    raise BadInputError(
                        "That sounds like an upload, but no file path or URL was given.",
                        hint="Use upload_video with the file's path, or include the path in the request.",
                    )
                for source in understood.uploads:
                    uploaded = await self.backend.upload(source, session_id=session_id or None, progress=part)
                    session_id = uploaded.session_id
                outcome = TimelineOutcome(
                    action="upload", message=uploaded.message, session_id=uploaded.session_id, upload=uploaded
                )
        assert outcome is not None
        outcome.steps = list(steps)
        return outcome

    async def _edit_step(self, session_id: str, understood: Understood, progress: ProgressFn) -> EditResult:
        if self.backend.takes_words:
            # the hosted agent reads the user's own words, plus the client's fields restated as words
            if understood.given.is_empty() and not understood.words:
                raise understood.refusal()
            return await self.backend.edit(session_id, understood.words, understood.given, progress=progress)
        if understood.request.is_empty():
            raise understood.refusal()
        result = await self.backend.edit(session_id, understood.words, understood.request, progress=progress)
        if understood.leftover:
            result.message = f"{result.message} I did not act on: {understood.leftover!r}.".strip()
        return result
