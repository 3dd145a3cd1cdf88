"""The measuring shim's fold tree: the XOR of every output bit, one LUT deep per level."""

import random

import pytest
from amaranth.hdl import Module, Signal
from amaranth.sim import Simulator

from scgen.emit.measure import fold_ffs, fold_levels, fold_tree


@pytest.mark.parametrize(
    "bits, levels, ffs", [(1, 0, 0), (4, 0, 0), (5, 1, 2), (16, 1, 4), (17, 2, 7), (300, 4, 101)]
)
def test_fold_tree_sizes(bits, levels, ffs):
    assert (fold_levels(bits), fold_ffs(bits)) == (levels, ffs)


@pytest.mark.parametrize("bits", [3, 4, 5, 16, 37, 130])
def test_fold_tree_is_the_parity_of_its_input(bits):
    m = Module()
    x = Signal(bits)
    out = Signal()
    m.d.comb += out.eq(fold_tree(m, x))
    lag = fold_levels(bits)
    rng = random.Random(bits)
    stimulus = [rng.getrandbits(bits) for _ in range(40)]
    sim = Simulator(m)
    if lag:  # a tree of one level is a plain XOR: no clock domain to drive
        sim.add_clock(1e-6)
    got = []

    async def bench(ctx):
        for v in stimulus + [0] * lag:
            ctx.set(x, v)
            await ctx.delay(1e-9)  # settle the combinational output of this cycle
            got.append(ctx.get(out))
            await (ctx.tick() if lag else ctx.delay(1e-6))

    sim.add_testbench(bench)
    sim.run()
    assert got[lag:] == [bin(v).count("1") & 1 for v in stimulus]
