"""A generated football broadcast with ground truth: what `synth_broadcast` writes and why.

Modelled on a real TV feed: a camera that never stops panning, director cuts every 4–15 s, a
commentator throughout, goals (a long loud roar, a whistle, a slow-motion replay between wipes)
and chances (a short, smaller roar), and things a loudness or motion cutter would wrongly keep:
chants, an ad break with loud music and busy graphics, stadium PA music, counter-attacks that
draw no reaction, foul whistles, and a crowd bed that drifts by several dB.

`PictureVariant` and `SoundVariant` (footage/synth/variants.py) move one property each towards real
footage; the benchmark draws the picture once per seed (`synth_broadcast_picture`) and lays many
sound tracks over it (`broadcast_track`, `mux`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from footage.synth.broadcast_picture import FH, FW, frames
from footage.synth.broadcast_script import Script, script, with_extras
from footage.synth.broadcast_sound import broadcast_sound
from footage.synth.encode import encode
from footage.synth.truth import RecordingTruth, TrueMoment, TrueReplay, TrueSpan
from footage.synth.variants import PictureVariant, SoundVariant

BROADCAST_VERSION = 3
"""Bump when the generated picture or sound changes, so cached test media is rebuilt."""
NOISE_KINDS = {"ad": "ad", "chant": "chant", "counter": "counter", "pa": "pa_music", "shout": "shout"}


def broadcast_truth(plan: Script) -> RecordingTruth:
    moments: list[TrueMoment] = []
    replays: list[TrueReplay] = []
    noise: list[TrueSpan] = []
    whistles = list(plan.fouls)
    for e in plan.events:
        if e.kind in ("goal", "chance"):
            if e.replay:
                replays.append(TrueReplay(of=len(moments), start_s=e.replay[0], end_s=e.replay[1]))
            if e.whistle:
                whistles.append(e.whistle)
            grade = 1.0 if e.kind == "goal" else round(e.roar_db / 18.0, 3)
            moments.append(TrueMoment(kind=e.kind, start_s=e.start, peak_s=e.end, end_s=e.roar_end, grade=grade))  # type: ignore[arg-type]
        else:
            noise.append(TrueSpan(kind=NOISE_KINDS[e.kind], start_s=e.start, end_s=e.end))  # type: ignore[arg-type]
    # A "cut" to the shot already on screen (wide to wide) changes nothing in the picture: not a cut.
    shots = ["wide"] + [k for _, k in plan.cuts]
    cuts = [c for (c, k), before in zip(plan.cuts, shots, strict=False) if k != before]
    for e in plan.of("ad"):  # the ad break cuts between spots every 1.6 s
        t = e.start + 1.6
        while t < e.end - 0.2:
            cuts.append(round(t, 3))
            t += 1.6
    return RecordingTruth(
        kind="broadcast",
        duration_s=plan.duration,
        moments=moments,
        replays=replays,
        not_highlights=noise,
        cuts=sorted(cuts),
        whistles=sorted(whistles),
    )


def broadcast_track(
    duration_s: float, seed: int, picture: PictureVariant, sound: SoundVariant
) -> tuple[np.ndarray, RecordingTruth]:
    """The sound track of one variant over the seed's picture, and the truth of the pair."""
    plan = with_extras(
        script(duration_s, seed, early_replay=picture.early_replay),
        seed,
        chants_after_goals=sound.chants_after_goals,
        shouts=sound.shouts,
    )
    return broadcast_sound(plan, seed, sound), broadcast_truth(plan)


def synth_broadcast_picture(
    path: Path,
    *,
    duration_s: float,
    size: tuple[int, int],
    fps: int = 25,
    keyint_s: float = 2.0,
    seed: int = 0,
    picture: PictureVariant | None = None,
) -> None:
    """Write only the picture of a broadcast (an MP4 with no sound) for `mux` to pair with tracks."""
    p = picture or PictureVariant()
    plan = script(duration_s, seed, early_replay=p.early_replay)
    encode(Path(path), frames(plan, fps, seed, p.replay_graphic), None, size=size, frame_size=(FW, FH),
           fps=fps, keyint_s=keyint_s, scene_keyframes=False)  # fmt: skip


def synth_broadcast(
    path: Path,
    *,
    duration_s: float = 600.0,
    size: tuple[int, int] = (1280, 720),
    fps: int = 25,
    keyint_s: float = 2.0,
    scene_keyframes: bool = False,
    seed: int = 0,
    picture: PictureVariant | None = None,
    sound: SoundVariant | None = None,
) -> RecordingTruth:
    """Write a broadcast-style game to `path` (MP4) and return its truth (also saved next to it)."""
    path = Path(path)
    p, s = picture or PictureVariant(), sound or SoundVariant()
    track, truth = broadcast_track(duration_s, seed, p, s)
    plan = script(duration_s, seed, early_replay=p.early_replay)
    encode(
        path,
        frames(plan, fps, seed, p.replay_graphic),
        track,
        size=size,
        frame_size=(FW, FH),
        fps=fps,
        keyint_s=keyint_s,
        scene_keyframes=scene_keyframes,
    )
    truth.save(path)
    return truth
