"""`prompts/get` with an unknown name or a required argument missing is the client's mistake: the spec's
invalid-params error (-32602) naming what is wrong, where the SDK's prompt manager answers "internal error"."""

from __future__ import annotations

from typing import Any

from mcp.server.context import CallNext, HandlerResult, ServerMiddleware, ServerRequestContext
from mcp.shared.exceptions import MCPError
from mcp_types import INVALID_PARAMS
from pydantic import ValidationError

CLIENT_MISTAKES = ("Unknown prompt", "Missing required arguments")
"""How the SDK's MCPServer.get_prompt words the two (a ValueError each)."""


class PromptErrors(ServerMiddleware[Any]):
    async def __call__(self, ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        if ctx.method != "prompts/get":
            return await call_next(ctx)
        try:
            return await call_next(ctx)
        except ValidationError:
            raise  # malformed params: the SDK already answers invalid params
        except ValueError as exc:
            if str(exc).startswith(CLIENT_MISTAKES):
                raise MCPError(code=INVALID_PARAMS, message=str(exc)) from exc
            raise
