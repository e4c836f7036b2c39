"""One synthetic game written the ways cameras, phones, capture cards and old editors write it.

Every copy goes through the whole local pipeline (probe -> analyse -> plan -> render) and must give
a valid reel (H.264 High yuv420p BT.709 1920x1080, AAC stereo, moov first) holding the same moments
as the plain MP4 (recall within 0.1). The copies are FFmpeg encodes of one base game, cached outside
git (the plain MP4 is one of them, so every copy is one encode of the same master); they are small (320x180) where the point is the container or codec. The reels rendered here
are 1.5 s around each planned moment: enough to prove the file renders, while the plan (what a full
reel holds) carries the recall check.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import av
import numpy as np
import pytest
from conftest import MakeGame
from footage.quality import recall
from footage.samples import GroundTruth
from media_files import MEDIA_CACHE, cached_ffmpeg
from reel_checks import assert_valid_reel

from mcp_highlight.engine.judge.analyse import analyse
from mcp_highlight.engine.media.probe import probe
from mcp_highlight.engine.plan.clip import Clip
from mcp_highlight.engine.plan.planner import PlanRequest, plan_reel
from mcp_highlight.engine.render.reel import render
from mcp_highlight.engine.render.spec import RenderResult, RenderSpec

MATRIX = MEDIA_CACHE / "formats"
X264 = ("-c:v", "libx264", "-preset", "ultrafast")
INTERLACED = ("-vf", "setfield=tff", "-flags", "+ildct+ilme")
HLG = "zscale=tin=bt709:min=bt709:pin=bt709:rin=tv:t=arib-std-b67:m=bt2020nc:p=bt2020:r=tv:npl=203"
PQ = "zscale=tin=bt709:min=bt709:pin=bt709:rin=tv:t=smpte2084:m=bt2020nc:p=bt2020:r=tv:npl=203"
HDR_TAGS = ("-color_primaries", "bt2020", "-colorspace", "bt2020nc")
X265 = ("-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error")


def _late_and_short_sound(base: str) -> tuple[str, ...]:
    # The sound track starts 2 s after the picture and stops 8 s before it ends (timestamps kept).
    return ("-i", base, "-map", "0:v", "-map", "1:a", *X264, "-af", "atrim=start=2:end=72", "-c:a", "aac")


def _two_tracks(base: str) -> tuple[str, ...]:
    # Track 1: a commentary-like hiss, not the default; track 2: the game sound, marked default.
    return (
        "-f", "lavfi", "-i", "anoisesrc=color=pink:amplitude=0.3:sample_rate=48000:d=80",
        "-map", "0:v", "-map", "1:a", "-map", "0:a", *X264, "-c:a", "aac",
        "-disposition:a:0", "0", "-disposition:a:1", "default",
        "-metadata:s:a:0", "title=Commentary", "-metadata:s:a:1", "title=Stadium",
    )  # fmt: skip


@dataclass(frozen=True)
class Variant:
    name: str
    suffix: str
    args: tuple[str, ...]
    window: tuple[float, float] | None = None  # a cut of the base (seconds), for the heavy ones
    more_inputs: Callable[[str], tuple[str, ...]] | None = None  # extra inputs and maps, given the base path
    damage: str | None = None  # "ts-packets" or "audio-frame"
    fps: float = 30.0
    hdr: str | None = None
    interlaced: bool = False
    notes: tuple[str, ...] = field(default=())  # words the render warnings must contain
    known_issue: str | None = None  # an expected failure elsewhere in the pipeline, named


VARIANTS = [
    Variant("avchd", "mts", (*X264, *INTERLACED, "-c:a", "ac3", "-f", "mpegts", "-mpegts_m2ts_mode", "1"),
            interlaced=True, notes=("interlaced",)),
    Variant("broadcast", "ts", ("-c:v", "mpeg2video", "-q:v", "3", *INTERLACED, "-c:a", "mp2", "-f", "mpegts"),
            interlaced=True),
    Variant("mpeg-ps", "mpg", ("-c:v", "mpeg1video", "-q:v", "3", "-c:a", "mp2", "-f", "mpeg")),
    Variant("dvd", "vob", ("-c:v", "mpeg2video", "-q:v", "3", "-c:a", "ac3", "-f", "vob")),
    Variant("itunes", "m4v", (*X264, "-c:a", "aac", "-f", "mp4")),
    Variant("phone-3gp", "3gp", (*X264, "-profile:v", "baseline", "-c:a", "aac", "-ac", "1", "-f", "3gp")),
    Variant("windows-media", "wmv", ("-c:v", "wmv2", "-q:v", "3", "-c:a", "wmav2", "-f", "asf")),
    Variant("asf", "asf", ("-c:v", "msmpeg4", "-q:v", "3", "-c:a", "wmav2", "-f", "asf")),
    Variant("flash", "flv", ("-c:v", "flv1", "-q:v", "3", "-c:a", "libmp3lame", "-ar", "44100", "-f", "flv")),
    Variant("broadcast-mxf", "mxf", ("-c:v", "mpeg2video", "-q:v", "3", "-r", "30000/1001", "-c:a", "pcm_s16le",
                                     "-ar", "48000", "-f", "mxf"), fps=29.97),
    Variant("camcorder-dv", "dv", ("-vf", "scale=720:576,setsar=16/15", "-r", "25", "-c:v", "dvvideo",
                                   "-pix_fmt", "yuv420p", "-chroma_sample_location", "topleft",
                                   "-af", "aresample=async=1:first_pts=0,apad", "-c:a", "pcm_s16le", "-ar", "48000",
                                   "-ac", "2", "-t", "19.96", "-f", "dv"),
            window=(14.0, 34.0), fps=25.0, interlaced=True),
    Variant("theora", "ogv", ("-c:v", "libtheora", "-q:v", "6", "-c:a", "libvorbis", "-f", "ogg")),
    Variant("webm-vp9", "webm", ("-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "400k",
                                 "-g", "60", "-c:a", "libopus")),
    Variant("webm-vp9-one-keyframe", "webm", ("-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8",
                                              "-b:v", "400k", "-c:a", "libopus")),
    Variant("prores", "mov", ("-c:v", "prores_ks", "-profile:v", "2", "-c:a", "pcm_s16le")),
    Variant("hlg-hevc", "mp4", ("-vf", f"{HLG},format=yuv420p10le", *X265, "-tag:v", "hvc1", "-color_trc",
                                "arib-std-b67", *HDR_TAGS, "-c:a", "aac"), hdr="hlg", notes=("HDR (HLG)",)),
    Variant("pq-av1", "mkv", ("-vf", f"{PQ},format=yuv420p10le", "-c:v", "libsvtav1", "-preset", "12", "-crf", "40",
                              "-color_trc", "smpte2084", *HDR_TAGS, "-c:a", "flac"), hdr="pq", notes=("HDR (PQ)",)),
    Variant("vfr", "mp4", ("-vf", "select='not(mod(n\\,3))+between(t\\,18\\,31)+between(t\\,56\\,69)'",
                           "-fps_mode", "vfr", *X264, "-c:a", "copy")),
    Variant("late-short-sound", "mkv", (), more_inputs=_late_and_short_sound),
    Variant("two-tracks", "mkv", (), more_inputs=_two_tracks, notes=("track 2 of 2",)),
    Variant("surround-5.1", "mp4", (*X264, "-af",
                                    "pan=5.1|FL=c0|FR=c1|FC=0.5*c0+0.5*c1|LFE=0*c0|BL=0.5*c0|BR=0.5*c1",
                                    "-c:a", "ac3")),
    Variant("4k60", "mp4", ("-vf", "scale=3840:2160:flags=bilinear,fps=60", *X264, "-crf", "30", "-c:a", "aac"),
            window=(18.0, 30.0), fps=60.0),
    Variant("damaged-ts", "ts", (*X264, "-c:a", "mp2", "-f", "mpegts"), damage="ts-packets"),
    Variant("damaged-avi-ac3", "avi", ("-c:v", "mpeg4", "-q:v", "3", "-c:a", "ac3"), damage="audio-frame",
            notes=("damaged sound frame",)),
]  # fmt: skip


@pytest.fixture(scope="module")
def base(make_game: MakeGame) -> tuple[Path, GroundTruth]:
    """An 80 s match with two events, a loud and a busy decoy: the plain MP4 every copy is compared with."""
    return make_game("formats-base.mp4", duration_s=80, width=320, height=180, seed=3)


def _events(truth: GroundTruth, window: tuple[float, float] | None) -> list[tuple[float, float]]:
    if window is None:
        return list(truth.events)
    a, b = window
    return [(s - a, e - a) for s, e in truth.events if s >= a and e <= b]


def _make(variant: Variant, base: Path) -> Path:
    key = hashlib.sha1(repr((variant, base.name)).encode()).hexdigest()[:10]
    path = MATRIX / f"{variant.name}-{key}.{variant.suffix}"
    if path.exists():
        return path
    cut = ("-ss", str(variant.window[0]), "-t", str(variant.window[1] - variant.window[0])) if variant.window else ()
    extra = variant.more_inputs(str(base)) if variant.more_inputs else ()
    made = cached_ffmpeg(path.with_name("clean-" + path.name), *cut, "-i", str(base), *extra, *variant.args)
    data = bytearray(made.read_bytes())
    if variant.damage == "ts-packets":
        _damage_ts(data)
    elif variant.damage == "audio-frame":
        for second in range(14, 41):  # one broken frame a second, so every planned moment meets one
            _damage_audio_frame(made, data, at_s=float(second))
    tmp = path.with_name("tmp-" + path.name)
    tmp.write_bytes(bytes(data))
    tmp.replace(path)
    return path


def _damage_ts(data: bytearray) -> None:
    """Scramble the payload of a few transport packets (sync bytes kept): bit errors in a broadcast capture."""
    rng = np.random.default_rng(11)
    packets = len(data) // 188
    for index in rng.choice(np.arange(packets // 10, packets - 10), size=6, replace=False):
        start = int(index) * 188 + 4
        data[start : start + 184] = rng.integers(0, 256, 184, dtype=np.uint8).tobytes()


def _damage_audio_frame(path: Path, data: bytearray, *, at_s: float) -> None:
    """Break the AC-3 sync word of the sound frame playing at `at_s` (the file stays the same size)."""
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        for packet in container.demux(stream):
            if packet.pts is not None and float(packet.pts * stream.time_base) >= at_s and packet.pos:
                position = int(packet.pos)
                break
        else:
            raise AssertionError("no sound packet to damage")
    sync = data.find(b"\x0b\x77", position)
    assert 0 <= sync - position < 64, "the AC-3 sync word was not where the packet starts"
    data[sync : sync + 64] = bytes(64)


def _reel(path: Path, moments: list[tuple[float, float]], out: Path) -> RenderResult:
    clips = [Clip(source=path, start_s=(a + b) / 2 - 0.75, end_s=(a + b) / 2 + 0.75) for a, b in moments]
    return render(RenderSpec(clips=clips, output=out))


def _recall(path: Path, events: list[tuple[float, float]]) -> tuple[float, list[tuple[float, float]]]:
    plan = plan_reel([analyse(probe(path))], PlanRequest(moments=max(1, len(events))))
    kept = [(m.start_s, m.end_s) for m in plan.moments]
    return recall(events, kept), kept


Window = tuple[float, float] | None


@pytest.fixture(scope="module")
def plain(base: tuple[Path, GroundTruth]) -> dict[Window, tuple[float, list[tuple[float, float]]]]:
    """The plain MP4's recall and moments, for the whole game and for each cut the heavy copies use."""
    path, truth = base
    results = {}
    for window in {None, *(v.window for v in VARIANTS)}:
        # Written like every copy (one FFmpeg encode of the master game), as a plain H.264/AAC MP4.
        cut = ("-ss", str(window[0]), "-t", str(window[1] - window[0])) if window else ()
        name = f"plain-{window[0]:g}-{window[1]:g}" if window else "plain"
        plain_mp4 = cached_ffmpeg(MATRIX / f"{name}-{path.stem}.mp4", *cut, "-i", str(path), *X264, "-c:a", "aac")
        results[window] = _recall(plain_mp4, _events(truth, window))
    return results


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: v.name)
def test_every_format_gives_a_valid_reel_with_the_same_moments(
    variant: Variant,
    base: tuple[Path, GroundTruth],
    plain: dict[Window, tuple[float, list[tuple[float, float]]]],
    tmp_path: Path,
) -> None:
    path = _make(variant, base[0])
    info = probe(path)
    assert info.video is not None
    assert info.video.hdr == variant.hdr
    assert info.video.interlaced == variant.interlaced
    events = _events(base[1], variant.window)
    found, kept = _recall(path, events)
    plain_found, plain_kept = plain[variant.window]

    # Reading and rendering are checked for every format, known judgement issue or not.
    result = _reel(path, kept, tmp_path / "reel.mp4")
    assert_valid_reel(result, (1920, 1080), bt709=True)
    assert result.fps == pytest.approx(variant.fps, abs=0.01)
    assert result.duration_s == pytest.approx(1.5 * len(kept), abs=0.15)
    for words in variant.notes:
        assert any(words in w for w in result.warnings), result.warnings

    # The moments: the true events (ground truth), and the same ones the plain MP4 gives.
    same = recall(plain_kept, kept)
    if variant.known_issue:
        if found >= 0.9 and same >= 0.9:
            pytest.fail(f"the known issue no longer shows, drop it from the variant: {variant.known_issue}")
        pytest.xfail(variant.known_issue)
    assert plain_found >= 0.9, (plain_found, plain_kept, events)
    assert found >= 0.9, (found, kept, events)
    assert same >= 0.9, (kept, plain_kept)  # the same moments, not just as many events


def _mid_frame_luma(path: Path) -> np.ndarray:
    """Luma (0-255) of the frame in the middle of a reel, at 1/8 size."""
    with av.open(str(path)) as container:
        frames = list(container.decode(video=0))
    return frames[len(frames) // 2].reformat(width=240, height=135, format="gray").to_ndarray().astype(np.float64)


@pytest.mark.parametrize("name", ["hlg-hevc", "pq-av1"])
def test_hdr_comes_out_as_bright_as_the_same_scene_in_sdr(
    name: str, base: tuple[Path, GroundTruth], tmp_path: Path
) -> None:
    variant = next(v for v in VARIANTS if v.name == name)
    hdr = _make(variant, base[0])
    calm = [(39.0, 41.0)]  # calm play: pitch, lines and a player, mostly mid-tones
    sdr_reel = _reel(base[0], calm, tmp_path / "sdr.mp4")
    hdr_reel = _reel(hdr, calm, tmp_path / "hdr.mp4")
    sdr, converted = _mid_frame_luma(sdr_reel.path), _mid_frame_luma(hdr_reel.path)
    mid = (sdr > 40) & (sdr < 200)
    assert mid.mean() > 0.5  # the comparison is about mid-tones, and the scene is mostly mid-tones
    assert abs(converted[mid].mean() - sdr[mid].mean()) <= 0.03 * sdr[mid].mean()
    assert np.abs(converted[mid] - sdr[mid]).mean() < 6  # no pixel-level drift either (colour matrix, range)
