"""Streamable HTTP at /mcp, rendered files at /renders/<name>, behind an optional bearer token.

Loopback by default; a non-loopback bind needs MCP_HIGHLIGHT_TOKEN. DNS-rebinding protection on.
"""

from __future__ import annotations

import hmac
import ipaddress
from pathlib import Path

from mcp.server.mcpserver import MCPServer
from mcp.server.transport_security import TransportSecuritySettings
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from mcp_highlight.errors import BadInputError


def is_loopback(host: str) -> bool:
    if host in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class BearerTokenMiddleware:
    """Every request must carry `Authorization: Bearer <token>`; compared in constant time."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self.expected = f"Bearer {token}".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            given = dict(scope.get("headers") or []).get(b"authorization", b"")
            if not hmac.compare_digest(given, self.expected):
                response = JSONResponse(
                    {"error": "unauthorized", "message": "Send Authorization: Bearer <MCP_HIGHLIGHT_TOKEN>."},
                    status_code=401,
                    headers={"WWW-Authenticate": 'Bearer realm="mcp-highlight"'},
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def build_http_app(mcp: MCPServer, *, renders_dir: Path, host: str, port: int, token: str | None) -> ASGIApp:
    if not token and not is_loopback(host):
        raise BadInputError(
            f"Refusing to listen on {host} without a token: anyone on the network could use this server.",
            hint="Set MCP_HIGHLIGHT_TOKEN, or bind 127.0.0.1.",
        )
    root = renders_dir.resolve()

    @mcp.custom_route("/renders/{name}", methods=["GET"])
    async def download(request: Request) -> Response:
        name = request.path_params["name"]
        path = (root / name).resolve()
        if path.parent != root or not path.is_file() or path.suffix not in (".mp4", ".png"):
            return JSONResponse({"error": "not_found"}, status_code=404)
        return FileResponse(path, media_type="video/mp4" if path.suffix == ".mp4" else "image/png")

    hosts = [f"{h}:{port}" for h in {host, "127.0.0.1", "localhost"}] + [host, "127.0.0.1", "localhost"]
    security = TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=sorted(set(hosts)),
        allowed_origins=sorted({f"http://{h}" for h in hosts}),
    )
    app: ASGIApp = mcp.streamable_http_app(transport_security=security, host=host)
    if token:
        app = BearerTokenMiddleware(app, token)
    return app
