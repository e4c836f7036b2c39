"""Rules that take values for time: the reel's length, how many moments, clip lengths, dropping clips."""

from __future__ import annotations

import re

from mcp_highlight.service.instructions.grammar import (
    CLIP_CN,
    CLIP_EN,
    DROP_VERB_CN,
    DROP_VERB_EN,
    DUR,
    DUR_CN,
    DUR_EN,
    EN_NUM_WORD,
    NUM_CN,
    NUM_EN,
    NUM_LIST_CN,
    NUM_LIST_EN,
    ORD_EN,
    PICK,
    SEG_CN,
    SEG_EN,
    UNIT_EN,
    degree_of,
    duration_seconds,
    parse_number,
    parse_ordinal,
)
from mcp_highlight.service.instructions.rules import Apply, Reading, Rule, rx


def _apply_target(m: re.Match[str], st: Reading) -> bool:
    if m["pre"]:
        return False  # 'the first 5 minutes', 'at 1:30', '前3秒': a position, not the reel's length
    seconds = duration_seconds(m["d"])
    if not seconds:
        return False
    st.fields["target_s"] = seconds
    return True


def _apply_moments(m: re.Match[str], st: Reading) -> bool:
    value = parse_number(m["n"])
    if value != int(value) or not 1 <= value <= 100:
        return False
    st.fields["moments"] = int(value)
    return True


def _range_bound(number: str, unit: str | None, shared_unit: str) -> float | None:
    return duration_seconds(f"{number}{unit or shared_unit}") if (unit or shared_unit) else None


def _apply_segment_range(m: re.Match[str], st: Reading) -> bool:
    low = _range_bound(m["a"], m["ua"], m["u"])
    high = _range_bound(m["b"], None, m["u"])
    if not low or not high or low >= high:
        return False
    st.fields["min_segment_s"], st.fields["max_segment_s"] = low, high
    return True


def _segment_bound(name: str) -> Apply:
    def apply(m: re.Match[str], st: Reading) -> bool:
        seconds = duration_seconds(m["d"])
        if not seconds:
            return False
        st.fields[name] = seconds
        return True

    return apply


def _apply_scale(m: re.Match[str], st: Reading) -> bool:
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
        degree = degree_of(
            "much"
            if re.search(r"很多|得多", whole)
            else " ".join(filter(None, (groups.get("deg"), groups.get("deg2"))))
        )
        shorter = bool(re.search(r"short|trim|tighten|短|缩|减", direction, re.I))
        value = {"": 0.67, "bit": 0.8, "much": 0.5}[degree] if shorter else {"": 1.5, "bit": 1.25, "much": 2.0}[degree]
    st.fields["scale_length"] = value
    return True


def _numbers_in(text: str) -> list[int]:
    """'2 and 4' -> [2, 4]; '2-4' / '2 to 4' -> [2, 3, 4]; Chinese and English number words too."""
    out: list[int] = []
    for m in re.finditer(
        rf"(?P<a>\d+|{NUM_CN}|\b{EN_NUM_WORD}\b)(?:\s*(?:-|–|to|到|至)\s*(?P<b>\d+|{NUM_CN}))?", text, re.I
    ):
        a = int(parse_number(m["a"]))
        b = int(parse_number(m["b"])) if m["b"] else a
        out.extend(range(a, b + 1) if b >= a else [a])
    return out


def _add_drops(st: Reading, numbers: list[int]) -> bool:
    numbers = [n for n in numbers if n != 0]
    if not numbers:
        return False
    drops: list[int] = st.fields.setdefault("drop_clips", [])
    drops.extend(n for n in numbers if n not in drops)
    return True


def _apply_drop(m: re.Match[str], st: Reading) -> bool:
    groups = m.groupdict()
    if groups.get("ords"):
        return _add_drops(st, [parse_ordinal(o) for o in re.findall(ORD_EN, groups["ords"], re.I)])
    if groups.get("lastn"):
        n = int(parse_number(groups["lastn"]))
        return _add_drops(st, list(range(-n, 0)))
    if groups.get("firstn"):
        return _add_drops(st, list(range(1, int(parse_number(groups["firstn"])) + 1)))
    if groups.get("cnlast"):
        return _add_drops(st, [-1])
    if groups.get("cnrev"):
        return _add_drops(st, [-int(parse_number(groups["cnrev"]))])
    return _add_drops(st, _numbers_in(groups.get("nums") or ""))


TIMING_RULES: tuple[Rule, ...] = (
    Rule(
        "clip length",
        160,
        rx(
            rf"\b{SEG_EN}\s+(?:(?:of|lasting|between|from|that\s+are|should\s+be|are|about)\s+){{0,2}}"
            rf"(?P<a>{NUM_EN})\s*(?P<ua>{UNIT_EN})?\s*(?:and|to|-|–|~)\s*(?P<b>{NUM_EN})\s*(?P<u>{UNIT_EN})(?:\s+(?:long|each))?",
            rf"\b(?:between\s+)?(?P<a>{NUM_EN})\s*(?P<ua>{UNIT_EN})?\s*(?:and|to|-|–|~)\s*(?P<b>{NUM_EN})[\s-]*(?P<u>{UNIT_EN})"
            rf"[\s-]*(?:long\s+)?(?:clips?|segments?|cuts?|shots?)\b",
            rf"{SEG_CN}\s*(?:在)?\s*(?P<a>{NUM_CN}|\d+(?:\.\d+)?)\s*(?P<ua>秒|分钟)?\s*(?:到|至|-|~|—)\s*(?P<b>{NUM_CN}|\d+(?:\.\d+)?)\s*(?P<u>秒钟?|分钟)",
        ),
        _apply_segment_range,
    ),
    Rule(
        "longest clip",
        170,
        rx(
            rf"\b(?:keep\s+(?:the\s+|all\s+)?)?(?:clips?|segments?|shots?|moments?|each(?:\s+(?:clip|segment|moment))?)\s+"
            r"(?:of\s+|should\s+be\s+|are\s+)?"
            rf"(?:at\s+most|no\s+longer\s+than|under|max(?:imum)?|up\s+to|shorter\s+than|less\s+than)\s+(?P<d>{DUR_EN})",
            rf"\b(?:max(?:imum)?|at\s+most|no\s+more\s+than|up\s+to)\s+(?P<d>{DUR_EN})\s+(?:per|each|a|for\s+each)\s+(?:clip|segment|shot|moment)\b",
            rf"{SEG_CN}\s*(?:不超过|最多|最长|不要超过|不能超过)\s*(?P<d>{DUR_CN})",
        ),
        _segment_bound("max_segment_s"),
    ),
    Rule(
        "shortest clip",
        180,
        rx(
            rf"\b(?:keep\s+(?:the\s+|all\s+)?)?(?:clips?|segments?|shots?|moments?|each(?:\s+(?:clip|segment|moment))?)\s+"
            r"(?:of\s+|should\s+be\s+|are\s+)?"
            rf"(?:at\s+least|no\s+shorter\s+than|over|min(?:imum)?|longer\s+than|more\s+than)\s+(?P<d>{DUR_EN})",
            rf"\b(?:min(?:imum)?|at\s+least)\s+(?P<d>{DUR_EN})\s+(?:per|each|a|for\s+each)\s+(?:clip|segment|shot|moment)\b",
            rf"{SEG_CN}\s*(?:至少|最少|最短|不少于|不短于)\s*(?P<d>{DUR_CN})",
        ),
        _segment_bound("min_segment_s"),
    ),
    Rule(
        "drop clips",
        190,
        rx(
            rf"\b{DROP_VERB_EN}\s+(?:the\s+)?(?P<ords>{ORD_EN}(?:\s*(?:,|and|&)\s*(?:the\s+)?{ORD_EN})*)\s+{CLIP_EN}\b",
            rf"\b{DROP_VERB_EN}\s+(?:the\s+)?{CLIP_EN}\s+(?:number\s+|no\.?\s*|#\s*)?(?P<nums>{NUM_LIST_EN})\b",
            rf"\b{DROP_VERB_EN}\s+(?:the\s+)?last\s+(?P<lastn>{NUM_EN})\s+{CLIP_EN}\b",
            rf"\b{DROP_VERB_EN}\s+(?:the\s+)?first\s+(?P<firstn>{NUM_EN})\s+{CLIP_EN}\b",
            rf"{DROP_VERB_CN}\s*第\s*(?P<nums>{NUM_LIST_CN})\s*{CLIP_CN}?",
            rf"{DROP_VERB_CN}\s*(?P<cnlast>最后)\s*(?:一个|一段)?\s*{CLIP_CN}?",
            rf"{DROP_VERB_CN}\s*倒数第\s*(?P<cnrev>{NUM_CN}|\d+)\s*{CLIP_CN}?",
            rf"(?<!倒数)第\s*(?P<nums>{NUM_LIST_CN})\s*{CLIP_CN}?\s*(?:{DROP_VERB_CN}|删了|不要了)",
        ),
        _apply_drop,
    ),
    Rule(
        "shorter or longer",
        200,
        rx(
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
        "length",
        270,
        rx(
            r"(?P<pre>\b(?:first|last|at|after|before|from|until|till|skip(?:ping)?|ignore|every|each|per)\s+(?:the\s+)?"
            r"|(?:前|后|第|跳过|每个?|从)\s*)?"
            r"(?:(?:(?:cut|trim|shorten|bring)\s+(?:it\s+)?(?:down\s+)?to|about|around|roughly|approximately|under|max(?:imum)?|at\s+most"
            r"|no\s+more\s+than|up\s+to|exactly|to|into|in)\s+"
            r"|(?:大约|大概|不超过|控制在|剪成|剪到|缩短到|压缩到|做成|变成)\s*)?"
            rf"(?P<d>{DUR})(?:\s*(?:long|in\s+length|max|total|or\s+(?:so|less))\b|\s*(?:左右|以内|以下|之内))?",
        ),
        _apply_target,
    ),
    Rule(
        "moments",
        280,
        rx(
            rf"{PICK}\btop\s+(?P<n>{NUM_EN})(?:\s+(?:best\s+|biggest\s+|key\s+)?(?:moments?|highlights?|plays?|goals?|points?|clips?|scenes?|shots?|bits|parts|peaks|events?))?\b",
            rf"{PICK}\b(?:the\s+)?(?P<n>{NUM_EN})\s+(?:of\s+the\s+)?(?:best|biggest|greatest|top|key|great|most\s+exciting|most\s+intense|loudest)\s+"
            r"(?:moments?|highlights?|plays?|goals?|points?|clips?|scenes?|shots?|bits|parts|peaks|events?)\b",
            rf"\b(?P<n>{NUM_EN})\s+of\s+the\s+best\b",
            rf"\b(?P<n>{NUM_EN})\s+(?:moments?|highlights?|plays?|goals?|clips?|scenes?|peaks|events?)\b",
            rf"前\s*(?P<n>{NUM_CN}|\d+)(?!\s*(?:个半|个)?\s*(?:秒|分|小时))\s*(?:个|名|大|段)?\s*(?:最?精彩的?|高光的?)?\s*(?:瞬间|片段|镜头|时刻|高光|亮点|进球|画面|精彩|回合)?",
            rf"(?<!第)(?<![\d一二两三四五六七八九十])(?P<n>{NUM_CN}|\d+)\s*(?:个|段|次)\s*(?:最)?(?:精彩|高光|好看|关键)?的?\s*(?:瞬间|片段|镜头|时刻|高光|亮点|进球|画面|回合)",
        ),
        _apply_moments,
    ),
)
