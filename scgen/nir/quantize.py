"""Float NIR network -> fixed-point :class:`scgen.snn.SnnParams`, with a deviation report."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..params.snn import Leak, Neuron, Reset, SnnLayerParams, SnnParams
from ..sw.snn import snn_steps
from .lower import lower
from .network import Network, NIRImportError, Node, simulate

__all__ = ["QuantReport", "dequantize", "quantize"]

# NIR population kinds and the fixed-point neuron of each; the non-spiking ones only last
NEURON_OF = {"LIF": Neuron.LIF, "IF": Neuron.LIF, "CubaLIF": Neuron.CUBA, "LI": Neuron.LI,
             "CubaLI": Neuron.CUBA_LI}  # fmt: skip


@dataclass(frozen=True)
class QuantReport:
    """Per population: float reference against the fixed-point twin on the calibration spikes.

    ``rows`` hold ``node``, ``neurons``, ``fraction`` (bits), ``weight_width``,
    ``membrane_width``, ``leak``, ``spike_agreement`` (fraction of (step, sample, neuron)
    entries equal), ``count_agreement`` (fraction of (sample, neuron) spike counts equal),
    ``peak`` (largest |membrane| of the twin, raw) against ``limit`` (the format's largest).
    ``argmax_agreement``: samples whose last-population argmax of spike counts agree. An LI
    readout's row has no spike figures (None) but ``membrane_error``, the RMS of (twin membrane
    / 2**fraction - float membrane) over the RMS of the float membrane, and the argmax is then
    that of the membranes after the last step.

    The fixed-point twin runs every projection exact. Rows of stochastic projections add
    ``sc_spike_agreement`` and ``sc_count_agreement`` (an LI readout: ``sc_membrane_error``):
    the float reference against the SC twin (the network as built, stochastic synapses
    included); ``sc_argmax_agreement`` is its argmax figure (None when every projection is
    exact).
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
                str(r["membrane_width"]), r["leak"], _fraction(r["spike_agreement"]),
                _fraction(r["count_agreement"]), f"{r['peak']}/{r['limit']}",
            ))  # fmt: skip
            if sc:
                stochastic = "sc_spike_agreement" in r
                lines[-1] += (
                    r["synapse"],
                    _fraction(r["sc_spike_agreement"] if stochastic else None),
                    _fraction(r["sc_count_agreement"] if stochastic else None),
                )
        widths = [max(len(line[k]) for line in lines) for k in range(len(head))]
        text = ["  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) for line in lines]
        for r in self.rows:
            if "membrane_error" in r:
                text.append(f"readout {r['node']} membranes: relative RMS error "
                            f"{r['membrane_error']:.4f}")  # fmt: skip
            if "sc_membrane_error" in r:
                text.append(f"readout {r['node']} membranes, SC twin: relative RMS error "
                            f"{r['sc_membrane_error']:.4f}")  # fmt: skip
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


def _fraction(x: float | None) -> str:
    return "-" if x is None else f"{x:.4f}"


def chain(network: Network) -> list[tuple[str, str]]:
    """``[(projection, population), ...]`` of a feed-forward Input -> (Affine|Linear ->
    LIF|IF|CubaLIF)* -> (Affine|Linear -> LIF|IF|CubaLIF|LI|CubaLI) -> Output network, or a
    :class:`NIRImportError` naming the node that breaks the pattern."""
    (name,) = network.inputs
    pairs = []
    while True:
        if pairs and NEURON_OF[network.nodes[name].kind] in (Neuron.LI, Neuron.CUBA_LI):
            if [b for a, b in network.edges if a == name] != [network.outputs[0]]:
                raise NIRImportError(
                    f"NIR node {name!r} has type {network.nodes[name].kind}, which does not "
                    f"spike, so the fixed-point chain needs it as the last population"
                )
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
        if pop is None or network.nodes[pop].kind not in NEURON_OF:
            got = network.nodes[pop].kind if pop else f"{len(succ)} nodes"
            raise NIRImportError(
                f"NIR node {proj!r} must feed one LIF, IF, CubaLIF, LI or CubaLI population "
                f"for the fixed-point chain, not {got}"
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


def _per_neuron(values) -> np.ndarray | float:
    """One float when every neuron has the same value (to 1e-6), else the array."""
    values = np.asarray(values, dtype=np.float64)
    if np.allclose(values, values.flat[0], rtol=1e-6, atol=0):
        return float(values.flat[0])
    return values


def _decay(factor, beta_fraction: int) -> tuple[Leak, int, int | tuple[int, ...]]:
    """``(leak, shift, raw)`` of a decay factor: none at 1, a shift where it is 1 - 2**-k, else
    a multiplication by ``raw = round(factor 2**beta_fraction)``; per neuron (``raw`` a tuple)
    when ``factor`` is an array (neurons that differ)."""
    if isinstance(factor, np.ndarray):
        return Leak.MULTIPLY, 1, tuple(int(x) for x in np.rint(factor * 2**beta_fraction))
    k = np.log2(1.0 / (1.0 - factor)) if factor < 1 else None
    if factor == 1.0:
        return Leak.NONE, 1, 0
    if k is not None and abs(k - round(k)) < 1e-6 and round(k) >= 1:
        return Leak.SHIFT, round(k), 0
    return Leak.MULTIPLY, 1, round(factor * 2**beta_fraction)


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

    A CubaLIF (``a_s = dt/tau_syn``, ``a_m = dt/tau_mem``: ``i <- (1 - a_s) i + a_s w_in (W s +
    b)``, ``v <- (1 - a_m) v + a_m r i``) carries the current scaled by ``a_m r``: ``i' <- alpha
    i' + W' s + b'`` with ``W' = round(a_m r a_s w_in W 2**f)``, ``alpha = 1 - a_s`` (a shift or
    a multiplication like beta) and ``v <- beta v + i'``; its ``v_leak`` must be 0. An LI or
    CubaLI as the last population becomes a non-spiking readout, the same way without the
    threshold; the report compares its membranes.

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
    alphas = []
    for proj, pop in pairs:
        pn, qn = dense.nodes[proj].params, dense.nodes[pop]
        q = qn.params
        alpha = None
        if qn.kind in ("LIF", "LI"):
            a = dt / _per_neuron(q["tau"])
            gain = a * q["r"]
            beta = 1.0 - a
            extra = a * q["v_leak"]
        elif qn.kind in ("CubaLIF", "CubaLI"):
            a_m = dt / _per_neuron(q["tau_mem"])
            a_s = dt / _per_neuron(q["tau_syn"])
            if np.any(q["v_leak"] != 0):
                raise NIRImportError(
                    f"NIR node {pop!r} field 'v_leak' must be 0 for a {qn.kind} in hardware "
                    f"(the bias reaches the membrane through the current), not values up to "
                    f"{float(np.abs(q['v_leak']).max())!r}"
                )
            gain = a_m * q["r"] * a_s * q["w_in"]
            beta, alpha, extra = 1.0 - a_m, 1.0 - a_s, np.zeros(qn.size)
        # a per-neuron tau makes ``a`` (and the gain, one per row of W) per neuron too
        else:
            gain, beta, extra = dt * q["r"], 1.0, np.zeros(qn.size)
        w = gain[:, None] * pn["weight"]
        b = gain * pn.get("bias", np.zeros(qn.size)) + extra
        spiking = NEURON_OF[qn.kind] in (Neuron.LIF, Neuron.CUBA)
        thr = q["v_threshold"] if spiking else np.zeros(qn.size)
        v_reset = _per_neuron(q["v_reset"]) if spiking else 0.0
        layers.append((pop, w, b, beta, thr, v_reset))
        alphas.append((NEURON_OF[qn.kind], alpha))
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
    for k, ((pop, w, b, beta, thr, v_reset), (neuron, alpha), p, synapse_mode) in enumerate(
        zip(layers, alphas, pes, modes, strict=True)
    ):
        inputs = calibration if k == 0 else ref_trace[layers[k - 1][0]]
        mode, shift, raw = _decay(beta, beta_fraction)
        leak: dict[str, Any] = {"leak": mode, "neuron": neuron}
        leak.update({"leak_shift": shift} if mode is Leak.SHIFT else {"beta": raw})
        if alpha is not None:
            syn, syn_shift, syn_raw = _decay(alpha, beta_fraction)
            leak.update(syn_leak=syn, syn_leak_shift=syn_shift, alpha=syn_raw)
        if Leak.MULTIPLY in (leak["leak"], leak.get("syn_leak")):
            leak["beta_fraction"] = beta_fraction
        wq = np.rint(w * scale).astype(np.int64)
        lo, hi = -(1 << (weight_width - 1)), (1 << (weight_width - 1)) - 1
        if wq.min() < lo or wq.max() > hi:
            raise NIRImportError(
                f"NIR node {pop!r} weights reach {float(np.abs(w).max())!r}, which does not fit "
                f"{weight_width} signed bits with {fraction} fraction bits; use fewer fraction "
                f"bits or wider weights"
            )
        i_peak = _current_peak(inputs, alpha, w, b)
        peak = max(ref_peak[pop], float(np.abs(thr).max()), i_peak) * scale
        mw = membrane_width or max(4, int(np.ceil(np.log2(2 * peak + 2))) + 1)
        built.append(SnnLayerParams(
            weight=wq.tolist(), bias=np.rint(b * scale).astype(np.int64).tolist(),
            threshold=np.rint(thr * scale).astype(np.int64).tolist(),
            reset=Reset(reset), v_reset=_rounded(v_reset, scale), weight_width=weight_width,
            membrane_width=mw, pe=p, **leak, synapse=synapse_mode,
            stream_length=stream_length if synapse_mode == "stochastic" else 1,
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
        row = {
            "node": pop, "neurons": la.n_out, "fraction": fraction,
            "weight_width": la.weight_width, "membrane_width": la.membrane_width,
            "leak": la.leak.value if la.leak is not Leak.SHIFT else f"shift {la.leak_shift}",
            "spike_agreement": float((ours == ref).mean()),
            "count_agreement": float((ours.sum(0) == ref.sum(0)).mean()),
            "peak": int(twin_peak[:, k].max()),
            "limit": (1 << (la.membrane_width - 1)) - 1,
            "synapse": la.synapse.value,
        }  # fmt: skip
        if not la.spiking:  # the readout: membranes, not spikes
            row.update(spike_agreement=None, count_agreement=None,
                       membrane_error=_membrane_error(ours / scale, ref))  # fmt: skip
        if la.stochastic:
            sc = sc_spikes[:, :, base - la.n_out : base].astype(np.float64)
            if la.spiking:
                row["sc_spike_agreement"] = float((sc == ref).mean())
                row["sc_count_agreement"] = float((sc.sum(0) == ref.sum(0)).mean())
            else:
                row.update(sc_spike_agreement=None, sc_count_agreement=None,
                           sc_membrane_error=_membrane_error(sc / scale, ref))  # fmt: skip
        rows.append(row)
    ref_last = _last(ref_trace[layers[-1][0]], params.readout)
    fixed_last = _last(spikes[:, :, base - params.n_out : base], params.readout)
    agree = float((fixed_last == ref_last).mean())
    sc_agree = None
    if sc_spikes is not None:
        sc_last = _last(sc_spikes[:, :, base - params.n_out : base], params.readout)
        sc_agree = float((sc_last == ref_last).mean())
    return params, QuantReport(tuple(rows), agree, sc_agree)


def _rounded(value, scale: float) -> int | tuple[int, ...]:
    """``round(value scale)``: one integer, or one per neuron for an array."""
    if isinstance(value, np.ndarray):
        return tuple(int(x) for x in np.rint(value * scale))
    return round(value * scale)


def _membrane_error(ours: np.ndarray, ref: np.ndarray) -> float:
    """RMS of ``ours - ref`` over the RMS of ``ref`` (membranes in float units)."""
    rms = np.sqrt(np.mean(ref**2))
    return float(np.sqrt(np.mean((ours - ref) ** 2)) / (rms if rms > 0 else 1.0))


def _last(out: np.ndarray, readout: bool) -> np.ndarray:
    """Per sample the last population's argmax: of the spike counts, or of an LI readout's
    membranes after the last step."""
    return (out[-1] if readout else out.sum(0)).argmax(1)


def _current_peak(spikes: np.ndarray, alpha: float | None, w: np.ndarray, b: np.ndarray) -> float:
    """The largest |current| of a CubaLIF population (in the membrane's units, as the fixed
    point holds it) driven by its input ``spikes`` ``(T, batch, n_in)``; 0 without a current."""
    if alpha is None:
        return 0.0
    i, peak = np.zeros((spikes.shape[1], len(b))), 0.0
    for t in range(spikes.shape[0]):
        i = alpha * i + spikes[t] @ w.T + b
        peak = max(peak, float(np.abs(i).max(initial=0.0)))
    return peak


# the NIR node of each fixed-point neuron, with a leak and without (None: no NIR form)
_NIR_KIND = {Neuron.LIF: "LIF", Neuron.CUBA: "CubaLIF", Neuron.LI: "LI", Neuron.CUBA_LI: "CubaLI"}
_NIR_NO_LEAK = {Neuron.LIF: "IF", Neuron.CUBA: None, Neuron.LI: "I", Neuron.CUBA_LI: None}
_NIR_NAME = {Neuron.LIF: "lif", Neuron.CUBA: "cubalif", Neuron.LI: "li", Neuron.CUBA_LI: "cubali"}


def _factor(leak: Leak, shift: int, raw, fraction: int, n: int) -> np.ndarray:
    """The decay factor of a fixed-point leak (1 without one), per neuron."""
    if leak is Leak.SHIFT:
        return np.full(n, 1.0 - 2.0**-shift)
    if leak is Leak.MULTIPLY:
        return np.broadcast_to(np.asarray(raw, dtype=np.float64) / 2.0**fraction, (n,)).copy()
    return np.ones(n)


def dequantize(params: SnnParams, *, fraction: int, dt: float) -> Network:
    """The float :class:`Network` a fixed-point network stands for, ready for :func:`write`.

    Layer ``k`` becomes ``Affine`` ``k`` (``weight / 2**fraction``, ``bias / 2**fraction``) and
    ``LIF`` (``tau = dt / (1 - beta)``, ``r = tau / dt``, so that forward Euler at ``dt`` is
    ``v <- beta v + I``) or ``IF`` (``r = 1 / dt``); thresholds and ``v_reset`` scaled alike.
    A CUBA layer becomes ``CubaLIF`` (``tau_syn = dt / (1 - alpha)``, ``w_in = tau_syn / dt``,
    ``tau_mem`` and ``r`` as a LIF's: ``i <- alpha i + I``, ``v <- beta v + i``), an LI readout
    ``LI`` (or ``I``, ``r = 1 / dt``, without leak) and a CUBA_LI one ``CubaLI``. A subtractive
    reset of a spiking layer, and a current that does not decay, have no NIR form and are
    refused.
    """
    from .io import _order  # the same evaluation order as a file read

    scale = 2.0**fraction
    raw, edges, prev = {"input": ("Input", None)}, [], "input"
    nodes = {"input": Node("Input", params.n_in)}
    for k, la in enumerate(params.layers):
        if la.reset is Reset.SUBTRACT and la.spiking:
            raise NIRImportError(
                f"SNN layer {k} reset must be 'zero' to be written to NIR, not 'subtract'; NIR "
                f"resets to a value only"
            )
        n = la.n_out
        kind = _NIR_KIND[la.neuron] if la.leak is not Leak.NONE else _NIR_NO_LEAK[la.neuron]
        if kind is None:
            raise NIRImportError(
                f"SNN layer {k} leak must decay ('shift' or 'multiply') for a "
                f"{la.neuron.value!r} layer to be written to NIR, not 'none'"
            )
        proj, pop = f"fc{k}", f"{_NIR_NAME[la.neuron]}{k}"
        nodes[proj] = Node("Affine", n, {
            "weight": np.array(la.weight, dtype=np.float64) / scale,
            "bias": np.array(la.bias, dtype=np.float64) / scale,
        })  # fmt: skip
        common = {
            "v_threshold": np.array(la.threshold, dtype=np.float64) / scale,
            "v_reset": np.array(la.per_neuron("v_reset"), dtype=np.float64) / scale,
        }
        if not la.spiking:
            common = {}
        if la.leak is Leak.NONE:
            nodes[pop] = Node(kind, n, {"r": np.full(n, 1.0 / dt), **common})
        else:
            beta = _factor(la.leak, la.leak_shift, la.beta, la.beta_fraction, n)
            if beta.max() >= 1.0:
                raise NIRImportError(
                    f"SNN layer {k} beta must be below 1 for a {kind}, not {float(beta.max())!r}"
                )
            tau = dt / (1.0 - beta)
            fields = {"r": tau / dt, "v_leak": np.zeros(n), **common}
            if la.has_current:
                alpha = _factor(la.syn_leak, la.syn_leak_shift, la.alpha, la.beta_fraction, n)
                if alpha.max() >= 1.0:
                    top = float(alpha.max())
                    raise NIRImportError(
                        f"SNN layer {k} alpha must be below 1 for a {kind}, not {top!r}"
                    )
                tau_syn = dt / (1.0 - alpha)
                fields.update(tau_syn=tau_syn, tau_mem=tau, w_in=tau_syn / dt)
            else:
                fields["tau"] = tau
            nodes[pop] = Node(kind, n, fields)
        edges += [(prev, proj), (proj, pop)]
        raw[proj], raw[pop] = ("Affine", None), (nodes[pop].kind, None)
        prev = pop
    nodes["output"] = Node("Output", params.n_out)
    raw["output"] = ("Output", None)
    edges.append((prev, "output"))
    order, recurrent = _order("input", raw, edges)
    return Network(nodes, tuple(edges), float(dt), tuple(order), frozenset(recurrent))
