"""What the spec and a first-time user expect, checked with the SDK's own client over stdio and HTTP, in
both protocol generations (the legacy initialize handshake and 2026-07-28): the first get_state is the
setup report, not an error; progress only goes up and ends at the total; completions offer session ids;
the tools' annotations are true of the backend; a credit-spending cloud request asks the user first.
"""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest
from cloud_fake import CloudFake, cloud_fake  # noqa: F401 (fixture)
from footage.samples import synth_clip
from mcp.shared.exceptions import MCPError
from mcp_harness import MEDIA_CACHE, ProgressLog, text_of
from mcp_types import (
    INVALID_PARAMS,
    ElicitRequestFormParams,
    ElicitRequestURLParams,
    ElicitResult,
    ErrorData,
    PromptReference,
    ResourceTemplateReference,
)
from protocol_harness import WAY_IDS, WAYS, open_client

pytestmark = pytest.mark.anyio
TEMPLATE = ResourceTemplateReference(uri="highlight://sessions/{session_id}/timeline")
CLOUD_TOOLS = ("edit_timeline", "export_video", "get_credits")


@pytest.fixture(scope="module")
def clip() -> Path:
    path = MEDIA_CACHE / "conformance-clip-320x180-12s.mp4"
    if not path.exists():
        synth_clip(path, duration_s=12, width=320, height=180)
    return path


def strictly_increasing_to_the_total(events: list[tuple[float, float | None, str | None]]) -> None:
    values = [progress for progress, _, _ in events]
    assert values, "no progress notification arrived"
    assert all(later > earlier for earlier, later in pairwise(values)), values
    assert all(total == events[-1][1] for _, total, _ in events)
    assert values[-1] == events[-1][1], f"the last value {values[-1]} is not the total {events[-1][1]}"


@pytest.mark.parametrize(("transport", "mode"), WAYS, ids=WAY_IDS)
async def test_a_first_session_setup_report_progress_and_completions(
    transport, mode, tmp_path: Path, clip: Path
) -> None:
    """One server per way (starting one costs seconds): the first get_state, then upload, edit and export
    with progress, and completions of the uploaded session's id."""
    async with open_client(transport, mode, tmp_path / "home") as client:
        first = await client.call_tool("get_state", {})
        uploaded, edited, exported = ProgressLog(), ProgressLog(), ProgressLog()
        result = await client.call_tool("upload_video", {"path": str(clip)}, progress_callback=uploaded)
        assert not result.is_error, text_of(result)
        sid = result.structured_content["session_id"]
        from_template = await client.complete(TEMPLATE, {"name": "session_id", "value": sid[:3]})
        from_prompt = await client.complete(
            PromptRef("change_highlight_reel"), {"name": "session_id", "value": sid[:3]}
        )
        nothing = await client.complete(TEMPLATE, {"name": "session_id", "value": "zzz-none"})
        shape = await client.complete(PromptRef("make_highlight_reel"), {"name": "shape", "value": "9"})
        result = await client.call_tool(
            "edit_timeline", {"session_id": sid, "target_s": "5s"}, progress_callback=edited
        )
        assert not result.is_error, text_of(result)
        result = await client.call_tool("export_video", {"session_id": sid}, progress_callback=exported)
        assert not result.is_error, text_of(result)
        if mode == "legacy":  # a 2026-07-28 client learns capabilities per request, not from a handshake
            assert client.server_capabilities.completions is not None
        prompt_errors = [await prompt_error(client, name, {}) for name in ("make_highlight_reel", "no_such_prompt")]

    assert not first.is_error, text_of(first)
    setup = first.structured_content["setup"]
    assert setup["ok"] is True and len(setup["checks"]) >= 6
    assert first.structured_content["session_id"] is None
    assert "upload_video" in text_of(first) and "Next:" in text_of(first)

    for events in (uploaded.events, edited.events, exported.events):
        strictly_increasing_to_the_total(events)
    assert len(exported.events) >= 3  # the render reports as it goes, not only at the end

    assert sid in from_template.completion.values
    assert sid in from_prompt.completion.values
    assert nothing.completion.values == []
    assert shape.completion.values == ["9:16"]

    missing, unknown = prompt_errors  # the client's mistakes: invalid params (-32602), saying what is wrong
    assert missing.code == INVALID_PARAMS and "path" in missing.message
    assert unknown.code == INVALID_PARAMS and "no_such_prompt" in unknown.message


async def prompt_error(client, name: str, arguments: dict[str, str]) -> ErrorData:
    with pytest.raises(MCPError) as raised:
        await client.get_prompt(name, arguments)
    return raised.value.error


def PromptRef(name: str):

    return PromptReference(name=name)


class Answers:
    """An elicitation callback that gives the answers in turn (the last one from then on) and keeps the
    questions."""

    def __init__(self, *actions: str) -> None:
        self.actions = list(actions)
        self.asked: list[ElicitRequestFormParams | ElicitRequestURLParams] = []

    async def __call__(self, context, params) -> ElicitResult:
        self.asked.append(params)
        action = self.actions.pop(0) if len(self.actions) > 1 else self.actions[0]
        content = {"go": True} if action == "accept" and isinstance(params, ElicitRequestFormParams) else None
        return ElicitResult(action=action, content=content)


def edits_sent(fake: CloudFake) -> int:
    return len([r for r in fake.requests if r.path == "/run_sse"])


async def uploaded_to_cloud(client, clip: Path) -> str:
    result = await client.call_tool("upload_video", {"path": str(clip)})
    assert not result.is_error, text_of(result)
    return result.structured_content["session_id"]


def spending_request(transport: str) -> str:
    """An edit and an export in one request; over stdio the export is left out: the server's real polling
    schedule (30 s between checks) is for the HTTP tests to shorten."""
    return "pull the best moments into a reel" + (" and export it" if transport == "http" else "")


@pytest.mark.parametrize(("transport", "mode"), WAYS, ids=WAY_IDS)
async def test_with_the_cloud_engine_tools_say_open_world_and_spending_asks_first(
    transport,
    mode,
    tmp_path: Path,
    clip: Path,
    cloud_fake: CloudFake,  # noqa: F811
) -> None:
    """The cloud tools' annotations; then the same credit-spending request declined (nothing is sent) and
    accepted (the edit runs, and over HTTP the export too)."""
    answers = Answers("decline", "accept")
    async with open_client(transport, mode, tmp_path / "home", fake=cloud_fake, elicitation_callback=answers) as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        sid = await uploaded_to_cloud(client, clip)
        request = {"session_id": sid, "instruction": spending_request(transport)}
        declined = await client.call_tool("edit_timeline", request)
        sent_after_decline = edits_sent(cloud_fake)
        credits = (await client.call_tool("get_credits", {})).structured_content
        accepted = await client.call_tool("edit_timeline", request)

    for name in CLOUD_TOOLS:
        assert tools[name].annotations.open_world_hint is True, name
    assert tools["get_credits"].annotations.read_only_hint is True
    assert tools["export_video"].annotations.idempotent_hint is True
    assert all(tool.icons and tool.icons[0].src.startswith("data:image/svg+xml") for tool in tools.values())

    assert declined.is_error and "declined" in text_of(declined) and "no credits were spent" in text_of(declined)
    assert sent_after_decline == 0 and credits["available"] == 100
    assert not accepted.is_error, text_of(accepted)
    assert edits_sent(cloud_fake) == 1
    assert len(answers.asked) == 2
    for question in answers.asked:
        assert isinstance(question, ElicitRequestFormParams)
        assert "about 50 credits; you have 100. Go?" in question.message
    if transport == "http":
        assert accepted.structured_content["export"]["path"]


@pytest.mark.parametrize(("transport", "mode"), WAYS, ids=WAY_IDS)
async def test_a_client_without_forms_gets_the_edit_and_a_clear_note_of_its_cost(
    transport,
    mode,
    tmp_path: Path,
    clip: Path,
    cloud_fake: CloudFake,  # noqa: F811
) -> None:
    async with open_client(transport, mode, tmp_path / "home", fake=cloud_fake) as client:
        sid = await uploaded_to_cloud(client, clip)
        result = await client.call_tool("edit_timeline", {"session_id": sid, "instruction": "pull the best moments"})
    assert not result.is_error, text_of(result)
    assert "Credits: this used about 50 of the 100 you had" in text_of(result)
    assert "cannot show a confirmation" in text_of(result)
    assert edits_sent(cloud_fake) == 1


@pytest.mark.parametrize(("transport", "mode"), WAYS[2:], ids=WAY_IDS[2:])
async def test_the_setting_to_skip_the_question_is_honoured(
    transport,
    mode,
    tmp_path: Path,
    clip: Path,
    cloud_fake: CloudFake,  # noqa: F811
) -> None:
    answers = Answers("decline")
    env = {"MCP_HIGHLIGHT_CONFIRM_CREDITS": "false"}
    async with open_client(
        transport, mode, tmp_path / "home", fake=cloud_fake, env=env, elicitation_callback=answers
    ) as client:
        sid = await uploaded_to_cloud(client, clip)
        result = await client.call_tool("edit_timeline", {"session_id": sid, "instruction": "pull the best moments"})
    assert not result.is_error, text_of(result)
    assert answers.asked == [] and edits_sent(cloud_fake) == 1
    assert "Credits:" not in text_of(result)
