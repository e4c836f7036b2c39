"""A throwaway PostgreSQL for tests and `scripts/cluster`: Debian's server binaries, `initdb` into a
temporary folder, listening on 127.0.0.1 at a free port (and a unix socket in that folder), removed at
the end. PostgreSQL refuses to run as root, so under root the server runs as the `postgres` user that
Debian's package creates.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

DEBIAN_BINARIES = Path("/usr/lib/postgresql")


class PostgresMissing(RuntimeError):
    pass


def binaries() -> Path:
    """The newest installed server's bin folder (Debian's layout), else the folder of `initdb` on PATH."""
    versions = (
        sorted((p for p in DEBIAN_BINARIES.glob("*/bin") if (p / "initdb").exists()), key=lambda p: int(p.parent.name))
        if DEBIAN_BINARIES.exists()
        else []
    )
    if versions:
        return versions[-1]
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    raise PostgresMissing(
        "PostgreSQL's server binaries are not installed (no initdb).",
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_server_user() -> tuple[list[str], int | None]:
    """The command prefix that runs a server binary as a non-root user, and that user's uid."""
    if os.geteuid() != 0:
        return [], None
    try:
        user = pwd.getpwnam("postgres")
    except KeyError as exc:
        raise PostgresMissing("Running as root and there is no `postgres` user to run the server as.") from exc
    return ["runuser", "-u", "postgres", "--"], user.pw_uid


@contextlib.contextmanager
def throwaway_postgres(database: str = "highlight") -> Iterator[str]:
    """Start a new cluster, create `database`, yield its URL; stop and delete everything afterwards."""
    bin_dir = binaries()
    prefix, uid = _as_server_user()
    folder = Path(tempfile.mkdtemp(prefix="highlight-pg-"))
    if uid is not None:
        os.chown(folder, uid, -1)
    data, port = folder / "data", _free_port()
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE, "check": True}
    subprocess.run(
        [
            *prefix,
            str(bin_dir / "initdb"),
            "-D",
            str(data),
            "-U",
            "highlight",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
        ],
        **quiet,
    )
    options = f"-h 127.0.0.1 -p {port} -k {folder} -c max_connections=200 -c fsync=off"
    subprocess.run(
        [*prefix, str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(folder / "log"), "-w", "start"],
        **quiet,
    )
    try:
        if database != "postgres":  # that one initdb makes
            subprocess.run(
                [str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "highlight", database], **quiet
            )
        yield f"postgresql://highlight@127.0.0.1:{port}/{database}"
    finally:
        subprocess.run(
            [*prefix, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )
        shutil.rmtree(folder, ignore_errors=True)
