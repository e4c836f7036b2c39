"""How good a reel of a generated recording is, against its ground truth (tests and bench share this).

- a moment is **found** when one kept span covers its decisive instant with a second either side
  (the shot going in, the first claps): a clip of the celebration alone does not count;
- **goal recall** and **moment recall** (all graded moments: goals, chances, applause, laughter…);
- **not-highlight share**: reel seconds inside ads, chants, counter-attacks, PA or dance music;
- **duplicates**: moments shown twice, by two clips (each overlapping it by 2 s or more) or, when
  replays were not asked for, live and again in their replay (30 % of the replay kept).
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel

from footage.quality import merge_spans, overlap_s
from footage.synth.truth import RecordingTruth, TrueMoment

Span = tuple[float, float]
AROUND_S = 1.0
SAME_MOMENT_S = 2.0
REPLAY_SHOWN = 0.3


class ReelScore(BaseModel):
    goals: int
    goals_found: int
    moments: int
    moments_found: int
    not_highlight_s: float
    kept_s: float
    duplicates: int
    replays_kept: int
    clips: int
    missed: list[str]

    @property
    def goal_recall(self) -> float:
        return self.goals_found / self.goals if self.goals else 1.0

    @property
    def moment_recall(self) -> float:
        return self.moments_found / self.moments if self.moments else 1.0

    @property
    def not_highlight_share(self) -> float:
        return self.not_highlight_s / self.kept_s if self.kept_s else 0.0

    def line(self) -> str:
        return (
            f"goals {self.goals_found}/{self.goals}, moments {self.moments_found}/{self.moments} "
            f"({self.moment_recall:.0%}), not-highlight {self.not_highlight_share:.1%}, duplicates {self.duplicates}, "
            f"{self.clips} clips, {self.kept_s:.0f} s"
        )


def found(moment: TrueMoment, kept: Sequence[Span]) -> bool:
    a, b = moment.peak_s - AROUND_S, moment.peak_s + AROUND_S
    return any(s <= a and b <= e for s, e in kept)


def score_reel(truth: RecordingTruth, kept_spans: Sequence[Span], *, include_replays: bool = False) -> ReelScore:
    kept = [(float(a), float(b)) for a, b in kept_spans if b > a]
    merged = merge_spans(kept)
    kept_s = sum(e - s for s, e in merged)
    noise = merge_spans([(n.start_s, n.end_s) for n in truth.not_highlights])
    not_highlight_s = sum(overlap_s(span, noise) for span in merged)
    hits = [found(m, merged) for m in truth.moments]
    duplicates = 0
    for m in truth.moments:
        touching = sum(1 for s, e in kept if min(e, m.end_s) - max(s, m.start_s) >= SAME_MOMENT_S)
        duplicates += touching > 1
    replays_kept = 0
    for r in truth.replays:
        shown = overlap_s((r.start_s, r.end_s), merged) >= REPLAY_SHOWN * (r.end_s - r.start_s)
        replays_kept += shown
        if shown and hits[r.of] and not include_replays:
            duplicates += 1
    return ReelScore(
        goals=len(truth.goals),
        goals_found=sum(h for h, m in zip(hits, truth.moments, strict=True) if m.kind == "goal"),
        moments=len(truth.moments),
        moments_found=sum(hits),
        not_highlight_s=round(not_highlight_s, 2),
        kept_s=round(kept_s, 2),
        duplicates=duplicates,
        replays_kept=replays_kept,
        clips=len(kept),
        missed=[f"{m.kind}@{m.peak_s:.0f}s" for h, m in zip(hits, truth.moments, strict=True) if not h],
    )
