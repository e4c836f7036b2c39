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


_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_SIX_TO_FOUR = ipaddress.ip_network("2002::/16")
_V4_COMPATIBLE = ipaddress.ip_network("::/96")


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries to reach: IPv4-mapped, IPv4-compatible, NAT64 or 6to4.

    Such an address reaches whatever IPv4 host it wraps, so it is judged by that host.
    """
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if any(address in net for net in _NAT64) or (address in _V4_COMPATIBLE and int(address) > 1):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)  # the last 32 bits (RFC 6052 /96 form)
    return None


def is_public(address: IPAddress) -> bool:
    """Not loopback, private, link-local, multicast, reserved or unspecified.

    An IPv6 address that wraps an IPv4 one (mapped, compatible, NAT64, 6to4) is judged by the IPv4 inside.
    """
    inner = embedded_ipv4(address)
    if inner is not None:
        address = inner
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
        """Refuse `url` as `resolve_url` would (remote mode), without keeping the address."""
        self.resolve_url(url)

    def resolve_url(self, url: str) -> str:
        """The one address to connect to for `url`: its host resolved once and, in remote mode, every
        address checked; refused if any is non-public outside the allowed networks.

        The caller connects to exactly this address (see `pinned_http`): resolving again at connect time
        would let a rebinding DNS server answer a checked public address first and a private one next.
        """
        parts = urlsplit(url)
        host = parts.hostname
        if parts.scheme not in ("http", "https") or not host:
            raise BadInputError(f"{shown_url(url)} is not an http(s) URL.", hint="Give a full http:// or https:// URL.")
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, ValueError, UnicodeError):
            raise MediaNotFoundError(f"Cannot find the host of {shown_url(url)}.", hint="Check the URL.") from None
        addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
        if not addresses:
            raise MediaNotFoundError(f"Cannot find the host of {shown_url(url)}.", hint="Check the URL.")
        if self.remote and not all(self._allowed(address) for address in addresses):
            raise SourceRefusedError(
                f"Refused {shown_url(url)}: it points at a loopback, private, link-local or multicast address, "
                "which this server does not fetch for remote clients.",
                hint="Use a public URL. The operator can allow chosen networks with MCP_HIGHLIGHT_ALLOW_NETWORKS.",
            )
        return str(addresses[0])

    def _allowed(self, address: IPAddress) -> bool:
        inner = embedded_ipv4(address)
        if any(address in net or (inner is not None and inner in net) for net in self.allow_networks):
            return True
        return is_public(address)


def _check_kind(info: os.stat_result, name: str) -> None:
    if stat.S_ISDIR(info.st_mode):
        raise BadInputError(f"{name!r} is a folder, not a file.", hint="Give the path of one video file.")
    if not stat.S_ISREG(info.st_mode):
        raise BadInputError(
            f"{name!r} is not a regular file (it is a pipe, device or socket), so it cannot be read as media.",
            hint="Give the path of a video file saved on disk.",
        )


def shown_url(url: str) -> str:
    """A URL for messages: scheme, host, port and path (cut short), never the query or user info (they may
    carry a signature or token)."""
    parts = urlsplit(url)
    try:
        port = f":{parts.port}" if parts.port is not None else ""
    except ValueError:
        port = ""
    host = parts.hostname or ""
    host = f"[{host}]" if ":" in host else host
    path = parts.path if len(parts.path) <= 200 else parts.path[:200] + "…"
    return repr(f"{parts.scheme}://{host}{port}{path}")
