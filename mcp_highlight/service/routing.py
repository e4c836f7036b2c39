"""Decide where a plain-language request goes: export, credits, state, upload, or an edit.

Follows the routing table of the cloud contract (shared/cloud-api.md) for both backends, in English and
Chinese. A request can hold several steps ("make it vertical and export" = edit, then export); steps
always run in the order upload -> edit -> export -> state -> credits, because you export what you edited.
Route words are matched conservatively: naming a file inside an edit ('add music.mp3 at 35%') is an
edit, not an upload, and 'the song I uploaded' or 'the exported file' are not route commands.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, Field

from mcp_highlight.backends.models import EditRequest, ExportRequest
from mcp_highlight.service.instructions import (
    FILE_PATTERN,
    MASK,
    URL_PATTERN,
    normalize,
    read_instruction,
)
from mcp_highlight.service.instructions.phrasebook import PHRASEBOOK

__all__ = ["ROUTES", "Route", "RoutePlan", "plan_route", "route"]

Route = Literal["export", "credits", "state", "upload", "edit"]
ROUTES: tuple[Route, ...] = ("upload", "edit", "export", "state", "credits")  # execution order


class RoutePlan(BaseModel):
    """The steps a request needs, with what each step needs from the text."""

    steps: list[Route] = Field(description="In execution order; never empty.")
    uploads: list[str] = Field(default_factory=list, description="Paths or URLs to upload, in text order.")
    edit_text: str = Field("", description="The instruction for the edit step, route words removed.")
    leftover: str = Field("", description="Meaningful words neither routing nor the edit parser understood.")
    edit: EditRequest = Field(default_factory=EditRequest, description="What the edit step's words asked for.")
    export: ExportRequest = Field(default_factory=ExportRequest, description="What the export step's words asked for.")

    @property
    def primary(self) -> Route:
        return self.steps[0]


def _rx(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.I)


_EXPORT = _rx(
    r"\b(?:export|download)\b(?:\s+(?:it|the\s+(?:video|reel|file|result|mp4)|that|this))?",
    r"\brender\b(?:\s+(?:it|the\s+(?:video|reel|final\s+(?:video|cut))|that|this))?",
    r"\bsave\s+(?:it|the\s+(?:video|reel))(?:\s+(?:as|to)\s+(?:an?\s+)?(?:file|mp4|disk))?\b",
    r"\bsend\s+(?:it\s+)?(?:to\s+)?me\b(?:\s+(?:the|my)\s+(?:video|reel|file|mp4|result))?|\bsend\s+(?:the|my)\s+(?:video|reel|file|mp4)(?:\s+to\s+me)?",
    r"\bgive\s+me\s+the\s+(?:final\s+)?(?:file|video|reel|mp4|cut|result)\b",
    r"\b(?:i\s+want|let\s+me\s+have|can\s+i\s+(?:have|get))\s+the\s+(?:final\s+)?(?:file|mp4)\b",
    r"\bfinali[sz]e\s+it\b",
    r"导出(?![的了过])|下载(?![的了过])|渲染|输出(?:视频|成片|文件|mp4)?|出片|保存(?:视频|成片|到本地)?",
    r"(?:把视频|把成片)?发(?:给|送给)我|给我(?:发|传)?(?:一下)?(?:视频|文件|成片)",
)
_CREDITS = _rx(
    r"\bhow\s+many\s+credits\b(?:\s+(?:do\s+)?(?:i|we)\s+(?:have|got)(?:\s+left)?)?",
    r"\bcredits?\s+(?:left|remaining|balance)\b",
    r"\b(?:check|show|what\s+are|see)\s+(?:me\s+)?(?:my\s+)?credits\b",
    r"\b(?:my|remaining|account|credit)\s+(?:credits|balance)\b",
    r"\bcheck\s+(?:the\s+)?balance\b|\bwhat(?:'s|\s+is)\s+(?:the|my)\s+balance\b|^\W*balance\W*$",
    r"^\W*credits?\W*$",
    r"积分|余额|额度|还剩多少(?:次|点)?|点数",
)
_STATE = _rx(
    r"\bstatus\b|\bcurrent\s+state\b|\bstate\s+of\s+(?:the\s+)?(?:project|timeline|edit|draft|reel)\b",
    r"\b(?:show|list)\s+(?:me\s+)?(?:the\s+)?(?:current\s+)?(?:tracks|timeline|draft|project|edit|clips|segments)\b",
    r"\bwhat(?:'s|\s+is)\s+(?:on|in)\s+the\s+(?:timeline|draft|project|reel)\b",
    r"\bwhat\s+does\s+(?:it|the\s+(?:timeline|reel|edit|draft))\s+look\s+like\b|\bwhere\s+are\s+we\b",
    r"^\W*(?:tracks|timeline)\W*$",
    r"状态|(?:查看|显示|看看|看一下|列出|展示)(?:一下)?(?:当前|现在)?的?(?:轨道|时间线|时间轴|草稿|项目)",
    r"(?:轨道|时间线|时间轴)上?(?:有什么|有哪些|是什么样|情况)|有哪些轨道|现在(?:是)?什么样",
    r"^\W*(?:轨道|时间线|时间轴)\W*$",
)
_UPLOAD = _rx(
    r"\bupload(?:ing)?\b(?:\s+(?:this|the|my|a|these|another)(?![.\w]))?(?:\s+(?:new\s+)?(?:file|video|clip|recording|footage|song|music|track)s?\b(?!\.\w))?",
    r"\bimport\b(?:\s+(?:this|the|my|a)(?![.\w]))?(?:\s+(?:file|video|footage|recording)s?\b(?!\.\w))?",
    r"\bhere(?:'s|\s+is|\s+are)\s+(?:a|the|my|some|another|this)?\s*(?:new\s+)?(?:file|video|clip|recording|footage|song|music|track)s?\b(?!\.\w)",
    r"上传(?![的了过])(?:一个|个|这个)?(?:文件|视频|素材|音乐|歌)?",
    r"导入(?![的了过])(?:文件|视频|素材)?|这是(?:一个|我的|新的?)?(?:文件|视频|素材|音乐|歌)",
)
# Export options: a clip pack (which alone means an export), and with export words, editor timelines and shapes.
_CLIP_PACK = _rx(
    r"\b(?:each|every)\s+(?:moment|clip|highlight|goal|play|segment)\s+(?:as\s+|in\s+|into\s+|to\s+)?"
    r"(?:its\s+own|a\s+separate|an?\s+individual|a\s+single|separate)\s+(?:clip|file|video|mp4|short)s?\b",
    r"\b(?:separate|individual)\s+(?:clips|files|videos|mp4s|shorts)\b(?:\s+(?:for|of)\s+(?:each|every)\s+(?:moment|clip|highlight))?",
    r"\bclip\s+pack\b|\b(?:moments|clips|highlights)\s+(?:as\s+)?separate(?:ly)?\b",
    r"(?:每个|每段|每一个)(?:精彩)?(?:片段|瞬间|镜头|时刻|进球)(?:都)?(?:单独|分别|各自)(?:导出|输出|保存)?(?:成|为)?"
    r"(?:单独的?|独立的?|一个)?(?:片段|视频|文件|短视频)?",
    r"(?:每个|每段|每一个)(?:精彩)?(?:片段|瞬间|镜头|时刻|进球)(?:都)?(?:导出|输出|保存)(?:成|为)"
    r"(?:单独的?|独立的?|一个)(?:片段|视频|文件|短视频)",
    r"(?:单独|分别)(?:导出|输出|保存)(?:每个|每段)(?:片段|视频|瞬间)?",
)
_TIMELINES = (
    (
        "fcpxml",
        _rx(
            r"\bfcp\s*x?\s*xml\b|\bfinal\s+cut\s+pro\b|\b(?:for|in|into|to)\s+final\s+cut(?:\s+pro)?\b",
            r"\b(?:for|in|into|to)\s+(?:davinci\s+)?resolve\b|\bdavinci(?:\s+resolve)?\b",
        ),
    ),
    ("edl", _rx(r"\bedl\b|\bpremiere(?:\s+pro)?\b|\bavid\b|\bcmx\s*3600\b")),
    ("otio", _rx(r"\botio\b|\bopen\s*timeline\s*io\b|\b(?:editor|editing)\s+timeline\b|剪辑时间线|时间线文件|工程文件")),
)
_SHAPES = tuple(  # the phrasebook's own shape words ("9:16", "vertical", "竖屏"), so both readings agree
    (phrase.values["aspect"], pattern)
    for phrase in PHRASEBOOK
    if set(phrase.values) == {"aspect"}
    for pattern in phrase.rule().patterns
)


_EXPORT_FILLER = _rx(
    r"\b(?:an?\s+|the\s+)?(?:editor\s+|editing\s+)?(?:timeline|project|xml)s?(?:\s+(?:file|for|as|in))*\b",
    r"\b(?:versions?|both|copies|files?)\b|(?:两个|各一个|版本|两种|都要)",
)


def _export_options(work: str, exporting: bool) -> tuple[str, ExportRequest]:
    """Editor timelines and several shapes named beside export words (masked out of `work`); the clip pack
    was read (and masked) before the route words, since its own words say export."""
    timelines, shapes = [], []
    if exporting:
        for name, pattern in _TIMELINES:
            work, hit = _mask(pattern, work)
            if hit:
                timelines.append(name)
        found = sorted((m.start(), shape) for shape, pattern in _SHAPES for m in pattern.finditer(work))
        named = list(dict.fromkeys(shape for _, shape in found))
        if len(named) >= 2:  # "export 16:9 and 9:16"; one shape alone is an edit ("export it vertical")
            shapes = named
            for _shape, pattern in _SHAPES:
                work, _ = _mask(pattern, work)
        if timelines or shapes:
            work, _ = _mask(_EXPORT_FILLER, work)
    return work, ExportRequest(timelines=timelines, aspects=shapes)  # type: ignore[arg-type]


_FILE = re.compile(FILE_PATTERN, re.I)
_URL = re.compile(URL_PATTERN, re.I)
# An absolute path with any extension also counts as a file to upload ('/tmp/game.mts').
_ABS_PATH = re.compile(r"(?<![\w.])(?:[A-Za-z]:[\\/]|~[\\/]|/)[^\s'\"“”\x00]+\.\w{2,5}\b")


def _mask(pattern: re.Pattern[str], text: str) -> tuple[str, bool]:
    found = False

    def repl(m: re.Match[str]) -> str:
        nonlocal found
        found = True
        return MASK * len(m.group(0))

    return pattern.sub(repl, text), found


def _find_sources(text: str) -> tuple[list[str], str]:
    """Paths and URLs in text order, and the text with them masked."""
    spans: list[tuple[int, int, str]] = []
    for pattern in (_URL, _ABS_PATH, _FILE):
        for m in pattern.finditer(text):
            if any(a < m.end() and m.start() < b for a, b, _ in spans):
                continue
            value = m.group(0)
            if pattern is _FILE:
                value = m["qpath"] or m["path"]
            spans.append((m.start(), m.end(), value.strip().rstrip(".,;")))
    masked = text
    for a, b, _ in spans:
        masked = masked[:a] + MASK * (b - a) + masked[b:]
    return [value for _, _, value in sorted(spans)], masked


def _unmasked(original: str, masked: str) -> str:
    """The user's own characters outside the masked spans (normalising is length-preserving)."""
    kept = "".join(" " if m == MASK else o for o, m in zip(original, masked, strict=True))
    return " ".join(kept.split())


def plan_route(text: str, *, known_media: Mapping[str, str] | None = None) -> RoutePlan:
    """Every step a request needs, in execution order, plus the upload sources and the edit's own text."""
    work = normalize(text or "")
    found: set[Route] = set()
    work, clip_pack = _mask(_CLIP_PACK, work)
    for name, pattern in (("export", _EXPORT), ("credits", _CREDITS), ("state", _STATE), ("upload", _UPLOAD)):
        work, hit = _mask(pattern, work)
        if hit:
            found.add(name)  # type: ignore[arg-type]
    work, export = _export_options(work, "export" in found or clip_pack)
    export.clips = clip_pack
    if not export.is_empty():
        found.add("export")

    sources, without_sources = _find_sources(work)
    parsed_without, _ = read_instruction(without_sources, known_media=known_media)
    if sources and parsed_without.edit.is_empty() and not parsed_without.leftover:
        found.add("upload")

    if "upload" in found or not sources:
        # The uploaded files are the upload's business; the edit is whatever else was asked.
        parsed = parsed_without
    else:
        sources = []
        parsed, _ = read_instruction(work, known_media=known_media)  # file names here belong to the edit
    if not parsed.edit.is_empty():
        found.add("edit")
    if not found:
        found.add("edit")  # the edit step explains what it can do
    steps = [r for r in ROUTES if r in found]
    return RoutePlan(
        steps=steps,
        uploads=sources,
        edit_text=_unmasked(text or "", work) if "edit" in found else "",
        leftover=parsed.leftover,
        edit=parsed.edit,
        export=export,
    )


def route(text: str) -> Route:
    """The first step of `plan_route(text)`: where this request goes before anything else."""
    return plan_route(text).primary
