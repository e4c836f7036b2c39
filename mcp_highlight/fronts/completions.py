"""`completion/complete`: what a client may offer while the user fills in an argument.

Session ids (the timeline resource template and the prompts), recording paths (folders and videos,
only where this server may read: anywhere over stdio, under MCP_HIGHLIGHT_MEDIA_ROOTS over HTTP) and
the reel's shapes. Matching is by prefix, case-insensitive; at most 100 values, as the spec allows.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import get_args

import anyio.to_thread
from mcp_types import Completion, CompletionArgument, CompletionContext, PromptReference, ResourceTemplateReference

from mcp_highlight.backends.models import Aspect
from mcp_highlight.core.config import Settings
from mcp_highlight.engine.media.kinds import kind_for_name
from mcp_highlight.service.studio import Studio

MAX_VALUES = 100
SHAPES: tuple[str, ...] = get_args(Aspect)
LENGTHS = ("30s", "60s", "90s", "2m", "3m", "5m")


def _matching(values: list[str], prefix: str) -> Completion:
    wanted = prefix.casefold()
    found = [value for value in values if value.casefold().startswith(wanted)]
    return Completion(values=found[:MAX_VALUES], total=len(found), has_more=len(found) > MAX_VALUES)


def path_candidates(partial: str, settings: Settings) -> list[str]:
    """Folders (ending in a separator) and video files in the folder `partial` names, where the server may
    read. Values keep what the user typed (`~/Vid` -> `~/Videos/`)."""
    cut = max(partial.rfind("/"), partial.rfind(os.sep)) + 1
    shown = partial[:cut]
    folder = Path(shown if settings.remote else os.path.expanduser(shown))
    if not shown or not folder.is_absolute():
        return []  # relative to the server's working folder, which the user cannot see
    if settings.remote and not any(_inside(folder, root) for root in settings.source_policy().media_roots):
        return []
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name.casefold())
    except OSError:
        return []
    values = []
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            values.append(f"{shown}{entry.name}/")
        elif kind_for_name(entry.name) == "video":
            values.append(f"{shown}{entry.name}")
    return values


def _inside(folder: Path, root: Path) -> bool:
    resolved = folder.resolve()
    return resolved == root or resolved.is_relative_to(root)


class Completer:
    """The server's one completion handler (the SDK calls it without a request context)."""

    def __init__(self, studio: Studio) -> None:
        self.studio = studio

    async def complete(
        self,
        ref: PromptReference | ResourceTemplateReference,
        argument: CompletionArgument,
        context: CompletionContext | None,
    ) -> Completion | None:
        if argument.name == "session_id":
            ids = [state.session_id for state in await self.studio.sessions()]
            return _matching(ids, argument.value)
        if not isinstance(ref, PromptReference):
            return None
        if argument.name == "path":
            found = await anyio.to_thread.run_sync(path_candidates, argument.value, self.studio.settings)
            return _matching(found, argument.value)
        if argument.name == "shape":
            return _matching(list(SHAPES), argument.value)
        if argument.name == "length":
            return _matching(list(LENGTHS), argument.value)
        return None
