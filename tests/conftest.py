"""Shared fixtures: generated media, cached outside git so the suite stays fast on reruns.

Media lives in `$MCP_HIGHLIGHT_TEST_MEDIA` (default ~/.cache/mcp-highlight-tests). Each file's
name carries a hash of how it was made, so a change of parameters or of the generator makes a
new file instead of reusing a stale one.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from footage.samples import GENERATOR_VERSION, GroundTruth, load_truth, synth_clip, synth_game, truth_path
from footage.synth.broadcast import BROADCAST_VERSION, synth_broadcast
from footage.synth.event_recording import EVENT_VERSION, synth_event
from footage.synth.truth import RecordingTruth, load_recording_truth
from media_files import MEDIA_CACHE, SHARED_MEDIA, made_once
from throwaway_postgres import PostgresMissing, throwaway_postgres

MakeMedia = Callable[..., Path]
MakeGame = Callable[..., tuple[Path, GroundTruth]]
Recording = tuple[Path, RecordingTruth]


def _key(kind: str, name: str, params: dict[str, object]) -> str:
    blob = json.dumps({"kind": kind, "v": GENERATOR_VERSION, **params}, sort_keys=True, default=str)
    stem, dot, ext = name.rpartition(".")
    return f"{stem}-{hashlib.sha1(blob.encode()).hexdigest()[:10]}{dot}{ext}"


@pytest.fixture(scope="session")
def media_cache() -> Path:
    """The directory holding generated test media (created if needed)."""
    folder = MEDIA_CACHE
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def make_clip(media_cache: Path) -> MakeMedia:
    """`make_clip("name.ext", **synth_clip_kwargs) -> Path`, generated once and reused."""

    def make(name: str, **params: object) -> Path:
        path = media_cache / _key("clip", name, params)
        if not path.exists() or path.stat().st_size == 0:
            tmp = path.with_name(f"tmp{os.getpid()}-{path.name}")  # unique: other checkouts may share the cache
            synth_clip(tmp, **params)  # type: ignore[arg-type]
            tmp.replace(path)
        return path

    return make


@pytest.fixture(scope="session")
def make_game(media_cache: Path) -> MakeGame:
    """`make_game("name.ext", **synth_game_kwargs) -> (path, truth)`, generated once and reused."""

    def make(name: str, **params: object) -> tuple[Path, GroundTruth]:
        path = SHARED_MEDIA / _key("game", name, params)
        with made_once(path):
            if path.exists() and truth_path(path).exists():
                return path, load_truth(path)
            tmp = path.with_name(f"tmp{os.getpid()}-{path.name}")  # unique: other checkouts may share the cache
            truth = synth_game(tmp, **params)  # type: ignore[arg-type]
            truth.save(path)
            tmp.replace(path)
            truth_path(tmp).unlink(missing_ok=True)
            return path, truth

    return make


@pytest.fixture(scope="session")
def game_clip(make_game: MakeGame) -> tuple[Path, GroundTruth]:
    """A 2-minute 640x360 match with three events, a loud-only and a motion-only distractor."""
    return make_game("game.mp4", duration_s=120, width=640, height=360, seed=0)


@pytest.fixture(scope="session")
def silent_game(make_game: MakeGame) -> tuple[Path, GroundTruth]:
    """The same kind of match without an audio track (video signals only)."""
    return make_game("silent.mp4", duration_s=80, width=320, height=180, audio=False, seed=1)


@pytest.fixture(scope="session")
def static_game(make_game: MakeGame) -> tuple[Path, GroundTruth]:
    """A frozen picture over a crowd with roars and a horn (audio signals only)."""
    return make_game("static.mp4", duration_s=80, width=320, height=180, static_video=True, seed=2)


@pytest.fixture(scope="session")
def short_clip(make_clip: MakeMedia) -> Path:
    """Five seconds of test pattern with a tone: the plainest valid input."""
    return make_clip("short.mp4", duration_s=5, width=320, height=180)


_RECORDINGS = {"broadcast": (synth_broadcast, BROADCAST_VERSION), "event": (synth_event, EVENT_VERSION)}


@pytest.fixture(scope="session")
def make_recording(media_cache: Path) -> Callable[..., Recording]:
    """`make_recording("broadcast" | "event", "name.mp4", **params) -> (path, truth)`, generated once."""

    def make(kind: str, name: str, **params: object) -> Recording:
        generate, version = _RECORDINGS[kind]
        path = SHARED_MEDIA / _key(f"{kind}-v{version}", name, params)
        with made_once(path):
            if path.exists() and truth_path(path).exists():
                return path, load_recording_truth(path)
            tmp = path.with_name(f"tmp{os.getpid()}-{path.name}")  # unique: other checkouts may share the cache
            truth = generate(tmp, **params)
            truth.save(path)
            tmp.replace(path)
            truth_path(tmp).unlink(missing_ok=True)
            return path, truth

    return make


@pytest.fixture(scope="session")
def broadcast_720(make_recording: Callable[..., Recording]) -> Recording:
    """A 5-minute 720p broadcast-style game, keyframes every 2 s (see tests/footage/synth/broadcast.py)."""
    return make_recording("broadcast", "broadcast720.mp4", duration_s=300.0, size=(1280, 720), keyint_s=2.0, seed=1)


@pytest.fixture(scope="session")
def broadcast_1080(make_recording: Callable[..., Recording]) -> Recording:
    """Another seed at 1080p with 1 s keyframes and extra keyframes at shot changes."""
    return make_recording(
        "broadcast",
        "broadcast1080.mp4",
        duration_s=300.0,
        size=(1920, 1080),
        keyint_s=1.0,
        scene_keyframes=True,
        seed=2,
    )


@pytest.fixture(scope="session")
def event_720(make_recording: Callable[..., Recording]) -> Recording:
    """A 4-minute wedding-style recording: speeches, laughter, applause, a loud dance set."""
    return make_recording("event", "event720.mp4", duration_s=240.0, seed=3)


# PostgreSQL for the cluster tests ----------------------------------------------------------------------
@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """One throwaway PostgreSQL per test process. CI must run these tests: there, missing binaries fail."""
    try:
        with throwaway_postgres("postgres") as url:
            yield url
    except PostgresMissing as exc:
        if os.environ.get("CI"):
            pytest.fail(f"{exc} CI runs the PostgreSQL tests: scripts/test installs Debian's postgresql package.")
        pytest.skip(f"{exc} Install Debian's postgresql package (apt-get install postgresql) to run this test.")


@pytest.fixture
def postgres_url(postgres_server: str) -> str:
    """A new empty database on the session's server, for one test."""
    name = f"t_{secrets.token_hex(6)}"
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return postgres_server.rsplit("/", 1)[0] + f"/{name}"
