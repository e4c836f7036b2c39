"""The judgement sweep (`scripts/bench --judgement`): highlight judgement over many seeds and variations.

A signal earns its place when it holds on footage it was not tuned to, so this runs the engine on
at least 30 seeds per footage family (TV-style broadcast games, event/wedding recordings, the older
synthetic game), at seeds the test suite never uses, and varies the footage along independent axes
(footage/synth/variants.py): commentary (syllabic / legato / espeak-ng), crowd (synthetic / recorded),
replay graphics (noise / flat / one sliding graphic / none; early replays), music (tones / vibrato
and chord changes / recorded), chants after goals, PA music under the crowd, a commentator shouting
with no crowd reaction. Every run draws every axis; each axis value is balanced over the runs
(random permutations in blocks of 12), so each is reported on its own: the other axes average out.

Reported per family and per axis value: the share of runs with every goal, graded-moment recall,
the reel's share of non-highlights, runs with a moment twice (median and worst decile), the broadcasts'
replays found from the picture (share of the truth's, and replays found that are none: a reel seldom
shows either, so without this column the sweep could not see the replay search at all), event music
share, older-game recall/precision, next to a naive baseline (the loudest 8 s windows of our own
loudness signal) judged on the same files in the same call, and an earlier report (`--compare`).
Nothing here is a test: it reports numbers and whether issue 15's targets are met. `--keep-reads DIR`
keeps each run's one-pass reads and `--rejudge DIR` judges those runs again with this tree
(`judgement_reads`): how a judgement constant is re-fitted in minutes.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))

import bench_common  # noqa: E402
import judgement_reads  # noqa: E402
import judgement_runs  # noqa: E402
from judgement_runs import FAMILIES  # noqa: E402

BLOCK = 12  # divisible by 2, 3 and 4: every axis value equally often in each block of runs
QUICK = {"broadcast": 6, "event": 4, "game": 4}  # 6 broadcast seeds show every replay graphic
EVENT_AXES = ("commentary", "crowd", "music")


def _balanced(axis: str, values: tuple[object, ...], index: int) -> object:
    """The value of `axis` for run `index`: each value equally often per block, blocks shuffled per axis."""
    block, pos = divmod(index, BLOCK)
    seed = int.from_bytes(axis.encode(), "little") % (2**32) + 7919 * block
    return values[int(np.random.default_rng(seed).permutation(BLOCK)[pos]) % len(values)]


def plan_runs(family: str, seeds: int, mixes: int, unavailable: set[object]) -> list[tuple[int, dict, list[dict]]]:
    """(seed, picture axes, [sound axes per mix]) for every seed of a family."""
    from footage.synth.variants import AXES, PICTURE_AXES, SOUND_AXES

    first = FAMILIES[family].first_seed
    out = []
    for i in range(seeds):
        if family == "game":
            out.append((first + i, {}, [{}]))
            continue
        picture = {a: _balanced(a, AXES[a], i) for a in PICTURE_AXES} if family == "broadcast" else {}
        sound_axes = SOUND_AXES if family == "broadcast" else EVENT_AXES
        sounds = []
        for k in range(mixes):
            sound = {a: _balanced(a, AXES[a], i * mixes + k) for a in sound_axes}
            sounds.append({a: (AXES[a][0] if v in unavailable else v) for a, v in sound.items()})
        out.append((first + i, picture, sounds))
    return out


def _unavailable() -> tuple[set[object], list[str]]:
    from footage.synth import real_sounds, speech_synth

    missing: set[object] = set()
    notes = []
    if not real_sounds.available():
        missing.add("real")
        notes.append(real_sounds.why_missing() + "; 'real' runs fall back to the synthetic value")
    if not speech_synth.available():
        missing.add("espeak")
        notes.append("espeak-ng is not installed (apt-get install espeak-ng); 'espeak' runs use syllabic speech")
    return missing, notes


def _tasks(opts: argparse.Namespace, unavailable: set[object]) -> list[tuple[str, int, dict, list[dict]]]:
    """Seed by seed across the families (the first seeds of every family come first): a sweep cut
    short still covers every family, and --quick's seeds are the full sweep's first ones."""
    per_family = []
    for family in opts.families:
        seeds = opts.seeds or (QUICK[family] if opts.quick else 30)
        mixes = 1 if family == "game" else opts.mixes
        per_family.append([(family, seed, pic, sounds) for seed, pic, sounds in plan_runs(family, seeds, mixes, unavailable)])
    longest = max(len(t) for t in per_family)
    return [t[i] for i in range(longest) for t in per_family if i < len(t)]


def run(opts: argparse.Namespace) -> dict[str, Any]:
    """Every run of the sweep judged (or, with --rejudge, every kept run judged again), and the report."""
    if opts.rejudge:
        kept = judgement_reads.kept_runs(opts.rejudge)
        notes = [f"{len(kept)} runs judged again from the one-pass reads kept in {opts.rejudge}"]
        jobs = [(judgement_reads.rejudge, (path,), path.name.removesuffix(".reads.pkl")) for path in kept]
    else:
        unavailable, notes = _unavailable()
        tasks = _tasks(opts, unavailable)
        jobs = [(judgement_runs.run_seed, (*task, opts.keep_reads), f"{task[0]} seed {task[1]}") for task in tasks]
    started = time.perf_counter()
    rows = _judged(jobs, opts)
    return _report(rows, notes, time.perf_counter() - started)


def _judged(jobs: list[tuple[Any, tuple[Any, ...], str]], opts: argparse.Namespace) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    started = time.perf_counter()
    if opts.rows:
        opts.rows.parent.mkdir(parents=True, exist_ok=True)
    log = opts.rows.open("a") if opts.rows else None
    with ProcessPoolExecutor(max_workers=opts.jobs) as pool:
        futures = [pool.submit(fn, *args) for fn, args, _ in jobs]
        for n, ((_, _, label), future) in enumerate(zip(jobs, futures, strict=True), 1):
            got = future.result()
            rows += got
            if log:  # every finished seed at once, so a sweep stopped early still leaves its runs
                log.writelines(json.dumps(r, default=str) + "\n" for r in got)
                log.flush()
            o = got[-1]["ours"]
            bench_common.say(f"[{n}/{len(jobs)}] {label}: {len(got)} run(s), last recall {o['recall']:.2f}, "
                             f"{time.perf_counter() - started:.0f} s so far")  # fmt: skip
    return rows


def _report(rows: list[dict[str, Any]], notes: list[str], seconds: float) -> dict[str, Any]:
    inputs = {f: {"minutes": FAMILIES[f].minutes, "size": FAMILIES[f].size, "reel_s": FAMILIES[f].reel_s,
                  "seeds": len({r["seed"] for r in rows if r["family"] == f}),
                  "runs": sum(1 for r in rows if r["family"] == f)}
              for f in dict.fromkeys(r["family"] for r in rows)}  # fmt: skip
    return {"machine": bench_common.machine_info(), "inputs": inputs, "notes": notes, "rows": rows,
            "summary": summarise(rows), "sweep_s": seconds}  # fmt: skip


def _stats(rows: list[dict[str, Any]], who: str) -> dict[str, Any]:
    def col(name: str) -> np.ndarray:
        return np.array([float(r[who][name]) for r in rows if name in r[who]])

    out: dict[str, Any] = {"runs": len(rows)}
    if not rows:
        return out
    recall = col("recall")
    out["recall_median"], out["recall_worst_decile"] = float(np.median(recall)), float(np.percentile(recall, 10))
    if "every_goal" in rows[0][who]:
        nh, music = col("not_highlight"), col("music_share")
        if any(r[who]["goals"] for r in rows):  # event footage has no goals to find
            out["every_goal"] = float(np.mean(col("every_goal")))
        out["not_highlight_median"], out["not_highlight_worst_decile"] = float(np.median(nh)), float(np.percentile(nh, 90))
        out["music_median"], out["music_worst_decile"] = float(np.median(music)), float(np.percentile(music, 90))
        out["runs_with_a_moment_twice"] = int(np.sum(col("duplicates") > 0))
    with_replays = [r[who] for r in rows if r[who].get("replays")]
    if with_replays:
        found = np.array([o["replays_found"] / o["replays"] for o in with_replays])
        out["replays_median"], out["replays_worst_decile"] = float(np.median(found)), float(np.percentile(found, 10))
        out["false_replays"] = int(sum(o["replays_false"] for o in with_replays))
    if "precision" in rows[0][who]:
        p = col("precision")
        out["precision_median"], out["precision_worst_decile"] = float(np.median(p)), float(np.percentile(p, 10))
    return out


def summarise(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One line per family (all runs, ours and the baseline), then one per axis value."""
    lines = []
    for family in dict.fromkeys(r["family"] for r in rows):
        mine = [r for r in rows if r["family"] == family]
        lines.append({"family": family, "axis": "all runs", "value": "", **_stats(mine, "ours")})
        lines.append({"family": family, "axis": "baseline", "value": "loudest 8 s", **_stats(mine, "loudest")})
        for axis in dict.fromkeys(a for r in mine for a in r["axes"]):
            for value in dict.fromkeys(r["axes"][axis] for r in mine):
                some = [r for r in mine if r["axes"][axis] == value]
                lines.append({"family": family, "axis": axis, "value": str(value), **_stats(some, "ours")})
    return lines


def targets(summary: list[dict[str, Any]]) -> list[tuple[str, str, str, bool | None]]:
    """Issue 15's 'must show' lines against this run."""
    out: list[tuple[str, str, str, bool | None]] = []
    by = {(s["family"], s["axis"], s["value"]): s for s in summary}
    b = by.get(("broadcast", "all runs", ""))
    if b:
        out += [
            ("broadcast: every goal", ">= 95 % of runs", f"{b['every_goal']:.0%}", b["every_goal"] >= 0.95),
            ("broadcast: recall median", ">= 0.80", f"{b['recall_median']:.2f}", b["recall_median"] >= 0.8),
            ("broadcast: recall worst decile", ">= 0.65", f"{b['recall_worst_decile']:.2f}", b["recall_worst_decile"] >= 0.65),
            ("broadcast: non-highlight median", "<= 3 %", f"{b['not_highlight_median']:.1%}", b["not_highlight_median"] <= 0.03),
            ("broadcast: non-highlight worst decile", "<= 8 %", f"{b['not_highlight_worst_decile']:.1%}", b["not_highlight_worst_decile"] <= 0.08),
            ("broadcast: a moment twice", "in no run", str(b["runs_with_a_moment_twice"]), b["runs_with_a_moment_twice"] == 0),
        ]  # fmt: skip
        axes = [s for s in summary if s["family"] == "broadcast" and s["axis"] not in ("all runs", "baseline")]
        worst = min(axes, key=lambda s: s["recall_median"], default=None)
        if worst:
            label = f"{worst['axis']}={worst['value']}: {worst['recall_median']:.2f}"
            out.append(("broadcast: lowest axis median recall", ">= 0.70", label, worst["recall_median"] >= 0.7))
    e = by.get(("event", "all runs", ""))
    if e:
        out.append(("event: recall median", ">= 0.60", f"{e['recall_median']:.2f}", e["recall_median"] >= 0.6))
        out.append(("event: music share median", "<= 5 %", f"{e['music_median']:.1%}", e["music_median"] <= 0.05))
    g = by.get(("game", "all runs", ""))
    if g:
        out.append(("older game: recall median", ">= 0.90", f"{g['recall_median']:.2f}", g["recall_median"] >= 0.9))
        out.append(("older game: precision median", ">= 0.70", f"{g['precision_median']:.2f}", g["precision_median"] >= 0.7))
    return out


def _pct(value: float | None, spec: str = ".0%") -> str:
    return "-" if value is None else format(value, spec)


def print_report(report: dict[str, Any], compare: dict[str, Any] | None) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=170)
    before = {(s["family"], s["axis"], s["value"]): s for s in (compare or {}).get("summary", [])}
    table = Table(title="judgement sweep: median / worst decile over runs (worst decile = 10th percentile of recall, "
                  "90th of shares)", title_justify="left")  # fmt: skip
    cols = ["family", "axis", "value", "runs", "every goal", "recall", "non-highlight", "music", "twice", "replays",
            "precision"]  # fmt: skip
    if compare:
        cols.append("recall median before")
    for col in cols:
        table.add_column(col, justify="left" if col in ("family", "axis", "value") else "right")
    for s in report["summary"]:
        row = [
            s["family"], s["axis"], s["value"], str(s["runs"]), _pct(s.get("every_goal")),
            f"{s['recall_median']:.2f} / {s['recall_worst_decile']:.2f}",
            f"{_pct(s.get('not_highlight_median'), '.1%')} / {_pct(s.get('not_highlight_worst_decile'), '.1%')}",
            f"{_pct(s.get('music_median'), '.1%')} / {_pct(s.get('music_worst_decile'), '.1%')}",
            str(s.get("runs_with_a_moment_twice", "-")),
            f"{s['replays_median']:.2f} / {s['replays_worst_decile']:.2f}, {s['false_replays']} false"
            if "replays_median" in s else "-",
            f"{_pct(s.get('precision_median'), '.2f')} / {_pct(s.get('precision_worst_decile'), '.2f')}",
        ]  # fmt: skip
        if compare:
            old = before.get((s["family"], s["axis"], s["value"]))
            row.append(f"{old['recall_median']:.2f}" if old else "-")
        table.add_row(*row)
    console.print(table)
    table = Table(title="issue 15 targets", title_justify="left")
    for col in ("target", "goal", "measured", "met"):
        table.add_column(col)
    for name, goal, measured, met in targets(report["summary"]):
        table.add_row(name, goal, measured, "-" if met is None else ("yes" if met else "NO"))
    console.print(table)
    for family, i in report["inputs"].items():
        console.print(f"input {family}: {i['seeds']} seeds, {i['runs']} runs, {i['minutes']:g} min "
                      f"{i['size'][0]}x{i['size'][1]}, {i['reel_s']:g} s reels", highlight=False)  # fmt: skip
    for note in report["notes"]:
        console.print(f"note: {note}", highlight=False)
    m = report["machine"]
    console.print(f"machine: {m['cpu']}, {m['usable_cores']} cores, load {m['load_avg_1m']} at start; "
                  f"sweep {report['sweep_s']:.0f} s with {report['jobs']} job(s)", highlight=False)  # fmt: skip


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="scripts/bench --judgement", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="6 broadcast, 4 event and 4 game seeds instead of 30 each (for iterating)"
    )
    parser.add_argument("--seeds", type=int, default=0, help="seeds per family (default 30; fewer with --quick)")
    parser.add_argument("--mixes", type=int, default=4, help="sound variants laid over each seed's picture (default 4)")
    parser.add_argument("--families", default="broadcast,event,game", help="comma-separated: broadcast,event,game")
    parser.add_argument("--jobs", type=int, default=1, help="seeds judged at once (the machine is shared: default 1)")
    parser.add_argument("--compare", type=Path, help="an earlier report (JSON) to show as 'before'")
    parser.add_argument("--save", type=Path, help="also write the report to this file")
    parser.add_argument("--rows", type=Path, help="append every run to this JSON-lines file as it finishes")
    parser.add_argument("--summarise", type=Path, help="judge nothing: report the runs in this JSON-lines file")
    parser.add_argument("--keep-reads", type=Path, metavar="DIR",
                        help="keep each run's one-pass reads in DIR (about 1 MB a run) to judge them again")
    parser.add_argument("--rejudge", type=Path, metavar="DIR",
                        help="judge the runs kept in DIR again with this tree, from their reads (a third of the time)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON on stdout")
    opts = parser.parse_args(argv)
    opts.families = [f.strip() for f in opts.families.split(",") if f.strip()]
    unknown = [f for f in opts.families if f not in FAMILIES]
    if unknown:
        parser.error(f"--families: unknown {', '.join(unknown)} (choose from {', '.join(FAMILIES)})")
    if opts.compare and not opts.compare.is_file():
        parser.error(f"--compare {opts.compare}: no such report")
    if opts.rejudge and (opts.keep_reads or opts.summarise):
        parser.error("--rejudge judges kept runs again: it goes with neither --keep-reads nor --summarise")
    if opts.rejudge and not judgement_reads.kept_runs(opts.rejudge):
        parser.error(f"--rejudge {opts.rejudge}: no kept runs there (make them with --keep-reads {opts.rejudge})")
    return opts


def _from_rows(path: Path) -> dict[str, Any]:
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return _report(rows, [f"runs read from {path}"], sum(r["analyse_s"] + r["make_s"] for r in rows))


def main(argv: list[str]) -> int:
    opts = parse_args(argv)
    report = _from_rows(opts.summarise) if opts.summarise else run(opts)
    report["jobs"] = opts.jobs
    out = bench_common.BENCH / "last-judgement-report.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    for path in (out, opts.save):
        if path:
            path.write_text(json.dumps(report, indent=1, default=str))
    compare = json.loads(opts.compare.read_text()) if opts.compare else None
    if opts.json:
        print(json.dumps(report, indent=1, default=str))
    else:
        print_report(report, compare)
        print(f"(JSON in {out})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
