"""Across replicas, for real (PostgreSQL started by the test session, two `serve --http` replicas, one
`mcp-highlight worker`): change notifications travel through PostgreSQL, so a client listening on one
replica hears an edit or an upload made through the other; and `export_video` is an MCP task (the 2026
Tasks extension) that a client starts on one replica and follows, finishes or cancels through the other
after the first connection has gone, with the SDK's own client over HTTP.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Literal

import anyio
import pytest
from cluster_harness import Cluster, cluster_clip, new_database, running_cluster
from http_harness import http_client
from mcp.client.extension import ClaimContext, ClientExtension, ResultClaim
from mcp.client.session import ClientSession
from mcp.shared.exceptions import MCPError
from mcp.shared.subscriptions import ResourcesListChanged, ResourceUpdated
from mcp_types import CallToolResult, Request, RequestParams, Result
from pydantic import ConfigDict, Field
from reel_checks import assert_valid_reel

pytestmark = pytest.mark.anyio
TASKS = "io.modelcontextprotocol/tasks"


# the client's side of the Tasks extension, as the spec (2026-07-28) writes it -------------------------
class TaskParams(RequestParams):
    task_id: str = Field(alias="taskId")


class GetTask(Request[TaskParams, Literal["tasks/get"]]):
    method: Literal["tasks/get"] = "tasks/get"
    name_param = "taskId"  # the spec routes tasks/* by Mcp-Name = the task id


class CancelTask(Request[TaskParams, Literal["tasks/cancel"]]):
    method: Literal["tasks/cancel"] = "tasks/cancel"
    name_param = "taskId"


class TaskState(Result):
    model_config = ConfigDict(extra="allow")
    task_id: str = Field(alias="taskId")
    status: str
    status_message: str | None = Field(None, alias="statusMessage")
    poll_interval_ms: int | None = Field(None, alias="pollIntervalMs")
    result: dict[str, Any] | None = None


class CreatedTask(TaskState):
    result_type: Literal["task"] = Field(alias="resultType")


async def get_task(session: ClientSession, task_id: str) -> TaskState:
    return await session.send_request(GetTask(params=TaskParams(taskId=task_id)), TaskState)


async def finished(session: ClientSession, task_id: str, timeout_s: float = 300) -> TaskState:
    with anyio.fail_after(timeout_s):
        while (state := await get_task(session, task_id)).status == "working":
            await anyio.sleep((state.poll_interval_ms or 1000) / 1000)
    return state


class TasksClient(ClientExtension):
    """Declares the extension; a task handle is followed to its result, so `call_tool` returns as usual."""

    identifier = TASKS

    def claims(self) -> list[ResultClaim[Any]]:
        return [ResultClaim(result_type="task", model=CreatedTask, resolve=self.follow)]

    async def follow(self, created: CreatedTask, ctx: ClaimContext) -> CallToolResult:
        state = await finished(ctx.session, created.task_id)
        assert state.status == "completed" and state.result is not None, state
        return CallToolResult.model_validate(state.result)


# the cluster --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def clip() -> Path:
    return cluster_clip()


@pytest.fixture(scope="module")
def cluster(postgres_server: str, clip: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    home = tmp_path_factory.mktemp("replicas-home")
    with running_cluster(new_database(postgres_server), home, clip.parent, workers=1) as running:
        yield running


async def _session_with_a_draft(client: Any, clip: Path) -> str:
    sid = (await client.call_tool("upload_video", {"path": str(clip)})).structured_content["session_id"]
    edited = await client.call_tool("edit_timeline", {"session_id": sid, "target_s": "6s"})
    assert not edited.is_error, edited.content
    return sid


async def _start_export_task(base: str, clip: Path, **arguments: Any) -> tuple[str, Any]:
    """A draft and an export started as a task on replica `base`, by a client that then goes away."""
    async with http_client(base, extensions=[TasksClient()]) as starter:
        sid = await _session_with_a_draft(starter, clip)
        created = await starter.session.call_tool("export_video", {"session_id": sid, **arguments}, allow_claimed=True)
    return sid, created


def _reel(cluster: Cluster, result: dict[str, Any]) -> SimpleNamespace:
    structured = result["structuredContent"]
    # over HTTP a result names its file only; it is in the shared home's renders folder
    return SimpleNamespace(
        path=cluster.home / "renders" / structured["path"], width=structured["width"], height=structured["height"]
    )


# change notifications -----------------------------------------------------------------------------
async def test_an_edit_and_an_upload_through_one_replica_reach_a_listener_on_the_other(
    cluster: Cluster, clip: Path
) -> None:
    one, other = cluster.bases
    async with http_client(one) as listener, http_client(other) as editor:
        sid = (await editor.call_tool("upload_video", {"path": str(clip)})).structured_content["session_id"]
        uri = f"highlight://sessions/{sid}/timeline"
        async with listener.listen(resource_subscriptions=[uri], resources_list_changed=True) as events:
            await editor.call_tool("upload_video", {"path": str(clip)})  # a new session: the list changed
            edited = await editor.call_tool("edit_timeline", {"session_id": sid, "target_s": "6s"})
            assert not edited.is_error, edited.content
            seen: list[object] = []
            with anyio.fail_after(30):
                while ResourceUpdated(uri=uri) not in seen or ResourcesListChanged() not in seen:
                    seen.append(await events.__anext__())


async def test_a_2025_client_subscribed_on_one_replica_hears_an_edit_made_through_the_other(
    cluster: Cluster, clip: Path
) -> None:
    one, other = cluster.bases
    updated: list[str] = []

    async def on_message(message: Any) -> None:
        if getattr(message, "method", None) == "notifications/resources/updated":
            updated.append(str(message.params.uri))

    async with http_client(other) as editor:
        sid = (await editor.call_tool("upload_video", {"path": str(clip)})).structured_content["session_id"]
        uri = f"highlight://sessions/{sid}/timeline"
        async with http_client(one, mode="legacy", message_handler=on_message) as legacy:
            with pytest.warns(Warning):  # resources/subscribe is deprecated at 2026, still what 2025 clients send
                await legacy.subscribe_resource(uri)
            await editor.call_tool("edit_timeline", {"session_id": sid, "target_s": "6s"})
            with anyio.fail_after(30):
                while not updated:
                    await anyio.sleep(0.05)
    assert updated == [uri]


# MCP Tasks ----------------------------------------------------------------------------------------
async def test_an_export_task_started_on_one_replica_is_finished_through_the_other(
    cluster: Cluster, clip: Path
) -> None:
    one, other = cluster.bases
    sid, created = await _start_export_task(one, clip)
    assert isinstance(created, CreatedTask) and created.status == "working", created
    # the client that started it has gone; a new connection, on the other replica, follows it
    async with http_client(other, extensions=[TasksClient()]) as follower:
        state = await finished(follower.session, created.task_id)
        assert state.status == "completed", state
        assert state.result is not None and not state.result.get("isError"), state.result
        assert_valid_reel(_reel(cluster, state.result), (1920, 1080))
        again = await get_task(follower.session, created.task_id)  # a finished task keeps its result
        assert again.result == state.result
        # the SDK's client resolves a task handle itself: call_tool returns the export's result
        square = await follower.call_tool("export_video", {"session_id": sid, "aspects": ["1:1"]})
        assert not square.is_error, square.content
        assert square.structured_content["path"].endswith(".mp4")
        assert square.structured_content["render_id"] != created.task_id
    async with http_client(one) as plain:  # no extension: the blocking call (here the same file at once)
        blocking = await plain.call_tool("export_video", {"session_id": sid})
        assert not blocking.is_error and blocking.structured_content["render_id"] == created.task_id
        with pytest.raises(MCPError) as refused:
            await get_task(plain.session, created.task_id)
        assert refused.value.error.code == -32021  # missing required client capability


async def test_an_export_task_is_cancelled_through_another_replica_and_unknown_tasks_are_refused(
    cluster: Cluster, clip: Path
) -> None:
    one, other = cluster.bases
    _, created = await _start_export_task(one, clip, aspects=["9:16"])
    assert isinstance(created, CreatedTask)
    async with http_client(other, extensions=[TasksClient()]) as canceller:
        await canceller.session.send_request(CancelTask(params=TaskParams(taskId=created.task_id)), Result)
        state = await finished(canceller.session, created.task_id, timeout_s=60)
        assert state.status == "cancelled", state
        ((status,),) = cluster.query("SELECT status FROM jobs WHERE id = %s", created.task_id)
        assert status == "cancelled"
        with pytest.raises(MCPError) as unknown:
            await get_task(canceller.session, "job_not-a-real-task")
        assert unknown.value.error.code == -32602
