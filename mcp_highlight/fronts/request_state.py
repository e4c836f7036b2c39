"""Replicas share the keys that seal MCP request state (2026-07-28 multi-round-trip tools), so a client's
next round may land on any replica behind the load balancer. Without keys each process makes its own
(the SDK's default): right for one process, wrong for several."""

from __future__ import annotations

from mcp.server.request_state import RequestStateSecurity

from mcp_highlight.core.config import Settings
from mcp_highlight.core.errors import BadInputError


def shared_request_state(settings: Settings) -> RequestStateSecurity | None:
    """The sealing policy from MCP_HIGHLIGHT_STATE_KEYS (comma-separated; the first seals, all unseal)."""
    if settings.state_keys is None:
        return None
    keys = [key.strip() for key in settings.state_keys.get_secret_value().split(",") if key.strip()]
    if not keys or any(len(key.encode()) < 32 for key in keys):
        raise BadInputError(
            "MCP_HIGHLIGHT_STATE_KEYS needs secrets of 32 bytes or more, comma-separated.",
            hint='Make one with: python -c "import secrets; print(secrets.token_hex(32))"',
        )
    return RequestStateSecurity(keys=keys)
