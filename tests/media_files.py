"""Where generated test media lives (outside git), and a cached ffmpeg run to make it."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from mcp_highlight.engine.media.ffmpeg import ffmpeg_exe

# Under pytest-xdist each worker keeps its own folder, so no two processes ever write the same file.
MEDIA_CACHE = Path(os.environ.get("MCP_HIGHLIGHT_TEST_MEDIA", Path.home() / ".cache" / "mcp-highlight-tests")) / os.environ.get(
    "PYTEST_XDIST_WORKER", ""
)


def cached_ffmpeg(path: Path, *args: str) -> Path:
    """Run ffmpeg once per cached file, writing under a temporary name first."""
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}{path.suffix}")  # unique: checkouts may share the cache
    subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *args, str(tmp)], check=True)
    os.replace(tmp, path)
    return path
