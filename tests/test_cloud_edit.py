"""Cloud edits: the SSE stream read tolerantly, GUI-speak translated, silences and breaks handled."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from cloud_fake import FAST_TIMING, REGISTERED_TOKEN, CloudFake, ProgressLog, cloud_fake, make_cloud_backend

from mcp_highlight.backends.cloud import CloudBackend
from mcp_highlight.backends.cloud.gui_speak import detect_language, translate
from mcp_highlight.backends.cloud.models import AgentEvent
from mcp_highlight.backends.cloud.sse import Heartbeat, iter_stream
from mcp_highlight.backends.cloud.wire import step_name
from mcp_highlight.backends.describe_edit import describe_edit
from mcp_highlight.backends.models import EditRequest
from mcp_highlight.core.errors import (
    BackendError,
    NoCreditsError,
    OperationCancelledError,
    UnknownSessionError,
)
from mcp_highlight.draft.diff import describe_changes, diff_drafts
from mcp_highlight.draft.model import Draft, Segment, Track

__all__ = ["cloud_fake"]
pytestmark = pytest.mark.anyio


async def _lines(text: str) -> AsyncIterator[str]:
    for line in text.split("\n"):
        yield line


async def _items(text: str) -> list[object]:
    return [item async for item in iter_stream(_lines(text))]


async def _uploaded(fake: CloudFake, backend: CloudBackend, tmp_path: Path, name: str = "game.mp4") -> str:
    clip = tmp_path / name
    clip.write_bytes(b"\0" * 2048)
    session_id = (await backend.upload(str(clip), session_id=None, progress=ProgressLog())).session_id
    fake.put_on_timeline(session_id)
    return session_id


# --- the stream parser --------------------------------------------------------------------------------------


async def test_all_three_heartbeat_forms_are_heartbeats() -> None:
    items = await _items(": ping\n\nevent: heartbeat\ndata: {}\n\ndata:\n\n")
    assert items == [Heartbeat(), Heartbeat(), Heartbeat()]


async def test_events_without_blank_lines_between_them_and_unknown_fields_are_read() -> None:
    text = (
        'data: {"content":{"parts":[{"text":"one"}]},"brandNew":1}\n'
        'data: {"content":{"parts":[{"functionCall":{"name":"add_text","args":{}}}]}}\n'
        "data: [DONE]\n"
        "data: not json at all\n"
        "\n"
        'data: {"content":{"parts":[{"text":"last, no blank line"}]}}'
    )
    items = await _items(text)
    events = [item for item in items if isinstance(item, AgentEvent)]
    assert [e.texts for e in events] == [["one"], [], ["last, no blank line"]]
    assert events[1].calls[0].name == "add_text"


async def test_an_error_event_is_recognised() -> None:
    items = await _items('data: {"error": "model overloaded"}\n\n')
    assert isinstance(items[0], AgentEvent) and items[0].is_error


def test_function_calls_name_the_step_for_people() -> None:
    assert step_name("add_text") == "Adding title"
    assert step_name("add_bgm") == "Adding music"
    assert step_name("trim_video") == "Trimming video"
    assert step_name("frobnicate") == "Working: frobnicate"


# --- GUI-speak ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("said", "kept", "gone", "becomes"),
    [
        ("Added the title. Click the Export button to download.", "Added the title.", "Click", "export"),
        ("Music added. Open the timeline panel to check it.", "Music added.", "Open", "Current timeline: T1"),
        ("You can preview it in the timeline.", "", "preview", "Current timeline: T1"),
        ("Clips are in. Drag the clip to reorder.", "Clips are in.", "Drag", "in words"),
        ("Done. Click Apply to confirm.", "Done.", "Apply", "done for you"),
        ("Please check your account billing page.", "", "billing", "credits"),
        ("已添加标题「Derby Day」。点击导出按钮即可下载。", "已添加标题「Derby Day」。", "点击", "导出"),
        ("已添加背景音乐。打开时间线面板查看。", "已添加背景音乐。", "打开", "当前时间线：T1"),
        ("片段已就绪。拖拽片段调整顺序。", "片段已就绪。", "拖拽", "编辑"),
        ("请在账户中充值。", "", "充值", "积分"),
    ],
)
def test_gui_speak_becomes_what_happens_here(said: str, kept: str, gone: str, becomes: str) -> None:
    out = translate(said, summary="T1")
    assert out.startswith(kept)
    assert gone not in out
    assert becomes in out


def test_sentences_about_the_content_are_left_alone() -> None:
    text = "I trimmed the intro and kept the three loudest moments. The reel is 45 seconds long."
    assert translate(text) == text


def test_chinese_is_detected_for_the_session_language() -> None:
    assert detect_language("把最精彩的部分剪成三分钟") == "zh"
    assert detect_language("pull the best moments") == "en"


# --- state diff ---------------------------------------------------------------------------------------------


def test_the_state_diff_says_what_changed_in_words() -> None:
    before = Draft(t=[Track(tt=0, m={"name": "game"}, sg=[Segment(d=10000)])])
    after = Draft(
        t=[
            Track(tt=0, m={"name": "game"}, sg=[Segment(d=6000), Segment(d=6000)]),
            Track(tt=7, sg=[Segment(d=3000, m={"text": "Derby Day"})]),
        ]
    )
    changes = diff_drafts(before, after)
    lines = [c.line for c in changes]
    assert 'Title: none -> "Derby Day" (0-3s)' in lines
    assert "Video: game, 1 clip (0-10s) -> game, 2 clips (0-12s)" in lines
    assert "Length: 10s -> 12s" in lines
    assert 'Title added: "Derby Day" (0-3s)' in describe_changes(changes)
    assert [c.words for c in diff_drafts(after, before) if c.thing == "Title"] == ['Title removed: "Derby Day" (0-3s)']
    assert diff_drafts(before, before) == []


# --- edits against the fake ---------------------------------------------------------------------------------


async def test_an_edit_reports_the_translated_answer_and_the_changes(cloud_fake: CloudFake, tmp_path: Path) -> None:
    backend = make_cloud_backend(cloud_fake, tmp_path / "home")
    session_id = await _uploaded(cloud_fake, backend, tmp_path)
    progress = ProgressLog()
    result = await backend.edit(session_id, "add the title 'Derby Day'", None, progress=progress)
    await backend.aclose()
    assert result.message.startswith("I've added the title 'Derby Day' at the start.")
    assert "Click" not in result.message and "export" in result.message
    assert result.changes == ['Title: none -> "Derby Day" (0-3s)']
    assert result.before == "Timeline (1 track): 1. Video: game.mp4 (0-10s)"
    assert '2. Title: "Derby Day" (0-3s)' in result.after
    assert "Adding title" in progress.messages, "the function call names the step in progress"
    sent = cloud_fake.calls("/run_sse")[0]
    assert sent.headers["accept"] == "text/event-stream"
    assert sent.json == {
        "app_name": "nemo_agent",
        "user_id": "me",
        "session_id": session_id,
        "new_message": {"parts": [{"text": "add the title 'Derby Day'"}]},
    }


async def test_a_structured_request_is_sent_as_words(cloud_fake: CloudFake, tmp_path: Path) -> None:
    backend = make_cloud_backend(cloud_fake, tmp_path / "home")
    session_id = await _uploaded(cloud_fake, backend, tmp_path)
    request = EditRequest(title="Derby Day", title_s=3)
    result = await backend.edit(session_id, None, request, progress=ProgressLog())
    await backend.aclose()
    assert cloud_fake.calls("/run_sse")[0].json["new_message"]["parts"][0]["text"] == describe_edit(request)
    assert any("Derby Day" in change for change in result.changes)


async def test_a_silent_edit_is_reported_from_the_state_diff(cloud_fake: CloudFake, tmp_path: Path) -> None:
    cloud_fake.switches.silent_edits = True
    backend = make_cloud_backend(cloud_fake, tmp_path / "home")
    session_id = await _uploaded(cloud_fake, backend, tmp_path)
    result = await backend.edit(session_id, "add some music", None, progress=ProgressLog())
    await backend.aclose()
    assert result.changes == ["BGM: none -> Lo-fi (0-10s, 35%)"]
    assert "BGM added: Lo-fi (0-10s, 35%)" in result.message


async def test_partial_fragments_are_ignored_in_favour_of_the_full_event(cloud_fake: CloudFake, tmp_path: Path) -> None:
    cloud_fake.switches.partial_events = True
    backend = make_cloud_backend(cloud_fake, tmp_path / "home")
    session_id = await _uploaded(cloud_fake, backend, tmp_path)
    result = await backend.edit(session_id, "add the title 'Derby Day'", None, progress=ProgressLog())
    await backend.aclose()
    assert result.message.count("Derby Day") == 1
    assert result.message.startswith("I've added the title 'Derby Day' at the start.")


async def test_a_trailing_temporary_issue_is_dropped(cloud_fake: CloudFake, tmp_path: Path) -> None:
    cloud_fake.switches.trailing_noise = True
    backend = make_cloud_backend(cloud_fake, tmp_path / "home")
    session_id = await _uploaded(cloud_fake, backend, tmp_path)
    result = await backend.edit(session_id, "add the title 'Derby Day'", None, progress=ProgressLog())
    await backend.aclose()
    assert "temporary issue" not in result.message
    assert "Derby Day" in result.message


async def test_a_plain_json_answer_instead_of_a_stream_is_understood(cloud_fake: CloudFake, tmp_path: Path) -> None:
    cloud_fake.switches.json_instead_of_stream = True
    backend = make_cloud_backend(cloud_fake, tmp_path / "home")
    session_id = await _uploaded(cloud_fake, backend, tmp_path)
    result = await backend.edit(session_id, "add the title 'Derby Day'", None, progress=ProgressLog())
    await backend.aclose()
    assert result.message.startswith("I've added the title")


async def test_heartbeats_only_keep_the_caller_informed_then_time_out(cloud_fake: CloudFake, tmp_path: Path) -> None:
    cloud_fake.switches.heartbeats_only = True
    backend = make_cloud_backend(cloud_fake, tmp_path / "home")
    session_id = await _uploaded(cloud_fake, backend, tmp_path)
    progress = ProgressLog()
    with pytest.raises(BackendError) as err:
        await backend.edit(session_id, "generate an intro", None, progress=progress)
    await backend.aclose()
    assert "keep-alive" in str(err.value) and "not re-sent" in str(err.value)
    assert any(m.startswith("Still working") for m in progress.messages)
    assert len(cloud_fake.calls("/run_sse")) == 1


async def test_an_edit_stream_is_capped(cloud_fake: CloudFake, tmp_path: Path) -> None:
    cloud_fake.switches.heartbeats_only = True
    timing = FAST_TIMING.model_copy(update={"sse_cap_s": 0.3, "heartbeat_only_timeout_s": 60})
    backend = make_cloud_backend(cloud_fake, tmp_path / "home", timing=timing)
    session_id = await _uploaded(cloud_fake, backend, tmp_path)
    with pytest.raises(BackendError) as err:
        await backend.edit(session_id, "generate an intro", None, progress=ProgressLog())
    await backend.aclose()
    assert "did not finish the edit within" in str(err.value)


async def test_the_caller_can_cancel_a_long_edit_through_progress(cloud_fake: CloudFake, tmp_path: Path) -> None:
    cloud_fake.switches.heartbeats_only = True
    backend = make_cloud_backend(cloud_fake, tmp_path / "home")
    session_id = await _uploaded(cloud_fake, backend, tmp_path)
    with pytest.raises(OperationCancelledError):
        await backend.edit(session_id, "generate an intro", None, progress=ProgressLog(cancel_after=6))
    await backend.aclose()


async def test_a_broken_stream_is_never_resent_and_the_late_change_is_reported(
    cloud_fake: CloudFake, tmp_path: Path
) -> None:
    cloud_fake.switches.cut_after_events = 2
    cloud_fake.switches.cut_applies_after_reads = 3
    backend = make_cloud_backend(cloud_fake, tmp_path / "home")
    session_id = await _uploaded(cloud_fake, backend, tmp_path)
    state_reads_before = len(cloud_fake.calls("/api/state/"))
    progress = ProgressLog()
    result = await backend.edit(session_id, "add the title 'Derby Day'", None, progress=progress)
    await backend.aclose()
    assert len(cloud_fake.calls("/run_sse")) == 1, "a broken stream must never be re-sent"
    assert result.changes == ['Title: none -> "Derby Day" (0-3s)']
    assert "dropped" in result.message and 'Title added: "Derby Day"' in result.message
    # one read before the edit, then the recovery reads until the change shows (the 3rd)
    assert len(cloud_fake.calls("/api/state/")) - state_reads_before == 1 + 3
    assert any("not re-sent" in m for m in progress.messages)


async def test_a_broken_stream_with_no_change_fails_after_five_reads_and_offers_a_retry(
    cloud_fake: CloudFake, tmp_path: Path
) -> None:
    cloud_fake.switches.cut_after_events = 1
    cloud_fake.switches.cut_applies_after_reads = None
    backend = make_cloud_backend(cloud_fake, tmp_path / "home")
    session_id = await _uploaded(cloud_fake, backend, tmp_path)
    reads_before = len(cloud_fake.calls("/api/state/"))
    with pytest.raises(BackendError) as err:
        await backend.edit(session_id, "add the title 'Derby Day'", None, progress=ProgressLog())
    await backend.aclose()
    assert "5 checks" in str(err.value) and "Send it again" in str(err.value)
    assert len(cloud_fake.calls("/api/state/")) - reads_before == 1 + 5
    assert len(cloud_fake.calls("/run_sse")) == 1


async def test_an_error_event_becomes_a_backend_error(cloud_fake: CloudFake, tmp_path: Path) -> None:
    cloud_fake.switches.error_event = "model overloaded"
    backend = make_cloud_backend(cloud_fake, tmp_path / "home")
    session_id = await _uploaded(cloud_fake, backend, tmp_path)
    with pytest.raises(BackendError) as err:
        await backend.edit(session_id, "add the title 'X'", None, progress=ProgressLog())
    await backend.aclose()
    assert "model overloaded" in str(err.value)


async def test_an_error_event_with_the_credits_code_is_a_credits_error(cloud_fake: CloudFake, tmp_path: Path) -> None:
    cloud_fake.switches.error_event = {"code": 2001, "message": "insufficient credits"}
    backend = make_cloud_backend(cloud_fake, tmp_path / "home")
    session_id = await _uploaded(cloud_fake, backend, tmp_path)
    with pytest.raises(NoCreditsError):
        await backend.edit(session_id, "add the title 'X'", None, progress=ProgressLog())
    await backend.aclose()


async def test_no_credits_offers_the_registration_link_to_anonymous_users(
    cloud_fake: CloudFake, tmp_path: Path
) -> None:
    cloud_fake.switches.credits_available = 10
    backend = make_cloud_backend(cloud_fake, tmp_path / "home")
    session_id = await _uploaded(cloud_fake, backend, tmp_path)
    with pytest.raises(NoCreditsError) as err:
        await backend.edit(session_id, "add the title 'X'", None, progress=ProgressLog())
    credits = await backend.credits()
    await backend.aclose()
    task_id = cloud_fake.sessions[session_id].task_id
    assert f"https://web.example/register?bind={task_id}" in str(err.value)
    assert credits.available == 10 and credits.metered


async def test_no_credits_tells_registered_users_to_top_up(cloud_fake: CloudFake, tmp_path: Path) -> None:
    cloud_fake.switches.credits_available = 0
    backend = make_cloud_backend(cloud_fake, tmp_path / "home", token=REGISTERED_TOKEN)
    session_id = await _uploaded(cloud_fake, backend, tmp_path)
    with pytest.raises(NoCreditsError) as err:
        await backend.edit(session_id, "add the title 'X'", None, progress=ProgressLog())
    await backend.aclose()
    assert "Top up credits in your account" in str(err.value)
    assert "bind=" not in str(err.value)


async def test_a_gone_session_is_replaced_and_the_caller_told(cloud_fake: CloudFake, tmp_path: Path) -> None:
    backend = make_cloud_backend(cloud_fake, tmp_path / "home")
    session_id = await _uploaded(cloud_fake, backend, tmp_path)
    cloud_fake.switches.unknown_sessions.add(session_id)
    with pytest.raises(UnknownSessionError) as err:
        await backend.edit(session_id, "add the title 'X'", None, progress=ProgressLog())
    await backend.aclose()
    new_ids = [s for s in cloud_fake.sessions if s != session_id]
    assert len(new_ids) == 1
    assert f"{session_id} is gone" in str(err.value) and new_ids[0] in str(err.value)
    assert not cloud_fake.calls("/run_sse")


async def test_chinese_instructions_get_a_chinese_session_and_translated_chinese(
    cloud_fake: CloudFake, tmp_path: Path
) -> None:
    backend = make_cloud_backend(cloud_fake, tmp_path / "home")
    session_id = await _uploaded(cloud_fake, backend, tmp_path, name="德比日.mp4")
    assert cloud_fake.calls("/api/tasks/")[0].json == {"task_name": "project", "language": "zh"}
    result = await backend.edit(session_id, "添加标题「德比日」", None, progress=ProgressLog())
    music = await backend.edit(session_id, "加上背景音乐", None, progress=ProgressLog())
    await backend.aclose()
    assert result.message.startswith("已添加标题「德比日」。")
    assert "点击" not in result.message and "导出" in result.message
    assert "打开" not in music.message and "当前时间线：" in music.message and "BGM: Lo-fi" in music.message
