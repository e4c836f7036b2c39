"""The result of `analyse`: the curves of one file, the moments and replays found in them, and what was read."""

from __future__ import annotations

from pydantic import Field

from mcp_highlight.engine.judge.curves import Curves
from mcp_highlight.engine.judge.moments import FoundMoment
from mcp_highlight.engine.judge.replays import Replay

ANALYSIS_VERSION = 13
"""5: speech by a voice model, the crowd beneath it, music by held partials, replays from the picture (issue 15).
6: a held crowd level (a chant) ranks low; replays may start before the reaction peaks.
7: the voice model in its 8 kHz mode.
8: a keyframe every 3.5 s, the skipped ones decoded where a replay is looked for.
9: shot cuts read against the next keyframe; replays matched against later play after an early moment.
10: a keyframe every 5.5 s.
11: chants ranked down by a trained audio-event model (sung), their narrow band, length and rise.
12: a moment at least CHANT_SURE likely a chant is taken for one (ranked under the planner's bar).
13: a reaction out of a montage of quick cuts (an ad break, a recap) is ranked under the planner's bar."""


class Analysis(Curves):
    version: int = ANALYSIS_VERSION
    source: str = Field(description="Path of the analysed file, as given.")
    content_hash: str = Field(description="Cache key part: hash of the file's content sample and size.")
    duration_s: float
    replays: list[Replay] = Field(default_factory=list, description="Replays found (between wipes, after a moment).")
    moments: list[FoundMoment] = Field(
        default_factory=list, description="Every distinct moment, strongest first, with its score and reasons."
    )
    has_audio: bool = True
    has_motion: bool = True
    warnings: list[str] = Field(default_factory=list, description="Parts of the file that could not be read.")
    elapsed_s: float = 0.0
    cached: bool = False
