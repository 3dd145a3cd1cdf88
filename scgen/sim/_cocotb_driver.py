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
    drive = [(getattr(dut, n), stim[n].tolist()) for n in meta["inputs"]]
    sample = [(n, getattr(dut, n)) for n in meta["outputs"]]
    out = {n: [] for n, _ in sample}

    cocotb.start_soon(Clock(dut.clk, 10, unit="ns").start())
    for h, _values in drive:
        h.value = 0
    dut.rst.value = 1
    await RisingEdge(dut.clk)
    await FallingEdge(dut.clk)
    dut.rst.value = 0

    t0 = time.perf_counter()
    for t in range(cycles):
        for h, values in drive:
            h.value = values[t]
        await ReadOnly()
        for n, h in sample:
            out[n].append(int(h.value))
        await FallingEdge(dut.clk)
    seconds = time.perf_counter() - t0
    np.savez(os.environ["SCGEN_TRACE"], seconds=seconds,
             **{n: np.array(v, dtype=np.uint64) for n, v in out.items()})
