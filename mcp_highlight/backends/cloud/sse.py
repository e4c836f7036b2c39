"""A tolerant reader of the agent's event stream.

Our own line parser rather than httpx-sse's EventSource: that one drops comment lines, and
comment lines are one of the three heartbeat forms we must see to keep the caller informed.
Tolerated: heartbeats as `event: heartbeat`, `: comment` or empty `data:`; several JSON
objects on consecutive `data:` lines without a blank line between them; `[DONE]`; a final
event without its blank line; non-JSON data and unknown fields (skipped or kept, never fatal).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass

from pydantic import ValidationError

from mcp_highlight.backends.cloud.models import AgentEvent
from mcp_highlight.core.logs import get_logger

log = get_logger(__name__)

HEARTBEAT_EVENTS = {"heartbeat", "ping", "keepalive", "keep-alive"}


@dataclass(frozen=True)
class Heartbeat:
    """The backend is alive and working; nothing to show."""


StreamItem = Heartbeat | AgentEvent


def _event(obj: object, event_name: str | None) -> AgentEvent | None:
    if not isinstance(obj, dict):
        return None
    try:
        event = AgentEvent.model_validate(obj)
    except ValidationError:
        log.debug("cloud.sse.unreadable_event", keys=sorted(obj)[:10])
        return None
    if event_name == "error" and not event.is_error:
        event.error = obj.get("message") or "error"
    return event


def decode_block(event_name: str | None, data_lines: list[str]) -> list[StreamItem]:
    """One SSE block (lines up to a blank line) → zero or more items."""
    name = (event_name or "").strip().lower()
    payload = "\n".join(data_lines).strip()
    if name in HEARTBEAT_EVENTS or not payload:
        return [Heartbeat()]
    if payload == "[DONE]":
        return []
    try:
        candidates: list[object] = [json.loads(payload)]
    except ValueError:
        candidates = []
        for line in data_lines:  # several JSON events on consecutive data lines
            try:
                candidates.append(json.loads(line))
            except ValueError:
                if name == "error":
                    candidates.append({"error": line.strip()})
                else:
                    log.debug("cloud.sse.non_json_data", chars=len(line))
    items: list[StreamItem] = []
    for candidate in candidates:
        event = _event(candidate, name)
        if event is not None:
            items.append(event)
    return items


async def iter_stream(lines: AsyncIterator[str]) -> AsyncIterator[StreamItem]:
    """Items from the lines of an event stream (`response.aiter_lines()`)."""
    event_name: str | None = None
    data_lines: list[str] = []
    async for raw in lines:
        line = raw.rstrip("\r\n")
        if line == "":
            if event_name is not None or data_lines:
                for item in decode_block(event_name, data_lines):
                    yield item
            event_name, data_lines = None, []
            continue
        if line.startswith(":"):
            yield Heartbeat()
            continue
        field, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if field == "event":
            event_name = value
        elif field == "data":
            data_lines.append(value)
        # `id`, `retry` and unknown fields carry nothing we need
    if event_name is not None or data_lines:
        for item in decode_block(event_name, data_lines):
            yield item
