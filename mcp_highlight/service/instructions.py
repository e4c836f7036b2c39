"""Rule-based reading of plain-language edit instructions (English and Chinese) into an EditRequest.

The local backend has no language model, so a small table of compiled regex rules does the reading.
Each rule masks the phrase it consumed (same length, so positions stay stable and no later rule reads
it twice); whatever meaningful words remain are returned as `leftover` so the caller can say what it
ignored. Nothing actionable at all raises InstructionNotUnderstoodError with help in the user's language.

Conventions worth knowing:
- `drop_clips` is 1-based; negative numbers count from the end (-1 = the last clip, -2 = the one before).
- Relative music volume ("quieter", "音乐小一点") cannot be absolute without the draft, so it lands in
  `extra["music_volume_scale"]` (0.5 quieter, 1.5 louder; "a bit" 0.75/1.25, "much" 0.25/2.0).
- `extra["reel"] = True` means "make a highlight reel" with no numbers: build one with the defaults.
- File names with CJK characters must be quoted or already uploaded (listed in `known_media`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, Field

from mcp_highlight.backends.models import EditRequest
from mcp_highlight.engine.media_kinds import extensions
from mcp_highlight.errors import InstructionNotUnderstoodError

__all__ = [
    "FILE_PATTERN",
    "HELP_EN",
    "HELP_ZH",
    "URL_PATTERN",
    "ParsedInstruction",
    "is_chinese",
    "leftover_words",
    "normalize",
    "not_understood",
    "parse_instruction",
    "read_instruction",
]

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

MASK = "\x00"  # consumed text; not \s, not \w, so no pattern can match across it

# ---------------------------------------------------------------------------------------------- numbers

_EN_UNITS = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen".split()  # noqa: SIM905
_EN_UNITS += "fifteen sixteen seventeen eighteen nineteen".split()  # noqa: SIM905
_EN_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()  # noqa: SIM905
_EN_WORD_VALUE = {w: i + 1 for i, w in enumerate(_EN_UNITS)} | {w: 20 + 10 * i for i, w in enumerate(_EN_TENS)}
_EN_NUM_WORD = rf"(?:(?:{'|'.join(_EN_TENS)})(?:[\s-](?:{'|'.join(_EN_UNITS[:9])})\b)?|{'|'.join(_EN_UNITS)})"
_CN_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_NUM_CN = r"[零〇一二两三四五六七八九十百]+"
_DIGITS = r"(?<![A-Za-z0-9_.])\d+(?:\.\d+)?"
_NUM_EN = rf"(?:{_DIGITS}|\b{_EN_NUM_WORD}\b)"
_NUM = rf"(?:{_DIGITS}|{_NUM_CN}|\b{_EN_NUM_WORD}\b)"

_EN_ORDINALS = {
    w: i + 1
    for i, w in enumerate(
        [
            "first",
            "second",
            "third",
            "fourth",
            "fifth",
            "sixth",
            "seventh",
            "eighth",
            "ninth",
            "tenth",
            "eleventh",
            "twelfth",
            "thirteenth",
            "fourteenth",
            "fifteenth",
            "sixteenth",
            "seventeenth",
            "eighteenth",
            "nineteenth",
            "twentieth",
        ]
    )
}
_ORD_EN = (
    rf"(?:second[\s-]to[\s-]last|next[\s-]to[\s-]last|penultimate|last|\d+(?:st|nd|rd|th)|"
    rf"{'|'.join(sorted(_EN_ORDINALS, key=len, reverse=True))})"
)


def _cn_int(text: str) -> int:
    """Chinese numerals up to the hundreds: 十五 -> 15, 二十 -> 20, 两 -> 2, 一百零五 -> 105."""
    total, digit = 0, 0
    for ch in text:
        if ch in _CN_DIGIT:
            digit = _CN_DIGIT[ch]
        elif ch == "十":
            total += (digit or 1) * 10
            digit = 0
        elif ch == "百":
            total += (digit or 1) * 100
            digit = 0
    return total + digit


def _number(text: str) -> float:
    """A number written as digits, English words (one..ninety-nine, a/an) or Chinese numerals."""
    word = re.sub(r"[\s-]+", " ", text.strip().lower())
    if re.fullmatch(r"\d+(?:\.\d+)?", word):
        return float(word)
    if word in {"a", "an"}:
        return 1.0
    if word.startswith("half"):
        return 0.5
    if re.fullmatch(_NUM_CN, word):
        return float(_cn_int(word))
    parts = word.split(" ")
    return float(sum(_EN_WORD_VALUE[p] for p in parts))


def _ordinal(text: str) -> int:
    """1-based clip position; counting from the end gives negatives (-1 last, -2 second to last)."""
    word = re.sub(r"[\s-]+", " ", text.strip().lower())
    if word == "last":
        return -1
    if word in {"second to last", "next to last", "penultimate"}:
        return -2
    if m := re.fullmatch(r"(\d+)(?:st|nd|rd|th)", word):
        return int(m.group(1))
    return _EN_ORDINALS[word]


# -------------------------------------------------------------------------------------------- durations

_UNIT_EN = r"(?:hours?|hrs?|h|minutes?|mins?|m|seconds?|secs?|s)(?![A-Za-z])"
_HALF_EN = r"(?:\s+and\s+a\s+half)"
_DUR_EN_PART = rf"{_NUM_EN}{_HALF_EN}?[\s-]*{_UNIT_EN}{_HALF_EN}?"
_DUR_EN = (
    rf"(?:(?<![\w.])\d+(?:h\d+m?|m\d+s?|h\d+m\d+s?)(?![A-Za-z0-9])"
    rf"|{_DUR_EN_PART}(?:\s*,?\s*(?:and\s+)?{_DUR_EN_PART})*"
    rf"|\bhalf\s+an?\s+(?:minute|hour)\b|\ban?\s+(?:minute|hour){_HALF_EN}?\b"
    rf"|(?<![\d:])\d{{1,2}}:[0-5]\d(?::[0-5]\d)?(?![\d:]))"
)
_DUR_CN_PART = (
    rf"(?:{_NUM_CN}|{_DIGITS})(?:个半|个)?\s*"
    r"(?:小时|分钟|分(?=\s*(?:\d|[一二两三四五六七八九十]|半))|秒钟|秒)(?:半钟?)?"
)
_DUR_CN = rf"(?:半个?(?:分钟|小时)|{_DUR_CN_PART}(?:\s*{_DUR_CN_PART})*)"
_DUR = rf"(?:{_DUR_EN}|{_DUR_CN})"

_DUR_PART_RE = re.compile(
    rf"(?P<n>\d+(?:\.\d+)?|{_NUM_CN}|\bhalf\s+an?\b|\b{_EN_NUM_WORD}\b|\ban?\b)"
    rf"(?P<h1>{_HALF_EN}|个半|个)?[\s-]*"
    r"(?P<u>hours?|hrs?|h|minutes?|mins?|m|seconds?|secs?|s|小时|分钟|分|秒钟|秒)(?P<h2>\s+and\s+a\s+half|半)?",
    re.I,
)


def _seconds(text: str) -> float | None:
    """Seconds in a duration phrase matched by `_DUR` ('3-minute', 'two minutes', '1:30', '一分半')."""
    t = text.strip().lower()
    if m := re.fullmatch(r"(\d{1,2}):([0-5]\d)(?::([0-5]\d))?", t):
        total = 0
        for part in (g for g in m.groups() if g is not None):  # m:ss or h:mm:ss
            total = total * 60 + int(part)
        return float(total)
    if m := re.fullmatch(r"半个?(分钟|小时)", t):
        return 30.0 if m.group(1) == "分钟" else 1800.0
    total = 0.0
    for part in _DUR_PART_RE.finditer(t):
        unit = part["u"]
        scale = 3600 if unit[0] in "h小" else 60 if unit[0] in "m分" else 1
        value = _number(part["n"]) + (0.5 if (part["h1"] or "").strip() not in {"", "个"} or part["h2"] else 0)
        total += value * scale
    return total or None


# ------------------------------------------------------------------------------------------------ files

_AUDIO_EXT = frozenset(extensions("audio"))
_VIDEO_EXT = frozenset(extensions("video"))
_IMAGE_EXT = frozenset(extensions("image"))
_MEDIA_EXT = sorted(_AUDIO_EXT | _VIDEO_EXT | _IMAGE_EXT, key=len, reverse=True)
_EXT = rf"(?:{'|'.join(_MEDIA_EXT)})"
_PATH_CHAR = r"[^\s'\"“”‘’「」《》『』,，。;；、()（）\[\]\\/\u3000-\u9fff\x00]"
#: A file name or path with a media extension, quoted (spaces and CJK allowed) or bare.
FILE_PATTERN = (
    rf"(?:(?P<fq>['\"“‘「])(?P<qpath>[^'\"”’」\x00]+?\.{_EXT})['\"”’」]"
    rf"|(?<![A-Za-z0-9_.\\/-])(?P<path>(?:[A-Za-z]:[\\/]|~[\\/]|\.{{0,2}}[\\/])?(?:{_PATH_CHAR}+[\\/])*{_PATH_CHAR}+?\.{_EXT})\b)"
)
URL_PATTERN = r"\bhttps?://[^\s'\"“”<>\x00]+"


def _ext(path: str) -> str:
    return path.rsplit(".", 1)[-1].lower() if "." in path else ""


# ------------------------------------------------------------------------------------------------ model


class ParsedInstruction(BaseModel):
    """What an instruction asked for, which phrases were understood, and what was not."""

    request: EditRequest
    understood: list[str] = Field(default_factory=list, description="Phrases understood, in text order.")
    leftover: str = Field("", description="Meaningful words no rule understood; the caller mentions them.")
    extra: dict[str, Any] = Field(
        default_factory=dict,
        description="Asks with no EditRequest field yet: `music_volume_scale` (float), `reel` (True).",
    )


@dataclass
class _State:
    fields: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    known: dict[str, str] = field(default_factory=dict)
    text: str = ""

    def resolve(self, name: str) -> str:
        """Id of an uploaded file named like `name` (exact, then case-insensitive basename); else `name`."""
        if name in self.known:
            return self.known[name]
        base = re.split(r"[\\/]", name)[-1].lower()
        for key, media_id in self.known.items():
            if key.lower() == name.lower() or re.split(r"[\\/]", key)[-1].lower() == base:
                return media_id
        return name

    def last_known_audio(self) -> str | None:
        """The most recently listed uploaded audio file (callers list media oldest first)."""
        audio = [media_id for key, media_id in self.known.items() if _ext(key) in _AUDIO_EXT]
        return audio[-1] if audio else None

    def music_context(self) -> bool:
        return "music" in self.fields or bool(
            re.search(r"music|bgm|song|soundtrack|volume|音乐|配乐|音量", self.text, re.I)
        )


Apply = Callable[[re.Match[str], _State], bool]


@dataclass(frozen=True)
class Rule:
    """Patterns tried in order; `apply` updates the state and returns False to leave the text unconsumed."""

    name: str
    patterns: tuple[re.Pattern[str], ...]
    apply: Apply
    listed: bool = True  # False for filler words that are understood but change nothing


def _rx(*patterns: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, re.I) for p in patterns)


def _set(**values: Any) -> Apply:
    def apply(_m: re.Match[str], st: _State) -> bool:
        st.fields.update(values)
        return True

    return apply


def _set_extra(**values: Any) -> Apply:
    def apply(_m: re.Match[str], st: _State) -> bool:
        st.extra.update(values)
        return True

    return apply


# ----------------------------------------------------------------------------------------------- titles

_QUOTED = (
    r"(?:(?<![A-Za-z])'(?P<q1>[^'\x00]+)'(?![A-Za-z])|\"(?P<q2>[^\"\x00]+)\"|“(?P<q3>[^”\x00]+)”|‘(?P<q4>[^’\x00]+)’"
    r"|「(?P<q5>[^」\x00]+)」|《(?P<q6>[^》\x00]+)》|『(?P<q7>[^』\x00]+)』)"
)
_TITLE_DUR_EN = (
    r"(?:\s*,?\s*(?:(?:at\s+the\s+(?:start|beginning)\s+)?(?:(?:show(?:n|s|ing)?|display(?:ed|s)?|stay(?:s|ing)?|visible)\s+)?"
    rf"(?:for|during|over)\s+(?:the\s+)?(?:first\s+)?|in\s+the\s+first\s+)(?P<td>{_DUR_EN})(?:\s+at\s+the\s+(?:start|beginning))?)"
)
_TITLE_DUR_CN = (
    rf"(?:\s*[,，]?\s*(?:(?:显示|持续|停留)\s*前?|(?:在|放在)?\s*(?:开头|片头)?\s*的?\s*前)\s*(?P<td>{_DUR_CN}))"
)
_TITLE_END = r"(?=\s+(?:and|with|for|at|in|then|plus|but|on|using|as)\b|\s*[,.;!?，。；！？\x00]|\s*$)"
_TITLE_FREE = (
    rf"(?!(?:for|and|with|at|in|to|on|the\s+first)\b)(?P<tu>[^\x00,.;!?，。；！？\"“”'‘’「」《》\n]+?){_TITLE_END}"
)


def _apply_title(m: re.Match[str], st: _State) -> bool:
    groups = m.groupdict()
    title = next((groups[k] for k in ("q1", "q2", "q3", "q4", "q5", "q6", "q7", "tu") if groups.get(k)), "")
    title = title.strip()
    if not title or len(title) > 120:
        return False
    st.fields["title"] = title
    if groups.get("td") and (seconds := _seconds(groups["td"])):
        st.fields["title_s"] = seconds
    return True


def _apply_title_duration(m: re.Match[str], st: _State) -> bool:
    if "title" not in st.fields:
        return False
    seconds = _seconds(next(g for g in m.groups() if g))
    if not seconds:
        return False
    st.fields["title_s"] = seconds
    return True


# ------------------------------------------------------------------------------------------------ music

_MUSIC_WORD_EN = r"(?:background\s+|bg\s+)?(?:music|bgm|song|soundtrack|track|audio)"
_MUSIC_WORD_CN = r"(?:背景音乐|音乐|配乐|bgm|歌曲?)"
_DEGREE_DOWN = {"": 0.5, "bit": 0.75, "much": 0.25}
_DEGREE_UP = {"": 1.5, "bit": 1.25, "much": 2.0}
_LOUDER = re.compile(r"up|louder|higher|raise|increase|boost|大|高|响|提", re.I)


def _degree(text: str | None) -> str:
    t = (text or "").lower()
    if re.search(r"bit|little|touch|slightly|tad|稍|略|一点点", t):
        return "bit"
    if re.search(r"much|lot|way|far|很多|多", t):
        return "much"
    return ""


def _apply_file(m: re.Match[str], st: _State) -> bool:
    path = (m["qpath"] or m["path"] or "").strip()
    ext = _ext(path)
    wants_music = bool(m["mw"]) or ext in _AUDIO_EXT
    if wants_music and (ext in _AUDIO_EXT or ext in _VIDEO_EXT):
        st.fields["music"] = st.resolve(path)
        return True
    if ext in _VIDEO_EXT:
        st.fields.setdefault("sources", []).append(st.resolve(path))
        return True
    if ext in _IMAGE_EXT:
        st.fields["logo"] = st.resolve(path)
        return True
    return False


_CORNERS_CN = {"左上": "top-left", "右上": "top-right", "左下": "bottom-left", "右下": "bottom-right"}


def _apply_logo_position(m: re.Match[str], st: _State) -> bool:
    groups = m.groupdict()
    if groups.get("cn"):
        st.fields["logo_position"] = _CORNERS_CN[groups["cn"]]
    else:
        vertical = "top" if groups["v"].lower() in ("top", "upper") else "bottom"
        st.fields["logo_position"] = f"{vertical}-{groups['h'].lower()}"
    return True


def _apply_uploaded_logo(_m: re.Match[str], st: _State) -> bool:
    """'add my logo': the logo named elsewhere in the words, else the last uploaded image."""
    if "logo" in st.fields:
        return True
    images = [media_id for key, media_id in st.known.items() if _ext(key) in _IMAGE_EXT]
    if not images:
        return False
    st.fields["logo"] = images[-1]
    return True


def _apply_uploaded_music(_m: re.Match[str], st: _State) -> bool:
    media_id = st.last_known_audio()
    if media_id is None:
        return False
    st.fields["music"] = media_id
    return True


def _apply_volume(m: re.Match[str], st: _State) -> bool:
    groups = m.groupdict()
    if groups.get("cnpct"):
        value = _number(groups["cnpct"]) / 100
    else:
        number = float(groups["num"])
        value = number / 100 if groups.get("pct") or number > 1 else number
    if not 0 <= value <= 1:
        return False
    st.fields["music_volume"] = round(value, 4)
    return True


def _apply_volume_scale(m: re.Match[str], st: _State) -> bool:
    groups = m.groupdict()
    degree = " ".join(g for g in (groups.get("deg"), groups.get("deg2")) if g)
    table = _DEGREE_UP if _LOUDER.search(groups.get("dir") or "") else _DEGREE_DOWN
    st.extra["music_volume_scale"] = table[_degree(degree)]
    return True


def _apply_volume_bare(m: re.Match[str], st: _State) -> bool:
    """A lone '35%' is a volume only when the instruction talks about music at all."""
    return st.music_context() and _apply_volume(m, st)


# ---------------------------------------------------------------------------------- length and moments


def _apply_target(m: re.Match[str], st: _State) -> bool:
    if m["pre"]:
        return False  # 'the first 5 minutes', 'at 1:30', '前3秒': a position, not the reel's length
    seconds = _seconds(m["d"])
    if not seconds:
        return False
    st.fields["target_s"] = seconds
    return True


def _apply_moments(m: re.Match[str], st: _State) -> bool:
    value = _number(m["n"])
    if value != int(value) or not 1 <= value <= 100:
        return False
    st.fields["moments"] = int(value)
    return True


def _range_bound(number: str, unit: str | None, shared_unit: str) -> float | None:
    return _seconds(f"{number}{unit or shared_unit}") if (unit or shared_unit) else None


def _apply_segment_range(m: re.Match[str], st: _State) -> bool:
    low = _range_bound(m["a"], m["ua"], m["u"])
    high = _range_bound(m["b"], None, m["u"])
    if not low or not high or low >= high:
        return False
    st.fields["min_segment_s"], st.fields["max_segment_s"] = low, high
    return True


def _segment_bound(name: str) -> Apply:
    def apply(m: re.Match[str], st: _State) -> bool:
        seconds = _seconds(m["d"])
        if not seconds:
            return False
        st.fields[name] = seconds
        return True

    return apply


def _apply_scale(m: re.Match[str], st: _State) -> bool:
    groups = m.groupdict()
    whole = m.group(0)
    if groups.get("pct"):
        pct = float(groups["pct"]) / 100
        value = 1 - pct if re.match(r"short", groups["dir"], re.I) else 1 + pct
        if not 0 < value <= 10:
            return False
    elif re.search(r"twice|double|翻倍|一倍", whole, re.I):
        value = 2.0
    elif re.search(r"half|halve|一半|减半", whole, re.I):
        value = 0.5
    else:
        direction = groups.get("dir") or groups.get("dir2") or groups.get("dir3") or whole
        degree = _degree(
            "much"
            if re.search(r"很多|得多", whole)
            else " ".join(filter(None, (groups.get("deg"), groups.get("deg2"))))
        )
        shorter = bool(re.search(r"short|trim|tighten|短|缩|减", direction, re.I))
        value = {"": 0.67, "bit": 0.8, "much": 0.5}[degree] if shorter else {"": 1.5, "bit": 1.25, "much": 2.0}[degree]
    st.fields["scale_length"] = value
    return True


# ------------------------------------------------------------------------------------------------ clips


def _numbers_in(text: str) -> list[int]:
    """'2 and 4' -> [2, 4]; '2-4' / '2 to 4' -> [2, 3, 4]; Chinese and English number words too."""
    out: list[int] = []
    for m in re.finditer(
        rf"(?P<a>\d+|{_NUM_CN}|\b{_EN_NUM_WORD}\b)(?:\s*(?:-|–|to|到|至)\s*(?P<b>\d+|{_NUM_CN}))?", text, re.I
    ):
        a = int(_number(m["a"]))
        b = int(_number(m["b"])) if m["b"] else a
        out.extend(range(a, b + 1) if b >= a else [a])
    return out


def _add_drops(st: _State, numbers: list[int]) -> bool:
    numbers = [n for n in numbers if n != 0]
    if not numbers:
        return False
    drops: list[int] = st.fields.setdefault("drop_clips", [])
    drops.extend(n for n in numbers if n not in drops)
    return True


def _apply_drop(m: re.Match[str], st: _State) -> bool:
    groups = m.groupdict()
    if groups.get("ords"):
        return _add_drops(st, [_ordinal(o) for o in re.findall(_ORD_EN, groups["ords"], re.I)])
    if groups.get("lastn"):
        n = int(_number(groups["lastn"]))
        return _add_drops(st, list(range(-n, 0)))
    if groups.get("firstn"):
        return _add_drops(st, list(range(1, int(_number(groups["firstn"])) + 1)))
    if groups.get("cnlast"):
        return _add_drops(st, [-1])
    if groups.get("cnrev"):
        return _add_drops(st, [-int(_number(groups["cnrev"]))])
    return _add_drops(st, _numbers_in(groups.get("nums") or ""))


# ------------------------------------------------------------------------------------------------- rules

_REMOVE_VERB_EN = (
    r"(?:remove|delete|drop|clear|hide|kill|lose|no|without|take\s+(?:off|out|away)|get\s+rid\s+of|turn\s+off)"
)
_REMOVE_VERB_CN = r"(?:去掉|删除|删掉|去除|移除|不要|取消|拿掉|关掉|关闭)"
_REMOVABLE_EN = r"(?:title(?:\s+card)?s?|(?:background\s+)?(?:music|bgm|soundtrack|song)|captions?|timestamps?)"
_REMOVABLE_CN = r"(?:片头标题|标题|片名|背景音乐|音乐|配乐|字幕|时间戳)"


def _apply_remove_several(m: re.Match[str], st: _State) -> bool:
    """'remove the captions and the title' / '去掉标题和音乐': one verb, several things."""
    items = m["items"].lower()
    if re.search(r"title|标题|片名", items):
        st.fields.update(remove_title=True, title=None)
    if re.search(r"music|bgm|soundtrack|song|音乐|配乐", items):
        st.fields.update(remove_music=True, music=None)
    if re.search(r"caption|timestamp|字幕|时间戳", items):
        st.fields["captions"] = False
    return True


_DROP_VERB_EN = (
    r"(?:drop|remove|delete|cut(?:\s+out)?|skip|lose|kill|ditch|get\s+rid\s+of|take\s+out|throw\s+out|leave\s+out)"
)
_DROP_VERB_CN = r"(?:去掉|删除|删掉|删去|去除|剪掉|拿掉|移除|不要)"
_CLIP_EN = r"(?:clips?|segments?|moments?|shots?|parts?|ones?|cuts?|scenes?)"
_CLIP_CN = r"(?:(?:个|段)?\s*(?:片段|镜头|段落|部分)|个|段)"
_NUM_LIST_EN = rf"{_NUM_EN}(?:\s*(?:,|&|\+|-|–|and|to)\s*{_NUM_EN})*"
_NUM_LIST_CN = rf"(?:{_NUM_CN}|\d+)(?:\s*(?:、|,|和|与|及|跟|到|至|-)\s*第?\s*(?:{_NUM_CN}|\d+))*"
_SEG_EN = r"(?:keep\s+(?:the\s+|all\s+)?)?(?:clips?|segments?|cuts?|shots?|moments?|each(?:\s+(?:one|clip|segment|moment|shot))?)"
_SEG_CN = r"(?:每(?:个|段)?(?:片段|镜头|段)?|片段|镜头)(?:的)?(?:长度|时长)?"
_PICK = r"(?:\b(?:use|keep|pick|choose|select|include)\s+(?:only\s+|just\s+)?(?:the\s+)?)?"

RULES: tuple[Rule, ...] = (
    Rule(
        "remove several",
        _rx(
            rf"\b{_REMOVE_VERB_EN}\s+(?:the\s+|any\s+)?(?P<items>{_REMOVABLE_EN}(?:\s*(?:,|and|&)\s*(?:the\s+|any\s+)?{_REMOVABLE_EN})+)\b",
            rf"{_REMOVE_VERB_CN}\s*(?P<items>{_REMOVABLE_CN}(?:\s*(?:、|,|和|与|及|跟)\s*{_REMOVABLE_CN})+)",
        ),
        _apply_remove_several,
    ),
    # Titles first: quoted text may hold numbers or words that other rules would read.
    Rule(
        "remove title",
        _rx(
            r"\b(?:remove|delete|drop|clear|hide|kill|lose|no|without|take\s+(?:off|out|away)|get\s+rid\s+of)\s+"
            r"(?:the\s+|a\s+|any\s+)?title(?:\s+card)?s?\b",
            r"(?:去掉|删除|删掉|去除|移除|不要|取消|拿掉|关掉)\s*(?:片头)?(?:标题|片名)",
        ),
        _set(remove_title=True, title=None),
    ),
    Rule(
        "title",
        _rx(
            rf"\b(?:add|put|show)\s+(?:a\s+|the\s+)?title\s+(?:at\s+the\s+(?:start|beginning)\s+)?"
            rf"(?:for\s+(?:the\s+first\s+)?(?P<td>{_DUR_EN})\s*)?[:=]\s*{_QUOTED}",
            rf"(?:\b(?:add|put|use|set|show|with|and|change|update|make|replace)\s+(?:a\s+|the\s+|an\s+)?)?\b(?:title(?:\s+card)?|heading|headline)\s*"
            rf"(?:of|as|to|with|saying|that\s+says|reading|[:=])?\s*{_QUOTED}{_TITLE_DUR_EN}?",
            rf"\b(?:titled|entitled|called|named|call\s+it|name\s+it|title\s+it|rename\s+(?:it\s+)?(?:to\s+)?)\s*[:=]?\s*{_QUOTED}{_TITLE_DUR_EN}?",
            rf"(?:(?:加(?:上|个|一个)?|添加|设置|打上|写上|配上?)\s*)?(?:片头)?(?:标题|片名)\s*(?:是|为|叫做?|写|用|改成|改为|换成|设为|设成|变成)?\s*[:=]?\s*"
            rf"{_QUOTED}{_TITLE_DUR_CN}?",
            rf"(?:叫做?|命名为?|取名为?)\s*{_QUOTED}{_TITLE_DUR_CN}?",
            rf"\btitle\s*[:=]\s*{_TITLE_FREE}",
            rf"\b(?:titled|entitled|called|named|call\s+it|name\s+it|title\s+it)\s+{_TITLE_FREE}",
            rf"\b(?:add|put|use|set|with)\s+(?:a\s+|the\s+)?title\s+(?:of\s+|as\s+|saying\s+|to\s+)?{_TITLE_FREE}",
            r"(?:标题|片名)\s*(?:是|为|叫做?|改成|改为|换成|设为|[:=])\s*(?P<tu>[^\x00，。；！？,.;!?\s“”\"'「」《》]+?)(?=前|显示|持续|[，。；！？,.;!?\s\x00]|$)",
        ),
        _apply_title,
    ),
    Rule(
        "title duration",
        _rx(
            rf"\b(?:for|during|in)\s+(?:the\s+)?first\s+({_DUR_EN})",
            rf"\b(?:show(?:n|s|ing)?|display(?:ed|s)?|stay(?:s|ing)?|visible|on\s+screen)\s+for\s+({_DUR_EN})",
            rf"(?:(?:显示|持续|停留)\s*前?|(?:在|放在)?\s*(?:开头|片头)?\s*的?\s*前)\s*({_DUR_CN})",
        ),
        _apply_title_duration,
    ),
    # Music: files before durations ('song_3m.mp3') and volumes.
    Rule(
        "remove music",
        _rx(
            rf"\b(?:remove|delete|drop|kill|mute|lose|no|without|get\s+rid\s+of|turn\s+off|take\s+(?:out|off))\s+"
            rf"(?:the\s+|any\s+)?{_MUSIC_WORD_EN}\b",
            rf"(?:去掉|删除|删掉|去除|移除|不要|取消|关掉|关闭|拿掉)\s*{_MUSIC_WORD_CN}",
        ),
        _set(remove_music=True, music=None),
    ),
    Rule(
        "file",
        _rx(
            rf"(?:\b(?:replace|swap)\s+(?:the\s+)?{_MUSIC_WORD_EN}\s+(?:with|for)\s+|\bchange\s+(?:the\s+)?{_MUSIC_WORD_EN}\s+to\s+"
            rf"|(?:把)?{_MUSIC_WORD_CN}(?:换成|改成|改为)\s*"
            rf"|\b(?:add|use|using|put|play|with|and|from|only)\s+(?:the\s+|some\s+|a\s+)?|(?:加(?:上|入|个)?|添加|用|配上?|放)\s*)?"
            rf"(?:(?P<mw>{_MUSIC_WORD_EN}|{_MUSIC_WORD_CN})\s*(?:file\s*)?[:=]?\s*)?{FILE_PATTERN}"
            rf"(?:\s+(?:as|for)\s+(?:the\s+)?(?:background\s+)?(?:music|bgm|soundtrack|audio)\b|\s*(?:作为|当|做)\s*{_MUSIC_WORD_CN})?",
        ),
        _apply_file,
    ),
    Rule(
        "remove logo",
        _rx(
            rf"\b{_REMOVE_VERB_EN}\s+(?:the\s+|my\s+|our\s+|any\s+)?(?:logo|watermark|badge)s?\b",
            rf"{_REMOVE_VERB_CN}\s*(?:logo|LOGO|台标|水印|标志|图标)",
        ),
        _set(remove_logo=True, logo=None),
    ),
    Rule(
        "logo corner",
        _rx(
            r"\b(?:in|at|on|to|into)\s+the\s+(?P<v>top|bottom|upper|lower)[\s-]+(?P<h>left|right)(?:[\s-]+(?:corner|hand\s+corner))?\b",
            r"(?P<cn>左上|右上|左下|右下)角?",
        ),
        _apply_logo_position,
    ),
    Rule(
        "move logo",
        _rx(
            r"\b(?:move|shift|put)\s+(?:the\s+|my\s+|our\s+)?(?:logo|watermark)\b(?!\s+(?:i|we)\s+uploaded)",
            r"(?:把)?(?:logo|LOGO|台标|水印)\s*(?:移到|放到|挪到)",
        ),
        lambda _m, st: "logo_position" in st.fields,
    ),
    Rule(
        "uploaded logo",
        _rx(
            r"\b(?:add|put|show|use|place|stick|with)\s+(?:my\s+|the\s+|our\s+|a\s+)?(?:logo|watermark)(?:\s+(?:i|we)\s+uploaded)?\b",
            r"(?:加(?:上|个)?|添加|放上?)\s*(?:我的|我们的)?\s*(?:logo|LOGO|台标|水印|标志)",
        ),
        _apply_uploaded_logo,
    ),
    Rule(
        "music volume scale",
        _rx(
            rf"\b(?:turn|bring)\s+(?:the\s+)?{_MUSIC_WORD_EN}(?:\s+volume)?\s+(?:(?P<deg>a\s+(?:bit|little|touch|lot)|way)\s+)?(?P<dir>down|up)\b",
            rf"\b(?:turn|bring)\s+(?P<dir>down|up)\s+(?:the\s+)?{_MUSIC_WORD_EN}(?:\s+volume)?(?:\s+(?P<deg>a\s+(?:bit|little|touch|lot)))?",
            rf"\b(?P<dir>lower|reduce|decrease|raise|increase|boost)\s+(?:the\s+)?{_MUSIC_WORD_EN}(?:\s+volume)?"
            rf"(?:\s+(?P<deg>a\s+(?:bit|little|touch|lot)|slightly))?",
            rf"\b(?:make\s+)?(?:the\s+)?{_MUSIC_WORD_EN}(?:\s+volume)?\s+(?:(?P<deg>a\s+(?:bit|little|touch|lot)|slightly|much|way)\s+)?"
            rf"(?P<dir>quieter|softer|lower|louder|higher|down|up)\b",
            rf"\b(?:(?P<deg>a\s+(?:bit|little|touch|lot)|slightly|much|way)\s+)?(?P<dir>quieter|softer|louder)\s+{_MUSIC_WORD_EN}\b",
            rf"{_MUSIC_WORD_CN}(?:的)?(?:声音|音量)?\s*(?P<deg>稍微|稍|略|再)?\s*(?:调|放)?(?P<dir>小|低|轻|大|高|响)(?:声)?(?P<deg2>一点点|一点|一些|点|很多)?",
            rf"(?P<deg>稍微|略微?)?\s*(?P<dir>调低|降低|减小|调小|调高|提高|增大|调大)\s*(?:一点|一些)?\s*{_MUSIC_WORD_CN}(?:的)?(?:音量|声音)?",
        ),
        _apply_volume_scale,
    ),
    Rule(
        "uploaded music",
        _rx(
            rf"\b(?:add|use|put|play|with)\s+(?:the\s+|my\s+|that\s+|some\s+)?(?:uploaded\s+|new\s+)?{_MUSIC_WORD_EN}"
            r"(?:\s+(?:i|we)\s+(?:just\s+)?(?:uploaded|sent|added|gave\s+you))?\b",
            rf"(?:加(?:上|入)?|添加|用|配上?)\s*(?:我)?\s*(?:刚才?)?\s*(?:上传|传)的\s*{_MUSIC_WORD_CN}",
            rf"(?:加(?:上|入)?|添加|用|配上?)\s*{_MUSIC_WORD_CN}",
        ),
        _apply_uploaded_music,
    ),
    Rule(
        "music volume",
        _rx(
            r"(?:\bat|@)\s*(?P<num>\d+(?:\.\d+)?)\s*(?P<pct>%)(?:\s*(?:volume|vol)\b)?",
            rf"\b{_MUSIC_WORD_EN}\s+(?:at|to)\s+(?P<num>0?\.\d+|1(?:\.0+)?|0)(?![\d.%])",
            rf"(?:\b(?:set\s+|put\s+|turn\s+)?(?:the\s+)?{_MUSIC_WORD_EN}\s+)?\b(?:volume|vol\.?|level)\s*(?:at|to|of|=|:)?\s*"
            r"(?P<num>\d+(?:\.\d+)?)\s*(?P<pct>%)?",
            rf"\b(?:set|put|turn)\s+(?:the\s+)?{_MUSIC_WORD_EN}\s+(?:down\s+|up\s+)?(?:to|at)\s*(?P<num>\d+(?:\.\d+)?)\s*(?P<pct>%)",
            r"(?<![\w.])(?P<num>\d+(?:\.\d+)?)\s*(?P<pct>%)\s*(?:volume|vol)\b",
            r"(?:背景音乐|音乐|配乐)?(?:的)?\s*音量\s*(?:调到|调成|调为|设为|设置为|设成|为|是|在|:)?\s*(?:(?P<num>\d+(?:\.\d+)?)\s*(?P<pct>%)?|百分之\s*(?P<cnpct>[零〇一二两三四五六七八九十百]+|\d+))",
            r"(?P<num>\d+(?:\.\d+)?)\s*(?P<pct>%)\s*的?音量",
        ),
        _apply_volume,
    ),
    Rule(
        "captions off",
        _rx(
            r"\b(?:no|remove|delete|drop|hide|without|turn\s+off|disable|get\s+rid\s+of|take\s+(?:off|out))\s+"
            r"(?:the\s+|any\s+)?(?:captions?|timestamps?|time\s+labels?)\b",
            r"\bcaptions?\s+off\b",
            r"(?:去掉|删除|删掉|不要|关闭|关掉|取消|隐藏)\s*(?:字幕|时间戳|时间)",
        ),
        _set(captions=False),
    ),
    Rule(
        "captions on",
        _rx(
            r"\b(?:add|with|show|turn\s+on|enable|include|put)\s+(?:the\s+|some\s+)?(?:captions?|timestamps?|time\s+labels?)"
            r"(?:\s+on\s+(?:each|every)\s+(?:clip|moment|segment))?\b",
            r"\bcaptions?\s+on\b",
            r"\bshow\s+(?:the\s+)?(?:source\s+|original\s+)?time(?:stamps?)?\s+(?:on|of|for)\s+(?:each|every)\s+(?:clip|moment|segment)\b",
            r"\b(?:label|timestamp)\s+(?:each|every)\s+(?:clip|moment|segment)\b",
            r"\bcaptions\b",
            r"(?:加上?|添加|显示|打开|开启|带上?)\s*(?:字幕|时间戳)",
            r"显示\s*(?:每段|每个片段)?的?(?:原始|原)?时间",
            r"字幕",
        ),
        _set(captions=True),
    ),
    Rule(
        "clip length",
        _rx(
            rf"\b{_SEG_EN}\s+(?:(?:of|lasting|between|from|that\s+are|should\s+be|are|about)\s+){{0,2}}"
            rf"(?P<a>{_NUM_EN})\s*(?P<ua>{_UNIT_EN})?\s*(?:and|to|-|–|~)\s*(?P<b>{_NUM_EN})\s*(?P<u>{_UNIT_EN})(?:\s+(?:long|each))?",
            rf"\b(?:between\s+)?(?P<a>{_NUM_EN})\s*(?P<ua>{_UNIT_EN})?\s*(?:and|to|-|–|~)\s*(?P<b>{_NUM_EN})[\s-]*(?P<u>{_UNIT_EN})"
            rf"[\s-]*(?:long\s+)?(?:clips?|segments?|cuts?|shots?)\b",
            rf"{_SEG_CN}\s*(?:在)?\s*(?P<a>{_NUM_CN}|\d+(?:\.\d+)?)\s*(?P<ua>秒|分钟)?\s*(?:到|至|-|~|—)\s*(?P<b>{_NUM_CN}|\d+(?:\.\d+)?)\s*(?P<u>秒钟?|分钟)",
        ),
        _apply_segment_range,
    ),
    Rule(
        "longest clip",
        _rx(
            rf"\b(?:keep\s+(?:the\s+|all\s+)?)?(?:clips?|segments?|shots?|moments?|each(?:\s+(?:clip|segment|moment))?)\s+"
            r"(?:of\s+|should\s+be\s+|are\s+)?"
            rf"(?:at\s+most|no\s+longer\s+than|under|max(?:imum)?|up\s+to|shorter\s+than|less\s+than)\s+(?P<d>{_DUR_EN})",
            rf"\b(?:max(?:imum)?|at\s+most|no\s+more\s+than|up\s+to)\s+(?P<d>{_DUR_EN})\s+(?:per|each|a|for\s+each)\s+(?:clip|segment|shot|moment)\b",
            rf"{_SEG_CN}\s*(?:不超过|最多|最长|不要超过|不能超过)\s*(?P<d>{_DUR_CN})",
        ),
        _segment_bound("max_segment_s"),
    ),
    Rule(
        "shortest clip",
        _rx(
            rf"\b(?:keep\s+(?:the\s+|all\s+)?)?(?:clips?|segments?|shots?|moments?|each(?:\s+(?:clip|segment|moment))?)\s+"
            r"(?:of\s+|should\s+be\s+|are\s+)?"
            rf"(?:at\s+least|no\s+shorter\s+than|over|min(?:imum)?|longer\s+than|more\s+than)\s+(?P<d>{_DUR_EN})",
            rf"\b(?:min(?:imum)?|at\s+least)\s+(?P<d>{_DUR_EN})\s+(?:per|each|a|for\s+each)\s+(?:clip|segment|shot|moment)\b",
            rf"{_SEG_CN}\s*(?:至少|最少|最短|不少于|不短于)\s*(?P<d>{_DUR_CN})",
        ),
        _segment_bound("min_segment_s"),
    ),
    Rule(
        "drop clips",
        _rx(
            rf"\b{_DROP_VERB_EN}\s+(?:the\s+)?(?P<ords>{_ORD_EN}(?:\s*(?:,|and|&)\s*(?:the\s+)?{_ORD_EN})*)\s+{_CLIP_EN}\b",
            rf"\b{_DROP_VERB_EN}\s+(?:the\s+)?{_CLIP_EN}\s+(?:number\s+|no\.?\s*|#\s*)?(?P<nums>{_NUM_LIST_EN})\b",
            rf"\b{_DROP_VERB_EN}\s+(?:the\s+)?last\s+(?P<lastn>{_NUM_EN})\s+{_CLIP_EN}\b",
            rf"\b{_DROP_VERB_EN}\s+(?:the\s+)?first\s+(?P<firstn>{_NUM_EN})\s+{_CLIP_EN}\b",
            rf"{_DROP_VERB_CN}\s*第\s*(?P<nums>{_NUM_LIST_CN})\s*{_CLIP_CN}?",
            rf"{_DROP_VERB_CN}\s*(?P<cnlast>最后)\s*(?:一个|一段)?\s*{_CLIP_CN}?",
            rf"{_DROP_VERB_CN}\s*倒数第\s*(?P<cnrev>{_NUM_CN}|\d+)\s*{_CLIP_CN}?",
            rf"(?<!倒数)第\s*(?P<nums>{_NUM_LIST_CN})\s*{_CLIP_CN}?\s*(?:{_DROP_VERB_CN}|删了|不要了)",
        ),
        _apply_drop,
    ),
    Rule(
        "shorter or longer",
        _rx(
            r"(?<![\w.])(?P<pct>\d+(?:\.\d+)?)\s*%\s*(?P<dir>shorter|longer)\b",
            r"\b(?P<dir>half)\s+(?:as\s+long|the\s+length)\b|\bcut\s+it\s+in\s+(?P<dir2>half)\b|\b(?P<dir3>halve)\s+(?:it|the\s+(?:reel|length))\b",
            r"\b(?:twice\s+as\s+long|double\s+(?:it|the\s+length))\b",
            r"\b(?P<deg>a\s+(?:bit|little|touch|lot)|slightly|somewhat|a\s+tad|much|way|far|significantly|considerably)\s+"
            r"(?P<dir>shorter|longer)\b(?!\s+(?:clips?|segments?|moments?|shots?))",
            r"\b(?P<dir>shorter|longer)\b(?!\s+(?:clips?|segments?|moments?|shots?|than))",
            r"\b(?P<dir>shorten|trim)\s+it(?:\s+down)?\b|\btighten\s+it\s+up\b",
            r"\b(?:lengthen|extend)\s+it\b",
            r"(?P<deg>稍微|稍稍|略微?)\s*(?:再)?\s*(?P<dir>短|长)\s*(?:一点点?|一些|点)?|(?P<dir2>短|长)\s*(?P<deg2>一点点)",
            r"(?P<dir>短|长)\s*(?:很多|得多|一倍)|(?P<dir2>缩短一半|减半|短一半)|翻倍",
            r"(?P<dir>短|长)\s*(?:一点|一些|点)|更(?P<dir2>短|长)|(?P<dir3>缩短|加长|延长|变短|变长)",
        ),
        _apply_scale,
    ),
    Rule(
        "music volume",
        _rx(r"(?<![\w.])(?P<num>\d+(?:\.\d+)?)\s*(?P<pct>%)"),
        _apply_volume_bare,
    ),
    Rule(
        "vertical 9:16",
        _rx(
            r"(?<![\d.])9\s*[:x×/]\s*16(?![\d.])|9\s*比\s*16",
            r"\bvertical(?:ly)?\b|\bportrait\b|\btik\s*tok\b|\bdouyin\b|\bsnapchat\b|\b(?:youtube\s+)?shorts\b",
            r"\b(?:instagram|insta|ig)\s+(?:stor(?:y|ies)|reels?)\b|\b(?:for|on|as)\s+(?:a\s+)?(?:stor(?:y|ies)|reels)\b",
            r"\b(?:for\s+)?(?:(?:a|the)\s+)?phone(?:\s+screen)?\b",
            r"竖屏|竖版|竖向|竖幅|竖的|竖着|抖音|快手|视频号|小红书",
        ),
        _set(aspect="9:16"),
    ),
    Rule(
        "square 1:1",
        _rx(
            r"(?<![\d.])1\s*[:x×/]\s*1(?![\d.])|1\s*比\s*1(?!\d)",
            r"\bsquare\b|\b(?:the\s+)?(?:instagram|insta|ig)(?:\s+(?:feed|post|grid)s?)?\b|\bfeed\b",
            r"正方形|方形|方屏|方版",
        ),
        _set(aspect="1:1"),
    ),
    Rule(
        "landscape 16:9",
        _rx(
            r"(?<![\d.])16\s*[:x×/]\s*9(?![\d.])|16\s*比\s*9",
            r"\blandscape\b|\bhorizontal(?:ly)?\b|\bwide\s*screen\b|\byoutube\b|\b(?:for\s+)?(?:the\s+)?(?:tv|television)\b",
            r"横屏|横版|横向|横幅|横的|横着|宽屏|b站|哔哩哔哩|西瓜视频",
        ),
        _set(aspect="16:9"),
    ),
    Rule(
        "blur fill",
        _rx(
            r"\bblur(?:red|ry)?\s+(?:background|fill|bars|sides|edges|padding|borders?)\b|\bblur[\s-]?fill\b",
            r"\b(?:don'?t|do\s+not|no|without|never)\s+crop(?:ping)?(?:\s+(?:it|anything))?\b",
            r"\bkeep\s+(?:the\s+)?(?:whole|entire|full)\s+(?:frame|picture|image|shot)\b|\bfit\s+(?:the\s+)?(?:whole|entire)\s+(?:frame|picture)\b",
            r"\b(?:pad(?:ded|ding)?|letterbox(?:ed|ing)?)\b",
            r"模糊背景|背景模糊|模糊填充|不要?裁剪|不要?裁切|保留完整画面|完整画面|加黑边|留黑边",
        ),
        _set(fit="blur"),
    ),
    Rule(
        "crop",
        _rx(
            r"\bcrop(?:ped|ping)?(?:\s+(?:it|to\s+fill))?\b|\bfill\s+the\s+(?:frame|screen)\b|\bzoom\s+(?:in\s+)?to\s+fill\b",
            r"裁剪|裁切|裁掉|填满",
        ),
        _set(fit="crop"),
    ),
    Rule(
        "length",
        _rx(
            r"(?P<pre>\b(?:first|last|at|after|before|from|until|till|skip(?:ping)?|ignore|every|each|per)\s+(?:the\s+)?"
            r"|(?:前|后|第|跳过|每个?|从)\s*)?"
            r"(?:(?:(?:cut|trim|shorten|bring)\s+(?:it\s+)?(?:down\s+)?to|about|around|roughly|approximately|under|max(?:imum)?|at\s+most"
            r"|no\s+more\s+than|up\s+to|exactly|to|into|in)\s+"
            r"|(?:大约|大概|不超过|控制在|剪成|剪到|缩短到|压缩到|做成|变成)\s*)?"
            rf"(?P<d>{_DUR})(?:\s*(?:long|in\s+length|max|total|or\s+(?:so|less))\b|\s*(?:左右|以内|以下|之内))?",
        ),
        _apply_target,
    ),
    Rule(
        "moments",
        _rx(
            rf"{_PICK}\btop\s+(?P<n>{_NUM_EN})(?:\s+(?:best\s+|biggest\s+|key\s+)?(?:moments?|highlights?|plays?|goals?|points?|clips?|scenes?|shots?|bits|parts|peaks|events?))?\b",
            rf"{_PICK}\b(?:the\s+)?(?P<n>{_NUM_EN})\s+(?:of\s+the\s+)?(?:best|biggest|greatest|top|key|great|most\s+exciting|most\s+intense|loudest)\s+"
            r"(?:moments?|highlights?|plays?|goals?|points?|clips?|scenes?|shots?|bits|parts|peaks|events?)\b",
            rf"\b(?P<n>{_NUM_EN})\s+of\s+the\s+best\b",
            rf"\b(?P<n>{_NUM_EN})\s+(?:moments?|highlights?|plays?|goals?|clips?|scenes?|peaks|events?)\b",
            rf"前\s*(?P<n>{_NUM_CN}|\d+)(?!\s*(?:个半|个)?\s*(?:秒|分|小时))\s*(?:个|名|大|段)?\s*(?:最?精彩的?|高光的?)?\s*(?:瞬间|片段|镜头|时刻|高光|亮点|进球|画面|精彩|回合)?",
            rf"(?<!第)(?<![\d一二两三四五六七八九十])(?P<n>{_NUM_CN}|\d+)\s*(?:个|段|次)\s*(?:最)?(?:精彩|高光|好看|关键)?的?\s*(?:瞬间|片段|镜头|时刻|高光|亮点|进球|画面|回合)",
        ),
        _apply_moments,
    ),
    Rule("redo", _rx(r"\bre-?do\b", r"重做|恢复撤销"), _set(redo=True)),
    Rule(
        "undo",
        _rx(
            r"\bundo\b|\brevert\b|\bgo\s+back\b|\broll\s*back\b|\btake\s+that\s+back\b|\bput\s+it\s+back\b",
            r"\bcancel\s+(?:that|the\s+last\s+(?:change|edit))\b",
            r"撤销|撤回|回退|还原|上一步|恢复原样",
        ),
        _set(undo=True),
    ),
    Rule(
        "highlight reel",
        _rx(
            r"\b(?:pull|grab|find|pick|get|take|extract|collect|choose|select)\s+(?:out\s+)?(?:all\s+)?(?:of\s+)?(?:the\s+)?"
            r"(?:best|top|key|greatest|biggest|most\s+exciting|good|great)\s+(?:moments|bits|parts|plays|scenes|action|highlights|clips|shots)\b",
            r"\b(?:make|create|build|cut|do|give\s+me|put\s+together|assemble|generate|compile)\s+(?:me\s+)?(?:a|an|the|some)?\s*"
            r"(?:highlights?\s+(?:reel|video|clip|package|montage|compilation)|reel|highlights|montage|recap|supercut|compilation)\b",
            r"(?:剪|做|生成|弄|来)(?:一个|个|一段|段)?(?:精彩)?(?:集锦|高光|精华)",
            r"把精彩(?:片段|瞬间|镜头|时刻)(?:剪|做)",
        ),
        _set_extra(reel=True),
    ),
    Rule(
        "filler",
        _rx(
            r"\b(?:compile|cut|edit|put|turn|assemble|stitch|make)\s+(?:them|it|those|these|everything)\s+(?:together\s+)?(?:into|in)\b",
            r"\b(?:add|put|use|include)\s+(?:it|them|that)(?:\s+(?:in|on))?\b",
            r"\b(?:highlights?|sizzle)\s+(?:reel|video|clip|package|montage|compilation|cut)s?\b|\bhighlights?\b",
            r"\b(?:best|top|key|greatest)\s+(?:moments|bits|parts|plays|scenes|action)\b|\b(?:supercut|montage|recap|compilation)\b",
            r"精彩集锦|集锦|高光(?:时刻)?|精彩(?:片段|瞬间|时刻|镜头)|精华",
        ),
        lambda _m, _st: True,
        listed=False,
    ),
)


# ------------------------------------------------------------------------------------------- leftovers

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


# ----------------------------------------------------------------------------------------------- public

_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def normalize(text: str) -> str:
    """Full-width digits, letters and punctuation to ASCII; length-preserving so spans stay valid."""
    return text.translate(_FULLWIDTH)


def is_chinese(text: str) -> bool:
    """True when the words outside quotes use Chinese characters (a quoted Chinese title alone does not count)."""
    bare = re.sub(_QUOTED, " ", normalize(text))
    return bool(re.search(r"[\u4e00-\u9fff]", bare))


def _known_media_step(work: str, st: _State, hits: list[tuple[int, str]]) -> str:
    """Uploaded files mentioned by name or id (no path syntax needed): audio -> music, video -> sources."""
    names: dict[str, tuple[str, str]] = {}  # spelled name -> (id, extension); stems let 'Crowd Chant' match
    for key, media_id in st.known.items():
        names.setdefault(key, (media_id, _ext(key)))
        stem = key.rsplit(".", 1)[0] if _ext(key) in _MEDIA_EXT else ""
        if stem:
            names.setdefault(re.split(r"[\\/]", stem)[-1], (media_id, _ext(key)))
    for key in sorted(names, key=len, reverse=True):
        if len(key) < 3:
            continue
        pattern = re.compile(
            rf"(?:\b(?:add|use|using|put|play|with|from|only)\s+(?:the\s+)?|(?:加上?|添加|用|配上?)\s*)?"
            rf"(?<![A-Za-z0-9_.]){re.escape(key)}(?![A-Za-z0-9_])",
            re.I,
        )
        media_id, ext = names[key]

        def repl(m: re.Match[str], media_id: str = media_id, ext: str = ext) -> str:
            if ext in _AUDIO_EXT or (ext not in _VIDEO_EXT and st.music_context()):
                st.fields["music"] = media_id
            elif ext in _VIDEO_EXT:
                st.fields.setdefault("sources", []).append(media_id)
            else:
                return m.group(0)
            hits.append((m.start(), m.group(0).strip()))
            return MASK * len(m.group(0))

        work = pattern.sub(repl, work)
    return work


def _run_rule(rule: Rule, work: str, st: _State, hits: list[tuple[int, str]]) -> str:
    for pattern in rule.patterns:

        def repl(m: re.Match[str]) -> str:
            if not rule.apply(m, st):
                return m.group(0)
            if rule.listed:
                hits.append((m.start(), m.group(0).strip()))
            return MASK * len(m.group(0))

        work = pattern.sub(repl, work)
    return work


def read_instruction(text: str, *, known_media: Mapping[str, str] | None = None) -> tuple[ParsedInstruction, str]:
    """Parse without raising; also returns the masked text (consumed spans replaced by NUL) for routing."""
    work = normalize(text or "")
    st = _State(known=dict(known_media or {}), text=work)
    hits: list[tuple[int, str]] = []
    for rule in RULES:
        work = _run_rule(rule, work, st, hits)
        if rule.name == "file":
            work = _known_media_step(work, st, hits)
    fields = dict(st.fields)
    if "sources" in fields:
        fields["sources"] = list(dict.fromkeys(fields["sources"]))
    if fields.get("remove_title"):
        fields.pop("title", None)
        fields.pop("title_s", None)
    if fields.get("remove_music"):
        fields.pop("music", None)
    request = EditRequest(**{k: v for k, v in fields.items() if v is not None})
    understood = [phrase for _, phrase in sorted(hits)]
    parsed = ParsedInstruction(request=request, understood=understood, leftover=leftover_words(work), extra=st.extra)
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
    if parsed.request.is_empty() and not parsed.extra:
        raise not_understood(text)
    return parsed
