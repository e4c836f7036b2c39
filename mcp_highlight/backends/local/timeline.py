"""Apply a structured edit to a local draft, and turn a draft into a render spec.

Pure functions over the draft: the backend supplies analyses and resolved files, so
every rule here is testable without media.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from mcp_highlight.backends.models import EditRequest, MediaItem
from mcp_highlight.core.durations import format_seconds
from mcp_highlight.core.errors import ImpossibleRequestError, NothingToExportError
from mcp_highlight.draft.model import Draft, Segment, Track, TrackType
from mcp_highlight.engine.judge.analysis import Analysis
from mcp_highlight.engine.plan.clip import Clip
from mcp_highlight.engine.plan.planner import Moment, PlanRequest, plan_reel
from mcp_highlight.engine.render.spec import LogoSpec, MusicSpec, RenderSpec, TitleSpec

DEFAULT_TARGET_S = 60.0
DEFAULT_TITLE_S = 3.0
DEFAULT_MUSIC_VOLUME = 0.35
MUSIC_FADE_MS = 1500

AnalysesFor = Callable[[list[MediaItem]], list[Analysis]]


def _video_track(draft: Draft) -> Track | None:
    return next((t for t in draft.t if t.tt == TrackType.VIDEO), None)


def _title_track(draft: Draft) -> Track | None:
    return next((t for t in draft.t if t.tt == TrackType.TEXT and (t.m.role or "title") == "title"), None)


def _music_track(draft: Draft) -> Track | None:
    return next((t for t in draft.t if t.tt == TrackType.AUDIO), None)


def reel_ms(draft: Draft) -> int:
    video = _video_track(draft)
    return video.end_ms if video else 0


def _retime(track: Track) -> None:
    cursor = 0
    for seg in track.sg:
        seg.st = cursor
        cursor += seg.d


def _keep_settings(draft: Draft, req: EditRequest) -> None:
    """The reel settings the edit changes, kept in `draft.m` so the next edit starts from them."""
    settings = draft.m
    if req.target_s is not None:
        settings.target_ms = round(req.target_s * 1000)
        if req.moments is None:
            settings.moments = None
    if req.moments is not None:
        settings.moments = req.moments
        if req.target_s is None:
            settings.target_ms = None
    if req.scale_length is not None:
        current = reel_ms(draft) or settings.target_ms or DEFAULT_TARGET_S * 1000
        settings.target_ms = max(1000, round(current * req.scale_length))
        settings.moments = None
    if req.min_segment_s is not None:
        settings.min_segment_s = req.min_segment_s
    if req.max_segment_s is not None:
        settings.max_segment_s = req.max_segment_s
    if req.include_replays is not None:
        settings.include_replays = req.include_replays
    settings.aspect = settings.aspect or "16:9"  # explicit, so a change of shape reads "16:9 -> 9:16"


def _chosen_videos(draft: Draft, req: EditRequest, media: list[MediaItem]) -> list[MediaItem]:
    """The videos the reel is cut from: those named in the edit (kept in the draft), else every upload."""
    videos = [m for m in media if m.kind == "video"]
    if req.sources is not None:
        known = {m.id for m in videos} | {m.name for m in videos}
        unknown = [s for s in req.sources if s not in known]
        if unknown:
            raise ImpossibleRequestError(
                f"No uploaded video is called {', '.join(unknown)}.",
                hint=f"Uploaded videos: {', '.join(m.name for m in videos) or 'none'}.",
            )
        draft.m.sources = [m.id for m in videos if m.id in req.sources or m.name in req.sources]
    chosen = [m for m in videos if draft.m.sources is None or m.id in draft.m.sources]
    if not chosen:
        raise ImpossibleRequestError("There is no video in this session to make a reel from.", hint="Upload one first.")
    return chosen


def _segment(moment: Moment, item: MediaItem) -> Segment:
    return Segment(
        d=round((moment.end_s - moment.start_s) * 1000),
        m={
            "src": item.id,
            "path": item.path,
            "name": item.name,
            "in": round(moment.start_s * 1000),
            "out": round(moment.end_s * 1000),
            "score": moment.score,
            "why": moment.why,
            **({"replay": True} if moment.replay else {}),
        },
    )


def _replan(draft: Draft, req: EditRequest, media: list[MediaItem], analyses_for: AnalysesFor) -> str | None:
    """Choose moments again with the reel settings kept in `draft.m`; returns the planner's note."""
    _keep_settings(draft, req)
    chosen = _chosen_videos(draft, req, media)
    settings = draft.m
    if settings.target_ms is None and settings.moments is None:
        settings.target_ms = round(DEFAULT_TARGET_S * 1000)
    index_of = {m.id: i for i, m in enumerate(chosen)}
    plan_request = PlanRequest(
        target_s=settings.target_ms / 1000 if settings.target_ms is not None else None,
        moments=settings.moments,
        exclude=[(index_of[src], a / 1000, b / 1000) for src, a, b in settings.dropped or [] if src in index_of],
        include_replays=bool(settings.include_replays),
        **settings.model_dump(include={"min_segment_s", "max_segment_s"}, exclude_none=True),
    )
    analyses = analyses_for(chosen)
    plan = plan_reel(analyses, plan_request)
    by_path = {str(Path(a.source)): m for a, m in zip(analyses, chosen, strict=True)}
    names = ", ".join(dict.fromkeys(m.name for m in chosen))
    track = Track(
        tt=TrackType.VIDEO,
        m={"name": f"{names} highlights"},
        sg=[_segment(moment, by_path[str(moment.source)]) for moment in plan.moments],
    )
    _retime(track)
    draft.t = [track, *[t for t in draft.t if t.tt != TrackType.VIDEO]]
    return plan.note


def _drop_clips(draft: Draft, numbers: list[int]) -> None:
    video = _video_track(draft)
    count = len(video.sg) if video else 0
    if not count:
        raise ImpossibleRequestError("The reel has no clips to drop yet.", hint="Make a reel first.")
    indices = set()
    for number in numbers:
        index = count + number if number < 0 else number - 1
        if not 0 <= index < count:
            raise ImpossibleRequestError(f"There is no clip {number}: the reel has {count} clips.")
        indices.add(index)
    if len(indices) == count:
        raise ImpossibleRequestError("Dropping every clip would leave nothing to export.", hint="Keep at least one.")
    assert video is not None
    # remembered, so choosing moments again (a new length, "shorter") never brings a dropped clip back
    draft.m.dropped = [
        *(draft.m.dropped or []),
        *(
            (seg.m.src, seg.m.in_ms or 0, seg.m.out_ms or 0)
            for seg in (video.sg[i] for i in sorted(indices))
            if seg.m.src is not None
        ),
    ]
    video.sg = [s for i, s in enumerate(video.sg) if i not in indices]
    _retime(video)


def _put(draft: Draft, existing: Track | None, track: Track) -> None:
    """Replace `existing` with `track` in place, or add it."""
    if existing is not None:
        draft.t[draft.t.index(existing)] = track
    else:
        draft.t.append(track)


def _set_title(draft: Draft, req: EditRequest) -> None:
    existing = _title_track(draft)
    if req.remove_title:
        if existing is None:
            raise ImpossibleRequestError("There is no title to remove.")
        draft.t.remove(existing)
        return
    if req.title is None and req.title_s is None and req.title_start_s is None:
        return
    old = existing.sg[0] if existing and existing.sg else None
    text = req.title if req.title is not None else (old.m.text if old else None)
    if not text or not text.strip():
        raise ImpossibleRequestError("A title needs some text.", hint="For example: add the title 'Derby Day'.")
    start_ms = round(
        (req.title_start_s if req.title_start_s is not None else (old.st or 0) / 1000 if old else 0) * 1000
    )
    length_ms = round((req.title_s if req.title_s is not None else (old.d / 1000 if old else DEFAULT_TITLE_S)) * 1000)
    track = Track(
        tt=TrackType.TEXT, m={"role": "title"}, sg=[Segment(st=start_ms, d=length_ms, m={"text": text.strip()})]
    )
    _put(draft, existing, track)


def _set_music(draft: Draft, req: EditRequest, music: tuple[Path, str] | None) -> None:
    existing = _music_track(draft)
    if req.remove_music:
        if existing is None:
            raise ImpossibleRequestError("There is no music to remove.")
        draft.t.remove(existing)
        return
    if music is not None:
        path, name = music
        volume = req.music_volume if req.music_volume is not None else DEFAULT_MUSIC_VOLUME
        track = Track(
            tt=TrackType.AUDIO,
            m={"name": name},
            sg=[Segment(st=0, d=0, m={"path": str(path), "name": name, "volume": volume, "fade_ms": MUSIC_FADE_MS})],
        )
        _put(draft, existing, track)
    elif req.music_volume is not None or req.music_volume_scale is not None:
        if existing is None or not existing.sg:
            raise ImpossibleRequestError(
                "There is no music to set the volume of.", hint="Add music first, e.g. 'add music.mp3 at 35%'."
            )
        current = existing.sg[0].m.volume if existing.sg[0].m.volume is not None else DEFAULT_MUSIC_VOLUME
        volume = req.music_volume if req.music_volume is not None else current * (req.music_volume_scale or 1.0)
        existing.sg[0].m.volume = round(min(max(volume, 0.0), 1.0), 3)


def _logo_track(draft: Draft) -> Track | None:
    return next((t for t in draft.t if t.tt == TrackType.IMAGE), None)


def _set_logo(draft: Draft, req: EditRequest, logo: tuple[Path, str] | None) -> None:
    existing = _logo_track(draft)
    if req.remove_logo:
        if existing is None:
            raise ImpossibleRequestError("There is no logo to remove.")
        draft.t.remove(existing)
        return
    if logo is None and req.logo_position is None:
        return
    if logo is None:
        if existing is None or not existing.sg:
            raise ImpossibleRequestError("There is no logo to move.", hint="Add one first, e.g. 'add logo.png'.")
        existing.sg[0].m.position = req.logo_position
        return
    path, name = logo
    position = req.logo_position or (existing.sg[0].m.position if existing and existing.sg else None)
    track = Track(
        tt=TrackType.IMAGE,
        m={"name": name, "role": "logo"},
        sg=[Segment(st=0, d=0, m={"path": str(path), "name": name, "position": position or "top-right"})],
    )
    _put(draft, existing, track)


def _fit_overlays(draft: Draft) -> None:
    """Music spans the reel; the title stays inside it; tracks in the summary's order (video, music, text)."""
    draft.t.sort(key=lambda t: {TrackType.VIDEO: 0, TrackType.AUDIO: 1, TrackType.TEXT: 2}.get(t.tt, 3))
    length = reel_ms(draft)
    for track in (_music_track(draft), _logo_track(draft)):
        if track and track.sg:
            track.sg[0].st, track.sg[0].d = 0, length
    title = _title_track(draft)
    if title and title.sg and length:
        seg = title.sg[0]
        seg.st = min(seg.st or 0, max(0, length - 500))
        seg.d = min(seg.d, length - seg.st)
    draft.d = length or None


def needs_replan(draft: Draft, req: EditRequest) -> bool:
    explicit = any(
        v is not None
        for v in (
            req.target_s,
            req.moments,
            req.min_segment_s,
            req.max_segment_s,
            req.scale_length,
            req.sources,
            req.include_replays,
        )
    )
    return explicit or req.reel or _video_track(draft) is None


def apply_edit(
    draft: Draft,
    req: EditRequest,
    *,
    media: list[MediaItem],
    analyses_for: AnalysesFor,
    music: tuple[Path, str] | None = None,
    logo: tuple[Path, str] | None = None,
) -> tuple[Draft, list[str]]:
    """Return the edited copy of `draft` and notes for the user (the planner's remarks)."""
    new = draft.model_copy(deep=True)
    notes: list[str] = []
    if needs_replan(new, req):
        if _video_track(new) is None and not any(v is not None for v in (req.target_s, req.moments, req.scale_length)):
            notes.append(f"Made a {format_seconds(DEFAULT_TARGET_S)} reel of the best moments first.")
        note = _replan(new, req, media, analyses_for)
        if note:
            notes.append(note)
    if req.drop_clips:
        _drop_clips(new, req.drop_clips)
    if req.aspect is not None:
        new.m.aspect = req.aspect
    if req.fit is not None:
        new.m.fit = req.fit
    if req.captions is not None:
        new.m.captions = req.captions
    _set_title(new, req)
    _set_music(new, req, music)
    _set_logo(new, req, logo)
    _fit_overlays(new)
    return new, notes


def draft_to_spec(draft: Draft, output: Path) -> RenderSpec:
    """What the engine renders for this draft."""
    video = _video_track(draft)
    if video is None or not video.sg:
        raise NothingToExportError(
            "There is nothing to export: the timeline has no clips yet.",
            hint="Ask for a reel first, e.g. 'pull the best moments into a 60-second reel'.",
        )
    clips = [
        Clip(
            source=Path(seg.m.path or ""),
            start_s=seg.m.in_s,
            end_s=seg.m.out_s,
            caption=format_seconds(seg.m.in_s) if draft.m.captions else None,
        )
        for seg in video.sg
    ]
    title_track = _title_track(draft)
    title = None
    if title_track and title_track.sg:
        seg = title_track.sg[0]
        title = TitleSpec(text=seg.m.text or "", start_s=(seg.st or 0) / 1000, duration_s=seg.d / 1000)
    music_track = _music_track(draft)
    music = None
    if music_track and music_track.sg:
        m = music_track.sg[0].m
        music = MusicSpec(path=Path(m.path or ""), volume=m.volume if m.volume is not None else DEFAULT_MUSIC_VOLUME)
    logo_track = _logo_track(draft)
    logo = None
    if logo_track and logo_track.sg:
        m = logo_track.sg[0].m
        logo = LogoSpec(path=Path(m.path or ""), position=m.position or "top-right")
    return RenderSpec(
        logo=logo,
        clips=clips,
        output=output,
        aspect=draft.m.aspect or "16:9",
        fit=draft.m.fit or "auto",  # follow for vertical and square, blurred fill for portrait in 16:9
        title=title,
        music=music,
    )
