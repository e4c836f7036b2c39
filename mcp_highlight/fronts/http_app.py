"""Streamable HTTP at /mcp, rendered files at /renders/<name>, behind optional bearer tokens.

Loopback by default; a non-loopback bind needs MCP_HIGHLIGHT_TOKEN. DNS-rebinding protection (Host and
Origin checks) covers both routes. Several comma-separated tokens give several owners: each token's
holders see only the sessions made with that token (see `ownership`).
"""

from __future__ import annotations

import hmac
import ipaddress
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.server.transport_security import TransportSecurityMiddleware, TransportSecuritySettings
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from mcp_highlight.core.errors import BadInputError
from mcp_highlight.core.ownership import current_owner, owner_of_token
from mcp_highlight.fronts.public_paths import public_paths_middleware

RENDER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*\.(mp4|png)$")
"""Names the server writes (`reel-….mp4`, `sheet-….png`); never a dot file, so never a partial render."""


def is_loopback(host: str) -> bool:
    if host in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def split_tokens(token: str | None) -> list[str]:
    return [t.strip() for t in (token or "").split(",") if t.strip()]


class BearerTokenMiddleware:
    """Every request must carry `Authorization: Bearer <token>` with one of the tokens (constant-time compare).

    The matching token's owner name goes into the request state, for `owner_middleware`.
    """

    def __init__(self, app: ASGIApp, tokens: list[str]) -> None:
        self.app = app
        self.expected = [(f"Bearer {token}".encode(), owner_of_token(token)) for token in tokens]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            given = dict(scope.get("headers") or []).get(b"authorization", b"")
            owner = None
            for expected, name in self.expected:  # compare with all, so timing does not say which matched
                if hmac.compare_digest(given, expected):
                    owner = name
            if owner is None:
                response = JSONResponse(
                    {"error": "unauthorized", "message": "Send Authorization: Bearer <MCP_HIGHLIGHT_TOKEN>."},
                    status_code=401,
                    headers={"WWW-Authenticate": 'Bearer realm="mcp-highlight"'},
                )
                await response(scope, receive, send)
                return
            scope.setdefault("state", {})["owner"] = owner
        await self.app(scope, receive, send)


class SessionOwnerMiddleware:
    """Each `Mcp-Session-Id` belongs to the token that opened it: another token presenting it gets 404, as
    for an unknown session (so it can neither use nor DELETE it). Innermost, after the token check."""

    MAX_REMEMBERED = 100_000

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.owners: dict[bytes, str | None] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        owner = (scope.get("state") or {}).get("owner")
        given = dict(scope.get("headers") or []).get(b"mcp-session-id")
        if given is not None and given in self.owners and self.owners[given] != owner:
            await JSONResponse({"error": "not_found", "message": "Session not found."}, status_code=404)(
                scope, receive, send
            )
            return

        async def remember(message: Any) -> None:
            if message["type"] == "http.response.start" and given is None:
                for key, value in message.get("headers") or []:
                    if key.lower() == b"mcp-session-id":
                        self.owners[value] = owner
                        if len(self.owners) > self.MAX_REMEMBERED:
                            self.owners.pop(next(iter(self.owners)))
            await send(message)

        await self.app(scope, receive, remember)


async def owner_middleware(ctx: Any, call_next: Any) -> Any:
    """MCP middleware: every tool, resource and prompt call runs as the owner of the caller's token."""
    state = getattr(getattr(ctx, "request", None), "scope", {}).get("state") or {}
    reset = current_owner.set(state.get("owner"))
    try:
        return await call_next(ctx)
    finally:
        current_owner.reset(reset)


def build_http_app(
    mcp: MCPServer,
    *,
    renders_dir: Path,
    host: str,
    port: int,
    token: str | None,
    may_download: Callable[[str], Awaitable[bool]] | None = None,
) -> ASGIApp:
    """The app for `serve --http`. `may_download(name)` says whether the caller (its owner is set, as for the
    tools) made the render `name`; without it, any render in the folder is served to any token holder."""
    tokens = split_tokens(token)
    if not tokens and not is_loopback(host):
        raise BadInputError(
            f"Refusing to listen on {host} without a token: anyone on the network could use this server.",
            hint="Set MCP_HIGHLIGHT_TOKEN, or bind 127.0.0.1.",
        )
    root = renders_dir.resolve()
    hosts = [f"{h}:{port}" for h in {host, "127.0.0.1", "localhost"}] + [host, "127.0.0.1", "localhost"]
    security = TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=sorted(set(hosts)),
        allowed_origins=sorted({f"http://{h}" for h in hosts}),
    )
    guard = TransportSecurityMiddleware(security)

    @mcp.custom_route("/renders/{name}", methods=["GET"])
    async def download(request: Request) -> Response:
        refused = await guard.validate_request(request)  # the same Host and Origin checks as /mcp
        if refused is not None:
            return refused
        name = request.path_params["name"]
        path = root / name
        if not RENDER_NAME.fullmatch(name) or not path.is_file() or path.is_symlink():
            return JSONResponse({"error": "not_found"}, status_code=404)
        if may_download is not None:
            reset = current_owner.set((request.scope.get("state") or {}).get("owner"))
            try:
                allowed = await may_download(name)
            finally:
                current_owner.reset(reset)
            if not allowed:  # another token's render: as if absent, the same answer as for the tools
                return JSONResponse({"error": "not_found"}, status_code=404)
        return FileResponse(path, media_type="video/mp4" if path.suffix == ".mp4" else "image/png")

    mcp.middleware.append(public_paths_middleware)  # remote clients read file names, never server paths
    if tokens:
        mcp.middleware.append(owner_middleware)
    app: ASGIApp = mcp.streamable_http_app(transport_security=security, host=host)
    if tokens:
        app = BearerTokenMiddleware(SessionOwnerMiddleware(app), tokens)
    return app
