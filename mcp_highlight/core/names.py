"""File names made from what users and URLs give us, safe for every file system and editor format.

A source may be called "Tom's game.mp4", carry a newline, a NUL (`%00` in a URL) or 300 characters.
Names we write (downloads, clip packs) and names editors read (EDL, FCPXML) go through `safe_name`.
"""

from __future__ import annotations

import re
import unicodedata

MAX_NAME_BYTES = 120
"""Well under the 255-byte limit of common file systems, leaving room for prefixes and suffixes we add."""

_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")


def safe_name(name: str, *, max_bytes: int = MAX_NAME_BYTES) -> str:
    """`name` with control characters, path separators and characters Windows refuses replaced by '_',
    cut (keeping its extension) to at most `max_bytes` of UTF-8; '' when nothing usable is left."""
    name = unicodedata.normalize("NFC", name)
    cleaned = _UNSAFE.sub("_", name).strip(" ._")
    if len(cleaned.encode()) <= max_bytes:
        return cleaned
    stem, dot, suffix = cleaned.rpartition(".")
    if not dot or len(suffix) > 10:
        stem, suffix = cleaned, ""
    room = max_bytes - len(suffix.encode()) - (1 if suffix else 0)
    cut = stem.encode()[:room].decode(errors="ignore").rstrip(" ._")
    return f"{cut}.{suffix}" if suffix else cut
