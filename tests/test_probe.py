"""probe reads what later stages rely on, and refuses every kind of bad input with a named reason."""

from __future__ import annotations

import os
import random
import subprocess
from pathlib import Path

import pytest
from conftest import MakeGame
from PIL import Image

from mcp_highlight.core.errors import (
    BadInputError,
    CorruptMediaError,
    MediaNotFoundError,
    MediaTooLargeError,
    UnsupportedMediaError,
)
from mcp_highlight.engine.media import kinds as media_kinds
from mcp_highlight.engine.media.assets import probe_audio, probe_image
from mcp_highlight.engine.media.ffmpeg import ffmpeg_exe
from mcp_highlight.engine.media.probe import probe


def _ffmpeg(*args: str) -> None:
    subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


@pytest.fixture(scope="session")
def small_game(make_game: MakeGame) -> Path:
    return make_game("probe.mp4", duration_s=12, width=320, height=180, seed=5)[0]


@pytest.mark.parametrize(
    ("ext", "vcodec", "acodec"),
    [
        ("mp4", "h264", "aac"),
        ("mov", "h264", "aac"),
        ("mkv", "h264", "aac"),
        ("webm", "vp9", "opus"),
        ("avi", "mpeg4", "mp3"),
    ],
)
def test_every_supported_container_probes_with_its_codecs(
    make_game: MakeGame, ext: str, vcodec: str, acodec: str
) -> None:
    path, _ = make_game(f"container.{ext}", duration_s=6, width=320, height=180, seed=1)
    info = probe(path)
    assert info.video is not None and info.audio is not None
    assert (info.video.codec, info.audio.codec) == (vcodec, acodec)
    assert (info.video.width, info.video.height) == (320, 180)
    assert info.duration_s == pytest.approx(6, abs=0.3)
    assert info.video.fps == pytest.approx(30, abs=0.5)
    assert not info.video.variable_fps
    assert info.warnings == []


def test_a_plain_game_reports_size_duration_and_audio(small_game: Path) -> None:
    info = probe(small_game)
    assert info.size_bytes == small_game.stat().st_size
    assert info.has_audio and info.audio is not None and info.audio.sample_rate == 48000
    assert info.video is not None and info.video.rotation == 0 and info.video.display_size == (320, 180)
    assert "320x180 h264 30fps" in info.describe()


def test_phone_rotation_metadata_is_read_and_swaps_the_display_size(make_game: MakeGame) -> None:
    path, _ = make_game("rotated.mp4", duration_s=4, width=320, height=180, rotation=90, seed=1)
    info = probe(path)
    assert info.video is not None
    assert (info.video.width, info.video.height) == (320, 180)
    assert info.video.rotation in (90, 270)
    assert info.video.display_size == (180, 320)


def test_variable_frame_rate_is_detected(make_game: MakeGame) -> None:
    path, _ = make_game("vfr.mkv", duration_s=16, width=320, height=180, variable_fps=True, seed=1)
    info = probe(path)
    assert info.video is not None and info.video.variable_fps
    assert 20 < info.video.fps < 31


def test_a_video_without_sound_has_no_audio(silent_game: tuple[Path, object]) -> None:
    info = probe(silent_game[0])
    assert info.audio is None and not info.has_audio
    assert "no audio" in info.describe()


def test_a_missing_file_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(MediaNotFoundError, match="No file at") as err:
        probe(tmp_path / "nowhere.mp4")
    assert "nowhere.mp4" in str(err.value)


def test_a_folder_is_refused_as_not_a_file(tmp_path: Path) -> None:
    folder = tmp_path / "clips.mp4"
    folder.mkdir()
    with pytest.raises(MediaNotFoundError, match="is a folder"):
        probe(folder)


def test_an_unreadable_file_says_permission_denied(
    small_game: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = tmp_path / "locked.mp4"
    locked.write_bytes(small_game.read_bytes())
    if os.geteuid() == 0:  # root reads anything: make open() fail the way it does for other users

        def denied(*args: object, **kwargs: object) -> None:
            raise PermissionError(13, "Permission denied")

        monkeypatch.setattr(media_kinds, "open", denied, raising=False)  # where the first bytes are read
    else:
        locked.chmod(0)
    with pytest.raises(BadInputError, match="permission denied") as err:
        probe(locked)
    assert "locked.mp4" in str(err.value)


def test_a_text_file_renamed_mp4_is_not_a_video(tmp_path: Path) -> None:
    fake = tmp_path / "notes.mp4"
    fake.write_text("Shopping list\n- eggs\n- milk\n" * 20)
    with pytest.raises(UnsupportedMediaError, match="text file") as err:
        probe(fake)
    assert "notes.mp4" in str(err.value)


def test_a_sound_only_file_is_not_a_video(tmp_path: Path) -> None:
    song = tmp_path / "song.mp4"
    _ffmpeg("-f", "lavfi", "-i", "sine=d=2", "-c:a", "aac", str(song))
    with pytest.raises(UnsupportedMediaError, match="no picture"):
        probe(song)


def test_the_content_decides_not_the_extension(tmp_path: Path, small_game: Path) -> None:
    renamed = tmp_path / "game.dat"
    renamed.write_bytes(small_game.read_bytes())
    assert probe(renamed).video is not None
    clip = tmp_path / "clip.flv"
    clip.write_bytes(b"FLV\x01" + bytes(2000))
    with pytest.raises(CorruptMediaError, match=r"'clip\.flv' has no readable video header"):
        probe(clip)


def test_a_transport_stream_behind_an_mp4_name_is_read_for_what_it_is(tmp_path: Path) -> None:
    ts = tmp_path / "broadcast.mp4"
    _ffmpeg("-f", "lavfi", "-i", "testsrc2=s=160x90:d=1", "-c:v", "libx264", "-f", "mpegts", str(ts))
    info = probe(ts)
    assert info.container == "mpegts" and info.video is not None and info.video.codec == "h264"


def test_an_unknown_video_codec_is_refused_with_a_conversion_hint(tmp_path: Path) -> None:
    plain = tmp_path / "plain.avi"
    _ffmpeg("-f", "lavfi", "-i", "testsrc2=s=160x90:d=2", "-c:v", "mpeg4", str(plain))
    odd = tmp_path / "odd.avi"
    odd.write_bytes(plain.read_bytes().replace(b"FMP4", b"QQQQ"))  # a FourCC no decoder knows
    with pytest.raises(UnsupportedMediaError, match=r"video codec in 'odd\.avi' cannot be decoded") as err:
        probe(odd)
    assert "ffmpeg -i INPUT" in str(err.value)


def test_a_file_over_the_size_limit_is_refused_before_it_is_opened(tmp_path: Path) -> None:
    big = tmp_path / "big.mp4"
    big.write_bytes(os.urandom(4096))  # would be CorruptMediaError if it were opened
    with pytest.raises(MediaTooLargeError, match="over the 0 MB limit"):
        probe(big, max_bytes=1000)


def test_a_single_frame_has_no_usable_duration(tmp_path: Path) -> None:
    still = tmp_path / "still.mp4"
    _ffmpeg("-f", "lavfi", "-i", "testsrc2=s=160x90:r=25", "-frames:v", "1", "-c:v", "libx264", str(still))
    with pytest.raises(UnsupportedMediaError, match="no length"):
        probe(still)


def test_an_empty_file_is_corrupt(tmp_path: Path) -> None:
    empty = tmp_path / "empty.mkv"
    empty.touch()
    with pytest.raises(CorruptMediaError, match="empty"):
        probe(empty)


def test_random_bytes_have_no_readable_header(tmp_path: Path) -> None:
    noise = tmp_path / "noise.mp4"
    noise.write_bytes(random.Random(7).randbytes(50_000))  # seeded: some random bytes pass for MPEG audio
    with pytest.raises(CorruptMediaError, match="no readable video header"):
        probe(noise)


@pytest.mark.parametrize("ext", ["mp4", "mkv"])
def test_a_file_cut_in_half_still_probes_with_a_warning(small_game: Path, tmp_path: Path, ext: str) -> None:
    whole = tmp_path / f"whole.{ext}"
    _ffmpeg("-i", str(small_game), "-c", "copy", *(["-movflags", "+faststart"] if ext == "mp4" else []), str(whole))
    half = tmp_path / f"half.{ext}"
    data = whole.read_bytes()
    half.write_bytes(data[: len(data) // 2])
    info = probe(half)
    assert 2 < info.duration_s < 10, info.duration_s
    assert info.warnings and "ends early" in info.warnings[0]


def test_a_cut_file_whose_index_was_at_the_end_is_corrupt(small_game: Path, tmp_path: Path) -> None:
    whole = tmp_path / "whole.mp4"
    _ffmpeg("-i", str(small_game), "-c", "copy", str(whole))  # no faststart: the index is written last
    half = tmp_path / "half.mp4"
    half.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(CorruptMediaError, match=r"half\.mp4"):
        probe(half)


@pytest.mark.parametrize(("ext", "codec"), [("wav", "pcm_s16le"), ("mp3", "mp3"), ("m4a", "aac")])
def test_music_files_probe_with_their_duration(tmp_path: Path, ext: str, codec: str) -> None:
    music = tmp_path / f"bed.{ext}"
    _ffmpeg("-f", "lavfi", "-i", "sine=d=3:sample_rate=44100", str(music))
    info = probe_audio(music)
    assert info.audio is not None and info.audio.codec == codec
    assert info.duration_s == pytest.approx(3, abs=0.1)
    assert info.video is None


def test_music_errors_name_the_problem(tmp_path: Path, small_game: Path) -> None:
    with pytest.raises(MediaNotFoundError):
        probe_audio(tmp_path / "missing.mp3")
    with pytest.raises(UnsupportedMediaError, match=r"'probe[^']*\.mp4' is a video, not a music file"):
        probe_audio(small_game)
    lyrics = tmp_path / "lyrics.mp3"
    lyrics.write_text("la la la\n" * 50)
    with pytest.raises(UnsupportedMediaError, match="text file"):
        probe_audio(lyrics)
    junk = tmp_path / "junk.m4a"
    junk.write_bytes(random.Random(1).randbytes(20_000))  # seeded: some random bytes probe as LRC lyrics
    with pytest.raises(CorruptMediaError, match=r"junk\.m4a"):
        probe_audio(junk)


def test_logos_probe_with_size_and_transparency(tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    Image.new("RGBA", (64, 32), (255, 0, 0, 128)).save(logo)
    info = probe_image(logo)
    assert (info.width, info.height, info.format, info.has_alpha) == (64, 32, "PNG", True)
    photo = tmp_path / "photo.jpg"
    Image.new("RGB", (40, 30), "blue").save(photo)
    assert probe_image(photo).has_alpha is False
    anim = tmp_path / "anim.gif"
    frames = [Image.new("RGB", (20, 20), (80 * i, 0, 0)) for i in range(3)]
    frames[0].save(anim, save_all=True, append_images=frames[1:])
    assert probe_image(anim).frames == 3


def test_image_errors_name_the_problem(tmp_path: Path, small_game: Path) -> None:
    fake = tmp_path / "logo.png"
    fake.write_bytes(random.Random(2).randbytes(3000))
    with pytest.raises(UnsupportedMediaError, match="not a picture"):
        probe_image(fake)
    good = tmp_path / "good.png"
    Image.effect_noise((200, 200), 50).save(good)
    cut = tmp_path / "cut.png"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(CorruptMediaError, match=r"cut\.png"):
        probe_image(cut)
    bitmap = tmp_path / "x.bmp"
    Image.new("RGB", (8, 8)).save(bitmap)
    assert probe_image(bitmap).format == "BMP"  # any picture Pillow reads will do
    with pytest.raises(UnsupportedMediaError, match="not a picture"):
        probe_image(small_game)
