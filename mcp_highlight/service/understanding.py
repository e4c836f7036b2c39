"""One reading of a request: where it goes (edit, export, credits, state, upload) and the edit it asks for.

It happens once, at the service boundary, with the session's media known; every layer below receives
the result. A client's structured arguments sit on top of whatever the words said.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, Field

from mcp_highlight.backends.models import EditRequest, ExportRequest
from mcp_highlight.core.errors import InstructionNotUnderstoodError
from mcp_highlight.service.instructions import not_understood
from mcp_highlight.service.routing import plan_route

Action = Literal["upload", "edit", "export", "state", "credits"]
ORDER: tuple[Action, ...] = ("upload", "edit", "export", "state", "credits")  # you export what you edited


class Understood(BaseModel):
    """What a request asks for, in execution order, ready for the studio to carry out."""

    steps: list[Action] = Field(default_factory=lambda: ["edit"])
    uploads: list[str] = Field(default_factory=list, description="Paths or URLs to upload, in text order.")
    request: EditRequest = Field(default_factory=EditRequest, description="The edit step's fields.")
    given: EditRequest = Field(default_factory=EditRequest, description="The fields the client gave itself.")
    export: ExportRequest = Field(default_factory=ExportRequest, description="The export step's options.")
    words: str | None = Field(None, description="The edit step's own words (route words removed).")
    leftover: str = Field("", description="Meaningful words nothing understood.")

    @property
    def edit_is_blank(self) -> bool:
        """An edit step with words but no field understood: a model may restate it, or it is refused."""
        return "edit" in self.steps and self.request.is_empty()

    def with_fields(self, fields: EditRequest) -> Understood:
        """The client's structured arguments on top of the words; given fields make it an edit."""
        if fields.is_empty():
            return self
        steps = self.steps if "edit" in self.steps else sorted({*self.steps, "edit"}, key=ORDER.index)
        return self.model_copy(update={"request": fields.merged_over(self.request), "given": fields, "steps": steps})

    def refusal(self) -> InstructionNotUnderstoodError:
        return not_understood(self.words or "")


def understand(instruction: str | None, known_media: Mapping[str, str] | None = None) -> Understood:
    """Route and parse the words once; `known_media` maps uploaded names and ids to ids."""
    if not instruction or not instruction.strip():
        return Understood(words=None)
    plan = plan_route(instruction, known_media=known_media)
    return Understood(
        steps=list(plan.steps),
        uploads=plan.uploads,
        request=plan.edit,
        export=plan.export,
        words=plan.edit_text or None,
        leftover=plan.leftover,
    )
