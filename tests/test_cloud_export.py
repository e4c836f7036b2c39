"""Cloud export: submit, poll, resumable download, and a render job that survives a restart."""

from __future__ import annotations

from pathlib import Path

import av
import pytest
from cloud_fake import CloudFake, ProgressLog, cloud_fake, make_cloud_backend, sample_render_bytes

from mcp_highlight.backends.cloud import CloudTiming
from mcp_highlight.backends.cloud.registry import JobRegistry
from mcp_highlight.core.config import Settings
from mcp_highlight.core.errors import BackendError, NothingToExportError, PlanRequiredError, UnknownSessionError

__all__ = ["cloud_fake"]
pytestmark = pytest.mark.anyio

DRAFT = {"t": [{"tt": 0, "m": {"name": "game"}, "sg": [{"d": 2000, "m": {}, "xk": 1}]}]}


async def test_export_renders_downloads_and_probes_the_video(cloud_fake: CloudFake, tmp_path: Path) -> None:
    backend = make_cloud_backend(cloud_fake, tmp_path)
    session_id = await backend.create_session()
    cloud_fake.sessions[session_id].draft = DRAFT
    progress = ProgressLog()
    result = await backend.export(session_id, progress=progress)
    await backend.aclose()
    submit = cloud_fake.calls("/api/render/proxy/lambda", "POST")[0].json
    assert set(submit) == {"id", "sessionId", "draft", "output"}
    assert submit["sessionId"] == session_id and submit["id"].startswith("render_")
    assert submit["output"] == {"format": "mp4", "quality": "high"}
    assert submit["draft"]["t"][0]["sg"][0]["xk"] == 1, "unknown draft keys survive the round trip"
    path = Path(result.path)
    assert path.read_bytes() == sample_render_bytes() and path.parent == tmp_path / "renders"
    assert result.uri == path.resolve().as_uri()
    assert (result.width, result.height, round(result.duration_s)) == (320, 180, 2)
    assert result.render_id == submit["id"] and not result.reused
    assert result.claim_url and result.claim_url.startswith("https://web.example/workspace/claim?ct=clm_")
    with av.open(result.path) as container:
        assert container.streams.video[0].codec_context.name == "h264"
    assert any("Rendering on NemoVideo" in m for m in progress.messages)
    assert not list(path.parent.glob(".*.part")), "no temp file left behind"


async def test_an_empty_timeline_is_refused_before_any_render(cloud_fake: CloudFake, tmp_path: Path) -> None:
    backend = make_cloud_backend(cloud_fake, tmp_path)
    session_id = await backend.create_session()
    cloud_fake.sessions[session_id].draft = {"t": [{"tt": 0, "sg": []}]}
    with pytest.raises(NothingToExportError):
        await backend.export(session_id, progress=ProgressLog())
    await backend.aclose()
    assert not cloud_fake.calls("/api/render/")


async def test_a_failed_submit_is_retried_once_with_a_new_id(cloud_fake: CloudFake, tmp_path: Path) -> None:
    cloud_fake.switches.render_submit_failures = 1
    backend = make_cloud_backend(cloud_fake, tmp_path)
    session_id = await backend.create_session()
    cloud_fake.sessions[session_id].draft = DRAFT
    result = await backend.export(session_id, progress=ProgressLog())
    await backend.aclose()
    ids = [r.json["id"] for r in cloud_fake.calls("/api/render/proxy/lambda", "POST")]
    assert len(ids) == 2 and ids[0] != ids[1]
    assert result.render_id == ids[1]


async def test_two_failed_submits_give_up(cloud_fake: CloudFake, tmp_path: Path) -> None:
    cloud_fake.switches.render_submit_failures = 2
    backend = make_cloud_backend(cloud_fake, tmp_path)
    session_id = await backend.create_session()
    cloud_fake.sessions[session_id].draft = DRAFT
    with pytest.raises(BackendError):
        await backend.export(session_id, progress=ProgressLog())
    await backend.aclose()
    assert len(cloud_fake.calls("/api/render/proxy/lambda", "POST")) == 2


async def test_402_means_register_or_upgrade_not_credits(cloud_fake: CloudFake, tmp_path: Path) -> None:
    cloud_fake.switches.export_402 = True
    backend = make_cloud_backend(cloud_fake, tmp_path)
    session_id = await backend.create_session()
    cloud_fake.sessions[session_id].draft = DRAFT
    with pytest.raises(PlanRequiredError) as err:
        await backend.export(session_id, progress=ProgressLog())
    await backend.aclose()
    assert "Register or upgrade your plan to unlock export." in str(err.value)
    assert "not a credits problem" in str(err.value)
    assert len(cloud_fake.calls("/api/render/proxy/lambda", "POST")) == 1


async def test_a_failed_render_is_reported(cloud_fake: CloudFake, tmp_path: Path) -> None:
    cloud_fake.switches.render_fails = True
    backend = make_cloud_backend(cloud_fake, tmp_path)
    session_id = await backend.create_session()
    cloud_fake.sessions[session_id].draft = DRAFT
    with pytest.raises(BackendError) as err:
        await backend.export(session_id, progress=ProgressLog())
    await backend.aclose()
    assert "lambda crashed" in str(err.value)
    assert [j.status for j in JobRegistry(Settings(home=tmp_path).database).jobs(session_id)] == ["failed"]


async def test_a_broken_download_resumes_with_range(cloud_fake: CloudFake, tmp_path: Path) -> None:
    cloud_fake.switches.download_cut_after_bytes = 50_000
    backend = make_cloud_backend(cloud_fake, tmp_path)
    session_id = await backend.create_session()
    cloud_fake.sessions[session_id].draft = DRAFT
    result = await backend.export(session_id, progress=ProgressLog())
    await backend.aclose()
    downloads = cloud_fake.calls("/files/")
    assert [d.headers.get("range") for d in downloads] == [None, "bytes=50000-"]
    assert Path(result.path).read_bytes() == sample_render_bytes()


async def test_the_token_is_not_sent_to_a_storage_url_on_another_origin(cloud_fake: CloudFake, tmp_path: Path) -> None:
    cloud_fake.switches.storage_host = "localhost"
    backend = make_cloud_backend(cloud_fake, tmp_path)
    session_id = await backend.create_session()
    cloud_fake.sessions[session_id].draft = DRAFT
    result = await backend.export(session_id, progress=ProgressLog())
    await backend.aclose()
    download = cloud_fake.calls("/files/")[0]
    assert download.url.startswith("http://localhost:")
    assert "authorization" not in download.headers
    assert Path(result.path).read_bytes() == sample_render_bytes()


async def test_a_dead_output_url_falls_back_to_the_proxy_download(cloud_fake: CloudFake, tmp_path: Path) -> None:
    cloud_fake.switches.output_url_broken = True
    cloud_fake.switches.render_status_enveloped = True
    backend = make_cloud_backend(cloud_fake, tmp_path)
    session_id = await backend.create_session()
    cloud_fake.sessions[session_id].draft = DRAFT
    result = await backend.export(session_id, progress=ProgressLog())
    await backend.aclose()
    proxy = cloud_fake.calls("/api/render/proxy/render_")
    assert proxy and proxy[0].path == f"/api/render/proxy/{result.render_id}/download"
    assert Path(result.path).read_bytes() == sample_render_bytes()


async def test_a_restarted_server_resumes_the_pending_render_instead_of_submitting_again(
    cloud_fake: CloudFake, tmp_path: Path
) -> None:
    cloud_fake.switches.render_polls_before_done = 100
    impatient = CloudTiming(render_poll_interval_s=0.01, render_max_polls=2, tick_s=0.01, rate_limit_wait_s=0)
    first = make_cloud_backend(cloud_fake, tmp_path, timing=impatient)
    session_id = await first.create_session()
    cloud_fake.sessions[session_id].draft = DRAFT
    with pytest.raises(BackendError) as err:
        await first.export(session_id, progress=ProgressLog())
    await first.aclose()
    render_id = cloud_fake.calls("/api/render/proxy/lambda", "POST")[0].json["id"]
    assert render_id in str(err.value) and "resumes" in str(err.value)
    assert [j.render_id for j in JobRegistry(Settings(home=tmp_path).database).jobs(session_id)] == [render_id]

    cloud_fake.switches.render_polls_before_done = 0
    second = make_cloud_backend(cloud_fake, tmp_path)  # a new process: only the registry remembers
    state = await second.state(session_id)
    assert [(j.id, j.status) for j in state.jobs] == [(render_id, "running")]
    result = await second.export(session_id, progress=ProgressLog())
    again = await second.export(session_id, progress=ProgressLog())
    await second.aclose()
    assert len(cloud_fake.calls("/api/render/proxy/lambda", "POST")) == 1
    assert result.render_id == render_id and not result.reused
    assert again.reused and again.path == result.path, "an unchanged draft reuses the downloaded file"


async def test_export_of_a_gone_session_says_so(cloud_fake: CloudFake, tmp_path: Path) -> None:
    backend = make_cloud_backend(cloud_fake, tmp_path)
    with pytest.raises(UnknownSessionError) as err:
        await backend.export("sess_missing", progress=ProgressLog())
    await backend.aclose()
    assert "sess_missing is gone" in str(err.value)


async def test_list_sessions_shows_what_this_client_created(cloud_fake: CloudFake, tmp_path: Path) -> None:
    backend = make_cloud_backend(cloud_fake, tmp_path)
    kept = await backend.create_session()
    gone = await backend.create_session()
    cloud_fake.sessions[kept].draft = DRAFT
    cloud_fake.switches.unknown_sessions.add(gone)
    foreign = cloud_fake.add_session(DRAFT)
    sessions = await backend.list_sessions()
    await backend.aclose()
    assert [s.session_id for s in sessions] == [kept]
    assert sessions[0].summary == "Timeline (1 track): 1. Video: game (0-2s)"
    assert foreign.session_id not in [s.session_id for s in sessions]
