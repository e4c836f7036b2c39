"""Read an instruction: run every rule by priority over the normalised text, then say what was left."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, Field

from mcp_highlight.backends.models import EditRequest
from mcp_highlight.core.errors import InstructionNotUnderstoodError
from mcp_highlight.service.instructions.files import KnownMediaRule
from mcp_highlight.service.instructions.media_rules import MEDIA_RULES, QUOTED
from mcp_highlight.service.instructions.phrasebook import PHRASEBOOK
from mcp_highlight.service.instructions.rules import Reading, Step
from mcp_highlight.service.instructions.timing_rules import TIMING_RULES

HELP_EN = (
    "I can: make a highlight reel of a given length ('a 3-minute reel', 'top 5 moments', "
    "'clips between 4 and 10 seconds'), change the shape ('vertical for TikTok', 'square', 'landscape', "
    "'with blurred background'), add or remove a title ('add the title \"Derby Day\" for the first 3 seconds'), "
    "add or remove music ('add music.mp3 at 35%', 'no music'), drop a clip ('drop the second clip'), "
    "make it shorter or longer, add captions ('show the time on each clip'), add a logo ('add logo.png in the "
    "top-left corner'), undo or redo."
)
HELP_ZH = (
    "我可以：剪成指定长度的集锦（“剪成30秒”“前5个精彩瞬间”“每段4到10秒”），改画幅（“竖屏”“横屏”“方形”“模糊背景”），"
    "加或去掉标题（加标题“德比日”前3秒），加或去掉背景音乐（“加背景音乐 music.mp3 音量35%”“去掉音乐”），"
    "删除片段（“去掉第二个片段”），短一点或长一点，加字幕（显示每段的时间），加台标（“加logo logo.png 左上角”），撤销或重做。"
)

#: Every rule in the order it runs. Value rules and phrasebook rows interleave by priority: titles and
#: file names first (quoted text and names hold words other rules would read), then music, captions,
#: clip lengths and drops, shape and fit, the reel's length and moment count, and filler words last.
RULES: tuple[Step, ...] = tuple(
    sorted(
        (*MEDIA_RULES, *TIMING_RULES, *(phrase.rule() for phrase in PHRASEBOOK), KnownMediaRule("uploads by name", 65)),
        key=lambda step: step.priority,
    )
)

#: Asks that are relative to the current draft; the phrasing spec reads them apart from the settings.
RELATIVE_ASKS = ("music_volume_scale", "reel")


class ParsedInstruction(BaseModel):
    """What an instruction asked for, which phrases were understood, and what was not."""

    edit: EditRequest = Field(description="Everything the words asked for.")
    understood: list[str] = Field(default_factory=list, description="Phrases understood, in text order.")
    leftover: str = Field("", description="Meaningful words no rule understood; the caller mentions them.")

    @property
    def request(self) -> EditRequest:
        """The settings the words gave, without the relative asks (see `extra`)."""
        return self.edit.model_copy(update={name: EditRequest.model_fields[name].default for name in RELATIVE_ASKS})

    @property
    def extra(self) -> dict[str, Any]:
        """The relative asks the words made ('quieter' -> music_volume_scale 0.5, 'make a reel' -> reel)."""
        return {name: value for name, value in self.edit.given().items() if name in RELATIVE_ASKS}


_STOP_EN = frozenset(
    """a an the it its it's this that these those them they me my mine our us we you your i i'd i'm please pls can
    could would will should just also then now so really very some any and or but plus with to into onto of for
    from in on at as by be is are was were make made do does create give get got let lets let's want wanna like
    need have has version video videos reel reels clip clips edit thanks thank ok okay hey hi hello out up together
    there here all more bit little one new final whole again instead both well game match footage recording only""".split(),  # noqa: SIM905
)
_STOP_ZH = sorted(
    """请 只要 只 帮我 帮忙 给我 麻烦 把 将 我们 我 你 它 让 一下 吧 呢 啊 呀 了 的 和 跟 与 并且 并 然后 再 还有 同时 也 都 要 想要 想
    需要 能 可以 做成 做一个 做个 做 剪成 剪一个 剪个 剪辑 剪 弄成 弄 改成 改为 变成 换成 设为 设置 调成 调整 成 一个 个 视频
    版本 版 精彩 最 好看 片段 瞬间 加上 加 添加 用 配 更 给 出 来 吗 就 这个 那个 所有 全部 下 谢谢 这场 比赛 录像 这段""".split(),  # noqa: SIM905
    key=len,
    reverse=True,
)
_TOKEN = re.compile(r"[\u3400-\u9fff]+|[^\s\u3400-\u9fff,;!?，。；！？、()（）\[\]{}\"“”‘’「」《》『』\x00]+")


def leftover_words(masked: str) -> str:
    """Meaningful words left in a masked instruction: filler words dropped, the rest in text order."""
    kept: list[str] = []
    for token in _TOKEN.findall(masked):
        if re.match(r"[\u3400-\u9fff]", token):
            rest = token
            for stop in _STOP_ZH:
                rest = rest.replace(stop, " ")
            kept.extend(rest.split())
            continue
        word = token.strip(".:'-").lower()
        if word and word not in _STOP_EN and re.search(r"\w", word):
            kept.append(token.strip(".:"))
    return " ".join(kept)


_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def normalize(text: str) -> str:
    """Full-width digits, letters and punctuation to ASCII; length-preserving so spans stay valid."""
    return text.translate(_FULLWIDTH)


def is_chinese(text: str) -> bool:
    """True when the words outside quotes use Chinese characters (a quoted Chinese title alone does not count)."""
    bare = re.sub(QUOTED, " ", normalize(text))
    return bool(re.search(r"[\u4e00-\u9fff]", bare))


def read_instruction(text: str, *, known_media: Mapping[str, str] | None = None) -> tuple[ParsedInstruction, str]:
    """Parse without raising; also returns the masked text (consumed spans replaced by NUL) for routing."""
    work = normalize(text or "")
    st = Reading(known=dict(known_media or {}), text=work)
    hits: list[tuple[int, str]] = []
    for step in RULES:
        work = step.run(work, st, hits)
    fields = dict(st.fields)
    if "sources" in fields:
        fields["sources"] = list(dict.fromkeys(fields["sources"]))
    if fields.get("remove_title"):
        fields.pop("title", None)
        fields.pop("title_s", None)
    if fields.get("remove_music"):
        fields.pop("music", None)
    edit = EditRequest(**{k: v for k, v in fields.items() if v is not None})
    understood = [phrase for _, phrase in sorted(hits)]
    parsed = ParsedInstruction(edit=edit, understood=understood, leftover=leftover_words(work))
    return parsed, work


def not_understood(text: str) -> InstructionNotUnderstoodError:
    """The error for an instruction with nothing actionable, in the user's language, listing what works."""
    shown = " ".join((text or "").split())
    if len(shown) > 200:
        shown = shown[:200] + "…"
    if is_chinese(shown):
        return InstructionNotUnderstoodError(f"我没能把“{shown}”理解成剪辑操作。", hint=HELP_ZH)
    if not shown:
        return InstructionNotUnderstoodError("The instruction is empty.", hint=HELP_EN)
    return InstructionNotUnderstoodError(f"I could not turn '{shown}' into an edit.", hint=HELP_EN)


def parse_instruction(text: str, *, known_media: Mapping[str, str] | None = None) -> ParsedInstruction:
    """Turn a plain-language instruction into an EditRequest; raise when nothing in it is actionable.

    `known_media` maps names and ids of uploaded files to their ids (oldest first), so 'add track.mp3'
    or 'the song I uploaded' resolve to an id. Partly understood text returns with `leftover` set.
    """
    parsed, _ = read_instruction(text, known_media=known_media)
    if parsed.edit.is_empty():
        raise not_understood(text)
    return parsed
