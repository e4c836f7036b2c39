"""Issue 16, rows 10 and 11: every file an export writes is checked against every input, and every output
option is checked, before anything runs. Through the CLI, as the rows were found.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from footage.samples import synth_clip
from mcp_harness import MEDIA_CACHE
from PIL import Image

from mcp_highlight.core.errors import BadInputError
from mcp_highlight.engine.deliver.outputs import check_outputs, plan_outputs
from mcp_highlight.engine.media.ffmpeg import ffmpeg_exe


@pytest.fixture(scope="module")
def clip() -> Path:
    path = MEDIA_CACHE / "outputs-clip-320x180-12s.mp4"
    if not path.exists():
        synth_clip(path, duration_s=12, width=320, height=180)
    return path


@pytest.fixture
def folder(tmp_path: Path, clip: Path) -> Path:
    """small.mp4, brand.jpg and song.m4a side by side, as a user keeps them."""
    (tmp_path / "small.mp4").write_bytes(clip.read_bytes())
    Image.new("RGB", (200, 100), (200, 30, 30)).save(tmp_path / "brand.jpg")
    tone = ["-f", "lavfi", "-i", "sine=frequency=440:duration=8", "-c:a", "aac", str(tmp_path / "song.m4a")]
    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", *tone], check=True, timeout=60)
    return tmp_path


def reel(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MCP_HIGHLIGHT_HOME": str(folder / "home")}
    command = [sys.executable, "-m", "mcp_highlight", "reel", "small.mp4", "--duration", "6s", "-q", *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=folder, timeout=300)


def digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir() if p.is_file()}


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--logo", "brand.jpg", "-o", "brand.mp4"], "overwrite the input brand.jpg (as the cover picture)"),
        (["--music", "song.m4a", "-o", "song.m4a"], "overwrite the input song.m4a (as the reel)"),
        (["-o", "small.mp4"], "overwrite the input small.mp4"),
        (["-o", "out.mp4", "--timeline", "t.edl", "--timeline", "t.edl"], "two of the export's files"),
        (["-o", "out.mp4", "--timeline", "x.txt"], "Cannot write a timeline as .txt"),
        (["-o", "out.mp4", "--clips", "brand.jpg"], "is a file"),
        (["-o", "x.mp4", "--timeline", "small.mp4"], "Cannot write a timeline as .mp4"),
    ],
)
def test_an_output_that_would_replace_an_input_or_cannot_be_written_is_refused_first(
    folder: Path, args: list[str], needle: str | None
) -> None:
    before = digests(folder)
    done = reel(folder, *args)
    if needle is None:  # a fine name next to the inputs: works, and leaves them as they were
        assert done.returncode == 0, done.stderr
        assert {k: v for k, v in digests(folder).items() if k in before} == before
        return
    assert done.returncode == 2, done.stderr
    assert needle.lower() in done.stderr.lower(), done.stderr
    assert digests(folder) == before  # nothing written, nothing replaced
    assert not (folder / "home" / "cache").exists() or not any((folder / "home" / "cache").iterdir())


def test_the_check_covers_every_file_of_the_export(tmp_path: Path) -> None:
    planned = plan_outputs(
        tmp_path / "reel.mp4",
        other_shapes=["9:16"],
        clips=True,
        timeline_formats=["fcpxml"],
        timeline_paths=[tmp_path / "cut.edl"],
    )
    names = {p.name for p in planned.files()}
    assert names == {"reel.mp4", "reel-9x16.mp4", "reel.chapters.txt", "reel.jpg", "reel.fcpxml", "cut.edl"}
    for name in names:
        with pytest.raises(BadInputError, match="overwrite the input"):
            check_outputs(planned, [tmp_path / name])
    (tmp_path / "reel-clips").mkdir()
    (tmp_path / "reel-clips" / "01-game-00m10s.mp4").write_bytes(b"x")
    with pytest.raises(BadInputError, match="clip pack could overwrite"):
        check_outputs(planned, [tmp_path / "reel-clips" / "01-game-00m10s.mp4"])
    linked = tmp_path / "linked.mp4"
    (tmp_path / "reel.mp4").write_bytes(b"old reel")
    os.link(tmp_path / "reel.mp4", linked)
    with pytest.raises(BadInputError, match=r"overwrite the input linked\.mp4"):
        check_outputs(planned, [linked])
