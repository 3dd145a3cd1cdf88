"""The equivalence harness: one contract, two simulator backends.

``run(component, inputs, backend=...)`` drives any flat :class:`wiring.Component` with one array
per input port and returns one array per output port, sampled on every cycle after the
combinational logic settles and before the clock edge: the same convention as the twins.

Backends: ``pysim`` (Amaranth's simulator), ``verilator`` (a compiled C++ harness, no Python in
the cycle loop; :mod:`scgen.sim.native`) and ``cocotb`` (Verilator driven cycle by cycle from
Python through cocotb, the flow to build your own cocotb tests on).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .diverge import Divergence, first_divergence
from .native import cache_dir, run_native
from .pysim import run_pysim
from .verilator import SimulatorNotFound, run_verilator, toolchain_env, verilator_available
from .windows import (
    EmittedTop,
    WindowResult,
    carries_state,
    collect_windows,
    explain,
    run_hardware,
    run_windows,
    window_stimulus,
)

__all__ = [
    "BACKENDS",
    "Divergence",
    "SimulatorNotFound",
    "cache_dir",
    "first_divergence",
    "first_mismatch",
    "run",
    "run_many",
    "run_native",
    "run_pysim",
    "run_verilator",
    "toolchain_env",
    "verilator_available",
    # graphs over windows
    "EmittedTop",
    "WindowResult",
    "carries_state",
    "collect_windows",
    "explain",
    "run_hardware",
    "run_windows",
    "window_stimulus",
]

BACKENDS = ("pysim", "verilator", "cocotb")


def run_many(
    duts,
    inputs,
    cycles: int,
    *,
    backend: str = "pysim",
    build_dir=None,
    trace=None,
    optimize: bool = True,
):
    """Run several components side by side on one backend; returns ``(traces, seconds)``.

    ``build_dir`` is where the cocotb backend builds (required there) and where the native
    backend writes its run files (optional). ``trace`` (a ``.vcd`` path, or ``(path, first,
    end)`` for cycles ``first <= t < end``) writes a waveform; ``seconds`` excludes builds.
    ``optimize=False`` builds the native model at ``-O0`` (quicker to build, slower to run).
    """
    from ._top import check_stimulus

    for dut, stim in zip(duts, inputs, strict=True):
        check_stimulus(dut, stim)  # a value the port cannot hold is an error, never truncated
    if backend == "pysim":
        return run_pysim(duts, inputs, cycles, trace=trace)
    if backend == "verilator":
        return run_native(duts, inputs, cycles, build_dir, trace=trace, optimize=optimize)
    if backend == "cocotb":
        if build_dir is None:
            raise TypeError("The cocotb backend needs build_dir")
        return run_verilator(duts, inputs, cycles, Path(build_dir), trace=trace)
    raise ValueError(f"Backend must be one of {', '.join(map(repr, BACKENDS))}, not {backend!r}")


def run(dut, inputs: dict[str, np.ndarray], *, backend: str = "pysim", build_dir=None, trace=None):
    """Run one component on one backend and return ``{output port: int64 array}``."""
    cycles = len(next(iter(inputs.values()))) if inputs else 0
    traces, _ = run_many([dut], [inputs], cycles, backend=backend, build_dir=build_dir, trace=trace)
    return traces[0]


def _as_ints(values: object) -> np.ndarray:
    """Integer values as int64, or as Python ints (object) when they do not all fit."""
    a = np.asarray(values)
    if a.dtype == object or a.dtype == np.uint64:
        if a.size and (a.dtype == object or int(a.max()) > np.iinfo(np.int64).max):
            return np.array([int(v) for v in a.reshape(-1)], dtype=object).reshape(a.shape)
    return a.astype(np.int64)


def first_mismatch(expected: dict[str, np.ndarray], actual: dict[str, np.ndarray]) -> str | None:
    """Describe the first cycle where two traces differ, or return None when they are equal.

    Every port of ``expected`` must be in ``actual``; values compare as integers.
    """
    for port, want in expected.items():
        if port not in actual:
            return f"port {port!r} is missing"
        want, got = _as_ints(want), _as_ints(actual[port])
        if want.shape != got.shape:
            return f"port {port!r} has shape {got.shape}, expected {want.shape}"
        bad = np.flatnonzero(want != got)
        if bad.size:
            t = int(bad[0])
            return (
                f"port {port!r} differs at {bad.size} cycles, first at cycle {t}: "
                f"expected {int(want[t])}, got {int(got[t])}"
            )
    return None
