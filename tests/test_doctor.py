"""The doctor: what works on this machine and what to do next, through the service, the CLI and a first get_state."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cloud_fake import FAST_TIMING, REGISTERED_TOKEN, CloudFake, cloud_fake
from mcp_harness import connect, text_of

from mcp_highlight.backends.local import LocalBackend
from mcp_highlight.core.config import Settings
from mcp_highlight.service.doctor import diagnose

pytestmark = pytest.mark.anyio
__all__ = ["cloud_fake"]  # the fixture


def by_name(report) -> dict:
    return {check.name: check for check in report.checks}


async def test_a_working_machine_passes_every_check_and_is_told_how_to_start(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", output_dir=tmp_path / "reels")
    report = await diagnose(settings, min_free_bytes=1)  # the threshold has its own test below
    checks = by_name(report)
    assert report.ok, report.text()
    assert list(checks) == ["Encoder", "Decoder", "Data folder", "Output folder", "Free space", "Backend", "HTTP token"]
    assert "libx264" in checks["Encoder"].detail and "h264" in checks["Decoder"].detail
    assert (tmp_path / "reels").is_dir() and not any((tmp_path / "reels").iterdir())  # the write probe cleaned up
    assert "GB free" in checks["Free space"].detail
    assert any("upload_video" in step for step in report.next_steps)
    assert any(str(tmp_path / "reels") in step for step in report.next_steps)
    assert "Cloud token" not in checks  # the local backend without a token asks no one


async def test_an_output_folder_that_cannot_be_written_fails_with_the_setting_to_change(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    settings = Settings(home=tmp_path / "home", output_dir=blocker / "reels")
    report = await diagnose(settings)
    check = by_name(report)["Output folder"]
    assert not report.ok and not check.ok
    assert str(blocker / "reels") in check.detail
    assert check.fix and "MCP_HIGHLIGHT_OUTPUT_DIR" in check.fix and "Claude Desktop" in check.fix
    assert report.next_steps == [f"Output folder: {check.fix}"]
    assert "FAIL Output folder" in report.text()


async def test_too_little_free_space_for_a_render_fails_and_says_how_much_there_is(tmp_path: Path) -> None:
    report = await diagnose(Settings(home=tmp_path / "home"), min_free_bytes=1 << 60)
    check = by_name(report)["Free space"]
    assert not report.ok and not check.ok
    assert "GB free" in check.detail and check.fix and "disk space" in check.fix


async def test_a_registered_cloud_token_that_works_shows_the_balance(cloud_fake: CloudFake, tmp_path: Path) -> None:
    cloud_fake.switches.credits_available = 42
    settings = Settings(
        home=tmp_path / "home", backend="cloud", nemo_api_url=cloud_fake.base_url, nemo_token=REGISTERED_TOKEN
    )
    report = await diagnose(settings, cloud_timing=FAST_TIMING)
    check = by_name(report)["Cloud token"]
    assert report.ok and check.ok, report.text()
    assert check.detail == "NEMO_TOKEN works, 42 credits available"
    assert REGISTERED_TOKEN not in report.model_dump_json()
    assert [r.path for r in cloud_fake.requests] == ["/api/credits/balance/simple"]


async def test_a_refused_cloud_token_fails_with_the_fix(cloud_fake: CloudFake, tmp_path: Path) -> None:
    settings = Settings(
        home=tmp_path / "home", backend="cloud", nemo_api_url=cloud_fake.base_url, nemo_token="nmv_usr_wrong"
    )
    report = await diagnose(settings, cloud_timing=FAST_TIMING)
    check = by_name(report)["Cloud token"]
    assert not report.ok and not check.ok
    assert "refused the token" in check.detail and check.fix and "NEMO_TOKEN" in check.fix
    assert "nmv_usr_wrong" not in report.text()


async def test_without_a_token_the_doctor_does_not_spend_the_weekly_anonymous_one(
    cloud_fake: CloudFake, tmp_path: Path
) -> None:
    settings = Settings(home=tmp_path / "home", backend="cloud", nemo_api_url=cloud_fake.base_url)
    report = await diagnose(settings, cloud_timing=FAST_TIMING)
    assert by_name(report)["Cloud token"].ok and report.ok
    assert cloud_fake.requests == []


async def test_a_token_set_with_the_local_backend_is_checked_and_the_switch_is_named(
    cloud_fake: CloudFake, tmp_path: Path
) -> None:
    settings = Settings(home=tmp_path / "home", nemo_api_url=cloud_fake.base_url, nemo_token=REGISTERED_TOKEN)
    report = await diagnose(settings, cloud_timing=FAST_TIMING)
    assert by_name(report)["Cloud token"].ok
    assert any("MCP_HIGHLIGHT_BACKEND=cloud" in step for step in report.next_steps)


def test_the_cli_doctor_prints_the_report_and_exits_1_when_something_fails(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    env = {**os.environ, "MCP_HIGHLIGHT_HOME": str(tmp_path / "h"), "MCP_HIGHLIGHT_OUTPUT_DIR": str(blocker)}
    done = subprocess.run(
        [sys.executable, "-m", "mcp_highlight", "doctor", "--json"], capture_output=True, text=True, env=env
    )
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    failed = [c["name"] for c in report["checks"] if not c["ok"]]
    assert failed == ["Output folder"] and report["ok"] is False


async def test_a_first_get_state_without_sessions_carries_the_doctor_guidance(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", output_dir=tmp_path / "reels")
    async with connect(LocalBackend(settings), settings) as client:
        result = await client.call_tool("get_state", {})
    text = text_of(result)
    assert not result.is_error  # every check passed: the setup report is a normal result (issue 18)
    assert result.structured_content["setup"]["ok"] is True
    assert "No sessions yet" in text and "upload_video" in text
    for name in ("Encoder", "Decoder", "Output folder", "Free space", "Backend"):
        assert name in text
    assert str(tmp_path / "reels") in text
