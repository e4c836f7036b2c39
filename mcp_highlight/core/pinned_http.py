"""An httpx transport that connects to one address already checked, all within one deadline.

Resolving a name twice lets a hostile DNS server answer a public address to the check and a private one
to the connection (DNS rebinding). So the caller resolves once, checks every address, and this transport
connects to exactly the address it was given, while the request keeps the URL's host name (the Host
header and TLS SNI). Every socket wait is also cut to the time left before one deadline, so a server
that trickles its headers a byte at a time cannot hold a download past it: the deadline covers connect,
headers and body alike.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx


class DeadlinePassedError(httpcore.TimeoutException):
    """Raised on the socket when the total deadline has passed (httpx maps it to a timeout)."""


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream, deadline: float) -> None:
        self._stream = stream
        self._deadline = deadline

    def _wait(self, timeout: float | None) -> float:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise DeadlinePassedError("the download's total time limit passed")
        return left if timeout is None else min(timeout, left)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, self._wait(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, self._wait(timeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        tls = self._stream.start_tls(ssl_context, server_hostname, self._wait(timeout))
        return _DeadlineStream(tls, self._deadline)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _PinnedBackend(httpcore.SyncBackend):
    def __init__(self, address: str, deadline: float) -> None:
        self._address = address
        self._deadline = deadline

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise DeadlinePassedError("the download's total time limit passed")
        wait = left if timeout is None else min(timeout, left)
        stream = super().connect_tcp(self._address, port, wait, local_address, socket_options)
        return _DeadlineStream(stream, self._deadline)

    def connect_unix_socket(self, *args: Any, **kwargs: Any) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("unix sockets are not used for downloads")


class PinnedTransport(httpx.HTTPTransport):
    """Connects every request to `address` (an IP the caller checked), whatever the URL's host resolves to."""

    def __init__(self, address: str, *, deadline: float) -> None:
        super().__init__(trust_env=False)
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=1,
            network_backend=_PinnedBackend(address, deadline),
        )
