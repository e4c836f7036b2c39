"""LocalBackend: the default. Footage never leaves the machine; no account, nothing metered."""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import threading
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import anyio

from mcp_highlight.backends.describe_edit import describe_edit
from mcp_highlight.backends.local import intake
from mcp_highlight.backends.local.cluster_jobs import QueuedJobs
from mcp_highlight.backends.local.media_items import describe_media
from mcp_highlight.backends.local.render_job import RenderJob, run_export
from mcp_highlight.backends.local.render_queue import RenderQueue
from mcp_highlight.backends.local.store import Store
from mcp_highlight.backends.local.timeline import apply_edit, draft_to_spec, needs_replan
from mcp_highlight.backends.models import (
    Credits,
    EditRequest,
    EditResult,
    ExportJob,
    ExportRequest,
    ExportResult,
    MediaItem,
    MediaKind,
    SessionState,
    UploadResult,
)
from mcp_highlight.core.config import Settings
from mcp_highlight.core.errors import (
    ImpossibleRequestError,
    InstructionNotUnderstoodError,
    MediaNotFoundError,
    OperationCancelledError,
    UnsupportedMediaError,
    public_text,
)
from mcp_highlight.core.logs import get_logger
from mcp_highlight.core.ownership import current_owner
from mcp_highlight.core.progress import ProgressFn, no_progress, scaled
from mcp_highlight.core.workers import run_cancellable
from mcp_highlight.draft.diff import describe_changes, diff_drafts
from mcp_highlight.draft.model import Draft, TrackType, summarize
from mcp_highlight.engine.deliver import preview
from mcp_highlight.engine.judge.analyse import analyse
from mcp_highlight.engine.judge.analysis import Analysis
from mcp_highlight.engine.media import scratch
from mcp_highlight.engine.media.assets import probe_audio, probe_image
from mcp_highlight.engine.media.probe import probe

log = get_logger(__name__)


class LocalBackend:
    name = "local"
    takes_words = False

    def __init__(self, settings: Settings) -> None:
        settings.ensure_dirs()
        self.settings = settings
        self.renders_dir = settings.renders_dir
        url = settings.database_url.get_secret_value() if settings.database_url else None
        self.store = Store(url, embedded=False) if url else Store.at(settings.database)
        self._queue = QueuedJobs(self.store, url) if url else None  # cluster: jobs run on `mcp-highlight worker`s
        if self.store.interrupted:
            log.warning("renders_interrupted", count=self.store.interrupted)
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="analyse")
        self._analyses: dict[str, concurrent.futures.Future[Analysis]] = {}
        self._analysis_progress: dict[str, tuple[float, str]] = {}
        self._lock = threading.Lock()
        self._edit_locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._export_locks: defaultdict[tuple[str, str], asyncio.Lock] = defaultdict(asyncio.Lock)
        self._policy = settings.source_policy()
        self._renders = RenderQueue(settings.max_renders)
        for folder in (settings.renders_dir, settings.home / "media"):
            scratch.sweep(folder)  # what a killed process left behind

    async def aclose(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self.store.close()

    # upload ---------------------------------------------------------------------------------
    async def upload(self, source: str, *, session_id: str | None, progress: ProgressFn = no_progress) -> UploadResult:
        if session_id:
            self.store.require_session(session_id)
        fresh = False  # a new download, ours to delete if it cannot be used
        if intake.is_url(source):
            path, reused = await run_cancellable(
                lambda p: intake.download(
                    source,
                    self.settings.home / "media" / (current_owner.get() or "local"),
                    self.settings.max_bytes,
                    p,
                    policy=self._policy,
                    deadline_s=self.settings.download_timeout_s,
                    quota_bytes=self.settings.upload_quota_bytes,
                ),
                scaled(progress, 0.0, 0.9),
            )
            fresh = not reused
        else:
            path = await anyio.to_thread.run_sync(intake.local_file, source, self.settings.max_bytes, self._policy)
        try:
            kind = await anyio.to_thread.run_sync(intake.kind_of, path)  # reads the file's head: off the loop
            progress(0.9, "Checking the file")
            item = await anyio.to_thread.run_sync(
                describe_media, path, kind, self.settings.max_bytes, self.settings.media_limits()
            )
        except BaseException:
            if fresh:  # a download we cannot use is not kept
                path.unlink(missing_ok=True)
            raise
        sid = session_id or self.store.create_session()
        self.store.add_media(sid, item)
        if kind == "video" and self._queue is not None:
            await anyio.to_thread.run_sync(self._queue.submit, sid, "analyse", item.id, item.model_dump_json())
        elif kind == "video":
            self._start_analysis(item)
        progress(1.0, "Uploaded")
        message = f"Added {item.name} ({item.info}) to session {sid}."
        if kind == "video":
            message += " Analysis has started in the background."
        return UploadResult(session_id=sid, media=item, message=message)

    # analysis -------------------------------------------------------------------------------
    def _start_analysis(self, item: MediaItem) -> concurrent.futures.Future[Analysis]:
        with self._lock:
            future = self._analyses.get(item.id)
            if future is not None and not (future.done() and future.exception() is not None):
                return future

            def report(fraction: float, message: str) -> None:
                self._analysis_progress[item.id] = (fraction, message)

            def work() -> Analysis:
                assert item.path is not None
                info = probe(Path(item.path), max_bytes=self.settings.max_bytes, limits=self.settings.media_limits())
                return analyse(info, progress=report, cache_dir=self.settings.cache_dir)

            future = self._pool.submit(work)
            self._analyses[item.id] = future
            return future

    async def _await_analyses(self, items: list[MediaItem], progress: ProgressFn) -> dict[str, Analysis]:
        if self._queue is not None:
            return await self._queue.analyses(items, self.settings, progress)
        futures = {item.id: self._start_analysis(item) for item in items}
        while not all(f.done() for f in futures.values()):
            fractions = [
                1.0 if f.done() else self._analysis_progress.get(mid, (0.0, ""))[0] for mid, f in futures.items()
            ]
            waiting = next((mid for mid, f in futures.items() if not f.done()), None)
            message = self._analysis_progress.get(waiting or "", (0.0, "Analysing"))[1] or "Analysing"
            progress(sum(fractions) / len(fractions), message)
            await asyncio.sleep(0.25)
        results = {mid: f.result() for mid, f in futures.items()}
        for item in items:
            if not item.analysed:
                item.analysed = True
                self.store.update_media(item)
        return results

    def analysis_for(self, media_id: str) -> Analysis | None:
        future = self._analyses.get(media_id)
        return future.result() if future is not None and future.done() and future.exception() is None else None

    async def analysis(self, media_id: str) -> Analysis | None:
        return self.analysis_for(media_id)

    # edit -----------------------------------------------------------------------------------
    async def known_media(self, session_id: str) -> dict[str, str]:
        self.store.require_session(session_id)
        return {item.name: item.id for item in self.store.media(session_id)}

    async def edit(
        self, session_id: str, words: str | None, request: EditRequest, *, progress: ProgressFn = no_progress
    ) -> EditResult:
        """One edit at a time per session, so two clients cannot both edit the same 'before'."""
        if request.is_empty():
            raise InstructionNotUnderstoodError("The edit is empty.", hint="Say what to change, e.g. 'a 30s reel'.")
        async with self._edit_locks[session_id]:
            return await self._edit(session_id, words, request, progress)

    async def _edit(
        self, session_id: str, instruction: str | None, request: EditRequest, progress: ProgressFn
    ) -> EditResult:
        before, head = self.store.draft(session_id)
        media = self.store.media(session_id)
        notes: list[str] = []
        if request.undo or request.redo:
            moved = self.store.move_head(session_id, -1 if request.undo else 1)
            if moved is None:
                raise ImpossibleRequestError("There is nothing to " + ("undo." if request.undo else "redo."))
            after, _ = self.store.draft(session_id)
            return self._edit_result(session_id, before, after, ["Undone." if request.undo else "Redone."])
        music = await self._resolve(request.music, "audio", media)
        logo = await self._resolve(request.logo, "image", media)
        analyses: dict[str, Analysis] = {}
        if needs_replan(before, request):
            videos = [m for m in media if m.kind == "video"]
            if not videos:
                raise ImpossibleRequestError("There is no video in this session yet.", hint="Upload a video first.")
            analyses = await self._await_analyses(videos, scaled(progress, 0.0, 0.9))
        progress(0.9, "Choosing moments")

        def analyses_for(items: list[MediaItem]) -> list[Analysis]:
            return [analyses[item.id] for item in items]

        after, plan_notes = await anyio.to_thread.run_sync(
            lambda: apply_edit(before, request, media=media, analyses_for=analyses_for, music=music, logo=logo)
        )
        notes = plan_notes + notes
        if after.fingerprint() != before.fingerprint():
            self.store.push_draft(session_id, after, note=instruction or describe_edit(request), after_version=head)
        else:
            notes.append("Nothing changed: the timeline already looks like that.")
        progress(1.0, "Edit applied")
        return self._edit_result(session_id, before, after, notes)

    def _edit_result(self, sid: str, before: Draft, after: Draft, notes: list[str]) -> EditResult:
        found = diff_drafts(before, after)
        changes = [change.line for change in found]
        message = " ".join([describe_changes(found) if found else "", *notes]).strip() or "No change."
        return EditResult(
            session_id=sid,
            changes=changes,
            before=summarize(before),
            after=summarize(after),
            message=message,
            draft=after.dump(),
        )

    async def _resolve(self, ref: str | None, kind: MediaKind, media: list[MediaItem]) -> tuple[Path, str] | None:
        """A music or logo file: the id or name of one uploaded to the session, or a path; checked by probing."""
        if not ref:
            return None
        known = next((m for m in media if ref in (m.id, m.name) and m.kind == kind), None)
        if known is not None and known.path:
            return Path(known.path), known.name
        what = {"audio": "music file", "image": "logo image"}[kind]
        try:
            path = await anyio.to_thread.run_sync(intake.local_file, ref, self.settings.max_bytes, self._policy)
        except MediaNotFoundError as exc:
            names = [m.name for m in media if m.kind == kind]
            raise MediaNotFoundError(
                f"No {what} {ref!r} in this session or on disk.",
                hint=f"Uploaded: {', '.join(names)}." if names else f"Give the {what}'s full path.",
            ) from exc
        if intake.kind_of(path) != kind:
            raise UnsupportedMediaError(f"{path.name} is not a {what}.", hint=f"Supported formats: {intake.SUPPORTED}.")
        check = probe_audio if kind == "audio" else probe_image
        await anyio.to_thread.run_sync(lambda: check(path, limits=self.settings.media_limits()))
        return path, path.name

    # state ----------------------------------------------------------------------------------
    async def state(self, session_id: str) -> SessionState:
        draft, _ = self.store.draft(session_id)
        first, head, _last = self.store.history_bounds(session_id)
        media = self.store.media(session_id)
        for item in media:
            item.analysed = item.analysed or self.analysis_for(item.id) is not None
        return SessionState(
            session_id=session_id,
            backend="local",
            summary=summarize(draft),
            draft=draft.dump(),
            media=media,
            jobs=self.store.jobs(session_id),
            can_undo=head > first,
        )

    async def list_sessions(self) -> list[SessionState]:
        return [await self.state(sid) for sid in self.store.session_ids()]

    async def credits(self) -> Credits:
        return Credits(
            available=None,
            frozen=None,
            total=None,
            metered=False,
            message="Local work is not metered: analysis and rendering run on this computer, free and unlimited.",
        )

    def credits_needed(self, steps: Sequence[str]) -> int:
        return 0  # nothing is metered here

    # export ---------------------------------------------------------------------------------
    async def export(
        self,
        session_id: str,
        *,
        progress: ProgressFn = no_progress,
        output: Path | None = None,
        request: ExportRequest | None = None,
    ) -> ExportResult:
        request = request or ExportRequest()
        draft, _ = self.store.draft(session_id)
        # one render per draft: a second export of the same draft waits, then reuses the first one's file
        async with self._export_locks[(session_id, draft.fingerprint())]:
            return await self._export(session_id, draft, progress, output, request)

    def _render_job(
        self, session_id: str, draft: Draft, output: Path | None, request: ExportRequest
    ) -> tuple[RenderJob, ExportResult | None]:
        """The export as a job (a frozen copy of the draft, its target, its videos); with it the finished
        result when a plain export of this unchanged draft already made a reel that is still there."""
        fingerprint = draft.fingerprint()
        if not request.is_empty():
            # an export with options (another first shape, a pack) is its own job and file: a plain export of
            # the same draft must never be handed its reel
            fingerprint += "-" + hashlib.sha1(request.model_dump_json().encode()).hexdigest()[:8]
        target = output or self.settings.renders_dir / f"reel-{session_id[-8:]}-{fingerprint}.mp4"
        draft_to_spec(draft, target)  # an impossible draft is refused here, before anything is queued
        used = {seg.m.src for track in draft.tracks_of(TrackType.VIDEO) for seg in track.sg}
        videos = [m for m in self.store.media(session_id) if m.id in used and m.kind == "video"]
        job = RenderJob(
            session_id=session_id, fingerprint=fingerprint, draft=draft.dump(), request=request, target=str(target),
            videos=videos,
        )
        previous = self.store.completed_job(session_id, fingerprint)
        if previous is not None and output is None and request.is_empty():
            result = ExportResult.model_validate_json(previous[1])
            if Path(result.path).is_file() and Path(result.path).stat().st_size == result.size_bytes:
                return job, result.model_copy(update={"reused": True})
        return job, None

    async def _export(
        self, session_id: str, draft: Draft, progress: ProgressFn, output: Path | None, request: ExportRequest
    ) -> ExportResult:
        job, reused = self._render_job(session_id, draft, output, request)
        if reused is not None:
            progress(1.0, "Unchanged since the last export")
            return reused
        if self._queue is not None:  # cluster: the workers' concurrency is the line
            return await self._queue.render(job, progress)
        async with self._renders.turn(progress):
            return await self._render_here(job, progress)

    async def _render_here(self, job: RenderJob, progress: ProgressFn) -> ExportResult:
        """Embedded: the render in this process, its job row kept for `state` and restarts."""
        analyses = await self._await_analyses(job.videos, scaled(progress, 0.0, 0.02)) if job.videos else {}
        job_id = self.store.create_job(job.session_id, job.fingerprint)
        try:
            result = await run_cancellable(lambda p: run_export(job, job_id, analyses, p), scaled(progress, 0.02, 1.0))
        except BaseException as exc:
            cancelled = isinstance(exc, anyio.get_cancelled_exc_class() | OperationCancelledError)
            self.store.finish_job(job_id, "cancelled" if cancelled else "failed", error=public_text(exc)[:500])
            raise
        self.store.finish_job(job_id, "completed", path=result.path, result=result.model_dump_json())
        return result

    # exports as tasks (cluster mode) --------------------------------------------------------
    @property
    def queues_exports(self) -> bool:
        return self._queue is not None

    async def start_export(self, session_id: str, request: ExportRequest) -> ExportJob:
        """Queue the export and return its job at once (an MCP task); any replica reports on it by id."""
        queue = self._cluster()
        self.store.require_session(session_id)
        draft, _ = self.store.draft(session_id)
        job, reused = self._render_job(session_id, draft, None, request)
        job_id = reused.render_id if reused is not None else await anyio.to_thread.run_sync(queue.submit_render, job)
        return queue.export_job(job_id)

    async def export_job(self, job_id: str) -> ExportJob:
        return self._cluster().export_job(job_id)

    async def cancel_export(self, job_id: str) -> None:
        queue = self._cluster()
        queue.export_job(job_id)  # the caller's own, or as if absent
        await anyio.to_thread.run_sync(queue.cancel, job_id)

    def _cluster(self) -> QueuedJobs:
        if self._queue is None:
            raise ImpossibleRequestError("Exports are tasks in cluster mode only (MCP_HIGHLIGHT_DATABASE_URL).")
        return self._queue

    # previews -------------------------------------------------------------------------------
    async def contact_sheet(self, session_id: str) -> Path:
        draft, _ = self.store.draft(session_id)
        spec = draft_to_spec(draft, Path("unused.mp4"))
        out = self.settings.renders_dir / f"sheet-{session_id[-8:]}-{draft.fingerprint()}.png"
        if not out.exists():
            await anyio.to_thread.run_sync(lambda: preview.contact_sheet(spec.clips, out))
        return out
