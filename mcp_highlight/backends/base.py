"""The Backend protocol: what the service layer needs from local and cloud alike."""

from __future__ import annotations

from typing import Protocol

from mcp_highlight.backends.models import (
    Credits,
    EditRequest,
    EditResult,
    ExportResult,
    SessionState,
    UploadResult,
)
from mcp_highlight.progress import ProgressFn


class Backend(Protocol):
    name: str

    async def upload(self, source: str, *, session_id: str | None, progress: ProgressFn) -> UploadResult:
        """A local path or an http(s) URL into a new (session_id None) or existing session."""
        ...

    async def edit(
        self, session_id: str, instruction: str | None, request: EditRequest | None, *, progress: ProgressFn
    ) -> EditResult:
        """Apply an edit. Local: `request` wins, else `instruction` is parsed (may raise
        InstructionNotUnderstoodError). Cloud: the instruction (or request.describe()) goes to the agent."""
        ...

    async def state(self, session_id: str) -> SessionState: ...

    async def credits(self) -> Credits: ...

    async def export(self, session_id: str, *, progress: ProgressFn) -> ExportResult: ...

    async def list_sessions(self) -> list[SessionState]: ...

    async def aclose(self) -> None: ...
