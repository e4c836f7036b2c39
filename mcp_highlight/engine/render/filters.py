"""FFmpeg filter-graph text for the re-encode path, built from plain numbers so it can be tested on its own.

Every clip is normalised the same way (constant fps, SAR 1, the reel's frame, yuv420p, 48 kHz stereo)
so the `concat` filter can join clips from different files, then the reel-wide overlays go on top.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import partial

from mcp_highlight.engine.render.reframe import CropPath, resolve_fit
from mcp_highlight.engine.render.spec import Fit, TitlePosition

FPS = 30  # the reel's rate when the sources' own rate is not kept (see `render_args.reel_rate`)
SAMPLE_RATE = 48000
TITLE_FADE_S = 0.4
_ASPECT_SLACK = 0.01  # shapes within 1% count as equal: scale only, no crop or blur


def rate_text(fps: Fraction) -> str:
    """`30`, or `30000/1001`: how ffmpeg options and filters take a frame rate."""
    return str(fps.numerator) if fps.denominator == 1 else f"{fps.numerator}/{fps.denominator}"


def even(value: float) -> int:
    """Round to the nearest even integer, at least 2 (yuv420p needs even sizes)."""
    return max(2, round(value / 2.0) * 2)


def crop_to_fill(display: tuple[int, int], frame: tuple[int, int]) -> tuple[int, int]:
    """The centred (width, height) of the picture that has the frame's shape."""
    dw, dh = display
    fw, fh = frame
    target = fw / fh
    if dw / dh > target:
        return min(dw, even(dh * target)), dh
    return dw, min(dh, even(dw / target))


def scale_to_fit(display: tuple[int, int], frame: tuple[int, int]) -> tuple[int, int]:
    """The (width, height) of the whole picture scaled to sit inside the frame."""
    dw, dh = display
    fw, fh = frame
    if dw / dh > fw / fh:
        return fw, min(fh, even(fw * dh / dw))
    return min(fw, even(fh * dw / dh)), fh


def same_shape(display: tuple[int, int], frame: tuple[int, int]) -> bool:
    return abs(display[0] / display[1] - frame[0] / frame[1]) <= _ASPECT_SLACK * frame[0] / frame[1]


@dataclass(frozen=True)
class ClipVideo:
    """One clip's video: its ffmpeg input index, shown size (after rotation) and length in frames."""

    input_index: int
    display: tuple[int, int]
    frames: int
    caption_input: int | None = None
    crop_path: CropPath | None = None
    """fit "follow": where the crop window sits, frame by frame (None: the centre)."""
    stream: int = 0  # index of the main picture among the input's streams
    fps: Fraction = Fraction(FPS)
    interlaced: bool = False
    hdr: str | None = None  # "hlg" or "pq"


def hdr_to_sdr(hdr: str) -> str:
    """HLG or PQ (BT.2020, usually 10-bit) to BT.709 SDR: to linear light, tone-map, then the BT.709 transfer.

    Linear light is scaled so that HDR reference white (203 nits, BT.2408: where phones put SDR white)
    is SDR white, so mid-tones keep the brightness an SDR recording of the same scene has. Highlights
    above it are rolled off by the `mobius` curve, which leaves everything below 90 % untouched
    (`hable` would darken the whole picture by a third).
    """
    transfer = {"hlg": "arib-std-b67", "pq": "smpte2084"}[hdr]
    return (
        f"zscale=tin={transfer}:min=bt2020nc:pin=bt2020:rin=tv:t=linear:npl={HDR_WHITE_NITS},"
        "format=gbrpf32le,zscale=p=bt709,tonemap=tonemap=mobius:param=0.9:desat=0,"
        "zscale=t=bt709:m=bt709:r=tv,format=yuv420p"
    )


HDR_WHITE_NITS = 203
BT709_TAGS = "setparams=color_primaries=bt709:color_trc=bt709:colorspace=bt709:range=tv"
"""Say what the pixels are: the encoder writes the frames' tags, and an untagged HD file is guessed at by players."""


@dataclass(frozen=True)
class ClipAudio:
    input_index: int | None  # None: the source has no audio; a silent track of the same length stands in
    duration_s: float


def follow_crop(path: CropPath) -> str:
    """`crop` whose window moves along the planned path (an expression of the frame number `n`)."""
    cw, ch = path.crop
    moving = f"'{path.expression()}'"
    x, y = (moving, "0") if path.axis == "x" else ("0", moving)
    return f"crop={cw}:{ch}:{x}:{y}"


def fit_filters(
    src: str,
    dst: str,
    *,
    display: tuple[int, int],
    frame: tuple[int, int],
    fit: Fit,
    tag: str,
    crop_path: CropPath | None = None,
) -> list[str]:
    """Filter chains taking `[src]` to `[dst]` at exactly `frame`: centre crop, a crop that follows the
    action along `crop_path`, or the blurred fill (also what `follow` falls back to for wide action)."""
    width, height = frame
    if same_shape(display, frame):
        return [f"[{src}]scale={width}:{height},setsar=1[{dst}]"]
    fit = resolve_fit(fit, display, frame)  # type: ignore[assignment]
    cw, ch = crop_to_fill(display, frame)
    crop = f"crop={cw}:{ch}:(iw-{cw})/2:(ih-{ch})/2"
    if fit == "follow" and crop_path is not None and not crop_path.blur:
        return [f"[{src}]{follow_crop(crop_path)},scale={width}:{height},setsar=1[{dst}]"]
    if fit == "crop" or (fit == "follow" and crop_path is None):
        return [f"[{src}]{crop},scale={width}:{height},setsar=1[{dst}]"]
    fg_w, fg_h = scale_to_fit(display, frame)
    small_w, small_h = even(width / 8), even(height / 8)
    return [
        f"[{src}]split=2[bg{tag}][fg{tag}]",
        # The background is blurred at 1/8 size: it costs little and looks the same once scaled up.
        f"[bg{tag}]{crop},scale={small_w}:{small_h},boxblur=6:2,eq=brightness=-0.08,scale={width}:{height},setsar=1[bgb{tag}]",
        f"[fg{tag}]scale={fg_w}:{fg_h},setsar=1[fgs{tag}]",
        f"[bgb{tag}][fgs{tag}]overlay=({width}-{fg_w})/2:({height}-{fg_h})/2[{dst}]",
    ]


def clip_video_filters(
    clip: ClipVideo, out: str, *, frame: tuple[int, int], fit: Fit, caption_xy: tuple[int, int] | None = None
) -> list[str]:
    """Decoded clip -> exactly `clip.frames` frames at `clip.fps`, frame-sized, SAR 1, BT.709 yuv420p, captioned if asked.

    Interlaced pictures are deinterlaced first (bwdif, one frame per frame), before any scaling mixes the
    fields; HDR is converted to SDR at the smaller of the source's and the reel's size (the float maths is costly).
    """
    tag = f"c{clip.input_index}"
    fps = rate_text(clip.fps)
    deinterlace = "bwdif=mode=send_frame:parity=auto:deint=all," if clip.interlaced else ""
    chains = [
        # Timestamps from 0, a constant rate, then pad (clone the last frame) and trim so the length is exact
        # even when the source ends early or its frame times do not land on our grid.
        f"[{clip.input_index}:{clip.stream}]{deinterlace}setpts=PTS-STARTPTS,fps={fps},"
        f"tpad=stop_mode=clone:stop_duration=1,trim=end_frame={clip.frames},setpts=N/({fps}*TB)[raw{tag}]"
    ]
    fitted = f"fit{tag}" if clip.caption_input is not None else f"fmt{tag}"
    fit_to = partial(fit_filters, display=clip.display, frame=frame, fit=fit, tag=tag, crop_path=clip.crop_path)
    if clip.hdr and clip.display[0] * clip.display[1] <= frame[0] * frame[1]:
        # A source no bigger than the reel: convert before scaling up (fewer pixels to tone-map).
        chains[0] = chains[0].replace(f"[raw{tag}]", f",{hdr_to_sdr(clip.hdr)}[raw{tag}]")
        chains += fit_to(f"raw{tag}", fitted)
    elif clip.hdr:
        chains += fit_to(f"raw{tag}", f"sdr{tag}")
        chains.append(f"[sdr{tag}]{hdr_to_sdr(clip.hdr)}[{fitted}]")
    else:
        chains += fit_to(f"raw{tag}", fitted)
    if clip.caption_input is not None and caption_xy is not None:
        x, y = caption_xy
        chains.append(f"[{fitted}][{clip.caption_input}:v]overlay={x}:{y}:eof_action=repeat[fmt{tag}]")
    chains.append(f"[fmt{tag}]format=yuv420p,{BT709_TAGS}[{out}]")
    return chains


def clip_audio_filters(clip: ClipAudio, out: str, *, fade_s: float) -> list[str]:
    """Clip audio -> 48 kHz stereo of exactly the clip's length, faded in and out so the cut does not click."""
    duration = clip.duration_s
    fade = min(fade_s, duration / 2)
    if clip.input_index is None:
        head = f"anullsrc=r={SAMPLE_RATE}:cl=stereo,atrim=duration={duration:.6f}"
    else:
        head = (
            f"[{clip.input_index}:a:0]aresample={SAMPLE_RATE},asetpts=PTS-STARTPTS,apad,atrim=duration={duration:.6f}"
        )
    chain = f"{head},aformat=sample_fmts=fltp:sample_rates={SAMPLE_RATE}:channel_layouts=stereo"
    if fade > 0:
        chain += f",afade=t=in:d={fade:.4f},afade=t=out:st={duration - fade:.6f}:d={fade:.4f}"
    return [f"{chain}[{out}]"]


def music_filters(
    input_index: int, src: str, out: str, *, duration_s: float, volume: float, fade_s: float
) -> list[str]:
    """Loop-or-trim the music to the reel, set its level and fades, then mix it under `[src]`.

    amix runs with normalize=0 so the game sound keeps its full level instead of being halved.
    """
    fade = min(fade_s, duration_s / 2)
    chain = (
        f"[{input_index}:a:0]aresample={SAMPLE_RATE},aformat=sample_fmts=fltp:channel_layouts=stereo,"
        f"asetpts=PTS-STARTPTS,apad,atrim=duration={duration_s:.6f},volume={volume:.4f}"
    )
    if fade > 0:
        chain += f",afade=t=in:d={fade:.4f},afade=t=out:st={duration_s - fade:.6f}:d={fade:.4f}"
    return [
        f"{chain}[music]",
        f"[{src}][music]amix=inputs=2:duration=first:dropout_transition=0:normalize=0[{out}]",
    ]


def title_y(position: TitlePosition, frame_height: int, image_height: int) -> int:
    """Top edge of the title: centred in the lower or upper third (or the middle) of the frame."""
    centre = {"lower_third": 0.78, "upper_third": 0.22, "center": 0.5}[position] * frame_height
    return int(min(max(centre - image_height / 2, 0), frame_height - image_height))


def title_filters(
    input_index: int,
    src: str,
    out: str,
    *,
    frame: tuple[int, int],
    size: tuple[int, int],
    y: int,
    start_s: float,
    end_s: float,
    fade_in: bool = True,
    fade_out: bool = True,
) -> list[str]:
    """Overlay the (looped) title image from `start_s` to `end_s`, centred horizontally over `[src]`.

    It fades in and out unless this part of the reel only holds the middle of it (`fade_in` / `fade_out`).
    """
    fade = min(TITLE_FADE_S, (end_s - max(start_s, 0.0)) / 3)
    fades = []
    if fade_in:
        fades.append(f"fade=t=in:st={max(start_s, 0.0):.4f}:d={fade:.4f}:alpha=1")
    if fade_out:
        fades.append(f"fade=t=out:st={max(end_s - fade, 0.0):.4f}:d={fade:.4f}:alpha=1")
    x = (frame[0] - size[0]) // 2
    return [
        f"[{input_index}:v]{','.join(['format=rgba', *fades])}[title]",
        f"[{src}][title]overlay={x}:{y}:eof_action=pass,format=yuv420p[{out}]",
    ]


def video_concat_filter(video_labels: list[str], out: str) -> str:
    return f"{''.join(f'[{v}]' for v in video_labels)}concat=n={len(video_labels)}:v=1:a=0[{out}]"


def audio_concat_filter(audio_labels: list[str], out: str) -> str:
    return f"{''.join(f'[{a}]' for a in audio_labels)}concat=n={len(audio_labels)}:v=0:a=1[{out}]"


def logo_filters(
    input_index: int, src: str, out: str, *, frame: tuple[int, int], size: tuple[int, int], corner: str, margin: int
) -> list[str]:
    """Overlay the (looped) logo image in a corner of `[src]` for the whole part."""
    x = margin if corner.endswith("left") else frame[0] - size[0] - margin
    y = margin if corner.startswith("top") else frame[1] - size[1] - margin
    return [
        f"[{input_index}:v]format=rgba[logo]",
        f"[{src}][logo]overlay={x}:{y}:eof_action=pass,format=yuv420p[{out}]",
    ]
