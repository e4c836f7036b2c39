"""Replays in a broadcast: the same action again, soon after a big moment, told from the picture.

A replay is a stretch that starts soon after a big moment and is set apart from live play by a
transition at each end. Each sign below is only a hint (a wipe is how one broadcaster does it, not
the rule); a stretch is a replay when they add up (`_evidence`):
- a wipe: a run of frames far bigger than those around them (an animated graphic), from packet sizes;
- repeats: near-empty frames, the same picture again: a freeze at a transition, or slow motion made
  by repeating frames (a share of the stretch);
- the live moment seen again: keyframes inside that match the live moment's keyframes (grey
  thumbnails, a pan allowed) better than they match the play before it.
A replay needs two of these from the picture. A plain cut is a transition but no sign: play is cut
between cameras all the time. A quiet crowd (reacting to nothing new) only breaks ties: a replay
may start while the roar still fades. Not found: a flat or sliding graphic with no held picture (few
bits, and between the keyframes decoded) around a replay that does not repeat the live shot.
Read from the analysis's one pass over the picture (packet sizes, a keyframe every few seconds); the
keyframes that pass skipped are decoded afterwards only inside stretches where the live moment seen
again decides whether they are a replay (`video_signals.fill_keyframes`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pydantic import BaseModel
from scipy.ndimage import median_filter

from mcp_highlight.engine.judge.video_signals import THUMB, VideoWindows, fill_keyframes, montage

WIPE_MIN_S, WIPE_MAX_S = 0.25, 2.0
BIG_FRAME = 2.5
"""A wipe frame is this many times the local median frame size."""
WIPE_EVEN = 0.5
"""...whose median frame is at least half its biggest: a graphic, not the catching-up after a cut."""
REPEAT_SHARE = 0.05
"""A frame under this share of the local median size repeats the picture before it (a repeated
picture costs tens of bytes; moving play costs thousands)."""
REPEAT_MIN_S = 0.2
"""...and a run of them this long is a freeze (a transition), not an encoder's lucky frame."""
FREEZE_AMID = 0.5
"""...amid frames costing at least half the file's median frame (moving play, not a still scene)."""
REPEAT_DIP = 0.35
"""...or a frame under this share of both its neighbours: a repeat between two new pictures."""
SLOW_SHARE = 0.15
"""A stretch with this share of repeated frames is slow motion made by repeating frames. Measured:
2x slow motion by repetition, x264 with B-frames, 0.22; live play of generated broadcasts 0.01 (99th
percentile of any 2 s: 0.16), the generator's own slow motion (blended, not repeated) 0.00."""
MATCH_SIM, MATCH_MARGIN = 0.85, 0.2
"""A keyframe inside matches the live moment: correlation at least 0.85 with one of its keyframes (a
repeat of the live frames measured 0.87-0.89 against keyframes up to 1 s of play away), and 0.2 more
than with any keyframe of the play before it (a wide shot of the pitch looks like any other: at a
0.1 margin, play after chances matched the chances on generated broadcasts)."""
SHIFT = (2, 4)
"""Rows and columns (of THUMB) a picture may have moved between two keyframes and still match."""
LIVE_S = (20.0, 2.0)
"""The live moment's keyframes: from 20 s before its reaction's peak to 2 s after."""
EARLIER_S = (90.0, 25.0)
"""The play before it, for the margin: from 90 s to 25 s before the peak."""
REFERENCE_MIN = 8
LATER_S = (10.0, 75.0)
"""With fewer than 8 keyframes of play before it (a moment in the first minute), the play from 10 s to
75 s after the stretch is the reference too: with none, any wide shot after a goal 21 s into a generated
broadcast matched the goal and was taken for its replay, ahead of the real one."""
REPLAY_S = (3.0, 30.0)
AFTER_MOMENT_S = 50.0
"""A replay starts within this long after the moment's reaction peak..."""
ROWS_S = (20.0, 120.0)
"""Keyframes from 20 s before a moment's peak to 120 s after are matched with its live play in one go
(`_LiveMatch`): every stretch a replay is looked for in (at most AFTER_MOMENT_S + REPLAY_S[1] after it)."""
REPLAY_AFTER_ONSET_S = 2.0
"""...and at least this long after the reaction's onset (the roar may still rise: generated early
replays cut away 1-3 s after the roar's true peak, which the smoothed score places up to 1 s later)."""
PICTURE_SIGNS = 2
"""Signs a replay needs from the picture: a wipe or a freeze at each end, slow motion, the live moment."""
QUIET_CROWD = 0.5
"""The crowd is quiet when three quarters of the stretch are under this (0..1 crowd signal)."""


class Replay(BaseModel):
    start_s: float
    end_s: float
    of_s: float
    """Peak time of the live moment it replays."""


@dataclass(frozen=True)
class Transition:
    start: float
    end: float
    hint: float
    """1 for a wipe, an insert or a freeze; 0 for a plain cut."""


def _packets(video: VideoWindows) -> tuple[np.ndarray, np.ndarray, np.ndarray, float, np.ndarray]:
    """Packets in time order: times, sizes, key flags, frame interval, and the local median size."""
    order = np.argsort(video.packet_times, kind="stable")
    t, size, key = video.packet_times[order], video.packet_sizes[order].astype(np.float64), video.packet_keys[order]
    dt = float(np.median(np.diff(t))) if t.size > 1 else 1 / 30
    dt = dt or 1 / 30
    idx = np.arange(size.size)
    span = max(5, round(2.0 / dt) | 1)
    plain = np.interp(idx, idx[~key], size[~key]) if (~key).any() else size
    # The neighbourhood of moving pictures: repeated frames (slow motion) would halve it.
    moving = ~key & (size >= REPEAT_SHARE * median_filter(plain, size=span, mode="nearest"))
    if moving.any():
        plain = np.interp(idx, idx[moving], size[moving])
    return t, size, key, dt, median_filter(plain, size=span, mode="nearest")


def _runs(flags: np.ndarray, t: np.ndarray, dt: float, lo: float, hi: float) -> list[tuple[float, float]]:
    """Runs of True (one-frame gaps bridged) lasting lo..hi seconds, as (start, end) times."""
    out: list[tuple[float, float]] = []
    i = 0
    while i < flags.size:
        if not flags[i]:
            i += 1
            continue
        j = i
        while j + 1 < flags.size and (flags[j + 1] or (j + 2 < flags.size and flags[j + 2])):
            j += 1
        if lo <= t[j] - t[i] + dt <= hi:
            out.append((round(float(t[i]), 3), round(float(t[j] + dt), 3)))
        i = j + 1
    return out


def _usable(video: VideoWindows) -> bool:
    return video.packet_times.size >= 50 and video.packet_keys.mean() <= 0.5


def wipes(video: VideoWindows) -> list[tuple[float, float]]:
    """Runs of WIPE_MIN_S..WIPE_MAX_S of frames much bigger than their neighbourhood."""
    if not _usable(video):
        return []
    t, size, key, dt, local = _packets(video)
    big = size > BIG_FRAME * np.maximum(local, 1.0)
    # A keyframe inside a run neither breaks nor starts it.
    for i in np.nonzero(key)[0]:
        big[i] = bool(i > 0 and big[i - 1] and i + 1 < big.size and big[i + 1])
    # A graphic costs about as much every frame; a cut into a still scene is one huge frame and a few
    # big ones while the encoder catches up (their median is far under the first).
    out = []
    for a, b in _runs(big, t, dt, WIPE_MIN_S, WIPE_MAX_S):
        run = size[(t >= a) & (t < b) & ~key]
        if run.size and float(np.median(run)) >= WIPE_EVEN * float(run.max()):
            out.append((a, b))
    return out


def repeated(video: VideoWindows) -> tuple[np.ndarray, np.ndarray]:
    """Packet times in order, and which frames repeat a picture: near-empty (a held picture), or
    far cheaper than both neighbours (slow motion showing each picture twice: every other frame is
    a repeat, which the encoder codes in a fraction of the bits of a new one)."""
    if not _usable(video):
        return np.zeros(0), np.zeros(0, bool)
    t, size, key, _, local = _packets(video)
    rep = ~key & (size < REPEAT_SHARE * np.maximum(local, 1.0))
    rep[1:-1] |= ~key[1:-1] & (size[1:-1] < REPEAT_DIP * np.minimum(size[:-2], size[2:]))
    return t, rep


def freezes(video: VideoWindows) -> list[tuple[float, float]]:
    """Runs of REPEAT_MIN_S..WIPE_MAX_S of near-empty frames amid moving play: a held picture at a
    transition. In a still scene (an empty close-up, a static camera) every frame is cheap, so the
    frames around the run must cost at least FREEZE_AMID of the file's typical frame."""
    if not _usable(video):
        return []
    t, size, key, dt, local = _packets(video)
    held = ~key & (size < REPEAT_SHARE * np.maximum(local, 1.0))
    typical = float(np.median(size[~key])) if (~key).any() else 0.0
    return [(a, b) for a, b in _runs(held, t, dt, REPEAT_MIN_S, WIPE_MAX_S)
            if float(np.median(local[(t >= a) & (t < b)])) >= FREEZE_AMID * typical]  # fmt: skip


def transitions(video: VideoWindows, cuts: list[float]) -> list[Transition]:
    """Every wipe, freeze and cut, those within half a second of each other merged."""
    dt = 0.5
    found = [Transition(a, b, 1.0) for a, b in [*wipes(video), *freezes(video)]]
    found += [Transition(c, c, 0.0) for c in cuts]
    merged: list[Transition] = []
    for tr in sorted(found, key=lambda x: x.start):
        if merged and tr.start - merged[-1].end <= dt:
            last = merged[-1]
            merged[-1] = Transition(last.start, max(last.end, tr.end), max(last.hint, tr.hint))
        else:
            merged.append(tr)
    return merged


def _best_matrix(these: np.ndarray, those: np.ndarray) -> np.ndarray:
    """Each of `these` thumbnails against each of `those`: the best correlation, allowing the picture to
    have moved by up to SHIFT columns and rows (a camera pans between two keyframes)."""
    rows, cols = THUMB
    a = these.reshape(-1, rows, cols)
    b = those.reshape(-1, rows, cols)
    best = np.full((len(a), len(b)), -1.0)
    for dy in range(-SHIFT[0], SHIFT[0] + 1):
        for dx in range(-SHIFT[1], SHIFT[1] + 1):
            ca = a[:, max(0, dy) : rows + min(0, dy), max(0, dx) : cols + min(0, dx)].reshape(len(a), -1)
            cb = b[:, max(0, -dy) : rows + min(0, -dy), max(0, -dx) : cols + min(0, -dx)].reshape(len(b), -1)
            ca = ca - ca.mean(axis=1, keepdims=True)
            cb = cb - cb.mean(axis=1, keepdims=True)
            ca /= np.linalg.norm(ca, axis=1, keepdims=True) + 1e-9
            cb /= np.linalg.norm(cb, axis=1, keepdims=True) + 1e-9
            best = np.maximum(best, ca @ cb.T)
    return best


class _LiveMatch:
    """Whether keyframes in a stretch after a big moment match its live play (`__call__`). The keyframes
    after each moment are matched once against the play around it, and every candidate stretch after
    it reads its rows and columns: a 30-minute game has hundreds of candidates, and matching each on
    its own cost a second."""

    def __init__(self, video: VideoWindows) -> None:
        self.t, self.thumbs = video.key_times, video.key_thumbs
        self._blocks: dict[tuple[float, bool], tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    @staticmethod
    def _span(peak: float, later: bool) -> tuple[float, float]:
        """The columns' times: the play before and during the moment, or after the stretches."""
        if later:
            return peak - ROWS_S[0] + LATER_S[0], peak + ROWS_S[1] + LATER_S[1]
        return peak - EARLIER_S[0], peak + LIVE_S[1]

    def _block(self, peak: float, later: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if (peak, later) not in self._blocks:
            t = self.t
            rows = np.nonzero((t > peak - ROWS_S[0]) & (t < peak + ROWS_S[1]))[0]
            lo, hi = self._span(peak, later)
            cols = np.nonzero((t >= lo) & (t <= hi))[0]
            self._blocks[peak, later] = (rows, cols, _best_matrix(self.thumbs[rows], self.thumbs[cols]))
        return self._blocks[peak, later]

    def _against(self, inside: np.ndarray, peak: float, lo: float, hi: float, later: bool) -> np.ndarray:
        """Best matches of the `inside` keyframes with those from `lo` to `hi` seconds."""
        rows, cols, m = self._block(peak, later)
        at = np.minimum(np.searchsorted(rows, inside), max(rows.size - 1, 0))
        span = self._span(peak, later)
        if rows.size and np.array_equal(rows[at], inside) and span[0] <= lo and hi <= span[1]:
            tc = self.t[cols]
            return m[at][:, (tc >= lo) & (tc <= hi)]
        those = np.nonzero((self.t >= lo) & (self.t <= hi))[0]  # beyond the block: not met on generated games
        return _best_matrix(self.thumbs[inside], self.thumbs[those])

    def __call__(self, a: float, b: float, peak: float) -> bool:
        """Keyframes in a..b match the live moment's keyframes, by MATCH_MARGIN more than other play
        (before it, or after the stretch when the moment comes early)."""
        t = self.t
        if self.thumbs.shape[0] != t.size or t.size == 0:
            return False
        inside = np.nonzero((t > a) & (t < b))[0]
        live = self._against(inside, peak, peak - LIVE_S[0], min(peak + LIVE_S[1], a - 1.0), later=False)
        if not live.size:
            return False
        to_live = live.max(axis=1)
        other = self._against(inside, peak, peak - EARLIER_S[0], peak - EARLIER_S[1], later=False)
        if other.shape[1] < REFERENCE_MIN:
            other = np.hstack([other, self._against(inside, peak, b + LATER_S[0], b + LATER_S[1], later=True)])
        to_other = other.max(axis=1) if other.shape[1] else np.zeros(inside.size)
        return bool(np.any((to_live >= MATCH_SIM) & (to_live - to_other >= MATCH_MARGIN)))


@dataclass(frozen=True)
class _Stretch:
    video: VideoWindows
    times: np.ndarray
    repeats: np.ndarray
    cuts: np.ndarray
    crowd: np.ndarray
    window_s: float


def _evidence(s: _Stretch, start: Transition, end: Transition, peak: float, match: _LiveMatch) -> float:
    """How much says start..end is a replay of the moment at `peak` (0 when something says it is not)."""
    a, b = start.end, end.start
    if montage(s.cuts, a + 0.5, b - 0.5):  # an ad break or a highlights package, not a replay
        return 0.0
    picture = _signs_without_match(s, start, end)
    if picture == PICTURE_SIGNS - 1:  # only there does the live moment seen again decide (its keyframes were decoded)
        picture += float(match(a, b, peak))
    crowd = s.crowd[int(a / s.window_s) : int(b / s.window_s) + 1]
    quiet = bool(crowd.size) and float(np.percentile(crowd, 75)) <= QUIET_CROWD
    # Two signs from the picture: one wipe-like graphic is also how a broadcaster marks a goal or a
    # team sheet, and a quiet crowd follows every moment. The crowd only breaks ties.
    return picture + 0.5 * float(quiet) if picture >= PICTURE_SIGNS else 0.0


def _signs_without_match(s: _Stretch, start: Transition, end: Transition) -> float:
    inside = (s.times > start.end) & (s.times < end.start)
    slow = float(s.repeats[inside].mean()) >= SLOW_SHARE if inside.any() else False
    return start.hint + end.hint + float(slow)


def _candidates(
    marks: list[Transition], big_moments: list[tuple[float, float]]
) -> list[tuple[Transition, Transition, float]]:
    """Every stretch between two transitions that could replay a big moment, with that moment's peak."""
    out = []
    for i, start in enumerate(marks):
        before = [
            p
            for onset, p in big_moments
            if start.start - onset > REPLAY_AFTER_ONSET_S and start.start - p <= AFTER_MOMENT_S
        ]
        if not before:
            continue
        for end in marks[i + 1 :]:
            gap = end.start - start.end
            if gap > REPLAY_S[1]:
                break
            if gap >= REPLAY_S[0]:
                out.append((start, end, max(before)))
    return out


def _keyframes_wanted(
    s: _Stretch, marks: list[Transition], big_moments: list[tuple[float, float]]
) -> list[tuple[float, float]]:
    """Stretches where the live moment seen again decides (exactly one other sign): their skipped
    keyframes are decoded in one go before matching. A stretch with two signs is a replay without it,
    and the match no longer ranks it: that was half the keyframes decoded (on the 30-minute CABAC bench
    game 174 -> 81, 1.5 s -> 0.8 s of its 6.4 s analysis, the same 18 replays), and on the sweep's 120
    broadcasts no reel and no replay found changes (nor with no match at all: every replay the sweep
    finds has two signs from packet sizes; a replay of the live frames repeated in slow motion, with
    no graphic, needs the match: tests/test_replays_from_picture.py). The live moment's own keyframes stay
    one every REFRESH_S: a replay's keyframes, DENSE_S apart and shown at half speed or real time,
    come within a second of play of one of them (SHIFT allows a second of pan)."""
    return [
        (start.end, end.start)
        for start, end, _ in _candidates(marks, big_moments)
        if _signs_without_match(s, start, end) == PICTURE_SIGNS - 1
    ]


def find_replays(
    video: VideoWindows,
    cuts: list[float],
    big_moments: list[tuple[float, float]],
    crowd: np.ndarray,
    window_s: float,
) -> list[Replay]:
    """Replays of the big moments ((onset, peak) times): the stretches between two transitions with the
    most evidence, none overlapping another. A replay may start before the reaction peaks: a director
    cuts to it while the roar still swells."""
    marks = transitions(video, cuts)
    times, repeats = repeated(video)
    s = _Stretch(video, times, repeats, np.asarray(cuts, dtype=np.float64), crowd, window_s)
    fill_keyframes(video, _keyframes_wanted(s, marks, big_moments))
    match = _LiveMatch(video)
    scored: list[tuple[float, float, Transition, Transition, float]] = []
    for start, end, peak in _candidates(marks, big_moments):
        if (score := _evidence(s, start, end, peak, match)) > 0:
            scored.append((score, -(end.start - start.end), start, end, peak))
    chosen: list[Replay] = []
    for _, _, start, end, peak in sorted(scored, key=lambda x: (x[0], x[1]), reverse=True):
        if any(start.start < onset < end.end and p != peak for onset, p in big_moments):
            continue  # another big reaction starts inside: that is live play (a second goal), not a replay
        if all(end.end <= r.start_s or start.start >= r.end_s for r in chosen):
            chosen.append(Replay(start_s=start.start, end_s=end.end, of_s=peak))
    return sorted(chosen, key=lambda r: r.start_s)
