"""The words rules are built from: numbers (digits, English, Chinese), ordinals, durations, verbs and nouns."""

from __future__ import annotations

import re

EN_UNITS = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen".split()  # noqa: SIM905
EN_UNITS += "fifteen sixteen seventeen eighteen nineteen".split()  # noqa: SIM905
EN_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()  # noqa: SIM905
EN_WORD_VALUE = {w: i + 1 for i, w in enumerate(EN_UNITS)} | {w: 20 + 10 * i for i, w in enumerate(EN_TENS)}
EN_NUM_WORD = rf"(?:(?:{'|'.join(EN_TENS)})(?:[\s-](?:{'|'.join(EN_UNITS[:9])})\b)?|{'|'.join(EN_UNITS)})"
CN_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
NUM_CN = r"[零〇一二两三四五六七八九十百]+"
DIGITS = r"(?<![A-Za-z0-9_.])\d+(?:\.\d+)?"
NUM_EN = rf"(?:{DIGITS}|\b{EN_NUM_WORD}\b)"
NUM = rf"(?:{DIGITS}|{NUM_CN}|\b{EN_NUM_WORD}\b)"

EN_ORDINALS = {
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
ORD_EN = (
    rf"(?:second[\s-]to[\s-]last|next[\s-]to[\s-]last|penultimate|last|\d+(?:st|nd|rd|th)|"
    rf"{'|'.join(sorted(EN_ORDINALS, key=len, reverse=True))})"
)


def chinese_int(text: str) -> int:
    """Chinese numerals up to the hundreds: 十五 -> 15, 二十 -> 20, 两 -> 2, 一百零五 -> 105."""
    total, digit = 0, 0
    for ch in text:
        if ch in CN_DIGIT:
            digit = CN_DIGIT[ch]
        elif ch == "十":
            total += (digit or 1) * 10
            digit = 0
        elif ch == "百":
            total += (digit or 1) * 100
            digit = 0
    return total + digit


def parse_number(text: str) -> float:
    """A number written as digits, English words (one..ninety-nine, a/an) or Chinese numerals."""
    word = re.sub(r"[\s-]+", " ", text.strip().lower())
    if re.fullmatch(r"\d+(?:\.\d+)?", word):
        return float(word)
    if word in {"a", "an"}:
        return 1.0
    if word.startswith("half"):
        return 0.5
    if re.fullmatch(NUM_CN, word):
        return float(chinese_int(word))
    parts = word.split(" ")
    return float(sum(EN_WORD_VALUE[p] for p in parts))


def parse_ordinal(text: str) -> int:
    """1-based clip position; counting from the end gives negatives (-1 last, -2 second to last)."""
    word = re.sub(r"[\s-]+", " ", text.strip().lower())
    if word == "last":
        return -1
    if word in {"second to last", "next to last", "penultimate"}:
        return -2
    if m := re.fullmatch(r"(\d+)(?:st|nd|rd|th)", word):
        return int(m.group(1))
    return EN_ORDINALS[word]


# -------------------------------------------------------------------------------------------- durations

UNIT_EN = r"(?:hours?|hrs?|h|minutes?|mins?|m|seconds?|secs?|s)(?![A-Za-z])"
HALF_EN = r"(?:\s+and\s+a\s+half)"
DUR_EN_PART = rf"{NUM_EN}{HALF_EN}?[\s-]*{UNIT_EN}{HALF_EN}?"
DUR_EN = (
    rf"(?:(?<![\w.])\d+(?:h\d+m?|m\d+s?|h\d+m\d+s?)(?![A-Za-z0-9])"
    rf"|{DUR_EN_PART}(?:\s*,?\s*(?:and\s+)?{DUR_EN_PART})*"
    rf"|\bhalf\s+an?\s+(?:minute|hour)\b|\ban?\s+(?:minute|hour){HALF_EN}?\b"
    rf"|(?<![\d:])\d{{1,2}}:[0-5]\d(?::[0-5]\d)?(?![\d:]))"
)
DUR_CN_PART = (
    rf"(?:{NUM_CN}|{DIGITS})(?:个半|个)?\s*"
    r"(?:小时|分钟|分(?=\s*(?:\d|[一二两三四五六七八九十]|半))|秒钟|秒)(?:半钟?)?"
)
DUR_CN = rf"(?:半个?(?:分钟|小时)|{DUR_CN_PART}(?:\s*{DUR_CN_PART})*)"
DUR = rf"(?:{DUR_EN}|{DUR_CN})"

DUR_PART_RE = re.compile(
    rf"(?P<n>\d+(?:\.\d+)?|{NUM_CN}|\bhalf\s+an?\b|\b{EN_NUM_WORD}\b|\ban?\b)"
    rf"(?P<h1>{HALF_EN}|个半|个)?[\s-]*"
    r"(?P<u>hours?|hrs?|h|minutes?|mins?|m|seconds?|secs?|s|小时|分钟|分|秒钟|秒)(?P<h2>\s+and\s+a\s+half|半)?",
    re.I,
)


def duration_seconds(text: str) -> float | None:
    """Seconds in a duration phrase matched by `DUR` ('3-minute', 'two minutes', '1:30', '一分半')."""
    t = text.strip().lower()
    if m := re.fullmatch(r"(\d{1,2}):([0-5]\d)(?::([0-5]\d))?", t):
        total = 0
        for part in (g for g in m.groups() if g is not None):  # m:ss or h:mm:ss
            total = total * 60 + int(part)
        return float(total)
    if m := re.fullmatch(r"半个?(分钟|小时)", t):
        return 30.0 if m.group(1) == "分钟" else 1800.0
    total = 0.0
    for part in DUR_PART_RE.finditer(t):
        unit = part["u"]
        scale = 3600 if unit[0] in "h小" else 60 if unit[0] in "m分" else 1
        value = parse_number(part["n"]) + (0.5 if (part["h1"] or "").strip() not in {"", "个"} or part["h2"] else 0)
        total += value * scale
    return total or None


MUSIC_WORD_EN = r"(?:background\s+|bg\s+)?(?:music|bgm|song|soundtrack|track|audio)"
MUSIC_WORD_CN = r"(?:背景音乐|音乐|配乐|bgm|歌曲?)"
# ------------------------------------------------------------------------------------------------ words

REMOVE_VERB_EN = (
    r"(?:remove|delete|drop|clear|hide|kill|lose|no|without|take\s+(?:off|out|away)|get\s+rid\s+of|turn\s+off)"
)
REMOVE_VERB_CN = r"(?:去掉|删除|删掉|去除|移除|不要|取消|拿掉|关掉|关闭)"
REMOVABLE_EN = r"(?:title(?:\s+card)?s?|(?:background\s+)?(?:music|bgm|soundtrack|song)|captions?|timestamps?)"
REMOVABLE_CN = r"(?:片头标题|标题|片名|背景音乐|音乐|配乐|字幕|时间戳)"


DROP_VERB_EN = (
    r"(?:drop|remove|delete|cut(?:\s+out)?|skip|lose|kill|ditch|get\s+rid\s+of|take\s+out|throw\s+out|leave\s+out)"
)
DROP_VERB_CN = r"(?:去掉|删除|删掉|删去|去除|剪掉|拿掉|移除|不要)"
CLIP_EN = r"(?:clips?|segments?|moments?|shots?|parts?|ones?|cuts?|scenes?)"
CLIP_CN = r"(?:(?:个|段)?\s*(?:片段|镜头|段落|部分)|个|段)"
NUM_LIST_EN = rf"{NUM_EN}(?:\s*(?:,|&|\+|-|–|and|to)\s*{NUM_EN})*"
NUM_LIST_CN = rf"(?:{NUM_CN}|\d+)(?:\s*(?:、|,|和|与|及|跟|到|至|-)\s*第?\s*(?:{NUM_CN}|\d+))*"
SEG_EN = r"(?:keep\s+(?:the\s+|all\s+)?)?(?:clips?|segments?|cuts?|shots?|moments?|each(?:\s+(?:one|clip|segment|moment|shot))?)"
SEG_CN = r"(?:每(?:个|段)?(?:片段|镜头|段)?|片段|镜头)(?:的)?(?:长度|时长)?"
PICK = r"(?:\b(?:use|keep|pick|choose|select|include)\s+(?:only\s+|just\s+)?(?:the\s+)?)?"


def degree_of(text: str | None) -> str:
    t = (text or "").lower()
    if re.search(r"bit|little|touch|slightly|tad|稍|略|一点点", t):
        return "bit"
    if re.search(r"much|lot|way|far|很多|多", t):
        return "much"
    return ""
