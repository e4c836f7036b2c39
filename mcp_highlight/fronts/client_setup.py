"""`mcp-highlight setup claude|cursor`: put this installation into an MCP client's configuration file.

The entry names this installation's own executable by its absolute path (GUI apps start servers with a
short PATH, and a bare `mcp-highlight` or `uvx` may not be found). Other servers in the file are kept;
the old file is copied aside first; a file that is not valid JSON is left alone with a clear error.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from mcp_highlight.core.errors import BadInputError

ClientName = Literal["claude", "cursor"]
CLIENTS: tuple[ClientName, ...] = ("claude", "cursor")
SERVER_KEY = "mcp-highlight"


class SetupResult(BaseModel):
    client: ClientName
    config_path: Path
    backup_path: Path | None
    command: str
    args: list[str]
    env: dict[str, str]

    def text(self) -> str:
        lines = [f"Wrote the {SERVER_KEY!r} entry into {self.config_path}"]
        if self.backup_path:
            lines.append(f"The previous file is kept as {self.backup_path}")
        lines.append(f"It runs: {' '.join([self.command, *self.args])}")
        app = "Claude Desktop" if self.client == "claude" else "Cursor"
        lines.append(f'Restart {app}, then ask: "What does Highlight reels need?"')
        return "\n".join(lines)


def config_path(client: ClientName, *, platform: str, home: Path, env: Mapping[str, str]) -> Path:
    """Where the client reads its MCP servers on this OS (`platform` as in sys.platform)."""
    if client == "cursor":
        return home / ".cursor" / "mcp.json"  # the same folder on every OS
    if platform == "darwin":
        return home / "Library" / "Application Support" / "Claude" / "claude_desktop_config.json"
    if platform.startswith("win"):
        appdata = env.get("APPDATA") or str(home / "AppData" / "Roaming")
        return Path(appdata) / "Claude" / "claude_desktop_config.json"
    config_home = env.get("XDG_CONFIG_HOME") or str(home / ".config")
    return Path(config_home) / "Claude" / "claude_desktop_config.json"


def this_command() -> tuple[str, list[str]]:
    """The absolute command that starts this installation's stdio server."""
    folder = Path(sys.executable).parent
    for name in ("mcp-highlight", "mcp-highlight.exe"):
        script = folder / name
        if script.is_file():
            return str(script.absolute()), ["serve"]
    return str(Path(sys.executable).absolute()), ["-m", "mcp_highlight", "serve"]


def _read_config(path: Path) -> dict:
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (ValueError, UnicodeDecodeError):
        raise BadInputError(
            f"{path} is not valid JSON, so it was left as it is.",
            hint="Fix or move the file, then run setup again.",
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("mcpServers", {}), dict):
        raise BadInputError(f"{path} does not hold an object with an mcpServers object; it was left as it is.")
    return data


def install(
    client: ClientName,
    *,
    env_vars: Mapping[str, str] | None = None,
    platform: str = sys.platform,
    home: Path | None = None,
    environ: Mapping[str, str] = os.environ,
) -> SetupResult:
    """Write (or replace) this server's entry in the client's config; other entries stay as they were."""
    path = config_path(client, platform=platform, home=home or Path.home(), env=environ)
    data = _read_config(path)
    command, args = this_command()
    entry: dict[str, object] = {"command": command, "args": args}
    if env_vars:
        entry["env"] = dict(env_vars)
    backup = None
    if path.exists():
        backup = path.with_name(f"{path.name}.{time.strftime('%Y%m%d-%H%M%S')}.bak")
        shutil.copy2(path, backup)
    data.setdefault("mcpServers", {})[SERVER_KEY] = entry
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    partial.replace(path)
    return SetupResult(
        client=client, config_path=path, backup_path=backup, command=command, args=args, env=dict(env_vars or {})
    )
