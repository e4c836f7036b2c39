"""Cloud uploads: streamed multipart under `files`, URLs as JSON, refusals before anything is sent."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest
from cloud_fake import CloudFake, ProgressLog, cloud_fake, make_cloud_backend

from mcp_highlight.core.errors import (
    MediaNotFoundError,
    MediaTooLargeError,
    OperationCancelledError,
    UnsupportedMediaError,
)

__all__ = ["cloud_fake"]
pytestmark = pytest.mark.anyio


async def test_a_local_file_goes_up_as_multipart_field_files(cloud_fake: CloudFake, tmp_path: Path) -> None:
    clip = tmp_path / "derby game.mp4"
    clip.write_bytes(b"\x01" * 300_000)
    backend = make_cloud_backend(cloud_fake, tmp_path / "home")
    progress = ProgressLog()
    result = await backend.upload(str(clip), session_id=None, progress=progress)
    await backend.aclose()
    record = cloud_fake.calls("/api/upload-video/")[0]
    assert record.path == f"/api/upload-video/nemo_agent/me/{result.session_id}"
    assert record.multipart_field == "files"
    assert record.multipart_filename == "derby game.mp4"
    assert record.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert int(record.headers["content-length"]) == record.body_size > 300_000
    assert result.media.id == "vid_2" and result.media.kind == "video" and result.media.size_bytes == 300_000
    fractions = [f for f, m in progress.calls if m.startswith("Uploading")]
    assert fractions == sorted(fractions) and len(fractions) >= 2


async def test_a_large_file_is_streamed_not_read_into_memory(cloud_fake: CloudFake, tmp_path: Path) -> None:
    size = 300 * 1024 * 1024
    big = tmp_path / "long_game.mp4"
    with big.open("wb") as handle:
        handle.truncate(size)  # sparse: costs no disk
    backend = make_cloud_backend(cloud_fake, tmp_path / "home")
    session_id = await backend.create_session()
    tracemalloc.start()
    try:
        await backend.upload(str(big), session_id=session_id, progress=ProgressLog())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    await backend.aclose()
    record = cloud_fake.calls("/api/upload-video/")[0]
    assert record.body_size > size, "the whole file arrived"
    assert peak < 40 * 1024 * 1024, f"peak {peak / 1e6:.0f} MB while sending a {size / 1e6:.0f} MB file"


async def test_a_url_goes_up_as_json(cloud_fake: CloudFake, tmp_path: Path) -> None:
    backend = make_cloud_backend(cloud_fake, tmp_path / "home")
    session_id = await backend.create_session()
    url = "https://cdn.example/matches/final.mp4"
    result = await backend.upload(url, session_id=session_id, progress=ProgressLog())
    await backend.aclose()
    assert cloud_fake.calls("/api/upload-video/")[0].json == {"urls": [url], "source_type": "url"}
    assert result.media.name == "final.mp4"


@pytest.mark.parametrize("name", ["notes.txt", "clip.flv", "noextension"])
async def test_unsupported_formats_are_refused_before_sending(cloud_fake: CloudFake, tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"x")
    backend = make_cloud_backend(cloud_fake, tmp_path / "home")
    with pytest.raises(UnsupportedMediaError) as err:
        await backend.upload(str(path), session_id=None, progress=ProgressLog())
    await backend.aclose()
    assert "mp4, mov, avi, webm, mkv" in str(err.value)
    assert cloud_fake.requests == []


async def test_files_over_the_limit_are_refused_before_sending_with_trim_advice(
    cloud_fake: CloudFake, tmp_path: Path
) -> None:
    path = tmp_path / "huge.mov"
    with path.open("wb") as handle:
        handle.truncate(2 * 1024 * 1024)
    backend = make_cloud_backend(cloud_fake, tmp_path / "home", max_bytes=1024 * 1024)
    with pytest.raises(MediaTooLargeError) as err:
        await backend.upload(str(path), session_id=None, progress=ProgressLog())
    await backend.aclose()
    assert "trim" in str(err.value)
    assert cloud_fake.requests == []


async def test_a_missing_file_is_named(cloud_fake: CloudFake, tmp_path: Path) -> None:
    backend = make_cloud_backend(cloud_fake, tmp_path / "home")
    with pytest.raises(MediaNotFoundError) as err:
        await backend.upload(str(tmp_path / "nope.mp4"), session_id=None, progress=ProgressLog())
    await backend.aclose()
    assert "nope.mp4" in str(err.value)


@pytest.mark.parametrize(
    ("code", "error", "words"), [(4001, UnsupportedMediaError, "mp4"), (4002, MediaTooLargeError, "trim")]
)
async def test_the_apis_refusals_become_clear_errors(
    cloud_fake: CloudFake, tmp_path: Path, code: int, error: type[Exception], words: str
) -> None:
    clip = tmp_path / "game.mp4"
    clip.write_bytes(b"\0" * 100)
    cloud_fake.switches.upload_error_code = code
    backend = make_cloud_backend(cloud_fake, tmp_path / "home")
    with pytest.raises(error) as err:
        await backend.upload(str(clip), session_id=None, progress=ProgressLog())
    await backend.aclose()
    assert words in str(err.value)


async def test_an_upload_into_a_gone_session_lands_in_a_new_one(cloud_fake: CloudFake, tmp_path: Path) -> None:
    clip = tmp_path / "game.mp4"
    clip.write_bytes(b"\0" * 100)
    backend = make_cloud_backend(cloud_fake, tmp_path / "home")
    result = await backend.upload(str(clip), session_id="sess_old", progress=ProgressLog())
    await backend.aclose()
    assert result.session_id != "sess_old" and result.session_id in cloud_fake.sessions
    assert "sess_old was gone" in result.message
    assert cloud_fake.sessions[result.session_id].video_infos[0]["name"] == "game.mp4"


async def test_the_caller_can_cancel_an_upload_through_progress(cloud_fake: CloudFake, tmp_path: Path) -> None:
    clip = tmp_path / "game.mp4"
    with clip.open("wb") as handle:
        handle.truncate(8 * 1024 * 1024)
    backend = make_cloud_backend(cloud_fake, tmp_path / "home")
    session_id = await backend.create_session()
    with pytest.raises(OperationCancelledError):
        await backend.upload(str(clip), session_id=session_id, progress=ProgressLog(cancel_after=3))
    assert not cloud_fake.sessions[session_id].video_infos, "the cut-off upload did not land"
    await backend.aclose()


async def test_the_state_lists_uploaded_media(cloud_fake: CloudFake, tmp_path: Path) -> None:
    clip = tmp_path / "game.mp4"
    clip.write_bytes(b"\0" * 100)
    backend = make_cloud_backend(cloud_fake, tmp_path / "home")
    upload = await backend.upload(str(clip), session_id=None, progress=ProgressLog())
    state = await backend.state(upload.session_id)
    await backend.aclose()
    assert state.backend == "cloud"
    assert [(m.id, m.name, m.kind, m.width, m.duration_s) for m in state.media] == [
        (upload.media.id, "game.mp4", "video", 1920, 10.0)
    ]
    assert state.summary == "Timeline (0 tracks): empty", "uploading adds media, not clips"
