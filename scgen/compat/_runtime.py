"""The engine's thread control: ``set_num_threads``."""

from __future__ import annotations

import numba

from ._args import int_arg

__all__ = ["set_num_threads"]

_configured = False


def set_num_threads(n):
    """Configure the worker threads once; ``0`` is a no-op. Results never depend on it.

    As in the engine, a second configuration raises ``ValueError``. Requests above the number of
    threads Numba started with are capped to it.
    """
    global _configured
    k = int_arg("n", n, "u64")
    if k == 0:
        return
    if _configured:
        raise ValueError(
            "Cannot set thread pool: The global thread pool has already been initialized."
        )
    numba.set_num_threads(min(k, numba.config.NUMBA_NUM_THREADS))
    _configured = True
