"""The wing-play footage (action off-centre, ball position known per frame), generated once and cached."""

from __future__ import annotations

from pathlib import Path

from footage.samples_wing import WING_VERSION, WingTruth, synth_wing_play


def wing_play(
    media_cache: Path, *, width: int = 640, height: int = 360, duration_s: float = 30.0
) -> tuple[Path, WingTruth]:
    path = media_cache / f"wing-play-v{WING_VERSION}-{width}x{height}-{duration_s:g}s.mp4"
    side = path.with_suffix(".truth.json")
    if path.exists() and side.exists():
        return path, WingTruth.model_validate_json(side.read_text())
    tmp = path.with_name("tmp-" + path.name)
    truth = synth_wing_play(tmp, duration_s=duration_s, width=width, height=height)
    tmp.replace(path)
    side.write_text(truth.model_dump_json())
    return path, truth
