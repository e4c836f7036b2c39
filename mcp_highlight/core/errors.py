"""One error hierarchy for every front: the CLI maps it to exit codes, MCP to tool errors.

Messages name the problem and the fix; they never carry secrets or stack traces.
"""

from __future__ import annotations

import asyncio
import re
from urllib.parse import unquote

from pydantic import ValidationError

_PATH = re.compile(r"(?<![\w.:/\\])(?:[A-Za-z]:)?(?:[\\/][^\s\\/:'\"|,;()<>]+){2,}")
"""An absolute or relative path of two parts or more, not part of a URL (`host:8765/renders/x.mp4`)."""
_FILE_URI = re.compile(r"file://[^\s)'\"<>]+")


class HighlightError(Exception):
    """Base of every error we raise on purpose. `exit_code` is what the CLI returns."""

    exit_code: int = 1
    code: str = "internal"

    def __init__(self, message: str, *, hint: str | None = None, url: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.url = url
        """A page the user opens to fix it (register, sign in, upgrade); never carries a secret."""

    def __str__(self) -> str:
        return f"{self.message} {self.hint}" if self.hint else self.message


class BadInputError(HighlightError):
    """The caller asked for something we cannot do with what they gave us (exit 2)."""

    exit_code = 2
    code = "bad_input"


class MediaNotFoundError(BadInputError):
    code = "not_found"


class UnsupportedMediaError(BadInputError):
    code = "unsupported"


class MediaTooLargeError(BadInputError):
    code = "too_large"


class CorruptMediaError(BadInputError):
    code = "corrupt"


class SourceUnreachableError(BadInputError):
    """A URL given as a source could not be fetched: nothing answers there, or it answers too slowly."""

    code = "unreachable"


class ImpossibleRequestError(BadInputError):
    code = "impossible"


class UnknownSessionError(BadInputError):
    code = "unknown_session"


class NothingToExportError(BadInputError):
    code = "empty_draft"


class InstructionNotUnderstoodError(BadInputError):
    code = "not_understood"


class OperationCancelledError(HighlightError):
    """Raised from a progress callback to stop long work; the worker cleans up and re-raises."""

    code = "cancelled"


class BackendError(HighlightError):
    """The configured backend failed or cannot be reached."""

    code = "backend"


class BackendUnavailableError(BackendError):
    code = "backend_unavailable"


class NoCreditsError(BadInputError):
    """The cloud account has no credits left (NemoVideo code 2001); the user must register or top up."""

    code = "no_credits"


class PlanRequiredError(BadInputError):
    """The cloud plan does not allow this (HTTP 402 on export): not a credits problem."""

    code = "plan_required"


class CloudAuthError(BackendError):
    """The cloud token was refused and a fresh one did not help (NemoVideo code 1001)."""

    code = "auth"


class RateLimitedError(BackendError):
    """The cloud API kept answering HTTP 429 after the documented wait and retry."""

    code = "rate_limited"


def shown_value(value: object, limit: int = 60) -> str:
    """`value` for a message, cut short: an argument of a megabyte is never echoed back."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 3]}..."


def names_only(text: str) -> str:
    """`text` with every file path and file:// URI in it cut to its file name (a server's folders are its own)."""
    text = _FILE_URI.sub(lambda m: unquote(m.group(0)).rstrip("/").rsplit("/", 1)[-1], text)
    return _PATH.sub(lambda m: re.split(r"[\\/]", m.group(0))[-1], text)


def public_text(exc: BaseException) -> str:
    """What a person may read about a failure: our own message with file paths cut to their names;
    never an exception's repr, a task or a traceback (those stay in the logs)."""
    if isinstance(exc, asyncio.CancelledError | OperationCancelledError) or type(exc).__name__ == "Cancelled":
        return "Cancelled by the client."
    if isinstance(exc, HighlightError):
        return names_only(str(exc))
    return f"Failed unexpectedly ({type(exc).__name__}); the server log has the details."


def invalid_input(exc: ValidationError) -> BadInputError:
    """A pydantic rejection as one readable sentence naming each field and its limit (no input echoed)."""
    parts = [f"{'.'.join(str(p) for p in e['loc']) or 'input'}: {e['msg']}" for e in exc.errors()]
    return BadInputError(f"Invalid edit ({'; '.join(parts)}).", hint="Shorten or correct it and try again.")
