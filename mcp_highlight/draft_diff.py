"""Say in words what changed between two drafts: `Title: none -> "Derby Day" (0-3s)`.

Works on any draft (local or cloud): it compares a few facets people care about.
"""

from __future__ import annotations

from mcp_highlight.draft import Draft, Track, TrackType
from mcp_highlight.durations import format_seconds


def _span(track: Track) -> str:
    spans = track.spans()
    start = min(s for s, _ in spans) / 1000
    end = max(e for _, e in spans) / 1000
    return f"{format_seconds(start) if start else '0'}-{format_seconds(end)}"


def facets(draft: Draft) -> dict[str, str]:
    """The facets of a draft, each as a short phrase."""
    out: dict[str, str] = {}
    videos = [t for t in draft.tracks_of(TrackType.VIDEO) if t.sg]
    clips = sum(len(t.sg) for t in videos)
    out["Reel"] = (
        f"{format_seconds(draft.duration_ms / 1000)} in {clips} clip{'s' * (clips != 1)}" if clips else "empty"
    )
    out["Shape"] = str(draft.m.get("aspect", "16:9")) + (" (blurred fill)" if draft.m.get("fit") == "blur" else "")
    texts = draft.tracks_of(TrackType.TEXT)
    titles = [t for t in texts if t.sg and (t.m.get("role") or t.sg[0].m.get("role") or "title") == "title"]
    out["Title"] = "; ".join(f'"{t.sg[0].m.get("text", "")}" ({_span(t)})' for t in titles) if titles else "none"
    audio = [t for t in draft.tracks_of(TrackType.AUDIO) if t.sg]
    if audio:
        parts = []
        for t in audio:
            m = t.sg[0].m
            volume = m.get("volume", t.m.get("volume"))
            name = m.get("name") or t.m.get("name") or "audio"
            parts.append(f"{name}" + (f" at {round(float(volume) * 100)}%" if volume is not None else ""))
        out["Music"] = "; ".join(parts)
    else:
        out["Music"] = "none"
    out["Captions"] = "on" if draft.m.get("captions") else "off"
    if videos:
        out["Clips"] = ", ".join(
            f"{format_seconds(s.m['in'] / 1000)}+{format_seconds(s.d / 1000)}"
            for t in videos
            for s in t.sg
            if "in" in s.m
        )
    return out


def diff(before: Draft, after: Draft) -> list[str]:
    """`Facet: before -> after` for every facet that changed (clip lists are summarised)."""
    a, b = facets(before), facets(after)
    changes = []
    for key in dict.fromkeys([*a, *b]):
        old, new = a.get(key, "none"), b.get(key, "none")
        if old == new:
            continue
        if key == "Clips":
            if "Reel" not in [c.split(":")[0] for c in changes]:
                changes.append("Clips: re-chosen")
            continue
        changes.append(f"{key}: {old} -> {new}")
    return changes
