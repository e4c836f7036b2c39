"""What a client may make this server read: which local paths, which URLs.

Over stdio the client is the machine's own user, who may use any file they can read and any URL.
Over HTTP the client is remote, so the server reads only what its operator allowed: local paths
under the folders in MCP_HIGHLIGHT_MEDIA_ROOTS, and URLs whose every resolved address (on every
redirect hop) is public unless MCP_HIGHLIGHT_ALLOW_NETWORKS lists its network.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import stat
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from mcp_highlight.core.errors import BadInputError, MediaNotFoundError

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class SourceRefusedError(BadInputError):
    code = "refused"


def parse_networks(text: str | None) -> tuple[IPNetwork, ...]:
    """`127.0.0.1/32, 192.168.1.0/24` -> networks; a bad entry is a configuration error naming it."""
    networks = []
    for item in (text or "").replace(";", ",").split(","):
        if item.strip():
            try:
                networks.append(ipaddress.ip_network(item.strip(), strict=False))
            except ValueError:
                raise BadInputError(
                    f"MCP_HIGHLIGHT_ALLOW_NETWORKS: {item.strip()!r} is not a network.",
                    hint="Use CIDR forms such as 127.0.0.1/32 or 192.168.1.0/24, separated by commas.",
                ) from None
    return tuple(networks)


def parse_roots(text: str | None) -> tuple[Path, ...]:
    """MCP_HIGHLIGHT_MEDIA_ROOTS: folders separated by the OS path separator (':' on Linux and macOS)."""
    return tuple(Path(item).expanduser().resolve() for item in (text or "").split(os.pathsep) if item.strip())


def is_public(address: IPAddress) -> bool:
    """Not loopback, private, link-local, multicast, reserved or unspecified (IPv4-mapped IPv6 unwrapped)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


@dataclass(frozen=True)
class SourcePolicy:
    remote: bool = False
    media_roots: tuple[Path, ...] = ()
    allow_networks: tuple[IPNetwork, ...] = ()

    # local paths ------------------------------------------------------------------------------
    def local_path(self, source: str) -> Path:
        """The readable regular file behind `source`. Pipes, devices and sockets are refused before any open.

        In remote mode every path that is missing, unreadable or outside the media roots gets the
        same message, so a client cannot learn which paths exist on the server.
        """
        raw = source.strip()
        path = Path(raw if self.remote else os.path.expanduser(raw))
        if self.remote:
            return self._shared_path(path, raw)
        try:
            path = path.resolve()
            info = os.stat(path)
        except (OSError, ValueError, RuntimeError):
            raise MediaNotFoundError(
                f"No file at {raw!r}.", hint="Check the path; it must be on this computer."
            ) from None
        _check_kind(info, path.name)
        if not os.access(path, os.R_OK):
            raise BadInputError(f"{raw!r} cannot be read (permission denied).", hint="Check the file's permissions.")
        return path

    def _shared_path(self, path: Path, raw: str) -> Path:
        unavailable = MediaNotFoundError(
            f"No media file {raw!r} is available to this server: it does not exist or is outside the folders "
            "the server shares.",
            hint="Use a file under the server's media folders, or an http(s) URL.",
        )
        if not path.is_absolute() or not self.media_roots:
            raise unavailable
        try:
            resolved = path.resolve(strict=True)
        except (OSError, ValueError, RuntimeError):
            raise unavailable from None
        if not any(resolved.is_relative_to(root) for root in self.media_roots):
            raise unavailable
        try:
            info = os.stat(resolved)
        except OSError:
            raise unavailable from None
        _check_kind(info, resolved.name)
        if not os.access(resolved, os.R_OK):
            raise unavailable
        return resolved

    # URLs -------------------------------------------------------------------------------------
    def check_url(self, url: str) -> None:
        """Remote mode: refuse a URL whose host resolves to any non-public address outside the allowed networks."""
        if not self.remote:
            return
        parts = urlsplit(url)
        host = parts.hostname
        if parts.scheme not in ("http", "https") or not host:
            raise BadInputError(f"{shown_url(url)} is not an http(s) URL.", hint="Give a full http:// or https:// URL.")
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, ValueError, UnicodeError):
            raise MediaNotFoundError(f"Cannot find the host of {shown_url(url)}.", hint="Check the URL.") from None
        for info in infos:
            address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
            if not is_public(address) and not any(address in net for net in self.allow_networks):
                raise SourceRefusedError(
                    f"Refused {shown_url(url)}: it points at a loopback, private, link-local or multicast address, "
                    "which this server does not fetch for remote clients.",
                    hint="Use a public URL. The operator can allow chosen networks with MCP_HIGHLIGHT_ALLOW_NETWORKS.",
                )


def _check_kind(info: os.stat_result, name: str) -> None:
    if stat.S_ISDIR(info.st_mode):
        raise BadInputError(f"{name!r} is a folder, not a file.", hint="Give the path of one video file.")
    if not stat.S_ISREG(info.st_mode):
        raise BadInputError(
            f"{name!r} is not a regular file (it is a pipe, device or socket), so it cannot be read as media.",
            hint="Give the path of a video file saved on disk.",
        )


def shown_url(url: str) -> str:
    """A URL for messages: scheme, host and path, never the query (it may carry a signature or token)."""
    parts = urlsplit(url)
    return repr(f"{parts.scheme}://{parts.hostname or ''}{parts.path}")
