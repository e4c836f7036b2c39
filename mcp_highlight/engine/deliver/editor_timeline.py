"""The reel's edit for an editor: OpenTimelineIO, and through OTIO's own adapters FCP XML and CMX 3600 EDL.

One clip per moment on the video track, pointing at the ORIGINAL source file with its source in/out
(so an editor can trim, extend or regrade from full quality), the title on a track of its own and the
music on an audio track. FCP XML and EDL cannot carry a generated title through OTIO's adapters, so
there it travels as a marker on the first clip; an EDL has one video track only, so the music is
left out of it (the .otio and .fcpxml keep it).
"""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path
from typing import NamedTuple

import av
import opentimelineio as otio
from opentimelineio.opentime import RationalTime, TimeRange

from mcp_highlight.core.errors import BadInputError
from mcp_highlight.engine.deliver.outputs import TIMELINE_SUFFIXES
from mcp_highlight.engine.media import scratch
from mcp_highlight.engine.media.frame_rate import DEFAULT_RATE, standard_rate, to_frames
from mcp_highlight.engine.render.spec import MusicSpec, RenderSpec, TitleSpec

FORMATS = TIMELINE_SUFFIXES
"""File suffix -> OTIO adapter. The adapters come from the otio-fcpx-xml-adapter and otio-cmx3600-adapter packages."""
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class SourceFacts(NamedTuple):
    rate: Fraction | None
    duration_s: float | None
    has_audio: bool


def _source_facts(path: Path) -> SourceFacts:
    """A file's video frame rate, duration in seconds and whether it has sound; None for what cannot be read."""
    try:
        with av.open(str(path)) as container:
            duration = container.duration / 1e6 if container.duration else None
            sound = bool(container.streams.audio)
            if not container.streams.video:
                return SourceFacts(None, duration, sound)
            stream = container.streams.video[0]
            return SourceFacts(Fraction(stream.average_rate) if stream.average_rate else None, duration, sound)
    except (av.FFmpegError, OSError):
        return SourceFacts(None, None, False)


def label(text: str) -> str:
    """A name as editors' formats can carry it: one line, no straight quotes (the FCP XML adapter looks
    names up with XPath, where an apostrophe ends the string), at most 120 characters."""
    one_line = " ".join(_CONTROL.sub(" ", text).split())
    return one_line.replace("'", "\u2019").replace('"', "\u201d")[:120]


def timeline_rate(rates: list[Fraction | None]) -> Fraction:
    """The sources' common standard frame rate, exact (so source timecodes are the sources' own), else 30."""
    known = {standard_rate(r) for r in rates if r}
    if len(known) == 1:
        (rate,) = known
        if rate is not None:
            return rate
    return DEFAULT_RATE


def _time(seconds: float, rate: Fraction) -> RationalTime:
    """`seconds` as a whole frame at `rate`: editors count frames, not milliseconds."""
    return RationalTime(to_frames(seconds, rate), float(rate))


def build_timeline(
    spec: RenderSpec, *, name: str = "Highlights", markers_for_title: bool = False, sound_track: bool = True
) -> otio.schema.Timeline:
    """The reel as an OTIO timeline (see the module docstring for what goes on which track)."""
    facts = {clip.source: _source_facts(clip.source) for clip in spec.clips}
    rate = timeline_rate([f.rate for f in facts.values()])
    timeline = otio.schema.Timeline(name=name, global_start_time=RationalTime(0, rate))
    video = otio.schema.Track(name="Moments", kind=otio.schema.TrackKind.Video)
    for number, clip in enumerate(spec.clips, start=1):
        source = clip.source.expanduser().absolute()
        duration = facts[clip.source].duration_s
        # FCP XML needs every asset's length; when it cannot be read, the clip's end stands in
        available = TimeRange(RationalTime(0, rate), _time(duration or clip.end_s, rate))
        reference = otio.schema.ExternalReference(target_url=source.as_uri(), available_range=available)
        start = _time(clip.start_s, rate)
        length = _time(clip.end_s, rate) - start
        video.append(
            otio.schema.Clip(
                name=label(clip.caption or f"{number:02d} {source.name}"),
                media_reference=reference,
                source_range=TimeRange(start, length),
                metadata={"mcp_highlight": {"moment": number, "source_in_s": clip.start_s, "source_out_s": clip.end_s}},
            )
        )
    timeline.tracks.append(video)
    reel = video.duration()
    if spec.title is not None and spec.title.text.strip():
        _add_title(timeline, video, spec.title, rate, markers_for_title)
    if sound_track and any(f.has_audio for f in facts.values()):
        timeline.tracks.append(_sound_track(video, [facts[clip.source] for clip in spec.clips]))
    if spec.music is not None:
        timeline.tracks.append(_music_track(spec.music, reel, rate))
    return timeline


def _add_title(
    timeline: otio.schema.Timeline, video: otio.schema.Track, title: TitleSpec, rate: Fraction, as_marker: bool
) -> None:
    """The title on a track of its own, or as a marker on the first clip where the format cannot carry it."""
    reel = video.duration()
    span = TimeRange(_time(title.start_s, rate), _time(min(title.duration_s, reel.to_seconds()), rate))
    if as_marker and len(video):
        video[0].markers.append(otio.schema.Marker(name=f"Title: {title.text.strip()}", marked_range=span))
        return
    track = otio.schema.Track(name="Title", kind=otio.schema.TrackKind.Video)
    if span.start_time.value > 0:
        track.append(otio.schema.Gap(source_range=TimeRange(RationalTime(0, rate), span.start_time)))
    generator = otio.schema.GeneratorReference(
        name="title", generator_kind="Text", parameters={"text": title.text.strip(), "position": title.position}
    )
    track.append(
        otio.schema.Clip(
            name=label(title.text), media_reference=generator, source_range=TimeRange(RationalTime(0, rate), span.duration)
        )
    )
    timeline.tracks.append(track)


def _music_track(music_spec: MusicSpec, reel: RationalTime, rate: Fraction) -> otio.schema.Track:
    music = music_spec.path.expanduser().absolute()
    track = otio.schema.Track(name="Music", kind=otio.schema.TrackKind.Audio)
    track.append(
        otio.schema.Clip(
            name=label(music.name),
            media_reference=otio.schema.ExternalReference(
                target_url=music.as_uri(),
                # the render loops a short track under the whole reel
                available_range=TimeRange(
                    RationalTime(0, rate), max(reel, _time(_source_facts(music).duration_s or 0.0, rate))
                ),
            ),
            source_range=TimeRange(RationalTime(0, rate), reel),
            metadata={"mcp_highlight": {"volume": music_spec.volume, "fade_s": music_spec.fade_s}},
        )
    )
    return track


def _sound_track(video: otio.schema.Track, facts: list[SourceFacts]) -> otio.schema.Track:
    """The sources' own sound under each moment (the reel plays it), so editors get picture and sound."""
    track = otio.schema.Track(name="Sound", kind=otio.schema.TrackKind.Audio)
    for clip, fact in zip(video, facts, strict=True):
        if fact.has_audio:
            track.append(otio.schema.Clip(name=clip.name, media_reference=clip.media_reference.clone(),
                                          source_range=clip.source_range))  # fmt: skip
        else:
            track.append(otio.schema.Gap(source_range=TimeRange(duration=clip.source_range.duration)))
    return track


def _with_frame_duration(fcpxml: str, rate: float) -> str:
    """The FCP XML adapter knows 29.97 but not 30000/1001 and leaves the format's frame duration empty;
    its times are already whole frames at the exact rate, so the exact frame duration completes it."""
    exact = Fraction(rate).limit_denominator(1001)
    return fcpxml.replace('frameDuration=""', f'frameDuration="{exact.denominator}/{exact.numerator}s"')


def _with_sound(fcpxml: str, sounding: set[str]) -> str:
    """Assets of sources with sound say so (hasAudio="1"), so Final Cut and Resolve bring the sound in with
    the picture; the adapter marks an asset as having sound only when it sits on an audio lane."""

    def mark(match: re.Match[str]) -> str:
        tag = match.group(0)
        return tag.replace('hasAudio="0"', 'hasAudio="1" audioSources="1"') if match.group("src") in sounding else tag

    return re.sub(r'<asset\b[^>]*\bsrc="(?P<src>[^"]*)"[^>]*>', mark, fcpxml)


def write_timeline(spec: RenderSpec, path: Path, *, name: str = "Highlights") -> Path:
    """Write the reel's edit to `path`; the suffix (.otio, .fcpxml, .edl) picks the format."""
    path = path.expanduser().absolute()
    adapter = FORMATS.get(path.suffix.lower())
    if adapter is None:
        raise BadInputError(
            f"Cannot write a timeline as {path.suffix or 'a file without a suffix'}.",
            hint="Use .otio (OpenTimelineIO), .fcpxml (Final Cut Pro, DaVinci Resolve) or .edl (Premiere, Avid).",
        )
    if path.is_dir():
        raise BadInputError(f"The timeline path {path} is a folder.", hint="Give a file name such as reel.fcpxml.")
    # the FCP XML adapter cannot write an audio lane at NTSC rates; there the assets say they have sound
    timeline = build_timeline(
        spec, name=name, markers_for_title=adapter != "otio_json", sound_track=adapter == "otio_json"
    )
    if adapter == "cmx_3600":  # one video track only
        timeline.tracks[:] = [t for t in timeline.tracks if t.kind == otio.schema.TrackKind.Video][:1]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = scratch.partial_path(path)
    try:
        text = otio.adapters.write_to_string(timeline, adapter_name=adapter)
        if adapter == "fcpx_xml":
            text = _with_frame_duration(text, timeline.global_start_time.rate)
            text = _with_sound(text, {c.source.expanduser().absolute().as_uri() for c in spec.clips if _source_facts(c.source).has_audio})
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    except Exception:
        tmp.unlink(missing_ok=True)
        raise
    return path
