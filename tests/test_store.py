"""The store, on both databases: sessions survive a restart, undo/redo move through history, running renders
become interrupted (embedded), and the schema the migrations build is the one `schema` defines."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from mcp_highlight.backends.local import database
from mcp_highlight.backends.local.schema import is_ours, metadata
from mcp_highlight.backends.local.store import Store
from mcp_highlight.backends.models import MediaItem
from mcp_highlight.core.errors import BadInputError, ImpossibleRequestError, UnknownSessionError
from mcp_highlight.draft.model import Draft, Segment, Track


def draft_of(ms: int) -> Draft:
    return Draft(t=[Track(tt=0, sg=[Segment(d=ms)])])


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new empty database of each kind; PostgreSQL ones already migrated, as `db upgrade` leaves them."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'db.sqlite3'}"
    url = request.getfixturevalue("postgres_url")
    database.upgrade(database.make_engine(database.sqlalchemy_url(url)))
    return url


def open_store(url: str) -> Store:
    return Store(url, embedded=url.startswith("sqlite"))


@pytest.fixture
def store(url: str) -> Iterator[Store]:
    opened = open_store(url)
    yield opened
    opened.close()


def test_sessions_drafts_and_media_survive_a_restart(url: str) -> None:
    store = open_store(url)
    sid = store.create_session()
    store.add_media(sid, MediaItem(id="med_1", name="a.mp4", kind="video"))
    store.push_draft(sid, draft_of(1000), "one")
    store.close()
    again = open_store(url)
    assert again.draft(sid)[0] == draft_of(1000)
    assert [m.name for m in again.media(sid)] == ["a.mp4"]
    again.close()


def test_undo_and_redo_walk_the_history_and_a_new_edit_drops_the_redo_branch(store: Store) -> None:
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
    assert store.history_bounds(sid) == (0, 3, 3)
    assert store.note_at(sid, 3) == "branch"


def test_a_render_running_when_the_embedded_server_died_is_reported_interrupted(tmp_path: Path) -> None:
    store = Store.at(tmp_path / "db.sqlite3")
    sid = store.create_session()
    store.create_job(sid, "fp")
    store.close()
    again = Store.at(tmp_path / "db.sqlite3")
    assert again.interrupted == 1
    (job,) = again.jobs(sid)
    assert job.status == "interrupted" and "export again" in (job.error or "")


def test_a_cluster_replica_starting_leaves_running_jobs_to_their_workers(postgres_url: str) -> None:
    database.upgrade(database.make_engine(database.sqlalchemy_url(postgres_url)))
    store = open_store(postgres_url)
    sid = store.create_session()
    store.create_job(sid, "fp")
    again = open_store(postgres_url)
    assert again.interrupted == 0 and [j.status for j in again.jobs(sid)] == ["running"]


def test_an_edit_made_on_a_version_another_process_replaced_is_refused(store: Store) -> None:
    sid = store.create_session()
    _, seen = store.draft(sid)
    store.push_draft(sid, draft_of(1000), "the other replica's edit", after_version=seen)
    with pytest.raises(ImpossibleRequestError, match="same moment"):
        store.push_draft(sid, draft_of(2000), "this one", after_version=seen)
    assert store.draft(sid)[0] == draft_of(1000)


def test_session_ids_are_unguessable_and_unknown_ones_are_refused(store: Store) -> None:
    a, b = store.create_session(), store.create_session()
    assert a != b and len(a) >= 20
    with pytest.raises(UnknownSessionError, match="no session"):
        store.draft("ses_nope")


def test_a_job_takes_its_outcome_once(store: Store) -> None:
    sid = store.create_session()
    job = store.create_job(sid, "fp")
    assert store.claim_job(job, "worker-a") is not None
    assert store.finish_job(job, "completed", result="{}")
    assert not store.finish_job(job, "completed", result="{}"), "a second completion must be refused"
    assert not store.finish_job(job, "failed", error="late")
    assert store.claim_job(job, "worker-b") is None, "an ended job is not started again"
    row = store.job(job)
    assert row is not None and row["status"] == "completed" and row["attempts"] == 1


def test_the_migrations_build_exactly_the_tables_schema_defines(url: str) -> None:
    engine = database.make_engine(database.sqlalchemy_url(url))
    database.upgrade(engine)
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn, opts={"include_name": is_ours}), metadata)
        revision = MigrationContext.configure(conn).get_current_revision()
    assert differences == []
    assert revision == database.head_revision()


def test_a_database_from_before_migrations_is_adopted_with_its_data(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    old = sqlite3.connect(path)
    old.executescript(
        "CREATE TABLE sessions (id TEXT PRIMARY KEY, created_at REAL NOT NULL, updated_at REAL NOT NULL,"
        " head INTEGER NOT NULL DEFAULT 0);"
        "CREATE TABLE media (id TEXT PRIMARY KEY, session_id TEXT NOT NULL REFERENCES sessions(id),"
        " position INTEGER NOT NULL, item TEXT NOT NULL);"
        "CREATE TABLE drafts (session_id TEXT NOT NULL REFERENCES sessions(id), version INTEGER NOT NULL,"
        " draft TEXT NOT NULL, note TEXT NOT NULL DEFAULT '', created_at REAL NOT NULL, PRIMARY KEY (session_id, version));"
        "CREATE TABLE jobs (id TEXT PRIMARY KEY, session_id TEXT NOT NULL REFERENCES sessions(id), status TEXT NOT NULL,"
        " fingerprint TEXT, path TEXT, error TEXT, result TEXT, created_at REAL NOT NULL, updated_at REAL NOT NULL);"
        "INSERT INTO sessions VALUES ('ses_old', 1, 1, 0);"
        "INSERT INTO drafts VALUES ('ses_old', 0, '{}', 'empty', 1);"
    )
    old.commit()
    old.close()
    store = Store.at(path)
    assert store.session_ids() == ["ses_old"]
    assert store.draft("ses_old")[0] == Draft()
    assert database.current_revision(store.engine) == database.head_revision()


def test_a_replica_refuses_a_database_that_was_not_migrated(postgres_url: str) -> None:
    with pytest.raises(BadInputError, match="db upgrade"):
        Store(postgres_url, embedded=False)


def test_only_postgresql_urls_are_taken_for_a_cluster() -> None:
    with pytest.raises(BadInputError, match="postgresql://"):
        database.make_engine("mysql://someone@somewhere/db")


def test_the_embedded_store_needs_no_database_server(tmp_path: Path) -> None:
    store = Store.at(tmp_path / "state.sqlite3")
    assert store.dialect == "sqlite"
    with store.engine.connect() as conn:
        assert "procrastinate_jobs" not in sa.inspect(conn).get_table_names()
