"""NIR files in and out: ``read(path_or_graph, dt=...)`` and ``write(network, path)``."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from .network import KINDS, Network, NIRImportError, Node

__all__ = ["read", "write"]

_DT_HELP = (
    "scgen.nir.read needs dt, the time step in seconds, because NIR does not define one; "
    "snnTorch 1.0.0 exports assume dt=1e-4, Norse 1.1.0 exports tau = dt * tau_inv with its "
    "dt=1e-3 (norse#411), so no dt reproduces Norse 1.1.0's own step"
)


def read(source, *, dt: float | None = None) -> Network:
    """Read a NIR file (or a ``nir.NIRGraph``) as a float :class:`Network` with step ``dt``.

    Forward Euler: ``v <- v + dt/tau * (v_leak - v + r*I)``, spike when ``v > v_threshold``,
    then ``v <- v_reset``. Nested graphs are flattened (``outer.inner`` names); an edge that
    closes a cycle delays by one step. A file that fails NIR's own type check is read with
    ``type_check=False`` and a warning.
    """
    import nir

    if dt is None:
        raise TypeError(_DT_HELP)
    if not isinstance(dt, int | float) or isinstance(dt, bool) or not dt > 0:
        raise ValueError(f"NIR time step dt must be a positive number of seconds, not {dt!r}")
    if isinstance(source, nir.NIRGraph):
        graph = source
    else:
        path = Path(source)
        if not path.is_file():
            raise FileNotFoundError(f"NIR file {str(path)!r} does not exist")
        try:
            graph = nir.read(path)
        except (ValueError, AssertionError, TypeError) as exc:
            warnings.warn(
                f"NIR file {str(path)!r} fails NIR's type check ({exc}); read with "
                f"type_check=False",
                RuntimeWarning,
                stacklevel=2,
            )
            graph = nir.read(path, type_check=False)
    raw, edges = {}, []
    _flatten(graph, "", raw, edges)
    return _build(raw, edges, float(dt))


def _flatten(graph, prefix: str, raw: dict, edges: list) -> None:
    import nir

    inner_in, inner_out = {}, {}
    for name, node in graph.nodes.items():
        full = prefix + name
        if isinstance(node, nir.NIRGraph):
            sub_edges: list = []
            _flatten(node, full + ".", raw, sub_edges)
            ins = [n for n, x in node.nodes.items() if isinstance(x, nir.Input)]
            outs = [n for n, x in node.nodes.items() if isinstance(x, nir.Output)]
            if len(ins) != 1 or len(outs) != 1:
                raise NIRImportError(
                    f"NIR graph {full!r} must have one Input and one Output node, not "
                    f"{len(ins)} and {len(outs)}"
                )
            # the sub-graph's Input/Output become its boundary: edges go through them
            inner_in[full], inner_out[full] = f"{full}.{ins[0]}", f"{full}.{outs[0]}"
            raw[inner_in[full]] = ("Identity", raw[inner_in[full]][1])
            raw[inner_out[full]] = ("Identity", raw[inner_out[full]][1])
            edges.extend(sub_edges)
        else:
            raw[full] = (type(node).__name__, node)
    for a, b in graph.edges:
        a, b = prefix + a, prefix + b
        edges.append((inner_out.get(a, a), inner_in.get(b, b)))


def _array(name: str, node, fieldname: str) -> np.ndarray:
    value = getattr(node, fieldname, None)
    if value is None:
        value = 0.0
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise NIRImportError(
            f"NIR node {name!r} field {fieldname!r} must be numeric, not {value!r}"
        ) from None


def _shape_size(name: str, shape) -> int:
    shape = np.asarray(shape).astype(np.int64).ravel()
    # Norse 1.1.0 keeps the sample's batch dimension in the Input shape: drop a leading 1
    if shape.size == 2 and shape[0] == 1:
        shape = shape[1:]
    if shape.size != 1 or shape[0] < 1:
        raise NIRImportError(
            f"NIR node {name!r} shape must be one positive size (scgen takes flat vectors), "
            f"not {shape.tolist()!r}"
        )
    return int(shape[0])


def _build(raw: dict, edges: list, dt: float) -> Network:
    # contract the pass-through boundaries of flattened sub-graphs
    for ident in [n for n, (k, _) in raw.items() if k == "Identity"]:
        ins = [a for a, b in edges if b == ident]
        outs = [b for a, b in edges if a == ident]
        edges = [e for e in edges if ident not in e] + [(a, b) for a in ins for b in outs]
        del raw[ident]
    edges = list(dict.fromkeys(edges))
    for name, (kind, _) in raw.items():
        if kind not in KINDS:
            raise NIRImportError(
                f"NIR node {name!r} has type {kind}, which scgen.nir cannot import "
                f"(supported: {', '.join(sorted(KINDS))})"
            )
    for a, b in edges:
        for end in (a, b):
            if end not in raw:
                raise NIRImportError(f"NIR edge ({a!r}, {b!r}) names no node {end!r}")
    inputs = [n for n, (k, _) in raw.items() if k == "Input"]
    outputs = [n for n, (k, _) in raw.items() if k == "Output"]
    if len(inputs) != 1 or len(outputs) != 1:
        raise NIRImportError(
            f"NIR graph must have one Input and one Output node, not {len(inputs)} and "
            f"{len(outputs)}"
        )
    order, recurrent = _order(inputs[0], raw, edges)
    nodes: dict[str, Node] = {}
    for name in order:
        kind, node = raw[name]
        srcs = [a for a, b in edges if b == name]
        in_sizes = {nodes[a].size for a in srcs if a in nodes}
        nodes[name] = _node(name, kind, node, in_sizes, dt, raw, srcs)
    # recurrent sources are known now: check their sizes too
    for a, b in recurrent:
        want = (
            nodes[b].params["weight"].shape[1]
            if nodes[b].kind in ("Affine", "Linear")
            else (nodes[b].size)
        )
        if nodes[a].size != want:
            raise NIRImportError(
                f"NIR node {b!r} takes {want} inputs, but its source {a!r} gives {nodes[a].size}"
            )
    return Network(nodes, tuple(edges), dt, tuple(order), frozenset(recurrent))


def _order(start: str, raw: dict, edges: list) -> tuple[list[str], set]:
    """Inputs-first evaluation order; edges that close a cycle (found by DFS) are recurrent."""
    succ: dict[str, list[str]] = {n: [] for n in raw}
    for a, b in edges:
        succ[a].append(b)
    recurrent, state = set(), {}
    stack = [(start, iter(succ[start]))]
    state[start] = 1
    while stack:
        node, it = stack[-1]
        nxt = next(it, None)
        if nxt is None:
            state[node] = 2
            stack.pop()
        elif state.get(nxt) == 1:
            recurrent.add((node, nxt))
        elif nxt not in state:
            state[nxt] = 1
            stack.append((nxt, iter(succ[nxt])))
    unreached = [n for n in raw if n not in state]
    if unreached:
        raise NIRImportError(f"NIR node {unreached[0]!r} cannot be reached from the Input node")
    indeg = {n: 0 for n in raw}
    for a, b in edges:
        if (a, b) not in recurrent:
            indeg[b] += 1
    order, ready = [], [start]
    while ready:
        n = ready.pop(0)
        order.append(n)
        for b in succ[n]:
            if (n, b) not in recurrent:
                indeg[b] -= 1
                if indeg[b] == 0:
                    ready.append(b)
    return order, recurrent


def _node(name, kind, node, in_sizes, dt, raw, srcs) -> Node:
    if kind == "Input":
        return Node(kind, _shape_size(name, node.input_type["input"]))
    if len(in_sizes) > 1:
        raise NIRImportError(
            f"NIR node {name!r} sums inputs of different sizes, {sorted(in_sizes)!r}"
        )
    n_in = in_sizes.pop() if in_sizes else None
    if kind in ("Affine", "Linear"):
        w = _array(name, node, "weight")
        if w.ndim != 2:
            raise NIRImportError(
                f"NIR node {name!r} weight must be 2-D [out, in], not shape {w.shape!r}"
            )
        if n_in is not None and w.shape[1] != n_in:
            raise NIRImportError(
                f"NIR node {name!r} weight takes {w.shape[1]} inputs, but its sources give {n_in}"
            )
        params = {"weight": w}
        if kind == "Affine":
            params["bias"] = _broadcast(name, "bias", _array(name, node, "bias"), w.shape[0])
        return Node(kind, w.shape[0], params)
    if n_in is None:
        raise NIRImportError(f"NIR node {name!r} has no source with a known size")
    if kind in ("Output", "Flatten"):
        return Node(kind, n_in)
    params = {}
    for f in KINDS[kind]:
        value = _array(name, node, f)
        if f == "w_in" and getattr(node, f, None) is None:
            value = np.asarray(1.0)  # NIR's default input weight
        params[f] = _broadcast(name, f, value, n_in)
    for f in ("tau", "tau_mem", "tau_syn"):
        if f in params:
            tau = params[f]
            if not np.all(tau > 0):
                raise NIRImportError(
                    f"NIR node {name!r} field {f!r} must be positive, not {float(tau.min())!r}"
                )
            if np.any(dt / tau > 1):
                raise NIRImportError(
                    f"NIR node {name!r} field {f!r} = {float(tau.min())!r} is shorter than "
                    f"dt = {dt!r}: forward Euler would overshoot (dt/tau > 1); Norse 1.1.0 "
                    f"exports tau = dt * tau_inv (norse#411), read its files with the dt that "
                    f"gives dt/tau < 1 or re-export them"
                )
    if kind == "Delay" and np.any(params["delay"] < 0):
        raise NIRImportError(
            f"NIR node {name!r} field 'delay' must be non-negative, not "
            f"{float(params['delay'].min())!r}"
        )
    return Node(kind, n_in, params)


def _broadcast(name: str, fieldname: str, value: np.ndarray, size: int) -> np.ndarray:
    """Scalar parameters broadcast (NIR issue 176); others must have one entry per neuron."""
    if value.ndim == 0 or value.size == 1:
        return np.full(size, float(value.ravel()[0]))
    flat = value.reshape(-1) if value.ndim == 2 and 1 in value.shape else value
    if flat.shape != (size,):
        raise NIRImportError(
            f"NIR node {name!r} field {fieldname!r} must have {size} entries (or one), not "
            f"shape {value.shape!r}"
        )
    return flat.astype(np.float64)


def write(network: Network, path) -> None:
    """Write ``network`` as a NIR file (``read(path, dt=network.dt)`` gives it back)."""
    import nir

    if not isinstance(network, Network):
        raise TypeError(f"scgen.nir.write takes a scgen.nir.Network, not {network!r}")
    nodes = {}
    for name, node in network.nodes.items():
        p = node.params
        if node.kind == "Input":
            nodes[name] = nir.Input(input_type={"input": np.array([node.size])})
        elif node.kind == "Output":
            nodes[name] = nir.Output(output_type={"output": np.array([node.size])})
        elif node.kind == "Flatten":
            nodes[name] = nir.Flatten(input_type={"input": np.array([node.size])})
        else:
            nodes[name] = getattr(nir, node.kind)(**{f: p[f] for f in KINDS[node.kind]})
    graph = nir.NIRGraph(nodes=nodes, edges=list(network.edges), type_check=False)
    nir.write(Path(path), graph)
