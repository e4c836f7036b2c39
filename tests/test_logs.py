"""Logging survives the stream it was set up with being closed (a test's captured stderr, a closed pipe)."""

import io
import sys

import pytest
import structlog

from mcp_highlight.core.logs import configure_logging, get_logger


def test_a_line_after_the_configured_stream_closed_goes_to_stderr_as_it_is_now(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first, now = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stderr", first)
    configure_logging("info", json=True)
    first.close()  # was: ValueError: I/O operation on closed file, from whichever test logged next
    monkeypatch.setattr(sys, "stderr", now)
    try:
        get_logger("test").warning("after_close", n=1)
    finally:
        structlog.reset_defaults()
    assert '"event": "after_close"' in now.getvalue()
