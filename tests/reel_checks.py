"""What every reel must be, checked the same way by the render tests and the format matrix."""

from __future__ import annotations

import struct
from pathlib import Path

import av

from mcp_highlight.engine.render.spec import RenderResult

BT709 = 1  # AVColorPrimaries / AVColorTransferCharacteristic / AVColorSpace value for BT.709


def top_level_boxes(path: Path) -> list[str]:
    boxes = []
    with path.open("rb") as f:
        while header := f.read(8):
            size, kind = struct.unpack(">I4s", header)
            if size == 1:
                size = struct.unpack(">Q", f.read(8))[0] - 8
            elif size == 0:
                boxes.append(kind.decode())
                break
            boxes.append(kind.decode())
            f.seek(size - 8, 1)
    return boxes


def assert_valid_reel(
    result: RenderResult, size: tuple[int, int], *, profile: str | None = "High", bt709: bool = False
) -> None:
    """H.264 (High) yuv420p at `size`, AAC 48 kHz stereo, moov first; with `bt709`, tagged BT.709."""
    assert result.path.exists()
    with av.open(str(result.path)) as container:
        video, audio = container.streams.video[0], container.streams.audio[0]
        assert video.codec_context.name == "h264"
        if profile:
            assert video.profile == profile
        assert video.codec_context.pix_fmt == "yuv420p"
        assert (video.codec_context.width, video.codec_context.height) == size
        if bt709:
            ctx = video.codec_context
            assert (ctx.color_primaries, ctx.color_trc, ctx.colorspace) == (BT709, BT709, BT709)
        assert audio.codec_context.name == "aac"
        assert audio.codec_context.sample_rate == 48000
        assert audio.codec_context.channels == 2
    boxes = top_level_boxes(result.path)
    assert boxes.index("moov") < boxes.index("mdat"), boxes
    assert (result.width, result.height) == size
