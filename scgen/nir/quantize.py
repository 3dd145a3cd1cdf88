"""Float NIR network -> fixed-point :class:`scgen.snn.SnnParams`, with a deviation report."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..params.snn import Leak, Reset, SnnLayerParams, SnnParams
from ..sw.snn import snn_steps
from .lower import lower
from .network import Network, NIRImportError, Node, simulate

__all__ = ["QuantReport", "dequantize", "quantize"]


@dataclass(frozen=True)
class QuantReport:
    """Per population: float reference against the fixed-point twin on the calibration spikes.

    ``rows`` hold ``node``, ``neurons``, ``fraction`` (bits), ``weight_width``,
    ``membrane_width``, ``leak``, ``spike_agreement`` (fraction of (step, sample, neuron)
    entries equal), ``count_agreement`` (fraction of (sample, neuron) spike counts equal),
    ``peak`` (largest |membrane| of the twin, raw) against ``limit`` (the format's largest).
    ``argmax_agreement``: samples whose last-population argmax of spike counts agree.

    The fixed-point twin runs every projection exact. Rows of stochastic projections add
    ``sc_spike_agreement`` and ``sc_count_agreement``: the float reference against the SC twin
    (the network as built, stochastic synapses included); ``sc_argmax_agreement`` is its argmax
    figure (None when every projection is exact).
    """

    rows: tuple[dict, ...]
    argmax_agreement: float
    sc_argmax_agreement: float | None = None

    def table(self) -> str:
        """Return the report as an aligned text table."""
        head = ("node", "n", "frac", "w bits", "v bits", "leak", "spikes eq", "counts eq",
                "peak/limit")  # fmt: skip
        sc = self.sc_argmax_agreement is not None
        if sc:
            head = (*head, "synapse", "SC spikes eq", "SC counts eq")
        lines = [head]
        for r in self.rows:
            lines.append((
                r["node"], str(r["neurons"]), str(r["fraction"]), str(r["weight_width"]),
                str(r["membrane_width"]), r["leak"], f"{r['spike_agreement']:.4f}",
                f"{r['count_agreement']:.4f}", f"{r['peak']}/{r['limit']}",
            ))  # fmt: skip
            if sc:
                stochastic = "sc_spike_agreement" in r
                lines[-1] += (
                    r["synapse"],
                    f"{r['sc_spike_agreement']:.4f}" if stochastic else "-",
                    f"{r['sc_count_agreement']:.4f}" if stochastic else "-",
                )
        widths = [max(len(line[k]) for line in lines) for k in range(len(head))]
        text = ["  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) for line in lines]
        text.append(f"argmax agreement (last population): {self.argmax_agreement:.4f}")
        if sc:
            text.append(f"argmax agreement, SC twin: {self.sc_argmax_agreement:.4f}")
        return "\n".join(text)

    def to_json(self) -> str:
        """Return the report as JSON."""
        return json.dumps({
            "rows": list(self.rows), "argmax_agreement": self.argmax_agreement,
            "sc_argmax_agreement": self.sc_argmax_agreement,
        })  # fmt: skip


def chain(network: Network) -> list[tuple[str, str]]:
    """``[(projection, population), ...]`` of a feed-forward Input -> (Affine|Linear -> LIF|IF)*
    -> Output network, or a :class:`NIRImportError` naming the node that breaks the pattern."""
    (name,) = network.inputs
    pairs = []
    while True:
        succ = [b for a, b in network.edges if a == name]
        if len(succ) != 1:
            raise NIRImportError(
                f"NIR node {name!r} must feed exactly one node for the fixed-point chain, not "
                f"{len(succ)}"
            )
        (proj,) = succ
        kind = network.nodes[proj].kind
        if kind == "Output":
            break
        if kind not in ("Affine", "Linear") or (name, proj) in network.recurrent:
            raise NIRImportError(
                f"NIR node {proj!r} has type {kind}, but the fixed-point chain needs an Affine "
                f"or Linear projection there"
            )
        succ = [b for a, b in network.edges if a == proj]
        pop = succ[0] if len(succ) == 1 else None
        if pop is None or network.nodes[pop].kind not in ("LIF", "IF"):
            got = network.nodes[pop].kind if pop else f"{len(succ)} nodes"
            raise NIRImportError(
                f"NIR node {proj!r} must feed one LIF or IF population for the fixed-point "
                f"chain, not {got}"
            )
        if any(b == pop and a != proj for a, b in network.edges):
            raise NIRImportError(
                f"NIR node {pop!r} has a recurrent or second input, which the fixed-point "
                f"hardware does not support yet"
            )
        pairs.append((proj, pop))
        name = pop
    if not pairs:
        raise NIRImportError("NIR graph has no projection and population to quantise")
    return pairs


def _shared(pop: str, fieldname: str, values: np.ndarray) -> float:
    if not np.allclose(values, values[0], rtol=1e-6, atol=0):
        raise NIRImportError(
            f"NIR node {pop!r} field {fieldname!r} must be the same for every neuron in "
            f"hardware, not values from {float(values.min())!r} to {float(values.max())!r}"
        )
    return float(values[0])


def quantize(
    network: Network,
    calibration: np.ndarray,
    *,
    fraction: int | None = None,
    weight_width: int = 8,
    membrane_width: int | None = None,
    beta_fraction: int = 8,
    reset: str = "zero",
    pe: int | tuple[int, ...] = 1,
    synapse: str | tuple[str, ...] = "exact",
    stream_length: int = 16,
) -> tuple[SnnParams, QuantReport]:
    """Quantise a feed-forward LIF/IF network to fixed point with ``fraction`` bits.

    Per layer the NIR-Euler step ``v <- (1 - a) v + a r (W s + b) + a v_leak`` (``a = dt/tau``;
    IF: ``v <- v + dt r (W s + b)``) becomes ``v <- leak(v) + W' s + b'`` with ``W' = round(a r W
    2**f)``. beta = 1 - a becomes a shift where it is 1 - 2**-k, else a multiplication by
    ``round(beta 2**beta_fraction)``. ``fraction=None`` takes the largest that fits every
    weight in ``weight_width`` bits; ``membrane_width=None`` fits twice the calibration peak.
    ``reset="subtract"`` gives snnTorch's subtractive reset (NIR cannot express it).
    ``synapse="stochastic"`` (or one mode per projection) makes projections stochastic with
    streams of ``stream_length``; the report then compares the SC twin as well.

    Conv1d/Conv2d/SumPool2d/AvgPool2d and Flatten are first lowered (:func:`scgen.nir.lower`):
    the projections between two populations compose into one dense ``W`` (convolutions
    unrolled, average pooling's ``1 / (kh kw)`` folded in), quantised as above; the report
    compares with the float reference of ``network`` itself.
    """
    calibration = np.asarray(calibration)
    dense = lower(network)
    pairs = chain(dense)
    dt = network.dt
    layers = []
    for proj, pop in pairs:
        pn, qn = dense.nodes[proj].params, dense.nodes[pop]
        q = qn.params
        if qn.kind == "LIF":
            a = dt / _shared(pop, "tau", q["tau"])
            gain = a * q["r"]
            beta = 1.0 - a
            extra = a * q["v_leak"]
        else:
            gain, beta, extra = dt * q["r"], 1.0, np.zeros(qn.size)
        w = gain[:, None] * pn["weight"]
        b = gain * pn.get("bias", np.zeros(qn.size)) + extra
        layers.append((pop, w, b, beta, q["v_threshold"], _shared(pop, "v_reset", q["v_reset"])))
    if fraction is None:
        top = (1 << (weight_width - 1)) - 1
        biggest = max(float(np.abs(w).max()) for _, w, *_ in layers)
        fraction = 0
        while fraction < 16 and round(biggest * 2 ** (fraction + 1)) <= top:
            fraction += 1
    scale = 2.0**fraction
    _, ref_trace, ref_peak = simulate(network, calibration, record=True)
    pes = (pe,) * len(layers) if isinstance(pe, int) else tuple(pe)
    modes = (synapse,) * len(layers) if isinstance(synapse, str) else tuple(synapse)
    built = []
    for (pop, w, b, beta, thr, v_reset), p, mode in zip(layers, pes, modes, strict=True):
        k = np.log2(1.0 / (1.0 - beta)) if beta < 1 else None
        leak: dict[str, Any]
        if beta == 1.0:
            leak = {"leak": Leak.NONE}
        elif k is not None and abs(k - round(k)) < 1e-6 and round(k) >= 1:
            leak = {"leak": Leak.SHIFT, "leak_shift": round(k)}
        else:
            leak = {"leak": Leak.MULTIPLY, "beta": round(beta * 2**beta_fraction),
                    "beta_fraction": beta_fraction}  # fmt: skip
        wq = np.rint(w * scale).astype(np.int64)
        lo, hi = -(1 << (weight_width - 1)), (1 << (weight_width - 1)) - 1
        if wq.min() < lo or wq.max() > hi:
            raise NIRImportError(
                f"NIR node {pop!r} weights reach {float(np.abs(w).max())!r}, which does not fit "
                f"{weight_width} signed bits with {fraction} fraction bits; use fewer fraction "
                f"bits or wider weights"
            )
        peak = max(ref_peak[pop], float(np.abs(thr).max())) * scale
        mw = membrane_width or max(4, int(np.ceil(np.log2(2 * peak + 2))) + 1)
        built.append(SnnLayerParams(
            weight=wq.tolist(), bias=np.rint(b * scale).astype(np.int64).tolist(),
            threshold=np.rint(thr * scale).astype(np.int64).tolist(),
            reset=Reset(reset), v_reset=round(v_reset * scale), weight_width=weight_width,
            membrane_width=mw, pe=p, **leak, synapse=mode,
            stream_length=stream_length if mode == "stochastic" else 1,
        ))  # fmt: skip
    params = SnnParams(layers=tuple(built))
    spikes, twin_peak = snn_steps(params.with_synapse("exact"), calibration)
    sc_spikes = None
    if any(la.stochastic for la in params.layers):
        sc_spikes, sc_peak = snn_steps(params, calibration)
        twin_peak = np.maximum(twin_peak, sc_peak)
    rows, base = [], 0
    for k, ((pop, *_), la) in enumerate(zip(layers, params.layers, strict=True)):
        ours = spikes[:, :, base : base + la.n_out].astype(np.float64)
        ref = ref_trace[pop]
        base += la.n_out
        rows.append({
            "node": pop, "neurons": la.n_out, "fraction": fraction,
            "weight_width": la.weight_width, "membrane_width": la.membrane_width,
            "leak": la.leak.value if la.leak is not Leak.SHIFT else f"shift {la.leak_shift}",
            "spike_agreement": float((ours == ref).mean()),
            "count_agreement": float((ours.sum(0) == ref.sum(0)).mean()),
            "peak": int(twin_peak[:, k].max()),
            "limit": (1 << (la.membrane_width - 1)) - 1,
            "synapse": la.synapse.value,
        })  # fmt: skip
        if la.stochastic:
            sc = sc_spikes[:, :, base - la.n_out : base].astype(np.float64)
            rows[-1]["sc_spike_agreement"] = float((sc == ref).mean())
            rows[-1]["sc_count_agreement"] = float((sc.sum(0) == ref.sum(0)).mean())
    ref_last = ref_trace[layers[-1][0]].sum(0).argmax(1)
    agree = float((spikes[:, :, base - params.n_out : base].sum(0).argmax(1) == ref_last).mean())
    sc_agree = None
    if sc_spikes is not None:
        sc_last = sc_spikes[:, :, base - params.n_out : base].sum(0).argmax(1)
        sc_agree = float((sc_last == ref_last).mean())
    return params, QuantReport(tuple(rows), agree, sc_agree)


def dequantize(params: SnnParams, *, fraction: int, dt: float) -> Network:
    """The float :class:`Network` a fixed-point network stands for, ready for :func:`write`.

    Layer ``k`` becomes ``Affine`` ``k`` (``weight / 2**fraction``, ``bias / 2**fraction``) and
    ``LIF`` (``tau = dt / (1 - beta)``, ``r = tau / dt``, so that forward Euler at ``dt`` is
    ``v <- beta v + I``) or ``IF`` (``r = 1 / dt``); thresholds and ``v_reset`` scaled alike.
    A subtractive reset has no NIR form and is refused.
    """
    from .io import _order  # the same evaluation order as a file read

    scale = 2.0**fraction
    raw, edges, prev = {"input": ("Input", None)}, [], "input"
    nodes = {"input": Node("Input", params.n_in)}
    for k, la in enumerate(params.layers):
        if la.reset is Reset.SUBTRACT:
            raise NIRImportError(
                f"SNN layer {k} reset must be 'zero' to be written to NIR, not 'subtract'; NIR "
                f"resets to a value only"
            )
        n = la.n_out
        proj, pop = f"fc{k}", f"lif{k}"
        nodes[proj] = Node("Affine", n, {
            "weight": np.array(la.weight, dtype=np.float64) / scale,
            "bias": np.array(la.bias, dtype=np.float64) / scale,
        })  # fmt: skip
        common = {
            "v_threshold": np.array(la.threshold, dtype=np.float64) / scale,
            "v_reset": np.full(n, la.v_reset / scale),
        }
        if la.leak is Leak.NONE:
            nodes[pop] = Node("IF", n, {"r": np.full(n, 1.0 / dt), **common})
        else:
            beta = (
                1.0 - 2.0**-la.leak_shift
                if la.leak is Leak.SHIFT
                else la.beta / 2.0**la.beta_fraction
            )
            if beta >= 1.0:
                raise NIRImportError(f"SNN layer {k} beta must be below 1 for a LIF, not {beta!r}")
            tau = dt / (1.0 - beta)
            nodes[pop] = Node("LIF", n, {
                "tau": np.full(n, tau), "r": np.full(n, tau / dt), "v_leak": np.zeros(n),
                **common,
            })  # fmt: skip
        edges += [(prev, proj), (proj, pop)]
        raw[proj], raw[pop] = ("Affine", None), (nodes[pop].kind, None)
        prev = pop
    nodes["output"] = Node("Output", params.n_out)
    raw["output"] = ("Output", None)
    edges.append((prev, "output"))
    order, recurrent = _order("input", raw, edges)
    return Network(nodes, tuple(edges), float(dt), tuple(order), frozenset(recurrent))
