"""Local edits on the draft: planning, shape, title, music, dropping clips, and the render spec they make."""

from pathlib import Path

import numpy as np
import pytest

from mcp_highlight.backends.local.timeline import apply_edit, draft_to_spec, reel_ms
from mcp_highlight.backends.models import EditRequest, MediaItem
from mcp_highlight.core.errors import ImpossibleRequestError, NothingToExportError
from mcp_highlight.draft.diff import diff_drafts
from mcp_highlight.draft.model import Draft, TrackType, summarize
from mcp_highlight.engine.judge.analysis import Analysis

GAME = MediaItem(id="med_a", name="game.mp4", kind="video", path="/footage/game.mp4", duration_s=1200)


def analysis_for(items: list[MediaItem]) -> list[Analysis]:
    out = []
    for item in items:
        t = np.arange(int(item.duration_s / 0.5)) * 0.5
        score = 0.1 + sum(0.8 * np.exp(-0.5 * ((t - at) / 2) ** 2) for at in range(100, 1200, 150))
        out.append(Analysis(source=item.path, content_hash="h", duration_s=item.duration_s, score=score.tolist()))
    return out


def edit(draft: Draft, **fields) -> Draft:
    new, _ = apply_edit(draft, EditRequest(**fields), media=[GAME], analyses_for=analysis_for)
    return new


def test_a_target_length_makes_a_video_track_of_that_length() -> None:
    draft = edit(Draft(), target_s=60)
    assert abs(reel_ms(draft) - 60_000) <= 3_000
    video = draft.tracks_of(TrackType.VIDEO)[0]
    assert all(seg.m.path == "/footage/game.mp4" and seg.m.out_ms > seg.m.in_ms for seg in video.sg)
    assert [s.st for s in video.sg] == sorted(s.st for s in video.sg)


def test_title_and_music_follow_the_reel_and_show_in_the_summary(tmp_path: Path) -> None:
    draft = edit(Draft(), target_s=30)
    draft, _ = apply_edit(
        draft,
        EditRequest(title="Derby Day", title_s=3, music_volume=0.35),
        media=[GAME],
        analyses_for=analysis_for,
        music=(tmp_path / "music.mp3", "music.mp3"),
    )
    summary = summarize(draft)
    assert '3. Title: "Derby Day" (0-3s)' in summary
    assert "BGM: music.mp3 (0-" in summary and "35%)" in summary
    shorter = edit(draft, scale_length=0.5)
    music = shorter.tracks_of(TrackType.AUDIO)[0].sg[0]
    assert music.d == reel_ms(shorter) < reel_ms(draft)


def test_dropping_a_clip_retimes_the_rest_and_the_diff_says_so() -> None:
    before = edit(Draft(), moments=4)
    after = edit(before, drop_clips=[2])
    old, new = before.tracks_of(TrackType.VIDEO)[0].sg, after.tracks_of(TrackType.VIDEO)[0].sg
    assert len(new) == 3 and new[1].m.in_ms == old[2].m.in_ms
    assert new[1].st == new[0].d
    lines = [change.line for change in diff_drafts(before, after)]
    assert any(
        line.startswith("Video: ") and "4 clips" in line and "-> " in line and "3 clips" in line for line in lines
    )


def test_impossible_edits_are_refused_and_leave_the_draft_alone() -> None:
    draft = edit(Draft(), moments=3)
    snapshot = draft.dump()
    with pytest.raises(ImpossibleRequestError, match="no clip 9"):
        edit(draft, drop_clips=[9])
    with pytest.raises(ImpossibleRequestError, match="no title to remove"):
        edit(draft, remove_title=True)
    with pytest.raises(ImpossibleRequestError, match="no music"):
        edit(draft, music_volume=0.5)
    assert draft.dump() == snapshot


def test_shape_and_captions_reach_the_render_spec() -> None:
    draft = edit(edit(Draft(), target_s=20), aspect="9:16", fit="blur", captions=True, title="Finals")
    spec = draft_to_spec(draft, Path("/tmp/out.mp4"))
    assert spec.aspect == "9:16" and spec.fit == "blur"
    assert spec.title is not None and spec.title.text == "Finals"
    assert all(clip.caption for clip in spec.clips)
    assert sum(c.duration_s for c in spec.clips) == pytest.approx(reel_ms(draft) / 1000, abs=0.01)


def test_an_empty_draft_cannot_be_exported() -> None:
    with pytest.raises(NothingToExportError):
        draft_to_spec(Draft(), Path("/tmp/out.mp4"))


def test_a_dropped_clip_does_not_come_back_when_the_moments_are_chosen_again() -> None:
    before = edit(Draft(), moments=4)
    dropped = before.tracks_of(TrackType.VIDEO)[0].sg[1].m.in_ms
    after = edit(edit(before, drop_clips=[2]), moments=4)
    kept = [seg.m for seg in after.tracks_of(TrackType.VIDEO)[0].sg]
    assert len(kept) == 4
    assert all(not (m.in_ms <= dropped + 2000 and dropped <= m.out_ms) for m in kept)


def test_a_logo_spans_the_reel_reaches_the_render_spec_and_can_be_moved_or_removed() -> None:
    draft, _ = apply_edit(
        edit(Draft(), target_s=20),
        EditRequest(logo="club.png"),
        media=[GAME],
        analyses_for=analysis_for,
        logo=(Path("/art/club.png"), "club.png"),
    )
    assert "Logo: club.png (0-" in summarize(draft)
    logo = draft.tracks_of(TrackType.IMAGE)[0].sg[0]
    assert logo.d == reel_ms(draft)
    moved = edit(draft, logo_position="bottom-left")
    spec = draft_to_spec(moved, Path("/tmp/out.mp4"))
    assert spec.logo is not None and spec.logo.path == Path("/art/club.png") and spec.logo.position == "bottom-left"
    assert draft_to_spec(edit(moved, remove_logo=True), Path("/tmp/o.mp4")).logo is None
    with pytest.raises(ImpossibleRequestError, match="no logo"):
        edit(edit(moved, remove_logo=True), remove_logo=True)


def test_include_replays_puts_each_replay_after_its_moment_and_every_clip_says_why() -> None:
    from mcp_highlight.engine.judge.replays import Replay

    def with_replays(items: list[MediaItem]) -> list[Analysis]:
        analyses = analysis_for(items)
        analyses[0].replays = [Replay(start_s=112.0, end_s=124.0, of_s=100.0)]
        return analyses

    def run(draft: Draft, **fields) -> Draft:
        return apply_edit(draft, EditRequest(**fields), media=[GAME], analyses_for=with_replays)[0]

    live = run(Draft(), target_s=60)
    segments = live.tracks_of(TrackType.VIDEO)[0].sg
    assert all(seg.m.why for seg in segments) and not any(seg.m.replay for seg in segments)
    asked = run(live, include_replays=True)
    segments = asked.tracks_of(TrackType.VIDEO)[0].sg
    i = next(i for i, seg in enumerate(segments) if seg.m.replay)
    assert segments[i].m.in_s == 112.0 and "replay of" in (segments[i].m.why or "")
    assert segments[i - 1].m.in_s < 100 < segments[i - 1].m.out_s
    again = run(asked, target_s=45)  # the setting is kept when the reel is planned again
    assert any(seg.m.replay for seg in again.tracks_of(TrackType.VIDEO)[0].sg)
    off = run(again, include_replays=False)
    assert not any(seg.m.replay for seg in off.tracks_of(TrackType.VIDEO)[0].sg)
