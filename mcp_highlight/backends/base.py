"""The Backend protocol: everything the service layer needs from local and cloud alike.

Fronts never reach past the studio into a backend, so whatever they need (a contact sheet, the
analysis behind a curve, where renders go) is asked for here, not found by `getattr`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

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
from mcp_highlight.core.progress import ProgressFn
from mcp_highlight.engine.judge.analysis import Analysis


class Backend(Protocol):
    name: str
    #: True when the backend reads plain words itself (the hosted agent); False when it needs fields.
    takes_words: bool
    #: Where exports are written (the HTTP front serves downloads from here).
    renders_dir: Path

    async def upload(self, source: str, *, session_id: str | None, progress: ProgressFn) -> UploadResult:
        """A local path or an http(s) URL into a new (session_id None) or existing session."""
        ...

    async def known_media(self, session_id: str) -> dict[str, str]:
        """Names and ids of the session's uploads -> their ids, oldest first, so words can name them."""
        ...

    async def edit(
        self, session_id: str, words: str | None, request: EditRequest, *, progress: ProgressFn
    ) -> EditResult:
        """Apply an edit the service has already understood. `words` are the user's own (the hosted agent
        reads them; the local engine keeps them as the history note)."""
        ...

    async def state(self, session_id: str) -> SessionState: ...

    async def credits(self) -> Credits: ...

    def credits_needed(self, steps: Sequence[str]) -> int:
        """About how many credits these steps of a request cost here (0: free or not metered)."""
        ...

    async def export(
        self,
        session_id: str,
        *,
        progress: ProgressFn,
        output: Path | None = None,
        request: ExportRequest | None = None,
    ) -> ExportResult:
        """Render the draft; `output` (the CLI's -o) writes there instead of the renders folder. `request`
        asks for more than the reel (a clip pack, editor timelines, other shapes)."""
        ...

    async def contact_sheet(self, session_id: str) -> Path:
        """A PNG of the reel's moments; ImpossibleRequestError where the backend cannot make one."""
        ...

    async def analysis(self, media_id: str) -> Analysis | None:
        """The excitement analysis of an uploaded video, when this backend made one."""
        ...

    async def list_sessions(self) -> list[SessionState]: ...

    async def aclose(self) -> None: ...


@runtime_checkable
class QueuedExports(Protocol):
    """A backend whose exports can be jobs that any process follows (cluster mode), so they can be MCP
    tasks: started without waiting, then read and cancelled by id from any replica."""

    #: True when this backend's exports run on workers, whatever happens to the request that asked.
    queues_exports: bool

    async def start_export(self, session_id: str, request: ExportRequest) -> ExportJob: ...

    async def export_job(self, job_id: str) -> ExportJob: ...

    async def cancel_export(self, job_id: str) -> None: ...
