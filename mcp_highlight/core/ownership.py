"""Who is asking: with HTTP tokens set, each session belongs to the token that created it.

The HTTP front sets `current_owner` for each request (a digest of the caller's token, never the token
itself); the store records it on new sessions and shows a caller only its own. Over stdio and the CLI
there is no owner, and every session on the machine is visible, as before.
"""

from __future__ import annotations

import hashlib
from contextvars import ContextVar

current_owner: ContextVar[str | None] = ContextVar("mcp_highlight_owner", default=None)


def owner_of_token(token: str) -> str:
    """A stable, non-reversible name for a token's holders (stored in the database instead of the token)."""
    return "tok_" + hashlib.sha256(token.encode()).hexdigest()[:24]
