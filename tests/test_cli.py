"""The `mcp-highlight` command as a user runs it: exit codes, messages, the JSON report, previews."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import anyio
import av
import pytest
from cloud_fake import FAST_TIMING, CloudFake, cloud_fake
from footage.samples import synth_clip
from mcp_harness import MEDIA_CACHE

from mcp_highlight.backends.cloud import backend as cloud_backend
from mcp_highlight.core.config import Settings
from mcp_highlight.fronts import cli

__all__ = ["cloud_fake"]


@pytest.fixture(scope="module")
def clip() -> Path:
    path = MEDIA_CACHE / "cli-clip-640x360-30s.mp4"
    if not path.exists():
        synth_clip(path, duration_s=30, width=640, height=360)
    return path


def run(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MCP_HIGHLIGHT_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "mcp_highlight", *args], capture_output=True, text=True, env=env, timeout=600
    )


def test_reel_writes_the_mp4_and_a_json_report_with_previews(tmp_path: Path, clip: Path) -> None:
    out = tmp_path / "reel.mp4"
    done = run("reel", str(clip), "--duration", "8s", "--preview", "--json", "-o", str(out), home=tmp_path / "h")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["output"] == str(out) and out.is_file()
    assert abs(report["duration_s"] - 8) <= 0.8
    assert report["moments"] and all(m["duration_s"] > 0 and m["why"] for m in report["moments"])
    assert Path(report["contact_sheet"]).is_file() and Path(report["curves"]["cli-clip-640x360-30s.mp4"]).is_file()
    with av.open(str(out)) as container:
        video = container.streams.video[0]
        assert (video.codec_context.width, video.codec_context.height) == (1920, 1080)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["reel", "{missing}"], "No file at"),
        (["reel", "{text}"], "looks like a text file"),
        (["reel", "{clip}", "--duration", "soon"], "Cannot read 'soon' as a duration"),
        (["reel", "{clip}", "--music", "{missing}"], "No music file"),
    ],
)
def test_bad_input_exits_2_with_a_message_naming_it(tmp_path: Path, clip: Path, args: list[str], needle: str) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    values = {"missing": str(tmp_path / "missing.mp4"), "text": str(text), "clip": str(clip)}
    out = tmp_path / "out.mp4"
    done = run(*[a.format(**values) for a in args], "-o", str(out), home=tmp_path / "h")
    assert done.returncode == 2, done.stderr
    assert needle in done.stderr
    assert "Traceback" not in done.stderr
    assert not out.exists()


def test_analyse_prints_the_top_moments(tmp_path: Path, clip: Path) -> None:
    done = run("analyse", str(clip), home=tmp_path / "h")
    assert done.returncode == 0, done.stderr
    assert "Top moments" in done.stdout
    as_json = run("analyse", str(clip), "--json", home=tmp_path / "h")
    data = json.loads(as_json.stdout)
    assert data["cached"] is True and len(data["score"]) == pytest.approx(30 / data["window_s"], abs=2)
    assert isinstance(data["moments"], list) and all(m["why"] and "score" in m for m in data["moments"])


def test_doctor_checks_the_toolchain(tmp_path: Path) -> None:
    done = run("doctor", home=tmp_path / "h")
    assert done.returncode == 0, done.stdout
    for name in ("Encoder", "Decoder", "libx264", "Data folder", "Output folder", "Free space", "Backend"):
        assert name in done.stdout


def test_a_bad_setting_is_named_and_exits_2(tmp_path: Path) -> None:
    env = {**os.environ, "MCP_HIGHLIGHT_HOME": str(tmp_path), "MCP_HIGHLIGHT_BACKEND": "gpu"}
    done = subprocess.run([sys.executable, "-m", "mcp_highlight", "doctor"], capture_output=True, text=True, env=env)
    assert done.returncode == 2
    assert "MCP_HIGHLIGHT_BACKEND" in done.stderr and "Traceback" not in done.stderr


def test_reel_on_the_cloud_backend_goes_through_the_same_studio(
    tmp_path: Path,
    clip: Path,
    cloud_fake: CloudFake,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The same flags, routed by the studio to the hosted agent: words for the edit, its render downloaded to -o."""
    monkeypatch.setattr(cloud_backend, "CloudTiming", lambda: FAST_TIMING)  # the fake answers at once
    settings = Settings(
        home=tmp_path / "h", backend="cloud", nemo_api_url=cloud_fake.base_url, nemo_web_url="https://web.example"
    )
    out = tmp_path / "cloud.mp4"
    args = cli.build_parser().parse_args(
        ["reel", str(clip), "--duration", "8s", "--title", "Derby Day", "--json", "-q", "-o", str(out)]
    )
    report = anyio.run(cli._reel, args, settings)
    assert report["output"] == str(out) and out.stat().st_size > 0
    sent = [r.json for r in cloud_fake.requests if r.path == "/run_sse"]
    assert sent and "Derby Day" in json.dumps(sent) and "8s" in json.dumps(sent)


def test_an_endless_title_is_refused_without_being_echoed_back(tmp_path: Path, clip: Path) -> None:
    done = run("reel", str(clip), "--title", "x" * 10_000, "-o", str(tmp_path / "t.mp4"), home=tmp_path / "h")
    assert done.returncode == 2
    assert "--title" in done.stderr and "at most 120 characters" in done.stderr
    assert len(done.stderr) < 400
