"""Turn a structured edit into words, for backends that take instructions (the hosted agent)."""

from __future__ import annotations

from mcp_highlight.backends.models import EditRequest
from mcp_highlight.core.durations import format_seconds


def describe_edit(req: EditRequest) -> str:
    parts: list[str] = []
    if req.undo:
        parts.append("undo the last change")
    if req.target_s or req.moments:
        what = f"the top {req.moments} moments" if req.moments else "the best moments"
        length = f" into a {format_seconds(req.target_s)} highlight reel" if req.target_s else " into a highlight reel"
        parts.append(f"pull {what} and compile them{length}")
    if req.scale_length:
        parts.append("make it shorter" if req.scale_length < 1 else "make it longer")
    if req.aspect:
        parts.append({"9:16": "make it vertical 9:16", "1:1": "make it square 1:1"}.get(req.aspect, "make it 16:9"))
    if req.title:
        parts.append(f"add the title '{req.title}' for the first {format_seconds(req.title_s or 3)}")
    if req.remove_title:
        parts.append("remove the title")
    if req.music:
        volume = f" at {round(req.music_volume * 100)}%" if req.music_volume is not None else ""
        parts.append(f"add {req.music} as background music{volume}")
    elif req.music_volume is not None:
        parts.append(f"set the music volume to {round(req.music_volume * 100)}%")
    if req.music_volume_scale:
        parts.append("make the music quieter" if req.music_volume_scale < 1 else "make the music louder")
    if req.reel and not (req.target_s or req.moments):
        parts.append("pull the best moments into a highlight reel")
    if req.remove_music:
        parts.append("remove the background music")
    for number in req.drop_clips:
        parts.append(
            "drop the last clip"
            if number == -1
            else f"drop clip {number}"
            if number > 0
            else f"drop clip {-number} from the end"
        )
    if req.logo:
        parts.append(f"add the logo {req.logo}" + (f" in the {req.logo_position} corner" if req.logo_position else ""))
    elif req.logo_position:
        parts.append(f"move the logo to the {req.logo_position} corner")
    if req.remove_logo:
        parts.append("remove the logo")
    if req.captions:
        parts.append("add a caption to each moment")
    return "; ".join(parts) or "show me the current timeline"
