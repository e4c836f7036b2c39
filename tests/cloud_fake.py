"""A fake NemoVideo API for the cloud backend's tests (and the lead's MCP tests against the cloud).

A Starlette app served by uvicorn on 127.0.0.1 (a free port) in a background thread. It
follows shared/cloud-api.md, records every request (method, path, headers, query, body) so
tests assert on what the API received, and has switches (`FakeSwitches`) for every failure
the contract describes. Usage:

    from cloud_fake import cloud_fake, make_cloud_backend   # noqa: F401 (the fixture)

    async def test_something(cloud_fake, tmp_path):
        backend = make_cloud_backend(cloud_fake, tmp_path)
        cloud_fake.switches.silent_edits = True
        ...
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import secrets
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from media_files import MEDIA_CACHE
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from mcp_highlight.backends.cloud import CloudBackend, CloudTiming
from mcp_highlight.core.config import Settings

REGISTERED_TOKEN = "nmv_usr_registered_account_0001"
BODY_KEEP = 64 * 1024
SUPPORTED = ("mp4", "mov", "avi", "webm", "mkv", "jpg", "png", "gif", "webp", "mp3", "wav", "m4a", "aac")

FAST_TIMING = CloudTiming(
    connect_timeout_s=2.0,
    read_timeout_s=10.0,
    rate_limit_wait_s=0.05,
    tick_s=0.02,
    still_working_every_s=0.1,
    sse_cap_s=5.0,
    heartbeat_only_timeout_s=2.0,  # short, yet long enough that a busy machine does not time out a live stream
    recovery_first_wait_s=0.05,
    recovery_interval_s=0.05,
    recovery_unchanged_reads=5,
    render_poll_interval_s=0.02,
    render_max_polls=10,
    download_attempts=4,
)


@dataclass
class FakeSwitches:
    """Behaviour of the fake; flip them in a test before the calls they should affect."""

    token_429: int = 0
    """Answer HTTP 429 to this many anonymous-token calls first (rate limit)."""
    reject_client_ids: set[str] = field(default_factory=set)
    """Answer HTTP 400 to the token call for these client ids (a missing header always gets 400)."""
    expire_token_after: int | None = None
    """After this many authenticated requests, the token in use expires (code 1001) once."""
    require_attribution: bool = True
    """Missing X-Skill-* headers: 401 on auth'd calls... as the vendor warns (export answers 402)."""
    silent_edits: bool = False
    """The edit stream carries no text, but the state changes."""
    heartbeats_only: bool = False
    """The edit stream sends nothing but heartbeats (all three forms) until the client leaves."""
    partial_events: bool = False
    """Text arrives first as `partial: true` fragments, then as the full event."""
    cut_after_events: int | None = None
    """Break the connection after this many stream events (without the closing chunk)."""
    cut_applies_after_reads: int | None = 0
    """After a cut, the edit shows in the state after this many state reads (None: never)."""
    trailing_noise: bool = False
    """Add "I encountered a temporary issue" after the normal answer."""
    error_event: str | dict[str, Any] | None = None
    """Send `{"error": <this>}` in place of the answer."""
    chinese: bool = False
    """Answer in Chinese GUI-speak regardless of the session language."""
    json_instead_of_stream: bool = False
    """Answer /run_sse with plain JSON events instead of a stream."""
    render_submit_failures: int = 0
    """Fail this many render submits (HTTP 500) before accepting."""
    export_402: bool = False
    """The free plan blocks export (HTTP 402)."""
    render_fails: bool = False
    """The render job ends `failed`."""
    render_polls_before_done: int = 2
    """Polls answering `processing` before `completed`."""
    render_status_enveloped: bool = False
    """Wrap the poll answer in the envelope (`data.status`) instead of a top-level `status`."""
    download_cut_after_bytes: int | None = None
    """The first download of a render breaks after this many bytes (resume with Range)."""
    output_url_broken: bool = False
    """`output.url` answers 404, so the client must use the proxy download route."""
    credits_available: int = 100
    edit_cost: int = 50
    """An edit needs this many credits; fewer available → code 2001."""
    upload_error_code: int | None = None
    """Refuse uploads with this envelope code (4001 / 4002)."""
    unknown_sessions: set[str] = field(default_factory=set)
    """Session ids answered with code 1002."""
    rate_limit_calls: int = 0
    """Answer HTTP 429 to this many authenticated calls (any endpoint) first."""
    storage_host: str | None = None
    """Host name of `output.url` (e.g. "localhost"), to model a storage origin other than the API's."""


@dataclass
class Recorded:
    method: str
    path: str
    url: str
    headers: dict[str, str]
    query: dict[str, str]
    body: bytes
    body_size: int
    json: Any = None
    multipart_field: str | None = None
    multipart_filename: str | None = None


@dataclass
class FakeSession:
    session_id: str
    task_id: str
    language: str
    draft: dict[str, Any] = field(default_factory=lambda: {"t": []})
    video_infos: list[dict[str, Any]] = field(default_factory=list)
    pending: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    """(state reads left, draft to show then): edits that land later (after a cut stream)."""


def _envelope(data: Any = None, code: int = 0, message: str = "ok", status: int = 200) -> JSONResponse:
    return JSONResponse({"code": code, "message": message, "data": data}, status_code=status)


def sample_render_bytes() -> bytes:
    path = MEDIA_CACHE / "cloud_fake_render_320x180_2s.mp4"
    if not path.exists():
        from footage.samples import synth_clip

        synth_clip(path.with_suffix(".tmp.mp4"), duration_s=2.0, width=320, height=180, fps=15)
        path.with_suffix(".tmp.mp4").replace(path)
    return path.read_bytes()


def _title_of(text: str) -> str | None:
    match = re.search(r"['\"“「‘]([^'\"”」’]+)['\"”」’]", text)
    return match.group(1) if match else None


class CloudFake:
    """The fake API plus what it received. `base_url` is where it listens."""

    def __init__(self) -> None:
        self.switches = FakeSwitches()
        self.requests: list[Recorded] = []
        self.tokens: dict[str, str] = {}
        self.expired: set[str] = set()
        self.sessions: dict[str, FakeSession] = {}
        self.renders: dict[str, dict[str, Any]] = {}
        self.download_cuts = 0
        self._auth_count = 0
        self._ids = itertools.count(1)
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.base_url = ""
        self.app = Starlette(
            routes=[
                Route("/api/auth/anonymous-token", self.anonymous_token, methods=["POST"]),
                Route("/api/auth/claim-token", self.claim_token, methods=["POST"]),
                Route("/api/tasks/me/with-session/nemo_agent", self.create_session, methods=["POST"]),
                Route("/run_sse", self.run_sse, methods=["POST"]),
                Route("/api/upload-video/nemo_agent/me/{sid}", self.upload, methods=["POST"]),
                Route("/api/credits/balance/simple", self.credits, methods=["GET"]),
                Route("/api/state/nemo_agent/me/{sid}/latest", self.state, methods=["GET"]),
                Route("/api/render/proxy/lambda", self.render_submit, methods=["POST"]),
                Route("/api/render/proxy/lambda/{rid}", self.render_status, methods=["GET"]),
                Route("/api/render/proxy/{rid}/download", self.render_download, methods=["GET"]),
                Route("/files/{rid}.mp4", self.storage_file, methods=["GET"]),
            ]
        )

    # --- lifecycle ------------------------------------------------------------------------------------------

    def start(self) -> CloudFake:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        config = uvicorn.Config(self.app, log_level="critical", lifespan="off", access_log=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the fake NemoVideo API did not start")
            time.sleep(0.01)
        self.base_url = f"http://127.0.0.1:{port}"
        return self

    def stop(self) -> None:
        if self._server:
            self._server.should_exit = True
        if self._thread:
            self._thread.join(timeout=5)

    # --- helpers for tests ----------------------------------------------------------------------------------

    def calls(self, path_prefix: str, method: str | None = None) -> list[Recorded]:
        return [r for r in self.requests if r.path.startswith(path_prefix) and (method is None or r.method == method)]

    def put_on_timeline(self, session_id: str) -> None:
        """What a first "compile the footage" edit does: every uploaded video as one 10 s clip."""
        session = self.sessions[session_id]
        session.draft = {
            "t": [
                {"tt": 0, "m": {"name": i["name"]}, "sg": [{"d": 10000, "m": {"src": i["id"]}}]}
                for i in session.video_infos
            ]
        }

    def add_session(self, draft: dict[str, Any] | None = None) -> FakeSession:
        """A session that exists on the 'server' (e.g. created by another client)."""
        n = next(self._ids)
        session = FakeSession(session_id=f"sess_{n}", task_id=f"task_{n}", language="en")
        if draft is not None:
            session.draft = draft
        self.sessions[session.session_id] = session
        return session

    # --- plumbing -------------------------------------------------------------------------------------------

    async def _record(self, request: Request, *, stream_body: bool = False) -> Recorded:
        record = Recorded(
            method=request.method,
            path=request.url.path,
            url=str(request.url),
            headers={k.lower(): v for k, v in request.headers.items()},
            query=dict(request.query_params),
            body=b"",
            body_size=0,
        )
        self.requests.append(record)
        if stream_body:
            head = bytearray()
            async for chunk in request.stream():  # counted, never kept beyond the first 64 kB
                record.body_size += len(chunk)
                if len(head) < BODY_KEEP:
                    head += chunk[: BODY_KEEP - len(head)]
            record.body = bytes(head)
        else:
            record.body = await request.body()
            record.body_size = len(record.body)
        if record.body and "json" in record.headers.get("content-type", ""):
            try:
                record.json = json.loads(record.body)
            except ValueError:
                record.json = None
        return record

    def _auth(self, record: Recorded) -> JSONResponse | None:
        header = record.headers.get("authorization", "")
        token = header.removeprefix("Bearer ").strip()
        if self.switches.require_attribution and not all(
            record.headers.get(h) for h in ("x-skill-source", "x-skill-version", "x-skill-platform")
        ):
            if record.path.startswith("/api/render/proxy/lambda") and record.method == "POST":
                return _envelope(None, 402, "attribution missing", 402)
            return _envelope(None, 1001, "attribution missing", 401)
        if token != REGISTERED_TOKEN and (token not in self.tokens or token in self.expired):
            return _envelope(None, 1001, "token invalid or expired", 401)
        if self.switches.rate_limit_calls > 0:
            self.switches.rate_limit_calls -= 1
            return JSONResponse({"message": "slow down"}, status_code=429)
        self._auth_count += 1
        if self.switches.expire_token_after is not None and self._auth_count > self.switches.expire_token_after:
            self.switches.expire_token_after = None
            if token != REGISTERED_TOKEN:
                self.expired.add(token)
            return _envelope(None, 1001, "token expired", 401)
        return None

    def _session(self, sid: str) -> FakeSession | JSONResponse:
        if sid in self.switches.unknown_sessions or sid not in self.sessions:
            return _envelope(None, 1002, "session not found", 200)
        return self.sessions[sid]

    # --- endpoints ------------------------------------------------------------------------------------------

    async def anonymous_token(self, request: Request) -> Response:
        record = await self._record(request)
        client_id = record.headers.get("x-client-id")
        if not client_id or client_id in self.switches.reject_client_ids:
            return JSONResponse({"message": "X-Client-Id required"}, status_code=400)
        if self.switches.token_429 > 0:
            self.switches.token_429 -= 1
            return _envelope(None, 429, "rate limited", 429)
        token = f"nmv_usr_{secrets.token_hex(12)}"
        self.tokens[token] = client_id
        return _envelope({"token": token, "credits": 100})

    async def create_session(self, request: Request) -> Response:
        record = await self._record(request)
        if denied := self._auth(record):
            return denied
        n = next(self._ids)
        body = record.json or {}
        session = FakeSession(session_id=f"sess_{n}", task_id=f"task_{n}", language=str(body.get("language", "en")))
        self.sessions[session.session_id] = session
        return _envelope({"task_id": session.task_id, "session_id": session.session_id})

    async def claim_token(self, request: Request) -> Response:
        record = await self._record(request)
        if denied := self._auth(record):
            return denied
        return _envelope({"claim_token": f"clm_{secrets.token_hex(8)}", "expires_in": 3600})

    async def credits(self, request: Request) -> Response:
        record = await self._record(request)
        if denied := self._auth(record):
            return denied
        available = self.switches.credits_available
        return _envelope({"available": available, "frozen": 0, "total": max(available, 100)})

    async def state(self, request: Request) -> Response:
        record = await self._record(request)
        if denied := self._auth(record):
            return denied
        session = self._session(request.path_params["sid"])
        if isinstance(session, JSONResponse):
            return session
        still: list[tuple[int, dict[str, Any]]] = []
        for reads_left, draft in session.pending:
            if reads_left <= 1:
                session.draft = draft
            else:
                still.append((reads_left - 1, draft))
        session.pending = still
        return _envelope(
            {
                "state": {
                    "draft": session.draft,
                    "video_infos": session.video_infos,
                    "canvas_config": {"width": 1920, "height": 1080},
                    "generated_media": [],
                }
            }
        )

    async def upload(self, request: Request) -> Response:
        is_multipart = request.headers.get("content-type", "").startswith("multipart/")
        record = await self._record(request, stream_body=is_multipart)
        if denied := self._auth(record):
            return denied
        session = self._session(request.path_params["sid"])
        if isinstance(session, JSONResponse):
            return session
        if self.switches.upload_error_code:
            return _envelope(None, self.switches.upload_error_code, "refused", 400)
        if is_multipart:
            head = record.body.split(b"\r\n\r\n", 1)[0].decode("utf-8", "replace")
            field_match = re.search(r'name="([^"]+)"', head)
            file_match = re.search(r'filename="([^"]*)"', head)
            record.multipart_field = field_match.group(1) if field_match else None
            record.multipart_filename = file_match.group(1) if file_match else None
            name = record.multipart_filename or "upload"
        else:
            urls = (record.json or {}).get("urls") or []
            name = str(urls[0]).rsplit("/", 1)[-1] if urls else "url"
        if name.rsplit(".", 1)[-1].lower() not in SUPPORTED:
            return _envelope(None, 4001, "unsupported file", 400)
        media_id = f"vid_{next(self._ids)}"
        session.video_infos.append({"id": media_id, "name": name, "duration": 10.0, "width": 1920, "height": 1080})
        return _envelope({"files": [{"id": media_id, "name": name}]})  # media only: edits build the timeline

    def _edited(self, session: FakeSession, text: str) -> tuple[dict[str, Any], str, str]:
        """(the draft after the instruction, function name, reply) for a simple instruction language."""
        draft = json.loads(json.dumps(session.draft))
        tracks = draft.setdefault("t", [])
        if not any(t.get("tt") == 0 for t in tracks):  # the agent puts the uploaded footage on the timeline
            for info in session.video_infos:
                tracks.insert(0, {"tt": 0, "m": {"name": info["name"]}, "sg": [{"d": 10000, "m": {"src": info["id"]}}]})
        chinese = self.switches.chinese or session.language == "zh"
        title = _title_of(text)
        lowered = text.lower()
        if title:
            tracks.append({"tt": 7, "m": {"role": "title"}, "sg": [{"d": 3000, "m": {"text": title, "role": "title"}}]})
            reply = (
                f"已添加标题「{title}」。点击导出按钮即可下载。"
                if chinese
                else f"I've added the title '{title}' at the start. Click the Export button to download."
            )
            return draft, "add_text", reply
        if "music" in lowered or "bgm" in lowered or "音乐" in text:
            length = max((sum(s.get("d", 0) for s in t.get("sg", [])) for t in tracks), default=10000)
            tracks.append({"tt": 1, "sg": [{"d": length, "m": {"name": "Lo-fi", "volume": 0.35}}]})
            reply = (
                "已添加背景音乐。打开时间线面板查看。"
                if chinese
                else "Added Lo-fi music. Open the timeline panel to check it."
            )
            return draft, "add_bgm", reply
        if "shorter" in lowered or "缩短" in text:
            for track in tracks:
                for seg in track.get("sg", []):
                    seg["d"] = int(seg.get("d", 0) * 0.5)
            return draft, "trim_video", "已缩短视频。" if chinese else "Trimmed the clips to half their length."
        draft.setdefault("m", {})["edits"] = draft.get("m", {}).get("edits", 0) + 1
        return draft, "update_project", "已更新项目。" if chinese else "Updated the project."

    async def run_sse(self, request: Request) -> Response:
        record = await self._record(request)
        if denied := self._auth(record):
            return denied
        body = record.json or {}
        session = self._session(str(body.get("session_id", "")))
        if isinstance(session, JSONResponse):
            return session
        if self.switches.credits_available < self.switches.edit_cost:
            return _envelope(None, 2001, "insufficient credits", 200)
        text = "".join(p.get("text", "") for p in body.get("new_message", {}).get("parts", []))
        new_draft, function, reply = self._edited(session, text)
        switches = self.switches

        events: list[dict[str, Any] | str] = [": keep-alive"]
        events.append(
            {
                "author": "nemo_agent",
                "content": {
                    "parts": [{"functionCall": {"id": "c1", "name": function, "args": {"text": text}, "extraField": 1}}]
                },
            }
        )
        events.append("APPLY")
        events.append(
            {
                "content": {"parts": [{"functionResponse": {"id": "c1", "name": function, "response": {"ok": True}}}]},
                "unknownTop": {"x": 1},
            }
        )
        if switches.error_event is not None:
            events.append({"error": switches.error_event})
        elif not switches.silent_edits:
            if switches.partial_events:
                half = len(reply) // 2
                events.append({"content": {"parts": [{"text": reply[:half]}]}, "partial": True})
                events.append("event: heartbeat")
                events.append({"content": {"parts": [{"text": reply[half:]}]}, "partial": True})
            events.append(
                {
                    "id": "e9",
                    "invocationId": "i1",
                    "author": "nemo_agent",
                    "content": {"role": "model", "parts": [{"text": reply}]},
                    "partial": False,
                }
            )
            if switches.trailing_noise:
                events.append({"content": {"parts": [{"text": "I encountered a temporary issue. Please try again."}]}})
        switches.credits_available -= switches.edit_cost

        if switches.json_instead_of_stream:
            session.draft = new_draft
            return JSONResponse([e for e in events if isinstance(e, dict)])

        async def stream() -> AsyncIterator[bytes]:
            if switches.heartbeats_only:
                forms = itertools.cycle([b": ping\n\n", b"event: heartbeat\ndata: {}\n\n", b"data:\n\n"])
                for _ in range(2000):
                    yield next(forms)
                    await asyncio.sleep(0.01)
                return
            sent = 0
            for event in events:
                if switches.cut_after_events is not None and sent >= switches.cut_after_events:
                    if switches.cut_applies_after_reads is not None:
                        session.pending.append((max(switches.cut_applies_after_reads, 1), new_draft))
                    raise ConnectionResetError("fake: stream cut")
                if event == "APPLY":
                    session.draft = new_draft
                    continue
                if isinstance(event, str):
                    yield (event + "\n\n").encode()
                else:
                    yield f"data: {json.dumps(event, ensure_ascii=False)}\n\n".encode()
                sent += 1
                await asyncio.sleep(0.005)

        return StreamingResponse(stream(), media_type="text/event-stream")

    async def render_submit(self, request: Request) -> Response:
        record = await self._record(request)
        if denied := self._auth(record):
            return denied
        if self.switches.export_402:
            return JSONResponse({"message": "free plan"}, status_code=402)
        if self.switches.render_submit_failures > 0:
            self.switches.render_submit_failures -= 1
            return _envelope(None, 5000, "render queue busy", 500)
        body = record.json or {}
        rid = str(body.get("id"))
        self.renders[rid] = {"session": body.get("sessionId"), "polls": 0, "draft": body.get("draft")}
        return _envelope({"id": rid, "status": "pending"})

    async def render_status(self, request: Request) -> Response:
        record = await self._record(request)
        if denied := self._auth(record):
            return denied
        rid = request.path_params["rid"]
        job = self.renders.get(rid)
        if job is None:
            return _envelope(None, 404, "render not found", 404)
        job["polls"] += 1
        answer: dict[str, Any] = {"id": rid, "status": "processing", "progress": 50}
        if job["polls"] > self.switches.render_polls_before_done:
            if self.switches.render_fails:
                answer = {"id": rid, "status": "failed", "error": "lambda crashed"}
            else:
                path = f"/files/{rid}-gone.mp4" if self.switches.output_url_broken else f"/files/{rid}.mp4"
                base = self.base_url
                if self.switches.storage_host:
                    base = base.replace("127.0.0.1", self.switches.storage_host)
                answer = {"id": rid, "status": "completed", "output": {"url": base + path}}
        if self.switches.render_status_enveloped:
            return _envelope(answer)
        return JSONResponse(answer)

    def _serve_file(self, record: Recorded) -> Response:
        data = sample_render_bytes()
        match = re.match(r"bytes=(\d+)-", record.headers.get("range", ""))
        start = int(match.group(1)) if match else 0
        cut = self.switches.download_cut_after_bytes
        if cut is not None and self.download_cuts == 0 and start == 0:
            self.download_cuts += 1

            async def broken() -> AsyncIterator[bytes]:
                yield data[:cut]
                await asyncio.sleep(0.01)
                raise ConnectionResetError("fake: download cut")

            return StreamingResponse(broken(), media_type="video/mp4", headers={"content-length": str(len(data))})
        if start:
            part = data[start:]
            return Response(
                part,
                status_code=206,
                media_type="video/mp4",
                headers={"content-range": f"bytes {start}-{len(data) - 1}/{len(data)}"},
            )
        return Response(data, media_type="video/mp4")

    async def storage_file(self, request: Request) -> Response:
        record = await self._record(request)
        rid = request.path_params["rid"]
        if rid not in self.renders:
            return Response(b"not found", status_code=404)
        return self._serve_file(record)

    async def render_download(self, request: Request) -> Response:
        record = await self._record(request)
        if denied := self._auth(record):
            return denied
        if request.path_params["rid"] not in self.renders:
            return Response(b"not found", status_code=404)
        return self._serve_file(record)


class ProgressLog:
    """A progress callback that remembers every call; `cancel_after` makes it cancel like a client would."""

    def __init__(self, cancel_after: int | None = None) -> None:
        self.calls: list[tuple[float, str]] = []
        self.cancel_after = cancel_after

    def __call__(self, fraction: float, message: str) -> None:
        self.calls.append((fraction, message))
        if self.cancel_after is not None and len(self.calls) >= self.cancel_after:
            from mcp_highlight.core.errors import OperationCancelledError

            raise OperationCancelledError("cancelled by the client")

    @property
    def messages(self) -> list[str]:
        return [message for _, message in self.calls]


@pytest.fixture
def cloud_fake() -> Iterator[CloudFake]:
    """A running fake NemoVideo API, fresh for each test."""
    fake = CloudFake().start()
    try:
        yield fake
    finally:
        fake.stop()


def make_cloud_backend(
    fake: CloudFake,
    home: Path,
    *,
    token: str | None = None,
    client_id: str | None = None,
    timing: CloudTiming | None = None,
    **overrides: Any,
) -> CloudBackend:
    """A CloudBackend pointed at the fake, with tiny timings and its data under `home`."""
    settings = Settings(
        home=home,
        backend="cloud",
        nemo_api_url=fake.base_url,
        nemo_web_url="https://web.example",
        nemo_token=token,
        nemo_client_id=client_id,
        **overrides,
    )
    return CloudBackend(settings, timing=timing or FAST_TIMING)
