"""Say in words what changed between two drafts, for both backends.

Every edit answers with it (before -> after). For the hosted agent it matters most: it often
finishes an edit without a word (about 30% of edits), and a broken stream leaves us only the
state, so the difference between the draft before and after is then the whole report. Each change has a `line` (`thing: before -> after`, for EditResult.changes)
and `words` ("Title added: "Derby Day" (0-3s)", for messages).
"""

from __future__ import annotations

from pydantic import BaseModel

from mcp_highlight.draft.model import Draft, SegmentMeta, Track, TrackType


class Change(BaseModel):
    thing: str
    before: str | None
    after: str | None

    @property
    def line(self) -> str:
        return f"{self.thing}: {self.before or 'none'} -> {self.after or 'none'}"

    @property
    def words(self) -> str:
        if self.before is None:
            return f"{self.thing} added: {self.after}"
        if self.after is None:
            return f"{self.thing} removed: {self.before}"
        return f"{self.thing} changed: {self.before} -> {self.after}"


def _seconds(ms: float) -> str:
    value = ms / 1000
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _span(track: Track) -> str:
    spans = track.spans()
    start = min((s for s, _ in spans), default=0)
    end = max((e for _, e in spans), default=0)
    return f"{_seconds(start)}-{_seconds(end)}s"


def _describe(track: Track) -> tuple[str, str]:
    """(kind, description) of one track."""
    first = track.sg[0].m if track.sg else SegmentMeta()
    if track.tt == TrackType.TEXT:
        texts = [seg.m.text for seg in track.sg if seg.m.text]
        role = track.m.role or first.role or "title"
        kind = "Title" if role == "title" and len(track.sg) <= 1 else "Captions" if role == "caption" else "Text"
        shown = ", ".join(f'"{text}"' for text in texts[:3]) + (f" and {len(texts) - 3} more" if len(texts) > 3 else "")
        return kind, f"{shown or '(empty)'} ({_span(track)})"
    name = track.m.name or first.name or first.title or ""
    if track.tt == TrackType.AUDIO:
        volume = first.volume if first.volume is not None else track.m.volume
        extra = f", {round(float(volume) * 100)}%" if volume is not None else ""
        return "BGM", f"{name or 'audio'} ({_span(track)}{extra})"
    if track.tt == TrackType.IMAGE:
        return "Logo", f"{name or 'image'}, {first.position or 'top-right'} ({_span(track)})"
    if track.tt == TrackType.VIDEO:
        count = len(track.sg)
        clips = f"{count} clip" + ("" if count == 1 else "s")
        return "Video", f"{name + ', ' if name else ''}{clips} ({_span(track)})"
    return f"Track type {track.tt}", f"{len(track.sg)} segments ({_span(track)})"


def facts(draft: Draft) -> dict[str, str]:
    """thing → description, for every part of the draft a person would notice."""
    out: dict[str, str] = {}
    counts: dict[str, int] = {}
    for track in draft.t:
        kind, description = _describe(track)
        counts[kind] = counts.get(kind, 0) + 1
        key = kind if counts[kind] == 1 else f"{kind} {counts[kind]}"
        out[key] = description
    if draft.t:
        out["Length"] = f"{_seconds(draft.duration_ms)}s"
    if draft.m.aspect:
        out["Aspect"] = draft.m.aspect
    if draft.m.fit:
        out["Fit"] = draft.m.fit
    if draft.m.captions is not None:
        out["Captions"] = "on" if draft.m.captions else "off"
    return out


def diff_drafts(before: Draft, after: Draft) -> list[Change]:
    """What changed, in a stable order: things present after first, then things removed."""
    old, new = facts(before), facts(after)
    changes = [Change(thing=k, before=old.get(k), after=v) for k, v in new.items() if old.get(k) != v]
    changes += [Change(thing=k, before=v, after=None) for k, v in old.items() if k not in new]
    if not changes and before.fingerprint() != after.fingerprint():
        changes.append(Change(thing="Timeline", before="previous version", after="edited (details not in the summary)"))
    return changes


def describe_changes(changes: list[Change]) -> str:
    """One sentence for a message: "Title added: "Derby Day" (0-3s); Length changed: 10s -> 12s."."""
    if not changes:
        return "Nothing changed on the timeline."
    return "; ".join(change.words for change in changes) + "."
