"""Cycles per second of co-simulation: native Verilator harness vs cocotb vs the twin, one run.

``scgen bench --suite cosim`` (or ``python benchmarks/bench_cosim.py [--native-cycles N]
[--cocotb-cycles N] [primitive ...]``)
prints one row per primitive (default params, registered stimulus) and one for the demo
pipeline (every port traced). Simulator figures are the cycle loop only; the native build time
(first build of each design, ccache warm or cold as found) is reported in its own column. Models
and cocotb builds go to a temporary folder that is removed at the end.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from .. import sim
from ..demo import DemoConfig, DemoPipeline, demo_stimulus, demo_twin
from ..primitives import PRIMITIVES

__all__ = ["main"]


def _rates(dut_fn, twin_fn, inputs, native_cycles, cocotb_cycles, build: Path):
    twin_fn({k: v[:64] for k, v in inputs.items()})  # compile the kernels
    t0 = time.perf_counter()
    twin_fn(inputs)
    twin = native_cycles / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    sim.run_many([dut_fn()], [{k: v[:16] for k, v in inputs.items()}], 16, backend="verilator")
    build_s = time.perf_counter() - t0
    _, seconds = sim.run_many([dut_fn()], [inputs], native_cycles, backend="verilator")
    native = native_cycles / seconds
    short = {k: v[:cocotb_cycles] for k, v in inputs.items()}
    _, seconds = sim.run_many([dut_fn()], [short], cocotb_cycles, backend="cocotb", build_dir=build)
    return twin, native, cocotb_cycles / seconds, build_s


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="*", help="primitives to measure (default: all)")
    ap.add_argument("--native-cycles", type=int, default=10**6)
    ap.add_argument("--cocotb-cycles", type=int, default=20000)
    args = ap.parse_args(argv)
    sim.toolchain_env()
    head = (
        f"{'design':<12}{'twin':>12}{'native':>12}{'cocotb':>12}{'native/cocotb':>15}{'build':>8}"
    )
    print(head)
    print("-" * len(head))
    with tempfile.TemporaryDirectory(prefix="scgen-bench-cosim-") as tmp:
        os.environ.setdefault("SCGEN_CACHE_DIR", str(Path(tmp) / "cache"))
        rows = []
        for name in args.names or sorted(PRIMITIVES):
            prim = PRIMITIVES[name]
            params = prim.params()
            ins = prim.stimulus(params, np.random.default_rng(0), args.native_cycles)
            rows.append(
                (
                    name,
                    *_rates(
                        lambda p=prim, a=params: p.hw(a),
                        lambda s, p=prim, a=params: p.run_twin(a, s),
                        ins,
                        args.native_cycles,
                        args.cocotb_cycles,
                        Path(tmp) / name,
                    ),
                )
            )
            print(_row(*rows[-1]), flush=True)
        config = DemoConfig()
        ins = demo_stimulus(config, args.native_cycles)
        rows.append(
            (
                "demo",
                *_rates(
                    lambda: DemoPipeline(config),
                    lambda s: demo_twin(config, s),
                    ins,
                    args.native_cycles,
                    args.cocotb_cycles,
                    Path(tmp) / "demo",
                ),
            )
        )
        print(_row(*rows[-1]))
    print(
        "cycles/s of one instance, every output port recorded on every cycle (the demo: 2 "
        "encoders, AND, counter, LIF); build = native model build in seconds (excluded)"
    )
    return 0


def _row(name, twin, native, cocotb, build_s):
    return (
        f"{name:<12}{twin / 1e6:>10.1f} M{native / 1e6:>10.2f} M{cocotb / 1e3:>10.1f} k"
        f"{native / cocotb:>14.0f}x{build_s:>7.1f}s"
    )
