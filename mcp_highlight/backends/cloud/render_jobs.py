"""Cloud export: submit a render, poll it, download the MP4 — resumable at every step.

- the render id is recorded in the registry before the first poll, so an export interrupted
  by a restart resumes the same job;
- a failed submit gets a new id and one retry (the contract's rule);
- the download is streamed to a temp file, resumed with `Range` when the connection breaks,
  renamed into place only when complete, and falls back to the API's own download route.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path
from typing import Any

import httpx
from pydantic import ValidationError

from mcp_highlight.backends.cloud.client import NemoClient, wait_with_progress
from mcp_highlight.backends.cloud.models import RenderJob, RenderRequest, RenderStatus
from mcp_highlight.backends.cloud.registry import JobRegistry
from mcp_highlight.core.config import Settings
from mcp_highlight.core.errors import BackendError, BackendUnavailableError, HighlightError
from mcp_highlight.core.logs import get_logger, redact_text
from mcp_highlight.core.progress import ProgressFn, scaled
from mcp_highlight.draft.model import Draft
from mcp_highlight.engine.media.probe import probe

log = get_logger(__name__)

SUBMIT_PATH = "/api/render/proxy/lambda"


class _JobLost(Exception):
    """A resumed render id the API no longer knows: submit a new one."""


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text)[:24].strip("-") or "session"


class RenderRunner:
    def __init__(self, client: NemoClient, registry: JobRegistry, settings: Settings) -> None:
        self.client = client
        self.registry = registry
        self.settings = settings
        self.timing = client.timing
        self._last_id = 0

    def _new_id(self) -> str:
        stamp = max(int(time.time() * 1000), self._last_id + 1)
        self._last_id = stamp
        return f"render_{stamp}"

    async def export(self, session_id: str, draft: Draft, progress: ProgressFn) -> tuple[Path, RenderJob, bool]:
        """(file, job, reused): reused when this exact draft was already downloaded."""
        fingerprint = draft.fingerprint()
        done = self.registry.completed_job(session_id, fingerprint)
        if done and done.path:
            progress(1.0, "This timeline was already exported; reusing the file.")
            return Path(done.path), done, True
        job = self.registry.pending_job(session_id, fingerprint)
        status: RenderStatus | None = None
        if job is not None:
            log.info("cloud.render.resume", render_id=job.render_id)
            try:
                status = await self._poll(job, scaled(progress, 0.0, 0.7), resumed=True)
            except _JobLost:
                job.status, job.error = "failed", "the API no longer knows this render"
                self.registry.save_job(job)
                job = None
        if job is None:
            job = await self._submit(session_id, draft, fingerprint, scaled(progress, 0.0, 0.05))
            status = await self._poll(job, scaled(progress, 0.05, 0.7), resumed=False)
        assert status is not None
        path = await self._download(job, status, scaled(progress, 0.7, 1.0))
        job.status, job.path = "completed", str(path)
        self.registry.save_job(job)
        return path, job, False

    async def _submit(self, session_id: str, draft: Draft, fingerprint: str, progress: ProgressFn) -> RenderJob:
        for attempt in (1, 2):
            render_id = self._new_id()
            progress(0.0, "Submitting the render to NemoVideo")
            body = RenderRequest(id=render_id, sessionId=session_id, draft=draft.dump()).body()
            try:
                await self.client.call("POST", SUBMIT_PATH, json_body=body)
            except BackendUnavailableError:
                raise
            except BackendError as exc:
                if type(exc) is not BackendError or attempt == 2:
                    raise
                log.warning("cloud.render.submit_failed", render_id=render_id, error=str(exc))
                continue
            job = RenderJob(render_id=render_id, session_id=session_id, fingerprint=fingerprint, created_at=time.time())
            self.registry.save_job(job)  # before the first poll: the id is the only handle on the job
            log.info("cloud.render.submitted", render_id=render_id)
            return job
        raise AssertionError("unreachable")

    async def _read_status(self, render_id: str) -> RenderStatus:
        response, data = await self.client.send("GET", f"{SUBMIT_PATH}/{render_id}")
        body: Any = data
        if not (isinstance(data, dict) and "status" in data):
            try:
                body = json.loads(response.content)
            except ValueError:
                body = None
        if not isinstance(body, dict):
            raise BackendError("NemoVideo's render status answer was unreadable.")
        try:
            return RenderStatus.model_validate(body)
        except ValidationError:
            raise BackendError("NemoVideo's render status answer was unreadable.") from None

    async def _poll(self, job: RenderJob, progress: ProgressFn, *, resumed: bool) -> RenderStatus:
        limit = self.timing.render_max_polls
        for number in range(1, limit + 1):
            if not (resumed and number == 1):
                await wait_with_progress(
                    self.timing.render_poll_interval_s,
                    self.timing,
                    progress,
                    (number - 1) / limit,
                    f"Rendering on NemoVideo (check {number}/{limit})",
                )
            try:
                status = await self._read_status(job.render_id)
            except BackendUnavailableError as exc:
                log.warning("cloud.render.poll_failed", render_id=job.render_id, error=str(exc))
                if number == limit:
                    raise
                continue
            except HighlightError as exc:
                if resumed and number == 1 and type(exc) is BackendError:
                    raise _JobLost() from None
                raise
            state = status.status.lower()
            fraction = status.progress / 100 if status.progress and status.progress > 1 else status.progress
            progress(fraction if fraction is not None else number / limit, f"Rendering on NemoVideo: {state}")
            if state in ("completed", "complete", "succeeded", "success", "done"):
                return status
            if state in ("failed", "error", "cancelled", "canceled"):
                reason = redact_text(str(status.error or "no reason given"))[:300]
                job.status, job.error = "failed", reason
                self.registry.save_job(job)
                raise BackendError(
                    f"NemoVideo could not render the video ({reason}).",
                    hint="Try the export again; if it keeps failing, simplify the last edit.",
                )
        raise BackendError(
            f"The render is still running on NemoVideo after {limit} checks.",
            hint=f"Run export again later: it resumes the same render ({job.render_id}) instead of starting a new one.",
        )

    async def _download(self, job: RenderJob, status: RenderStatus, progress: ProgressFn) -> Path:
        folder = self.settings.renders_dir
        folder.mkdir(parents=True, exist_ok=True)
        final = folder / f"highlight_{_safe(job.session_id)}_{job.render_id}.mp4"
        part = final.with_name(f".{final.name}.part")
        sources = [status.output.url] if status.output and status.output.url else []
        sources.append(f"/api/render/proxy/{job.render_id}/download")
        last: Exception | None = None
        for source in sources:
            try:
                await self._fetch(source, part, progress)
            except (BackendError, OSError) as exc:
                last = exc
                log.warning("cloud.render.download_failed", render_id=job.render_id, error=redact_text(str(exc)))
                part.unlink(missing_ok=True)
                continue
            os.replace(part, final)
            log.info("cloud.render.downloaded", render_id=job.render_id, bytes=final.stat().st_size)
            return final
        raise BackendError(
            f"The render finished but could not be downloaded ({last}).",
            hint=f"Run export again to retry the download of render {job.render_id}.",
        )

    async def _fetch(self, url: str, part: Path, progress: ProgressFn) -> None:
        """Stream `url` into `part`, resuming with Range after a broken connection."""
        have = 0
        part.unlink(missing_ok=True)
        for attempt in range(1, self.timing.download_attempts + 1):
            headers = await self.client.auth_headers_for(url)
            if have:
                headers["Range"] = f"bytes={have}-"
            try:
                async with self.client.http.stream("GET", url, headers=headers) as response:
                    if response.status_code == 416 and have:
                        return
                    if response.status_code >= 400:
                        raise BackendError(f"HTTP {response.status_code} from the download")
                    if have and response.status_code != 206:
                        have = 0  # the server ignored Range: start over
                    length = response.headers.get("content-length")
                    total = have + int(length) if length and length.isdigit() else None
                    with part.open("ab" if have else "wb") as handle:
                        async for chunk in response.aiter_bytes():  # as received: nothing held back if the link breaks
                            handle.write(chunk)
                            have += len(chunk)
                            fraction = have / total if total else 0.5
                            progress(fraction, f"Downloading the video: {have / 1e6:.1f} MB")
                    if total is not None and have < total:
                        raise httpx.RemoteProtocolError("short body")
                    return
            except httpx.TransportError as exc:
                log.warning("cloud.render.download_broken", attempt=attempt, bytes=have, error=type(exc).__name__)
                continue
        raise BackendError(f"the download kept breaking ({self.timing.download_attempts} tries)")


def rendered_facts(path: Path, fallback_duration: float) -> tuple[float, int, int]:
    """(duration s, width, height) of the downloaded render; the draft's length when it cannot be probed."""
    try:
        info = probe(path, max_bytes=None)
    except HighlightError as exc:  # a probe failure must not lose a finished download
        log.warning("cloud.render.probe_failed", path=str(path), error=exc.code)
        return fallback_duration, 0, 0
    width, height = info.video.display_size if info.video else (0, 0)
    return info.duration_s or fallback_duration, width, height
