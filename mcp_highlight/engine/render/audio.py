"""The reel's sound: each clip's own sound (or silence) faded at the cuts, joined, the music bed mixed under it.

The finished video is copied as it is; this step writes the final MP4 (AAC 48 kHz stereo, moov atom first).
"""

from __future__ import annotations

from pathlib import Path

from mcp_highlight.core.durations import format_clock
from mcp_highlight.core.progress import ProgressFn
from mcp_highlight.engine.media.ffmpeg import run_ffmpeg
from mcp_highlight.engine.render import clip_audio
from mcp_highlight.engine.render import filters as rf
from mcp_highlight.engine.render.encoder_args import audio_codec_args, graph_args, mp4_args
from mcp_highlight.engine.render.sources import Span
from mcp_highlight.engine.render.spec import RenderSpec


def mux_final(
    spec: RenderSpec, video: Path, spans: list[Span], work: Path, partial: Path, progress: ProgressFn
) -> list[str]:
    """Copy the finished video and build the audio: each clip's sound (or silence) faded at the cuts,
    joined, with the music bed mixed under it; AAC, moov atom first. Returns warnings about damaged sound."""
    total = sum(s.duration_s for s in spans)
    args = ["-i", str(video)]
    audio_clips: list[rf.ClipAudio] = []
    n_inputs = 1
    with_sound = [span for span in spans if span.source.has_audio]
    extracted = clip_audio.extract_all([(s.source.path, s.start_s, s.duration_s) for s in with_sound], work)
    raw = iter(extracted)
    for span in spans:
        if span.source.has_audio:
            args += next(raw).input_args()
            audio_clips.append(rf.ClipAudio(input_index=n_inputs, duration_s=span.duration_s))
            n_inputs += 1
        else:
            audio_clips.append(rf.ClipAudio(input_index=None, duration_s=span.duration_s))
    graph = [
        chain
        for i, clip in enumerate(audio_clips)
        for chain in rf.clip_audio_filters(clip, f"a{i}", fade_s=spec.audio_fade_s)
    ]
    graph.append(rf.audio_concat_filter([f"a{i}" for i in range(len(audio_clips))], "game"))
    audio_out = add_music(spec, args, graph, n_inputs, "game", total)
    args += graph_args(graph, work)
    args += ["-map", "0:v:0", "-map", f"[{audio_out}]", "-c:v", "copy", *audio_codec_args(), *mp4_args(partial)]
    run_ffmpeg(args, duration_s=total, progress=progress, message="Mixing audio")
    return damage_warnings(
        [(span.source.path.name, t) for span, cut in zip(with_sound, extracted, strict=True) for t in cut.damaged_at_s],
        what="sound",
    )


def damage_warnings(damaged: list[tuple[str, float]], *, what: str, cluster_s: float = 10.0) -> list[str]:
    """`3 damaged sound frames near 12:04 in game.mts were skipped`, one line per cluster of nearby damage."""
    lines: list[str] = []
    for name in dict.fromkeys(n for n, _ in damaged):
        times = sorted({t for n, t in damaged if n == name})
        group: list[float] = []
        for t in [*times, float("inf")]:
            if group and t - group[-1] > cluster_s:
                count = len(group)
                frames = "frame was" if count == 1 else "frames were"
                lines.append(f"{count} damaged {what} {frames} skipped near {format_clock(group[0])} in {name}.")
                group = []
            group.append(t)
    return lines


def add_music(spec: RenderSpec, args: list[str], graph: list[str], index: int, src: str, total: float) -> str:
    """Append the music input and its mix; return the label of the final audio."""
    if spec.music is None:
        return src
    args += ["-vn", "-stream_loop", "-1", "-t", f"{total + 1:.4f}", "-i", str(spec.music.path.expanduser().absolute())]
    graph += rf.music_filters(index, src, "mixed", duration_s=total, volume=spec.music.volume, fade_s=spec.music.fade_s)
    return "mixed"
