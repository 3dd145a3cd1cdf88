"""Amaranth simulator backend of the harness."""

from __future__ import annotations

import time

import numpy as np
from amaranth.lib.wiring import Flow
from amaranth.sim import Simulator

from ._top import HarnessTop, port_specs

__all__ = ["run_pysim"]


def run_pysim(duts, inputs: list[dict[str, np.ndarray]], cycles: int, *, trace=None):
    """Simulate ``duts`` side by side for ``cycles`` cycles with the Amaranth simulator.

    On each cycle ``t`` every input port is set to ``inputs[k][port][t]``, every output port is
    recorded once the combinational logic has settled, then the clock ticks. Returns
    ``(traces, seconds)``: one ``{port: int64 array}`` per DUT (object arrays of Python ints
    for ports wider than 63 bits) and the wall time of the run. ``trace`` is a ``.vcd`` path;
    Amaranth writes every cycle, so a cycle range must cover the whole run.
    """
    from .native import TraceRequest

    request = TraceRequest.cast(trace, cycles)
    if request is not None and request.format != "vcd":
        raise ValueError(f"The pysim backend writes VCD traces only, not {str(request.path)!r}")
    if request is not None and (request.first, request.end) != (0, cycles):
        raise ValueError(
            f"The pysim backend traces whole runs (0, {cycles}), not "
            f"({request.first}, {request.end}); use backend='verilator' for a cycle range"
        )
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
    sim.add_clock(1e-6)
    sim.add_testbench(testbench)
    t0 = time.perf_counter()
    if request is None:
        sim.run()
    else:
        request.path.parent.mkdir(parents=True, exist_ok=True)
        with sim.write_vcd(str(request.path)):
            sim.run()
    seconds = time.perf_counter() - t0
    traces: list[dict[str, np.ndarray]] = [{} for _ in duts]
    for k, name, _sig, out, width in sample:
        # ports wider than 63 bits keep Python ints (object arrays)
        traces[k][name] = np.array(out, dtype=object if width > 63 else np.int64)
    return traces, seconds
