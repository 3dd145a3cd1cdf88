"""The graphs the planner is calibrated on and checked against.

:func:`calibration_graphs` sweeps each op kind over its parameters inside the smallest graph
that keeps it (inputs, the op, its outputs); :func:`holdout_graphs` draws composite graphs
(several synapse chains, neurons, scaled inputs, a dense layer) from a seeded generator that the
fit never sees. Both are deterministic.
"""

from __future__ import annotations

import numpy as np

from ..ir import GraphBuilder, ScGraphBuilder
from ..ir.graph import Graph
from ..ir.types import parse_type
from ..params import EncoderParams, LfsrParams, SobolParams

__all__ = ["calibration_graphs", "holdout_graphs"]

_SEEDS = (0xACE1, 0xBEEF, 0x1D2C, 0x7A55, 0x3C3C, 0x5EED, 0x0F0F, 0x2468, 0x1357, 0x6A6A)


def _synapse(b: GraphBuilder, k: int, length: int, *, scale: float | None = None):
    x, w = b.input(f"x{k}"), b.input(f"w{k}")
    if scale is not None:
        x = b.scale(x, scale)
    sx = b.encode(x, length=length, seed=_SEEDS[(2 * k) % len(_SEEDS)])
    sw = b.encode(w, length=length, seed=_SEEDS[(2 * k + 1) % len(_SEEDS)])
    return sx & sw


def _neuron(b: GraphBuilder, count, dw: int, *, wired_gain: bool, k: int):
    t = f"fixed<{dw},8>"
    leak = b.constant(20, t)
    gain = b.input(f"g{k}", t) if wired_gain else b.constant(256, t)
    noise = b.constant(0, t)
    return b.lif_step(count, leak=leak, gain=gain, noise=noise, data_width=dw, fraction=8)


def chain_graph(
    name: str,
    *,
    chains: int,
    length: int,
    neuron_dw: int | None = None,
    wired_gain: bool = False,
    scale: float | None = None,
    stream_out: bool = False,
) -> Graph:
    """``chains`` synapses (two encoders, AND, popcount), each optionally into a LIF step."""
    b = GraphBuilder(name)
    for k in range(chains):
        prod = _synapse(b, k, length, scale=scale)
        if stream_out:
            b.output(f"p{k}", prod)
        count = b.popcount(prod)
        if neuron_dw is None:
            b.output(f"c{k}", count)
        else:
            b.output(f"n{k}", _neuron(b, count, neuron_dw, wired_gain=wired_gain, k=k))
    return b.build()


def dense_graph(name: str, *, ni: int, nn: int, length: int, const_weights: bool, seed: int = 0):
    """One dense layer: rate inputs, constant (ROM) or input weights, LIF neurons."""
    rng = np.random.default_rng(seed)
    b = ScGraphBuilder(name)
    x = b.input("x", f"vec<rate,{ni}>")
    if const_weights:
        w = b._add(
            "constant",
            (),
            {
                "value": tuple(float(v) for v in rng.random(ni * nn)),
                "type": parse_type(f"vec<rate,{ni * nn}>"),
            },
        )
    else:
        w = b.input("w", f"vec<rate,{ni}>")
    leak, gain = b.constant_i64(20, "fixed<16,8>"), b.constant_i64(256, "fixed<16,8>")
    spikes = b.dense_forward(
        x, w, leak, gain, n_inputs=ni, n_neurons=nn, stream_length=length, y_max=256
    )
    b.output("spikes", spikes)
    return b.build()


def primitive_graph(
    name: str, *, source: str, chains: int, length: int, bipolar: bool = False, words: bool = False
) -> Graph:
    """``chains`` products of two registered ``encoder`` ops (LFSR or Sobol sources; XNOR for
    bipolar streams, else AND), each counted; with ``words`` a bare source's words as well."""
    b = GraphBuilder(name)

    def src(k: int):
        if source == "sobol":
            return SobolParams(width=16, dimension=k % 8, start=k, scramble=0)
        return LfsrParams(width=16, seed=_SEEDS[k % len(_SEEDS)])

    for k in range(chains):
        x = b.input(f"x{k}", "i16" if bipolar else "rate")
        w = b.input(f"w{k}", "i16" if bipolar else "rate")
        enc = "bipolar" if bipolar else "unipolar"
        sx, sw = (
            b.apply(
                "encoder",
                v,
                params=EncoderParams(source=src(2 * k + j), encoding=enc),
                length=length,
            )
            for j, v in enumerate((x, w))
        )
        prod = b.apply("mul_xnor" if bipolar else "mul_and", sx, sw)
        b.output(f"c{k}", b.popcount(prod))
    if words:
        b.output("words", b.apply(source, params=src(9), length=length))
    return b.build()


def calibration_graphs() -> list[Graph]:
    """The fitting set: each op kind over its parameters, in the smallest graph that keeps it."""
    out = []
    for length in (16, 256, 4096, 65536):
        for chains in (1, 3):
            out.append(chain_graph(f"cal_syn_c{chains}_l{length}", chains=chains, length=length))
    for length in (64, 1024):
        out.append(chain_graph(f"cal_stream_l{length}", chains=2, length=length, stream_out=True))
    for dw in (10, 16, 24):
        for wired in (False, True):
            out.append(
                chain_graph(
                    f"cal_lif_dw{dw}{'_g' if wired else ''}",
                    chains=1,
                    length=256,
                    neuron_dw=dw,
                    wired_gain=wired,
                )
            )
    out.append(chain_graph("cal_lif_c2_dw16", chains=2, length=1024, neuron_dw=16))
    for factor in (0.5, 1.75):
        out.append(
            chain_graph(f"cal_scale_{int(factor * 100)}", chains=2, length=256, scale=factor)
        )
    for ni, nn, length, const in (
        (2, 2, 64, False),
        (3, 2, 256, False),
        (4, 3, 128, False),
        (3, 3, 256, True),
        (4, 4, 64, True),
    ):
        out.append(
            dense_graph(
                f"cal_dense_{ni}x{nn}_l{length}{'_rom' if const else ''}",
                ni=ni,
                nn=nn,
                length=length,
                const_weights=const,
            )
        )
    for source in ("lfsr", "sobol"):
        for chains, length, bipolar, words in ((1, 64, False, True), (3, 1024, True, False)):
            out.append(
                primitive_graph(
                    f"cal_prim_{source}_c{chains}_l{length}",
                    source=source,
                    chains=chains,
                    length=length,
                    bipolar=bipolar,
                    words=words,
                )
            )
    return out


def holdout_graphs(n: int = 12, seed: int = 2026, primitives: int = 4) -> list[Graph]:
    """``n`` composite graphs drawn from ``seed`` and ``primitives`` graphs of registered
    primitive ops drawn from ``seed + 1``; none of them is in the fitting set."""
    prng = np.random.default_rng(seed + 1)
    out = [
        primitive_graph(
            f"held_prim_{i}",
            source=str(prng.choice(["lfsr", "sobol"])),
            chains=int(prng.integers(1, 5)),
            length=int(prng.choice([128, 512, 4096])),
            bipolar=bool(prng.integers(0, 2)),
            words=bool(prng.integers(0, 2)),
        )
        for i in range(primitives)
    ]
    rng = np.random.default_rng(seed)
    for i in range(n):
        if i % 4 == 3:
            ni, nn = int(rng.integers(2, 5)), int(rng.integers(2, 5))
            out.append(
                dense_graph(
                    f"held_{i}_dense",
                    ni=ni,
                    nn=nn,
                    length=int(rng.choice([32, 128, 512])),
                    const_weights=bool(rng.integers(0, 2)),
                    seed=i,
                )
            )
            continue
        neuron = bool(rng.integers(0, 2))
        length = int(rng.choice([32, 128, 512, 2048, 8192, 32768]))
        out.append(
            chain_graph(
                f"held_{i}",
                chains=int(rng.integers(1, 6)),
                length=min(length, 2048) if neuron else length,  # the count fits the neuron
                neuron_dw=int(rng.choice([12, 14, 18, 20])) if neuron else None,
                wired_gain=neuron and bool(rng.integers(0, 2)),
                scale=float(rng.choice([0.75, 1.25])) if rng.integers(0, 3) == 0 else None,
                stream_out=bool(rng.integers(0, 4) == 0),
            )
        )
    return out
