"""Amaranth simulator backend of the harness."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from amaranth.lib.wiring import Flow
from amaranth.sim import Simulator

from ._top import HarnessTop, port_specs

__all__ = ["run_pysim"]

PERIOD = 1e-6  # seconds per cycle in the simulation (and its VCD)


def run_pysim(duts, inputs: list[dict[str, np.ndarray]], cycles: int, *, trace=None):
    """Simulate ``duts`` side by side for ``cycles`` cycles with the Amaranth simulator.

    On each cycle ``t`` every input port is set to ``inputs[k][port][t]``, every output port is
    recorded once the combinational logic has settled, then the clock ticks. Returns
    ``(traces, seconds)``: one ``{port: int64 array}`` per DUT (object arrays of Python ints
    for ports wider than 63 bits) and the wall time of the run. ``trace`` is a ``.vcd`` path,
    or ``(path, first, end)`` for cycles ``first <= t < end`` (Amaranth dumps the whole run to
    a temporary file and :func:`~scgen.sim.vcd.cut_vcd` keeps the range).
    """
    from .native import TraceRequest

    request = TraceRequest.cast(trace, cycles)
    if request is not None and request.format != "vcd":
        raise ValueError(f"The pysim backend writes VCD traces only, not {str(request.path)!r}")
    top = HarnessTop(duts)
    drive: list = []
    sample: list = []
    for k, dut in enumerate(duts):
        for name, flow, width, _ in port_specs(dut):
            sig = getattr(top, f"c{k}__{name}")
            if flow is Flow.In:
                drive.append((sig, [int(v) for v in np.asarray(inputs[k][name]).tolist()]))
            else:
                sample.append((k, name, sig, [], width))

    async def testbench(ctx):
        for t in range(cycles):
            for sig, values in drive:
                ctx.set(sig, values[t])
            for _k, _name, sig, out, _w in sample:
                out.append(ctx.get(sig))
            await ctx.tick()

    sim = Simulator(top)
    sim.add_clock(PERIOD)
    sim.add_testbench(testbench)
    t0 = time.perf_counter()
    if request is None:
        sim.run()
        seconds = time.perf_counter() - t0
    else:
        request.path.parent.mkdir(parents=True, exist_ok=True)
        whole = (request.first, request.end) == (0, cycles)
        full = request.path if whole else request.path.with_name(request.path.name + ".full")
        with sim.write_vcd(str(full)):
            sim.run()
        seconds = time.perf_counter() - t0
        if not whole:
            _cut(full, request.path, request.first, request.end)
    traces: list[dict[str, np.ndarray]] = [{} for _ in duts]
    for k, name, _sig, out, width in sample:
        # ports wider than 63 bits keep Python ints (object arrays)
        traces[k][name] = np.array(out, dtype=object if width > 63 else np.int64)
    return traces, seconds


def _cut(full: Path, path: Path, first: int, end: int | None) -> None:
    """Keep cycles ``first <= t < end`` of a whole-run VCD: cycle ``t``'s inputs change
    half a period before its rising edge at ``(t + 0.5) * PERIOD`` (cycle 0's at time 0)."""
    from .vcd import cut_vcd, vcd_units_per_second

    try:
        with full.open() as fh:
            header = fh.read(4096)
        period = PERIOD * vcd_units_per_second(header)
        begin = 0 if first == 0 else round((first - 0.5) * period)
        stop = None if end is None else round((end - 0.5) * period)
        cut_vcd(full, path, begin, stop)
    finally:
        full.unlink(missing_ok=True)
