"""SQLite state: sessions survive a restart, undo/redo move through history, running renders become interrupted."""

from pathlib import Path

import pytest

from mcp_highlight.backends.local.store import Store
from mcp_highlight.backends.models import MediaItem
from mcp_highlight.core.errors import UnknownSessionError
from mcp_highlight.draft.model import Draft, Segment, Track


def draft_of(ms: int) -> Draft:
    return Draft(t=[Track(tt=0, sg=[Segment(d=ms)])])


def test_sessions_drafts_and_media_survive_a_restart(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3")
    sid = store.create_session()
    store.add_media(sid, MediaItem(id="med_1", name="a.mp4", kind="video"))
    store.push_draft(sid, draft_of(1000), "one")
    store.close()
    again = Store(tmp_path / "db.sqlite3")
    assert again.draft(sid)[0] == draft_of(1000)
    assert [m.name for m in again.media(sid)] == ["a.mp4"]


def test_undo_and_redo_walk_the_history_and_a_new_edit_drops_the_redo_branch(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3")
    sid = store.create_session()
    for ms in (1000, 2000, 3000):
        store.push_draft(sid, draft_of(ms), str(ms))
    assert store.move_head(sid, -1) is not None
    assert store.draft(sid)[0] == draft_of(2000)
    assert store.move_head(sid, +1) is not None
    assert store.draft(sid)[0] == draft_of(3000)
    assert store.move_head(sid, +1) is None
    store.move_head(sid, -1)
    store.push_draft(sid, draft_of(9000), "branch")
    assert store.move_head(sid, +1) is None
    assert store.draft(sid)[0] == draft_of(9000)


def test_a_render_running_when_the_server_died_is_reported_interrupted(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3")
    sid = store.create_session()
    store.create_job(sid, "fp")
    store.close()
    again = Store(tmp_path / "db.sqlite3")
    assert again.interrupted == 1
    (job,) = again.jobs(sid)
    assert job.status == "interrupted" and "export again" in (job.error or "")


def test_session_ids_are_unguessable_and_unknown_ones_are_refused(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3")
    a, b = store.create_session(), store.create_session()
    assert a != b and len(a) >= 20
    with pytest.raises(UnknownSessionError, match="no session"):
        store.draft("ses_nope")
