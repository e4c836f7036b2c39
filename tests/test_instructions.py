"""The rule-based instruction parser: plain English and Chinese in, a structured EditRequest out."""

from __future__ import annotations

from typing import Any

import pytest

from mcp_highlight.core.errors import BadInputError, InstructionNotUnderstoodError
from mcp_highlight.service.instructions import (
    HELP_EN,
    HELP_ZH,
    is_chinese,
    parse_instruction,
)


def fields(text: str, **kwargs: Any) -> dict[str, Any]:
    """The fields the instruction set, without the defaults."""
    return parse_instruction(text, **kwargs).request.model_dump(exclude_defaults=True)


ENGLISH: list[tuple[str, dict[str, Any]]] = [
    # length of the reel
    ("pull the best moments and compile them into a 3-minute highlight reel", {"target_s": 180}),
    ("a 30s reel", {"target_s": 30}),
    ("90 second highlight", {"target_s": 90}),
    ("1:30 reel", {"target_s": 90}),
    ("make it 45 seconds", {"target_s": 45}),
    ("3 min", {"target_s": 180}),
    ("two minutes", {"target_s": 120}),
    ("make it twenty seconds long", {"target_s": 20}),
    ("a minute and a half", {"target_s": 90}),
    ("half a minute", {"target_s": 30}),
    ("make it 2 minutes and 30 seconds", {"target_s": 150}),
    ("a 2m30s reel", {"target_s": 150}),
    ("cut it down to 2 min", {"target_s": 120}),
    # number of moments
    ("top 5 moments", {"moments": 5}),
    ("the 5 best plays", {"moments": 5}),
    ("5 highlights", {"moments": 5}),
    ("top five", {"moments": 5}),
    ("give me 8 of the best", {"moments": 8}),
    # clip lengths
    ("clips between 4 and 10 seconds", {"min_segment_s": 4, "max_segment_s": 10}),
    ("4-10 second clips", {"min_segment_s": 4, "max_segment_s": 10}),
    ("clips of at most 8 seconds", {"max_segment_s": 8}),
    ("each clip at least 3 seconds", {"min_segment_s": 3}),
    # shape
    ("make it vertical for TikTok", {"aspect": "9:16"}),
    ("9:16", {"aspect": "9:16"}),
    ("portrait", {"aspect": "9:16"}),
    ("for Reels", {"aspect": "9:16"}),
    ("for YouTube Shorts", {"aspect": "9:16"}),
    ("for Instagram Stories", {"aspect": "9:16"}),
    ("square", {"aspect": "1:1"}),
    ("1:1", {"aspect": "1:1"}),
    ("for the Instagram feed", {"aspect": "1:1"}),
    ("landscape", {"aspect": "16:9"}),
    ("16:9", {"aspect": "16:9"}),
    ("widescreen", {"aspect": "16:9"}),
    ("for YouTube", {"aspect": "16:9"}),
    ("vertical with blurred background", {"aspect": "9:16", "fit": "blur"}),
    ("blur fill", {"fit": "blur"}),
    ("don't crop", {"fit": "blur"}),
    ("crop it to 9:16", {"aspect": "9:16", "fit": "crop"}),
    # titles, in every quote style
    ("add the title 'Derby Day' for the first 3 seconds", {"title": "Derby Day", "title_s": 3}),
    ('add the title "Derby Day"', {"title": "Derby Day"}),
    ("title “Derby Day”", {"title": "Derby Day"}),
    ("title ‘Derby Day’", {"title": "Derby Day"}),
    ("title 「Derby Day」", {"title": "Derby Day"}),
    ("title 《Derby Day》", {"title": "Derby Day"}),
    ("title: Derby Day", {"title": "Derby Day"}),
    ("call it Derby Day", {"title": "Derby Day"}),
    ("add the title Derby Day for the first 3 seconds", {"title": "Derby Day", "title_s": 3}),
    ("titled 'Top 5 of 2024'", {"title": "Top 5 of 2024"}),
    ("don't crop and add the title 'Derby Day'", {"fit": "blur", "title": "Derby Day"}),
    ("remove the title", {"remove_title": True}),
    # music
    ("add music.mp3 at 35%", {"music": "music.mp3", "music_volume": 0.35}),
    ("background music /path/to/song.mp3 volume 0.2", {"music": "/path/to/song.mp3", "music_volume": 0.2}),
    ("add 'My Song.wav' at volume 40%", {"music": "My Song.wav", "music_volume": 0.4}),
    ("music volume 20", {"music_volume": 0.2}),
    ("add song_3m.mp3", {"music": "song_3m.mp3"}),
    ("remove the music", {"remove_music": True}),
    ("no music", {"remove_music": True}),
    # clips to drop: 1-based, negatives count from the end
    ("drop the second clip", {"drop_clips": [2]}),
    ("remove clip 3", {"drop_clips": [3]}),
    ("delete the last clip", {"drop_clips": [-1]}),
    ("cut clips 2 and 4", {"drop_clips": [2, 4]}),
    ("remove clips 2-4", {"drop_clips": [2, 3, 4]}),
    ("drop the 2nd and 4th clips", {"drop_clips": [2, 4]}),
    ("drop the last two clips", {"drop_clips": [-2, -1]}),
    ("remove the second to last clip", {"drop_clips": [-2]}),
    # shorter, longer
    ("make it shorter", {"scale_length": 0.67}),
    ("a bit shorter", {"scale_length": 0.8}),
    ("much shorter", {"scale_length": 0.5}),
    ("half as long", {"scale_length": 0.5}),
    ("50% shorter", {"scale_length": 0.5}),
    ("make it longer", {"scale_length": 1.5}),
    ("a little longer", {"scale_length": 1.25}),
    ("twice as long", {"scale_length": 2.0}),
    # history and captions
    ("undo", {"undo": True}),
    ("revert", {"undo": True}),
    ("go back", {"undo": True}),
    ("redo", {"redo": True}),
    ("undo and make it square", {"undo": True, "aspect": "1:1"}),
    ("add captions", {"captions": True}),
    ("show the time on each clip", {"captions": True}),
    ("no captions", {"captions": False}),
    ("include the replays", {"include_replays": True}),
    ("show slow-motion replays too", {"include_replays": True}),
    ("no replays, live action only", {"include_replays": False}),
    ("drop the replays", {"include_replays": False}),
    # combinations
    (
        "make a 30s vertical reel titled 'Finals' with music.mp3 at 20%",
        {"target_s": 30, "aspect": "9:16", "title": "Finals", "music": "music.mp3", "music_volume": 0.2},
    ),
    ("I want 3 highlights, 45 seconds, square", {"moments": 3, "target_s": 45, "aspect": "1:1"}),
    (
        "top 5 moments, landscape, no music, remove the title, drop clip 2",
        {"moments": 5, "aspect": "16:9", "remove_music": True, "remove_title": True, "drop_clips": [2]},
    ),
    # phrasings an assistant relays
    (
        "Create a 60-second highlight reel of the best moments, vertical 9:16 for TikTok, with the title "
        "'Derby Day' for the first 3 seconds and background music music.mp3 at 35% volume",
        {
            "target_s": 60,
            "aspect": "9:16",
            "title": "Derby Day",
            "title_s": 3,
            "music": "music.mp3",
            "music_volume": 0.35,
        },
    ),
    ("Make the reel 2 minutes long and use only the 8 best moments", {"target_s": 120, "moments": 8}),
    ("Can you make it a bit shorter and remove the third clip?", {"scale_length": 0.8, "drop_clips": [3]}),
    ("remove the captions and the title", {"captions": False, "remove_title": True}),
    ("make the title 'Goal!' show for 5 seconds", {"title": "Goal!", "title_s": 5}),
    ("put the title at the start for 2 seconds: 'Kickoff'", {"title": "Kickoff", "title_s": 2}),
    ("change the title to 'Final Night'", {"title": "Final Night"}),
    ("replace the title with 'Final Night'", {"title": "Final Night"}),
    ("replace the music with song2.mp3", {"music": "song2.mp3"}),
    ("set the music volume to 50%", {"music_volume": 0.5}),
    ("music at 0.3", {"music_volume": 0.3}),
    ("keep clips under 6 seconds", {"max_segment_s": 6}),
    ("take out clips 1, 3 and 5", {"drop_clips": [1, 3, 5]}),
    ("mute the music", {"remove_music": True}),
]

CHINESE: list[tuple[str, dict[str, Any]]] = [
    ("把精彩片段剪成30秒", {"target_s": 30}),
    ("剪一个3分钟的集锦", {"target_s": 180}),
    ("两分钟", {"target_s": 120}),
    ("十五秒", {"target_s": 15}),
    ("一分半", {"target_s": 90}),
    ("2分30秒", {"target_s": 150}),
    ("前5个精彩瞬间", {"moments": 5}),
    ("五个精彩片段", {"moments": 5}),
    ("十个精彩瞬间", {"moments": 10}),
    ("最精彩的5个瞬间", {"moments": 5}),
    ("每段4到10秒", {"min_segment_s": 4, "max_segment_s": 10}),
    ("每段不超过8秒", {"max_segment_s": 8}),
    ("竖屏", {"aspect": "9:16"}),
    ("做成抖音竖版", {"aspect": "9:16"}),
    ("横屏", {"aspect": "16:9"}),
    ("方形", {"aspect": "1:1"}),
    ("正方形", {"aspect": "1:1"}),
    ("竖屏，模糊背景", {"aspect": "9:16", "fit": "blur"}),
    ("加标题“德比日”前3秒", {"title": "德比日", "title_s": 3}),
    ("加标题《决赛》", {"title": "决赛"}),
    ("加标题「决赛」", {"title": "决赛"}),
    ("标题是德比日，显示5秒", {"title": "德比日", "title_s": 5}),
    ("去掉标题", {"remove_title": True}),
    ("加背景音乐 music.mp3 音量35%", {"music": "music.mp3", "music_volume": 0.35}),
    ("加背景音乐music.mp3", {"music": "music.mp3"}),
    ("加背景音乐“我的歌.mp3”", {"music": "我的歌.mp3"}),
    ("音量百分之三十", {"music_volume": 0.3}),
    ("去掉音乐", {"remove_music": True}),
    ("去掉第二个片段", {"drop_clips": [2]}),
    ("删除第2段", {"drop_clips": [2]}),
    ("删掉第2和第4段", {"drop_clips": [2, 4]}),
    ("删除最后一个片段", {"drop_clips": [-1]}),
    ("删除倒数第二个片段", {"drop_clips": [-2]}),
    ("第3个片段不要了", {"drop_clips": [3]}),
    ("短一点", {"scale_length": 0.67}),
    ("稍微短一点", {"scale_length": 0.8}),
    ("短很多", {"scale_length": 0.5}),
    ("长一点", {"scale_length": 1.5}),
    ("撤销", {"undo": True}),
    ("重做", {"redo": True}),
    ("加字幕", {"captions": True}),
    ("去掉字幕", {"captions": False}),
    ("加上回放", {"include_replays": True}),
    ("不要回放", {"include_replays": False}),
    ("只要直播画面", {"include_replays": False}),
    ("去掉标题和音乐", {"remove_title": True, "remove_music": True}),
    ("标题改成“决赛之夜”", {"title": "决赛之夜"}),
    ("把音乐换成 b.mp3", {"music": "b.mp3"}),
    ("只要前三个精彩瞬间", {"moments": 3}),
    ("把第一个片段删掉", {"drop_clips": [1]}),
    (
        "把这场比赛最精彩的片段剪成一个3分钟的竖屏视频，标题叫“德比日”",
        {"target_s": 180, "aspect": "9:16", "title": "德比日"},
    ),
    (
        "剪一个30秒的竖屏集锦，加标题“决赛”，加背景音乐 music.mp3 音量20%",
        {"target_s": 30, "aspect": "9:16", "title": "决赛", "music": "music.mp3", "music_volume": 0.2},
    ),
]


@pytest.mark.parametrize(("text", "expected"), ENGLISH)
def test_english_instructions_become_the_expected_edit(text: str, expected: dict[str, Any]) -> None:
    parsed = parse_instruction(text)
    assert parsed.request.model_dump(exclude_defaults=True) == expected
    assert parsed.leftover == ""
    assert parsed.understood


@pytest.mark.parametrize(("text", "expected"), CHINESE)
def test_chinese_instructions_become_the_expected_edit(text: str, expected: dict[str, Any]) -> None:
    parsed = parse_instruction(text)
    assert parsed.request.model_dump(exclude_defaults=True) == expected
    assert parsed.leftover == ""
    assert parsed.understood


@pytest.mark.parametrize(
    ("text", "scale"),
    [
        ("music quieter", 0.5),
        ("lower the music", 0.5),
        ("make the music a bit quieter", 0.75),
        ("turn the music up", 1.5),
        ("音乐小一点", 0.5),
        ("调低音乐音量", 0.5),
        ("背景音乐大声点", 1.5),
    ],
)
def test_relative_music_volume_is_reported_as_a_scale_because_no_field_holds_it(text: str, scale: float) -> None:
    parsed = parse_instruction(text)
    assert parsed.extra == {"music_volume_scale": scale}
    assert parsed.request.music_volume is None
    assert parsed.leftover == ""


@pytest.mark.parametrize("text", ["make a highlight reel", "剪个集锦", "pull the best moments"])
def test_a_reel_with_no_numbers_is_understood_as_build_one_with_defaults(text: str) -> None:
    parsed = parse_instruction(text)
    assert parsed.extra == {"reel": True}
    assert parsed.request.is_empty()


KNOWN = {"game.mp4": "m1", "Crowd Chant.mp3": "m2", "track.mp3": "m3"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("add the song I uploaded", {"music": "m3"}),
        ("加上传的音乐", {"music": "m3"}),
        ("add track.mp3", {"music": "m3"}),
        ("add TRACK.MP3 at 30%", {"music": "m3", "music_volume": 0.3}),
        ("use Crowd Chant at 40%", {"music": "m2", "music_volume": 0.4}),
        ("add '/Users/me/Music/Crowd Chant.mp3'", {"music": "m2"}),
        ("make a 1 minute reel from game.mp4", {"sources": ["m1"], "target_s": 60}),
    ],
)
def test_uploaded_files_are_resolved_to_their_ids(text: str, expected: dict[str, Any]) -> None:
    assert fields(text, known_media=KNOWN) == expected


def test_the_uploaded_song_means_the_most_recent_audio_upload() -> None:
    known = {"a.mp3": "old", "clip.mp4": "v", "b.wav": "new"}
    assert fields("add the music I uploaded", known_media=known) == {"music": "new"}


def test_the_uploaded_song_without_any_audio_upload_is_not_guessed() -> None:
    with pytest.raises(InstructionNotUnderstoodError):
        parse_instruction("add the song I uploaded", known_media={"game.mp4": "m1"})


@pytest.mark.parametrize(
    ("text", "expected", "leftover"),
    [
        ("make it vertical and sparkly", {"aspect": "9:16"}, "sparkly"),
        ("add music.mp3 at 150%", {"music": "music.mp3"}, "150%"),
        ("add a lens flare and make it square", {"aspect": "1:1"}, "add lens flare"),
        ("skip the first 5 minutes and make it 2 minutes", {"target_s": 120}, "skip first 5 minutes"),
        ("竖屏，加点特效", {"aspect": "9:16"}, "点特效"),
    ],
)
def test_partly_understood_instructions_keep_what_was_not_understood(
    text: str, expected: dict[str, Any], leftover: str
) -> None:
    parsed = parse_instruction(text)
    assert parsed.request.model_dump(exclude_defaults=True) == expected
    assert parsed.leftover == leftover


def test_a_position_in_time_is_not_mistaken_for_the_reel_length() -> None:
    parsed = parse_instruction("at 1:30 add the title 'Goal'")
    assert parsed.request.target_s is None
    assert parsed.request.title == "Goal"
    assert parsed.leftover == "1:30"


def test_numbers_inside_a_quoted_title_or_a_file_name_are_not_read_as_edits() -> None:
    assert fields("titled '3 minutes of 5 goals' with song_90s.mp3") == {
        "title": "3 minutes of 5 goals",
        "music": "song_90s.mp3",
    }


def test_understood_phrases_are_listed_in_text_order() -> None:
    parsed = parse_instruction("make a 30s vertical reel titled 'Finals' with music.mp3 at 20%")
    assert parsed.understood == ["30s", "vertical", "titled 'Finals'", "with music.mp3", "at 20%"]


@pytest.mark.parametrize("text", ["make it pop", "asdfgh", "", "  ", "make it", "the video please"])
def test_nonsense_is_refused_with_the_english_help(text: str) -> None:
    with pytest.raises(InstructionNotUnderstoodError) as err:
        parse_instruction(text)
    assert err.value.hint == HELP_EN
    assert "I can:" in str(err.value)
    assert "'a 3-minute reel'" in str(err.value)
    assert isinstance(err.value, BadInputError)


def test_the_refusal_quotes_what_the_user_said() -> None:
    with pytest.raises(InstructionNotUnderstoodError) as err:
        parse_instruction("make it pop")
    assert err.value.message == "I could not turn 'make it pop' into an edit."


@pytest.mark.parametrize("text", ["让它更炫", "加点特效", "随便弄弄"])
def test_chinese_nonsense_is_refused_with_the_chinese_help(text: str) -> None:
    with pytest.raises(InstructionNotUnderstoodError) as err:
        parse_instruction(text)
    assert err.value.hint == HELP_ZH
    assert text in err.value.message
    assert "我可以" in str(err.value)


@pytest.mark.parametrize(
    ("text", "chinese"),
    [
        ("竖屏", True),
        ("加标题“Derby Day”", True),
        ("add the title「德比日」", False),
        ("make it square", False),
        ("", False),
    ],
)
def test_language_is_judged_by_the_words_outside_quotes(text: str, chinese: bool) -> None:
    assert is_chinese(text) is chinese


def test_full_width_digits_and_percent_signs_are_read() -> None:
    assert fields("音量３５％，剪成３０秒") == {"music_volume": 0.35, "target_s": 30}


def test_out_of_range_counts_are_not_forced_into_the_request() -> None:
    parsed = parse_instruction("top 500 moments, square")
    assert parsed.request.moments is None
    assert "500" in parsed.leftover


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("add logo.png in the top left corner", {"logo": "logo.png", "logo_position": "top-left"}),
        ("add my logo", {"logo": "med_img"}),
        ("put the logo I uploaded in the lower right corner", {"logo": "med_img", "logo_position": "bottom-right"}),
        ("move the logo to the upper right", {"logo_position": "top-right"}),
        ("remove the watermark", {"remove_logo": True}),
        ("加logo club.png 左上角", {"logo": "med_img", "logo_position": "top-left"}),
        ("把台标移到右下角", {"logo_position": "bottom-right"}),
        ("去掉台标", {"remove_logo": True}),
    ],
)
def test_logo_instructions_in_both_languages(text: str, expected: dict) -> None:
    parsed = parse_instruction(text, known_media={"game.mp4": "med_vid", "club.png": "med_img"})
    assert parsed.request.model_dump(exclude_defaults=True) == expected
    assert parsed.leftover == ""
