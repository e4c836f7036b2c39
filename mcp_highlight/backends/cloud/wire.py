"""Reading the hosted API's loosely shaped answers: media lists, upload ids, bind ids, step names.

The contract (shared/cloud-api.md) leaves these shapes undocumented, so each reader tries the
keys seen in practice and never fails on a missing one.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlparse

from mcp_highlight.backends.models import MediaItem, MediaKind
from mcp_highlight.engine.media import kinds as media_kinds

_STEP_VERBS = {
    "add": "Adding",
    "remove": "Removing",
    "delete": "Removing",
    "generate": "Generating",
    "create": "Creating",
    "set": "Setting",
    "update": "Updating",
    "trim": "Trimming",
    "cut": "Cutting",
    "split": "Splitting",
    "apply": "Applying",
    "make": "Making",
    "get": "Reading",
    "analyze": "Analysing",
    "analyse": "Analysing",
    "render": "Rendering",
    "move": "Moving",
    "replace": "Replacing",
}
_STEP_NOUNS = {"text": "title", "bgm": "music", "audio": "audio", "video": "video", "subtitle": "captions"}


def step_name(function_name: str) -> str:
    """`add_text` → "Adding title": the step in progress, named for people."""
    words = [w for w in function_name.replace("-", "_").split("_") if w]
    if not words:
        return "Working"
    verb = _STEP_VERBS.get(words[0].lower())
    rest = " ".join(_STEP_NOUNS.get(w.lower(), w.lower()) for w in words[1:])
    if verb:
        return f"{verb} {rest}".strip()
    return f"Working: {' '.join(words).lower()}"


def first_of(info: dict[str, Any], *keys: str) -> Any:
    for key in keys:
        value = info.get(key)
        if value not in (None, ""):
            return value
    return None


def kind_of_name(name: str) -> MediaKind:
    """Remote files cannot be opened here: the name's extension decides, video by default."""
    return media_kinds.kind_for_name(PurePosixPath(name)) or "video"


def megabytes(size: float) -> str:
    return f"{size / 1e6:.1f} MB" if size >= 1e5 else f"{size / 1e3:.0f} kB"


def media_item(index: int, info: dict[str, Any]) -> MediaItem:
    """One `video_infos` entry (shape undocumented: read leniently) as a MediaItem."""
    url = first_of(info, "url", "video_url", "file_url", "src")
    name = str(first_of(info, "name", "file_name", "filename", "title") or "")
    if not name and isinstance(url, str):
        name = PurePosixPath(urlparse(url).path).name
    name = name or f"media {index}"
    media_id = str(first_of(info, "id", "video_id", "file_id", "media_id", "asset_id") or name)
    declared = str(first_of(info, "type", "media_type", "kind") or "").lower()
    kinds: tuple[MediaKind, ...] = ("image", "audio", "video")
    kind = next((k for k in kinds if k in declared), None) or kind_of_name(name)
    duration: float | None = None
    if isinstance(info.get("duration_ms"), int | float):
        duration = info["duration_ms"] / 1000
    elif isinstance(info.get("duration"), int | float):
        duration = float(info["duration"])
        if duration > 100_000:  # milliseconds, not seconds
            duration /= 1000
    width = first_of(info, "width", "w")
    height = first_of(info, "height", "h")
    size = first_of(info, "size", "size_bytes", "file_size")
    bits = []
    if isinstance(width, int) and isinstance(height, int):
        bits.append(f"{width}x{height}")
    if duration is not None:
        bits.append(f"{duration:.1f}s")
    if isinstance(size, int | float):
        bits.append(megabytes(size))
    return MediaItem(
        id=media_id,
        name=name,
        kind=kind,
        path=url if isinstance(url, str) else None,
        info=", ".join(bits),
        duration_s=duration,
        width=width if isinstance(width, int) else None,
        height=height if isinstance(height, int) else None,
        size_bytes=int(size) if isinstance(size, int | float) else None,
        analysed=True,
    )


def media_list(video_infos: Any) -> list[MediaItem]:
    if isinstance(video_infos, dict):
        entries = [dict(v, id=v.get("id", k)) if isinstance(v, dict) else {"id": k} for k, v in video_infos.items()]
    elif isinstance(video_infos, list):
        entries = [v for v in video_infos if isinstance(v, dict)]
    else:
        entries = []
    return [media_item(i, info) for i, info in enumerate(entries, start=1)]


def uploaded_id(data: Any) -> str | None:
    """The id the upload answer gives the new file, if any (shape undocumented)."""
    if isinstance(data, list) and data and isinstance(data[0], dict):
        return uploaded_id(data[0])
    if not isinstance(data, dict):
        return None
    for key in ("files", "videos", "video_infos", "media", "items", "results"):
        if isinstance(data.get(key), list):
            found = uploaded_id(data[key])
            if found:
                return found
    value = first_of(data, "id", "file_id", "video_id", "media_id", "asset_id")
    return str(value) if value is not None else None


def bind_id_of(data: Any) -> str | None:
    if isinstance(data, dict):
        value = first_of(data, "bind_id", "bindId", "user_id", "userId", "uid")
        if value is not None and str(value) != "me":
            return str(value)
    return None
