"""Over HTTP a client is remote: what it reads names files, never the server's folders.

Tool results, resource contents and errors pass through `public_paths_middleware` on their way out:
every file path and file:// URI in them is cut to its file name (the reel stays reachable through its
download link), and links to server files (file:// resource links) are left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import Any

from mcp_highlight.core.errors import names_only

SCRUBBED_METHODS = {"tools/call", "resources/read", "prompts/get", "tasks/get"}  # tasks/get: a task's tool result


def scrubbed(value: Any) -> Any:
    """`value` (wire JSON) with every path reduced to its file name and file:// resource links dropped."""
    if isinstance(value, str):
        if value.startswith("/") and "\n" not in value:  # a whole value that is a path
            return PurePosixPath(value).name
        return names_only(value)
    if isinstance(value, Mapping):
        return {key: scrubbed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [scrubbed(item) for item in value if not _file_link(item)]
    return value


def _file_link(item: Any) -> bool:
    return isinstance(item, Mapping) and item.get("type") == "resource_link" and str(item.get("uri", "")).startswith("file:")


async def public_paths_middleware(ctx: Any, call_next: Any) -> Any:
    """MCP middleware for the HTTP front: results leave with file names only (see the module docstring)."""
    result = await call_next(ctx)
    if getattr(ctx, "method", None) not in SCRUBBED_METHODS:  # tool schemas and the like carry no paths
        return result
    if isinstance(result, Mapping):
        return scrubbed(result)
    if hasattr(result, "model_dump"):
        return type(result).model_validate(scrubbed(result.model_dump(mode="json", by_alias=True)))
    return result
