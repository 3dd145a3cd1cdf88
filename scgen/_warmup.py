"""``scgen warmup``: compile scgen's kernels once into the on-disk cache
(:mod:`scgen.sw._jit`), so that later processes load them instead of compiling.

Each step runs a small, representative call of one API with the argument types its users pass;
Numba compiles (and caches) one entry per kernel and argument types.
"""

from __future__ import annotations

import contextlib
import io
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

__all__ = ["STEPS", "warmup"]


def _dense() -> None:
    import scgen.compat as v3

    layer = v3.DenseLayer(64, 32, 1024)
    x = np.full(64, 0.5)
    layer.forward(x.tolist())
    layer.forward_fast(x.tolist())
    layer.forward_numpy(x)
    packed = v3.batch_encode_numpy(x, length=1024, seed=42)
    layer.forward_prepacked(packed)
    layer.forward_prepacked_numpy(packed)
    layer.forward_batch_numpy(np.full((4, 64), 0.5), seed=42)


def _bitstreams() -> None:
    import scgen.compat as v3

    bits = np.ones(1000, dtype=np.uint8)
    packed = v3.pack_bitstream_numpy(bits)
    v3.popcount_numpy(packed)
    v3.unpack_bitstream_numpy(packed, len(bits))
    v3.batch_encode(np.array([0.25, 0.5]), length=256, seed=1)


def _lif() -> None:
    import scgen.compat as v3

    v3.batch_lif_run(100, leak_k=20, gain_k=256, i_t=128)
    v3.batch_lif_run_varying(leak_k=20, gain_k=256, currents=np.full(10, 128, dtype=np.int16))
    v3.batch_lif_run_multi(2, 100, leak_k=20, gain_k=256, currents=np.full(2, 128, dtype=np.int16))


def _kuramoto_attention() -> None:
    import scgen.compat as v3

    n = 8
    solver = v3.KuramotoSolver(np.ones(n), np.full((n, n), 0.1), np.zeros(n), noise_amp=0.1)
    solver.run(4, 0.01)
    q = np.full((4, 8), 0.5)
    v3.StochasticAttention(8).forward_sc(q, q, q, length=256)


def _demo_sim() -> None:
    from .cli import main

    demo = Path(__file__).resolve().parent.parent / "examples" / "demo.scir"
    if demo.exists():
        with contextlib.redirect_stdout(io.StringIO()):
            main(["sim", str(demo), "--input", "x=0.5", "--input", "w=0.25"])


STEPS: list[tuple[str, Callable[[], None]]] = [
    ("dense layer (compat)", _dense),
    ("bitstreams and encoders (compat)", _bitstreams),
    ("LIF batches (compat)", _lif),
    ("Kuramoto and attention (compat)", _kuramoto_attention),
    ("scgen sim examples/demo.scir", _demo_sim),
]


def warmup(progress: Callable[[str], None] = print) -> float:
    """Run every step, reporting each with its time; return the total time in seconds."""
    from .sw._jit import CACHE, cache_dir

    if not CACHE:
        progress("warmup: SCGEN_NUMBA_CACHE=0, nothing will be cached")
    else:
        progress(f"warmup: caching kernels in {cache_dir()}")
    start = time.perf_counter()
    for i, (label, step) in enumerate(STEPS, 1):
        t = time.perf_counter()
        step()
        progress(f"[{i}/{len(STEPS)}] {label}: {time.perf_counter() - t:.1f} s")
    total = time.perf_counter() - start
    progress(f"warmup: done in {total:.1f} s")
    return total
