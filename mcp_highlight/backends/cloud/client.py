"""HTTP calls to the NemoVideo API: auth, attribution, the envelope, retries, error mapping.

One place decides what every status and code means (shared/cloud-api.md, "Envelope"):
1001 → one re-auth and one retry; HTTP 429 → one wait and one retry; HTTP 400 on the token
call → a new client id; everything else becomes a specific HighlightError. The token only
ever travels in the Authorization header, and only to the API's own origin.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
from pydantic import ValidationError

from mcp_highlight.backends.cloud.identity import Identity, attribution_headers
from mcp_highlight.backends.cloud.models import SUPPORTED_EXTENSIONS, AnonymousTokenData, CloudTiming, Envelope
from mcp_highlight.core.config import Settings
from mcp_highlight.core.errors import (
    BackendError,
    BackendUnavailableError,
    CloudAuthError,
    HighlightError,
    MediaTooLargeError,
    NoCreditsError,
    PlanRequiredError,
    RateLimitedError,
    UnknownSessionError,
    UnsupportedMediaError,
)
from mcp_highlight.core.logs import get_logger, redact_text
from mcp_highlight.core.progress import ProgressFn, no_progress

log = get_logger(__name__)

TOKEN_PATH = "/api/auth/anonymous-token"
BodyFactory = Callable[[], AsyncIterator[bytes]]


async def wait_with_progress(
    seconds: float, timing: CloudTiming, progress: ProgressFn, fraction: float, message: str
) -> None:
    """Sleep, but call `progress` every tick so the caller can cancel."""
    deadline = time.monotonic() + seconds
    while True:
        progress(fraction, message)
        left = deadline - time.monotonic()
        if left <= 0:
            return
        await asyncio.sleep(min(timing.tick_s, left))


def supported_formats_hint() -> str:
    return "Supported formats: " + ", ".join(SUPPORTED_EXTENSIONS) + "."


def trim_hint(limit_bytes: int) -> str:
    return (
        f"Files may be at most {limit_bytes // (1024 * 1024)} MB: trim the recording to the part you need "
        "or compress it (a lower bitrate or resolution), then upload again."
    )


def _parse_json(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw.strip() else None
    except ValueError:
        return None


def parse_envelope(raw: bytes) -> tuple[Envelope | None, Any]:
    """(envelope if the body is one, the decoded body)."""
    body = _parse_json(raw)
    if isinstance(body, dict) and "code" in body and isinstance(body.get("code"), int):
        try:
            return Envelope.model_validate(body), body
        except ValidationError:
            return None, body
    return None, body


class NemoClient:
    """Thin async client; `call()` returns `data` of a successful envelope (or the bare JSON body)."""

    def __init__(
        self, settings: Settings, timing: CloudTiming, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.settings = settings
        self.timing = timing
        self.identity = Identity(settings)
        self.base_url = settings.nemo_api_url.rstrip("/")
        self.web_url = settings.nemo_web_url.rstrip("/")
        self.bind_id: str | None = None
        """Set by the backend from session/state answers: the `?bind=` id of the registration link."""
        self.http = httpx.AsyncClient(
            base_url=self.base_url,
            transport=transport,
            headers=attribution_headers(settings),
            timeout=httpx.Timeout(timing.read_timeout_s, connect=timing.connect_timeout_s),
            follow_redirects=False,
        )
        self._token_lock = asyncio.Lock()

    async def aclose(self) -> None:
        await self.http.aclose()

    # --- errors ---------------------------------------------------------------------------------------------

    def unavailable(self, exc: Exception) -> BackendUnavailableError:
        kind = type(exc).__name__
        return BackendUnavailableError(
            f"The NemoVideo API at {self.base_url} cannot be reached ({kind}).",
            hint="Check NEMO_API_URL and the network connection, or use the local backend (MCP_HIGHLIGHT_BACKEND=local).",
        )

    def no_credits_error(self) -> NoCreditsError:
        if self.identity.is_registered:
            return NoCreditsError("Your NemoVideo account has no credits left.", hint="Top up credits in your account.")
        link = f"{self.web_url}/register?bind={self.bind_id}" if self.bind_id else f"{self.web_url}/register"
        return NoCreditsError(
            "The free NemoVideo credits are used up.",
            hint=f"Register to get more and keep this project: {link} (or set NEMO_TOKEN to a registered account's token).",
            url=link,
        )

    def plan_error(self) -> PlanRequiredError:
        return PlanRequiredError(
            "Register or upgrade your plan to unlock export.",
            hint=f"The free plan cannot export from NemoVideo; this is not a credits problem. Open {self.web_url} to register or upgrade.",
            url=self.web_url,
        )

    def error_for(self, status: int, envelope: Envelope | None, body: Any, path: str) -> HighlightError | None:
        """The specific error an answer means, or None when it is a success."""
        code = envelope.code if envelope else 0
        text = redact_text((envelope.message if envelope else None) or "")[:300]
        if status == 402:
            return self.plan_error()
        if code == 1002:
            return UnknownSessionError(
                "That NemoVideo session is gone (the API no longer knows it).",
                hint="Upload the footage again to start a new session.",
            )
        if code == 2001:
            return self.no_credits_error()
        if code == 4001:
            return UnsupportedMediaError("NemoVideo refused the file's format.", hint=supported_formats_hint())
        if code == 4002:
            return MediaTooLargeError(
                "The file is over NemoVideo's upload limit.", hint=trim_hint(self.settings.max_bytes)
            )
        if code == 1001 or status == 401:
            return CloudAuthError(
                "NemoVideo refused the token (bad or expired).",
                hint="Set NEMO_TOKEN to a valid token, or unset it to use an anonymous one."
                if self.identity.is_registered
                else "A fresh anonymous token did not help; try again later or set NEMO_TOKEN.",
            )
        if status == 429:
            return RateLimitedError(
                "NemoVideo is rate limiting this client (HTTP 429).",
                hint="Wait a few minutes and try again; anonymous tokens are limited to one per client every 7 days.",
            )
        if status >= 500:
            return BackendError(f"NemoVideo had an internal error (HTTP {status}).", hint="Try again in a minute.")
        if status >= 400 or code != 0:
            what = f"code {code}" if code else f"HTTP {status}"
            return BackendError(f"NemoVideo refused the request to {path} ({what}){': ' + text if text else ''}.")
        return None

    # --- identity -------------------------------------------------------------------------------------------

    async def token(self) -> str:
        current = self.identity.current_token()
        if current and not (
            not self.identity.is_registered and self.identity.anonymous_is_stale(self.timing.token_max_age_s)
        ):
            return current
        return await self.refresh_token(current)

    async def refresh_token(self, failed: str | None) -> str:
        """Obtain a new anonymous token with the same client id (unless another call already did)."""
        async with self._token_lock:
            current = self.identity.current_token()
            if current and current != failed:
                return current
            if self.identity.is_registered:
                raise self.error_for(401, None, None, TOKEN_PATH) or CloudAuthError("NEMO_TOKEN refused.")
            return await self._obtain_anonymous()

    async def _obtain_anonymous(self) -> str:
        waited = renewed_id = False
        while True:
            try:
                response = await self.http.post(TOKEN_PATH, headers={"X-Client-Id": self.identity.client_id})
            except httpx.TransportError as exc:
                raise self.unavailable(exc) from None
            log.info("cloud.request", method="POST", path=TOKEN_PATH, status=response.status_code)
            if response.status_code == 429:
                if waited:
                    raise RateLimitedError(
                        "NemoVideo gives one anonymous token per client every 7 days and refused another (HTTP 429).",
                        hint="Set NEMO_TOKEN to a registered account's token, or try again later.",
                    )
                waited = True
                await asyncio.sleep(self.timing.rate_limit_wait_s)
                continue
            if response.status_code == 400 and not renewed_id:
                renewed_id = True
                self.identity.new_client_id()
                continue
            envelope, body = parse_envelope(response.content)
            error = self.error_for(response.status_code, envelope, body, TOKEN_PATH)
            if error:
                raise error
            data = envelope.data if envelope else body
            try:
                token = AnonymousTokenData.model_validate(data).token
            except ValidationError:
                raise BackendError("NemoVideo's token answer had no token.") from None
            self.identity.store_anonymous(token)
            log.info("cloud.token.obtained", kind="anonymous")
            return token

    # --- requests -------------------------------------------------------------------------------------------

    async def send(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        body_factory: BodyFactory | None = None,
        headers: dict[str, str] | None = None,
        stream_ok: bool = False,
        timeout: httpx.Timeout | None = None,
    ) -> tuple[httpx.Response, Any]:
        """Send with auth and the documented retries; map errors.

        Returns (response, decoded body). With `stream_ok`, an event-stream answer comes back
        unread (the caller closes it) and the body is None.
        """
        reauthed = rate_waited = False
        while True:
            token = await self.token()
            request = self.http.build_request(
                method,
                path,
                json=json_body,
                content=body_factory() if body_factory else None,
                headers={"Authorization": f"Bearer {token}", **(headers or {})},
                timeout=timeout or httpx.USE_CLIENT_DEFAULT,
            )
            try:
                response = await self.http.send(request, stream=True)
            except httpx.TransportError as exc:
                raise self.unavailable(exc) from None
            log.info("cloud.request", method=method, path=path, status=response.status_code)
            streaming = "text/event-stream" in response.headers.get("content-type", "")
            if stream_ok and streaming and response.status_code < 400:
                return response, None
            try:
                raw = await response.aread()
            except httpx.TransportError as exc:
                raise self.unavailable(exc) from None
            finally:
                await response.aclose()
            if response.status_code == 429 and not rate_waited:
                rate_waited = True
                log.warning("cloud.rate_limited", path=path, wait_s=self.timing.rate_limit_wait_s)
                await asyncio.sleep(self.timing.rate_limit_wait_s)
                continue
            envelope, body = parse_envelope(raw)
            auth_failed = response.status_code == 401 or (envelope is not None and envelope.code == 1001)
            if auth_failed and not reauthed and not self.identity.is_registered:
                reauthed = True
                log.info("cloud.token.expired", path=path)
                await self.refresh_token(token)
                continue
            error = self.error_for(response.status_code, envelope, body, path)
            if error:
                raise error
            return response, (envelope.data if envelope else body)

    async def call(self, method: str, path: str, **kwargs: Any) -> Any:
        """`data` of a successful answer."""
        _, data = await self.send(method, path, **kwargs)
        return data

    def same_origin(self, url: str) -> bool:
        target = httpx.URL(url)
        base = httpx.URL(self.base_url)
        return not target.is_absolute_url or (target.scheme, target.host, target.port) == (
            base.scheme,
            base.host,
            base.port,
        )

    async def auth_headers_for(self, url: str) -> dict[str, str]:
        """The Authorization header, but only for the API's own origin (never for a storage URL)."""
        return {"Authorization": f"Bearer {await self.token()}"} if self.same_origin(url) else {}


def progress_or_default(progress: ProgressFn | None) -> ProgressFn:
    return progress or no_progress
