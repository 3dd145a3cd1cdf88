"""Cycles per second of every registered primitive on every backend (``scgen bench``).

Twin figures use the registered stimulus generator with default params: one stream, then a batch
of independent instances on one thread and on all of Numba's threads. Simulator figures exclude
elaboration and Verilator's C++ build.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numba
import numpy as np

from .. import sim
from ..primitives import PRIMITIVES

__all__ = ["BenchRow", "format_rows", "run_benchmarks"]


@dataclass
class BenchRow:
    name: str
    twin: float  # cycles/s, one stream
    twin_batch_1: float  # instance-cycles/s, batch, one thread
    twin_batch_n: float  # instance-cycles/s, batch, all threads
    threads: int
    pysim: float
    verilator: float | None


def best_time(fn, repeat: int = 3) -> float:
    """Return the fastest of ``repeat`` timed calls of ``fn`` (seconds)."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def run_benchmarks(
    *,
    cycles: int = 1 << 20,
    batch: int = 4096,
    batch_cycles: int = 1024,
    pysim_cycles: int = 2000,
    verilator_cycles: int = 1 << 20,
    verilator: bool = True,
    build_root: Path | str = "out/bench",
    names: list[str] | None = None,
) -> list[BenchRow]:
    """Measure every primitive (or those in ``names``) and return one row each."""
    rows = []
    threads = numba.config.NUMBA_NUM_THREADS
    for name in names or list(PRIMITIVES):
        prim = PRIMITIVES[name]
        params = prim.params()
        rng = np.random.default_rng(0)
        single = prim.stimulus(params, rng, cycles)
        flat = prim.stimulus(params, rng, batch * batch_cycles)
        batched = {k: v.reshape(batch, batch_cycles) for k, v in flat.items()}
        prim.run_twin(params, {k: v[:16] for k, v in single.items()})  # compile
        twin = cycles / best_time(lambda p=prim, a=params, s=single: p.run_twin(a, s))
        rates = {1: float("nan"), threads: float("nan")}  # a twin without a batched form
        try:
            prim.run_twin(params, {k: v[:2, :16] for k, v in batched.items()})
        except ValueError:  # (dense: one layer from reset, inputs (cycles,) only)
            pass
        else:
            for n in (1, threads):
                numba.set_num_threads(n)
                rates[n] = (
                    batch
                    * batch_cycles
                    / best_time(lambda p=prim, a=params, s=batched: p.run_twin(a, s))
                )
            numba.set_num_threads(threads)

        short = {k: v[:pysim_cycles] for k, v in single.items()}
        _, seconds = sim.run_many([prim.hw(params)], [short], pysim_cycles)
        pysim_rate = pysim_cycles / seconds

        vl_rate = None
        if verilator:
            n_vl = min(verilator_cycles, cycles)
            long = {k: v[:n_vl] for k, v in single.items()}
            seconds = min(  # the cycle loop as timed inside the native binary, best of 3
                sim.run_many(
                    [prim.hw(params)],
                    [long],
                    n_vl,
                    backend="verilator",
                    build_dir=Path(build_root) / name,
                )[1]
                for _ in range(3)
            )
            vl_rate = n_vl / seconds
        rows.append(BenchRow(name, twin, rates[1], rates[threads], threads, pysim_rate, vl_rate))
    return rows


def format_rows(rows: list[BenchRow]) -> str:
    """Return the benchmark table as text (M = 10**6 cycles/s, k = 10**3 cycles/s)."""
    n = rows[0].threads if rows else 1
    head = (
        f"{'primitive':<10}{'twin 1 stream':>15}{'batch 1 thread':>16}"
        f"{f'batch {n} threads':>18}{'pysim':>12}{'verilator':>12}"
    )
    lines = [head, "-" * len(head)]
    for r in rows:
        vl = "-" if r.verilator is None else f"{r.verilator / 1e3:,.1f} k"
        lines.append(
            f"{r.name:<10}{r.twin / 1e6:>13,.1f} M{_mega(r.twin_batch_1):>16}"
            f"{_mega(r.twin_batch_n):>18}{r.pysim / 1e3:>10,.1f} k{vl:>12}"
        )
    lines.append(
        "twin: cycles/s of one stream; batch: instance-cycles/s (LIF: neuron-steps/s); "
        "simulators: cycles/s of one instance, build excluded"
    )
    return "\n".join(lines)


def _mega(rate: float) -> str:
    return "-" if rate != rate else f"{rate / 1e6:,.1f} M"  # NaN: not measured
