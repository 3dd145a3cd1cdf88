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
from ..params import EncoderParams, Encoding, LfsrParams, PermuteParams, SobolParams

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


def dense_graph(
    name: str,
    *,
    ni: int,
    nn: int,
    length: int,
    const_weights: bool,
    seed: int = 0,
    own_weights: bool = False,
):
    """One dense layer: rate inputs, constant (ROM) or input weights, LIF neurons; input
    weights are shared by every neuron (``ni`` of them) unless ``own_weights`` (``ni * nn``)."""
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
        w = b.input("w", f"vec<rate,{ni * nn if own_weights else ni}>")
    leak, gain = b.constant_i64(20, "fixed<16,8>"), b.constant_i64(256, "fixed<16,8>")
    spikes = b.dense_forward(
        x, w, leak, gain, n_inputs=ni, n_neurons=nn, stream_length=length, y_max=256
    )
    b.output("spikes", spikes)
    return b.build()


def primitive_graph(
    name: str,
    *,
    source: str,
    chains: int,
    length: int,
    bipolar: bool = False,
    words: bool = False,
    dimension: int = 0,
) -> Graph:
    """``chains`` products of two registered ``encoder`` ops (LFSR or Sobol sources, Sobol
    dimensions from ``dimension`` on; XNOR for bipolar streams, else AND), each counted; with
    ``words`` a bare source's words as well."""
    b = GraphBuilder(name)

    def src(k: int):
        if source == "sobol":
            return SobolParams(width=16, dimension=(k + dimension) % 8, start=k, scramble=0)
        return LfsrParams(width=16, seed=_SEEDS[k % len(_SEEDS)])

    for k in range(chains):
        x = b.input(f"x{k}", "i16" if bipolar else "rate")
        w = b.input(f"w{k}", "i16" if bipolar else "rate")
        enc = Encoding.BIPOLAR if bipolar else Encoding.UNIPOLAR
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


def stream_op_graph(name: str, *, op: str, chains: int, length: int, words: int = 0) -> Graph:
    """``chains`` streams through the registered stream op ``op`` (``cordiv``, ``bind``,
    ``bundle``; ``permute`` rotates a product's ``length``-bit vector by ``words``), counted."""
    b = GraphBuilder(name)
    for k in range(chains):
        n = 3 if op == "bundle" else 1 if op == "permute" else 2
        streams = [
            b.encode(b.input(f"x{k}_{j}"), length=length, seed=_SEEDS[(3 * k + j) % len(_SEEDS)])
            for j in range(n)
        ]
        if op == "permute":
            params = PermuteParams(words=length, lanes=1, shift=words + k)
            out = b.apply("permute", streams[0], params=params)
        else:
            out = b.apply(op, *streams)
        b.output(f"c{k}", b.popcount(out))
    return b.build()


def divider_graph(name: str, *, divisors: tuple[int, ...], length: int) -> Graph:
    """One synapse count per divisor, each divided by it (``div_const``)."""
    b = GraphBuilder(name)
    for k, d in enumerate(divisors):
        b.output(f"q{k}", b.div_const(b.popcount(_synapse(b, k, length)), d))
    return b.build()


def snn_graph(
    name: str,
    *,
    sizes: tuple[int, ...],
    pe: tuple[int, ...],
    steps: int,
    seed: int = 0,
    membrane_width: int = 16,
    leak: str = "shift",
    reset: str = "zero",
    stochastic: int = 0,
    neuron: tuple[str, ...] | None = None,
    encode: str = "",
) -> Graph:
    """A spiking network ``sc.snn`` of ``sizes`` (inputs, then each layer's neurons) folded by
    ``pe``, ``steps`` time steps per window, random 8-bit weights drawn from ``seed``; ``leak``
    is ``shift`` (beta = 7/8), ``multiply`` (beta = 0.9), ``per_neuron`` (a multiply by a beta
    per neuron, drawn from 0.78 to 0.98, read from the neuron ROM) or ``none``;
    ``stochastic`` = L > 0 makes every projection stochastic with streams of L; ``neuron`` names
    each layer's neuron model (``lif`` by default; ``cuba``, and ``li`` or ``cuba_li`` for a
    last-layer readout); ``encode`` (``lfsr`` or ``sobol``) takes rates encoded on chip instead
    of spikes."""
    from ..params.snn import SnnLayerParams, SnnParams
    from ..snn import network_graph

    rng = np.random.default_rng(seed)
    leaks = {
        "shift": {"leak": "shift", "leak_shift": 3},
        "multiply": {"leak": "multiply", "beta": 230, "beta_fraction": 8},
        "none": {"leak": "none"},
        "per_neuron": {"leak": "multiply", "beta_fraction": 8},
    }[leak]
    sc = {"synapse": "stochastic", "stream_length": stochastic} if stochastic else {}
    layers = []
    kinds = neuron or ("lif",) * len(pe)
    for n_in, n_out, p, kind in zip(sizes, sizes[1:], pe, kinds, strict=False):
        layers.append(
            SnnLayerParams(
                neuron=kind,
                weight=rng.integers(-100, 101, (n_out, n_in)).tolist(),
                bias=rng.integers(-8, 9, n_out).tolist(),
                threshold=rng.integers(40, 200, n_out).tolist(),
                reset=reset,
                membrane_width=membrane_width,
                pe=p,
                **leaks,
                **sc,
                # drawn last: the other graphs keep their weights
                **(
                    {"beta": tuple(rng.integers(200, 251, n_out).tolist())}
                    if leak == "per_neuron"
                    else {}
                ),
            )
        )
    return network_graph(SnnParams(layers=tuple(layers)), steps, name=name, encode=encode)


def _snn_calibration_graphs() -> list[Graph]:
    """Spiking networks over their size, folding, widths, leak, reset and synapse kind."""
    cases = (
        ("cal_snn_8x4", (8, 4), (1,), 4, {}),
        ("cal_snn_16x8_pe2", (16, 8), (2,), 8, {}),
        ("cal_snn_16x8x4_pe4_2", (16, 8, 4), (4, 2), 8, {}),
        ("cal_snn_32x16", (32, 16), (1,), 4, {}),
        ("cal_snn_32x16_pe8", (32, 16), (8,), 4, {}),
        ("cal_snn_12x8_if_mw12", (12, 8), (2,), 8, {"leak": "none", "membrane_width": 12}),
        ("cal_snn_8x6_mul_sub", (8, 6), (3,), 4, {"leak": "multiply", "reset": "subtract"}),
        ("cal_snn_16x8_sc16", (16, 8), (2,), 4, {"stochastic": 16}),
        ("cal_snn_8x8x4_sc4", (8, 8, 4), (4, 1), 4, {"stochastic": 4, "reset": "subtract"}),
        ("cal_snn_64x32_pe4", (64, 32), (4,), 4, {"membrane_width": 14}),
        ("cal_snn_16x8x4_cuba_li", (16, 8, 4), (2, 1), 8, {"neuron": ("cuba", "li")}),
        ("cal_snn_12x6_cuba_sc4", (12, 6), (3,), 4, {"neuron": ("cuba",), "stochastic": 4}),
        ("cal_snn_10x8x5_cuba_li", (10, 8, 5), (4, 5), 4, {"neuron": ("lif", "cuba_li")}),
        ("cal_snn_24x4_mul_li", (24, 4), (4,), 8, {"leak": "multiply", "neuron": ("li",)}),
        ("cal_snn_16x8_pe2_lfsr", (16, 8), (2,), 8, {"encode": "lfsr"}),
        ("cal_snn_32x16x4_pe4_sobol", (32, 16, 4), (4, 2), 4, {"encode": "sobol"}),
        ("cal_snn_16x8x4_pe4_2_beta_n", (16, 8, 4), (4, 2), 4, {"leak": "per_neuron"}),
    )
    return [
        snn_graph(name, sizes=sizes, pe=pe, steps=steps, seed=k, **kw)
        for k, (name, sizes, pe, steps, kw) in enumerate(cases)
    ]


def _op_calibration_graphs() -> list[Graph]:
    """The ops added after the first fit: constant dividers, CORDIV, bind, bundle, permute,
    and dense layers with weights of their own per neuron."""
    out = [
        divider_graph(f"cal_div_{'_'.join(map(str, ds))}_l{length}", divisors=ds, length=length)
        for ds, length in (((3,), 256), ((5,), 4096), ((10, 3), 65536), ((7,), 1024), ((4,), 1024))
    ]
    for op in ("cordiv", "bind", "bundle"):
        for chains, length in ((1, 256), (3, 1024)):
            out.append(
                stream_op_graph(
                    f"cal_{op}_c{chains}_l{length}", op=op, chains=chains, length=length
                )
            )
    for chains, length in ((1, 64), (1, 256), (2, 1024)):
        out.append(
            stream_op_graph(
                f"cal_permute_c{chains}_l{length}", op="permute", chains=chains, length=length
            )
        )
    for ni, nn, length, own in ((3, 2, 128, True), (3, 4, 64, False), (5, 2, 64, True)):
        out.append(
            dense_graph(
                f"cal_dense_{ni}x{nn}_l{length}{'_own' if own else ''}",
                ni=ni,
                nn=nn,
                length=length,
                const_weights=False,
                own_weights=own,
            )
        )
    return out


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
    # a power of two is a shift; other factors a constant multiply (1.5: 2 set bits of the Q8.8
    # constant, 1.75: 3, 0.9: 5), in DSPs where the family infers them, else shift-add adders
    for factor in (0.5, 1.75, 1.5, 0.9):
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
    return (
        out + _op_calibration_graphs() + _mapping_calibration_graphs() + _snn_calibration_graphs()
    )


def _mapping_calibration_graphs() -> list[Graph]:
    """Graphs added for the tool's mapping choices (:mod:`scgen.mapping`): weight ROMs
    on either side of each family's block RAM rule (and one deep enough to need read
    multiplexers), constant factors on either side of the DSP and clamp rules, Sobol sources of
    other dimensions and neurons in graphs of several chains (larger designs, for the routing
    term of fmax)."""
    out = [
        dense_graph(
            f"cal_dense_{ni}x{nn}_l{length}_rom",
            ni=ni,
            nn=nn,
            length=length,
            const_weights=True,
        )
        for ni, nn, length in (
            (2, 2, 128),
            (2, 2, 256),
            (2, 3, 256),
            (4, 2, 256),
            (5, 3, 64),
            (1, 3, 512),
            (3, 2, 512),
            (1, 2, 32768),
        )
    ]
    for factor in (1.125, 0.625, 3.0, 0.3):
        out.append(
            chain_graph(f"cal_scale_{int(factor * 100)}", chains=2, length=256, scale=factor)
        )
    # Sobol sources of other dimensions (dimension 0 is the identity: the fewest XORs), so the
    # direction numbers' set bits are fitted on more than the two cal_prim_sobol graphs
    for chains, length, dimension in ((1, 256, 2), (2, 2048, 7), (3, 512, 4)):
        out.append(
            primitive_graph(
                f"cal_prim_sobol_c{chains}_l{length}_d{dimension}",
                source="sobol",
                chains=chains,
                length=length,
                dimension=dimension,
            )
        )
    out.append(chain_graph("cal_lif_c4_dw16", chains=4, length=512, neuron_dw=16))
    out.append(
        chain_graph("cal_lif_c3_dw24_g", chains=3, length=128, neuron_dw=24, wired_gain=True)
    )
    return out + _length_calibration_graphs()


def _length_calibration_graphs() -> list[Graph]:
    """The ops whose other calibration graphs share one stream length (256), again at other
    lengths: the counters' end-of-window compare is a LUT tree whose depth Yosys's mapping
    decides by the length's bits, and on Gowin a 256-cycle window happens to be one LUT level
    (410 MHz for one chain; 300 at 512 cycles and 260 at 128), so a fit on 256 alone is too
    fast everywhere else."""
    out = [
        chain_graph(f"cal_len_c1_l{length}", chains=1, length=length)
        for length in (32, 128, 512, 2048)
    ]
    for length, dw in ((128, 16), (2048, 20)):
        out.append(chain_graph(f"cal_len_lif_l{length}", chains=2, length=length, neuron_dw=dw))
    for length, factor in ((512, 1.5), (2048, 0.625)):
        out.append(chain_graph(f"cal_len_scale_l{length}", chains=2, length=length, scale=factor))
    for op, length in (("bind", 64), ("cordiv", 4096), ("bundle", 512)):
        out.append(stream_op_graph(f"cal_len_{op}_l{length}", op=op, chains=1, length=length))
    return out


def holdout_graphs(
    n: int = 12, seed: int = 2026, primitives: int = 4, ops: int = 8, snns: int = 3
) -> list[Graph]:
    """``n`` composite graphs drawn from ``seed``, ``primitives`` graphs of registered
    primitive ops drawn from ``seed + 1``, ``ops`` graphs of the later ops (dividers,
    CORDIV, bind, bundle, permute, dense layers with weights per neuron) from ``seed + 2`` and
    ``snns`` spiking networks from ``seed + 3``; none of them is in the fitting set."""
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
    orng = np.random.default_rng(seed + 2)
    stream_ops = (("cordiv", "permute"), ("bundle", "bind"))
    for i in range(ops):
        length = int(orng.choice([128, 512, 1024]))
        kind = i % 4
        if kind < 2:
            out.append(
                stream_op_graph(
                    f"held_ops_{i}",
                    op=stream_ops[(i // 4) % 2][kind],
                    chains=int(orng.integers(1, 5)),
                    length=length,
                    words=int(orng.integers(0, 64)),
                )
            )
        elif kind == 2:
            ds = tuple(int(d) for d in orng.choice([3, 5, 6, 9, 12, 8], int(orng.integers(1, 4))))
            out.append(divider_graph(f"held_ops_{i}", divisors=ds, length=length * 8))
        else:
            out.append(
                dense_graph(
                    f"held_ops_{i}",
                    ni=int(orng.integers(2, 6)),
                    nn=int(orng.integers(2, 5)),
                    length=length // 4,
                    const_weights=False,
                    own_weights=bool(orng.integers(0, 2)),
                    seed=i,
                )
            )
    srng = np.random.default_rng(seed + 3)
    for i in range(snns):
        sizes = [int(srng.integers(6, 41))]
        for _ in range(int(srng.integers(1, 3))):
            sizes.append(int(srng.integers(3, 17)))
        pe = tuple(int(srng.choice([d for d in (1, 2, 4, 8) if d <= m])) for m in sizes[1:])
        out.append(
            snn_graph(
                f"held_snn_{i}",
                sizes=tuple(sizes),
                pe=pe,
                steps=int(srng.choice([4, 8, 16])),
                seed=100 + i,
                membrane_width=int(srng.choice([12, 14, 16])),
                leak=str(srng.choice(["shift", "multiply", "none"])),
                reset=str(srng.choice(["zero", "subtract"])),
                stochastic=int(srng.choice([0, 0, 4, 8])),
                neuron=tuple(
                    str(
                        srng.choice(
                            ["lif", "cuba"] + (["li", "cuba_li"] if k == len(pe) - 1 else [])
                        )
                    )
                    for k in range(len(pe))
                ),
            )
        )
    return out
