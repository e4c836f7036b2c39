"""Cloud identity: tokens, client ids, attribution, and the token never leaking."""

from __future__ import annotations

import io
import logging
import socket
import stat
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog
from cloud_fake import REGISTERED_TOKEN, CloudFake, ProgressLog, cloud_fake, make_cloud_backend

import mcp_highlight
from mcp_highlight.backends.cloud import CloudBackend, CloudTiming
from mcp_highlight.backends.cloud.identity import detect_platform
from mcp_highlight.core.config import Settings
from mcp_highlight.core.errors import BackendUnavailableError, CloudAuthError, HighlightError, RateLimitedError
from mcp_highlight.core.logs import configure_logging

__all__ = ["cloud_fake"]
pytestmark = pytest.mark.anyio


async def test_every_request_carries_the_token_and_the_attribution_headers(
    cloud_fake: CloudFake, tmp_path: Path
) -> None:
    backend = make_cloud_backend(cloud_fake, tmp_path, skill_source="cursor")
    session_id = await backend.create_session()
    state = await backend.state(session_id)
    await backend.credits()
    await backend.aclose()
    assert state.claim_url and state.claim_url.startswith("https://web.example/workspace/claim?ct=clm_")
    claim = cloud_fake.calls("/api/auth/claim-token")[0].json
    assert claim == {"task_id": cloud_fake.sessions[session_id].task_id, "session_id": session_id}
    assert len(cloud_fake.requests) >= 4
    for record in cloud_fake.requests:
        assert record.headers["x-skill-source"] == "highlight-editor-hd"
        assert record.headers["x-skill-version"] == mcp_highlight.__version__
        assert record.headers["x-skill-platform"] == "cursor"
        if record.path != "/api/auth/anonymous-token":
            assert record.headers["authorization"].startswith("Bearer nmv_usr_")


async def test_the_anonymous_token_is_kept_private_and_reused_after_a_restart(
    cloud_fake: CloudFake, tmp_path: Path
) -> None:
    first = make_cloud_backend(cloud_fake, tmp_path)
    await first.credits()
    await first.aclose()
    token_file = tmp_path / "nemo_token"
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    client_id = (tmp_path / "nemo_client_id").read_text().strip()
    assert str(uuid.UUID(client_id)) == client_id  # the file holds only the UUID

    second = make_cloud_backend(cloud_fake, tmp_path)
    await second.credits()
    await second.aclose()
    token_calls = cloud_fake.calls("/api/auth/anonymous-token")
    assert len(token_calls) == 1, "a restart must not spend the 1-per-7-days allowance"
    assert token_calls[0].headers["x-client-id"] == client_id


async def test_an_expired_token_is_renewed_once_with_the_same_client_id(cloud_fake: CloudFake, tmp_path: Path) -> None:
    backend = make_cloud_backend(cloud_fake, tmp_path)
    session_id = await backend.create_session()
    cloud_fake.switches.expire_token_after = 0  # the next authenticated call answers 1001
    state = await backend.state(session_id)
    await backend.aclose()
    assert state.session_id == session_id
    token_calls = cloud_fake.calls("/api/auth/anonymous-token")
    assert len(token_calls) == 2
    assert token_calls[0].headers["x-client-id"] == token_calls[1].headers["x-client-id"]
    state_calls = cloud_fake.calls("/api/state/")
    assert state_calls[0].headers["authorization"] != state_calls[-1].headers["authorization"]


async def test_a_rate_limited_token_call_waits_and_retries_once(cloud_fake: CloudFake, tmp_path: Path) -> None:
    cloud_fake.switches.token_429 = 1
    backend = make_cloud_backend(cloud_fake, tmp_path)
    credits = await backend.credits()
    await backend.aclose()
    assert credits.available == 100
    assert len(cloud_fake.calls("/api/auth/anonymous-token")) == 2


async def test_any_rate_limited_call_waits_and_retries_once(cloud_fake: CloudFake, tmp_path: Path) -> None:
    backend = make_cloud_backend(cloud_fake, tmp_path)
    await backend.credits()
    cloud_fake.switches.rate_limit_calls = 1
    credits = await backend.credits()
    cloud_fake.switches.rate_limit_calls = 2
    with pytest.raises(RateLimitedError):
        await backend.credits()
    await backend.aclose()
    assert credits.available == 100
    assert len(cloud_fake.calls("/api/credits/")) == 1 + 2 + 2


async def test_a_token_call_still_rate_limited_after_the_retry_says_so(cloud_fake: CloudFake, tmp_path: Path) -> None:
    cloud_fake.switches.token_429 = 5
    backend = make_cloud_backend(cloud_fake, tmp_path)
    with pytest.raises(RateLimitedError) as err:
        await backend.credits()
    await backend.aclose()
    assert "NEMO_TOKEN" in str(err.value)
    assert len(cloud_fake.calls("/api/auth/anonymous-token")) == 2


async def test_a_refused_client_id_is_replaced_by_a_new_one(cloud_fake: CloudFake, tmp_path: Path) -> None:
    stale = str(uuid.uuid4())
    cloud_fake.switches.reject_client_ids = {stale}
    backend = make_cloud_backend(cloud_fake, tmp_path, client_id=stale)
    await backend.credits()
    await backend.aclose()
    calls = cloud_fake.calls("/api/auth/anonymous-token")
    assert [c.headers["x-client-id"] == stale for c in calls] == [True, False]
    assert (tmp_path / "nemo_client_id").read_text().strip() == calls[1].headers["x-client-id"]


async def test_nemo_token_is_used_as_is_and_a_refusal_is_not_papered_over(
    cloud_fake: CloudFake, tmp_path: Path
) -> None:
    backend = make_cloud_backend(cloud_fake, tmp_path, token=REGISTERED_TOKEN)
    await backend.credits()
    assert not cloud_fake.calls("/api/auth/anonymous-token")
    assert cloud_fake.requests[-1].headers["authorization"] == f"Bearer {REGISTERED_TOKEN}"
    cloud_fake.switches.expire_token_after = 0
    with pytest.raises(CloudAuthError) as err:
        await backend.credits()
    await backend.aclose()
    assert "NEMO_TOKEN" in str(err.value)
    assert REGISTERED_TOKEN not in str(err.value)
    assert not cloud_fake.calls("/api/auth/anonymous-token")


def test_the_platform_tag_comes_from_skill_source_then_the_install_path(tmp_path: Path) -> None:
    base = Settings(home=tmp_path)
    assert detect_platform(base.model_copy(update={"skill_source": "clawhub"})) == "clawhub"
    assert detect_platform(base, Path.home() / ".clawhub" / "skills" / "x" / "pkg.py") == "clawhub"
    assert detect_platform(base, Path.home() / ".cursor" / "skills" / "x" / "pkg.py") == "cursor"
    assert detect_platform(base, tmp_path / "site-packages" / "pkg.py") == "unknown"


async def test_a_closed_port_fails_fast_naming_nemo_api_url(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = Settings(home=tmp_path, nemo_api_url=f"http://127.0.0.1:{port}", nemo_token=REGISTERED_TOKEN)
    backend = CloudBackend(settings, timing=CloudTiming(connect_timeout_s=1))
    with pytest.raises(BackendUnavailableError) as err:
        await backend.credits()
    await backend.aclose()
    assert "NEMO_API_URL" in str(err.value)


async def test_a_server_that_never_answers_becomes_unavailable_not_a_hang(tmp_path: Path) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)  # accepts the connection, never answers
        port = listener.getsockname()[1]
        settings = Settings(home=tmp_path, nemo_api_url=f"http://127.0.0.1:{port}", nemo_token=REGISTERED_TOKEN)
        backend = CloudBackend(settings, timing=CloudTiming(connect_timeout_s=0.5, read_timeout_s=0.3))
        with pytest.raises(BackendUnavailableError) as err:
            await backend.credits()
        await backend.aclose()
    assert f"127.0.0.1:{port}" in str(err.value) and "NEMO_API_URL" in str(err.value)


@pytest.fixture
def captured_logging() -> Iterator[io.StringIO]:
    """structlog and stdlib logging (httpx included) written to a buffer standing in for stderr."""
    buffer = io.StringIO()
    root = logging.getLogger()
    saved = root.handlers[:], root.level, logging.getLogger("httpx").level
    configure_logging("debug", json=True, stream=buffer)
    logging.getLogger("httpx").setLevel(logging.DEBUG)
    yield buffer
    structlog.reset_defaults()
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])
    logging.getLogger("httpx").setLevel(saved[2])


async def test_the_token_never_reaches_a_log_line_a_url_a_result_or_an_error(
    cloud_fake: CloudFake, tmp_path: Path, captured_logging: io.StringIO
) -> None:
    clip = tmp_path / "game.mp4"
    clip.write_bytes(b"\0" * 4096)
    backend = make_cloud_backend(cloud_fake, tmp_path / "home")
    results: list[str] = []
    progress = ProgressLog()
    upload = await backend.upload(str(clip), session_id=None, progress=progress)
    results.append(upload.model_dump_json())
    cloud_fake.switches.expire_token_after = 1  # a re-auth in the middle of the flow
    results.append(
        (await backend.edit(upload.session_id, "add the title 'Derby Day'", None, progress=progress)).model_dump_json()
    )
    results.append((await backend.state(upload.session_id)).model_dump_json())
    results.append((await backend.credits()).model_dump_json())
    results.append((await backend.export(upload.session_id, progress=progress)).model_dump_json())
    cloud_fake.switches.unknown_sessions.add(upload.session_id)
    for failing in (backend.state(upload.session_id), backend.export(upload.session_id, progress=progress)):
        with pytest.raises(HighlightError) as err:
            await failing
        results.append(str(err.value) + repr(err.value))
    cloud_fake.switches.credits_available = 0
    other = await backend.create_session()
    with pytest.raises(HighlightError) as err:
        await backend.edit(other, "make it shorter", None, progress=progress)
    results.append(str(err.value))
    await backend.aclose()

    tokens = list(cloud_fake.tokens)
    assert len(tokens) == 2
    logs = captured_logging.getvalue()
    assert "cloud.request" in logs and "HTTP Request" in logs, "the flow was logged"
    everything = "\n".join([logs, *results, *progress.messages])
    for token in tokens:
        assert token not in everything
        assert token.removeprefix("nmv_usr_") not in everything
    for record in cloud_fake.requests:
        for token in tokens:
            assert token not in record.url
            assert all(token not in value for value in record.query.values())
