"""The Claude Desktop bundle (.mcpb), built by scripts/bundle and started the way the client starts it.

What this proves: the bundle `scripts/bundle` makes passes `mcpb validate` (before and after
packing) and `mcpb info`; unpacked by `mcpb unpack` into an empty folder, its manifest resolves,
through the mcpb library's own `getMcpConfigForManifest` (the code Claude Desktop uses), to a command
that serves MCP from the bundle's files: the handshake, tools/list, prompts/list and a first
get_state all answer over stdio, and stdout carries nothing but JSON-RPC.

What it does not prove by default: that uv resolves the dependencies from PyPI. The manifest's
command is `uv run --directory <bundle> <bundle>/server/main.py`; offline, the test stands in for uv
with an environment uv would build (this suite's installed dependencies, checked against the
bundle's pyproject.toml, plus the bundle folder as the project, as uv's editable install of it would
add) and runs the entry point from the bundle folder, so the package code comes from the bundle, not
from this checkout (checked). Nor does it build the project's wheel (setuptools >= 77 from PyPI). With
MCP_HIGHLIGHT_BUNDLE_UV=1 and `uv` on PATH the manifest's command runs as is (needs PyPI).

The built bundle is cached outside git under a key of every input (scripts/bundle.py: `digest`).
"""

from __future__ import annotations

import importlib.util
import json
import os
import queue
import shutil
import subprocess
import sys
import sysconfig
import threading
import tomllib
import zipfile
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
from media_files import MEDIA_CACHE
from packaging.requirements import Requirement
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = json.loads((ROOT / "manifest.json").read_text(encoding="utf-8"))
PROTOCOL = "2025-06-18"  # what Claude Desktop offers in its handshake

_spec = importlib.util.spec_from_file_location("bundle_script", ROOT / "scripts" / "bundle.py")
assert _spec and _spec.loader
bundle_script = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bundle_script)

RESOLVE_JS = """
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
const input = JSON.parse(readFileSync(0, "utf8"));
const lib = await import(pathToFileURL(input.lib).href);
const manifest = JSON.parse(readFileSync(input.manifest, "utf8"));
const config = await lib.getMcpConfigForManifest({
  manifest, extensionPath: input.extensionPath, systemDirs: input.systemDirs,
  userConfig: input.userConfig, pathSeparator: "/",
});
process.stdout.write(JSON.stringify(config ?? null));
"""


@pytest.fixture(scope="module")
def mcpb_cli() -> Path:
    if shutil.which("npm") is None or shutil.which("node") is None:
        pytest.skip("npm is absent: the bundle is built with the mcpb CLI, an npm package")
    try:
        return bundle_script.ensure_mcpb(MEDIA_CACHE / "mcpb-cli")
    except bundle_script.McpbUnavailable as exc:
        pytest.skip(str(exc))


@pytest.fixture(scope="module")
def built(mcpb_cli: Path) -> Path:
    """The .mcpb for the current inputs, built (and checked by the mcpb CLI) once per change."""
    folder = MEDIA_CACHE / f"bundle-{bundle_script.digest()}"
    path = folder / bundle_script.bundle_name()
    if not path.exists():
        bundle_script.build(folder, MEDIA_CACHE / "mcpb-cli")
    return path


def resolve_launch(cli: Path, extension: Path, user_config: dict[str, Any], home: Path) -> dict[str, Any]:
    """command/args/env as the client computes them from the installed bundle's manifest."""
    lib = cli.parent.parent / "@anthropic-ai" / "mcpb" / "dist" / "index.js"
    dirs = {"HOME": str(home), "DESKTOP": str(home / "Desktop"), "DOCUMENTS": str(home), "DOWNLOADS": str(home)}
    payload = {
        "lib": str(lib),
        "manifest": str(extension / "manifest.json"),
        "extensionPath": str(extension),
        "systemDirs": dirs,
        "userConfig": user_config,
    }
    done = subprocess.run(
        ["node", "--input-type=module", "-e", RESOLVE_JS], input=json.dumps(payload), capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def stand_in_for_uv(args: list[str], tmp: Path) -> tuple[list[str], Path]:
    """(argv, cwd) equivalent to `uv run --directory D SCRIPT ...` once uv has synced D's environment.

    The environment: a fresh venv whose site-packages lists D (the project, as an editable install
    would) and then this suite's site-packages (the dependencies, already installed here).
    """
    assert args[:2] == ["run", "--directory"], f"the stand-in knows only `uv run --directory`: {args}"
    project, script, *rest = args[2:]
    assert not script.startswith("-"), f"unknown uv option {script}"
    wanted = tomllib.loads((Path(project) / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    for requirement in map(Requirement, wanted):  # what uv would install is what stands in for it
        assert requirement.specifier.contains(version(requirement.name), prereleases=True), str(requirement)
    runtime = tmp / "runtime"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(runtime)], check=True)
    site = Path(sysconfig.get_path("purelib", vars={"base": str(runtime), "platbase": str(runtime)}))
    dependencies = [p for p in sys.path if p.endswith("site-packages")]
    (site / "bundle-runtime.pth").write_text("\n".join([project, *dependencies]) + "\n", encoding="utf-8")
    python = runtime / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    return [str(python), script, *rest], Path(project)


class StdioPeer:
    """A JSON-RPC client over a child's stdin/stdout, as an MCP host speaks to a local server."""

    def __init__(self, argv: list[str], cwd: Path, env: dict[str, str], stderr: Path) -> None:
        self.errlog = stderr.open("w")
        self.proc = subprocess.Popen(
            argv, cwd=cwd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.errlog, text=True
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.not_json: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        self.next_id = 0

    def _read(self) -> None:
        assert self.proc.stdout
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def send(self, message: dict[str, Any]) -> None:
        assert self.proc.stdin
        self.proc.stdin.write(json.dumps({"jsonrpc": "2.0", **message}) + "\n")
        self.proc.stdin.flush()

    def request(self, method: str, params: dict[str, Any] | None = None, timeout: float = 120) -> dict[str, Any]:
        self.next_id += 1
        self.send({"id": self.next_id, "method": method, **({"params": params} if params is not None else {})})
        while True:
            line = self.lines.get(timeout=timeout)
            assert line is not None, f"the server exited during {method}; stderr: {self.stderr()[-2000:]}"
            try:
                message = json.loads(line)
            except ValueError:
                self.not_json.append(line)
                continue
            if message.get("id") == self.next_id:
                assert "error" not in message, message
                return message["result"]

    def stderr(self) -> str:
        self.errlog.flush()
        return Path(self.errlog.name).read_text(encoding="utf-8", errors="replace")

    def close(self) -> int:
        assert self.proc.stdin
        self.proc.stdin.close()
        try:
            return self.proc.wait(timeout=30)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
            self.errlog.close()


def test_the_bundle_holds_the_manifest_the_package_the_entry_point_and_a_small_icon(built: Path) -> None:
    with zipfile.ZipFile(built) as archive:
        names = set(archive.namelist())
        assert json.loads(archive.read("manifest.json")) == MANIFEST
        expected = {name for name, _ in bundle_script.inputs()}
        assert expected <= names and names - expected == {MANIFEST["icon"]}
        assert not any("__pycache__" in n or n.startswith((".venv/", "server/lib/", "server/venv/")) for n in names)
        icon = archive.getinfo(MANIFEST["icon"])
        assert icon.file_size < 20_000
        with archive.open(icon) as png:
            image = Image.open(png)
            assert image.format == "PNG" and image.size == (512, 512)
    assert built.name == f"mcp-highlight-{MANIFEST['version']}.mcpb"


@pytest.fixture
def extension(mcpb_cli: Path, built: Path, tmp_path: Path) -> Path:
    """The bundle unpacked by the mcpb CLI into an empty folder (a space in the path, as on macOS)."""
    folder = tmp_path / "Claude Extensions" / "mcp-highlight"
    done = subprocess.run([str(mcpb_cli), "unpack", str(built), str(folder)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    return folder


def test_unset_options_reach_the_server_as_empty_values_not_placeholders(
    mcpb_cli: Path, extension: Path, tmp_path: Path
) -> None:
    launch = resolve_launch(mcpb_cli, extension, {}, tmp_path)
    assert launch["env"] == {
        "MCP_HIGHLIGHT_OUTPUT_DIR": "",
        "MCP_HIGHLIGHT_BACKEND": "local",
        "MCP_HIGHLIGHT_MAX_BYTES": "500MB",
        "NEMO_TOKEN": "",
        "MCP_HIGHLIGHT_CONFIRM_CREDITS": "true",  # a boolean option always has its value
    }


def test_the_unpacked_bundle_serves_mcp_as_the_client_starts_it(
    mcpb_cli: Path, extension: Path, tmp_path: Path
) -> None:
    home, reels = tmp_path / "home", tmp_path / "My Reels"
    home.mkdir()
    launch = resolve_launch(mcpb_cli, extension, {"output_dir": str(reels)}, home)
    assert launch["command"] == "uv"
    assert launch["env"]["MCP_HIGHLIGHT_OUTPUT_DIR"] == str(reels)
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(home), **launch["env"]}
    if os.environ.get("MCP_HIGHLIGHT_BUNDLE_UV") == "1" and shutil.which("uv"):
        argv, cwd = [shutil.which("uv") or "uv", *launch["args"]], tmp_path  # the real thing: needs PyPI
        network = ("SSL_CERT_FILE", "HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY")
        env.update({k: v for k, v in os.environ.items() if k.startswith("UV_") or k.upper() in network})
    else:
        argv, cwd = stand_in_for_uv(launch["args"], tmp_path)
        where = subprocess.run(
            [argv[0], "-c", "import mcp_highlight; print(mcp_highlight.__file__)"],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        assert Path(where).is_relative_to(extension), f"the package must come from the bundle, not {where}"

    peer = StdioPeer(argv, cwd, env, tmp_path / "server.stderr")
    try:
        hello = peer.request(
            "initialize",
            {"protocolVersion": PROTOCOL, "capabilities": {}, "clientInfo": {"name": "claude-ai", "version": "0"}},
        )
        peer.send({"method": "notifications/initialized"})
        tools = peer.request("tools/list")["tools"]
        prompts = peer.request("prompts/list")["prompts"]
        first = peer.request("tools/call", {"name": "get_state", "arguments": {}})
    finally:
        code = peer.close()
    assert hello["protocolVersion"] == PROTOCOL
    assert hello["serverInfo"]["name"] == MANIFEST["name"] and hello["serverInfo"]["version"] == MANIFEST["version"]
    assert sorted(t["name"] for t in tools) == sorted(t["name"] for t in MANIFEST["tools"])
    assert [p["name"] for p in prompts] == [p["name"] for p in MANIFEST["prompts"]]
    text = first["content"][0]["text"]
    assert not first["isError"] and "No sessions yet" in text  # every check passed: a normal result
    assert f"ok   Output folder    {reels} is writable" in text and "ok   Encoder" in text
    assert reels.is_dir()
    assert peer.not_json == [], "stdout is the protocol: nothing else may be printed there"
    assert code == 0, peer.stderr()[-2000:]


def test_without_npm_the_build_says_what_it_needs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(bundle_script.shutil, "which", lambda name: None)
    with pytest.raises(bundle_script.McpbUnavailable, match="npm and node"):
        bundle_script.ensure_mcpb(tmp_path / "empty-cache")
    assert bundle_script.main(["--cache", str(tmp_path / "empty-cache"), "--out", str(tmp_path / "dist")]) == 2
    assert not (tmp_path / "dist").exists()


def test_the_readme_states_the_bundles_size(built: Path) -> None:
    """The README's figure is the built bundle's, within 15 % (it moves a little with every change)."""
    import re

    stated = re.search(r"The bundle itself is about (\d+) KB", (ROOT / "README.md").read_text(encoding="utf-8"))
    assert stated, "the README states the bundle's size"
    measured = built.stat().st_size / 1024
    assert abs(int(stated.group(1)) - measured) <= 0.15 * measured, f"the bundle is {measured:.0f} KB"
