"""Claim links: `<web>/workspace/claim?ct=…` opens a session's project in a browser without exposing the token."""

from __future__ import annotations

import time

from pydantic import ValidationError

from mcp_highlight.backends.cloud.client import NemoClient
from mcp_highlight.backends.cloud.models import ClaimTokenData, ClaimTokenRequest
from mcp_highlight.backends.cloud.registry import JobRegistry
from mcp_highlight.core.errors import HighlightError
from mcp_highlight.core.logs import get_logger, redact_text

log = get_logger(__name__)

CLAIM_PATH = "/api/auth/claim-token"


class ClaimLinks:
    """A claim link per session, reused until a minute before it expires."""

    def __init__(self, client: NemoClient, registry: JobRegistry) -> None:
        self.client, self.registry = client, registry
        self._cache: dict[str, tuple[str, float]] = {}

    async def url(self, session_id: str) -> str | None:
        """The link, or None when the session has no task yet or the API would not give one (logged)."""
        record = self.registry.session(session_id)
        if record is None or not record.task_id:
            return None
        cached = self._cache.get(session_id)
        if cached and cached[1] > time.time() + 60:
            return cached[0]
        try:
            data = await self.client.call(
                "POST",
                CLAIM_PATH,
                json_body=ClaimTokenRequest(task_id=record.task_id, session_id=session_id).model_dump(),
            )
            claim = ClaimTokenData.model_validate(data)
        except (HighlightError, ValidationError) as exc:
            log.warning("cloud.claim_token.failed", session_id=session_id, error=redact_text(str(exc)))
            return None
        url = f"{self.client.web_url}/workspace/claim?ct={claim.claim_token}"
        self._cache[session_id] = (url, time.time() + (claim.expires_in or 3600))
        return url
