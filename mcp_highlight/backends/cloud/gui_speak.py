"""Rewrite the agent's GUI-speak for people who have no web editor in front of them.

The hosted agent believes the user sees its editor ("click the Export button", "打开时间线").
We keep every sentence about the content and replace each sentence that asks for a GUI
action with what actually happens here (shared/cloud-api.md, "GUI-speak translation").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_SENTENCE = re.compile(r"[^.!?。！？\n]+(?:[.!?。！？]+|\n|$)")
NOISE = re.compile(r"I encountered a temporary issue|遇到了?(一个)?临时(性)?(问题|错误)", re.I)


def detect_language(text: str) -> str:
    """'zh' when the text has Chinese characters, else 'en' (the API's default)."""
    return "zh" if _CJK.search(text or "") else "en"


@dataclass(frozen=True)
class Rule:
    name: str
    pattern: re.Pattern[str]
    english: Callable[[str], str]
    chinese: Callable[[str], str]


def _timeline_en(summary: str) -> str:
    return f"Current timeline: {summary}." if summary else "Ask for the status to see the timeline."


def _timeline_zh(summary: str) -> str:
    return f"当前时间线：{summary}。" if summary else "问我“状态”即可查看时间线。"


# Order matters: the first matching rule rewrites the sentence ("click the Export button" is export).
RULES: tuple[Rule, ...] = (
    Rule(
        "export",
        re.compile(r"export\s+button|\bexport\b|\bdownload\b|导出|下载", re.I),
        lambda _: "Say “export” when you want the video: I render it and hand you the MP4.",
        lambda _: "需要成片时说“导出”，我会渲染并把 MP4 交给你。",
    ),
    Rule(
        "credits",
        re.compile(
            r"\b(account|billing|balance|subscription|top[ -]?up|credits?)\b|账户|账号|余额|充值|账单|积分", re.I
        ),
        lambda _: "Ask for your credits to see the balance.",
        lambda _: "问我“积分”即可查看余额。",
    ),
    Rule(
        "timeline",
        re.compile(r"preview|timeline|预览|时间线|时间轴", re.I),
        _timeline_en,
        _timeline_zh,
    ),
    Rule(
        "open",
        re.compile(r"\bopen\b|打开", re.I),
        _timeline_en,
        _timeline_zh,
    ),
    Rule(
        "drag",
        re.compile(r"\bdrag\b|\bdrop\b|\bdragging\b|拖拽|拖动|拖到", re.I),
        lambda _: "Tell me the change in words (for example “move clip 2 to the start”) and I send it as an edit.",
        lambda _: "用一句话告诉我要怎么改（例如“把第2段移到开头”），我会作为编辑发送。",
    ),
    Rule(
        "click",
        re.compile(r"\bclick\b|\btap\b|\bpress\b|\bhit the\b|点击|单击|按下", re.I),
        lambda _: "That step is done for you.",
        lambda _: "这一步已经替你完成。",
    ),
)

_ASKS = re.compile(
    r"\b(click|tap|press|open|drag|drop|preview|check|go to|use the|hit the|you can|please)\b|点击|打开|拖拽|预览|导出|请|查看",
    re.I,
)


def _is_gui_request(sentence: str) -> bool:
    """Only sentences that ask the user to do something in the editor are rewritten."""
    return bool(_ASKS.search(sentence))


def translate(text: str, *, summary: str = "", language: str | None = None) -> str:
    """The agent's text with each GUI instruction replaced; content sentences untouched.

    `summary` is the current timeline summary, shown where the agent says "open/preview".
    """
    if not text:
        return ""
    out: list[str] = []
    seen: set[str] = set()
    for match in _SENTENCE.finditer(text):
        sentence = match.group(0)
        stripped = sentence.strip()
        if not stripped:
            continue
        rule = next((r for r in RULES if r.pattern.search(stripped)), None) if _is_gui_request(stripped) else None
        if rule is None:
            out.append(stripped)
            continue
        lang = language or detect_language(stripped)
        replacement = (rule.chinese if lang == "zh" else rule.english)(summary)
        if replacement not in seen:
            seen.add(replacement)
            out.append(replacement)
    joiner = "" if (language or detect_language(text)) == "zh" else " "
    return joiner.join(out).strip()


def is_noise(text: str) -> bool:
    """The trailing "I encountered a temporary issue" the agent adds after normal answers."""
    return bool(NOISE.search(text or ""))
