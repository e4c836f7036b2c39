"""The running order of a generated broadcast: when each goal, chance, chant, ad… happens.

Everything is drawn from a seeded generator: counts scale with the length, order is shuffled,
calm play fills the gaps in random amounts, so no two seeds share a rhythm to tune against.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

GOAL_SLOT_S = 46.0
"""Build-up, shot, celebration, wipe, slow-motion replay, wipe, back to play."""
CHANCE_SLOT_S = 20.0


@dataclass
class Event:
    kind: str  # goal | chance | counter | chant | pa | ad | shout (sound only, see with_extras)
    start: float  # action start (or segment start)
    end: float  # the shot (goal/chance), else segment end
    roar_db: float = 0.0
    roar_onset: float = 0.0
    roar_peak: float = 0.0
    roar_end: float = 0.0
    whistle: tuple[float, float] | None = None
    replay: tuple[float, float] | None = None  # replay span (between the wipes)
    wipes: list[tuple[float, float]] = field(default_factory=list)
    side: int = 1  # which goal the attack runs to: -1 left, +1 right


@dataclass
class Script:
    duration: float
    events: list[Event]
    cuts: list[tuple[float, str]]  # (time, shot kind after it: wide | close)
    fouls: list[tuple[float, float]]  # whistles for fouls: not highlights

    def of(self, *kinds: str) -> list[Event]:
        return [e for e in self.events if e.kind in kinds]


def _counts(duration: float, rng: np.random.Generator) -> dict[str, int]:
    per10 = duration / 600
    return {
        "goal": max(2, round(3 * per10 + rng.uniform(-0.4, 0.4))),
        "chance": max(3, round(6 * per10 + rng.uniform(-1, 1))),
        "counter": max(1, round(2 * per10)),
        "chant": max(1, round(2 * per10)),
        "pa": max(1, round(1 * per10)),
        "ad": 1 if duration >= 240 else 0,
    }


def _slot(kind: str, rng: np.random.Generator, duration: float) -> float:
    return {
        "goal": GOAL_SLOT_S + rng.uniform(0, 6),
        "chance": CHANCE_SLOT_S + rng.uniform(0, 4),
        "counter": rng.uniform(12, 16),
        "chant": rng.uniform(18, 30),
        "pa": rng.uniform(20, 32),
        "ad": min(75.0, max(25.0, 0.08 * duration)) + rng.uniform(0, 8),
    }[kind]


def script(duration: float, seed: int, *, early_replay: bool = False) -> Script:
    """The running order for `seed`; `early_replay` cuts to the replays while the crowd still cheers."""
    rng = np.random.default_rng(seed)
    counts = _counts(duration, rng)
    kinds = [k for k, c in counts.items() for _ in range(c)]
    rng.shuffle(kinds)
    slots = [_slot(k, rng, duration) for k in kinds]
    margin = 8.0
    # A short game holds fewer chances, then fewer goals: at least one goal and one chance stay.
    for drop in ("chance", "counter", "pa", "goal", "chant"):
        while duration - 2 * margin - sum(slots) < 3.0 * len(kinds) and kinds.count(drop) > 1:
            i = kinds.index(drop)
            del kinds[i], slots[i]
    slack = duration - 2 * margin - sum(slots)
    if slack < 3.0 * len(kinds):
        raise ValueError(f"{duration:.0f} s is too short for a broadcast with {len(kinds)} scripted events.")
    gaps = rng.dirichlet(np.full(len(kinds), 2.0)) * slack
    events: list[Event] = []
    t = margin
    for kind, length, gap in zip(kinds, slots, gaps, strict=True):
        t += gap
        events.append(_event(kind, t, length, rng, early_replay))
        t += length
    cuts = _director_cuts(duration, events, rng)
    fouls = _fouls(duration, events, rng)
    return Script(duration=duration, events=events, cuts=cuts, fouls=fouls)


def _event(kind: str, at: float, length: float, rng: np.random.Generator, early_replay: bool = False) -> Event:
    side = int(rng.choice([-1, 1]))
    if kind in ("goal", "chance"):
        action = rng.uniform(5.0, 9.0)
        shot = at + action
        goal = kind == "goal"
        onset = shot + rng.uniform(0.4, 1.6)
        peak = onset + (rng.uniform(2.0, 4.0) if goal else rng.uniform(1.0, 2.0))
        end = peak + (rng.uniform(9.0, 13.0) if goal else rng.uniform(2.5, 4.0))
        event = Event(
            kind=kind,
            start=at,
            end=shot,
            roar_db=rng.uniform(13.0, 18.0) if goal else rng.uniform(6.0, 10.0),
            roar_onset=onset,
            roar_peak=peak,
            roar_end=end,
            side=side,
        )
        if goal:
            w0 = shot + rng.uniform(2.0, 5.0)
            event.whistle = (w0, w0 + rng.uniform(0.8, 1.5))
            wipe_in = end + rng.uniform(0.0, 2.0)
            if early_replay:  # the director cuts away 1–3 s after the peak, the roar still going
                wipe_in = peak + (wipe_in - end) + 1.0
            replay_len = min(12.0, 2 * (min(action, 5.0) + 1.0))
            event.wipes = [(wipe_in, wipe_in + 0.6), (wipe_in + 0.6 + replay_len, wipe_in + 1.2 + replay_len)]
            event.replay = (wipe_in + 0.6, wipe_in + 0.6 + replay_len)
        return event
    return Event(kind=kind, start=at, end=at + length, side=side)


def _director_cuts(duration: float, events: list[Event], rng: np.random.Generator) -> list[tuple[float, str]]:
    """Cuts between the wide and the close camera every 4–15 s, plus the cuts that events force."""
    forced: list[tuple[float, str]] = []
    blocked: list[tuple[float, float]] = []
    for e in events:
        if e.kind == "ad":
            forced += [(e.start, "ad"), (e.end, "wide")]
            blocked.append((e.start - 2, e.end + 2))
        elif e.kind in ("goal", "chance"):
            close_at = e.end + rng.uniform(1.0, 2.5)
            forced.append((close_at, "close"))
            if e.replay:
                forced += [(e.wipes[0][0], "wipe"), (e.replay[0], "replay"), (e.wipes[1][0], "wipe"),
                           (e.wipes[1][1], "wide")]  # fmt: skip
                blocked.append((e.start - 1, e.wipes[1][1] + 2))
            else:
                forced.append((e.roar_end + rng.uniform(0, 2), "wide"))
                blocked.append((e.start - 1, e.roar_end + 3))
    cuts = list(forced)
    t = rng.uniform(3, 8)
    shot = "wide"
    while t < duration - 2:
        if not any(a <= t <= b for a, b in blocked):
            shot = "close" if shot == "wide" else "wide"
            cuts.append((t, shot))
        t += rng.uniform(4.0, 15.0) if shot == "close" else rng.uniform(6.0, 15.0)
    cuts.sort()
    return [(round(c, 3), k) for c, k in cuts if 0 < c < duration]


def _fouls(duration: float, events: list[Event], rng: np.random.Generator) -> list[tuple[float, float]]:
    out = []
    for t in np.sort(rng.uniform(5, duration - 5, max(1, int(duration / 70)))):
        if not any(e.start - 3 <= t <= max(e.end, e.roar_end, (e.replay or (0, 0))[1]) + 3 for e in events):
            out.append((float(t), float(t + rng.uniform(0.3, 0.8))))
    return out


def with_extras(plan: Script, seed: int, *, chants_after_goals: bool, shouts: bool) -> Script:
    """The same running order plus sound-only events: chants once play restarts after each goal,
    and the commentator shouting over calm play. The picture does not change."""
    rng = np.random.default_rng(seed + 2909)
    events = sorted(plan.events, key=lambda e: e.start)
    busy = [(e.start, max(e.end, e.roar_end, (e.wipes[-1][1] if e.wipes else 0.0))) for e in events]
    extra: list[Event] = []
    if chants_after_goals:
        for e in plan.of("goal"):
            a = max(e.roar_end, e.wipes[-1][1] if e.wipes else 0.0) + rng.uniform(0.5, 2.0)
            nxt = min([s for s, _ in busy if s > a] + [plan.duration - 2])
            b = min(a + rng.uniform(12.0, 20.0), nxt - 3.0)
            if b - a >= 8.0:
                extra.append(Event(kind="chant", start=a, end=b))
    if shouts:
        calm = [(busy[i][1] + 4, busy[i + 1][0] - 4) for i in range(len(busy) - 1)]
        calm = [(a, b) for a, b in calm if b - a >= 12 and not any(x.start < b and a < x.end for x in extra)]
        for a, b in [calm[i] for i in sorted(rng.permutation(len(calm))[: max(1, round(plan.duration / 300))])]:
            at = rng.uniform(a, b - 6)
            extra.append(Event(kind="shout", start=at, end=at + rng.uniform(3.0, 6.0)))
    return Script(duration=plan.duration, events=plan.events + extra, cuts=plan.cuts, fouls=plan.fouls)
