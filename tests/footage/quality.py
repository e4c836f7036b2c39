"""How good a reel is against known ground truth: recall of true events and precision of reel time.

Used by the benchmark (ours and the auto-editor peer are scored by the same functions) and usable
on any labelled footage. Spans are (start_s, end_s) in source seconds; events may also carry a peak.

Definitions (printed by the benchmark too):

- **recall**: the fraction of true events the reel *finds*. An event is found when the kept spans
  cover at least `min_cover` of its length, or cover its peak (the instant that makes it a highlight).
- **precision**: the fraction of reel time that lies on a true event, where each event is widened by
  a margin (lead-in before, reaction after) because a good editor keeps the build-up and the
  celebration: those seconds are not wasted. Spans given as `also_on_target` (such as the replay
  of an event) count as they are. Time outside all of these is a miss.
- **capacity**: how many events a reel of a given length can hold at all, each with its margins;
  recall `out_of` that number is the fair score when the footage has more highlights than fit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

Span = tuple[float, float]
Margin = float | tuple[float, float]


def _event_parts(event: Any) -> tuple[float, float, float | None]:
    """(start, end, peak) from a tuple `(start, end[, peak])` or an object with start_s/end_s[/peak_s]."""
    if isinstance(event, Sequence) and not isinstance(event, str):
        start, end = float(event[0]), float(event[1])
        peak = float(event[2]) if len(event) > 2 and event[2] is not None else None
    else:
        start, end = float(event.start_s), float(event.end_s)
        raw_peak = getattr(event, "peak_s", None)
        peak = float(raw_peak) if raw_peak is not None else None
    if end < start:
        start, end = end, start
    return start, end, peak


def merge_spans(spans: Iterable[Any]) -> list[Span]:
    """Sorted, non-overlapping spans: overlapping or touching ones are joined, empty ones dropped."""
    parts = sorted((s, e) for s, e, _ in map(_event_parts, spans) if e > s)
    merged: list[list[float]] = []
    for start, end in parts:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def total_length(spans: Iterable[Any]) -> float:
    """Seconds covered by the spans, overlaps counted once."""
    return sum(e - s for s, e in merge_spans(spans))


def overlap_s(span: Span, merged: Sequence[Span]) -> float:
    """Seconds of `span` covered by already merged spans."""
    start, end = span
    return sum(max(0.0, min(end, e) - max(start, s)) for s, e in merged if s < end and e > start)


def event_found(event: Any, kept_spans: Iterable[Any], min_cover: float = 0.5) -> bool:
    """True when the kept spans cover `min_cover` of the event or its peak."""
    merged = merge_spans(kept_spans)
    return _found(_event_parts(event), merged, min_cover)


def _found(parts: tuple[float, float, float | None], merged: Sequence[Span], min_cover: float) -> bool:
    start, end, peak = parts
    if peak is not None and any(s <= peak <= e for s, e in merged):
        return True
    length = end - start
    if length <= 0:
        return any(s <= start <= e for s, e in merged)
    return overlap_s((start, end), merged) >= min_cover * length - 1e-9


def recall(
    events: Iterable[Any], kept_spans: Iterable[Any], min_cover: float = 0.5, *, out_of: int | None = None
) -> float:
    """Fraction of events found (see module docstring); 1.0 when there are no events to find.

    `out_of` replaces the number of events as the denominator (see `reel_capacity`); capped at 1.0.
    """
    parts = [_event_parts(e) for e in events]
    denominator = min(len(parts), out_of) if out_of is not None else len(parts)
    if denominator <= 0:
        return 1.0
    merged = merge_spans(kept_spans)
    return min(1.0, sum(_found(p, merged, min_cover) for p in parts) / denominator)


def reel_capacity(events: Iterable[Any], target_s: float, margin_s: Margin) -> int:
    """How many events of average length, each with its lead-in and reaction, fit in `target_s` (at most all)."""
    parts = [_event_parts(e) for e in events]
    if not parts:
        return 0
    lead, react = _margins(margin_s)
    per_event = sum(e - s for s, e, _ in parts) / len(parts) + lead + react
    if per_event <= 0:
        return len(parts)
    return max(1, min(len(parts), int(target_s // per_event)))


def _margins(margin_s: Margin) -> tuple[float, float]:
    if isinstance(margin_s, tuple):
        return float(margin_s[0]), float(margin_s[1])
    return float(margin_s), float(margin_s)


def precision(
    events: Iterable[Any], kept_spans: Iterable[Any], margin_s: Margin, also_on_target: Iterable[Any] = ()
) -> float:
    """Fraction of kept time inside an event widened by the margin (or in `also_on_target`); 0.0 for an empty reel.

    `margin_s` is one number for both sides, or `(lead_in_s, reaction_s)`.
    """
    kept = merge_spans(kept_spans)
    kept_total = sum(e - s for s, e in kept)
    if kept_total <= 0:
        return 0.0
    lead, react = _margins(margin_s)
    widened = merge_spans(
        [*((s - lead, e + react) for s, e, _ in map(_event_parts, events)), *map(_event_parts, also_on_target)]
    )
    on_target = sum(overlap_s(span, widened) for span in kept)
    return on_target / kept_total
