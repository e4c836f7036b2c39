"""The one table of media kinds (video, image, sound) and their usual extensions, and detection by content.

Extensions are only a hint (for file pickers, the language parser, cloud uploads where the file is
remote): what a local file *is* is decided by `kind_of`, which opens it with PyAV (FFmpeg) and looks
at its streams, so anything FFmpeg reads is accepted whatever its name, and a renamed text file is not.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Literal

from mcp_highlight.core.errors import BadInputError, CorruptMediaError, MediaNotFoundError, UnsupportedMediaError

if TYPE_CHECKING:  # PyAV loads when a file is opened, not when the kinds table is read (CLI start-up)
    import av

MediaKind = Literal["video", "image", "audio"]

# kind -> {extension: MIME type}. The extensions are those we have tested or that FFmpeg reads the same way.
TABLE: dict[MediaKind, dict[str, str]] = {
    "video": {
        "mp4": "video/mp4",
        "mov": "video/quicktime",
        "m4v": "video/x-m4v",
        "mkv": "video/x-matroska",
        "webm": "video/webm",
        "avi": "video/x-msvideo",
        "mts": "video/mp2t",
        "m2ts": "video/mp2t",
        "ts": "video/mp2t",
        "mpg": "video/mpeg",
        "mpeg": "video/mpeg",
        "vob": "video/mpeg",
        "3gp": "video/3gpp",
        "wmv": "video/x-ms-wmv",
        "asf": "video/x-ms-asf",
        "flv": "video/x-flv",
        "mxf": "application/mxf",
        "dv": "video/x-dv",
        "ogv": "video/ogg",
    },
    "image": {
        "jpg": "image/jpeg",
        "jpeg": "image/jpeg",
        "png": "image/png",
        "gif": "image/gif",
        "webp": "image/webp",
        "bmp": "image/bmp",
        "tif": "image/tiff",
        "tiff": "image/tiff",
    },
    "audio": {
        "mp3": "audio/mpeg",
        "wav": "audio/wav",
        "m4a": "audio/mp4",
        "aac": "audio/aac",
        "flac": "audio/flac",
        "ogg": "audio/ogg",
        "opus": "audio/opus",
        "wma": "audio/x-ms-wma",
        "aiff": "audio/aiff",
    },
}

WORDS: dict[MediaKind, str] = {"video": "video", "image": "picture", "audio": "sound"}

# Demuxers that read still pictures (an animated GIF is a picture here: it is used as a logo).
_IMAGE_DEMUXERS = {"image2", "gif", "apng", "webp"}
_STILL_SCAN_PACKETS = 400
_STILL_CODECS = {"png", "mjpeg", "bmp", "tiff", "webp", "gif", "jpegxl", "jpeg2000", "qoi"}
# What a few common non-media files start with, so a refusal can say what the file looks like.
_MAGIC = (
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (b"\x7fELF", "a program"),
    (b"MZ", "a Windows program"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"SQLite format 3", "an SQLite database"),
)


def extensions(kind: MediaKind) -> tuple[str, ...]:
    return tuple(TABLE[kind])


ALL_EXTENSIONS: tuple[str, ...] = tuple(ext for kind in TABLE for ext in TABLE[kind])


def kind_for_name(name: str | PurePath) -> MediaKind | None:
    """The kind a file name suggests (for remote files and text); None for an unknown extension."""
    ext = PurePath(name).suffix.lower().lstrip(".")
    return next((kind for kind, table in TABLE.items() if ext in table), None)


def mime_type(name: str | PurePath) -> str | None:
    ext = PurePath(name).suffix.lower().lstrip(".")
    return next((table[ext] for table in TABLE.values() if ext in table), None)


def supported_text() -> str:
    """One line for hints: the tested extensions, by kind."""
    return (
        "; ".join(f"{WORDS[kind]}: {', '.join(exts)}" for kind, exts in TABLE.items())
        + " (and anything else FFmpeg reads)"
    )


@dataclass(frozen=True)
class Detected:
    """What a file turned out to contain."""

    kind: MediaKind
    container: str  # FFmpeg's long name for the demuxer, such as "MPEG-TS (MPEG-2 Transport Stream)"
    video_codec: str | None = None
    audio_codec: str | None = None

    def describe(self) -> str:
        """`MPEG-TS (MPEG-2 Transport Stream) with h264 video and ac3 sound`, for messages."""
        parts = [f"{self.video_codec} {'picture' if self.kind == 'image' else 'video'}"] if self.video_codec else []
        parts += [f"{self.audio_codec} sound"] if self.audio_codec else []
        return self.container + (" with " + " and ".join(parts) if parts else "")


def looks_like_text(head: bytes) -> bool:
    if not head or b"\x00" in head:
        return False
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        return False
    printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text)
    return printable >= 0.95 * len(text)


def _read_head(path: Path) -> bytes:
    if not path.exists():
        raise MediaNotFoundError(f"No file at {str(path)!r}.", hint="Check the path; it must be on this computer.")
    if path.is_dir():
        raise MediaNotFoundError(f"{str(path)!r} is a folder, not a file.", hint="Give the path of one file inside it.")
    return read_head(path)


def read_head(path: Path) -> bytes:
    """The file's first 4 KB, where content detection looks; a file we may not read is a clear error."""
    try:
        with open(path, "rb") as handle:
            return handle.read(4096)
    except PermissionError as exc:
        raise BadInputError(
            f"{str(path)!r} cannot be read (permission denied).", hint="Check the file's permissions."
        ) from exc
    except OSError as exc:
        raise BadInputError(f"{str(path)!r} cannot be read ({exc.strerror}).") from exc


def refuse_non_media(path: Path, head: bytes) -> None:
    """Raise when the first bytes already show a text file, an archive, a document or a program."""
    if looks_like_text(head) or any(head.startswith(magic) for magic, _ in _MAGIC):
        raise _not_media(path, head, "")


def _not_media(path: Path, head: bytes, reason: str) -> UnsupportedMediaError:
    looks = next((what for magic, what in _MAGIC if head.startswith(magic)), None)
    if looks is None and looks_like_text(head):
        looks = "a text file"
    what = f"it looks like {looks}" if looks else reason
    return UnsupportedMediaError(
        f"{path.name!r} is not a video, picture or sound file: {what}.",
        hint=f"Check you picked the right file. Usual formats: {supported_text()}.",
    )


def detect(path: Path) -> Detected:
    """Open `path` and say what it holds, or raise a clear error naming what was found instead."""
    path = Path(os.path.expanduser(str(path)))
    head = _read_head(path)
    if not head:
        raise CorruptMediaError(f"{path.name!r} is empty (0 bytes).", hint="Copy or export the file again.")
    refuse_non_media(path, head)
    import av

    try:
        container = av.open(str(path), metadata_errors="ignore")
    except (av.FFmpegError, OSError) as exc:
        if _pillow_reads(path):
            return Detected(kind="image", container="picture")
        raise _not_media(path, head, f"FFmpeg cannot read it ({exc.__class__.__name__})") from exc
    with container:
        return _classify(path, container)


def _classify(path: Path, container: av.container.InputContainer) -> Detected:
    import av

    long_name = container.format.long_name or container.format.name
    names = set(container.format.name.split(","))
    pictures = [s for s in container.streams.video if not (s.disposition & av.stream.Disposition.attached_pic)]
    sounds = list(container.streams.audio)
    video_codec = _codec_name(pictures[0]) if pictures else None
    audio_codec = _codec_name(sounds[0]) if sounds else None
    found = Detected(kind="video", container=long_name, video_codec=video_codec, audio_codec=audio_codec)
    if pictures and (names & _IMAGE_DEMUXERS or any(n.endswith("_pipe") for n in names)):
        return Detected(kind="image", container=long_name, video_codec=video_codec)
    if pictures and not _is_still(container, pictures[0]):
        return found
    if sounds:
        return Detected(kind="audio", container=long_name, audio_codec=audio_codec)
    if pictures:
        return Detected(kind="image", container=long_name, video_codec=video_codec)
    kinds = sorted({s.type for s in container.streams}) or ["no streams"]
    raise UnsupportedMediaError(
        f"{path.name!r} has no picture or sound: FFmpeg reads it as {long_name} with {', '.join(kinds)}.",
        hint="Give a video, picture or sound file.",
    )


def _codec_name(stream: av.stream.Stream) -> str | None:
    ctx = stream.codec_context
    return ctx.codec.name if ctx is not None and ctx.codec is not None else None


def _is_still(container: av.container.InputContainer, stream: av.video.stream.VideoStream) -> bool:
    """One picture in a still-image codec (cover art stored as a plain stream, a lone JPEG in a container).

    Motion JPEG and friends are video: their stream has a second picture within the first packets.
    """
    import av

    if _codec_name(stream) not in _STILL_CODECS or stream.frames > 1:
        return False
    if stream.frames == 1:
        return True
    pictures = 0
    try:
        for count, packet in enumerate(container.demux()):
            if packet.stream.index == stream.index and packet.size:
                pictures += 1
            if pictures > 1 or count >= _STILL_SCAN_PACKETS:
                break
    except av.FFmpegError:
        pass
    return pictures <= 1


def _pillow_reads(path: Path) -> bool:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            image.verify()
        return True
    except Image.DecompressionBombError:
        return True  # a picture, too large to unpack: `probe_image` refuses it by its declared size
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return False


def kind_of(path: Path) -> MediaKind:
    """The kind of a local file, decided by its content."""
    return detect(path).kind
