"""Analyses drawn by hand from a crowd curve: what moments.py ranks, without a generator's sound."""

from __future__ import annotations

import numpy as np

from mcp_highlight.engine.judge.analysis import Analysis


def drawn_crowd(crowd_db: np.ndarray, *, full_db: float, window_s: float, **signals: np.ndarray) -> Analysis:
    """An analysis whose score follows the crowd (dB over its baseline, full at `full_db`), with the
    crowd as its reaction signal and any other signals given."""
    score = np.clip(crowd_db / full_db, 0.0, 1.0)
    return Analysis(
        source="game.mp4",
        content_hash="x",
        duration_s=crowd_db.size * window_s,
        window_s=window_s,
        score=score.tolist(),
        signals={"crowd": score.tolist(), **{name: x.tolist() for name, x in signals.items()}},
        measures={"crowd_db": crowd_db.tolist()},
    )


def drawn_match(
    crowd_db: np.ndarray,
    *,
    window_s: float,
    near_goal: np.ndarray,
    chant: np.ndarray,
    whistle: np.ndarray,
    voice_db: np.ndarray,
    cuts_per_min: float,
) -> Analysis:
    """A drawn match broadcast: a goal (a noise-like roar, `near_goal`) and a chant (narrow-band, pulsing,
    a little sung, `chant`), with the commentator's loudness and a director's shot cuts (none at 0)."""
    analysis = drawn_crowd(
        crowd_db,
        full_db=14.0,
        window_s=window_s,
        broadband=np.where(near_goal, 0.9, np.where(chant, 0.2, 0.5)),
        sung=np.where(chant, 0.15, 0.0),
        chant=np.where(chant, 0.3, 0.0),
        whistle=whistle,
    )
    seconds = crowd_db.size * window_s
    cuts = np.arange(5.0, seconds, 60.0 / cuts_per_min).tolist() if cuts_per_min else []
    return analysis.model_copy(update={"measures": {**analysis.measures, "voice_db": voice_db.tolist()}, "scene_cuts": cuts})
