"""Benchmark rows of whole graphs on the compiled engine (``scgen.sim.run_windows``): the
64 x 32 dense graph at L = 1024 with constant weights, and the demo graph (L = 256).

The dense graph's first row sets the engine's ``DenseLayer.forward_numpy``, one call per window,
against the compiled graph (hardware-exact: LFSR synapses, per-cycle counts, LIF neurons
carrying state over windows); the "vs scgen twin" rows set scgen's per-cycle twin
(``engine="twin"``, the reference the compiled engine is tested against) in the engine's column,
the "state=fresh" rows the same graph carrying state (``state="carry"``, windows in order) against
independent windows each from reset (``state="fresh"``, windows in parallel).

The dense graph's limit per window: 64 x 32 x 16 = 32 768 AND words (4 us at the measured
AND+popcount limit of about 8e9 words/s), the carry-save adders about five word operations per
synapse word (about 20 us), and 32 x 1024 = 32 768 LIF steps, at the per-cycle LIF twin's rate
(about 2.9 ns a step, the ``batch_lif_run_varying`` row) about 95 us: about 8 000 windows/s on
one thread, bounded by the LIF steps.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

__all__ = ["dense_graph", "demo_graph", "rows"]


def dense_graph(ni: int = 64, nn: int = 32, length: int = 1024, seed: int = 1):
    """A dense_forward graph: ``ni`` rate inputs, constant per-synapse weights, leak -20 and
    gain 256 as constants."""
    from ..ir import GraphBuilder

    rng = np.random.default_rng(seed)
    b = GraphBuilder(f"dense{ni}x{nn}")
    xs = b.input("xs", f"vec<rate,{ni}>")
    ws = b.constant(rng.random(ni * nn).tolist(), f"vec<rate,{ni * nn}>")
    spikes = b.dense_forward(
        xs,
        ws,
        leak=b.constant(-20, "i16"),
        gain=b.constant(256, "i16"),
        n_inputs=ni,
        n_neurons=nn,
        stream_length=length,
        y_max=256,
    )
    b.output("spikes", spikes)
    return b.build()


def demo_graph():
    """The demo graph, ``examples/demo.scir`` of the checkout."""
    from ..ir import parse

    path = Path(__file__).resolve().parents[2] / "examples" / "demo.scir"
    if not path.exists():
        raise FileNotFoundError(f"The demo graph row needs a checkout's {path}, which is missing")
    return parse(path.read_text())


def rows(eng, sc, rng: np.random.Generator) -> dict[str, Callable[[], tuple]]:
    from ..sim import run_windows

    def dense_vs_engine(windows):
        def build():
            g = dense_graph()
            x = rng.random((windows, 64))
            de = eng.DenseLayer(64, 32, 1024)

            def theirs():
                for row in x:
                    de.forward_numpy(row)

            return (
                theirs,
                lambda: run_windows(g, {"xs": x}),
                "and_popcount",
                windows * 64 * 32 * 16,
            )

        return build

    def vs_twin(graph, windows, make_inputs, units):
        def build():
            g = graph()
            ins = make_inputs(windows)
            return (
                lambda: run_windows(g, ins, engine="twin"),
                lambda: run_windows(g, ins),
                "and_popcount" if units else "none",
                units * windows,
            )

        return build

    def vs_carry(graph, windows, make_inputs, units):
        def build():
            g = graph()
            ins = make_inputs(windows)
            return (
                lambda: run_windows(g, ins),
                lambda: run_windows(g, ins, state="fresh"),
                "and_popcount" if units else "none",
                units * windows,
            )

        return build

    def dense_inputs(windows):
        return {"xs": rng.random((windows, 64))}

    def demo_inputs(windows):
        return {"x": rng.random(windows), "w": rng.random(windows)}

    return {
        "compiled graph dense 64x32x1024, 1000 windows (vs engine forward_numpy x 1000)": (
            dense_vs_engine(1000)
        ),
        "compiled graph dense 64x32x1024, 20 windows (vs scgen twin)": vs_twin(
            dense_graph, 20, dense_inputs, 64 * 32 * 16
        ),
        "compiled graph demo L=256, 10000 windows (vs scgen twin)": vs_twin(
            demo_graph, 10000, demo_inputs, 4
        ),
        "compiled graph dense 64x32x1024, 1000 windows, state=fresh (vs state=carry)": vs_carry(
            dense_graph, 1000, dense_inputs, 64 * 32 * 16
        ),
        "compiled graph demo L=256, 10000 windows, state=fresh (vs state=carry)": vs_carry(
            demo_graph, 10000, demo_inputs, 0
        ),
    }
