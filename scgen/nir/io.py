"""NIR files in and out: ``read(path_or_graph, dt=...)`` and ``write(network, path)``."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from .conv import CONVS, POOLS, out_spatial, same_padding
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
    ``type_check=False`` and a warning. Nodes keep NIR's channel-first shapes (values travel
    flattened in C order); Conv1d/Conv2d/SumPool2d/AvgPool2d follow PyTorch (see
    :mod:`scgen.nir.conv`) and :func:`scgen.nir.lower` turns them into dense projections.
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
    raw: dict = {}
    edges: list = []
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


def _shape(name: str, shape) -> tuple[int, ...]:
    """A NIR shape (channel-first, no batch dimension) as a tuple of positive sizes."""
    try:
        arr = np.asarray(shape).astype(np.int64).ravel()
    except (TypeError, ValueError):
        arr = None
    if arr is None or arr.size < 1 or np.any(arr < 1):
        raise NIRImportError(f"NIR node {name!r} shape must be positive sizes, not {shape!r}")
    # Norse 1.1.0 keeps the sample's batch dimension: (1, n) is read as it is, n values
    return tuple(int(v) for v in arr)


def _declared(node) -> tuple[int, ...] | None:
    """The node's own NIR input shape, when NIR's type inference (or the file) defines one."""
    shape = (getattr(node, "input_type", None) or {}).get("input")
    if shape is None or np.asarray(shape).size == 0:
        return None
    return tuple(int(v) for v in np.asarray(shape).ravel())


def _ints(name: str, node, fieldname: str, dims: int, low: int) -> np.ndarray:
    """An integer field given as one value or ``dims`` values, each at least ``low``."""
    value = getattr(node, fieldname, None)
    try:
        arr = np.asarray(value, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        arr = np.array([np.nan])
    if arr.size == 1:
        arr = np.repeat(arr, dims)
    if (
        value is None
        or arr.shape != (dims,)
        or not np.all(arr == np.round(arr))
        or np.any(arr < low)
    ):
        raise NIRImportError(
            f"NIR node {name!r} field {fieldname!r} must be one integer or {dims} integers, "
            f"each at least {low}, not {value!r}"
        )
    return arr.astype(np.int64)


def _conv(name: str, kind: str, node, src_shape: tuple[int, ...], n_in: int) -> Node:
    dims = 1 if kind == "Conv1d" else 2
    w = _array(name, node, "weight")
    if w.ndim != dims + 2 or 0 in w.shape:
        raise NIRImportError(
            f"NIR node {name!r} field 'weight' must be {dims + 2}-D (C_out, C_in / groups, "
            f"kernel), not shape {w.shape!r}"
        )
    groups = int(_ints(name, node, "groups", 1, 1)[0])
    c_out, c_in = w.shape[0], w.shape[1] * groups
    if c_out % groups:
        raise NIRImportError(
            f"NIR node {name!r} field 'groups' = {groups} must divide the {c_out} output channels"
        )
    stride = _ints(name, node, "stride", dims, 1)
    dilation = _ints(name, node, "dilation", dims, 1)
    if getattr(node, "input_shape", None) is None:
        if len(src_shape) != dims + 1 or src_shape[0] != c_in:
            raise NIRImportError(
                f"NIR node {name!r} field 'input_shape' is None and its source's shape "
                f"{src_shape!r} is not (C_in = {c_in}, spatial), so the input's layout is "
                f"unknown; give input_shape"
            )
        spatial = np.array(src_shape[1:], dtype=np.int64)
    else:
        spatial = _ints(name, node, "input_shape", dims, 1)
    in_shape = (c_in, *(int(v) for v in spatial))
    if int(np.prod(in_shape)) != n_in or (len(src_shape) > 1 and src_shape != in_shape):
        raise NIRImportError(
            f"NIR node {name!r} field 'input_shape' gives input shape {in_shape!r}, but its "
            f"sources give shape {src_shape!r}"
        )
    padding = getattr(node, "padding", None)
    if isinstance(padding, bytes):
        padding = padding.decode()
    if isinstance(padding, str):
        if padding == "valid":
            pad = np.zeros((dims, 2), dtype=np.int64)
        elif padding == "same" and np.all(stride == 1):
            pad = same_padding(w.shape[2:], dilation)
        else:
            raise NIRImportError(
                f"NIR node {name!r} field 'padding' = {padding!r} with stride "
                f"{stride.tolist()!r} is not supported (only 'valid', numbers, or 'same' at "
                f"stride 1, as in PyTorch)"
            )
    else:
        p = _ints(name, node, "padding", dims, 0)
        pad = np.stack([p, p], axis=1)
    out = out_spatial(spatial, w.shape[2:], stride, pad, dilation)
    if min(out) < 1:
        raise NIRImportError(
            f"NIR node {name!r} field 'weight' has kernel {w.shape[2:]!r}, larger than its "
            f"padded input {in_shape!r}: the output would be empty"
        )
    bias = _broadcast(name, "bias", _array(name, node, "bias"), c_out)
    params = {"weight": w, "bias": bias, "stride": stride, "padding": pad,
              "dilation": dilation, "groups": np.array(groups, dtype=np.int64),
              "input_shape": np.array(in_shape, dtype=np.int64)}  # fmt: skip
    shape = (c_out, *out)
    return Node(kind, int(np.prod(shape)), params, shape)


def _pool(name: str, kind: str, node, src_shape: tuple[int, ...], n_in: int) -> Node:
    in_shape = _declared(node) or src_shape
    if len(in_shape) != 3 or int(np.prod(in_shape)) != n_in:
        raise NIRImportError(
            f"NIR node {name!r} ({kind}) needs a (C, H, W) input, but its sources give shape "
            f"{src_shape!r}"
        )
    kernel = _ints(name, node, "kernel_size", 2, 1)
    stride = _ints(name, node, "stride", 2, 1)
    padding = _ints(name, node, "padding", 2, 0)
    pad = np.stack([padding, padding], axis=1)
    out = out_spatial(in_shape[1:], kernel, stride, pad, (1, 1))
    if min(out) < 1:
        raise NIRImportError(
            f"NIR node {name!r} field 'kernel_size' = {kernel.tolist()!r} is larger than its "
            f"padded input {in_shape!r}: the output would be empty"
        )
    params = {"kernel_size": kernel, "stride": stride, "padding": padding,
              "input_shape": np.array(in_shape, dtype=np.int64)}  # fmt: skip
    shape = (in_shape[0], *out)
    return Node(kind, int(np.prod(shape)), params, shape)


def _flatten_node(name: str, node, src_shape: tuple[int, ...], n_in: int) -> Node:
    in_shape = _declared(node) or src_shape
    if int(np.prod(in_shape)) != n_in:
        raise NIRImportError(
            f"NIR node {name!r} field 'input_type' gives shape {in_shape!r}, but its sources "
            f"give {n_in} values"
        )
    ends = []
    for f in ("start_dim", "end_dim"):
        value = getattr(node, f, None)
        try:
            k = int(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            k = len(in_shape)  # out of range: refused below
        if not -len(in_shape) <= k < len(in_shape) or k != value:
            raise NIRImportError(
                f"NIR node {name!r} field {f!r} must be an axis of its input shape "
                f"{in_shape!r}, not {value!r}"
            )
        ends.append(k)
    start, end = (k % len(in_shape) for k in ends)
    if start > end:
        raise NIRImportError(
            f"NIR node {name!r} field 'start_dim' = {ends[0]!r} comes after 'end_dim' = "
            f"{ends[1]!r} in its input shape {in_shape!r}"
        )
    shape = (*in_shape[:start], int(np.prod(in_shape[start : end + 1])), *in_shape[end + 1 :])
    params = {"start_dim": np.array(ends[0], dtype=np.int64),
              "end_dim": np.array(ends[1], dtype=np.int64),
              "input_shape": np.array(in_shape, dtype=np.int64)}  # fmt: skip
    return Node("Flatten", n_in, params, shape)


def _takes(node: Node) -> int:
    """How many values a node takes in."""
    if node.kind in ("Affine", "Linear"):
        return int(node.params["weight"].shape[1])
    if "input_shape" in node.params:
        return int(np.prod(node.params["input_shape"]))
    return node.size


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
        srcs = [nodes[a] for a, b in edges if b == name and a in nodes]
        nodes[name] = _node(name, kind, node, srcs, dt)
    # recurrent sources are known now: check their sizes too
    for a, b in recurrent:
        want = _takes(nodes[b])
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


def _node(name, kind, node, srcs: list[Node], dt) -> Node:
    if kind == "Input":
        shape = _shape(name, node.input_type["input"])
        return Node(kind, int(np.prod(shape)), {}, shape)
    in_sizes = {s.size for s in srcs}
    if len(in_sizes) > 1:
        raise NIRImportError(
            f"NIR node {name!r} sums inputs of different sizes, {sorted(in_sizes)!r}"
        )
    n_in = in_sizes.pop() if in_sizes else None
    # the inputs' common shape (flat when the sources disagree, or none is known yet)
    shapes = {s.shape for s in srcs}
    src_shape = shapes.pop() if len(shapes) == 1 else ((n_in,) if n_in else ())
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
    if kind in CONVS:
        return _conv(name, kind, node, src_shape, n_in)
    if kind in POOLS:
        return _pool(name, kind, node, src_shape, n_in)
    if kind == "Flatten":
        return _flatten_node(name, node, src_shape, n_in)
    if kind == "Output":
        return Node(kind, n_in, {}, src_shape)
    params = {}
    for f in KINDS[kind]:
        value = _array(name, node, f)
        if f == "w_in" and getattr(node, f, None) is None:
            value = np.asarray(1.0)  # NIR's default input weight
        params[f] = _broadcast(name, f, value, n_in, src_shape)
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
    return Node(kind, n_in, params, src_shape)


def _broadcast(
    name: str, fieldname: str, value: np.ndarray, size: int, shape: tuple[int, ...] = ()
) -> np.ndarray:
    """Scalar parameters broadcast (NIR issue 176); others must have one entry per neuron
    (flat, or in the input's NIR ``shape``, flattened in C order)."""
    if value.ndim == 0 or value.size == 1:
        return np.full(size, float(value.ravel()[0]))
    flat = (
        value.reshape(-1)
        if (value.ndim == 2 and 1 in value.shape) or value.shape == shape
        else value
    )
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
            nodes[name] = nir.Input(input_type={"input": np.array(node.shape)})
        elif node.kind == "Output":
            nodes[name] = nir.Output(output_type={"output": np.array(node.shape)})
        elif node.kind == "Flatten":
            nodes[name] = nir.Flatten(
                input_type={"input": p["input_shape"].copy()},
                start_dim=int(p["start_dim"]),
                end_dim=int(p["end_dim"]),
            )
        elif node.kind in CONVS:
            nodes[name] = _write_conv(node)
        elif node.kind in POOLS:
            nodes[name] = getattr(nir, node.kind)(
                **{f: p[f].copy() for f in ("kernel_size", "stride", "padding")}
            )
        elif node.kind in ("Affine", "Linear"):
            nodes[name] = getattr(nir, node.kind)(**{f: p[f] for f in KINDS[node.kind]})
        else:  # per-neuron parameters in the node's NIR shape, so that NIR's types check
            nodes[name] = getattr(nir, node.kind)(
                **{f: p[f].reshape(node.shape) for f in KINDS[node.kind]}
            )
    graph = nir.NIRGraph(nodes=nodes, edges=list(network.edges), type_check=False)
    nir.write(Path(path), graph)


def _write_conv(node: Node):
    import nir

    p = node.params
    one = node.kind == "Conv1d"

    def axes(a: np.ndarray):
        return int(a[0]) if one else np.array(a, dtype=np.int64)

    pad = p["padding"]
    if np.array_equal(pad[:, 0], pad[:, 1]):
        padding: object = axes(pad[:, 0])
    elif np.array_equal(pad, same_padding(p["weight"].shape[2:], p["dilation"])):
        padding = "same"
    else:
        raise NIRImportError(f"Conv padding {pad.tolist()!r} has no NIR form")
    spatial = p["input_shape"][1:]
    return getattr(nir, node.kind)(
        input_shape=int(spatial[0]) if one else tuple(int(v) for v in spatial),
        weight=p["weight"],
        stride=axes(p["stride"]),
        padding=padding,
        dilation=axes(p["dilation"]),
        groups=int(p["groups"]),
        bias=p["bias"],
    )
