"""Cluster mode's configuration errors are clear and keep secrets out: no database URL, an unreachable
database, keys too short to seal request state, a replica on a database that was never migrated."""

from __future__ import annotations

import pytest

from mcp_highlight.core.config import Settings
from mcp_highlight.core.errors import BackendUnavailableError, BadInputError
from mcp_highlight.fronts.cli import main
from mcp_highlight.fronts.request_state import shared_request_state
from mcp_highlight.service.cluster import upgrade_database, work


def test_worker_and_db_upgrade_without_a_database_url_say_what_to_set(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path
) -> None:
    monkeypatch.delenv("MCP_HIGHLIGHT_DATABASE_URL", raising=False)
    monkeypatch.setenv("MCP_HIGHLIGHT_HOME", str(tmp_path))
    for argv in (["worker"], ["db", "upgrade"]):
        assert main(argv) == 2
        assert "MCP_HIGHLIGHT_DATABASE_URL is not set" in capsys.readouterr().err


def test_an_unreachable_database_is_named_without_its_password(tmp_path) -> None:
    settings = Settings(home=tmp_path, database_url="postgresql://highlight:hunter2-secret@127.0.0.1:1/highlight")
    with pytest.raises(BackendUnavailableError) as raised:
        upgrade_database(settings)
    assert "127.0.0.1:1/highlight" in str(raised.value)
    assert "hunter2" not in str(raised.value)


def test_a_worker_refuses_zero_concurrency(tmp_path) -> None:
    settings = Settings(home=tmp_path, database_url="postgresql://highlight@127.0.0.1:1/highlight")
    with pytest.raises(BadInputError, match="concurrency"):
        work(settings, 0)


def test_request_state_keys_must_be_long_secrets(tmp_path) -> None:
    assert shared_request_state(Settings(home=tmp_path)) is None  # one process: the SDK's own key
    with pytest.raises(BadInputError, match="32 bytes"):
        shared_request_state(Settings(home=tmp_path, state_keys="short,also-short"))
    keys = "a" * 32 + ", " + "b" * 40
    assert shared_request_state(Settings(home=tmp_path, state_keys=keys)) is not None


def test_a_cluster_url_that_is_not_postgresql_is_refused(tmp_path) -> None:
    settings = Settings(home=tmp_path, database_url="mysql://someone@db/highlight")
    with pytest.raises(BadInputError, match="postgresql://"):
        upgrade_database(settings)
