"""A reader that keeps one stream has the demuxer skip the others (`streams.read_only`), in every container."""

from __future__ import annotations

from pathlib import Path

import av
import pytest
from media_files import MEDIA_CACHE, cached_ffmpeg

from mcp_highlight.engine.media import streams

FOLDER = MEDIA_CACHE / "streams"
SOURCES = (
    "-f",
    "lavfi",
    "-i",
    "testsrc2=size=320x240:rate=25:duration=4",
    "-f",
    "lavfi",
    "-i",
    "sine=frequency=440:duration=4",
)


def _packets(path: Path, kind: str, only: bool) -> list[tuple[int, int | None, int]]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0] if kind == "video" else container.streams.audio[0]
        if only:
            streams.read_only(container, stream)
        return [(p.stream.index, p.pts, p.size) for p in container.demux(stream) if p.size]


@pytest.mark.parametrize(
    ("name", "codecs"),
    [
        ("clip.mp4", ("-c:v", "libx264", "-c:a", "aac")),
        ("clip.mkv", ("-c:v", "libx264", "-c:a", "libopus")),
        ("clip.avi", ("-c:v", "mpeg4", "-c:a", "mp3")),
        ("clip.ts", ("-c:v", "libx264", "-c:a", "aac")),
    ],
)
def test_each_reader_gets_exactly_its_own_streams_packets(name: str, codecs: tuple[str, ...]) -> None:
    path = cached_ffmpeg(FOLDER / name, *SOURCES, *codecs, "-shortest")
    for kind in ("video", "audio"):
        everything = _packets(path, kind, only=False)
        kept = _packets(path, kind, only=True)
        assert len(everything) > 20, f"{name} {kind}: too few packets to compare"
        assert kept == everything, f"{name}: the {kind} reader lost or gained packets"
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        streams.read_only(container, video)
        assert container.streams.audio[0].discard == av.stream.Discard.all
        assert video.discard != av.stream.Discard.all
