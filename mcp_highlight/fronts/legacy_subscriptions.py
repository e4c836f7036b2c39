"""`resources/subscribe` for clients on the 2025 protocol (Claude Desktop and Cursor, today).

The SDK's MCPServer serves the 2026 `subscriptions/listen` stream itself but leaves the older
subscribe/unsubscribe requests unregistered; this keeps who subscribed to what, per connection,
so a changed timeline reaches every subscriber and nobody else.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp_types import EmptyResult, SubscribeRequestParams, UnsubscribeRequestParams


def _connection_of(session: Any) -> Any:
    """The connection behind a per-request ServerSession: what a subscription belongs to."""
    return getattr(session, "_connection", session)


class LegacySubscriptions:
    def __init__(self) -> None:
        # uri -> connection -> a session of that connection (its standalone channel outlives the request);
        # a connection that has gone away is dropped the first time a notification to it fails
        self._sessions: defaultdict[str, dict[Any, Any]] = defaultdict(dict)

    def install(self, mcp: MCPServer) -> None:
        server = mcp._lowlevel_server  # the SDK's own Client reaches it the same way
        server.add_request_handler("resources/subscribe", SubscribeRequestParams, self._subscribe)
        server.add_request_handler("resources/unsubscribe", UnsubscribeRequestParams, self._unsubscribe)

    async def _subscribe(self, ctx: Any, params: SubscribeRequestParams) -> EmptyResult:
        self._sessions[str(params.uri)][_connection_of(ctx.session)] = ctx.session
        return EmptyResult()

    async def _unsubscribe(self, ctx: Any, params: UnsubscribeRequestParams) -> EmptyResult:
        self._sessions[str(params.uri)].pop(_connection_of(ctx.session), None)
        return EmptyResult()

    async def notify(self, uri: str) -> None:
        subscribers = self._sessions.get(uri, {})
        for connection, session in list(subscribers.items()):
            try:
                await session.send_resource_updated(uri)
            except Exception:
                subscribers.pop(connection, None)
