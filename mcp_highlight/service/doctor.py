"""What works on this machine and what to do next: one report for `mcp-highlight doctor` and a first `get_state`.

Every check names what it found; a failed check carries the fix in words a new user can follow.
Nothing here prints: the fronts render `DoctorReport.text()` or its JSON.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

import anyio.to_thread
from pydantic import BaseModel, Field

from mcp_highlight import __version__
from mcp_highlight.backends.cloud import CloudBackend
from mcp_highlight.backends.cloud.models import CloudTiming
from mcp_highlight.core.config import Settings
from mcp_highlight.core.errors import HighlightError
from mcp_highlight.engine.media.ffmpeg import ffmpeg_exe

MIN_FREE_BYTES = 2 * 1024**3
"""A render writes the reel plus temporary clips beside it, and uploads are copied into the data folder."""

ENCODERS = ("libx264", "aac")
"""What a render needs from the ffmpeg binary: H.264 video and AAC sound."""

DECODERS = ("h264", "hevc", "aac", "mp3")
"""What analysis needs from PyAV to read phone, camera and broadcast recordings."""

FOLDER_FIX = "Set {env} to a folder you can write{also}."
ALSO_DESKTOP = " (in Claude Desktop: the extension's settings, Output folder)"


class Check(BaseModel):
    name: str
    ok: bool
    detail: str = Field(description="What was found (never a secret).")
    fix: str | None = Field(None, description="What to do when the check failed.")


class DoctorReport(BaseModel):
    """The checks in order, and the next steps for the user."""

    version: str = __version__
    backend: str
    ok: bool
    checks: list[Check]
    next_steps: list[str]

    def text(self) -> str:
        lines = [f"mcp-highlight {self.version}, backend: {self.backend}"]
        for check in self.checks:
            lines.append(f"{'ok  ' if check.ok else 'FAIL'} {check.name:<16} {check.detail}")
            if check.fix and not check.ok:
                lines.append(f"     -> {check.fix}")
        lines.append("Next:" if self.ok else "To do:")
        lines.extend(f"- {step}" for step in self.next_steps)
        return "\n".join(lines)


def check_encoders() -> Check:
    """The ffmpeg binary that renders (imageio-ffmpeg's) and its H.264 + AAC encoders."""
    fix = "Reinstall mcp-highlight (pip install --force-reinstall imageio-ffmpeg) so its ffmpeg binary is present."
    try:
        exe = ffmpeg_exe()
        listing = subprocess.run(
            [exe, "-hide_banner", "-encoders"], capture_output=True, text=True, timeout=30, check=False
        ).stdout
    except (OSError, RuntimeError, subprocess.SubprocessError) as exc:
        return Check(name="Encoder", ok=False, detail=f"no ffmpeg binary ({type(exc).__name__})", fix=fix)
    names = {line.split()[1] for line in listing.splitlines() if len(line.split()) > 1}
    missing = [name for name in ENCODERS if name not in names]
    if missing:
        return Check(name="Encoder", ok=False, detail=f"{exe} lacks {', '.join(missing)}", fix=fix)
    return Check(name="Encoder", ok=True, detail=f"{' + '.join(ENCODERS)} in {exe}")


def check_decoders() -> Check:
    """PyAV (FFmpeg's libraries) reads the recordings; a missing decoder means footage we cannot analyse."""
    fix = "Reinstall PyAV from its wheel (pip install --force-reinstall av), which bundles FFmpeg's decoders."
    try:
        import av
    except ImportError as exc:  # pragma: no cover - av is a hard dependency
        return Check(name="Decoder", ok=False, detail=f"PyAV cannot load ({exc})", fix=fix)
    missing = []
    for name in DECODERS:
        try:
            av.codec.Codec(name, "r")
        except Exception:
            missing.append(name)
    where = f"PyAV {av.__version__}"
    if missing:
        return Check(name="Decoder", ok=False, detail=f"{where} lacks {', '.join(missing)}", fix=fix)
    return Check(name="Decoder", ok=True, detail=f"{', '.join(DECODERS)} in {where}")


def check_writable(name: str, folder: Path, env: str, *, desktop: bool) -> Check:
    """Create the folder if needed and write (then delete) a file in it."""
    fix = FOLDER_FIX.format(env=env, also=ALSO_DESKTOP if desktop else "")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".doctor-", delete=True) as probe:
            probe.write(b"ok")
    except OSError as exc:
        return Check(
            name=name, ok=False, detail=f"{folder} is not writable ({exc.strerror or type(exc).__name__})", fix=fix
        )
    return Check(name=name, ok=True, detail=f"{folder} is writable")


def _existing(path: Path) -> Path:
    while not path.exists() and path.parent != path:
        path = path.parent
    return path


def check_free_space(folders: list[Path], min_free_bytes: int) -> Check:
    """Free space on every disk holding a folder we write (the lowest one counts)."""
    lowest: tuple[int, Path] | None = None
    for folder in folders:
        try:
            free = shutil.disk_usage(_existing(folder)).free
        except OSError:
            continue
        if lowest is None or free < lowest[0]:
            lowest = (free, folder)
    if lowest is None:
        return Check(name="Free space", ok=False, detail="could not measure", fix="Check that the folders exist.")
    free, folder = lowest
    detail = f"{free / 1024**3:.1f} GB free for {folder}"
    if free < min_free_bytes:
        return Check(
            name="Free space",
            ok=False,
            detail=f"{detail}, under the {min_free_bytes / 1024**3:.1f} GB a render may need",
            fix="Free some disk space, or point the output folder (MCP_HIGHLIGHT_OUTPUT_DIR) to a disk with room.",
        )
    return Check(name="Free space", ok=True, detail=detail)


def check_backend(settings: Settings) -> Check:
    if settings.backend == "local":
        detail = "local: footage stays on this machine, no account needed"
    else:
        detail = f"cloud: the NemoVideo agent at {settings.nemo_api_url}"
    return Check(name="Backend", ok=True, detail=detail)


async def check_cloud(settings: Settings, *, timing: CloudTiming | None = None) -> Check:
    """Whether the token works, by asking the API for the credit balance (one authenticated read).

    Without NEMO_TOKEN and without a stored anonymous token nothing is sent: an anonymous token is
    limited to one per client a week, so the doctor does not spend it.
    """
    try:
        backend = CloudBackend(settings, timing=timing)
    except (OSError, sqlite3.Error) as exc:
        return Check(name="Cloud token", ok=False, detail=f"cannot start the cloud client ({type(exc).__name__})")
    try:
        identity = backend.client.identity
        if identity.current_token() is None:
            return Check(
                name="Cloud token",
                ok=True,
                detail="no NEMO_TOKEN: a free anonymous token is requested on the first upload",
            )
        which = "NEMO_TOKEN" if identity.is_registered else "the stored anonymous token"
        credits = await backend.credits()
    except HighlightError as exc:
        return Check(name="Cloud token", ok=False, detail=exc.message, fix=exc.hint)
    finally:
        await backend.aclose()
    available = "unknown" if credits.available is None else str(credits.available)
    return Check(name="Cloud token", ok=True, detail=f"{which} works, {available} credits available")


def _next_steps(settings: Settings, checks: list[Check]) -> list[str]:
    failed = [c for c in checks if not c.ok]
    if failed:
        return [f"{c.name}: {c.fix or c.detail}" for c in failed]
    steps = [
        'Ask your assistant: "make a 1-minute highlight reel of /path/to/game.mp4" '
        "(it calls upload_video, edit_timeline, then export_video).",
        "Or from a terminal: mcp-highlight reel game.mp4 --duration 60s",
        f"Reels are written to {settings.renders_dir}.",
        f"Recordings up to {settings.max_bytes / 2**20:.0f} MB are accepted; for longer ones raise "
        "MCP_HIGHLIGHT_MAX_BYTES (e.g. 8GB; in Claude Desktop: the extension's Largest file setting).",
    ]
    if settings.backend == "local" and settings.nemo_token:
        steps.append("NEMO_TOKEN is set but the backend is local: set MCP_HIGHLIGHT_BACKEND=cloud to use it.")
    return steps


def _machine_checks(settings: Settings, min_free_bytes: int) -> list[Check]:
    """Codecs, folders and disk: blocking calls (a subprocess, the file system), run off the event loop."""
    folders = [
        (settings.home, check_writable("Data folder", settings.home, "MCP_HIGHLIGHT_HOME", desktop=False)),
        (
            settings.renders_dir,
            check_writable("Output folder", settings.renders_dir, "MCP_HIGHLIGHT_OUTPUT_DIR", desktop=True),
        ),
    ]
    checks = [check_encoders(), check_decoders(), *(check for _, check in folders)]
    writable = [folder for folder, check in folders if check.ok]
    if writable:  # the space left on a folder we cannot write is beside the point
        checks.append(check_free_space(writable, min_free_bytes))
    return checks


async def diagnose(
    settings: Settings, *, min_free_bytes: int = MIN_FREE_BYTES, cloud_timing: CloudTiming | None = None
) -> DoctorReport:
    """Run every check; the cloud is asked only when it is the backend or a token is set."""
    checks = await anyio.to_thread.run_sync(_machine_checks, settings, min_free_bytes)
    checks.append(check_backend(settings))
    if settings.backend == "cloud" or settings.nemo_token:
        checks.append(await check_cloud(settings, timing=cloud_timing))
    checks.append(
        Check(
            name="HTTP token",
            ok=True,
            detail="set" if settings.http_token else "not set (HTTP mode serves 127.0.0.1 only; stdio needs none)",
        )
    )
    ok = all(c.ok for c in checks)
    return DoctorReport(backend=settings.backend, ok=ok, checks=checks, next_steps=_next_steps(settings, checks))
