"""A float spiking network read from NIR, and its forward-Euler reference simulation."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .conv import CONVS, POOLS, evaluate

__all__ = ["NIRImportError", "Network", "simulate"]

# node kinds the reference simulates, with the fields each carries (NIR 1.0.8 names)
NEURONS = {
    "LIF": ("tau", "r", "v_leak", "v_threshold", "v_reset"),
    "IF": ("r", "v_threshold", "v_reset"),
    "LI": ("tau", "r", "v_leak"),
    "CubaLIF": ("tau_syn", "tau_mem", "r", "v_leak", "v_threshold", "v_reset", "w_in"),
    "CubaLI": ("tau_syn", "tau_mem", "r", "v_leak", "w_in"),
    "I": ("r",),
}
_CONV = ("weight", "bias", "stride", "padding", "dilation", "groups", "input_shape")
_POOL = ("kernel_size", "stride", "padding", "input_shape")
SYNAPSES = {
    "Affine": ("weight", "bias"),
    "Linear": ("weight",),
    "Scale": ("scale",),
    # channel-first (C, *spatial) inputs flattened in C order; see scgen.nir.conv
    "Conv1d": _CONV,
    "Conv2d": _CONV,
    "SumPool2d": _POOL,
    "AvgPool2d": _POOL,
}
OTHERS = {
    "Input": (),
    "Output": (),
    "Threshold": ("threshold",),
    "Flatten": ("start_dim", "end_dim", "input_shape"),
    "Delay": ("delay",),
}
KINDS = {**NEURONS, **SYNAPSES, **OTHERS}


class NIRImportError(ValueError):
    """A NIR graph that scgen cannot represent: names the node, the field and the value."""


@dataclass(frozen=True, eq=False)
class Node:
    """One node: its NIR kind, its size (neurons or outputs), its parameter arrays and ``shape``.

    Parameters are float64, except the integer geometry of Conv1d/Conv2d (``stride``,
    ``padding`` as ``(d, 2)`` zeros before and after each spatial axis, ``dilation``,
    ``groups``), SumPool2d/AvgPool2d (``kernel_size``, ``stride``, ``padding``) and Flatten
    (``start_dim``, ``end_dim``); for these ``input_shape`` is the whole channel-first input
    shape ``(C, *spatial)``. ``shape`` is the NIR shape of the node's output (``(size,)``
    unless given); values always travel flattened in C order.
    """

    kind: str
    size: int
    params: dict[str, np.ndarray] = field(default_factory=dict)
    shape: tuple[int, ...] = ()

    def __post_init__(self):
        shape = tuple(int(s) for s in self.shape) or (self.size,)
        if int(np.prod(shape)) != self.size:
            raise ValueError(f"Node shape {shape!r} does not hold {self.size} values")
        object.__setattr__(self, "shape", shape)

    def __eq__(self, other):
        return (
            isinstance(other, Node)
            and (self.kind, self.size, self.shape) == (other.kind, other.size, other.shape)
            and self.params.keys() == other.params.keys()
            and all(np.array_equal(self.params[k], other.params[k]) for k in self.params)
        )


@dataclass(frozen=True, eq=False)
class Network:
    """A float spiking network with NIR semantics and an explicit time step ``dt`` (seconds).

    ``nodes`` maps names (nested graphs flattened as ``outer.inner``) to :class:`Node`;
    ``edges`` are ``(source, target)``; a node's inputs are summed. Edges that close a cycle
    (``recurrent``) carry the source's output of the previous step.
    """

    nodes: dict[str, Node]
    edges: tuple[tuple[str, str], ...]
    dt: float
    order: tuple[str, ...]  # evaluation order (inputs first)
    recurrent: frozenset[tuple[str, str]]

    def __eq__(self, other):
        return (
            isinstance(other, Network)
            and self.nodes == other.nodes
            and set(self.edges) == set(other.edges)
            and self.dt == other.dt
        )

    @property
    def inputs(self) -> tuple[str, ...]:
        return tuple(n for n in self.order if self.nodes[n].kind == "Input")

    @property
    def outputs(self) -> tuple[str, ...]:
        return tuple(n for n in self.order if self.nodes[n].kind == "Output")

    def sources(self, name: str) -> list[str]:
        return [a for a, b in self.edges if b == name]

    def populations(self) -> list[str]:
        """Spiking populations in evaluation order."""
        return [n for n in self.order if self.nodes[n].kind in ("LIF", "IF", "CubaLIF")]


def simulate(
    network: Network,
    spikes: np.ndarray,
    *,
    record: bool = False,
    dead_after_spike: frozenset[str] | set[str] = frozenset(),
) -> np.ndarray | tuple[np.ndarray, dict[str, np.ndarray], dict[str, float]]:
    """Run the forward-Euler reference over ``spikes`` ``(T, batch, n_in)``.

    Every sample starts from the reset state (all states 0). Returns the output node's values
    ``(T, batch, n_out)``; with ``record``, also every node's outputs ``{name: (T, batch, n)}``
    and each neuron node's largest |v| (before reset).

    ``dead_after_spike`` names populations whose step after a spike is discarded (membrane 0,
    no spike): what snnTorch 1.0.0's ``Synaptic`` and ``RLeaky`` do with
    ``reset_mechanism="zero"`` (their delayed reset zeroes the whole next update, input
    included), which NIR cannot express; its ``Leaky`` keeps the input and needs no option.
    """
    for name in dead_after_spike:
        if name not in network.nodes or network.nodes[name].kind not in ("LIF", "IF", "CubaLIF"):
            raise ValueError(
                f"Reference dead_after_spike must name spiking populations, not {name!r}"
            )
    spikes = np.asarray(spikes, dtype=np.float64)
    (inp,) = network.inputs
    n_in = network.nodes[inp].size
    if spikes.ndim != 3 or spikes.shape[2] != n_in:
        raise ValueError(
            f"Reference input spikes must have shape (T, batch, {n_in}), not {spikes.shape!r}"
        )
    steps, batch = spikes.shape[:2]
    dt = network.dt
    nodes = network.nodes
    out = {n: np.zeros((batch, nodes[n].size)) for n in network.order}
    state: dict[str, dict] = {n: {} for n in network.order}
    (last,) = network.outputs
    keep = network.order if record else (last,)
    trace = {n: np.zeros((steps, batch, nodes[n].size)) for n in keep}
    peak = {n: 0.0 for n in network.order if nodes[n].kind in NEURONS}
    for t in range(steps):
        prev = {n: out[n].copy() for n in network.order}
        for name in network.order:
            node, p = nodes[name], nodes[name].params
            if node.kind == "Input":
                out[name] = spikes[t]
                continue
            x = np.zeros((batch, _in_size(network, name)))
            for src in network.sources(name):
                x = x + (prev[src] if (src, name) in network.recurrent else out[src])
            out[name] = _step(node, p, x, state[name], dt, t, peak, name)
            if name in dead_after_spike:
                dead = prev[name] > 0  # this population spiked on the previous step
                state[name]["v"] = np.where(dead, 0.0, state[name]["v"])
                out[name] = np.where(dead, 0.0, out[name])
            if name in trace:
                trace[name][t] = out[name]
    if not record:
        return trace[last]
    return trace[last], trace, peak


def _in_size(network: Network, name: str) -> int:
    node = network.nodes[name]
    if node.kind in ("Affine", "Linear"):
        return node.params["weight"].shape[1]
    if "input_shape" in node.params:
        return int(np.prod(node.params["input_shape"]))
    return node.size


def _step(node: Node, p, x, st, dt, t, peak, name):
    kind = node.kind
    if kind == "Output" or kind == "Flatten":
        return x  # values are flat in C order: a flatten changes the shape only
    if kind in CONVS or kind in POOLS:
        return evaluate(kind, p, x)
    if kind == "Affine":
        return x @ p["weight"].T + p["bias"]
    if kind == "Linear":
        return x @ p["weight"].T
    if kind == "Scale":
        return x * p["scale"]
    if kind == "Threshold":
        return (x > p["threshold"]).astype(np.float64)
    if kind == "Delay":
        steps = np.rint(p["delay"] / dt).astype(np.int64)
        buf = st.setdefault("buf", np.zeros((int(steps.max()) + 1, *x.shape)))
        buf[t % len(buf)] = x
        idx = (t - steps) % len(buf)
        y = buf[idx, :, np.arange(x.shape[1])].T
        return np.where(t - steps >= 0, y, 0.0)
    v = st.get("v", np.zeros_like(x))
    if kind in ("CubaLIF", "CubaLI"):
        i_syn = st.get("i", np.zeros_like(x))
        i_syn = i_syn + dt / p["tau_syn"] * (-i_syn + p["w_in"] * x)
        st["i"] = i_syn
        v = v + dt / p["tau_mem"] * (p["v_leak"] - v + p["r"] * i_syn)
    elif kind in ("LIF", "LI"):
        v = v + dt / p["tau"] * (p["v_leak"] - v + p["r"] * x)
    else:  # IF, I
        v = v + dt * p["r"] * x
    if v.size:
        peak[name] = max(peak[name], float(np.abs(v).max()))
    if kind in ("LI", "CubaLI", "I"):
        st["v"] = v
        return v
    z = v > p["v_threshold"]
    st["v"] = np.where(z, p["v_reset"], v)
    return z.astype(np.float64)
