"""cocotb test module run inside Verilator by :func:`scgen.sim.run_verilator`.

It reads the stimulus file named by ``SCGEN_STIMULUS`` (unsigned port values), drives the
harness top cycle by cycle exactly like the pysim backend (inputs after the falling edge, outputs
sampled in the read-only phase before the rising edge), and writes ``SCGEN_TRACE``.
"""

import json
import os
import time

import cocotb
import numpy as np
from cocotb.clock import Clock
from cocotb.triggers import FallingEdge, ReadOnly, RisingEdge


@cocotb.test()
async def drive_and_sample(dut):
    stim = np.load(os.environ["SCGEN_STIMULUS"])
    meta = json.loads(str(stim["meta"]))
    cycles = int(meta["cycles"])

    def values(a):  # (cycles,) words, or (cycles, limbs) for ports wider than 64 bits
        if a.ndim == 1:
            return a.tolist()
        return [sum(int(x) << (64 * k) for k, x in enumerate(row)) for row in a.tolist()]

    drive = [(getattr(dut, n), values(stim[n])) for n in meta["inputs"]]
    wide = set(meta.get("wide", []))
    sample = [(n, getattr(dut, n)) for n in meta["outputs"]]
    out: dict[str, list] = {n: [] for n, _ in sample}

    cocotb.start_soon(Clock(dut.clk, 10, unit="ns").start())  # type: ignore[arg-type]
    for h, _values in drive:
        h.value = 0
    dut.rst.value = 1
    await RisingEdge(dut.clk)
    await FallingEdge(dut.clk)
    dut.rst.value = 0

    t0 = time.perf_counter()
    for t in range(cycles):
        for h, per_cycle in drive:
            h.value = per_cycle[t]
        await ReadOnly()
        for n, h in sample:
            out[n].append(int(h.value))
        await FallingEdge(dut.clk)
    seconds = time.perf_counter() - t0

    def limbs(v):
        width = max(1, max(x.bit_length() for x in v) if v else 1)
        n = (width + 63) // 64
        return np.array(
            [[(x >> (64 * k)) & 0xFFFFFFFFFFFFFFFF for k in range(n)] for x in v], dtype=np.uint64
        ).reshape(len(v), n)

    np.savez(
        os.environ["SCGEN_TRACE"],
        seconds=seconds,
        **{n: (limbs(v) if n in wide else np.array(v, dtype=np.uint64)) for n, v in out.items()},  # type: ignore[arg-type]
    )
