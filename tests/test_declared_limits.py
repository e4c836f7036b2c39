"""Issue 16, rows 1 and 6: a file is judged by what it declares before any work trusts it.

A 1 kB MKV declaring a 1e8 s timeline, PNG pictures declaring 13000-20000 pixels a side (as video
frames in an MKV and as logos): each refused at upload, over stdio, with a message naming the limit
and its setting. The files are made here, small: a PNG of 1-bit zeros compresses to a few kB.
"""

from __future__ import annotations

import struct
import subprocess
import zlib
from pathlib import Path

import av
import numpy as np
import pytest
from footage.samples import synth_clip
from http_harness import stdio_client
from mcp_harness import MEDIA_CACHE, text_of

from mcp_highlight.core.config import Settings
from mcp_highlight.core.errors import MediaTooLargeError
from mcp_highlight.core.limits import MediaLimits
from mcp_highlight.engine.media.ffmpeg import ffmpeg_exe
from mcp_highlight.engine.media.probe import probe

pytestmark = pytest.mark.anyio


def png_bomb(path: Path, side: int) -> Path:
    """A valid 1-bit PNG of `side` x `side` zeros: a few kB that unpack to side² pixels."""
    row = bytes(1 + (side + 7) // 8)
    packer = zlib.compressobj(9)
    data = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b""))
    return path


def png_video(path: Path, picture: Path) -> Path:
    """An MKV whose video stream is `picture` as three PNG frames, copied as they are (never decoded)."""
    args = ["-v", "error", "-y", "-framerate", "1", "-loop", "1", "-t", "3", "-i", str(picture), "-c:v", "copy"]
    subprocess.run([ffmpeg_exe(), *args, str(path)], check=True, timeout=60)
    return path


def lying_mkv(path: Path, last_s: float = 1e8) -> Path:
    """Three 16x16 frames, the last stamped at `last_s`: under 1 kB declaring a 1e8 s timeline."""
    with av.open(str(path), "w") as out:
        stream = out.add_stream("mpeg4", rate=25)
        stream.width, stream.height, stream.pix_fmt = 16, 16, "yuv420p"
        packets = []
        for i in range(3):
            frame = av.VideoFrame.from_ndarray(np.zeros((16, 16, 3), np.uint8), format="rgb24")
            frame.pts = i
            packets += stream.encode(frame)
        packets += stream.encode(None)
        packets[-1].pts = packets[-1].dts = int(last_s / packets[-1].time_base)
        for packet in packets:
            out.mux(packet)
    return path


@pytest.fixture(scope="module")
def clip() -> Path:
    path = MEDIA_CACHE / "declared-clip-320x180-6s.mp4"
    if not path.exists():
        synth_clip(path, duration_s=6, width=320, height=180)
    return path


async def test_files_declaring_too_much_are_refused_at_upload_over_stdio(tmp_path: Path, clip: Path) -> None:
    lying = lying_mkv(tmp_path / "lying.mkv")
    assert lying.stat().st_size < 2000
    huge_frames = png_video(tmp_path / "huge-frames.mkv", png_bomb(tmp_path / "frame.png", 16000))
    logo_13k = png_bomb(tmp_path / "logo-13k.png", 13000)
    logo_20k = png_bomb(tmp_path / "logo-20k.png", 20000)
    home = tmp_path / "home"
    async with stdio_client(home) as client:
        refused = await client.call_tool("upload_video", {"path": str(lying)})
        assert refused.is_error and "over the limit of 12:00:00" in text_of(refused), text_of(refused)
        assert "MCP_HIGHLIGHT_MAX_DURATION" in text_of(refused)
        refused = await client.call_tool("upload_video", {"path": str(huge_frames)})
        assert refused.is_error and "16000x16000" in text_of(refused), text_of(refused)
        for logo in (logo_13k, logo_20k):
            refused = await client.call_tool("upload_video", {"path": str(logo)})
            assert refused.is_error and "pixels" in text_of(refused), text_of(refused)
            assert "DecompressionBomb" not in text_of(refused) and "unexpectedly" not in text_of(refused)
        ok = await client.call_tool("upload_video", {"path": str(clip)})
        assert not ok.is_error, text_of(ok)
        sid = ok.structured_content["session_id"]
        for logo in (logo_13k, logo_20k):
            edited = await client.call_tool("edit_timeline", {"session_id": sid, "logo": str(logo)})
            assert edited.is_error and "MCP_HIGHLIGHT_MAX_PIXELS" in text_of(edited), text_of(edited)


def test_a_file_whose_timestamps_claim_far_more_than_its_bytes_is_refused(tmp_path: Path) -> None:
    """Under the duration limit but 1 kB for 11 hours: the packets cannot carry what the header says."""
    lying = lying_mkv(tmp_path / "lying-11h.mkv", last_s=11 * 3600)
    with pytest.raises(Exception, match="claim far more than its packets carry"):
        probe(lying)


def test_the_limits_are_settings(tmp_path: Path, clip: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MCP_HIGHLIGHT_MAX_DURATION", "3s")
    monkeypatch.setenv("MCP_HIGHLIGHT_MAX_FRAME_SIDE", "4096")
    monkeypatch.setenv("MCP_HIGHLIGHT_MAX_PIXELS", "1000000")
    monkeypatch.setenv("MCP_HIGHLIGHT_MAX_STREAMS", "1")
    limits = Settings.from_env().media_limits()
    assert limits == MediaLimits(max_duration_s=3, max_frame_side=4096, max_pixels=1_000_000, max_streams=1)
    with pytest.raises(MediaTooLargeError, match="streams"):  # the clip has picture and sound
        probe(clip, limits=limits)
    with pytest.raises(MediaTooLargeError, match="over the limit of 3s"):
        probe(clip, limits=limits.model_copy(update={"max_streams": 2}))
    with pytest.raises(MediaTooLargeError, match="320x180"):
        probe(clip, limits=MediaLimits(max_pixels=320 * 180 - 1))
