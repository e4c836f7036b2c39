"""Synthetic footage made with FFmpeg's own sources: for the demo, the tests and the benchmark.

`synth_game` makes a "match" with known highlights (ground truth), so analysis can be tested
honestly: calm play with crowd murmur, EVENTS (fast action, then a crowd roar swelling a second
later, then a cut to a replay camera) and DISTRACTORS that share only one half of an event's
signature (a loud horn over calm play; fast action over a flat murmur).
"""

from __future__ import annotations

import json
import random
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel, Field

from mcp_highlight.engine.media.ffmpeg import ffmpeg_exe

Span = tuple[float, float]

ROAR_LAG_S = 1.0
"""The crowd reacts this long after the action starts."""
ROAR_RISE_S = 1.5
ROAR_TAIL_S = 1.5
"""The roar holds this long past the end of the action, then decays over ROAR_RISE_S."""
REPLAY_AFTER_S = 3.0
REPLAY_S = 3.0
GENERATOR_VERSION = 3
# The horn is as loud as a crowd roar (PA and air horns are): loudness alone cannot tell them apart.
HORN_GAIN = 2.4
"""Bump when the generated picture or sound changes, so cached test media is rebuilt."""


class GroundTruth(BaseModel):
    """What a synthetic game really contains, in seconds from the start."""

    duration_s: float
    events: list[Span] = Field(description="True highlights: the action span (the roar follows it).")
    loud_only: list[Span] = Field(default_factory=list, description="Loud sound over a calm picture.")
    motion_only: list[Span] = Field(default_factory=list, description="Fast action with a flat murmur.")
    replays: list[Span] = Field(default_factory=list, description="Replay-camera shots after events.")
    cuts: list[float] = Field(default_factory=list, description="Scene cuts (into and out of replays).")
    has_audio: bool = True

    def shifted(self, offset: float) -> GroundTruth:
        def move(spans: list[Span]) -> list[Span]:
            return [(a + offset, b + offset) for a, b in spans]

        return self.model_copy(
            update={
                "events": move(self.events),
                "loud_only": move(self.loud_only),
                "motion_only": move(self.motion_only),
                "replays": move(self.replays),
                "cuts": [c + offset for c in self.cuts],
            }
        )

    def save(self, media: Path) -> Path:
        side = truth_path(media)
        side.write_text(self.model_dump_json())
        return side


def truth_path(media: Path) -> Path:
    """The ground-truth sidecar written next to a generated game."""
    return media.with_name(media.name + ".truth.json")


def load_truth(media: Path) -> GroundTruth:
    return GroundTruth.model_validate(json.loads(truth_path(media).read_text()))


def _run(cmd: list[str]) -> None:
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"ffmpeg failed ({done.returncode}): {done.stderr.strip()[-2000:]}")


def synth_clip(
    path: Path,
    *,
    duration_s: float = 5.0,
    width: int = 640,
    height: int = 360,
    fps: int = 30,
    audio: bool = True,
    vcodec: str = "libx264",
    extra_output_args: tuple[str, ...] = (),
) -> Path:
    """A plain test pattern with a tone; the container follows the file's extension."""
    path.parent.mkdir(parents=True, exist_ok=True)
    cmd = [
        ffmpeg_exe(),
        "-hide_banner",
        "-loglevel",
        "error",
        "-y",
        "-f",
        "lavfi",
        "-i",
        f"testsrc2=size={width}x{height}:rate={fps}:duration={duration_s}",
    ]
    if audio:
        cmd += ["-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={duration_s}"]
    cmd += ["-c:v", vcodec, "-pix_fmt", "yuv420p"]
    if vcodec == "libx264":
        cmd += ["-preset", "ultrafast", "-g", str(fps * 2)]
    if audio:
        cmd += ["-c:a", "libopus" if path.suffix == ".webm" else "aac", "-ac", "2"]
    cmd += [*extra_output_args, "-shortest", str(path)]
    subprocess.run(cmd, check=True, capture_output=True)
    return path


def _layout(duration_s: float, distractors: bool, seed: int) -> tuple[list[Span], list[Span], list[Span]]:
    """Spread events and distractors over the game, one per slot, in a shuffled order."""
    n_events = max(1, int(duration_s // 40))
    n_each = max(1, int(duration_s // 100)) if distractors else 0
    kinds = ["event"] * n_events + ["loud"] * n_each + ["motion"] * n_each
    margin = min(3.0, duration_s * 0.1)
    while len(kinds) > 1 and (duration_s - 2 * margin) / len(kinds) < 14:
        # Too short for everything: drop distractors first, then events, keeping one event.
        for kind in ("motion", "loud", "event"):
            if kind in kinds and (kind != "event" or kinds.count("event") > 1):
                kinds.remove(kind)
                break
    rng = random.Random(seed)
    rng.shuffle(kinds)
    slot = (duration_s - 2 * margin) / len(kinds)
    spans: dict[str, list[Span]] = {"event": [], "loud": [], "motion": []}
    for i, kind in enumerate(kinds):
        length = min(rng.uniform(4.0, 6.0), 0.4 * slot)
        # Leave room after each span for an event's roar tail and replay (REPLAY_AFTER_S + REPLAY_S).
        tail = min(REPLAY_AFTER_S + REPLAY_S + 1.0, 0.3 * slot)
        start = margin + i * slot + rng.uniform(0.0, max(0.0, slot - length - tail))
        spans[kind].append((round(start, 2), round(start + length, 2)))
    return spans["event"], spans["loud"], spans["motion"]


def _any(spans: Sequence[Span]) -> str:
    """An FFmpeg expression of `t` that is 1 inside any span, else 0."""
    return "+".join(f"between(t,{a:.3f},{b:.3f})" for a, b in spans) or "0"


def _envelope(spans: Sequence[Span], rise: float, lag: float = 0.0, tail: float = 0.0) -> str:
    """Sum of trapezoids: 0→1 over `rise` from a+lag, holding to b+tail, 1→0 over `rise`."""
    parts = [f"clip((t-{a + lag:.3f})/{rise},0,1)*clip(({b + tail + rise:.3f}-t)/{rise},0,1)" for a, b in spans]
    return "+".join(parts) or "0"


def synth_game(
    path: Path,
    *,
    duration_s: float = 120.0,
    width: int = 1280,
    height: int = 720,
    fps: int = 30,
    events: Sequence[Span] | None = None,
    loud_only: Sequence[Span] | None = None,
    motion_only: Sequence[Span] | None = None,
    distractors: bool = True,
    replays: bool = True,
    audio: bool = True,
    seed: int = 0,
    crf: int = 26,
    rotation: int = 0,
    variable_fps: bool = False,
    static_video: bool = False,
    extra_output_args: Sequence[str] = (),
) -> GroundTruth:
    """Write a synthetic match to `path` (container from its extension) and return its ground truth.

    Events, distractors and replays are placed automatically (deterministic for a `seed`) unless
    given. `rotation` adds display-rotation metadata (a phone filmed upright), `variable_fps`
    drops frames unevenly in the first half, `static_video` freezes the picture (audio-only
    signal). The truth is also written next to the file (`<name>.truth.json`, see `load_truth`).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    auto_events, auto_loud, auto_motion = _layout(duration_s, distractors, seed)
    ev = list(events) if events is not None else auto_events
    loud = list(loud_only) if loud_only is not None else (auto_loud if distractors else [])
    motion = list(motion_only) if motion_only is not None else (auto_motion if distractors else [])
    replay_spans: list[Span] = []
    if replays and not static_video:
        for _, b in ev:
            a = min(b + REPLAY_AFTER_S, duration_s)
            replay_spans.append((round(a, 3), round(min(a + REPLAY_S, duration_s), 3)))
        replay_spans = [(a, b) for a, b in replay_spans if b - a > 0.5]
    cuts = sorted(t for span in replay_spans for t in span if 0 < t < duration_s)
    truth = GroundTruth(
        duration_s=duration_s,
        events=ev,
        loud_only=loud,
        motion_only=motion,
        replays=replay_spans,
        cuts=cuts,
        has_audio=audio,
    )

    w, h = width - width % 2, height - height % 2
    action = _any([*ev, *motion]) if not static_video else "0"
    d = f"{duration_s:.3f}"
    stripes = ",".join(f"drawbox=x={i * w // 16}:y=0:w={max(2, w // 32)}:h=ih:color=0x358a3c:t=fill" for i in range(32))
    line = max(2, h // 270)
    inputs = [
        # 0: the pitch, twice as wide as the frame so the camera can pan across it.
        f"color=c=0x2f7a35:s={2 * w}x{h}:r={fps}:d={d}",
        # 1: a player; 2: the busy patch of play (noise) shown only during action.
        f"color=c=white:s={max(4, w // 80)}x{max(4, h // 22)}:r={fps}:d={d}",
        f"color=c=0x808080:s={w // 4}x{h // 4}:r={fps}:d={d}",
        # 3: the replay camera: a close-up, different colours, slow movement.
        f"color=c=0x1f4f8f:s={w + w // 4}x{h}:r={fps}:d={d}",
    ]
    pan = "0" if static_video else f"{w / 2:.0f}+{w / 3:.0f}*sin(t/20)+{w / 4:.0f}*sin(t*1.3)*({action})"
    player_x = "W/2" if static_video else f"W/2+W/6*sin(t/7)+W/5*sin(t*4)*({action})"
    player_y = "H/2" if static_video else f"H/2+H/10*cos(t/5)+H/5*cos(t*5)*({action})"
    graph = [
        f"[0]{stripes},drawbox=x=0:y=ih/2-{line}:w=iw:h={2 * line}:color=white:t=fill,"
        f"drawbox=x=iw/2-{line}:y=0:w={2 * line}:h=ih:color=white:t=fill,"
        f"loop=loop=-1:size=1,crop=w={w}:h={h}:x='{pan}':y=0[bg]",
        "[2]noise=alls=12:allf=t+u[busy]",
        f"[bg][busy]overlay=x='W/3+W/8*sin(t*5)':y=H/3:enable='{action}'[v1]",
        f"[v1][1]overlay=x='{player_x}':y='{player_y}'[v2]",
        "[3]drawbox=x=iw/3:y=ih/4:w=iw/6:h=ih/2:color=white:t=fill[rp]",
        f"[v2][rp]overlay=x='-W/8+W/16*sin(t/2)':y=0:enable='{_any(replay_spans)}'[v3]",
    ]
    vout = "[v3]"
    if variable_fps:
        graph.append(f"[v3]select='gte(t,{duration_s / 2:.3f})+not(eq(mod(n,5),2))'[v4]")
        vout = "[v4]"
    if audio:
        inputs += [
            f"anoisesrc=color=brown:amplitude=0.08:sample_rate=48000:d={d}:seed={seed + 1}",
            f"anoisesrc=color=pink:amplitude=0.5:sample_rate=48000:d={d}:seed={seed + 2}",
            f"sine=frequency=233:sample_rate=48000:d={d}",
            f"sine=frequency=349:sample_rate=48000:d={d}",
        ]
        roar = _envelope(ev, ROAR_RISE_S, lag=ROAR_LAG_S, tail=ROAR_TAIL_S)
        horn = _envelope(loud, 0.3)
        graph += [
            "[4]volume='1+0.25*sin(t/7)':eval=frame[murmur]",
            f"[5]volume='{roar}':eval=frame[roar]",
            f"[6][7]amix=inputs=2:normalize=0,tremolo=f=4:d=0.3,volume='{HORN_GAIN}*({horn})':eval=frame[horn]",
            "[murmur][roar][horn]amix=inputs=3:normalize=0,alimiter=limit=0.95[a]",
        ]
    cmd = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y"]
    for source in inputs:
        cmd += ["-f", "lavfi", "-i", source]
    cmd += ["-filter_complex", ";".join(graph), "-map", vout]
    if audio:
        cmd += ["-map", "[a]"]
    cmd += _codec_args(path.suffix.lower(), fps, crf, audio)
    if variable_fps:
        cmd += ["-fps_mode", "vfr"]
    cmd += [*extra_output_args, "-t", d]

    if rotation:
        with tempfile.TemporaryDirectory(dir=path.parent) as tmp:
            plain = Path(tmp) / f"plain{path.suffix}"
            _run([*cmd, str(plain)])
            _run(
                [
                    ffmpeg_exe(),
                    "-hide_banner",
                    "-loglevel",
                    "error",
                    "-y",
                    "-display_rotation",
                    str(rotation),
                    "-i",
                    str(plain),
                    "-c",
                    "copy",
                    str(path),
                ]
            )
    else:
        _run([*cmd, str(path)])
    truth.save(path)
    return truth


def _codec_args(suffix: str, fps: int, crf: int, audio: bool) -> list[str]:
    if suffix == ".webm":
        video = ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "1M"]
        sound = ["-c:a", "libopus", "-b:a", "96k"]
    elif suffix == ".avi":
        video = ["-c:v", "mpeg4", "-q:v", "5"]
        sound = ["-c:a", "libmp3lame", "-b:a", "128k"]
    else:
        video = ["-c:v", "libx264", "-preset", "ultrafast", "-crf", str(crf)]
        sound = ["-c:a", "aac", "-b:a", "128k"]
    args = [*video, "-g", str(fps * 2), "-pix_fmt", "yuv420p"]
    if audio:
        args += [*sound, "-ac", "2", "-ar", "48000"]
    if suffix in (".mp4", ".mov"):
        args += ["-movflags", "+faststart"]
    return args


def media_duration(path: Path) -> float:
    """Container duration in seconds (PyAV), for shifting ground truth when concatenating."""
    import av

    with av.open(str(path)) as container:
        return float(container.duration or 0) / 1_000_000


def long_game(path: Path, base: Path, repeats: int) -> GroundTruth:
    """Stream-copy `base` end to end `repeats` times (fast, any length) with shifted ground truth.

    `base` must have been made by `synth_game` (its truth sidecar is read).
    """
    path, base = Path(path), Path(base)
    truth = load_truth(base)
    step = media_duration(base) or truth.duration_s
    concat_copies(path, base, repeats)
    parts = [truth.shifted(i * step) for i in range(repeats)]
    combined = GroundTruth(
        duration_s=step * repeats,
        events=[s for p in parts for s in p.events],
        loud_only=[s for p in parts for s in p.loud_only],
        motion_only=[s for p in parts for s in p.motion_only],
        replays=[s for p in parts for s in p.replays],
        cuts=[c for p in parts for c in p.cuts],
        has_audio=truth.has_audio,
    )
    combined.save(path)
    return combined


def concat_copies(path: Path, base: Path, repeats: int) -> Path:
    """`base` end to end `repeats` times into `path`, stream-copied (fast, any length, same codec settings)."""
    path, base = Path(path), Path(base)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", dir=path.parent, delete=False) as listing:
        escaped = str(base.resolve()).replace("'", r"'\''")
        listing.write("".join(f"file '{escaped}'\n" for _ in range(repeats)))
    try:
        cmd = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-f", "concat", "-safe", "0"]
        cmd += ["-i", listing.name, "-c", "copy"]
        if path.suffix.lower() in (".mp4", ".mov"):
            cmd += ["-movflags", "+faststart"]
        _run([*cmd, str(path)])
    finally:
        Path(listing.name).unlink(missing_ok=True)
    return path


def make_sample(path: Path, minutes: float = 2.0, *, width: int = 1280, height: int = 720) -> GroundTruth:
    """A demo game of `minutes` length (720p), for the README walk-through and the CLI."""
    return synth_game(Path(path), duration_s=minutes * 60, width=width, height=height)


def main(argv: Sequence[str] | None = None) -> None:
    """`python -m footage.samples OUT.mp4 [MINUTES]`: write a demo game and print its truth."""
    import sys

    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        raise SystemExit("usage: python -m footage.samples OUT.mp4 [MINUTES]")
    truth = make_sample(Path(args[0]), float(args[1]) if len(args) > 1 else 2.0)
    sys.stderr.write(truth.model_dump_json(indent=1) + "\n")


if __name__ == "__main__":
    main()
