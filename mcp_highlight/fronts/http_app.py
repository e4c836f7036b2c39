"""Streamable HTTP at /mcp, rendered files at /renders/<name>, behind optional bearer tokens.

Loopback by default; a non-loopback bind needs MCP_HIGHLIGHT_TOKEN. DNS-rebinding protection (Host and
Origin checks) covers both routes. Several comma-separated tokens give several owners: each token's
holders see only the sessions made with that token (see `ownership`).
"""

from __future__ import annotations

import hmac
import ipaddress
import re
from pathlib import Path
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.server.transport_security import TransportSecurityMiddleware, TransportSecuritySettings
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from mcp_highlight.core.errors import BadInputError
from mcp_highlight.core.ownership import current_owner, owner_of_token

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


async def owner_middleware(ctx: Any, call_next: Any) -> Any:
    """MCP middleware: every tool, resource and prompt call runs as the owner of the caller's token."""
    state = getattr(getattr(ctx, "request", None), "scope", {}).get("state") or {}
    reset = current_owner.set(state.get("owner"))
    try:
        return await call_next(ctx)
    finally:
        current_owner.reset(reset)


def build_http_app(mcp: MCPServer, *, renders_dir: Path, host: str, port: int, token: str | None) -> ASGIApp:
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
        return FileResponse(path, media_type="video/mp4" if path.suffix == ".mp4" else "image/png")

    if tokens:
        mcp.middleware.append(owner_middleware)
    app: ASGIApp = mcp.streamable_http_app(transport_security=security, host=host)
    if tokens:
        app = BearerTokenMiddleware(app, tokens)
    return app
