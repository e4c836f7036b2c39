"""Asking before credits are spent, and sending the user to sign in, with what the client can show.

Before a request the hosted engine charges for, the user sees "This edit uses about N credits; you have
M. Go?" as a form (elicitation). It is asked through the SDK's resolvers, so it reaches clients on both
protocol generations (a mid-call request on 2025-11-25, an input-required round on 2026-07-28). With a
client that cannot show forms the request goes ahead as before (the user asked for it) and the result
says what it cost. MCP_HIGHLIGHT_CONFIRM_CREDITS=false skips the question.

When the hosted API wants the user to register or upgrade, a client that can open pages is asked to open
the page (URL elicitation, 2025-11-25); the link never carries the token. Otherwise the text says where.
"""

from __future__ import annotations

import uuid
from typing import Any

from mcp.server.elicitation import AcceptedElicitation, ElicitationResult
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.resolve import Elicit
from mcp_types import ClientCapabilities
from mcp_types.version import is_version_at_least
from pydantic import BaseModel, Field, ValidationError

from mcp_highlight.backends.models import EditRequest
from mcp_highlight.core.errors import HighlightError
from mcp_highlight.core.logs import get_logger
from mcp_highlight.service.studio import Spend, Studio
from mcp_highlight.service.understanding import Understood

log = get_logger(__name__)


class GoAhead(BaseModel):
    """The confirmation form: one switch, on by default, so accepting the form means yes."""

    go: bool = Field(True, title="Spend the credits", description="Leave on to go ahead.")


class NotAsked(BaseModel):
    """The client cannot show a form: the request goes ahead and its result says what it cost."""

    spend: Spend

    def note(self) -> str:
        have = "" if self.spend.available is None else f" of the {self.spend.available} you had"
        return (
            f"Credits: this used about {self.spend.credits}{have} (this client cannot show a confirmation, "
            "so it was not asked first)."
        )


def can_show_forms(capabilities: ClientCapabilities | None) -> bool:
    """The SDK's own test: any elicitation capability but a URL-only one counts as form support."""
    elicitation = capabilities.elicitation if capabilities is not None else None
    return elicitation is not None and (elicitation.form is not None or elicitation.url is None)


def can_open_pages(capabilities: ClientCapabilities | None) -> bool:
    elicitation = capabilities.elicitation if capabilities is not None else None
    return elicitation is not None and elicitation.url is not None


async def spend_question(
    studio: Studio, session_id: str, understood: Understood | HighlightError, fields: dict[str, Any], ctx: Context
) -> Elicit[GoAhead] | NotAsked | HighlightError | None:
    """What to ask before this request runs, if anything (None: it costs nothing, or asking is switched off;
    an error, such as a session that is gone, is handed to the tool body to report)."""
    if isinstance(understood, HighlightError) or not studio.settings.confirm_credits:
        return None
    try:
        given = EditRequest.model_validate({k: v for k, v in fields.items() if v is not None})
    except ValidationError:
        return None  # the tool body reports the bad argument; nothing runs, nothing is spent
    try:
        spend = await studio.spend(session_id, understood.with_fields(given).steps)
    except HighlightError as exc:
        return exc
    if spend is None or not spend.affordable:
        return None  # free, or the API will refuse it and say how to get credits
    if not can_show_forms(ctx.client_capabilities):
        return NotAsked(spend=spend)
    return Elicit(spend.question(), GoAhead)


def refusal_text(consent: ElicitationResult[Any]) -> str | None:
    """Why the request must not run (the user said no), or None to go ahead. Raises the error met while
    working out the cost."""
    if isinstance(consent, AcceptedElicitation) and isinstance(consent.data, HighlightError):
        raise consent.data
    if not isinstance(consent, AcceptedElicitation):
        return "Not done: the user declined. Nothing was sent and no credits were spent."
    if isinstance(consent.data, GoAhead) and not consent.data.go:
        return "Not done: the user switched the confirmation off. Nothing was sent and no credits were spent."
    return None


def spend_note(consent: ElicitationResult[Any]) -> str | None:
    """What the result adds when the user could not be asked first."""
    data = consent.data if isinstance(consent, AcceptedElicitation) else None
    return data.note() if isinstance(data, NotAsked) else None


async def offer_sign_in(ctx: Context | None, error: HighlightError) -> str:
    """The error's text (its hint names the page); where the client can open pages mid-call (2025-11-25), the
    page is offered to the user first. A 2026-07-28 tool call has no such channel, so there the text it is."""
    text = str(error)
    if error.url is None or ctx is None or _modern(ctx) or not can_open_pages(ctx.client_capabilities):
        return text
    try:
        answer = await ctx.elicit_url(error.message, error.url, elicitation_id=uuid.uuid4().hex)
    except Exception as exc:  # a client that says it can but fails: the text still says where to go
        log.info("url_elicitation_failed", error=type(exc).__name__)
        return text
    if answer.action != "accept":
        return text
    return f"{error.message} The page to fix this was opened for the user ({error.url}); when that is done, ask again."


def _modern(ctx: Context) -> bool:
    version = ctx.protocol_version
    return version is not None and is_version_at_least(version, "2026-07-28")
