"""The phrasebook: words that set fields to constants, as rows of a table (English and Chinese).

Add a synonym by adding a pattern to its row; add an option of this kind by adding a row. Rows
run by priority among the value rules (see `rules.py`), so a row never reads words a rule with a
lower priority number has consumed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mcp_highlight.service.instructions.grammar import MUSIC_WORD_CN, MUSIC_WORD_EN, REMOVE_VERB_CN, REMOVE_VERB_EN
from mcp_highlight.service.instructions.rules import Rule, rx, sets


@dataclass(frozen=True)
class Phrase:
    """One row: the fields it sets and the phrasings that say so (`symbols` are language-neutral)."""

    name: str
    priority: int
    values: Mapping[str, Any]
    en: tuple[str, ...] = ()
    zh: tuple[str, ...] = ()
    symbols: tuple[str, ...] = ()
    listed: bool = True  # False for filler words that are understood but change nothing

    def rule(self) -> Rule:
        return Rule(self.name, self.priority, rx(*self.symbols, *self.en, *self.zh), sets(**self.values), self.listed)


PHRASEBOOK: tuple[Phrase, ...] = (
    Phrase(
        "remove title",
        20,
        {"remove_title": True, "title": None},
        en=(
            r"\b(?:remove|delete|drop|clear|hide|kill|lose|no|without|take\s+(?:off|out|away)|get\s+rid\s+of)\s+"
            r"(?:the\s+|a\s+|any\s+)?title(?:\s+card)?s?\b",
        ),
        zh=(r"(?:去掉|删除|删掉|去除|移除|不要|取消|拿掉|关掉)\s*(?:片头)?(?:标题|片名)",),
    ),
    Phrase(
        "remove music",
        50,
        {"remove_music": True, "music": None},
        en=(
            rf"\b(?:remove|delete|drop|kill|mute|lose|no|without|get\s+rid\s+of|turn\s+off|take\s+(?:out|off))\s+"
            rf"(?:the\s+|any\s+)?{MUSIC_WORD_EN}\b",
        ),
        zh=(rf"(?:去掉|删除|删掉|去除|移除|不要|取消|关掉|关闭|拿掉)\s*{MUSIC_WORD_CN}",),
    ),
    Phrase(
        "remove logo",
        70,
        {"remove_logo": True, "logo": None},
        en=(rf"\b{REMOVE_VERB_EN}\s+(?:the\s+|my\s+|our\s+|any\s+)?(?:logo|watermark|badge)s?\b",),
        zh=(rf"{REMOVE_VERB_CN}\s*(?:logo|LOGO|台标|水印|标志|图标)",),
    ),
    Phrase(
        "captions off",
        140,
        {"captions": False},
        en=(
            r"\b(?:no|remove|delete|drop|hide|without|turn\s+off|disable|get\s+rid\s+of|take\s+(?:off|out))\s+"
            r"(?:the\s+|any\s+)?(?:captions?|timestamps?|time\s+labels?)\b",
            r"\bcaptions?\s+off\b",
        ),
        zh=(r"(?:去掉|删除|删掉|不要|关闭|关掉|取消|隐藏)\s*(?:字幕|时间戳|时间)",),
    ),
    Phrase(
        "replays off",
        144,
        {"include_replays": False},
        en=(
            r"\b(?:no|without|remove|delete|drop|skip|cut|lose|get\s+rid\s+of|take\s+out)\s+(?:the\s+|any\s+)?"
            r"(?:slow[\s-]*mo(?:tion)?\s+)?(?:replays?|re-?runs?|action\s+replays?)\b",
            r"\b(?:only\s+(?:the\s+)?live\s+(?:action|play)|live\s+(?:action|play)\s+only)\b",
        ),
        zh=(r"(?:不要|去掉|删除|删掉|去除|跳过|不含|不包括)\s*(?:慢动作)?(?:回放|重播)", r"只要直播(?:画面)?"),
    ),
    Phrase(
        "replays on",
        146,
        {"include_replays": True},
        en=(
            r"\b(?:with|include|including|add|keep|show|put\s+in)\s+(?:the\s+|its\s+|their\s+)?"
            r"(?:slow[\s-]*mo(?:tion)?\s+)?(?:replays?|re-?runs?|action\s+replays?)(?:\s+(?:too|as\s+well))?\b",
            r"\breplays?\s+(?:too|as\s+well|included)\b",
        ),
        zh=(r"(?:加上?|包含|包括|保留|带上?|要|显示|加入)\s*(?:慢动作)?(?:回放|重播)", r"(?:回放|重播)也要"),
    ),
    Phrase(
        "captions on",
        150,
        {"captions": True},
        en=(
            r"\b(?:add|with|show|turn\s+on|enable|include|put)\s+(?:the\s+|some\s+)?(?:captions?|timestamps?|time\s+labels?)"
            r"(?:\s+on\s+(?:each|every)\s+(?:clip|moment|segment))?\b",
            r"\bcaptions?\s+on\b",
            r"\bshow\s+(?:the\s+)?(?:source\s+|original\s+)?time(?:stamps?)?\s+(?:on|of|for)\s+(?:each|every)\s+(?:clip|moment|segment)\b",
            r"\b(?:label|timestamp)\s+(?:each|every)\s+(?:clip|moment|segment)\b",
            r"\bcaptions\b",
        ),
        zh=(
            r"(?:加上?|添加|显示|打开|开启|带上?)\s*(?:字幕|时间戳)",
            r"显示\s*(?:每段|每个片段)?的?(?:原始|原)?时间",
            r"字幕",
        ),
    ),
    Phrase(
        "vertical 9:16",
        220,
        {"aspect": "9:16"},
        symbols=(r"(?<![\d.])9\s*[:x×/]\s*16(?![\d.])",),
        en=(
            r"\bvertical(?:ly)?\b|\bportrait\b|\btik\s*tok\b|\bdouyin\b|\bsnapchat\b|\b(?:youtube\s+)?shorts\b",
            r"\b(?:instagram|insta|ig)\s+(?:stor(?:y|ies)|reels?)\b|\b(?:for|on|as)\s+(?:a\s+)?(?:stor(?:y|ies)|reels)\b",
            r"\b(?:for\s+)?(?:(?:a|the)\s+)?phone(?:\s+screen)?\b",
        ),
        zh=(r"9\s*比\s*16", r"竖屏|竖版|竖向|竖幅|竖的|竖着|抖音|快手|视频号|小红书"),
    ),
    Phrase(
        "square 1:1",
        230,
        {"aspect": "1:1"},
        symbols=(r"(?<![\d.])1\s*[:x×/]\s*1(?![\d.])",),
        en=(r"\bsquare\b|\b(?:the\s+)?(?:instagram|insta|ig)(?:\s+(?:feed|post|grid)s?)?\b|\bfeed\b",),
        zh=(r"1\s*比\s*1(?!\d)", r"正方形|方形|方屏|方版"),
    ),
    Phrase(
        "landscape 16:9",
        240,
        {"aspect": "16:9"},
        symbols=(r"(?<![\d.])16\s*[:x×/]\s*9(?![\d.])",),
        en=(
            r"\blandscape\b|\bhorizontal(?:ly)?\b|\bwide\s*screen\b|\byoutube\b|\b(?:for\s+)?(?:the\s+)?(?:tv|television)\b",
        ),
        zh=(r"16\s*比\s*9", r"横屏|横版|横向|横幅|横的|横着|宽屏|b站|哔哩哔哩|西瓜视频"),
    ),
    Phrase(
        "follow the action",
        245,
        {"fit": "follow"},
        en=(
            r"\b(?:follow|track|chase|keep\s+up\s+with|stay\s+on)(?:s|ing)?\s+(?:the\s+)?(?:action|play|ball|subject|players?|"
            r"speakers?|people|person|movement)\b",
            r"\bkeep\s+(?:the\s+)?(?:action|ball|play|subject)\s+in\s+(?:the\s+)?(?:frame|shot|picture|view)\b",
            r"\b(?:auto(?:matic)?|smart)[\s-]?(?:re-?frame|reframing|crop(?:ping)?)\b|\bfollow[\s-]?crop\b",
        ),
        zh=(r"跟随(?:主体|动作|画面主体|球|人物|运动)|跟踪(?:主体|动作|球|人物)|追踪(?:主体|动作|球|人物)|跟着(?:球|主体|动作|人)(?:走|动)?|智能(?:裁剪|构图)|自动(?:构图|追踪|跟随)",),
    ),
    Phrase(
        "blur fill",
        250,
        {"fit": "blur"},
        en=(
            r"\bblur(?:red|ry)?\s+(?:background|fill|bars|sides|edges|padding|borders?)\b|\bblur[\s-]?fill\b",
            r"\b(?:don'?t|do\s+not|no|without|never)\s+crop(?:ping)?(?:\s+(?:it|anything))?\b",
            r"\bkeep\s+(?:the\s+)?(?:whole|entire|full)\s+(?:frame|picture|image|shot)\b|\bfit\s+(?:the\s+)?(?:whole|entire)\s+(?:frame|picture)\b",
            r"\b(?:pad(?:ded|ding)?|letterbox(?:ed|ing)?)\b",
        ),
        zh=(r"模糊背景|背景模糊|模糊填充|不要?裁剪|不要?裁切|保留完整画面|完整画面|加黑边|留黑边",),
    ),
    Phrase(
        "crop",
        260,
        {"fit": "crop"},
        en=(
            r"\bcrop(?:ped|ping)?(?:\s+(?:it|to\s+fill))?\b|\bfill\s+the\s+(?:frame|screen)\b|\bzoom\s+(?:in\s+)?to\s+fill\b",
        ),
        zh=(r"裁剪|裁切|裁掉|填满",),
    ),
    Phrase("redo", 290, {"redo": True}, en=(r"\bre-?do\b",), zh=(r"重做|恢复撤销",)),
    Phrase(
        "undo",
        300,
        {"undo": True},
        en=(
            r"\bundo\b|\brevert\b|\bgo\s+back\b|\broll\s*back\b|\btake\s+that\s+back\b|\bput\s+it\s+back\b",
            r"\bcancel\s+(?:that|the\s+last\s+(?:change|edit))\b",
        ),
        zh=(r"撤销|撤回|回退|还原|上一步|恢复原样",),
    ),
    Phrase(
        "highlight reel",
        310,
        {"reel": True},
        en=(
            r"\b(?:pull|grab|find|pick|get|take|extract|collect|choose|select)\s+(?:out\s+)?(?:all\s+)?(?:of\s+)?(?:the\s+)?"
            r"(?:best|top|key|greatest|biggest|most\s+exciting|good|great)\s+(?:moments|bits|parts|plays|scenes|action|highlights|clips|shots)\b",
            r"\b(?:make|create|build|cut|do|give\s+me|put\s+together|assemble|generate|compile)\s+(?:me\s+)?(?:a|an|the|some)?\s*"
            r"(?:highlights?\s+(?:reel|video|clip|package|montage|compilation)|reel|highlights|montage|recap|supercut|compilation)\b",
        ),
        zh=(
            r"(?:剪|做|生成|弄|来)(?:一个|个|一段|段)?(?:精彩)?(?:集锦|高光|精华)",
            r"把精彩(?:片段|瞬间|镜头|时刻)(?:剪|做)",
        ),
    ),
    Phrase(
        "filler",
        320,
        {},
        en=(
            r"\b(?:compile|cut|edit|put|turn|assemble|stitch|make)\s+(?:them|it|those|these|everything)\s+(?:together\s+)?(?:into|in)\b",
            r"\b(?:add|put|use|include)\s+(?:it|them|that)(?:\s+(?:in|on))?\b",
            r"\b(?:highlights?|sizzle)\s+(?:reel|video|clip|package|montage|compilation|cut)s?\b|\bhighlights?\b",
            r"\b(?:best|top|key|greatest)\s+(?:moments|bits|parts|plays|scenes|action)\b|\b(?:supercut|montage|recap|compilation)\b",
        ),
        zh=(r"精彩集锦|集锦|高光(?:时刻)?|精彩(?:片段|瞬间|时刻|镜头)|精华",),
        listed=False,
    ),
)
