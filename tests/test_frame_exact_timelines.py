"""Editor timelines count frames at the source's exact rate, so they round-trip to an editor frame-exact."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio
import pytest
from media_files import MEDIA_CACHE, cached_ffmpeg

from mcp_highlight.engine.deliver.editor_timeline import timeline_rate, write_timeline
from mcp_highlight.engine.media.frame_rate import standard_rate, to_frames
from mcp_highlight.engine.plan.clip import Clip
from mcp_highlight.engine.render.spec import RenderSpec

NTSC = Fraction(30000, 1001)


@pytest.fixture(scope="module")
def ntsc_source() -> Path:
    """40 s at 30000/1001 fps (what a camera calls 29.97), with sound."""
    return cached_ffmpeg(
        MEDIA_CACHE / "ntsc-29.97-40s.mp4",
        *("-f", "lavfi", "-i", "testsrc2=size=320x180:rate=30000/1001", "-f", "lavfi", "-i", "sine=f=440"),
        *("-t", "40", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-shortest"),
    )


@pytest.fixture()
def spec(ntsc_source: Path, tmp_path: Path) -> RenderSpec:
    clips = [Clip(source=ntsc_source, start_s=1.234, end_s=7.777), Clip(source=ntsc_source, start_s=20.02, end_s=33.3)]
    return RenderSpec(clips=clips, output=tmp_path / "reel.mp4")


def _frames(clip: Clip) -> tuple[int, int]:
    start = to_frames(clip.start_s, NTSC)
    return start, to_frames(clip.end_s, NTSC) - start


@pytest.mark.parametrize(
    ("measured", "standard"),
    [(29.97, NTSC), (Fraction(2997, 100), NTSC), (23.976, Fraction(24000, 1001)), (59.94, Fraction(60000, 1001)),
     (25.0, Fraction(25)), (33.0, None), (None, None)],
)
def test_a_measured_rate_snaps_to_the_exact_standard_rate(measured, standard) -> None:
    assert standard_rate(measured) == standard


def test_sources_at_29_97_give_a_timeline_at_30000_over_1001_not_at_the_float() -> None:
    assert timeline_rate([Fraction(2997, 100), NTSC]) == NTSC
    assert timeline_rate([NTSC, Fraction(25)]) == 30  # mixed rates: the reel's own


@pytest.mark.parametrize("suffix", [".otio", ".edl"])
def test_an_otio_or_edl_timeline_reads_back_with_the_same_frames(spec: RenderSpec, tmp_path: Path, suffix: str) -> None:
    path = write_timeline(spec, tmp_path / f"reel{suffix}")
    extra = {"rate": float(NTSC)} if suffix == ".edl" else {}
    timeline = otio.adapters.read_from_file(str(path), **extra)
    clips = list(timeline.video_tracks()[0].find_clips())
    assert len(clips) == len(spec.clips)
    for read, clip in zip(clips, spec.clips, strict=True):
        rng = read.source_range
        assert rng.start_time.rate == pytest.approx(float(NTSC), abs=1e-9)
        assert (round(rng.start_time.value), round(rng.duration.value)) == _frames(clip)
        assert rng.start_time.value == round(rng.start_time.value)  # whole frames, nothing in between


def test_an_fcpxml_timeline_states_the_exact_frame_duration_and_cuts_on_frames(spec: RenderSpec, tmp_path: Path) -> None:
    text = write_timeline(spec, tmp_path / "reel.fcpxml").read_text()
    root = ET.fromstring(text)
    assert {f.get("frameDuration") for f in root.iter("format")} == {"1001/30000s"}
    frame = Fraction(1001, 30000)

    def seconds(value: str) -> Fraction:
        return Fraction(re.fullmatch(r"(\d+(?:/\d+)?)s", value).group(1))

    clips = [e for e in root.find(".//spine") if e.tag in {"clip", "asset-clip"}]
    assert len(clips) == len(spec.clips)
    for element, clip in zip(clips, spec.clips, strict=True):
        start, length = seconds(element.get("start", "0s")), seconds(element.get("duration"))
        assert (start / frame, length / frame) == _frames(clip)
