"""What comes with a reel: a clip pack, chapters, a cover, and editor timelines that read back through OTIO."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import opentimelineio as otio
import pytest
from media_files import cached_ffmpeg
from PIL import Image
from wing_media import wing_play

from mcp_highlight.core.errors import BadInputError
from mcp_highlight.engine.deliver.chapters import clock, moment_label
from mcp_highlight.engine.deliver.deliverables import deliver
from mcp_highlight.engine.deliver.editor_timeline import write_timeline
from mcp_highlight.engine.judge.analysis import Analysis
from mcp_highlight.engine.plan.clip import Clip
from mcp_highlight.engine.render.reel import render
from mcp_highlight.engine.render.spec import MusicSpec, RenderResult, RenderSpec, TitleSpec

SCORES = [0.3, 0.9, 0.5]  # the second moment is the strongest


@pytest.fixture(scope="module")
def music(media_cache: Path) -> Path:
    return cached_ffmpeg(media_cache / "outputs-music.mp3", "-f", "lavfi", "-i", "sine=frequency=330:duration=4")


@pytest.fixture(scope="module")
def reel(media_cache: Path, music: Path, tmp_path_factory) -> tuple[RenderSpec, RenderResult]:
    """A titled 16:9 reel with music: three moments of the wing footage (re-encoded: the source is 640x360)."""
    source, _truth = wing_play(media_cache)
    clips = [Clip(source=source, start_s=3.0, end_s=5.5), Clip(source=source, start_s=15.2, end_s=17.2)]
    clips.append(Clip(source=source, start_s=24.0, end_s=26.3))
    spec = RenderSpec(
        clips=clips,
        output=tmp_path_factory.mktemp("reel") / "derby.mp4",
        title=TitleSpec(text="Derby Day", duration_s=1.5),
        music=MusicSpec(path=music),
    )
    return spec, render(spec)


def test_a_clip_pack_of_three_moments_is_three_valid_mp4s_that_add_up_to_the_reel(reel, tmp_path):
    spec, result = reel
    done = deliver(spec, result, scores=SCORES, clips_dir=tmp_path / "clips")
    assert [p.path.name for p in done.clips] == [
        "01-wing-play-v2-640x360-30s-00m03s.mp4",
        "02-wing-play-v2-640x360-30s-00m15s.mp4",
        "03-wing-play-v2-640x360-30s-00m24s.mp4",
    ]
    total = 0.0
    for piece, clip in zip(done.clips, spec.clips, strict=True):
        with av.open(str(piece.path)) as container:
            video, audio = container.streams.video[0], container.streams.audio[0]
            assert (video.codec_context.name, audio.codec_context.name) == ("h264", "aac")
            assert (video.codec_context.width, video.codec_context.height) == (result.width, result.height)
            frames = sum(1 for _ in container.decode(video))
        assert frames == round((clip.end_s - clip.start_s) * 30)  # no frame of the next moment, none missing
        assert piece.copied  # the reel has a keyframe at every cut: the video is copied, not encoded again
        total += piece.duration_s
    assert total == pytest.approx(result.duration_s, abs=0.05)


def test_chapters_start_where_the_reel_cuts_and_name_the_source_time(reel):
    spec, result = reel
    done = deliver(spec, result, labels=["Big chance", "Crowd reaction", "Fast play"], scores=SCORES)
    boundaries = np.cumsum([0.0] + [c.end_s - c.start_s for c in spec.clips])[:-1]
    assert [c.reel_s for c in done.chapters] == pytest.approx(boundaries, abs=1.0)
    assert done.chapters_text == "0:00 Big chance (0:03)\n0:02 Crowd reaction (0:15)\n0:04 Fast play (0:24)\n"
    assert done.chapters_path == result.path.with_name("derby.chapters.txt")
    assert done.chapters_path.read_text() == done.chapters_text


def test_the_cover_is_a_jpeg_of_the_reel_size_taken_from_the_strongest_moment(reel):
    spec, result = reel
    untitled = spec.model_copy(update={"title": None})
    done = deliver(untitled, result, scores=SCORES)
    assert done.cover_path == result.path.with_name("derby.jpg")
    with Image.open(done.cover_path) as image:
        assert image.format == "JPEG"
        assert image.size == (result.width, result.height)
        cover = np.asarray(image.convert("L").resize((192, 108)), dtype=np.float32)
    # the closest frame of the reel lies in the second moment (cut 2.5 s .. 4.5 s)
    best_t, best = -1.0, np.inf
    with av.open(str(result.path)) as container:
        for frame in container.decode(video=0):
            grey = frame.reformat(width=192, height=108, format="gray").to_ndarray().astype(np.float32)
            diff = float(np.abs(grey - cover).mean())
            if diff < best:
                best_t, best = float(frame.time), diff
    assert result.cut_times_s[1] <= best_t < result.cut_times_s[2]


def test_a_titled_cover_carries_the_title(reel):
    spec, result = reel
    titled = deliver(spec, result, scores=SCORES).cover_path
    plain = result.path.with_name("plain.mp4")
    plain.symlink_to(result.path)
    untitled = deliver(spec.model_copy(update={"title": None}), result.model_copy(update={"path": plain}), scores=SCORES)
    a = np.asarray(Image.open(titled).convert("L"), dtype=np.float32)
    b = np.asarray(Image.open(untitled.cover_path).convert("L"), dtype=np.float32)
    lower = slice(int(0.6 * a.shape[0]), int(0.95 * a.shape[0]))
    assert np.abs(a[lower] - b[lower]).mean() > 2 * np.abs(a[: a.shape[0] // 2] - b[: a.shape[0] // 2]).mean() + 1


def _ranges(path: Path, rate: float = 30.0) -> list[tuple[str, float, float]]:
    kwargs = {"rate": rate} if path.suffix == ".edl" else {}
    timeline = otio.adapters.read_from_file(str(path), **kwargs)
    track = next(t for t in timeline.tracks if t.kind == otio.schema.TrackKind.Video)
    out = []
    for clip in track.find_clips():
        start = clip.source_range.start_time.to_seconds()
        out.append((clip.media_reference.target_url, start, start + clip.source_range.duration.to_seconds()))
    return out


@pytest.mark.parametrize("suffix", [".otio", ".fcpxml", ".edl"])
def test_editor_timelines_read_back_with_the_moments_source_ranges_within_a_frame(reel, make_clip, tmp_path, suffix):
    spec, _result = reel
    other = make_clip("second-camera.mp4", duration_s=8.0)
    several = spec.model_copy(update={"clips": [*spec.clips, Clip(source=other, start_s=1.25, end_s=4.5)]})
    for name, edit in (("one", spec), ("several", several)):
        path = write_timeline(edit, tmp_path / f"{name}{suffix}")
        back = _ranges(path)
        assert [url for url, _, _ in back] == [c.source.absolute().as_uri() for c in edit.clips]
        for (_, start, end), clip in zip(back, edit.clips, strict=True):
            assert start == pytest.approx(clip.start_s, abs=1 / 30)
            assert end == pytest.approx(clip.end_s, abs=1 / 30)


def test_the_otio_timeline_has_the_title_and_the_music_on_tracks_of_their_own(reel, tmp_path):
    spec, _result = reel
    timeline = otio.adapters.read_from_file(str(write_timeline(spec, tmp_path / "reel.otio")))
    names = [(t.name, t.kind) for t in timeline.tracks]
    assert names == [("Moments", "Video"), ("Title", "Video"), ("Sound", "Audio"), ("Music", "Audio")]
    (title,) = timeline.tracks[1].find_clips()
    assert title.name == "Derby Day" and title.duration().to_seconds() == pytest.approx(1.5)
    assert [c.source_range for c in timeline.tracks[2].find_clips()] == [
        c.source_range for c in timeline.tracks[0].find_clips()
    ]  # the sources' own sound under each moment
    (music,) = timeline.tracks[3].find_clips()
    assert music.media_reference.target_url.endswith("outputs-music.mp3")
    assert music.duration().to_seconds() == pytest.approx(6.8, abs=1 / 30)
    fcp = otio.adapters.read_from_file(str(write_timeline(spec, tmp_path / "reel.fcpxml")))
    markers = [m.name for t in fcp.tracks for c in t.find_clips() for m in c.markers]
    assert markers[:1] == ["Title: Derby Day"] and set(markers) == {"Title: Derby Day"}  # FCP XML through OTIO carries no generated title: a marker does
    assert any(t.kind == "Audio" for t in fcp.tracks)


def test_a_timeline_in_an_unknown_format_is_refused_with_the_formats_named(reel, tmp_path):
    spec, _ = reel
    with pytest.raises(BadInputError, match=r"\.aaf") as caught:
        write_timeline(spec, tmp_path / "reel.aaf")
    assert ".fcpxml" in (caught.value.hint or "")
    assert not (tmp_path / "reel.aaf").exists()


def test_a_moment_is_named_from_its_signals():
    def analysis(**signals: list[float]) -> Analysis:
        return Analysis(source="x.mp4", content_hash="h", duration_s=5.0, score=[0.5] * 10, signals=signals)

    quiet = [0.1] * 10
    roar = [0.1] * 4 + [0.9] * 3 + [0.1] * 3
    assert moment_label(analysis(coupled=roar, crowd=roar, motion=roar), 1.0, 4.0) == "Big moment"
    assert moment_label(analysis(coupled=roar, crowd=quiet, motion=roar), 1.0, 4.0) == "Big chance"
    assert moment_label(analysis(coupled=quiet, crowd=roar, motion=quiet), 1.0, 4.0) == "Crowd reaction"
    assert moment_label(analysis(coupled=quiet, crowd=quiet, motion=roar), 1.0, 4.0) == "Fast play"
    assert moment_label(analysis(coupled=roar, crowd=roar, motion=roar), 0.0, 1.5) == "Highlight"  # before the peak
    assert moment_label(None, 0, 1) == "Highlight"
    assert [clock(s) for s in (0, 5.9, 65, 3725)] == ["0:00", "0:05", "1:05", "1:02:05"]
