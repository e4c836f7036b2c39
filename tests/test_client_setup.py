"""`mcp-highlight setup claude|cursor` against a temporary HOME, and plain `mcp-highlight` without a terminal."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mcp_highlight.fronts import cli
from mcp_highlight.fronts.client_setup import config_path, install

SCRIPT = Path(sys.executable).with_name("mcp-highlight")


@pytest.mark.parametrize(
    ("client", "platform", "where"),
    [
        ("claude", "darwin", "Library/Application Support/Claude/claude_desktop_config.json"),
        ("claude", "linux", ".config/Claude/claude_desktop_config.json"),
        ("claude", "win32", "AppData/Roaming/Claude/claude_desktop_config.json"),
        ("cursor", "darwin", ".cursor/mcp.json"),
        ("cursor", "win32", ".cursor/mcp.json"),
    ],
)
def test_each_client_reads_its_config_from_the_place_it_uses_on_each_os(client, platform, where, tmp_path) -> None:
    assert config_path(client, platform=platform, home=tmp_path, env={}) == tmp_path / where


def test_windows_and_xdg_folders_come_from_the_environment(tmp_path: Path) -> None:
    appdata = tmp_path / "Roaming"
    assert config_path("claude", platform="win32", home=tmp_path, env={"APPDATA": str(appdata)}) == (
        appdata / "Claude" / "claude_desktop_config.json"
    )
    xdg = tmp_path / "xdg"
    assert config_path("claude", platform="linux", home=tmp_path, env={"XDG_CONFIG_HOME": str(xdg)}) == (
        xdg / "Claude" / "claude_desktop_config.json"
    )


def test_setup_writes_this_installations_absolute_command_and_keeps_the_other_servers(tmp_path: Path) -> None:
    path = config_path("claude", platform="linux", home=tmp_path, env={})
    path.parent.mkdir(parents=True)
    before = {"mcpServers": {"git": {"command": "uvx", "args": ["mcp-server-git"]}}, "theme": "dark"}
    path.write_text(json.dumps(before))
    result = install("claude", platform="linux", home=tmp_path, environ={})
    written = json.loads(path.read_text())
    entry = written["mcpServers"]["mcp-highlight"]
    assert written["mcpServers"]["git"] == before["mcpServers"]["git"] and written["theme"] == "dark"
    assert Path(entry["command"]).is_absolute() and Path(entry["command"]).is_file()
    assert entry["args"][-1] == "serve"
    assert result.backup_path is not None and json.loads(result.backup_path.read_text()) == before
    assert str(path) in result.text() and "Restart Claude Desktop" in result.text()


def test_the_written_command_serves_mcp(tmp_path: Path) -> None:
    install("cursor", platform="linux", home=tmp_path, environ={})
    entry = json.loads((tmp_path / ".cursor" / "mcp.json").read_text())["mcpServers"]["mcp-highlight"]
    hello = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
    }
    env = {**os.environ, "MCP_HIGHLIGHT_HOME": str(tmp_path / "home")}
    done = subprocess.run(
        [entry["command"], *entry["args"]],
        input=json.dumps(hello) + "\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    answer = json.loads(done.stdout.splitlines()[0])
    assert answer["id"] == 1 and answer["result"]["serverInfo"]["name"] == "mcp-highlight"


def test_a_config_that_is_not_json_is_left_alone_with_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / ".cursor" / "mcp.json"
    path.parent.mkdir()
    path.write_text("{ not json")
    with pytest.raises(Exception, match="not valid JSON"):
        install("cursor", platform="linux", home=tmp_path, environ={})
    assert path.read_text() == "{ not json"
    assert list(path.parent.iterdir()) == [path]


def test_the_setup_command_against_a_temporary_home(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("USERPROFILE", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / ".config"))
    monkeypatch.setenv("APPDATA", str(tmp_path / "AppData" / "Roaming"))
    assert cli.main(["--backend", "cloud", "setup", "cursor"]) == 0
    entry = json.loads((tmp_path / ".cursor" / "mcp.json").read_text())["mcpServers"]["mcp-highlight"]
    assert entry["env"] == {"MCP_HIGHLIGHT_BACKEND": "cloud"}
    assert "mcp.json" in capsys.readouterr().out
    assert cli.main(["setup", "claude"]) == 0
    claude = config_path("claude", platform=sys.platform, home=tmp_path, env=os.environ)
    assert json.loads(claude.read_text())["mcpServers"]["mcp-highlight"]["command"] == entry["command"]


def test_an_unknown_client_is_refused_by_name(capsys) -> None:
    with pytest.raises(SystemExit) as stopped:
        cli.main(["setup", "vscode"])
    assert stopped.value.code == 2 and "vscode" in capsys.readouterr().err


@pytest.mark.skipif(not SCRIPT.exists(), reason="the console script is not installed in this environment")
def test_plain_mcp_highlight_without_a_terminal_says_that_it_serves(tmp_path: Path) -> None:
    env = {**os.environ, "MCP_HIGHLIGHT_HOME": str(tmp_path / "home")}
    done = subprocess.run([str(SCRIPT)], stdin=subprocess.DEVNULL, capture_output=True, text=True, env=env, timeout=120)
    assert "serves MCP on stdin/stdout" in done.stderr
    assert done.stdout == ""  # the transport stays clean
