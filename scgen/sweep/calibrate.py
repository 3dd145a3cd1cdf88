"""Measure graphs on a board (Yosys + nextpnr, one build at a time) for the planner's fit.

``python -m scgen.sweep.calibrate --board icebreaker`` regenerates the committed data in
``scgen/sweep/data/``: ``calibration-<family>.json`` (the fitting set of
:func:`~scgen.sweep.families.calibration_graphs`) and ``holdout-<family>.json`` (the graphs of
:func:`~scgen.sweep.families.holdout_graphs`, never used for fitting). Each row keeps the graph's
text, so features are always derived from the graph, never copied. A re-run measures only the
graphs missing from the file. Builds are CPU-heavy: run it under ``nice``.
"""

from __future__ import annotations

import argparse
import json
import logging
import tempfile
from pathlib import Path

from ..ir.graph import Graph

__all__ = ["DATA", "data_path", "load_rows", "measure_graph", "measure_graphs"]

DATA = Path(__file__).with_name("data")
_log = logging.getLogger(__name__)


def data_path(kind: str, family: str) -> Path:
    """The committed measurements of ``kind`` (``calibration`` or ``holdout``) for a family."""
    return DATA / f"{kind}-{family}.json"


def load_rows(path: Path) -> list[dict]:
    return json.loads(path.read_text())["rows"] if path.exists() else []


def measure_graph(graph: Graph, board: str) -> dict:
    """Build ``graph``'s GraphTop alone (synthesis) and in the measuring shim (place and route).

    LUT, FF, carry, BRAM and DSP are the block's mapped cells (what nextpnr places, without the
    shim); fmax is nextpnr's post-route figure for the shimmed block.
    """
    from ..emit import board as get_board
    from ..emit import measure
    from ..ir.lower import GraphTop

    b = get_board(board)
    with tempfile.TemporaryDirectory(prefix="scgen-cal-") as tmp:
        m = measure(graph.name, lambda: GraphTop(graph), b.name, Path(tmp) / "b", progress=None)
    if m.error:
        raise RuntimeError(f"Graph {graph.name!r} did not build for {b.name}: {m.error}")
    return {
        "name": graph.name,
        "graph": graph.to_text(),
        "board": b.name,
        "family": b.family,
        **{k: int(m.synth.get(k, 0)) for k in ("lut", "ff", "carry", "bram", "dsp")},
        "logic_cells": m.pnr["resources"].get("logic_cells", {}).get("used"),
        "fmax_mhz": m.fmax_mhz,
        "seconds": round(m.seconds, 1),
    }


def measure_graphs(graphs: list[Graph], board: str, path: Path) -> list[dict]:
    """Measure every graph not yet in ``path``, one at a time, saving after each build."""
    rows = load_rows(path)
    done = {r["name"] for r in rows}
    for g in graphs:
        if g.name in done:
            continue
        try:
            row = measure_graph(g, board)
        except RuntimeError as exc:  # e.g. more DSPs than the device has: not a data point
            _log.warning("%s", exc)
            continue
        rows.append(row)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"board": board, "rows": rows}, indent=1) + "\n")
        tmp.replace(path)
        _log.warning(
            "%s: %d LUT, %d FF, %.1f MHz (%.0f s)",
            g.name,
            row["lut"],
            row["ff"],
            row["fmax_mhz"],
            row["seconds"],
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    from ..emit import board as get_board
    from .families import calibration_graphs, holdout_graphs

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--board", default="icebreaker")
    p.add_argument("--holdout", type=int, default=14, help="held-out graphs to draw (14)")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    family = get_board(args.board).family
    measure_graphs(calibration_graphs(), args.board, data_path("calibration", family))
    measure_graphs(holdout_graphs(args.holdout), args.board, data_path("holdout", family))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
