"""One seed of the judgement sweep (`scripts/bench --judgement`): make its footage, judge it, score it.

The picture of a seed is encoded once and every sound variant is encoded once (AAC, next to it);
a run muxes the two (stream copy) into a scratch file, analyses it in this process with no cache,
plans the reel every front would plan and scores it against the truth. Generated media lives in
$MCP_HIGHLIGHT_FOOTAGE_CACHE (default ~/.cache/mcp-highlight-footage), shared by every checkout,
named by generator version and variant so a changed generator never reuses stale files.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

CACHE = Path(os.environ.get("MCP_HIGHLIGHT_FOOTAGE_CACHE", Path.home() / ".cache" / "mcp-highlight-footage"))


@dataclass(frozen=True)
class Family:
    name: str
    minutes: float
    size: tuple[int, int]
    fps: int
    keyint_s: float
    reel_s: float
    first_seed: int  # seeds the suite never uses


FAMILIES = {
    "broadcast": Family("broadcast", 10, (1280, 720), 25, 2.0, 90.0, 1000),
    "event": Family("event", 6, (1280, 720), 25, 1.0, 60.0, 2000),
    "game": Family("game", 10, (1280, 720), 30, 2.0, 60.0, 3000),
}


def _key(params: dict[str, Any]) -> str:
    return hashlib.sha1(json.dumps(params, sort_keys=True).encode()).hexdigest()[:10]


def _once(path: Path, make: Any) -> Path:
    """Make `path` with `make(tmp_path)` unless it exists; atomic, so parallel sweeps can share the cache."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"tmp-{os.getpid()}-{path.name}")
        make(tmp)
        tmp.replace(path)
    return path


def _picture(fam: Family, seed: int, picture: dict[str, Any]) -> Path:
    from footage.synth.broadcast import BROADCAST_VERSION, synth_broadcast_picture
    from footage.synth.encode import encode
    from footage.synth.event_recording import EVENT_VERSION, event_frames
    from footage.synth.event_recording import FH as EH
    from footage.synth.event_recording import FW as EW
    from footage.synth.variants import PictureVariant

    version = BROADCAST_VERSION if fam.name == "broadcast" else EVENT_VERSION
    stem = f"{fam.name}-v{version}-{fam.minutes:g}m-{fam.size[1]}p-s{seed}-{_key(picture)}"
    if fam.name == "broadcast":
        make = lambda p: synth_broadcast_picture(  # noqa: E731
            p, duration_s=fam.minutes * 60, size=fam.size, fps=fam.fps, keyint_s=fam.keyint_s, seed=seed,
            picture=PictureVariant(**picture),
        )  # fmt: skip
    else:
        make = lambda p: encode(  # noqa: E731
            p, event_frames(fam.minutes * 60, seed, fam.fps), None, size=fam.size, frame_size=(EW, EH),
            fps=fam.fps, keyint_s=fam.keyint_s, scene_keyframes=False,
        )  # fmt: skip
    return _once(CACHE / "pictures" / f"{stem}.mp4", make)


def _track(fam: Family, seed: int, picture: dict[str, Any], sound: dict[str, Any]) -> tuple[Path, Any]:
    from footage.synth.broadcast import BROADCAST_VERSION, broadcast_track
    from footage.synth.encode import encode_sound
    from footage.synth.event_recording import EVENT_VERSION, event_track, event_truth
    from footage.synth.truth import RecordingTruth
    from footage.synth.variants import PictureVariant, SoundVariant

    version = BROADCAST_VERSION if fam.name == "broadcast" else EVENT_VERSION
    stem = f"{fam.name}-v{version}-{fam.minutes:g}m-s{seed}-{_key({**picture, **sound})}"
    audio, side = CACHE / "tracks" / f"{stem}.m4a", CACHE / "tracks" / f"{stem}.truth.json"
    if not (audio.exists() and side.exists()):
        if fam.name == "broadcast":
            track, truth = broadcast_track(fam.minutes * 60, seed, PictureVariant(**picture), SoundVariant(**sound))
        else:
            track, truth = event_track(fam.minutes * 60, seed, SoundVariant(**sound)), event_truth(fam.minutes * 60, seed)
        _once(audio, lambda p: encode_sound(p, track))
        _once(side, lambda p: p.write_text(truth.model_dump_json()))
    return audio, RecordingTruth.model_validate_json(side.read_text())


def _game(fam: Family, seed: int) -> tuple[Path, Any]:
    from footage.samples import GENERATOR_VERSION, load_truth, synth_game, truth_path

    path = CACHE / "games" / f"game-v{GENERATOR_VERSION}-{fam.minutes:g}m-{fam.size[1]}p-s{seed}.mp4"
    if not (path.exists() and truth_path(path).exists()):
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"tmp-{os.getpid()}-{path.name}")
        truth = synth_game(tmp, duration_s=fam.minutes * 60, width=fam.size[0], height=fam.size[1], fps=fam.fps, seed=seed)
        truth.save(path)
        tmp.replace(path)
        truth_path(tmp).unlink(missing_ok=True)
    return path, load_truth(path)


def _loudest(analysis: Any, target_s: float, clip_s: float = 8.0) -> list[tuple[float, float]]:
    """The naive baseline in the same call: the loudest `clip_s` windows by our loudness signal."""
    loud = np.asarray(analysis.signals.get("loudness", analysis.score), dtype=float)
    w = analysis.window_s
    sums = np.convolve(loud, np.ones(max(1, round(clip_s / w))), mode="valid")
    taken: list[tuple[float, float]] = []
    for i in np.argsort(-sums):
        a = float(i * w)
        if all(a + clip_s <= s or a >= e for s, e in taken):
            taken.append((a, a + clip_s))
        if len(taken) * clip_s >= target_s:
            break
    return sorted(taken)


def judge(path: Path, reel_s: float, read: Any = None) -> tuple[Any, list[tuple[float, float]], float]:
    """The analysis (its one pass by `read`, by default over the file), the reel's clips and the seconds taken."""
    from mcp_highlight.engine.judge.analyse import analyse
    from mcp_highlight.engine.judge.readers import read_side_by_side
    from mcp_highlight.engine.media.probe import probe
    from mcp_highlight.engine.plan.planner import PlanRequest, plan_reel

    t0 = time.perf_counter()
    analysis = analyse(probe(path, max_bytes=1 << 40), cache_dir=None, read=read or read_side_by_side)
    seconds = time.perf_counter() - t0
    plan = plan_reel([analysis], PlanRequest(target_s=reel_s))
    return analysis, [(m.start_s, m.end_s) for m in plan.moments], seconds


def _recording_metrics(truth: Any, kept: list[tuple[float, float]]) -> dict[str, Any]:
    from footage.synth.score import score_reel

    s = score_reel(truth, kept)
    music = [(n.start_s, n.end_s) for n in truth.not_highlights if n.kind in ("dance_music", "pa_music", "ad")]
    from footage.quality import merge_spans, overlap_s

    merged = merge_spans(kept)
    music_s = sum(overlap_s(span, merge_spans(music)) for span in merged)
    return {
        "goals": s.goals, "goals_found": s.goals_found, "every_goal": s.goals_found == s.goals,
        "recall": s.moment_recall, "not_highlight": s.not_highlight_share, "duplicates": s.duplicates,
        "music_share": music_s / s.kept_s if s.kept_s else 0.0, "kept_s": s.kept_s, "missed": s.missed,
    }  # fmt: skip


def _game_metrics(truth: Any, kept: list[tuple[float, float]], reel_s: float) -> dict[str, Any]:
    from footage.quality import precision, recall, reel_capacity

    from mcp_highlight.engine.plan.planner import PlanRequest

    req = PlanRequest(target_s=reel_s)
    margin = (req.lead_in_s, req.reaction_s)
    capacity = reel_capacity(truth.events, reel_s, margin)
    return {
        "recall": recall(truth.events, kept, 0.5, out_of=capacity),
        "precision": precision(truth.events, kept, margin, also_on_target=truth.replays),
        "kept_s": sum(b - a for a, b in kept),
    }


def replay_metrics(truth: Any, found: list[Any]) -> dict[str, int]:
    """The truth's replays that the analysis found, each covered to within a second at both ends (as
    tests/test_replays_from_picture.py asks), and the replays it found that overlap none. Reels hide
    both (a replay found or not rarely changes which clips are kept), so the sweep reports them apart."""
    covered = sum(any(f.start_s <= r.start_s + 1 and r.end_s - 1 <= f.end_s for f in found) for r in truth.replays)
    false = sum(not any(f.start_s < r.end_s and r.start_s < f.end_s for r in truth.replays) for f in found)
    return {"replays": len(truth.replays), "replays_found": covered, "replays_false": false}


def scored(family: str, seed: int, axes: dict[str, Any], truth: Any, judged: tuple[Any, list, float]) -> dict[str, Any]:
    """One run's row: ours and the naive baseline against the truth."""
    fam = FAMILIES[family]
    analysis, kept, seconds = judged
    if family == "game":
        ours, base = _game_metrics(truth, kept, fam.reel_s), _game_metrics(truth, _loudest(analysis, fam.reel_s), fam.reel_s)
    else:
        ours, base = _recording_metrics(truth, kept), _recording_metrics(truth, _loudest(analysis, fam.reel_s))
        if truth.replays:
            ours.update(replay_metrics(truth, analysis.replays))
    return {"family": family, "seed": seed, "axes": axes, "ours": ours, "loudest": base, "analyse_s": seconds}


@contextmanager
def footage(family: str, seed: int, picture: dict[str, Any], sound: dict[str, Any]) -> Iterator[tuple[Path, Any]]:
    """A run's file and its truth: the older game as cached, else the seed's picture and the sound variant
    muxed (stream copy) into a scratch file that lives as long as the context."""
    fam = FAMILIES[family]
    if family == "game":
        yield _game(fam, seed)
        return
    from footage.synth.encode import mux

    video = _picture(fam, seed, picture)
    audio, truth = _track(fam, seed, picture, sound)
    scratch = CACHE / "scratch"
    scratch.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=scratch) as tmp:
        yield mux(video, audio, Path(tmp) / "run.mp4"), truth


def run_seed(
    family: str, seed: int, picture: dict[str, Any], sounds: list[dict[str, Any]], keep: Path | None = None
) -> list[dict[str, Any]]:
    """Every run of one seed (one picture, each sound variant): one row per run, ours and the baseline.
    With `keep`, each run's one-pass reads are kept there to judge again (`judgement_reads`)."""
    import judgement_reads

    rows: list[dict[str, Any]] = []
    for k, sound in enumerate(sounds if family != "game" else [{}]):
        t0 = time.perf_counter()
        with footage(family, seed, picture, sound) as (path, truth):
            made = time.perf_counter() - t0
            read = judgement_reads.recording(keep, (family, seed, picture, sound, k)) if keep else None
            judged = judge(path, FAMILIES[family].reel_s, read)
        rows.append({**scored(family, seed, {**picture, **sound}, truth, judged), "make_s": made})
    return rows
