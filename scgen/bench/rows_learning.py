"""Benchmark rows of the learning area: surrogate LIF steps and the differentiable dense layer,
engine 3.15.7 against :mod:`scgen.compat` (same calls, same results)."""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["rows"]


def rows(eng, sc, rng) -> dict[str, Callable[[], tuple]]:
    def lif_steps(n):
        def build():
            currents = [int(c) for c in rng.integers(0, 400, n)]

            def run(cls):
                neuron = cls()
                for c in currents:
                    neuron.forward(20, 256, c)
                return sum(neuron.backward(1.0) for _ in currents)

            return (lambda: run(eng.SurrogateLif), lambda: run(sc.SurrogateLif), "none", 0)

        return build

    def dense(ni, nn, what):
        def build():
            de = eng.DifferentiableDenseLayer(ni, nn, 1024)
            ds = sc.DifferentiableDenseLayer(ni, nn, 1024)
            x, g = rng.random(ni), rng.normal(size=nn)
            grads = rng.normal(size=(nn, ni)) * 1e-3
            for layer in (de, ds):
                layer.forward(x)
            if what == "step":  # one training step: forward, backward, update

                def step(layer):
                    layer.forward(x)
                    _, gw = layer.backward(g)
                    layer.update_weights(gw, 0.01)

                return (lambda: step(de), lambda: step(ds), "none", 0)
            if what == "backward":
                return (lambda: de.backward(g), lambda: ds.backward(g), "none", 0)
            return (
                lambda: de.update_weights(grads, 0.01),
                lambda: ds.update_weights(grads, 0.01),
                "none",
                0,
            )

        return build

    return {
        "SurrogateLif 1000 forward + 1000 backward": lif_steps(1000),
        "DifferentiableDenseLayer 64x32 backward": dense(64, 32, "backward"),
        "DifferentiableDenseLayer 64x32 update_weights (re-pack), L=1024": dense(64, 32, "update"),
        "DifferentiableDenseLayer 64x32 training step, L=1024": dense(64, 32, "step"),
    }
