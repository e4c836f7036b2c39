"""Change notifications across replicas: the SDK's `SubscriptionBus` over PostgreSQL's LISTEN/NOTIFY.

A timeline edited through one replica must reach a client listening on another: 2026 clients hold a
`subscriptions/listen` stream, 2025 clients a `resources/subscribe`, each on whichever replica they reached.
Every replica publishes an event as a NOTIFY on one channel and LISTENs on it, so each (the publisher
too) hands what arrives to its own streams and subscribers. Like the SDK's in-process bus there is no
replay: a client whose stream dropped listens again and refetches.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import asdict

import anyio
import psycopg
from mcp.server.subscriptions import (
    InMemorySubscriptionBus,
    PromptsListChanged,
    ResourcesListChanged,
    ResourceUpdated,
    ServerEvent,
    ToolsListChanged,
)

from mcp_highlight.backends.local.database import libpq_url
from mcp_highlight.core.errors import public_text
from mcp_highlight.core.logs import get_logger

log = get_logger(__name__)
CHANNEL = "highlight_events"
RECONNECT_S = 1.0
KINDS: dict[str, type[ServerEvent]] = {
    kind.__name__: kind for kind in (ToolsListChanged, PromptsListChanged, ResourcesListChanged, ResourceUpdated)
}
Relay = Callable[[ServerEvent], Awaitable[None]]


def encode(event: ServerEvent) -> str:
    return json.dumps({"kind": type(event).__name__, **asdict(event)})


def decode(payload: str) -> ServerEvent | None:
    """The event in a NOTIFY's payload; None for anything else on the channel."""
    try:
        data = json.loads(payload)
        return KINDS[data.pop("kind")](**data)
    except (ValueError, KeyError, TypeError):
        return None


class SharedEvents:
    """Publish = NOTIFY; `run` (one task per replica) LISTENs and fans out to this replica's listeners."""

    def __init__(self, url: str) -> None:
        self._url = libpq_url(url)
        self._local = InMemorySubscriptionBus()
        self._publisher: psycopg.AsyncConnection | None = None
        self._lock = anyio.Lock()

    def subscribe(self, listener: Callable[[ServerEvent], None]) -> Callable[[], None]:
        return self._local.subscribe(listener)

    async def publish(self, event: ServerEvent) -> None:
        async with self._lock:  # one connection for every publish of this replica, reopened when it broke
            if self._publisher is None or self._publisher.closed:
                self._publisher = await psycopg.AsyncConnection.connect(self._url, autocommit=True)
            try:
                await self._publisher.execute("SELECT pg_notify(%s, %s)", (CHANNEL, encode(event)))
            except psycopg.OperationalError:
                await self._publisher.close()
                raise

    async def run(self, relay: Relay | None = None, *, ready: anyio.Event | None = None) -> None:
        """Until cancelled: every event from any replica to this replica's streams, and to `relay`."""
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(self._url, autocommit=True) as listener:
                    await listener.execute(f"LISTEN {CHANNEL}")
                    if ready is not None:
                        ready.set()
                    async for note in listener.notifies():
                        if (event := decode(note.payload)) is not None:
                            await self._local.publish(event)
                            if relay is not None:
                                await relay(event)
            except psycopg.OperationalError as exc:  # the database restarted or blinked: listen again
                log.warning("events_listen_lost", error=public_text(exc))
                await anyio.sleep(RECONNECT_S)

    async def aclose(self) -> None:
        if self._publisher is not None:
            await self._publisher.close()
