"""Issue 16, rows 12, 15, 16 and 17: what comes with a reel is measured from the reel as rendered, and
names reach editors' formats and file systems in a form they can carry.

Row 15: a clip pack cut where the reel really has its keyframes (a cut time rounded to the millisecond
used to seek to the keyframe before, and the piece came out a second short). Row 16: the fast path may
merge two clips of one file into one piece; chapters, clip names and timelines follow the pieces.
Row 17: a source with sound gives an FCP XML asset with hasAudio="1", referenced on an audio lane.
Row 12: an apostrophe, a newline, 250 characters in a source name.
"""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import opentimelineio as otio
import pytest
from media_files import cached_ffmpeg

from mcp_highlight.engine.deliver import cover
from mcp_highlight.engine.deliver.clip_pack import write_clip_pack
from mcp_highlight.engine.deliver.deliverables import Piece, clip_names, deliver
from mcp_highlight.engine.deliver.editor_timeline import write_timeline
from mcp_highlight.engine.render.spec import Clip, RenderResult, RenderSpec

KEYS = (0.0, 3.533333, 7.1)


@pytest.fixture(scope="module")
def reel(media_cache: Path) -> Path:
    """10 s at 30 fps with sound, keyframes only at 0, 3.5333... and 7.1 s (as a render puts them at cuts)."""
    return cached_ffmpeg(
        media_cache / "as-rendered-reel-10s.mp4",
        "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=30:duration=10",
        "-f", "lavfi", "-i", "sine=frequency=440:duration=10",
        "-c:v", "libx264", "-preset", "veryfast", "-g", "1000", "-sc_threshold", "0",
        "-force_key_frames", ",".join(f"{k:.6f}" for k in KEYS), "-c:a", "aac", "-shortest",
    )  # fmt: skip


def test_a_clip_pack_cuts_at_the_reels_own_keyframes_whatever_the_rounding(reel: Path, tmp_path: Path) -> None:
    cuts = [0.0, 3.533, 7.1]  # as the render reports them: to the millisecond
    pack = write_clip_pack(reel, tmp_path / "clips", cut_times_s=cuts, reel_s=10.0, names=["a.mp4", "b.mp4", "c.mp4"])
    assert [p.copied for p in pack] == [True, True, True]
    assert [p.duration_s for p in pack] == pytest.approx([3.533, 3.567, 2.9], abs=0.05)
    assert [p.reel_start_s for p in pack] == pytest.approx(list(KEYS), abs=1e-6)


def test_merged_pieces_give_chapters_names_and_timelines_one_per_piece(reel: Path, tmp_path: Path) -> None:
    """Three planned clips, the first two merged into one piece by keyframe snapping: two pieces delivered."""
    source = tmp_path / "game.mp4"
    shutil.copy(reel, source)
    spec = RenderSpec(
        clips=[Clip(source=source, start_s=1, end_s=3), Clip(source=source, start_s=3.2, end_s=5.3),
               Clip(source=source, start_s=7.1, end_s=9.5)],
        output=tmp_path / "out.mp4",
    )  # fmt: skip
    result = RenderResult(
        path=reel, duration_s=10.0, size_bytes=reel.stat().st_size, width=320, height=180, fast_path=True,
        cut_times_s=[0.0, 7.1], source_spans=[(0.0, 7.1), (7.1, 10.0)], span_sources=[source, source],
    )  # fmt: skip
    done = deliver(
        spec, result, labels=["Goal", "Save", "Crowd"], scores=[0.2, 0.9, 0.5], clips_dir=tmp_path / "clips",
        timelines=[tmp_path / "cut.otio"],
    )  # fmt: skip
    assert [c.label for c in done.chapters] == ["Goal", "Crowd"]
    assert [p.path.name for p in done.clips] == ["01-game-00m00s.mp4", "02-game-00m07s.mp4"]
    timeline = otio.adapters.read_from_file(str(done.timeline_paths[0]))
    edges = [t for c in timeline.tracks[0].find_clips()
             for t in (c.source_range.start_time.to_seconds(), c.source_range.end_time_exclusive().to_seconds())]  # fmt: skip
    assert edges == pytest.approx([0.0, 7.1, 7.1, 10.0], abs=1 / 30)


def test_fcpxml_of_a_source_with_sound_says_so_and_names_survive_quotes_and_newlines(
    reel: Path, tmp_path: Path
) -> None:
    source = tmp_path / "Tom's \"big\"\ngame.mp4"
    shutil.copy(reel, source)
    spec = RenderSpec(
        clips=[Clip(source=source, start_s=1, end_s=3), Clip(source=source, start_s=5, end_s=8)],
        output=tmp_path / "out.mp4",
    )
    fcpxml = write_timeline(spec, tmp_path / "cut.fcpxml")
    root = ET.parse(fcpxml).getroot()
    (asset,) = root.iter("asset")
    assert asset.get("hasAudio") == "1" and asset.get("hasVideo") == "1"
    refs = [clip.get("ref") for clip in root.iter("asset-clip")]
    assert refs.count(asset.get("id")) >= 2
    back = otio.adapters.read_from_file(str(fcpxml))
    assert [c.name for c in back.find_clips()][:2] == ["01 Tom\u2019s \u201dbig\u201d game.mp4", "02 Tom\u2019s \u201dbig\u201d game.mp4"]
    otio_json = otio.adapters.read_from_file(str(write_timeline(spec, tmp_path / "cut.otio")))
    assert [t.kind for t in otio_json.tracks] == ["Video", "Audio"]  # the sources' own sound, moment by moment
    edl = write_timeline(spec, tmp_path / "cut.edl").read_text()
    for line in edl.splitlines():
        assert line == "" or line.startswith(("TITLE:", "FCM:", "*", "00")), line
    assert "Tom\u2019s" in edl


def test_clip_names_from_long_or_odd_source_names_fit_every_file_system(tmp_path: Path) -> None:
    parts = [
        Piece(source=tmp_path / ("a" * 246 + ".mp4"), start_s=65.0, end_s=70.0, clip=0),
        Piece(source=tmp_path / "line\nbreak\x00.mp4", start_s=0.0, end_s=5.0, clip=1),
        Piece(source=tmp_path / "../..mp4", start_s=0.0, end_s=5.0, clip=2),
    ]
    names = clip_names(parts)
    assert names[0] == f"01-{'a' * 60}-01m05s.mp4" and names[1] == "02-line_break-00m00s.mp4"
    assert all(len(n.encode()) < 100 and "/" not in n and "\n" not in n and not n.startswith(".") for n in names)


def test_a_cover_for_one_long_moment_looks_at_keyframes_only(
    media_cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Row 19: a reel longer than its footage is one long moment; its cover must not decode all of it."""
    long_reel = cached_ffmpeg(
        media_cache / "as-rendered-long-60s.mp4",
        "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=30:duration=60",
        "-c:v", "libx264", "-preset", "ultrafast", "-g", "60", "-sc_threshold", "0",
    )  # fmt: skip
    looked: list[int] = []
    real = cover.sharpness
    monkeypatch.setattr(cover, "sharpness", lambda image: looked.append(1) or real(image))
    out = cover.make_cover(long_reel, tmp_path / "cover.jpg", span_s=(0.0, 60.0))
    assert out.is_file() and 0 < len(looked) <= 31  # one keyframe every 2 s
