"""Analysis results cached per file content, so a second look at the same game is instant.

The key hashes the file's size and a sample of its bytes (head, tail and a few blocks in
between), not the whole file: reading 500 MB to find out we need not read it would defeat the
point. A renamed or moved copy hits the same entry; an edited file does not.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from mcp_highlight.core.logs import get_logger
from mcp_highlight.engine.judge.analysis import ANALYSIS_VERSION, Analysis

log = get_logger(__name__)

EDGE_BYTES = 1 << 20
BLOCK_BYTES = 1 << 16
MIDDLE_BLOCKS = 8


def content_hash(path: Path) -> str:
    """sha256 over size + first/last MiB + eight 64 KiB blocks spread through the middle."""
    size = path.stat().st_size
    digest = hashlib.sha256(f"{size}:".encode())
    with open(path, "rb") as handle:
        if size <= 2 * EDGE_BYTES + MIDDLE_BLOCKS * BLOCK_BYTES:
            digest.update(handle.read())
        else:
            digest.update(handle.read(EDGE_BYTES))
            span = size - 2 * EDGE_BYTES - BLOCK_BYTES
            for i in range(MIDDLE_BLOCKS):
                handle.seek(EDGE_BYTES + span * (i + 1) // (MIDDLE_BLOCKS + 1))
                digest.update(handle.read(BLOCK_BYTES))
            handle.seek(size - EDGE_BYTES)
            digest.update(handle.read(EDGE_BYTES))
    return digest.hexdigest()[:32]


def cache_file(cache_dir: Path, digest: str, window_s: float) -> Path:
    return cache_dir / "analysis" / f"{digest}-v{ANALYSIS_VERSION}-w{window_s:g}.json"


def load(cache_dir: Path, digest: str, window_s: float) -> Analysis | None:
    """The cached analysis, or None (missing, unreadable or from another version)."""
    path = cache_file(cache_dir, digest, window_s)
    try:
        analysis = Analysis.model_validate_json(path.read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        log.warning("analysis cache entry unreadable, recomputing", path=str(path), error=str(exc))
        return None
    if analysis.version != ANALYSIS_VERSION:
        return None
    return analysis


def store(cache_dir: Path, analysis: Analysis) -> Path:
    """Write atomically (temp file + rename) so a crash never leaves half an entry."""
    path = cache_file(cache_dir, analysis.content_hash, analysis.window_s)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = analysis.model_dump(mode="json", exclude={"cached"})
    data["score"] = [round(v, 4) for v in data["score"]]
    data["signals"] = {k: [round(v, 4) for v in vs] for k, vs in data["signals"].items()}
    fd, tmp = tempfile.mkstemp(prefix=".analysis-", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as out:
            json.dump(data, out, separators=(",", ":"))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
