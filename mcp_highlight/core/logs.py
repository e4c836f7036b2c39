"""structlog to stderr (stdout is the stdio transport), with secrets redacted in every line."""

from __future__ import annotations

import logging
import os
import re
import sys
import threading
from collections.abc import MutableMapping
from typing import IO, Any

import structlog

_SECRET_KEYS = re.compile(r"token|authorization|secret|password|api_key", re.I)
_SECRET_VALUES = re.compile(r"(nmv_[A-Za-z0-9_\-]+|clm_[A-Za-z0-9_\-]+|Bearer\s+[A-Za-z0-9._\-]+)")
_extra_secrets: set[str] = set()


def register_secret(value: str | None) -> None:
    """Make sure `value` never reaches a log line, whatever key it hides under."""
    if value and len(value) >= 6:
        _extra_secrets.add(value)


def redact_text(text: str) -> str:
    for secret in _extra_secrets:
        text = text.replace(secret, "[redacted]")
    return _SECRET_VALUES.sub("[redacted]", text)


def _redact(value: Any) -> Any:
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {k: "[redacted]" if _SECRET_KEYS.search(str(k)) else _redact(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_redact(v) for v in value)
    return value


def redact_processor(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key in list(event_dict):
        if _SECRET_KEYS.search(key) and key != "event":
            event_dict[key] = "[redacted]"
        else:
            event_dict[key] = _redact(event_dict[key])
    return event_dict


class _Sink:
    """structlog's output: a given stream, or else `sys.stderr` as it is at each line, never a stream kept
    from configuration time (a front may swap stderr; a test's captured stream is closed after it)."""

    _lock = threading.Lock()

    def __init__(self, stream: IO[str] | None = None) -> None:
        self.stream = stream

    def msg(self, message: str) -> None:
        with self._lock:
            print(message, file=self.stream or sys.stderr, flush=True)

    log = debug = info = warn = warning = msg
    fatal = failure = err = error = critical = exception = msg


def configure_logging(level: str = "info", *, json: bool | None = None, stream: IO[str] | None = None) -> None:
    """Idempotent; call once per process from a front (CLI or server). `stream` replaces stderr."""
    numeric = logging.getLevelName(level.upper())
    if not isinstance(numeric, int):
        numeric = logging.INFO
    logging.basicConfig(stream=stream or sys.stderr, level=numeric, format="%(message)s", force=True)
    logging.getLogger("alembic").setLevel(max(numeric, logging.WARNING))  # its INFO lines say nothing to operators
    render_json = json if json is not None else not (stream or sys.stderr).isatty()
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            redact_processor,
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer() if render_json else structlog.dev.ConsoleRenderer(colors=False),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=lambda *_: _Sink(stream),
        cache_logger_on_first_use=False,
    )


def get_logger(name: str) -> structlog.typing.FilteringBoundLogger:
    """A logger that writes to stderr even when no front configured logging (library use, tests)."""
    if not structlog.is_configured():
        configure_logging(os.environ.get("MCP_HIGHLIGHT_LOG_LEVEL", "info"))
    return structlog.get_logger(name)
