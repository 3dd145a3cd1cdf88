"""Benchmark rows: stochastic attention and the stochastic graph layer (engine vs scgen.compat)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["rows"]


def rows(eng, sc, rng: np.random.Generator) -> dict[str, Callable[[], tuple]]:
    def attention(method, n=128, m=128, d=64, dv=64, *args):
        def build():
            q, k, v = rng.random((n, d)), rng.random((m, d)), rng.random((m, dv))
            theirs, ours = eng.StochasticAttention(d), sc.StochasticAttention(d)
            return (
                lambda: getattr(theirs, method)(q, k, v, *args),
                lambda: getattr(ours, method)(q, k, v, *args),
                "none",
                0,
            )

        return build

    def graph(method, nodes=256, f=32, *args):
        def build():
            adj = (rng.random((nodes, nodes)) < 0.05).astype(np.float64)
            x = rng.random((nodes, f))
            theirs, ours = eng.StochasticGraphLayer(adj, f), sc.StochasticGraphLayer(adj, f)
            return (
                lambda: getattr(theirs, method)(x, *args),
                lambda: getattr(ours, method)(x, *args),
                "none",
                0,
            )

        return build

    return {
        "attention forward_sc Q128xK128xd64 L=256": attention(
            "forward_sc", 128, 128, 64, 64, 256, 7
        ),
        "attention forward Q128xK128xd64": attention("forward"),
        "attention forward_softmax Q128xK128xd64": attention("forward_softmax"),
        "attention forward_multihead 4 heads Q128xK128xd64": attention(
            "forward_multihead", 128, 128, 64, 64, 4
        ),
        "graph layer forward_sc 256 nodes x 32 features L=256": graph(
            "forward_sc", 256, 32, 256, 7
        ),
        "graph layer forward 256 nodes x 32 features": graph("forward"),
    }
