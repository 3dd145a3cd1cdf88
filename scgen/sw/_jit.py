"""The one place where Numba options are chosen for scgen's kernels.

Caching is off unless ``SCGEN_NUMBA_CACHE=1``: Numba's on-disk cache is known to misbehave with
multiprocessing (numba#4807), and a stale cache is a silent way to lose bit-exactness.
``fastmath`` is never used: twins must be bit-exact.
"""

from __future__ import annotations

import os
import warnings

import numba

__all__ = ["CACHE", "inline", "kernel", "parallel_kernel"]

CACHE = os.environ.get("SCGEN_NUMBA_CACHE", "") == "1"
if CACHE:
    warnings.warn(
        "SCGEN_NUMBA_CACHE=1: Numba kernels are cached on disk; caching is known to break with "
        "multiprocessing (numba#4807)",
        RuntimeWarning,
        stacklevel=2,
    )


def kernel(fn):
    """Compile a sequential twin kernel."""
    return numba.njit(cache=CACHE, nogil=True, error_model="numpy")(fn)


def parallel_kernel(fn):
    """Compile a kernel whose outer ``prange`` runs over independent instances."""
    return numba.njit(cache=CACHE, nogil=True, parallel=True, error_model="numpy")(fn)


def inline(fn):
    """Compile a small helper that is always inlined into its callers."""
    return numba.njit(cache=CACHE, inline="always", error_model="numpy")(fn)


def sequential_and_parallel(fn):
    """Compile a row kernel twice: as is, and with its ``prange`` over rows run in parallel.

    The parallel copy gets its own qualified name, so Numba's on-disk cache (keyed by name and
    bytecode) keeps the two compilations apart.
    """
    from types import FunctionType

    copy = FunctionType(
        fn.__code__, fn.__globals__, f"{fn.__name__}_parallel", fn.__defaults__, fn.__closure__
    )
    copy.__qualname__ = f"{fn.__qualname__}_parallel"
    return kernel(fn), parallel_kernel(copy)
