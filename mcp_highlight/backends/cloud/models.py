"""Pydantic models of every NemoVideo request and answer (shared/cloud-api.md).

Answers are parsed leniently (`extra="allow"`, optional fields): several shapes are only
inferred from the vendor's documents, and an unknown key must never break a call.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

SUPPORTED_EXTENSIONS = ("mp4", "mov", "avi", "webm", "mkv", "jpg", "png", "gif", "webp", "mp3", "wav", "m4a", "aac")
"""The upload formats the hosted API accepts (its 4001 refuses anything else)."""


class CloudTiming(BaseModel):
    """Every interval of the cloud flow, in seconds; the defaults are the vendor's schedule.

    Tests pass tiny values so the whole flow runs in milliseconds.
    """

    connect_timeout_s: float = Field(5.0, gt=0, description="TCP/TLS connect: a dead API fails fast.")
    read_timeout_s: float = Field(60.0, gt=0, description="One read of a plain JSON call.")
    rate_limit_wait_s: float = Field(30.0, ge=0, description="Wait after HTTP 429 before the one retry.")
    tick_s: float = Field(1.0, gt=0, description="Progress (and cancellation check) at least this often.")
    still_working_every_s: float = Field(120.0, gt=0, description="'Still working...' notice while the agent works.")
    sse_cap_s: float = Field(900.0, gt=0, description="An edit stream never runs longer than this.")
    heartbeat_only_timeout_s: float = Field(600.0, gt=0, description="Heartbeats and nothing else this long: timeout.")
    recovery_first_wait_s: float = Field(30.0, ge=0, description="After a broken stream, wait this before reading.")
    recovery_interval_s: float = Field(60.0, ge=0, description="Then read the state again this often.")
    recovery_unchanged_reads: int = Field(5, ge=1, description="Give up after this many unchanged reads.")
    render_poll_interval_s: float = Field(30.0, ge=0, description="Poll the render job this often.")
    render_max_polls: int = Field(10, ge=1, description="Stop polling (the job stays resumable) after this many.")
    download_attempts: int = Field(4, ge=1, description="Tries of the render download, resuming with Range.")
    token_max_age_s: float = Field(7 * 24 * 3600 - 3600, gt=0, description="Anonymous tokens live 7 days.")


# --- envelope -------------------------------------------------------------------------------------------------


class Envelope(BaseModel):
    """`{"code": 0, "message": "...", "data": {...}}`; any non-zero code is an error, even with HTTP 200."""

    model_config = ConfigDict(extra="allow")

    code: int = 0
    message: str | None = None
    data: Any = None


# --- identity ---------------------------------------------------------------------------------------------------


class AnonymousTokenData(BaseModel):
    model_config = ConfigDict(extra="allow")

    token: str
    credits: int | None = None


class StoredToken(BaseModel):
    """What we keep in `<home>/nemo_token` (mode 0600) so a restart does not spend the 1-per-7-days allowance."""

    token: str
    client_id: str
    obtained_at: float


# --- sessions ---------------------------------------------------------------------------------------------------


class SessionCreateRequest(BaseModel):
    task_name: str = "project"
    language: str = "en"


class SessionCreateData(BaseModel):
    model_config = ConfigDict(extra="allow")

    task_id: str | None = None
    session_id: str


class ClaimTokenRequest(BaseModel):
    task_id: str
    session_id: str


class ClaimTokenData(BaseModel):
    model_config = ConfigDict(extra="allow")

    claim_token: str
    expires_in: float | None = None


# --- edit (SSE) -------------------------------------------------------------------------------------------------


class TextPart(BaseModel):
    text: str


class NewMessage(BaseModel):
    parts: list[TextPart]


class RunSseRequest(BaseModel):
    """All snake_case, as the ADK agent server expects."""

    app_name: str = "nemo_agent"
    user_id: str = "me"
    session_id: str
    new_message: NewMessage

    @classmethod
    def for_text(cls, session_id: str, text: str) -> RunSseRequest:
        return cls(session_id=session_id, new_message=NewMessage(parts=[TextPart(text=text)]))


class FunctionCall(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str | None = None
    name: str = ""
    args: dict[str, Any] | None = None


class FunctionResponse(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str | None = None
    name: str = ""
    response: Any = None


class EventPart(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)

    text: str | None = None
    thought: bool | None = None
    function_call: FunctionCall | None = Field(None, alias="functionCall")
    function_response: FunctionResponse | None = Field(None, alias="functionResponse")


class EventContent(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: str | None = None
    parts: list[EventPart] = Field(default_factory=list)


class AgentEvent(BaseModel):
    """One ADK event (camelCase on the wire); every field optional, unknown ones kept."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    id: str | None = None
    invocation_id: str | None = Field(None, alias="invocationId")
    author: str | None = None
    content: EventContent | None = None
    partial: bool | None = None
    error: Any = None
    error_code: Any = Field(None, alias="errorCode")
    error_message: str | None = Field(None, alias="errorMessage")
    code: int | None = None

    @property
    def texts(self) -> list[str]:
        if not self.content:
            return []
        return [part.text for part in self.content.parts if part.text and not part.thought]

    @property
    def calls(self) -> list[FunctionCall]:
        if not self.content:
            return []
        return [part.function_call for part in self.content.parts if part.function_call]

    @property
    def is_error(self) -> bool:
        return bool(self.error or self.error_code or self.error_message)


# --- upload -----------------------------------------------------------------------------------------------------


class UrlUploadRequest(BaseModel):
    urls: list[str]
    source_type: Literal["url"] = "url"


# --- credits, state ---------------------------------------------------------------------------------------------


class CreditsData(BaseModel):
    model_config = ConfigDict(extra="allow")

    available: float | None = None
    frozen: float | None = None
    total: float | None = None


class CloudState(BaseModel):
    model_config = ConfigDict(extra="allow")

    draft: dict[str, Any] | None = None
    video_infos: list[dict[str, Any]] | dict[str, Any] | None = None
    canvas_config: dict[str, Any] | None = None
    generated_media: Any = None


class StateData(BaseModel):
    model_config = ConfigDict(extra="allow")

    state: CloudState = Field(default_factory=CloudState)


# --- render -----------------------------------------------------------------------------------------------------


class RenderOutputSpec(BaseModel):
    format: str = "mp4"
    quality: str = "high"


class RenderRequest(BaseModel):
    """`sessionId` is the one camelCase key of the whole API."""

    model_config = ConfigDict(populate_by_name=True)

    id: str
    session_id: str = Field(serialization_alias="sessionId", alias="sessionId")
    draft: dict[str, Any]
    output: RenderOutputSpec = Field(default_factory=RenderOutputSpec)

    def body(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True)


class RenderOutput(BaseModel):
    model_config = ConfigDict(extra="allow")

    url: str | None = None


class RenderStatus(BaseModel):
    """The poll answer: top-level `status` (pending → processing → completed | failed) and `output.url`."""

    model_config = ConfigDict(extra="allow")

    status: str = "pending"
    output: RenderOutput | None = None
    error: Any = None
    progress: float | None = None


class RenderJob(BaseModel):
    """One render we submitted: remembered before the first poll so a restart never orphans it."""

    render_id: str
    session_id: str
    fingerprint: str
    status: Literal["pending", "completed", "failed"] = "pending"
    path: str | None = None
    error: str | None = None
    created_at: float


class SessionRecord(BaseModel):
    session_id: str
    task_id: str | None = None
    bind_id: str | None = None
    language: str = "en"
    created_at: float
