"""The judgement sweep's one-pass reads, kept to judge the same runs again (`scripts/bench --judgement
--keep-reads DIR`, then `--rejudge DIR`).

The one pass over a file (packets, keyframes, the sound's per-hop features) is most of what a run
costs, and a change to the judgement after it (`sound_cues`, `fuse`, moments, chants, replays, the
planner) does not change it. Kept, the sweep's 120 broadcast runs were judged again in 51 s against 168 s
for the same runs in full on cached footage (2-core Xeon), with the same scores, 120 of 120: the file is
made again from the footage cache (the chants are heard and skipped keyframes decoded from it, as in a
real analysis), only the one pass is replayed. That is how the judgement constants are re-fitted: keep
the reads once, then re-judge with each candidate value (same machine, same runs). A kept run records
the reads of the engine that made it: after a change to what the pass reads (`readers`,
`video_signals`, `audio_signals`), keep them again.
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

KEPT = "*.reads.pkl"


def _name(task: tuple[str, int, dict[str, Any], dict[str, Any], int]) -> str:
    family, seed, _, _, k = task
    return f"{family}-s{seed}-m{k}.reads.pkl"


def recording(store: Path, task: tuple[str, int, dict[str, Any], dict[str, Any], int]) -> Any:
    """The usual one pass, its reads also written to `store` with the run they belong to
    (family, seed, picture, sound, mix)."""
    from mcp_highlight.engine.judge.readers import read_side_by_side

    def read(*args: Any) -> Any:
        reads = read_side_by_side(*args)
        store.mkdir(parents=True, exist_ok=True)
        tmp = store / f".{_name(task)}.tmp"
        tmp.write_bytes(pickle.dumps({"task": task, "reads": reads}, protocol=pickle.HIGHEST_PROTOCOL))
        tmp.replace(store / _name(task))
        return reads

    return read


def kept_runs(store: Path) -> list[Path]:
    return sorted(store.glob(KEPT))


def rejudge(kept: Path) -> list[dict[str, Any]]:
    """One kept run judged again with this tree: its row, as `judgement_runs.run_seed` gives them."""
    import judgement_runs

    saved = pickle.loads(kept.read_bytes())
    family, seed, picture, sound, _ = saved["task"]
    video, audio, warnings = saved["reads"]
    with judgement_runs.footage(family, seed, picture, sound) as (path, truth):
        if video is not None:
            video.path = path  # fill_keyframes decodes the keyframes the pass skipped from the file again

        def replay(*_: Any) -> Any:
            return video, audio, list(warnings)

        judged = judgement_runs.judge(path, judgement_runs.FAMILIES[family].reel_s, replay)
    return [{**judgement_runs.scored(family, seed, {**picture, **sound}, truth, judged), "make_s": 0.0}]
