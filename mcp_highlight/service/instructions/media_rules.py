"""Rules that take values for the picture and sound on top: titles, music, volume, logos, files."""

from __future__ import annotations

import re

from mcp_highlight.service.instructions.files import (
    AUDIO_EXT,
    FILE_PATTERN,
    IMAGE_EXT,
    VIDEO_EXT,
    extension_of,
    last_known_audio,
)
from mcp_highlight.service.instructions.grammar import (
    DUR_CN,
    DUR_EN,
    MUSIC_WORD_CN,
    MUSIC_WORD_EN,
    REMOVABLE_CN,
    REMOVABLE_EN,
    REMOVE_VERB_CN,
    REMOVE_VERB_EN,
    degree_of,
    duration_seconds,
    parse_number,
)
from mcp_highlight.service.instructions.rules import Reading, Rule, rx

QUOTED = (
    r"(?:(?<![A-Za-z])'(?P<q1>[^'\x00]+)'(?![A-Za-z])|\"(?P<q2>[^\"\x00]+)\"|“(?P<q3>[^”\x00]+)”|‘(?P<q4>[^’\x00]+)’"
    r"|「(?P<q5>[^」\x00]+)」|《(?P<q6>[^》\x00]+)》|『(?P<q7>[^』\x00]+)』)"
)
_TITLE_DUR_EN = (
    r"(?:\s*,?\s*(?:(?:at\s+the\s+(?:start|beginning)\s+)?(?:(?:show(?:n|s|ing)?|display(?:ed|s)?|stay(?:s|ing)?|visible)\s+)?"
    rf"(?:for|during|over)\s+(?:the\s+)?(?:first\s+)?|in\s+the\s+first\s+)(?P<td>{DUR_EN})(?:\s+at\s+the\s+(?:start|beginning))?)"
)
_TITLE_DUR_CN = (
    rf"(?:\s*[,，]?\s*(?:(?:显示|持续|停留)\s*前?|(?:在|放在)?\s*(?:开头|片头)?\s*的?\s*前)\s*(?P<td>{DUR_CN}))"
)
_TITLE_END = r"(?=\s+(?:and|with|for|at|in|then|plus|but|on|using|as)\b|\s*[,.;!?，。；！？\x00]|\s*$)"
_TITLE_FREE = (
    rf"(?!(?:for|and|with|at|in|to|on|the\s+first)\b)(?P<tu>[^\x00,.;!?，。；！？\"“”'‘’「」《》\n]+?){_TITLE_END}"
)


def _apply_title(m: re.Match[str], st: Reading) -> bool:
    groups = m.groupdict()
    title = next((groups[k] for k in ("q1", "q2", "q3", "q4", "q5", "q6", "q7", "tu") if groups.get(k)), "")
    title = title.strip()
    if not title or len(title) > 120:
        return False
    st.fields["title"] = title
    if groups.get("td") and (seconds := duration_seconds(groups["td"])):
        st.fields["title_s"] = seconds
    return True


def _apply_title_duration(m: re.Match[str], st: Reading) -> bool:
    if "title" not in st.fields:
        return False
    seconds = duration_seconds(next(g for g in m.groups() if g))
    if not seconds:
        return False
    st.fields["title_s"] = seconds
    return True


_DEGREE_DOWN = {"": 0.5, "bit": 0.75, "much": 0.25}
_DEGREE_UP = {"": 1.5, "bit": 1.25, "much": 2.0}
_LOUDER = re.compile(r"up|louder|higher|raise|increase|boost|大|高|响|提", re.I)


def _apply_file(m: re.Match[str], st: Reading) -> bool:
    path = (m["qpath"] or m["path"] or "").strip()
    ext = extension_of(path)
    wants_music = bool(m["mw"]) or ext in AUDIO_EXT
    if wants_music and (ext in AUDIO_EXT or ext in VIDEO_EXT):
        st.fields["music"] = st.resolve(path)
        return True
    if ext in VIDEO_EXT:
        st.fields.setdefault("sources", []).append(st.resolve(path))
        return True
    if ext in IMAGE_EXT:
        st.fields["logo"] = st.resolve(path)
        return True
    return False


_CORNERS_CN = {"左上": "top-left", "右上": "top-right", "左下": "bottom-left", "右下": "bottom-right"}


def _apply_logo_position(m: re.Match[str], st: Reading) -> bool:
    groups = m.groupdict()
    if groups.get("cn"):
        st.fields["logo_position"] = _CORNERS_CN[groups["cn"]]
    else:
        vertical = "top" if groups["v"].lower() in ("top", "upper") else "bottom"
        st.fields["logo_position"] = f"{vertical}-{groups['h'].lower()}"
    return True


def _apply_uploaded_logo(_m: re.Match[str], st: Reading) -> bool:
    """'add my logo': the logo named elsewhere in the words, else the last uploaded image."""
    if "logo" in st.fields:
        return True
    images = [media_id for key, media_id in st.known.items() if extension_of(key) in IMAGE_EXT]
    if not images:
        return False
    st.fields["logo"] = images[-1]
    return True


def _apply_uploaded_music(_m: re.Match[str], st: Reading) -> bool:
    media_id = last_known_audio(st)
    if media_id is None:
        return False
    st.fields["music"] = media_id
    return True


def _apply_volume(m: re.Match[str], st: Reading) -> bool:
    groups = m.groupdict()
    if groups.get("cnpct"):
        value = parse_number(groups["cnpct"]) / 100
    else:
        number = float(groups["num"])
        value = number / 100 if groups.get("pct") or number > 1 else number
    if not 0 <= value <= 1:
        return False
    st.fields["music_volume"] = round(value, 4)
    return True


def _apply_volume_scale(m: re.Match[str], st: Reading) -> bool:
    groups = m.groupdict()
    degree = " ".join(g for g in (groups.get("deg"), groups.get("deg2")) if g)
    table = _DEGREE_UP if _LOUDER.search(groups.get("dir") or "") else _DEGREE_DOWN
    st.fields["music_volume_scale"] = table[degree_of(degree)]
    return True


def _apply_volume_bare(m: re.Match[str], st: Reading) -> bool:
    """A lone '35%' is a volume only when the instruction talks about music at all."""
    return st.music_context() and _apply_volume(m, st)


def _apply_remove_several(m: re.Match[str], st: Reading) -> bool:
    """'remove the captions and the title' / '去掉标题和音乐': one verb, several things."""
    items = m["items"].lower()
    if re.search(r"title|标题|片名", items):
        st.fields.update(remove_title=True, title=None)
    if re.search(r"music|bgm|soundtrack|song|音乐|配乐", items):
        st.fields.update(remove_music=True, music=None)
    if re.search(r"caption|timestamp|字幕|时间戳", items):
        st.fields["captions"] = False
    return True


MEDIA_RULES: tuple[Rule, ...] = (
    Rule(
        "remove several",
        10,
        rx(
            rf"\b{REMOVE_VERB_EN}\s+(?:the\s+|any\s+)?(?P<items>{REMOVABLE_EN}(?:\s*(?:,|and|&)\s*(?:the\s+|any\s+)?{REMOVABLE_EN})+)\b",
            rf"{REMOVE_VERB_CN}\s*(?P<items>{REMOVABLE_CN}(?:\s*(?:、|,|和|与|及|跟)\s*{REMOVABLE_CN})+)",
        ),
        _apply_remove_several,
    ),
    Rule(
        "title",
        30,
        rx(
            rf"\b(?:add|put|show)\s+(?:a\s+|the\s+)?title\s+(?:at\s+the\s+(?:start|beginning)\s+)?"
            rf"(?:for\s+(?:the\s+first\s+)?(?P<td>{DUR_EN})\s*)?[:=]\s*{QUOTED}",
            rf"(?:\b(?:add|put|use|set|show|with|and|change|update|make|replace)\s+(?:a\s+|the\s+|an\s+)?)?\b(?:title(?:\s+card)?|heading|headline)\s*"
            rf"(?:of|as|to|with|saying|that\s+says|reading|[:=])?\s*{QUOTED}{_TITLE_DUR_EN}?",
            rf"\b(?:titled|entitled|called|named|call\s+it|name\s+it|title\s+it|rename\s+(?:it\s+)?(?:to\s+)?)\s*[:=]?\s*{QUOTED}{_TITLE_DUR_EN}?",
            rf"(?:(?:加(?:上|个|一个)?|添加|设置|打上|写上|配上?)\s*)?(?:片头)?(?:标题|片名)\s*(?:是|为|叫做?|写|用|改成|改为|换成|设为|设成|变成)?\s*[:=]?\s*"
            rf"{QUOTED}{_TITLE_DUR_CN}?",
            rf"(?:叫做?|命名为?|取名为?)\s*{QUOTED}{_TITLE_DUR_CN}?",
            rf"\btitle\s*[:=]\s*{_TITLE_FREE}",
            rf"\b(?:titled|entitled|called|named|call\s+it|name\s+it|title\s+it)\s+{_TITLE_FREE}",
            rf"\b(?:add|put|use|set|with)\s+(?:a\s+|the\s+)?title\s+(?:of\s+|as\s+|saying\s+|to\s+)?{_TITLE_FREE}",
            r"(?:标题|片名)\s*(?:是|为|叫做?|改成|改为|换成|设为|[:=])\s*(?P<tu>[^\x00，。；！？,.;!?\s“”\"'「」《》]+?)(?=前|显示|持续|[，。；！？,.;!?\s\x00]|$)",
        ),
        _apply_title,
    ),
    Rule(
        "title duration",
        40,
        rx(
            rf"\b(?:for|during|in)\s+(?:the\s+)?first\s+({DUR_EN})",
            rf"\b(?:show(?:n|s|ing)?|display(?:ed|s)?|stay(?:s|ing)?|visible|on\s+screen)\s+for\s+({DUR_EN})",
            rf"(?:(?:显示|持续|停留)\s*前?|(?:在|放在)?\s*(?:开头|片头)?\s*的?\s*前)\s*({DUR_CN})",
        ),
        _apply_title_duration,
    ),
    Rule(
        "file",
        60,
        rx(
            rf"(?:\b(?:replace|swap)\s+(?:the\s+)?{MUSIC_WORD_EN}\s+(?:with|for)\s+|\bchange\s+(?:the\s+)?{MUSIC_WORD_EN}\s+to\s+"
            rf"|(?:把)?{MUSIC_WORD_CN}(?:换成|改成|改为)\s*"
            rf"|\b(?:add|use|using|put|play|with|and|from|only)\s+(?:the\s+|some\s+|a\s+)?|(?:加(?:上|入|个)?|添加|用|配上?|放)\s*)?"
            rf"(?:(?P<mw>{MUSIC_WORD_EN}|{MUSIC_WORD_CN})\s*(?:file\s*)?[:=]?\s*)?{FILE_PATTERN}"
            rf"(?:\s+(?:as|for)\s+(?:the\s+)?(?:background\s+)?(?:music|bgm|soundtrack|audio)\b|\s*(?:作为|当|做)\s*{MUSIC_WORD_CN})?",
        ),
        _apply_file,
    ),
    Rule(
        "logo corner",
        80,
        rx(
            r"\b(?:in|at|on|to|into)\s+the\s+(?P<v>top|bottom|upper|lower)[\s-]+(?P<h>left|right)(?:[\s-]+(?:corner|hand\s+corner))?\b",
            r"(?P<cn>左上|右上|左下|右下)角?",
        ),
        _apply_logo_position,
    ),
    Rule(
        "move logo",
        90,
        rx(
            r"\b(?:move|shift|put)\s+(?:the\s+|my\s+|our\s+)?(?:logo|watermark)\b(?!\s+(?:i|we)\s+uploaded)",
            r"(?:把)?(?:logo|LOGO|台标|水印)\s*(?:移到|放到|挪到)",
        ),
        lambda _m, st: "logo_position" in st.fields,
    ),
    Rule(
        "uploaded logo",
        100,
        rx(
            r"\b(?:add|put|show|use|place|stick|with)\s+(?:my\s+|the\s+|our\s+|a\s+)?(?:logo|watermark)(?:\s+(?:i|we)\s+uploaded)?\b",
            r"(?:加(?:上|个)?|添加|放上?)\s*(?:我的|我们的)?\s*(?:logo|LOGO|台标|水印|标志)",
        ),
        _apply_uploaded_logo,
    ),
    Rule(
        "music volume scale",
        110,
        rx(
            rf"\b(?:turn|bring)\s+(?:the\s+)?{MUSIC_WORD_EN}(?:\s+volume)?\s+(?:(?P<deg>a\s+(?:bit|little|touch|lot)|way)\s+)?(?P<dir>down|up)\b",
            rf"\b(?:turn|bring)\s+(?P<dir>down|up)\s+(?:the\s+)?{MUSIC_WORD_EN}(?:\s+volume)?(?:\s+(?P<deg>a\s+(?:bit|little|touch|lot)))?",
            rf"\b(?P<dir>lower|reduce|decrease|raise|increase|boost)\s+(?:the\s+)?{MUSIC_WORD_EN}(?:\s+volume)?"
            rf"(?:\s+(?P<deg>a\s+(?:bit|little|touch|lot)|slightly))?",
            rf"\b(?:make\s+)?(?:the\s+)?{MUSIC_WORD_EN}(?:\s+volume)?\s+(?:(?P<deg>a\s+(?:bit|little|touch|lot)|slightly|much|way)\s+)?"
            rf"(?P<dir>quieter|softer|lower|louder|higher|down|up)\b",
            rf"\b(?:(?P<deg>a\s+(?:bit|little|touch|lot)|slightly|much|way)\s+)?(?P<dir>quieter|softer|louder)\s+{MUSIC_WORD_EN}\b",
            rf"{MUSIC_WORD_CN}(?:的)?(?:声音|音量)?\s*(?P<deg>稍微|稍|略|再)?\s*(?:调|放)?(?P<dir>小|低|轻|大|高|响)(?:声)?(?P<deg2>一点点|一点|一些|点|很多)?",
            rf"(?P<deg>稍微|略微?)?\s*(?P<dir>调低|降低|减小|调小|调高|提高|增大|调大)\s*(?:一点|一些)?\s*{MUSIC_WORD_CN}(?:的)?(?:音量|声音)?",
        ),
        _apply_volume_scale,
    ),
    Rule(
        "uploaded music",
        120,
        rx(
            rf"\b(?:add|use|put|play|with)\s+(?:the\s+|my\s+|that\s+|some\s+)?(?:uploaded\s+|new\s+)?{MUSIC_WORD_EN}"
            r"(?:\s+(?:i|we)\s+(?:just\s+)?(?:uploaded|sent|added|gave\s+you))?\b",
            rf"(?:加(?:上|入)?|添加|用|配上?)\s*(?:我)?\s*(?:刚才?)?\s*(?:上传|传)的\s*{MUSIC_WORD_CN}",
            rf"(?:加(?:上|入)?|添加|用|配上?)\s*{MUSIC_WORD_CN}",
        ),
        _apply_uploaded_music,
    ),
    Rule(
        "music volume",
        130,
        rx(
            r"(?:\bat|@)\s*(?P<num>\d+(?:\.\d+)?)\s*(?P<pct>%)(?:\s*(?:volume|vol)\b)?",
            rf"\b{MUSIC_WORD_EN}\s+(?:at|to)\s+(?P<num>0?\.\d+|1(?:\.0+)?|0)(?![\d.%])",
            rf"(?:\b(?:set\s+|put\s+|turn\s+)?(?:the\s+)?{MUSIC_WORD_EN}\s+)?\b(?:volume|vol\.?|level)\s*(?:at|to|of|=|:)?\s*"
            r"(?P<num>\d+(?:\.\d+)?)\s*(?P<pct>%)?",
            rf"\b(?:set|put|turn)\s+(?:the\s+)?{MUSIC_WORD_EN}\s+(?:down\s+|up\s+)?(?:to|at)\s*(?P<num>\d+(?:\.\d+)?)\s*(?P<pct>%)",
            r"(?<![\w.])(?P<num>\d+(?:\.\d+)?)\s*(?P<pct>%)\s*(?:volume|vol)\b",
            r"(?:背景音乐|音乐|配乐)?(?:的)?\s*音量\s*(?:调到|调成|调为|设为|设置为|设成|为|是|在|:)?\s*(?:(?P<num>\d+(?:\.\d+)?)\s*(?P<pct>%)?|百分之\s*(?P<cnpct>[零〇一二两三四五六七八九十百]+|\d+))",
            r"(?P<num>\d+(?:\.\d+)?)\s*(?P<pct>%)\s*的?音量",
        ),
        _apply_volume,
    ),
    Rule(
        "music volume, bare percent",
        210,
        rx(r"(?<![\w.])(?P<num>\d+(?:\.\d+)?)\s*(?P<pct>%)"),
        _apply_volume_bare,
    ),
)
