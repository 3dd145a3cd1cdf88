"""The planner against place and route on graphs it was not fitted on, and its wall time.

``python benchmarks/bench_planner.py [--family F ...] [--out benchmarks/PLANNER.md]`` reads the
committed held-out builds (``scgen/sweep/data/holdout-<family>.json``, made by
``python -m scgen.sweep.calibrate``) of every family (or the ones named), predicts each graph
with :func:`scgen.sweep.plan` and writes one table per family with the relative errors and the
time per plan; then the wall time of ``scgen plan`` in fresh processes.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from scgen.emit import BOARDS
from scgen.ir import parse
from scgen.sweep import plan
from scgen.sweep.calibrate import DATA, data_path, load_rows

LIMITS = {"lut": 0.20, "ff": 0.20, "fmax_mhz": 0.25}
ROOT = Path(__file__).resolve().parent.parent
PLAN_CMD = ["-m", "scgen", "plan", "examples/demo.scir", "--board", "icebreaker"]
BOARD_OF = {"ice40": "icebreaker", "ecp5": "ulx3s-85f", "gowin": "tangnano9k"}


def compare(family: str) -> list[dict]:
    """One row per held-out build: measured and planned LUT, FF, fmax and their errors (a
    graph the family's model cannot plan yet, e.g. an op not calibrated, gets its reason)."""
    rows = load_rows(data_path("holdout", family))
    board = next(b.name for b in BOARDS.values() if b.family == family)
    out: list[dict] = []
    for r in rows:
        t0 = time.perf_counter()
        try:
            p = plan(parse(r["graph"]), r.get("board", board))
        except ValueError as exc:
            out.append({"name": r["name"], "skipped": str(exc)})
            continue
        dt = time.perf_counter() - t0
        got = {"lut": p.total["lut"], "ff": p.total["ff"], "fmax_mhz": p.fmax_mhz}
        out.append(
            {
                "name": r["name"],
                "seconds": dt,
                "fmax.in_range": p.fmax_range[0] <= r["fmax_mhz"] <= p.fmax_range[1],
                **{f"{k}.built": r[k] for k in got},
                **{f"{k}.plan": v for k, v in got.items()},
                **{f"{k}.err": (v - r[k]) / r[k] for k, v in got.items()},
                "bram.built": r["bram"],
                "bram.plan": p.total["bram"],
            }
        )
    return out


def report(family: str, all_rows: list[dict]) -> str:
    rows = [r for r in all_rows if "skipped" not in r]
    skipped = [r for r in all_rows if "skipped" in r]
    n = len(rows)
    within = {k: sum(abs(r[f"{k}.err"]) <= lim for r in rows) for k, lim in LIMITS.items()}
    bram = sum(round(r["bram.plan"]) == r["bram.built"] for r in rows)
    worst = {k: max((r[f"{k}.err"] for r in rows), key=abs) for k in LIMITS}
    lines = [
        f"## {family}: {n} held-out graphs",
        "",
        f"Regenerate: `nice -n 19 python -m scgen.sweep.calibrate --board "
        f"{BOARD_OF.get(family, 'BOARD')}`, then `python benchmarks/bench_planner.py`. "
        "LUT and FF are the block's mapped cells in the placed design; fmax is nextpnr's "
        "post-route figure in the measuring shim. BRAM: block RAMs (where Yosys puts a weight "
        "ROM: `scgen.mapping`).",
        "",
        "| graph | LUT built | LUT plan | err | FF built | FF plan | err | BRAM built | "
        "BRAM plan | fmax built | fmax plan | err |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        cells = [r["name"]]
        for k in LIMITS:
            if k == "fmax_mhz":
                cells += [str(r["bram.built"]), f"{r['bram.plan']:.2g}"]
            cells += [f"{r[f'{k}.built']:.4g}", f"{r[f'{k}.plan']:.4g}", f"{r[f'{k}.err']:+.1%}"]
        lines.append("| " + " | ".join(cells) + " |")
    lines += [
        "",
        f"Within limits: LUT ±20 % {within['lut']}/{n}, FF ±20 % {within['ff']}/{n}, "
        f"BRAM exact {bram}/{n}, fmax ±25 % {within['fmax_mhz']}/{n}. Worst: LUT "
        f"{worst['lut']:+.1%}, FF {worst['ff']:+.1%}, fmax {worst['fmax_mhz']:+.1%}. Slowest "
        f"plan: {max(r['seconds'] for r in rows) * 1000:.1f} ms.",
        "",
        f"Built fmax inside the plan's range (the estimate over the errors of the middle 90 % "
        f"of the calibration builds): {sum(r['fmax.in_range'] for r in rows)}/{n}.",
    ]
    lines += [f"Not planned: {r['name']}: {r['skipped']}" for r in skipped]
    return "\n".join(lines) + "\n"


def fresh_process(repeat: int = 7) -> str:
    """Wall time of ``scgen plan`` in new processes (imports, model fit, plan, print)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    load = os.getloadavg()[0]
    walls = []
    for _ in range(repeat + 1):  # the first run warms the file cache
        t = time.perf_counter()
        subprocess.run(
            [sys.executable, *PLAN_CMD], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
        )
        walls.append(time.perf_counter() - t)
    walls = walls[1:]
    return "\n".join(
        [
            "## `scgen plan` in a fresh process",
            "",
            f"`python {' '.join(PLAN_CMD)}` in a new process, {repeat} runs after one warm-up: "
            f"min {min(walls):.2f} s, median {statistics.median(walls):.2f} s, max "
            f"{max(walls):.2f} s (target: under 1 s). Machine: {os.cpu_count()} cores, load "
            f"average {load:.1f} at the start (times scale with the load).",
            "",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--family", action="append", help="families (default: every one with data)")
    p.add_argument("--out", default="benchmarks/PLANNER.md")
    p.add_argument("--repeat", type=int, default=7, help="fresh-process runs of scgen plan (7)")
    args = p.parse_args(argv)
    families = args.family or sorted(
        q.stem.removeprefix("holdout-") for q in DATA.glob("holdout-*.json")
    )
    parts = ["# Planner against place and route", ""]
    parts += [report(f, compare(f)) for f in families]
    parts.append(fresh_process(args.repeat))
    text = "\n".join(parts)
    Path(args.out).write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
