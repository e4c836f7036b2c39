"""What a file is comes from its content (one table of kinds and extensions), and non-media is named."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from media_files import MEDIA_CACHE, cached_ffmpeg
from PIL import Image

from mcp_highlight.core.errors import CorruptMediaError, MediaNotFoundError, UnsupportedMediaError
from mcp_highlight.engine.media import kinds as media_kinds
from mcp_highlight.engine.media.kinds import detect, kind_for_name, kind_of, mime_type

KINDS = MEDIA_CACHE / "kinds"
_TEST = ("-f", "lavfi", "-i", "testsrc2=s=160x90:r=10:d=2")
_TONE = ("-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=2")


def test_the_table_gives_each_extension_one_kind_and_a_mime_type() -> None:
    seen = [ext for kind in media_kinds.TABLE for ext in media_kinds.TABLE[kind]]
    assert len(seen) == len(set(seen))
    assert kind_for_name("GAME.MTS") == "video" and kind_for_name("a/b/c.flac") == "audio"
    assert kind_for_name("logo.PNG") == "image" and kind_for_name("notes.txt") is None
    assert mime_type("clip.m2ts") == "video/mp2t" and mime_type("x.unknown") is None
    for ext in ("mts", "m2ts", "ts", "mpg", "mpeg", "vob", "m4v", "3gp", "wmv", "asf", "flv", "mxf", "dv", "ogv"):
        assert ext in media_kinds.extensions("video")
    for ext in ("flac", "ogg", "opus", "wma"):
        assert ext in media_kinds.extensions("audio")


def test_video_picture_and_sound_are_told_apart_by_content_whatever_the_name(tmp_path: Path) -> None:
    video = cached_ffmpeg(KINDS / "clip.mp4", *_TEST, *_TONE, "-c:v", "libx264", "-preset", "ultrafast", "-shortest")
    renamed = tmp_path / "clip.txt"
    renamed.write_bytes(video.read_bytes())
    assert kind_of(video) == "video"
    assert kind_of(renamed) == "video"  # the name lies; the content decides
    found = detect(video)
    assert (found.video_codec, found.audio_codec) == ("h264", "aac")
    assert "QuickTime / MOV" in found.describe() and "h264 video" in found.describe()

    sound = cached_ffmpeg(KINDS / "tone.flac", *_TONE)
    assert kind_of(sound) == "audio"
    logo = tmp_path / "logo.bin"
    Image.new("RGBA", (32, 16), (255, 0, 0, 128)).save(logo, format="PNG")
    assert kind_of(logo) == "image"
    photo = tmp_path / "photo.jpg"
    Image.new("RGB", (40, 30), "blue").save(photo)
    assert kind_of(photo) == "image"


def test_a_song_with_cover_art_is_sound_and_motion_jpeg_is_video(tmp_path: Path) -> None:
    cover = tmp_path / "cover.jpg"
    Image.new("RGB", (64, 64), "green").save(cover)
    song = KINDS / "song-with-cover.mp3"
    cached_ffmpeg(song, *_TONE, "-i", str(cover), "-map", "0:a", "-map", "1:v", "-c:v", "mjpeg", "-id3v2_version", "3")
    assert kind_of(song) == "audio"
    mjpeg = cached_ffmpeg(KINDS / "mjpeg.avi", *_TEST, "-c:v", "mjpeg")
    assert kind_of(mjpeg) == "video"


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("notes.mp4", b"just some notes\n" * 40, "text file"),
        ("report.mov", b"%PDF-1.7\n" + bytes(600), "PDF"),
        ("noise.mkv", bytes(range(256)) * 40, "FFmpeg cannot read it"),
    ],
)
def test_non_media_is_refused_naming_what_it_looks_like(tmp_path: Path, name: str, content: bytes, words: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(UnsupportedMediaError, match=words) as err:
        kind_of(path)
    assert name in str(err.value)


def test_an_archive_an_empty_file_and_a_missing_file_are_named(tmp_path: Path) -> None:
    archive = tmp_path / "footage.mp4"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("a.txt", "hello")
    with pytest.raises(UnsupportedMediaError, match="ZIP archive"):
        kind_of(archive)
    empty = tmp_path / "empty.mp4"
    empty.touch()
    with pytest.raises(CorruptMediaError, match="empty"):
        kind_of(empty)
    with pytest.raises(MediaNotFoundError):
        kind_of(tmp_path / "missing.mp4")


def test_a_file_with_only_subtitles_says_what_ffmpeg_found(tmp_path: Path) -> None:
    srt = tmp_path / "subs.srt"
    srt.write_text("1\n00:00:00,000 --> 00:00:01,000\nhello\n")
    subs = cached_ffmpeg(KINDS / "subs-only.mkv", "-i", str(srt), "-c:s", "srt")
    with pytest.raises(UnsupportedMediaError, match=r"no picture or sound.*Matroska.*subtitle"):
        kind_of(subs)
