"""The one place where Numba options are chosen for scgen's kernels.

Kernels are cached on disk by default, so a fresh process loads them instead of compiling
again. The cache lives in ``$SCGEN_CACHE_DIR`` (default ``$XDG_CACHE_HOME/scgen``, else
``~/.cache/scgen``), under ``numba/<key>``: the key names the scgen version, a hash of scgen's
sources, the Numba, llvmlite and NumPy versions, and the CPU (name and feature set), so an entry
made by another scgen, Numba, NumPy or CPU is never loaded. Numba writes each entry to a
temporary file and renames it into place, so processes that compile or load at once see either
no entry or a whole one. ``SCGEN_NUMBA_CACHE=0`` turns the cache off. ``scgen warmup`` fills it.
``fastmath`` is never used: twins must be bit-exact.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path

import numba

__all__ = ["CACHE", "cache_dir", "cache_key", "inline", "kernel", "parallel_kernel"]

CACHE = os.environ.get("SCGEN_NUMBA_CACHE", "1") != "0"

_PACKAGE = Path(__file__).resolve().parent.parent


def _source_hash() -> str:
    h = hashlib.sha256()
    for path in sorted(_PACKAGE.rglob("*.py")):
        h.update(str(path.relative_to(_PACKAGE)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def cache_key(
    *,
    scgen: str | None = None,
    sources: str | None = None,
    numba_version: str | None = None,
    llvmlite_version: str | None = None,
    numpy_version: str | None = None,
    cpu: str | None = None,
) -> str:
    """Return the cache key of this installation; any part may be given instead of measured."""
    import llvmlite
    import llvmlite.binding as ll
    import numpy

    from .. import __version__

    if cpu is None:
        features = ll.get_host_cpu_features().flatten()
        cpu = f"{ll.get_host_cpu_name()}-{hashlib.sha256(features.encode()).hexdigest()[:8]}"
    parts = [
        f"scgen{scgen or __version__}",
        sources or _source_hash(),
        f"numba{numba_version or numba.__version__}",
        f"llvmlite{llvmlite_version or llvmlite.__version__}",
        f"numpy{numpy_version or numpy.__version__}",
        cpu,
    ]
    return "-".join(p.replace(os.sep, "_") for p in parts)


def cache_dir() -> Path:
    """Return the folder this process's kernels are cached in."""
    base = os.environ.get("SCGEN_CACHE_DIR")
    if not base:
        xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        base = os.path.join(xdg, "scgen")
    return Path(base) / "numba" / cache_key()


_DIR = str(cache_dir()) if CACHE else ""


@contextlib.contextmanager
def _cache_location():
    """Point Numba's cache locator at scgen's folder while one dispatcher is created.

    Numba reads ``config.CACHE_DIR`` when a dispatcher enables caching, so other Numba users in
    the process keep their own setting.
    """
    saved = numba.config.CACHE_DIR
    numba.config.CACHE_DIR = _DIR
    try:
        yield
    finally:
        numba.config.CACHE_DIR = saved


def _njit(fn, **options):
    if not CACHE:
        return numba.njit(cache=False, **options)(fn)
    with _cache_location():
        return numba.njit(cache=True, **options)(fn)


def kernel(fn):
    """Compile a sequential twin kernel."""
    return _njit(fn, nogil=True, error_model="numpy")


def parallel_kernel(fn):
    """Compile a kernel whose outer ``prange`` runs over independent instances."""
    return _njit(fn, nogil=True, parallel=True, error_model="numpy")


def inline(fn):
    """Compile a small helper that is always inlined into its callers."""
    return _njit(fn, inline="always", error_model="numpy")


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
