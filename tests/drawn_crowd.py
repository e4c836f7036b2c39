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
