"""The judgement sweep's kept reads (scripts/judgement_reads.py): a run judged again from its one-pass reads
scores as the run did, without the pass, so re-fitting a constant on the sweep's runs is honest."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

import bench_judgement
import judgement_reads
import judgement_runs

from mcp_highlight.engine.judge import readers

SMALL = judgement_runs.Family("event", 1.0, (320, 180), 25, 1.0, 20.0, 2000)
"""A one-minute event recording: the sweep's event family, small enough for the suite."""


def test_a_kept_run_judged_again_scores_as_it_did_without_the_one_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(judgement_runs, "CACHE", tmp_path / "footage")
    monkeypatch.setitem(judgement_runs.FAMILIES, "event", SMALL)
    [(seed, picture, sounds)] = bench_judgement.plan_runs("event", 1, 1, unavailable={"real", "espeak"})
    rows = judgement_runs.run_seed("event", seed, picture, sounds, keep=tmp_path / "kept")
    kept = judgement_reads.kept_runs(tmp_path / "kept")
    assert [p.name for p in kept] == [f"event-s{seed}-m0.reads.pkl"]

    def no_pass(*_: object) -> None:
        raise AssertionError("the one pass ran again")

    monkeypatch.setattr(readers, "read_video", no_pass)
    monkeypatch.setattr(readers, "read_audio", no_pass)
    again = [row for path in kept for row in judgement_reads.rejudge(path)]
    assert [r["axes"] for r in again] == [r["axes"] for r in rows]
    assert [(r["ours"], r["loudest"]) for r in again] == [(r["ours"], r["loudest"]) for r in rows]
    assert all(r["ours"]["kept_s"] > 0 for r in again), again


def test_rejudging_a_folder_with_no_kept_runs_says_how_to_make_them(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        bench_judgement.parse_args(["--rejudge", str(tmp_path)])
    with pytest.raises(SystemExit):
        bench_judgement.parse_args(["--rejudge", str(tmp_path), "--keep-reads", str(tmp_path)])
