"""The render stage: valid MP4s in every shape, overlays, music, clean cuts, the fast path, and failing safely."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest
from media_files import MEDIA_CACHE, cached_ffmpeg
from PIL import Image
from reel_checks import assert_valid_reel

from mcp_highlight.core.errors import (
    BadInputError,
    HighlightError,
    ImpossibleRequestError,
    MediaNotFoundError,
    OperationCancelledError,
)
from mcp_highlight.core.progress import no_progress
from mcp_highlight.engine.media.ffmpeg import run_ffmpeg
from mcp_highlight.engine.plan.clip import Clip
from mcp_highlight.engine.render import filters as rf
from mcp_highlight.engine.render import reencode as render_video
from mcp_highlight.engine.render.reel import render
from mcp_highlight.engine.render.spec import LogoSpec, MusicSpec, RenderResult, RenderSpec, TitleSpec

TONE = 0.3  # level of the hd source's steady 440 Hz tone
FLASH_PHASE = 0.5  # the hd source flashes white and beeps at every whole second + 0.5 s


# ------------------------------------------------------------------------------------------------ media


@pytest.fixture(scope="module")
def hd_source() -> Path:
    """8 s of 1920x1080 H.264 High with B-frames and a keyframe every second (like a camera file),
    a steady tone, and a white flash with a beep at x.5 s so picture and sound can be lined up."""
    flash = f"between(mod(t\\,1)\\,{FLASH_PHASE}\\,{FLASH_PHASE + 0.09})"
    return cached_ffmpeg(
        MEDIA_CACHE / "render-v1-hd-flash.mp4",
        "-f", "lavfi",
        "-i", f"testsrc2=s=1920x1080:r=30:d=8[a];color=white:s=1920x1080:r=30:d=8[b];[a][b]overlay=enable='{flash}'[out0]",
        "-f", "lavfi",
        "-i", f"aevalsrc=exprs='{TONE}*sin(2*PI*440*t)+0.6*sin(2*PI*1000*t)*{flash}':s=48000:d=8",
        "-c:v", "libx264", "-preset", "superfast", "-profile:v", "high", "-pix_fmt", "yuv420p",
        "-g", "30", "-keyint_min", "30", "-sc_threshold", "0",
        "-c:a", "aac", "-ac", "2", "-shortest",
    )  # fmt: skip


@pytest.fixture(scope="module")
def silent_source() -> Path:
    """A different shape and frame rate, and no audio track at all."""
    return cached_ffmpeg(
        MEDIA_CACHE / "render-v1-silent-480x270-25.mp4",
        "-f", "lavfi", "-i", "testsrc2=s=480x270:r=25:d=4",
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
    )  # fmt: skip


@pytest.fixture(scope="module")
def rotated_source() -> Path:
    """640x360 coded, shown as 360x640 portrait (rotation metadata, like a phone held upright)."""
    plain = cached_ffmpeg(
        MEDIA_CACHE / "render-v1-landscape.mp4",
        "-f", "lavfi", "-i", "testsrc2=s=640x360:r=30:d=3",
        "-f", "lavfi", "-i", "sine=f=440:r=48000:d=3",
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest",
    )  # fmt: skip
    return cached_ffmpeg(
        MEDIA_CACHE / "render-v1-rotated.mp4", "-display_rotation", "90", "-i", str(plain), "-c", "copy"
    )


@pytest.fixture(scope="module")
def music() -> Path:
    """Two seconds of a 220 Hz tone: shorter than any reel, so it has to loop."""
    return cached_ffmpeg(
        MEDIA_CACHE / "render-v1-music.wav", "-f", "lavfi", "-i", "aevalsrc=exprs='0.8*sin(2*PI*220*t)':s=44100:d=2"
    )


# ------------------------------------------------------------------------------------------------ readers


def audio_samples(path: Path) -> tuple[np.ndarray, int]:
    """The first channel as float samples, and the sample rate."""
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        chunks = [frame.to_ndarray()[0] for frame in container.decode(stream)]
        return np.concatenate(chunks).astype(np.float64), stream.codec_context.sample_rate


def frame_at(path: Path, at_s: float) -> np.ndarray:
    """The RGB frame shown at `at_s`, as an array."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        for frame in container.decode(stream):
            if frame.time is not None and frame.time >= at_s - 1 / 60:
                image = frame.to_image()
                if frame.rotation:
                    image = image.rotate(frame.rotation, expand=True)
                return np.asarray(image).astype(np.float64)
    raise AssertionError(f"no frame at {at_s}s in {path}")


def small(array: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    return np.asarray(Image.fromarray(array.astype(np.uint8)).resize(size, Image.Resampling.BOX)).astype(np.float64)


def flash_times(path: Path) -> list[float]:
    """Times of frames that start a white flash."""
    times, previous = [], 0.0
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            level = float(frame.reformat(width=64, height=36, format="gray").to_ndarray().mean())
            if level > 200 and previous <= 200:
                times.append(float(frame.time))
            previous = level
    return times


def beep_times(path: Path) -> list[float]:
    """Times where the beep (which lifts the level far above the steady tone) begins."""
    samples, rate = audio_samples(path)
    window = rate // 200
    peaks = np.abs(samples[: len(samples) // window * window]).reshape(-1, window).max(axis=1)
    loud = peaks > 0.45  # the tone alone peaks near 0.2 (0.3, less 3 dB for stereo), with the beep near 0.64
    return [i * window / rate for i in range(len(loud)) if loud[i] and (i == 0 or not loud[i - 1])]


# ------------------------------------------------------------------------------------------------ reels


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("renders")


@pytest.fixture(scope="module")
def vertical_reel(out_dir: Path, hd_source: Path, silent_source: Path, music: Path) -> RenderResult:
    """Two different sources, one without sound, vertical, with a title, a caption and music."""
    return render(
        RenderSpec(
            clips=[
                Clip(source=hd_source, start_s=1.0, end_s=3.0, caption="12:05 goal"),
                Clip(source=silent_source, start_s=0.5, end_s=2.0),
            ],
            output=out_dir / "vertical.mp4",
            aspect="9:16",
            title=TitleSpec(text="Derby Day", start_s=0.0, duration_s=2.0),
            music=MusicSpec(path=music, volume=0.35, fade_s=0.3),
        )
    )


@pytest.fixture(scope="module")
def vertical_plain(out_dir: Path, hd_source: Path) -> RenderResult:
    """The same first clip as `vertical_reel`, with nothing on top: the reference for the overlays."""
    return render(
        RenderSpec(clips=[Clip(source=hd_source, start_s=1.0, end_s=3.0)], output=out_dir / "plain.mp4", aspect="9:16")
    )


@pytest.fixture(scope="module")
def fast_reel(out_dir: Path, hd_source: Path) -> RenderResult:
    return render(
        RenderSpec(
            clips=[Clip(source=hd_source, start_s=1.3, end_s=3.2), Clip(source=hd_source, start_s=5.2, end_s=6.9)],
            output=out_dir / "fast.mp4",
        )
    )


def test_a_vertical_reel_from_mixed_sources_is_a_valid_h264_high_mp4_with_moov_first(
    vertical_reel: RenderResult,
) -> None:
    assert_valid_reel(vertical_reel, (1080, 1920))
    assert not vertical_reel.fast_path
    assert vertical_reel.duration_s == pytest.approx(3.5, abs=0.05)
    assert vertical_reel.cut_times_s == [0.0, 2.0]
    with av.open(str(vertical_reel.path)) as container:
        frames = sum(1 for _ in container.demux(video=0) if _.size)
    assert frames == 105  # 3.5 s at a constant 30 fps, though the second source is 25 fps


def test_the_title_and_caption_are_drawn_over_the_picture(
    vertical_reel: RenderResult, vertical_plain: RenderResult
) -> None:
    with_title, without = frame_at(vertical_reel.path, 1.0), frame_at(vertical_plain.path, 1.0)
    difference = np.abs(with_title - without).mean(axis=2)
    title_y = int(0.78 * 1920)
    assert difference[title_y - 40 : title_y + 40, 300:780].mean() > 40  # the title's band
    assert difference[30:90, 40:200].mean() > 40  # the caption, top left
    assert difference[700:1200, 100:980].mean() < 6  # the rest of the picture is the same


def test_music_fills_a_source_without_sound_and_does_not_halve_the_game_sound(
    vertical_reel: RenderResult, vertical_plain: RenderResult
) -> None:
    samples, rate = audio_samples(vertical_reel.path)
    silent_span = samples[int(2.4 * rate) : int(3.1 * rate)]
    assert np.sqrt(np.mean(silent_span**2)) > 0.1  # the music (0.8 at volume 0.35) where the source has none

    def tone_level(path: Path) -> float:
        s, r = audio_samples(path)
        part = s[int(0.2 * r) : int(0.45 * r)]  # steady tone only: before the beep at 0.5 s
        spectrum = np.abs(np.fft.rfft(part * np.hanning(len(part))))
        return float(spectrum[round(440 * len(part) / r)])

    assert tone_level(vertical_reel.path) == pytest.approx(tone_level(vertical_plain.path), rel=0.15)


def test_vertical_output_is_never_stream_copied_even_from_a_1080p_h264_source(vertical_plain: RenderResult) -> None:
    assert_valid_reel(vertical_plain, (1080, 1920))
    assert not vertical_plain.fast_path


def test_blur_shows_the_whole_picture_where_crop_shows_its_centre(
    out_dir: Path, hd_source: Path, vertical_plain: RenderResult
) -> None:
    blurred = render(
        RenderSpec(
            clips=[Clip(source=hd_source, start_s=1.0, end_s=3.0)],
            output=out_dir / "blur.mp4",
            aspect="9:16",
            fit="blur",
        )
    )
    assert_valid_reel(blurred, (1080, 1920))
    source = small(frame_at(hd_source, 2.0), (96, 54))
    top = (1920 - 608) // 2
    blur_band = small(frame_at(blurred.path, 1.0)[top : top + 608], (96, 54))
    crop_band = small(frame_at(vertical_plain.path, 1.0)[top : top + 608], (96, 54))
    assert np.abs(blur_band - source).mean() < 12  # the full 16:9 picture, scaled into the middle
    assert np.abs(crop_band - source).mean() > 40  # a crop of the centre, so not the full picture


def test_a_rotated_phone_clip_comes_out_upright(out_dir: Path, rotated_source: Path) -> None:
    result = render(
        RenderSpec(
            clips=[Clip(source=rotated_source, start_s=0.5, end_s=2.0)], output=out_dir / "rotated.mp4", aspect="9:16"
        )
    )
    assert_valid_reel(result, (1080, 1920))
    with av.open(str(rotated_source)) as container:
        for frame in container.decode(video=0):
            if frame.time >= 1.5 - 1 / 60:
                coded = frame.to_image()
                break
    upright = small(np.asarray(coded.rotate(90, expand=True)), (36, 64))
    wrong_way = small(np.asarray(coded.rotate(-90, expand=True)), (36, 64))
    shown = small(frame_at(result.path, 1.0), (36, 64))
    assert np.abs(shown - upright).mean() < 12
    assert np.abs(shown - wrong_way).mean() > 30


def test_a_1080p_h264_reel_is_stream_copied_from_keyframes(fast_reel: RenderResult, hd_source: Path) -> None:
    assert fast_reel.fast_path
    assert_valid_reel(fast_reel, (1920, 1080))
    # Starts snap back to the keyframe before (one a second); each clip keeps its planned length,
    # so the reel stays on target (1.9 s + 1.7 s).
    assert fast_reel.source_spans[0][0] == pytest.approx(1.0, abs=1e-3)
    assert fast_reel.source_spans[1][0] == pytest.approx(5.0, abs=1e-3)
    assert fast_reel.source_spans[0][1] == pytest.approx(2.9, abs=0.1)
    assert fast_reel.source_spans[1][1] == pytest.approx(6.7, abs=0.1)
    expected = sum(end - start for start, end in fast_reel.source_spans)
    assert fast_reel.duration_s == pytest.approx(expected, abs=0.1)
    assert fast_reel.duration_s == pytest.approx(3.6, abs=0.1)

    def packets(path: Path) -> list[tuple[float, bytes]]:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            return [(float(p.pts * stream.time_base), bytes(p)) for p in container.demux(stream) if p.size]

    source = packets(hd_source)
    output = packets(fast_reel.path)
    start, end = fast_reel.source_spans[0]
    first_clip = [data for t, data in source if start - 1e-3 <= t < end - 1e-3]
    output_first = [data for t, data in output if t < fast_reel.cut_times_s[1] - 1e-3]
    assert output_first == first_clip  # the very same compressed frames, not a re-encode
    assert len(output) == sum(
        1 for t, _ in source if any(start - 1e-3 <= t < end - 1e-3 for start, end in fast_reel.source_spans)
    )


def test_fast_path_clips_that_overlap_once_snapped_to_keyframes_merge_instead_of_replaying(
    out_dir: Path, hd_source: Path
) -> None:
    result = render(
        RenderSpec(
            clips=[Clip(source=hd_source, start_s=1.3, end_s=2.6), Clip(source=hd_source, start_s=2.8, end_s=4.0)],
            output=out_dir / "merged.mp4",
        )
    )
    assert result.fast_path
    # snapped, the clips are 1.0-2.3 and 2.0-3.2: the second keyframe falls inside the first clip
    assert result.cut_times_s == [0.0]
    start, end = result.source_spans[0]
    assert (start, end) == (pytest.approx(1.0, abs=1e-3), pytest.approx(3.2, abs=0.1))
    with av.open(str(result.path)) as container:
        shown = [float(p.pts * p.time_base) for p in container.demux(video=0) if p.size]
    assert len(shown) == len(set(shown)) == round((end - start) * 30)  # every frame once, none replayed


def test_long_reels_are_encoded_in_groups_and_joined_without_losing_frames_or_sync(
    out_dir: Path, hd_source: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(render_video, "GROUP_CLIPS", 2)  # five clips: three encode runs, then the join
    clips = [Clip(source=hd_source, start_s=k + 0.3, end_s=k + 0.8) for k in range(5)]
    result = render(
        RenderSpec(clips=clips, output=out_dir / "grouped.mp4", title=TitleSpec(text="Five", duration_s=1.2))
    )
    assert_valid_reel(result, (1920, 1080))
    assert result.duration_s == pytest.approx(2.5, abs=0.05)
    with av.open(str(result.path)) as container:
        assert sum(1 for _ in container.decode(video=0)) == 75
    flashes, beeps = flash_times(result.path), beep_times(result.path)
    assert len(flashes) == len(beeps) == 5  # one flash and beep per clip, each at 0.2 s into it
    for k, (flash, beep) in enumerate(zip(flashes, beeps, strict=True)):
        assert flash == pytest.approx(0.5 * k + 0.2, abs=1.5 / 30)
        assert beep == pytest.approx(flash, abs=1.5 / 30)


@pytest.mark.parametrize("reel", ["fast_reel", "vertical_plain"])
def test_picture_and_sound_stay_in_sync(reel: str, request: pytest.FixtureRequest) -> None:
    result: RenderResult = request.getfixturevalue(reel)
    flashes, beeps = flash_times(result.path), beep_times(result.path)
    assert len(flashes) >= 2
    assert len(beeps) == len(flashes)
    for flash, beep in zip(flashes, beeps, strict=True):
        assert abs(flash - beep) <= 1.5 / 30


def test_cuts_are_faded_so_they_do_not_click(fast_reel: RenderResult) -> None:
    samples, rate = audio_samples(fast_reel.path)
    cut = fast_reel.cut_times_s[1]
    steady = np.abs(samples[int((cut - 0.45) * rate) : int((cut - 0.25) * rate)]).max()
    at_cut = np.abs(samples[int((cut - 0.004) * rate) : int((cut + 0.004) * rate)]).max()
    assert steady > 0.1  # the steady tone (the beeps fall elsewhere)
    assert at_cut < 0.25 * steady  # a hard cut of the steady tone would be at full level here


def test_a_title_turns_the_fast_path_off(out_dir: Path, hd_source: Path) -> None:
    result = render(
        RenderSpec(
            clips=[Clip(source=hd_source, start_s=2.0, end_s=4.0)],
            output=out_dir / "titled.mp4",
            title=TitleSpec(text="Final whistle"),
        )
    )
    assert not result.fast_path
    assert_valid_reel(result, (1920, 1080))
    assert result.duration_s == pytest.approx(2.0, abs=0.05)


# ------------------------------------------------------------------------------------------------ failures


@pytest.fixture()
def existing_output(tmp_path: Path) -> Path:
    path = tmp_path / "reel.mp4"
    path.write_bytes(b"an earlier reel")
    return path


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"source": "missing.mp4"}, MediaNotFoundError),
        ({"end_s": 60.0}, ImpossibleRequestError),
        ({"start_s": 3.0, "end_s": 2.0}, ImpossibleRequestError),
        ({"music": "missing.mp3"}, MediaNotFoundError),
    ],
)
def test_bad_requests_are_refused_before_any_work_and_keep_the_old_output(
    change: dict[str, object], error: type[Exception], hd_source: Path, existing_output: Path
) -> None:
    folder = existing_output.parent
    clip = {"source": hd_source, "start_s": 1.0, "end_s": 2.0}
    clip.update({k: (folder / v if k == "source" else v) for k, v in change.items() if k != "music"})
    music = MusicSpec(path=folder / str(change["music"])) if "music" in change else None
    with pytest.raises(error):
        render(RenderSpec(clips=[Clip(**clip)], output=existing_output, music=music))
    assert existing_output.read_bytes() == b"an earlier reel"
    assert _leftovers(folder) == []


def test_an_output_folder_that_cannot_be_created_is_a_bad_input(tmp_path: Path, hd_source: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be")
    with pytest.raises(BadInputError, match="Cannot write"):
        render(RenderSpec(clips=[Clip(source=hd_source, start_s=1.0, end_s=2.0)], output=blocker / "reel.mp4"))


@pytest.mark.parametrize(
    ("aspect", "stage"),
    [("16:9", "Mixing audio"), ("9:16", "Rendering")],
    ids=["fast path", "re-encode"],
)
def test_a_cancelled_render_leaves_no_file_and_keeps_the_old_output(
    aspect: str, stage: str, hd_source: Path, existing_output: Path
) -> None:
    seen: list[str] = []

    def cancel_midway(fraction: float, message: str) -> None:
        seen.append(message)
        if message.startswith(stage) and fraction > 0.05:
            raise OperationCancelledError("Cancelled by the user.")

    with pytest.raises(OperationCancelledError):
        render(
            RenderSpec(clips=[Clip(source=hd_source, start_s=0.0, end_s=6.0)], output=existing_output, aspect=aspect),
            progress=cancel_midway,
        )
    assert any(m.startswith(stage) for m in seen)
    assert existing_output.read_bytes() == b"an earlier reel"
    assert _leftovers(existing_output.parent) == []


def test_ffmpeg_failures_raise_a_short_readable_error(tmp_path: Path) -> None:
    with pytest.raises(HighlightError) as err:
        run_ffmpeg(["-i", str(tmp_path / "nothing.mp4"), "-f", "null", "-"], duration_s=1.0, progress=no_progress)
    assert "No such file" in str(err.value)
    assert len(str(err.value)) < 1500


# ------------------------------------------------------------------------------------------------ geometry


def test_crop_keeps_the_frame_shape_from_the_centre_and_fit_keeps_the_whole_picture() -> None:
    assert rf.crop_to_fill((1920, 1080), (1080, 1920)) == (608, 1080)
    assert rf.crop_to_fill((1080, 1920), (1920, 1080)) == (1080, 608)
    assert rf.crop_to_fill((1920, 1080), (1080, 1080)) == (1080, 1080)
    assert rf.scale_to_fit((1920, 1080), (1080, 1920)) == (1080, 608)
    assert rf.scale_to_fit((480, 270), (1920, 1080)) == (1920, 1080)  # small sources scale up
    assert rf.same_shape((1280, 720), (1920, 1080))


def test_a_logo_sits_in_its_corner_for_the_whole_reel_and_turns_the_fast_path_off(
    out_dir: Path, hd_source: Path, vertical_plain: RenderResult
) -> None:
    logo = out_dir / "logo.png"
    Image.new("RGBA", (200, 100), (255, 0, 0, 255)).save(logo)
    spec = RenderSpec(
        clips=[Clip(source=hd_source, start_s=1.0, end_s=3.0)],
        output=out_dir / "logo.mp4",
        aspect="9:16",
        logo=LogoSpec(path=logo, position="bottom-left", width_fraction=0.2, opacity=1.0),
    )
    result = render(spec)
    assert not result.fast_path
    for at in (0.2, 1.8):
        with_logo, without = frame_at(result.path, at), frame_at(vertical_plain.path, at)
        margin = round(min(1080, 1920) * 0.04)
        corner = with_logo[1920 - margin - 100 : 1920 - margin - 10, margin + 10 : margin + 200]
        assert corner[..., 0].mean() > 200 and corner[..., 1].mean() < 60  # red, where the logo is
        assert np.abs(with_logo - without).mean(axis=2)[200:800, 200:900].mean() < 6  # elsewhere unchanged
    with pytest.raises(MediaNotFoundError, match="Logo image not found"):
        render(spec.model_copy(update={"logo": LogoSpec(path=out_dir / "none.png"), "output": out_dir / "x.mp4"}))
    assert not (out_dir / "x.mp4").exists()


def test_ffmpeg_is_spawned_with_no_python_in_the_child_and_dies_with_the_server(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No preexec_fn: Python run in a child forked from the threaded server can deadlock before exec
    (seen in CI: the child freed a PyAV scaler and waited forever on its slice threads). On Linux the
    kernel still kills ffmpeg with the server, through util-linux's setpriv (test_crash_recovery kills
    the server with -9 and finds no ffmpeg left)."""
    import shutil
    import subprocess
    import sys

    seen: list[tuple[list[str], dict[str, object]]] = []
    real = subprocess.Popen

    def spy(cmd: list[str], **kwargs: object) -> subprocess.Popen[bytes]:
        seen.append((cmd, kwargs))
        return real(cmd, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", spy)
    run_ffmpeg(
        ["-f", "lavfi", "-i", "nullsrc=s=16x16:d=0.04", "-f", "null", "-"], duration_s=0.04, progress=no_progress
    )
    ((cmd, kwargs),) = seen
    assert kwargs.get("preexec_fn") is None
    assert "ffmpeg" in Path(cmd[0] if "setpriv" not in cmd[0] else cmd[4]).name
    if sys.platform.startswith("linux") and shutil.which("setpriv"):
        assert cmd[:4] == [shutil.which("setpriv"), "--pdeathsig", "KILL", "--"]
