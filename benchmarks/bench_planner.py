"""The planner against place and route on graphs it was not fitted on.

``python benchmarks/bench_planner.py [--family ice40] [--out benchmarks/PLANNER.md]`` reads the
committed held-out builds (``scgen/sweep/data/holdout-<family>.json``, made by
``python -m scgen.sweep.calibrate``), predicts each graph with :func:`scgen.sweep.plan` and
writes the table with the relative errors and the time per plan.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from scgen.emit import BOARDS
from scgen.ir import parse
from scgen.sweep import plan
from scgen.sweep.calibrate import data_path, load_rows

LIMITS = {"lut": 0.20, "ff": 0.20, "fmax_mhz": 0.25}


def compare(family: str) -> list[dict]:
    """One row per held-out build: measured and planned LUT, FF, fmax and their errors."""
    rows = load_rows(data_path("holdout", family))
    board = next(b.name for b in BOARDS.values() if b.family == family)
    out = []
    for r in rows:
        t0 = time.perf_counter()
        p = plan(parse(r["graph"]), r.get("board", board))
        dt = time.perf_counter() - t0
        got = {"lut": p.total["lut"], "ff": p.total["ff"], "fmax_mhz": p.fmax_mhz}
        out.append(
            {
                "name": r["name"],
                "seconds": dt,
                **{f"{k}.built": r[k] for k in got},
                **{f"{k}.plan": v for k, v in got.items()},
                **{f"{k}.err": (v - r[k]) / r[k] for k, v in got.items()},
            }
        )
    return out


def report(family: str, rows: list[dict]) -> str:
    n = len(rows)
    within = {k: sum(abs(r[f"{k}.err"]) <= lim for r in rows) for k, lim in LIMITS.items()}
    lines = [
        f"# Planner against place and route ({family}, {n} held-out graphs)",
        "",
        "Regenerate: `nice -n 19 python -m scgen.sweep.calibrate --board icebreaker`, then "
        "`python benchmarks/bench_planner.py`. LUT and FF are the block's mapped cells in the "
        "placed design; fmax is nextpnr's post-route figure in the measuring shim.",
        "",
        "| graph | LUT built | LUT plan | err | FF built | FF plan | err | fmax built | "
        "fmax plan | err |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        cells = [r["name"]]
        for k in LIMITS:
            cells += [f"{r[f'{k}.built']:.4g}", f"{r[f'{k}.plan']:.4g}", f"{r[f'{k}.err']:+.1%}"]
        lines.append("| " + " | ".join(cells) + " |")
    lines += [
        "",
        f"Within limits: LUT ±20 % {within['lut']}/{n}, FF ±20 % {within['ff']}/{n}, "
        f"fmax ±25 % {within['fmax_mhz']}/{n}. Slowest plan: "
        f"{max(r['seconds'] for r in rows) * 1000:.1f} ms.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--family", default="ice40")
    p.add_argument("--out", default="benchmarks/PLANNER.md")
    args = p.parse_args(argv)
    text = report(args.family, compare(args.family))
    Path(args.out).write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
