"""Routing plain-language requests: export, credits, state, upload or edit, in English and Chinese."""

from __future__ import annotations

import pytest

from mcp_highlight.service.instructions import parse_instruction
from mcp_highlight.service.routing import plan_route, route


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("export", "export"),
        ("Export it please", "export"),
        ("导出", "export"),
        ("download", "export"),
        ("下载", "export"),
        ("send me the video", "export"),
        ("render it", "export"),
        ("give me the file", "export"),
        ("把视频发给我", "export"),
        ("credits", "credits"),
        ("积分", "credits"),
        ("balance", "credits"),
        ("what's my balance?", "credits"),
        ("余额", "credits"),
        ("how many credits do I have?", "credits"),
        ("status", "state"),
        ("状态", "state"),
        ("show tracks", "state"),
        ("what's on the timeline", "state"),
        ("轨道", "state"),
        ("查看轨道", "state"),
        ("时间线上有什么", "state"),
        ("upload", "upload"),
        ("上传", "upload"),
        ("here is a file", "upload"),
        ("make a 3-minute reel", "edit"),
        ("竖屏", "edit"),
        ("make it pop", "edit"),
    ],
)
def test_the_contract_table_routes_both_languages(text: str, expected: str) -> None:
    assert route(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "add music.mp3 at 35%",  # names a file, but it is an edit
        "add the song I uploaded",  # 'uploaded' is not 'upload'
        "加上传的音乐",  # 上传的 = the uploaded one
        "show the time on each clip",  # not 'show the timeline'
        "加一个音乐轨道",  # adding a track is not asking to see them
        "add credits at the end",  # film credits, not account credits
        "balance the music with the crowd noise",  # audio balance, not an account balance
        "the exported file is too long, make it shorter",  # 'exported' is not 'export'
        "导出的视频太长了，短一点",
        "remove the title",
        "drop the second clip",
        "use game.mp4 for a 30s reel",
    ],
)
def test_words_that_only_look_like_routes_stay_edits(text: str) -> None:
    plan = plan_route(text)
    assert plan.steps == ["edit"]
    assert plan.uploads == []
    assert plan.edit_text == text


@pytest.mark.parametrize(
    ("text", "steps", "edit_text"),
    [
        ("make it vertical and export", ["edit", "export"], "make it vertical and"),
        ("export it vertical", ["edit", "export"], "vertical"),
        ("做成竖屏然后导出", ["edit", "export"], "做成竖屏然后"),
        ("make a highlight reel and export it", ["edit", "export"], "make a highlight reel and"),
        ("send me a square version", ["edit", "export"], "a square version"),
        ("export the highlight reel", ["export"], ""),
        ("make it square and show me the timeline", ["edit", "state"], "make it square and"),
    ],
)
def test_a_request_that_edits_and_exports_runs_the_edit_first(text: str, steps: list[str], edit_text: str) -> None:
    plan = plan_route(text)
    assert plan.steps == steps
    assert plan.primary == steps[0]
    assert plan.edit_text == edit_text


def test_the_edit_text_of_a_combined_request_parses_without_the_route_words() -> None:
    plan = plan_route("make it vertical and export")
    parsed = parse_instruction(plan.edit_text)
    assert parsed.request.aspect == "9:16"
    assert parsed.leftover == ""


@pytest.mark.parametrize(
    ("text", "uploads"),
    [
        ("/home/me/game.mp4", ["/home/me/game.mp4"]),
        ("game.mp4", ["game.mp4"]),
        ("music.mp3", ["music.mp3"]),
        ("https://example.com/v.mp4", ["https://example.com/v.mp4"]),
        ("https://example.com/watch?v=abc", ["https://example.com/watch?v=abc"]),
        ("upload /x/game.mp4", ["/x/game.mp4"]),
        ("C:\\Videos\\final.mov", ["C:\\Videos\\final.mov"]),
        ("here's the video: '/Users/me/My Movies/game 1.mov'", ["/Users/me/My Movies/game 1.mov"]),
        ("上传 /data/比赛.mp4", ["/data/比赛.mp4"]),
        ("upload a.mp4 and b.mp4", ["a.mp4", "b.mp4"]),
        ("/tmp/match.mts", ["/tmp/match.mts"]),
    ],
)
def test_an_upload_returns_the_paths_and_urls_it_found(text: str, uploads: list[str]) -> None:
    plan = plan_route(text)
    assert plan.steps == ["upload"]
    assert plan.uploads == uploads


def test_an_upload_request_without_a_path_still_routes_to_upload() -> None:
    plan = plan_route("I want to upload a video")
    assert plan.steps == ["upload"]
    assert plan.uploads == []


def test_upload_then_edit_keeps_the_file_in_the_edit_text_so_it_resolves_after_upload() -> None:
    plan = plan_route("upload song.mp3 and add it at 35%")
    assert plan.steps == ["upload", "edit"]
    assert plan.uploads == ["song.mp3"]
    parsed = parse_instruction(plan.edit_text, known_media={"song.mp3": "m7"})
    assert parsed.request.music == "m7"
    assert parsed.request.music_volume == 0.35


def test_upload_edit_and_export_in_one_request_run_in_that_order() -> None:
    plan = plan_route("upload game.mp4, make a 30s reel and export it")
    assert plan.steps == ["upload", "edit", "export"]
    assert plan.uploads == ["game.mp4"]


def test_words_nobody_understood_next_to_a_route_are_reported() -> None:
    plan = plan_route("export, and make it pop")
    assert plan.steps == ["export"]
    assert plan.leftover == "pop"


def test_an_empty_request_goes_to_the_edit_which_explains_what_it_can_do() -> None:
    assert plan_route("").steps == ["edit"]
    assert plan_route("   ").steps == ["edit"]
