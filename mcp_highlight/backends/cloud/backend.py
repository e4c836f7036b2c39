"""CloudBackend: the Backend protocol over the hosted NemoVideo agent.

We relay instructions, stream the agent's progress, translate its GUI-speak, fill its
silences with a state diff, never re-send a message whose stream broke, and run its export
with a job that survives restarts.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Sequence
from pathlib import Path

import httpx
from pydantic import ValidationError

from mcp_highlight.backends.cloud.agent_stream import stream_edit
from mcp_highlight.backends.cloud.claims import ClaimLinks
from mcp_highlight.backends.cloud.client import (
    NemoClient,
    wait_with_progress,
)
from mcp_highlight.backends.cloud.gui_speak import detect_language, is_noise, translate
from mcp_highlight.backends.cloud.models import (
    CloudState,
    CloudTiming,
    CreditsData,
    SessionCreateData,
    SessionCreateRequest,
    StateData,
)
from mcp_highlight.backends.cloud.registry import JobRegistry
from mcp_highlight.backends.cloud.render_jobs import RenderRunner, rendered_facts
from mcp_highlight.backends.cloud.uploads import local_source, send_upload, url_source
from mcp_highlight.backends.cloud.wire import bind_id_of, kind_of_name, media_list, megabytes, uploaded_id
from mcp_highlight.backends.describe_edit import describe_edit
from mcp_highlight.backends.models import (
    Credits,
    EditRequest,
    EditResult,
    ExportRequest,
    ExportResult,
    JobInfo,
    MediaItem,
    SessionState,
    UploadResult,
)
from mcp_highlight.core.config import Settings
from mcp_highlight.core.errors import (
    BackendError,
    BadInputError,
    HighlightError,
    ImpossibleRequestError,
    NothingToExportError,
    UnknownSessionError,
)
from mcp_highlight.core.logs import get_logger
from mcp_highlight.core.progress import ProgressFn, scaled
from mcp_highlight.draft.diff import describe_changes, diff_drafts
from mcp_highlight.draft.model import Draft, summarize

log = get_logger(__name__)

SESSION_PATH = "/api/tasks/me/with-session/nemo_agent"
CREDITS_PATH = "/api/credits/balance/simple"
EDIT_CREDITS = 50
"""An edit's price, about (cloud-api.md: 50 a session, 100 a generated clip, export free); whether the agent
generates clips is its own choice, so the session's price is the one known before it runs."""


class CloudBackend:
    """The hosted agent behind the Backend protocol (see backends/base.py)."""

    name = "cloud"
    takes_words = True  # the hosted agent reads the user's own words

    def __init__(
        self,
        settings: Settings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timing: CloudTiming | None = None,
    ) -> None:
        self.settings = settings
        self.renders_dir = settings.renders_dir
        self.timing = timing or CloudTiming()
        settings.home.mkdir(parents=True, exist_ok=True)
        self.client = NemoClient(settings, self.timing, transport=transport)
        self.registry = JobRegistry(settings.database)
        self.renders = RenderRunner(self.client, self.registry, settings)
        self.claims = ClaimLinks(self.client, self.registry)

    async def aclose(self) -> None:
        await self.client.aclose()

    # --- sessions -------------------------------------------------------------------------------------------

    async def create_session(self, language: str = "en") -> str:
        """A new NemoVideo project; its id is remembered for list_sessions and claim links."""
        data = await self.client.call(
            "POST", SESSION_PATH, json_body=SessionCreateRequest(language=language).model_dump()
        )
        try:
            created = SessionCreateData.model_validate(data)
        except ValidationError:
            raise BackendError("NemoVideo did not return a session id.") from None
        bind = bind_id_of(data) or created.task_id or created.session_id
        self.client.bind_id = bind
        self.registry.add_session(created.session_id, task_id=created.task_id, bind_id=bind, language=language)
        log.info("cloud.session.created", session_id=created.session_id, language=language)
        return created.session_id

    async def _gone(self, session_id: str, *, replace: bool, language: str = "en") -> UnknownSessionError:
        """The error for a session the API forgot; with `replace`, a new one is created for the caller."""
        self.registry.forget_session(session_id)
        if not replace:
            return UnknownSessionError(
                f"The NemoVideo session {session_id} is gone (the API no longer knows it).",
                hint="Upload the footage again to start a new session.",
            )
        new_id = await self.create_session(language)
        return UnknownSessionError(
            f"The NemoVideo session {session_id} is gone (the API no longer knows it). A new session {new_id} was created.",
            hint=f"Upload the footage again into session {new_id}, then repeat the instruction.",
        )

    async def claim_url(self, session_id: str) -> str | None:
        return await self.claims.url(session_id)

    async def _read_state(self, session_id: str, *, replace_if_gone: bool = False) -> tuple[Draft, CloudState]:
        try:
            data = await self.client.call("GET", f"/api/state/nemo_agent/me/{session_id}/latest")
        except UnknownSessionError:
            raise await self._gone(session_id, replace=replace_if_gone) from None
        if isinstance(data, dict) and "state" not in data and ("draft" in data or "video_infos" in data):
            data = {"state": data}
        try:
            state = StateData.model_validate(data or {}).state
            draft = Draft.model_validate(state.draft or {})
        except ValidationError:
            raise BackendError("NemoVideo's session state could not be read (unexpected draft shape).") from None
        self.client.bind_id = bind_id_of(data) or self.client.bind_id
        return draft, state

    def _jobs(self, session_id: str) -> list[JobInfo]:
        return [
            JobInfo(
                id=job.render_id,
                status="running" if job.status == "pending" else job.status,
                path=job.path,
                fingerprint=job.fingerprint,
                error=job.error,
                created_at=job.created_at,
            )
            for job in self.registry.jobs(session_id)
        ]

    async def state(self, session_id: str) -> SessionState:
        record = self.registry.session(session_id)
        if record and record.bind_id:
            self.client.bind_id = record.bind_id
        draft, cloud = await self._read_state(session_id)
        return SessionState(
            session_id=session_id,
            backend="cloud",
            summary=summarize(draft),
            draft=draft.dump(),
            media=media_list(cloud.video_infos),
            jobs=self._jobs(session_id),
            claim_url=await self.claim_url(session_id),
        )

    async def list_sessions(self) -> list[SessionState]:
        out: list[SessionState] = []
        for record in self.registry.sessions():
            try:
                draft, cloud = await self._read_state(record.session_id)
            except UnknownSessionError:
                continue  # forgotten by the API: _read_state dropped it from the registry
            except HighlightError as exc:
                out.append(
                    SessionState(
                        session_id=record.session_id,
                        backend="cloud",
                        summary=f"(state unavailable: {exc.message})",
                        draft={},
                        jobs=self._jobs(record.session_id),
                    )
                )
                continue
            out.append(
                SessionState(
                    session_id=record.session_id,
                    backend="cloud",
                    summary=summarize(draft),
                    draft=draft.dump(),
                    media=media_list(cloud.video_infos),
                    jobs=self._jobs(record.session_id),
                )
            )
        return out

    # --- credits --------------------------------------------------------------------------------------------

    async def credits(self) -> Credits:
        data = await self.client.call("GET", CREDITS_PATH)
        if isinstance(data, dict) and isinstance(data.get("data"), dict):
            data = data["data"]
        balance = CreditsData.model_validate(data or {})

        def whole(value: float | None) -> int | None:
            return int(value) if value is not None else None

        available, frozen, total = whole(balance.available), whole(balance.frozen), whole(balance.total)
        parts = [f"{available if available is not None else 'unknown'} NemoVideo credits available"]
        if frozen:
            parts.append(f"{frozen} reserved by work in progress")
        if total is not None:
            parts.append(f"{total} in total")
        message = (
            ", ".join(parts)
            + f". Editing costs about {EDIT_CREDITS} credits a session, generation about 100 a clip; export is free."
        )
        if available is not None and available <= 0:
            message += " " + (self.client.no_credits_error().hint or "")
        return Credits(available=available, frozen=frozen, total=total, metered=True, message=message)

    def credits_needed(self, steps: Sequence[str]) -> int:
        return EDIT_CREDITS if "edit" in steps else 0

    # --- upload ---------------------------------------------------------------------------------------------

    async def upload(self, source: str, *, session_id: str | None, progress: ProgressFn) -> UploadResult:
        is_url = source.startswith(("http://", "https://"))
        source, name, size = url_source(source) if is_url else local_source(self.settings, source)
        note = ""
        if session_id is None:
            session_id = await self.create_session(detect_language(name))
            progress(0.02, f"Created NemoVideo session {session_id}")
        try:
            data = await send_upload(self.client, source, session_id, is_url, name, progress)
        except UnknownSessionError:
            old = session_id
            self.registry.forget_session(old)
            session_id = await self.create_session(detect_language(name))
            note = f"The session {old} was gone on NemoVideo, so the file went into a new session {session_id}. "
            data = await send_upload(self.client, source, session_id, is_url, name, progress)
        progress(1.0, f"Uploaded {name}")
        media = MediaItem(
            id=uploaded_id(data) or name,
            name=name,
            kind=kind_of_name(name),
            path=source,
            info=megabytes(size) if size is not None else "by URL",
            size_bytes=size,
        )
        where = f"NemoVideo session {session_id}"
        message = f"{note}Uploaded {name}{' (' + megabytes(size) + ')' if size is not None else ''} to {where}."
        return UploadResult(session_id=session_id, media=media, message=message)

    # --- edit -----------------------------------------------------------------------------------------------

    async def edit(
        self, session_id: str, instruction: str | None, request: EditRequest | None, *, progress: ProgressFn
    ) -> EditResult:
        words = [instruction.strip()] if instruction and instruction.strip() else []
        if request is not None and not request.is_empty():
            words.append(describe_edit(request))
        text = "; ".join(words)
        if not text:
            raise BadInputError(
                "There is no instruction to send.", hint="Say what to change, e.g. 'add the title Derby Day'."
            )
        language = detect_language(text)
        progress(0.0, "Reading the timeline before the edit")
        try:
            before, _ = await self._read_state(session_id)
        except UnknownSessionError:
            raise await self._gone(session_id, replace=True, language=language) from None
        outcome = await stream_edit(self.client, self.timing, session_id, text, scaled(progress, 0.02, 0.9))
        if outcome.broken:
            after = await self._recover(session_id, before, scaled(progress, 0.9, 0.99))
        else:
            after, _ = await self._read_state(session_id)
            if outcome.timed_out and after.fingerprint() == before.fingerprint():
                raise BackendError(
                    outcome.timed_out,
                    hint="The instruction was not re-sent (that could charge twice). Ask for the status later, or send it again.",
                )
        changes = diff_drafts(before, after)
        summary = summarize(after)
        texts = [t for t in outcome.texts if not is_noise(t)]
        said = translate("\n".join(texts), summary=summary, language=language) if texts else ""
        if said:
            message = said
        elif outcome.broken:
            message = "The connection to NemoVideo dropped during the edit, but it went through. " + describe_changes(
                changes
            )
        elif changes:
            message = "Done (NemoVideo sent no message). " + describe_changes(changes)
        elif outcome.texts:
            message = "NemoVideo reported a temporary issue and the timeline did not change. Try the instruction again."
        else:
            message = "NemoVideo finished without a reply and the timeline did not change. " + f"Current: {summary}"
        progress(1.0, "Edit finished")
        return EditResult(
            session_id=session_id,
            changes=[change.line for change in changes],
            before=summarize(before),
            after=summary,
            message=message,
            draft=after.dump(),
        )

    async def _recover(self, session_id: str, before: Draft, progress: ProgressFn) -> Draft:
        """After a broken stream: never re-send; read the state on the vendor's schedule."""
        timing = self.timing
        wait = timing.recovery_first_wait_s
        for number in range(1, timing.recovery_unchanged_reads + 1):
            await wait_with_progress(
                wait,
                timing,
                progress,
                (number - 1) / timing.recovery_unchanged_reads,
                f"The connection dropped; checking whether the edit went through ({number}/{timing.recovery_unchanged_reads}). It is not re-sent.",
            )
            wait = timing.recovery_interval_s
            try:
                after, _ = await self._read_state(session_id)
            except UnknownSessionError:
                raise
            except HighlightError as exc:
                log.warning("cloud.recovery.read_failed", attempt=number, error=str(exc))
                continue
            if after.fingerprint() != before.fingerprint():
                return after
        raise BackendError(
            f"The connection to NemoVideo broke during the edit, and the timeline had not changed after "
            f"{timing.recovery_unchanged_reads} checks.",
            hint="The instruction was not re-sent automatically (that could charge credits twice). Send it again to retry.",
        )

    # --- export ---------------------------------------------------------------------------------------------

    async def known_media(self, session_id: str) -> dict[str, str]:
        """Empty: the hosted agent resolves file names in the words itself."""
        return {}

    async def contact_sheet(self, session_id: str) -> Path:
        raise ImpossibleRequestError(
            "Contact sheets are made by the local backend only.", hint="Open the project in the browser instead."
        )

    async def analysis(self, media_id: str) -> None:
        """None: the hosted agent keeps its analysis to itself."""
        return None

    async def export(
        self,
        session_id: str,
        *,
        progress: ProgressFn,
        output: Path | None = None,
        request: ExportRequest | None = None,
    ) -> ExportResult:
        if request is not None and not request.is_empty():
            raise ImpossibleRequestError(
                "Clip packs, editor timelines and several shapes in one export are made by the local engine; "
                "the cloud backend exports one MP4.",
                hint="Export without those options, or use the local backend (MCP_HIGHLIGHT_BACKEND=local).",
            )
        progress(0.0, "Reading the timeline")
        draft, _ = await self._read_state(session_id)
        if not draft.exportable:
            raise NothingToExportError(
                "The timeline is empty: there is nothing to export yet.",
                hint="Ask for an edit first, e.g. 'pull the best moments into a 1-minute reel'.",
            )
        path, job, reused = await self.renders.export(session_id, draft, scaled(progress, 0.02, 0.98))
        if output is not None:
            output.parent.mkdir(parents=True, exist_ok=True)
            await asyncio.to_thread(shutil.copyfile, path, output)
            path = output
        duration, width, height = await asyncio.to_thread(rendered_facts, path, draft.duration_ms / 1000)
        claim = await self.claim_url(session_id)
        progress(1.0, f"Exported {path.name}")
        return ExportResult(
            session_id=session_id,
            path=str(path),
            uri=path.resolve().as_uri(),
            duration_s=duration,
            size_bytes=path.stat().st_size,
            width=width,
            height=height,
            reused=reused,
            render_id=job.render_id,
            claim_url=claim,
        )
