"""server.json, manifest.json, pyproject.toml, the README and the code agree: name, version, variables, tools.

The variable list comes from the code (config.ENV_NAMES drives Settings.from_env); the tool and
prompt names from the live server's tools/list and prompts/list. No hand-kept copy to drift.
"""

from __future__ import annotations

import json
import re
import tomllib
import typing
from pathlib import Path

import pytest
from mcp_harness import connect
from pydantic import SecretStr

from mcp_highlight.backends.local import LocalBackend
from mcp_highlight.core.config import ENV_NAMES, Settings
from mcp_highlight.core.errors import BadInputError

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
SERVER = json.loads((ROOT / "server.json").read_text(encoding="utf-8"))
PACKAGE = SERVER["packages"][0]
MANIFEST = json.loads((ROOT / "manifest.json").read_text(encoding="utf-8"))
MCP_CONFIG = MANIFEST["server"]["mcp_config"]
PLACEHOLDER = re.compile(r"\$\{user_config\.([^}]+)\}")


def secret_variables() -> set[str]:
    """The variables of the settings typed as secrets."""
    hints = typing.get_type_hints(Settings)
    return {ENV_NAMES[name] for name, hint in hints.items() if SecretStr in typing.get_args(hint) or hint is SecretStr}


def test_every_setting_has_exactly_one_environment_variable() -> None:
    assert set(ENV_NAMES) == set(Settings.model_fields)
    assert len(set(ENV_NAMES.values())) == len(ENV_NAMES)


def test_settings_read_every_listed_variable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    values = {
        "home": str(tmp_path),
        "backend": "cloud",
        "output_dir": str(tmp_path / "out"),
        "max_bytes": "1234",
        "http_token": "http-secret",
        "nemo_api_url": "http://127.0.0.1:9",
        "nemo_web_url": "http://127.0.0.1:10",
        "nemo_token": "nemo-secret",
        "nemo_client_id": "0b7d3c1e-0000-4000-8000-000000000000",
        "skill_source": "test",
        "log_level": "debug",
        "media_roots": str(tmp_path / "media"),
        "allow_networks": "192.168.1.0/24",
        "download_timeout_s": "60.0",
        "database_url": "postgresql://highlight@127.0.0.1:5432/highlight",
        "state_keys": "k" * 32,
        "max_duration_s": "3600.0",
        "max_frame_side": "4096",
        "max_pixels": "1000000",
        "max_streams": "8",
        "upload_quota_bytes": "123456",
        "max_renders": "2",
        "confirm_credits": "False",
    }
    assert set(values) == set(ENV_NAMES)  # a new setting needs a value here too
    for field, name in ENV_NAMES.items():
        monkeypatch.setenv(name, values[field])
    settings = Settings.from_env()
    for field, value in values.items():
        got = getattr(settings, field)
        got = got.get_secret_value() if isinstance(got, SecretStr) else got
        assert str(got) == value, field


def test_a_placeholder_the_client_left_unfilled_counts_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MCP_HIGHLIGHT_OUTPUT_DIR", "${user_config.output_dir}")
    monkeypatch.setenv("NEMO_TOKEN", "${user_config.nemo_token}")
    monkeypatch.setenv("MCP_HIGHLIGHT_BACKEND", "")
    settings = Settings.from_env()
    assert settings.output_dir is None and settings.nemo_token is None and settings.backend == "local"


def test_an_engine_typed_by_hand_in_a_settings_form_is_understood(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MCP_HIGHLIGHT_BACKEND", " Cloud ")
    assert Settings.from_env().backend == "cloud"
    monkeypatch.setenv("MCP_HIGHLIGHT_BACKEND", "gpu")
    with pytest.raises(BadInputError, match="MCP_HIGHLIGHT_BACKEND"):
        Settings.from_env()


@pytest.mark.parametrize(
    ("written", "size"),
    [
        ("524288000", 500 * 2**20),
        ("500MB", 500 * 2**20),
        ("8 GB", 8 * 2**30),
        ("1.5g", int(1.5 * 2**30)),
        ("4GiB", 4 * 2**30),
    ],
)
def test_the_upload_limit_takes_bytes_or_a_size_with_a_unit(
    monkeypatch: pytest.MonkeyPatch, written: str, size: int
) -> None:
    monkeypatch.setenv("MCP_HIGHLIGHT_MAX_BYTES", written)
    assert Settings.from_env().max_bytes == size


def test_an_upload_limit_that_is_not_a_size_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MCP_HIGHLIGHT_MAX_BYTES", "lots")
    with pytest.raises(BadInputError, match="MCP_HIGHLIGHT_MAX_BYTES"):
        Settings.from_env()


def test_name_and_version_agree_across_pyproject_server_json_and_the_manifest() -> None:
    name, version = PYPROJECT["name"], PYPROJECT["version"]
    assert SERVER["version"] == PACKAGE["version"] == MANIFEST["version"] == version
    assert PACKAGE["identifier"] == MANIFEST["name"] == name
    assert SERVER["name"].endswith("/" + name)


def test_server_json_lists_exactly_the_settings_variables_with_secrets_marked() -> None:
    listed = {v["name"]: v for v in PACKAGE["environmentVariables"]}
    assert set(listed) == set(ENV_NAMES.values())
    assert {name for name, v in listed.items() if v.get("isSecret")} == secret_variables()


def test_the_manifest_sets_only_real_variables_from_declared_options() -> None:
    env = MCP_CONFIG["env"]
    assert set(env) <= set(ENV_NAMES.values())
    used = {PLACEHOLDER.fullmatch(value).group(1) for value in env.values()}  # type: ignore[union-attr]
    assert used == set(MANIFEST["user_config"])  # no option without a variable, no variable without an option
    for name, value in env.items():
        option = MANIFEST["user_config"][PLACEHOLDER.fullmatch(value).group(1)]  # type: ignore[union-attr]
        assert option.get("sensitive", False) == (name in secret_variables()), name
        assert not option.get("required") and "default" in option, f"{name}: unset options must not reach the server"


NOT_IN_BUNDLE = {
    "MCP_HIGHLIGHT_HOME": "the platform's user data folder suits a desktop install; the doctor shows where it is",
    "MCP_HIGHLIGHT_TOKEN": "HTTP mode only; the bundle serves stdio",
    "MCP_HIGHLIGHT_LOG_LEVEL": "developers' knob; logs go to the client's log file",
    "NEMO_API_URL": "developers' knob (tests, staging)",
    "NEMO_WEB_URL": "developers' knob (tests, staging)",
    "NEMO_CLIENT_ID": "kept in the data folder by the cloud client",
    "SKILL_SOURCE": "detected by the cloud client",
    "MCP_HIGHLIGHT_MEDIA_ROOTS": "HTTP mode only; the bundle serves stdio",
    "MCP_HIGHLIGHT_ALLOW_NETWORKS": "HTTP mode only; the bundle serves stdio",
    "MCP_HIGHLIGHT_DOWNLOAD_TIMEOUT": "the default (10 minutes) suits a desktop; operators of HTTP servers tune it",
    "MCP_HIGHLIGHT_DATABASE_URL": "cluster mode only; a desktop install is embedded (SQLite)",
    "MCP_HIGHLIGHT_STATE_KEYS": "replicas behind a load balancer only; the bundle serves stdio",
    "MCP_HIGHLIGHT_MAX_DURATION": "a safety limit for servers; 12 hours suits a desktop",
    "MCP_HIGHLIGHT_MAX_FRAME_SIDE": "a safety limit for servers; 8K suits a desktop",
    "MCP_HIGHLIGHT_MAX_PIXELS": "a safety limit for servers; 8K suits a desktop",
    "MCP_HIGHLIGHT_MAX_STREAMS": "a safety limit for servers; 64 suits a desktop",
    "MCP_HIGHLIGHT_UPLOAD_QUOTA": "HTTP servers share the disk between tokens; a desktop has one user",
    "MCP_HIGHLIGHT_MAX_RENDERS": "one render at a time suits a desktop; operators of big servers tune it",
}
"""Variables a Claude Desktop user is not asked for, and why: a new setting must be put here or in the manifest."""


def test_every_variable_is_either_asked_for_by_the_bundle_or_left_out_on_purpose() -> None:
    asked = set(MCP_CONFIG["env"])
    assert not asked & set(NOT_IN_BUNDLE)
    assert asked | set(NOT_IN_BUNDLE) == set(ENV_NAMES.values())


def test_defaults_in_server_json_and_the_manifest_are_the_settings_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    field_of = {name: field for field, name in ENV_NAMES.items()}
    for name in ENV_NAMES.values():
        monkeypatch.delenv(name, raising=False)
    for variable in PACKAGE["environmentVariables"]:
        if "default" in variable:
            assert variable["default"] == Settings.model_fields[field_of[variable["name"]]].default, variable["name"]
    for name, value in MCP_CONFIG["env"].items():
        default = MANIFEST["user_config"][PLACEHOLDER.fullmatch(value).group(1)]["default"]  # type: ignore[union-attr]
        monkeypatch.setenv(name, json.dumps(default) if isinstance(default, bool) else str(default))  # as hosts pass it
    from_manifest = Settings.from_env(home="/nowhere")
    assert from_manifest == Settings(home="/nowhere")  # an untouched install behaves as no configuration at all


def test_the_manifest_runs_the_same_server_as_server_json_on_the_same_python() -> None:
    assert MANIFEST["compatibility"]["runtimes"]["python"] == PYPROJECT["requires-python"]
    entry = (ROOT / "bundle" / MANIFEST["server"]["entry_point"]).read_text(encoding="utf-8")
    args = [a["value"] for a in PACKAGE["packageArguments"]]
    assert f"main({args!r})".replace("'", '"') in entry.replace("'", '"')
    assert MCP_CONFIG["command"] == "uv" and MANIFEST["server"]["type"] == "uv"
    assert MCP_CONFIG["args"][-1] == "${__dirname}/" + MANIFEST["server"]["entry_point"]


def test_the_readme_documents_every_variable() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [name for name in ENV_NAMES.values() if f"`{name}`" not in readme]
    assert not missing


@pytest.mark.anyio
async def test_the_manifest_lists_the_live_servers_tools_and_prompts(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home")
    async with connect(LocalBackend(settings), settings) as client:
        tools = [tool.name for tool in (await client.list_tools()).tools]
        prompts = {p.name: [a.name for a in p.arguments or []] for p in (await client.list_prompts()).prompts}
    hint = "update manifest.json's tools/prompts to match the server"
    assert sorted(t["name"] for t in MANIFEST["tools"]) == sorted(tools), hint
    assert {p["name"]: p.get("arguments", []) for p in MANIFEST["prompts"]} == prompts, hint
    assert not MANIFEST.get("tools_generated") and not MANIFEST.get("prompts_generated")
