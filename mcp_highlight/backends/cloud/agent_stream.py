"""One instruction to the hosted agent, followed over server-sent events until it ends.

The stream may break, go quiet, or answer with plain JSON; each ends the wait with a clear
outcome, and progress keeps moving (with the agent's steps named for people) meanwhile.
"""

from __future__ import annotations

import asyncio
import math
import time
from dataclasses import dataclass, field

import httpx
from pydantic import ValidationError

from mcp_highlight.backends.cloud.client import NemoClient
from mcp_highlight.backends.cloud.gui_speak import is_noise, translate
from mcp_highlight.backends.cloud.models import AgentEvent, CloudTiming, Envelope, RunSseRequest
from mcp_highlight.backends.cloud.sse import iter_stream
from mcp_highlight.backends.cloud.wire import step_name
from mcp_highlight.core.errors import BackendError, HighlightError
from mcp_highlight.core.logs import get_logger, redact_text
from mcp_highlight.core.progress import ProgressFn

log = get_logger(__name__)

RUN_SSE_PATH = "/run_sse"


@dataclass
class _Broken:
    error: str


_END = object()


@dataclass
class StreamOutcome:
    texts: list[str] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)
    broken: bool = False
    timed_out: str | None = None



def event_error(client: NemoClient, event: AgentEvent) -> HighlightError:
    """The error an `error` event means, mapped like the HTTP errors of the same code."""
    raw = event.error
    code = event.code
    if isinstance(raw, dict):
        code = code or (raw.get("code") if isinstance(raw.get("code"), int) else None)
        raw = raw.get("message") or raw.get("error") or raw
    if code is None and isinstance(event.error_code, int):
        code = event.error_code
    if code:
        mapped = client.error_for(200, Envelope(code=code, message=str(raw)), None, RUN_SSE_PATH)
        if mapped is not None and type(mapped) is not BackendError:
            return mapped
    text = redact_text(str(raw or event.error_message or "unknown error"))[:300]
    if "credit" in text.lower() or "积分" in text:
        return client.no_credits_error()
    return BackendError(
        f"NemoVideo reported an error during the edit: {text}",
        hint="Ask for the status to see what was applied, then try again.",
    )


async def _pump(response: httpx.Response, data: object, queue: asyncio.Queue[object]) -> None:
    """Events into `queue`, then `_END`; a plain JSON answer (already read) stands in for a stream."""
    try:
        if "text/event-stream" not in response.headers.get("content-type", ""):
            for item in data if isinstance(data, list) else [data]:
                if isinstance(item, dict):
                    await queue.put(AgentEvent.model_validate(item))
        else:
            async for item in iter_stream(response.aiter_lines()):
                await queue.put(item)
        await queue.put(_END)
    except (httpx.TransportError, httpx.StreamError) as exc:
        await queue.put(_Broken(type(exc).__name__))
    except ValidationError:
        await queue.put(_END)


@dataclass
class _Watch:
    """What the caller is told while the agent works, and when waiting has gone on too long."""

    timing: CloudTiming
    start: float = field(default_factory=time.monotonic)
    last_event: float = field(default_factory=time.monotonic)
    last_notice: float = field(default_factory=time.monotonic)
    message: str = "NemoVideo is working on it"

    def tick(self, progress: ProgressFn) -> str | None:
        """Report progress; the reason to stop waiting, if it is time."""
        now = time.monotonic()
        elapsed = now - self.start
        # the notice first: however late this turn comes (a busy machine), the caller hears before a time-out
        if now - self.last_notice >= self.timing.still_working_every_s:
            self.message, self.last_notice = f"Still working... ({elapsed / 60:.0f} min so far)", now
        progress(min(0.95, 1 - math.exp(-elapsed / 90)), self.message)
        if elapsed > self.timing.sse_cap_s:
            return f"NemoVideo did not finish the edit within {self.timing.sse_cap_s / 60:.0f} minutes."
        if now - self.last_event > self.timing.heartbeat_only_timeout_s:
            return f"NemoVideo only sent keep-alive signals for {self.timing.heartbeat_only_timeout_s / 60:.0f} minutes."
        return None

    def take(self, client: NemoClient, event: AgentEvent, outcome: StreamOutcome) -> None:
        """One event: an error raises; steps and texts are kept and the newest shown to people."""
        self.last_event = time.monotonic()
        if event.is_error:
            raise event_error(client, event)
        if event.partial:
            return  # a fragment; the full event follows
        for call in event.calls:
            outcome.steps.append(call.name)
            self.message, self.last_notice = step_name(call.name), time.monotonic()
        for part in event.texts:
            outcome.texts.append(part)
            if not is_noise(part):
                shown = translate(part) or self.message
                self.message, self.last_notice = shown[:200], time.monotonic()


async def stream_edit(
    client: NemoClient, timing: CloudTiming, session_id: str, text: str, progress: ProgressFn
) -> StreamOutcome:
    """Send one instruction and follow the agent's stream until it ends, breaks or goes quiet too long."""
    outcome = StreamOutcome()
    timeout = httpx.Timeout(
        timing.read_timeout_s, connect=timing.connect_timeout_s, read=timing.heartbeat_only_timeout_s
    )
    progress(0.0, "Sending the instruction to NemoVideo")
    response, data = await client.send(
        "POST",
        RUN_SSE_PATH,
        json_body=RunSseRequest.for_text(session_id, text).model_dump(),
        headers={"Accept": "text/event-stream"},
        stream_ok=True,
        timeout=timeout,
    )
    queue: asyncio.Queue[object] = asyncio.Queue()
    reader = asyncio.create_task(_pump(response, data, queue))
    watch = _Watch(timing)
    try:
        while True:
            outcome.timed_out = watch.tick(progress)
            if outcome.timed_out:
                break
            try:
                item = await asyncio.wait_for(queue.get(), timeout=timing.tick_s)
            except TimeoutError:
                continue
            if item is _END:
                break
            if isinstance(item, _Broken):
                log.warning("cloud.sse.broken", session_id=session_id, error=item.error)
                outcome.broken = True
                break
            if isinstance(item, AgentEvent):  # heartbeats only keep the wait alive
                watch.take(client, item, outcome)
    finally:
        reader.cancel()
        await asyncio.gather(reader, return_exceptions=True)
        await response.aclose()
    return outcome
