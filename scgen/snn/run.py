"""``scgen.snn.run``: one spiking network, four backends, the same spikes."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..params.snn import SnnParams
from ..sw.snn import snn_steps

__all__ = ["BACKENDS", "drive", "run"]

BACKENDS = ("reference", "twin", "pysim", "verilator")


def drive(params: SnnParams, spikes: np.ndarray) -> dict[str, np.ndarray]:
    """Port stimulus for :class:`SnnNetwork` that runs ``spikes`` ``(T, batch, n_in)``.

    Samples run one after the other; each step starts on the cycle its predecessor is ``done``
    (period ``step_cycles() + 1``), the first step of a sample with ``first = 1``.
    """
    steps, batch, n_in = spikes.shape
    period = params.step_cycles() + 1
    cycles = steps * batch * period + 1
    start = np.zeros(cycles, dtype=np.int64)
    first = np.zeros(cycles, dtype=np.int64)
    words = np.zeros(cycles, dtype=object if n_in > 63 else np.int64)
    weights = [1 << i for i in range(n_in)]
    k = 0
    for b in range(batch):
        for t in range(steps):
            c = k * period
            start[c], first[c] = 1, int(t == 0)
            words[c] = sum(w for w, s in zip(weights, spikes[t, b], strict=True) if s)
            k += 1
    return {"start": start, "first": first, "s_in": words}


def _collect(params: SnnParams, trace: dict, steps: int, batch: int) -> np.ndarray:
    period = params.step_cycles() + 1
    at = np.arange(1, steps * batch + 1) * period
    done = np.asarray(trace["done"])[at]
    if not np.all(done == 1):
        raise RuntimeError(f"SNN hardware was not done {params.step_cycles()} cycles after start")
    if params.readout:  # the membranes of the LI readout
        from ..sw.snn import unpack_membranes

        words = np.asarray(trace["v_out"])[at]
        out = unpack_membranes(words, params.n_out, params.layers[-1].membrane_width)
        return out.reshape(batch, steps, params.n_out).transpose(1, 0, 2)
    out = np.zeros((steps * batch, params.n_out), dtype=np.uint8)
    words = np.asarray(trace["s_out"])[at]
    for j in range(params.n_out):
        out[:, j] = [(int(w) >> j) & 1 for w in words]
    return out.reshape(batch, steps, params.n_out).transpose(1, 0, 2)


def run(graph, spikes, *, backend: str = "twin", build_dir=None) -> np.ndarray:
    """Run ``spikes`` ``(T, batch, n_in)`` (0/1), every sample from the reset state.

    ``graph`` is a float :class:`scgen.nir.Network` (backend ``reference``) or a fixed-point
    :class:`SnnParams` (backends ``twin``, ``pysim``, ``verilator``, bit-exact with each
    other). Returns the last population's spikes ``(T, batch, n_out)`` as uint8, or, when the
    last layer is an LI readout, its membranes after each step as int64 (``reference``: the
    output node's values as float64).
    """
    if backend not in BACKENDS:
        raise ValueError(
            f"SNN backend must be one of {', '.join(map(repr, BACKENDS))}, not {backend!r}"
        )
    spikes = np.asarray(spikes)
    if backend == "reference":
        from ..nir import Network, simulate

        if not isinstance(graph, Network):
            raise TypeError(f"SNN backend 'reference' runs a scgen.nir.Network, not {graph!r}")
        return simulate(graph, spikes)
    if not isinstance(graph, SnnParams):
        raise TypeError(f"SNN backend {backend!r} runs an SnnParams, not {graph!r}")
    if backend == "twin":
        out, _ = snn_steps(graph, spikes)
        return out[:, :, out.shape[2] - graph.n_out :]
    snn_steps(graph, spikes)  # the same checks on the spikes as the twin
    from .. import sim
    from ..hw.snn import SnnNetwork

    if backend == "verilator" and build_dir is None:
        raise TypeError("SNN backend 'verilator' needs build_dir")
    trace = sim.run(
        SnnNetwork(graph),
        drive(graph, spikes),
        backend=backend,
        build_dir=None if build_dir is None else Path(build_dir),
    )
    return _collect(graph, trace, spikes.shape[0], spikes.shape[1])
