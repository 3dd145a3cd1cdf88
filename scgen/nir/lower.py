"""Lower convolutions and pooling to the dense projections the fixed-point twin and hardware run."""

from __future__ import annotations

import numpy as np

from .conv import CONVS, POOLS, dense
from .network import Network, Node

__all__ = ["PROJECTIONS", "lower"]

# linear nodes that compose into one dense projection
PROJECTIONS = ("Affine", "Linear", *CONVS, *POOLS)


def _matrix(node: Node) -> tuple[np.ndarray, np.ndarray]:
    p = node.params
    if node.kind == "Affine":
        return p["weight"], p["bias"]
    if node.kind == "Linear":
        return p["weight"], np.zeros(node.size)
    return dense(node.kind, p)


def lower(network: Network) -> Network:
    """The same network with flat values and dense projections only.

    Flatten nodes are dropped (values already travel flat in C order). Each run of projections
    (Affine, Linear, Conv1d, Conv2d, SumPool2d, AvgPool2d) joined by single, non-recurrent edges
    (each node but the first fed by the previous one only, each but the last feeding the next
    one only) becomes one ``Affine`` named after its last node: ``W = W_k ... W_1``, with each
    conv or pool unrolled into its Toeplitz matrix (sum pooling weights 1, average pooling
    ``1 / (kh kw)``, quantised later like any weight). A lone Affine or Linear is kept as it
    is. The float reference of the result equals the original's up to float rounding.
    """
    from .io import _order  # the same evaluation order as a file read

    nodes = dict(network.nodes)
    edges = list(network.edges)
    recurrent = set(network.recurrent)

    def contract(name: str) -> None:
        nonlocal edges
        ins = [(a, b) for a, b in edges if b == name]
        outs = [(a, b) for a, b in edges if a == name]
        edges = [e for e in edges if name not in e]
        for a, _ in ins:
            for _, b in outs:
                edges.append((a, b))
                if (a, name) in recurrent or (name, b) in recurrent:
                    recurrent.add((a, b))
        del nodes[name]

    for name in [n for n in network.order if nodes[n].kind == "Flatten"]:
        contract(name)
    edges = list(dict.fromkeys(edges))

    def follows(a: str, b: str) -> bool:
        return (
            nodes[b].kind in PROJECTIONS
            and [y for x, y in edges if x == a] == [b]
            and [x for x, y in edges if y == b] == [a]
            and (a, b) not in recurrent
        )

    proj = [n for n in network.order if n in nodes and nodes[n].kind in PROJECTIONS]
    inner = {b for a in proj for b in proj if a != b and follows(a, b)}
    for head in [n for n in proj if n not in inner]:
        run = [head]
        while True:
            nxt = [b for a, b in edges if a == run[-1]]
            if len(nxt) == 1 and nxt[0] in inner and follows(run[-1], nxt[0]):
                run.append(nxt[0])
            else:
                break
        if len(run) == 1 and nodes[head].kind in ("Affine", "Linear"):
            continue
        w, b = _matrix(nodes[head])
        for name in run[1:]:
            wk, bk = _matrix(nodes[name])
            w, b = wk @ w, wk @ b + bk
        last = run[-1]
        # the run's edges collapse onto its last node, which takes the first one's sources
        srcs = [(a, y) for a, y in edges if y == head]
        outs = [(x, y) for x, y in edges if x == last]
        edges = [e for e in edges if not (set(e) & set(run))] + [(a, last) for a, _ in srcs]
        edges += outs
        recurrent |= {(a, last) for a, y in srcs if (a, y) in recurrent}
        for name in run[:-1]:
            del nodes[name]
        nodes[last] = Node("Affine", w.shape[0], {"weight": w, "bias": b})
    edges = list(dict.fromkeys(edges))
    # the lowered network is dense end to end: rebuilding each node without its ``shape`` makes
    # every value a flat vector (the twin and the quantiser index neurons, not (C, H, W))
    flat = {n: Node(x.kind, x.size, x.params) for n, x in nodes.items()}
    (start,) = network.inputs
    order, rec = _order(start, flat, edges)
    return Network(flat, tuple(edges), network.dt, tuple(order), frozenset(rec))
