"""The cloud job registry: records survive restarts and concurrent writers, and old JSON files are imported."""

from __future__ import annotations

import json
import multiprocessing
import time
from pathlib import Path

from mcp_highlight.backends.cloud.models import RenderJob
from mcp_highlight.backends.cloud.registry import LEGACY_FILE, JobRegistry


def _save_many(database: str, writer: int, count: int) -> None:
    registry = JobRegistry(Path(database))
    for i in range(count):
        registry.save_job(
            RenderJob(render_id=f"r{writer}-{i}", session_id="s1", fingerprint=f"f{i}", created_at=time.time())
        )


def test_two_processes_writing_at_once_lose_no_render(tmp_path: Path) -> None:
    database = tmp_path / "state.sqlite3"
    JobRegistry(database)
    context = multiprocessing.get_context("spawn")
    writers = [context.Process(target=_save_many, args=(str(database), w, 40)) for w in range(2)]
    for process in writers:
        process.start()
    for process in writers:
        process.join(timeout=120)
        assert process.exitcode == 0
    jobs = JobRegistry(database).jobs("s1")
    assert sorted(j.render_id for j in jobs) == sorted(f"r{w}-{i}" for w in range(2) for i in range(40))


def test_a_registry_file_from_an_earlier_version_is_imported_once(tmp_path: Path) -> None:
    job = RenderJob(render_id="old", session_id="s9", fingerprint="abc", status="pending", created_at=1.0)
    legacy = tmp_path / LEGACY_FILE
    legacy.write_text(
        json.dumps(
            {
                "sessions": {"s9": {"session_id": "s9", "language": "zh", "created_at": 1.0}},
                "renders": {"old": json.loads(job.model_dump_json())},
            }
        )
    )
    registry = JobRegistry(tmp_path / "state.sqlite3")
    assert registry.pending_job("s9", "abc") == job
    assert registry.session("s9") is not None and registry.session("s9").language == "zh"
    assert not legacy.exists() and (tmp_path / f"{LEGACY_FILE}.imported").exists()
    registry.forget_session("s9")
    assert JobRegistry(tmp_path / "state.sqlite3").session("s9") is None  # not imported a second time
