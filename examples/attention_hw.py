"""SC attention and the SC graph layer in hardware: accuracy against rate mode.

Builds the IR graphs of :mod:`scgen.nn.hw_graphs` (attention 4x4x8, graph layer 8 nodes x 4
features), runs them on the twin (bit-exact with the hardware: tests/test_attention_hw.py runs
them on Verilator) for many random windows, and prints the error against rate mode at several
stream lengths, next to the software SC mode (bit-exact with the seed) for comparison.

    python examples/attention_hw.py [--windows 200] [--verilog out/attention.v]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from scgen.nn import StochasticAttention, StochasticGraphLayer
from scgen.nn import hw_graphs as H


def _errors(est: np.ndarray, ref: np.ndarray) -> str:
    e = np.abs(est - ref)
    return f"mean |err| {e.mean():.4f}  rms {np.sqrt((e**2).mean()):.4f}  max {e.max():.4f}"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--windows", type=int, default=200, help="random inputs per length")
    parser.add_argument("--lengths", type=int, nargs="*", default=[256, 1024])
    parser.add_argument("--verilog", type=Path, help="also write the 4x4x8 attention as Verilog")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    w = args.windows
    n, m, d, dv = 4, 4, 8, 8
    q, k, v = rng.random((w, n, d)), rng.random((w, m, d)), rng.random((w, m, dv))
    att = StochasticAttention(d)
    ref = np.stack([att.forward(*x) for x in zip(q, k, v, strict=True)])
    nodes, f = 8, 4
    adj = (rng.random((nodes, nodes)) < 0.4).astype(float)
    adj[5] = 0.0  # one isolated node
    layer = StochasticGraphLayer(adj, f)
    x = rng.random((w, nodes, f))
    gref = np.stack([layer.forward(xi) for xi in x])
    print(f"attention {n}x{m}x{d} (dv={dv}), {w} random windows, error vs rate mode")
    for length in args.lengths:
        hw = H.run_attention(q, k, v, length=length)
        sw = np.stack(
            [
                att.forward_sc(*xi, length=length, seed=s)
                for s, xi in enumerate(zip(q, k, v, strict=True))
            ]
        )
        print(f"  L={length:5d}  hardware graph: {_errors(hw, ref)}")
        print(f"  L={length:5d}  software SC   : {_errors(sw, ref)}")
    print(f"graph layer {nodes} nodes x {f} features, {w} random windows, error vs rate mode")
    for length in args.lengths:
        hw = H.run_graph_layer(adj, x, layer.weights, length=length)
        sw = np.stack([layer.forward_sc(xi, length=length, seed=s) for s, xi in enumerate(x)])
        print(f"  L={length:5d}  hardware graph: {_errors(hw, gref)}")
        print(f"  L={length:5d}  software SC   : {_errors(sw, gref)}")
    if args.verilog:
        from amaranth.back import verilog

        from scgen.ir.lower import GraphTop

        top = GraphTop(H.attention_graph(n, m, d, dv, length=args.lengths[0]))
        args.verilog.parent.mkdir(parents=True, exist_ok=True)
        args.verilog.write_text(verilog.convert(top, name="sc_attention"))
        print(f"wrote {args.verilog}")


if __name__ == "__main__":
    main()
