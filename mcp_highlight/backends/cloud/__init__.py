"""The cloud backend: an async client of the hosted NemoVideo agent behind the Backend protocol.

Select it with `MCP_HIGHLIGHT_BACKEND=cloud` (or `--backend cloud`); the contract it follows
is shared/cloud-api.md.
"""

from mcp_highlight.backends.cloud.backend import CloudBackend
from mcp_highlight.backends.cloud.models import CloudTiming

__all__ = ["CloudBackend", "CloudTiming"]
