"""A chant split into pieces: the moment finder may cut a long chant at its swells, and a short piece of it
looks like a reaction on its own. In a match, a piece right next to a moment taken for a chant is more of
that chant (chants.joins_a_chant) unless play goes on in it. Drawn analyses: no generator's sound."""

from __future__ import annotations

import numpy as np
import pytest
from drawn_crowd import drawn_match

from mcp_highlight.engine.judge import constants as C
from mcp_highlight.engine.judge.analysis import Analysis
from mcp_highlight.engine.judge.moments import FoundMoment, find_moments
from mcp_highlight.engine.plan.lengths import STANDOUT

W = 0.5
SECONDS = 300.0
GOAL, CHANT = 60.0, 180.0
PIECE = CHANT + 13.0
"""The peak of the short swell that ends the chant, 1-2 s after its held part has faded."""


def _match(*, piece_db: float = 7.0, piece_s: float = PIECE, voice_at_piece: float = 4.0, whistle_at_piece: bool = False,
           cuts_per_min: float = 6.0) -> Analysis:  # fmt: skip
    """A goal the commentator shouts over, then a chant: 7 s held at 9 dB, pulsing, narrow-band, a little
    sung, that fades and swells once more for a moment (`piece_db` over the crowd at its peak). Over that
    swell the commentator's measure is `voice_at_piece` dB up: CONFIRM_VOICE_DB or more, as a loud sung
    crowd lifts it, so the fuller model does not take the swell on its own."""
    t = np.arange(int(SECONDS / W)) * W
    rng = np.random.default_rng(5)
    goal = 14.0 * np.exp(-0.5 * ((t - GOAL - 3) / 2.0) ** 2)
    held = np.where(t < CHANT + 7, np.clip((t - CHANT) / 3.0, 0, 1) * 9.0, 9.0 * np.exp(-(t - CHANT - 7) / 1.5))
    piece = piece_db * np.exp(-0.5 * ((t - piece_s) / 1.0) ** 2)
    crowd_db = goal + held + piece + rng.normal(0, 0.3, t.size)
    chant = (t >= CHANT) & (t < CHANT + 11)  # its swell at the end heard alone sounds like any reaction
    near_goal = np.abs(t - GOAL - 3) < 6
    at_piece = np.abs(t - piece_s) < 2
    voice = np.where(near_goal, 6.0, np.where(at_piece, voice_at_piece, 0.0))
    whistle = np.where(at_piece & whistle_at_piece, 1.0, 0.0)
    return drawn_match(crowd_db, window_s=W, near_goal=near_goal, chant=chant, whistle=whistle, voice_db=voice,
                       cuts_per_min=cuts_per_min)  # fmt: skip


def _at(moments: list[FoundMoment], t: float) -> FoundMoment:
    return min(moments, key=lambda m: abs(m.peak_s - t))


def test_the_chant_is_split_and_its_held_part_is_taken_on_its_own() -> None:
    moments = find_moments(_match())
    held, piece = _at(moments, CHANT + 4), _at(moments, PIECE)
    assert held is not piece and abs(piece.peak_s - PIECE) <= 1.0, moments
    assert "sounds like a chant" in held.why and "chant_likelihood" in held.facts, held
    gap = piece.onset_s - held.fade_s
    assert gap <= C.CHANT_JOIN_S, (held, piece)


def test_a_short_piece_next_to_a_chant_taken_is_ranked_down_with_it() -> None:
    moments = find_moments(_match())
    goal, piece = _at(moments, GOAL + 3), _at(moments, PIECE)
    assert "more of the chant next to it" in piece.why and piece.facts.get("chant_joined") == 1.0, piece
    assert piece.rank < STANDOUT * goal.rank, (piece, goal)
    assert "chant" not in goal.why, goal


@pytest.mark.parametrize(
    "why, match",
    [
        ("a whistle sounds in it: play goes on", {"whistle_at_piece": True}),
        ("the commentator gets 5 dB louder over it", {"voice_at_piece": C.JOIN_VOICE_DB + 0.5}),
        ("the crowd jumps out of the chant: a goal scored while it chants", {"piece_db": 15.0, "piece_s": CHANT + 12.5}),
        ("one camera, no whistle: a room, not a match (applause holds and pulses too)", {"cuts_per_min": 0.0}),
    ],
)
def test_the_piece_keeps_its_rank_when(why: str, match: dict[str, float]) -> None:
    joined, kept = _at(find_moments(_match()), PIECE), _at(find_moments(_match(**match)), PIECE)
    assert "chant_joined" not in kept.facts, (why, kept)
    assert kept.rank > 5 * joined.rank, (why, kept, joined)

