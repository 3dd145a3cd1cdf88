"""scgen against sc-neurocore-engine 3.15.7, side by side in one process per thread count.

Every row times the engine and scgen on the same inputs, alternating A/B samples (median of
``repeat``), after a warm-up call whose time is recorded separately as scgen's first-call (JIT)
cost. The engine's thread pool can be configured once per process, so each thread count runs in
its own subprocess (``python -m scgen.bench.engine --threads N --json FILE``); the parent merges
the results and writes the report. Machine limits (AND+popcount words/s, RNG u64/s, write
bandwidth) are measured in the same run; each row reports its bottleneck rate as a percentage of
the matching limit.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from .primitives import best_time as _best

__all__ = ["main", "run", "write_report"]


@dataclass
class Row:
    name: str
    seed_s: float
    scgen_s: float
    first_call_s: float
    limit: str  # which machine limit bounds this row
    units: float  # amount of that resource one call uses
    threads: int

    @property
    def ratio(self) -> float:
        return self.seed_s / self.scgen_s


# --------------------------------------------------------------------------------------------
# machine limits


def _limits() -> dict[str, float]:
    from numba import njit

    from ..sw._intrinsics import popcount64
    from ..sw.rng import xoshiro_next, xoshiro_state

    @njit(nogil=True)
    def and_popcount(a, b):
        s = np.uint64(0)
        for i in range(a.shape[0]):
            s += popcount64(a[i] & b[i])
        return s

    @njit(nogil=True)
    def rng(s, n):
        acc = np.uint64(0)
        for _ in range(n):
            acc ^= xoshiro_next(s)
        return acc

    @njit(nogil=True)
    def read(a):
        acc = np.uint64(0)
        for i in range(a.shape[0]):
            acc ^= a[i]
        return acc

    a = np.random.default_rng(0).integers(0, 2**63, 1 << 16, dtype=np.uint64)  # in L2
    b = a[::-1].copy()
    big = np.random.default_rng(1).integers(0, 2**63, 10**7 // 8, dtype=np.uint64)  # 10 MB
    out = np.empty(10**7, dtype=np.uint8)
    st = xoshiro_state(1)
    and_popcount(a, b), rng(st, 10), read(big[:10])
    return {
        "and_popcount": a.shape[0] / _best(lambda: and_popcount(a, b), 9),
        "rng": (1 << 22) / _best(lambda: rng(st, 1 << 22), 9),
        "read": big.nbytes / _best(lambda: read(big), 9),
        "write": out.nbytes / _best(lambda: out.fill(1), 9),
    }


_LIMIT_UNITS = {
    "and_popcount": "AND+popcount words/s (L2)",
    "rng": "Xoshiro u64/s (scalar)",
    "read": "read bytes/s (10 MB)",
    "write": "write bytes/s (10 MB)",
    "none": "",
}


def _inner(fn: Callable[[], object]) -> int:
    """Calls per sample so that a sample lasts at least about 5 ms."""
    t0 = time.perf_counter()
    fn()
    dt = time.perf_counter() - t0
    return max(1, min(1000, int(0.005 / max(dt, 1e-7))))


def _ab(seed_fn, scgen_fn, repeat: int) -> tuple[float, float]:
    n_seed, n_scgen = _inner(seed_fn), _inner(scgen_fn)
    seed_t, scgen_t = [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(n_seed):
            seed_fn()
        seed_t.append((time.perf_counter() - t0) / n_seed)
        t0 = time.perf_counter()
        for _ in range(n_scgen):
            scgen_fn()
        scgen_t.append((time.perf_counter() - t0) / n_scgen)
    return statistics.median(seed_t), statistics.median(scgen_t)


# --------------------------------------------------------------------------------------------
# rows: name -> builder returning (engine call, scgen call, limit, units)


def _rows(eng, sc) -> dict[str, Callable[[], tuple]]:
    rng = np.random.default_rng(0)

    def bits(n):
        return rng.integers(0, 2, n).astype(np.uint8)

    def pack(n):
        b = bits(n)
        return (lambda: eng.pack_bitstream_numpy(b), lambda: sc.pack_bitstream_numpy(b), "read", n)

    def unpack(n):
        p = eng.pack_bitstream_numpy(bits(n))
        return (
            lambda: eng.unpack_bitstream_numpy(p, n),
            lambda: sc.unpack_bitstream_numpy(p, n),
            "write",
            n,
        )

    def popcount(n):
        p = eng.pack_bitstream_numpy(bits(n))
        return (lambda: eng.popcount_numpy(p), lambda: sc.popcount_numpy(p), "read", n / 8)

    def encode():
        probs = rng.random(10_000)
        return (
            lambda: eng.batch_encode_numpy(probs, 1024, 7),
            lambda: sc.batch_encode_numpy(probs, 1024, 7),
            "rng",
            10_000 * 1024 / 8,
        )

    def dense(ni, nn, method, batch=None):
        def build():
            de, ds = eng.DenseLayer(ni, nn, 1024), sc.DenseLayer(ni, nn, 1024)
            x = rng.random(ni)
            words = ni * nn * 16
            if method in ("forward", "forward_fast"):
                xl = list(x)
                return (
                    lambda: getattr(de, method)(xl),
                    lambda: getattr(ds, method)(xl),
                    "and_popcount",
                    words,
                )
            if method == "forward_numpy":
                return (
                    lambda: de.forward_numpy(x),
                    lambda: ds.forward_numpy(x),
                    "and_popcount",
                    words,
                )
            if method in ("forward_prepacked", "forward_prepacked_numpy"):
                p = eng.batch_encode_numpy(x, 1024, 3)
                return (
                    lambda: getattr(de, method)(p),
                    lambda: getattr(ds, method)(p),
                    "and_popcount",
                    words,
                )
            xs = rng.random((batch, ni))
            return (
                lambda: de.forward_batch_numpy(xs),
                lambda: ds.forward_batch_numpy(xs),
                "and_popcount",
                words * batch,
            )

        return build

    def hardware_dense():
        # scgen's side is the hardware-exact dense layer (the dense primitive's twin: LFSR
        # comparator synapses, per-cycle counts, LIF neurons) for one window of 1024 cycles
        from ..params import DenseParams
        from ..sw.dense import dense_windows

        de = eng.DenseLayer(64, 32, 1024)
        p = DenseParams(n_inputs=64, n_neurons=32, stream_length=1024, leak_k=-20, gain_k=256)
        x = rng.random(64)
        xq = np.clip(np.floor(x * 65536), 0, 65535).astype(np.int64)[None, :]
        wq = rng.integers(0, 1 << 16, (1, 64 * 32))
        return (
            lambda: de.forward_numpy(x),
            lambda: dense_windows(p, xq, wq, None, None),
            "and_popcount",
            64 * 32 * 16,
        )

    def lif_run():
        return (
            lambda: eng.batch_lif_run(1_000_000, 20, 256, 128),
            lambda: sc.batch_lif_run(1_000_000, 20, 256, 128),
            "write",
            6_000_000,
        )

    def lif_varying():
        cur = rng.integers(0, 300, 100_000).astype(np.int16)
        return (
            lambda: eng.batch_lif_run_varying(20, 256, cur),
            lambda: sc.batch_lif_run_varying(20, 256, cur),
            "none",
            0,
        )

    def lif_multi():
        cur = rng.integers(0, 300, 100).astype(np.int16)
        return (
            lambda: eng.batch_lif_run_multi(100, 100_000, 20, 256, cur),
            lambda: sc.batch_lif_run_multi(100, 100_000, 20, 256, cur),
            "write",
            6 * 100 * 100_000,
        )

    def kuramoto(n, steps):
        from sc_neurocore_engine.scpn import KuramotoSolver as Theirs

        om, k, ph = rng.random(n), rng.random((n, n)), rng.random(n) * 6
        theirs, ours = Theirs(om, k, ph, 0.1), sc.KuramotoSolver(om, k, ph, 0.1)
        return (lambda: theirs.run(steps, 0.01, 1), lambda: ours.run(steps, 0.01, 1), "none", 0)

    return {
        "popcount 1e6 bits": lambda: popcount(10**6),
        "popcount 1e7 bits": lambda: popcount(10**7),
        "pack 1e6 bits": lambda: pack(10**6),
        "pack 1e7 bits": lambda: pack(10**7),
        "unpack 1e6 bits": lambda: unpack(10**6),
        "unpack 1e7 bits": lambda: unpack(10**7),
        "batch_encode_numpy 10000 x 1024": encode,
        "dense 64x32x1024 forward": dense(64, 32, "forward"),
        "dense 64x32x1024 forward_fast": dense(64, 32, "forward_fast"),
        "dense 64x32x1024 forward_numpy": dense(64, 32, "forward_numpy"),
        "dense 64x32x1024 forward_prepacked": dense(64, 32, "forward_prepacked"),
        "dense 64x32x1024 forward_prepacked_numpy": dense(64, 32, "forward_prepacked_numpy"),
        "dense 784x128x1024 forward_numpy": dense(784, 128, "forward_numpy"),
        "dense 784x128x1024 forward_prepacked_numpy": dense(784, 128, "forward_prepacked_numpy"),
        "dense forward_batch_numpy 100 x (64->32)": dense(64, 32, "batch", batch=100),
        "batch_lif_run 1e6 steps": lif_run,
        "batch_lif_run_varying 1e5 steps": lif_varying,
        "batch_lif_run_multi 100 x 1e5": lif_multi,
        "hardware-exact dense 64x32x1024, LIF (vs engine forward_numpy)": hardware_dense,
        "Kuramoto N=256 x 1000 steps (noise)": lambda: kuramoto(256, 1000),
        "Kuramoto N=1024 x 100 steps (noise)": lambda: kuramoto(1024, 100),
        "Kuramoto N=4096 x 10 steps (noise)": lambda: kuramoto(4096, 10),
    }


# Rows of the other areas live beside their code: each module named here defines
# ``rows(eng, sc, rng) -> {name: builder}`` with builders shaped like the ones above.
ROW_MODULES = ("hdc", "attention", "learning", "graphs")


def all_rows(eng, sc) -> dict[str, Callable[[], tuple]]:
    """Every benchmark row: this module's and those of :data:`ROW_MODULES` that exist."""
    import importlib

    rows = _rows(eng, sc)
    for name in ROW_MODULES:
        try:
            module = importlib.import_module(f".rows_{name}", __package__)
        except ModuleNotFoundError as exc:
            if exc.name != f"{__package__}.rows_{name}":
                raise
            continue
        rows.update(module.rows(eng, sc, np.random.default_rng(1)))
    return rows


def run(threads: int, repeat: int = 7, only: str | None = None) -> dict:
    """Run every row (or those whose name contains ``only``) with ``threads`` threads in this
    process; return a JSON-able dict."""
    import numba
    import sc_neurocore_engine as eng

    from .. import compat as sc

    load = os.getloadavg()[0]
    eng.set_num_threads(threads)
    sc.set_num_threads(threads)
    numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
    rows = []
    for name, build in all_rows(eng, sc).items():
        if only and only not in name:
            continue
        seed_fn, scgen_fn, limit, units = build()
        t0 = time.perf_counter()
        scgen_fn()
        first = time.perf_counter() - t0
        seed_fn()
        seed_s, scgen_s = _ab(seed_fn, scgen_fn, repeat)
        rows.append(asdict(Row(name, seed_s, scgen_s, first, limit, units, threads)))
    return {
        "threads": threads,
        "rows": rows,
        "limits": _limits(),
        "engine": eng.__version__,
        "simd": eng.simd_tier(),
        "load": load,
    }


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import numba

    return (
        f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"NumPy {np.__version__}, Numba {numba.__version__}"
    )


def write_report(results: list[dict], path: Path) -> str:
    """Write the Markdown report of ``results`` (one dict per thread count) to ``path``."""
    by_threads = {r["threads"]: r for r in results}
    one = by_threads[min(by_threads)]
    lines = [
        "# scgen vs sc-neurocore-engine",
        "",
        f"Machine: {_machine()}; engine {one['engine']} (SIMD tier {one['simd']}).",
        f"Generated by `python -m benchmarks` on {time.strftime('%Y-%m-%d')}. Median of A/B "
        f"alternating samples; ratio = engine time / scgen time (higher is better for scgen).",
        "Load average (1 min) at the start of each thread count's run: "
        + ", ".join(
            f"{t}T {by_threads[t]['load']:.2f}" if "load" in by_threads[t] else f"{t}T -"
            for t in sorted(by_threads)
        )
        + ".",
        "",
        "Limits measured in the same run (1 thread): "
        + ", ".join(f"{_LIMIT_UNITS[k]} {v:.3g}" for k, v in one["limits"].items())
        + ".",
        "",
    ]
    head = "| row | engine 1T | scgen 1T | ratio 1T |"
    sep = "|---|---:|---:|---:|"
    others = sorted(t for t in by_threads if t != min(by_threads))
    for t in others:
        head += f" engine {t}T | scgen {t}T | ratio {t}T |"
        sep += "---:|---:|---:|"
    head += " scgen % of limit (1T) | first call, cold | first call, cached |"
    sep += "---:|---:|---:|"
    lines += [head, sep]
    for k, row in enumerate(one["rows"]):
        cells = [
            row["name"],
            _ms(row["seed_s"]),
            _ms(row["scgen_s"]),
            f"{row['seed_s'] / row['scgen_s']:.2f}",
        ]
        for t in others:
            r = by_threads[t]["rows"][k]
            cells += [_ms(r["seed_s"]), _ms(r["scgen_s"]), f"{r['seed_s'] / r['scgen_s']:.2f}"]
        if row["limit"] == "none":
            pct = "-"
        else:
            pct = f"{100 * row['units'] / row['scgen_s'] / one['limits'][row['limit']]:.0f} %"
        cached = by_threads[others[0]]["rows"][k]["first_call_s"] if others else float("nan")
        cells += [pct, _ms(row["first_call_s"]), _ms(cached)]
        lines.append("| " + " | ".join(cells) + " |")
    lines += [
        "",
        'Times in ms per call. "% of limit": the row\'s bottleneck resource '
        "(pack/popcount: bytes read; unpack/LIF: bytes written; dense: AND+popcount "
        "words; encode: Xoshiro draws) as achieved by scgen, over the measured limit. "
        "First call: scgen's first call in a fresh process, cold = compiling (the "
        "1-thread run), cached = loading scgen's on-disk Numba cache (the default; "
        "the next run).",
        "",
    ]
    text = "\n".join(lines)
    # keep the sections written by other tools (benchmarks/first_call.py: the first call in a
    # fresh process; benchmarks/bench_compiled.py: the compiled twin against Verilator)
    old = path.read_text() if path.exists() else ""
    at = old.find("\n## ")
    if at >= 0:
        text += old[at:]
    path.write_text(text)
    return text


def _ms(s: float) -> str:
    return f"{s * 1e3:.3f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scgen.bench.engine")
    parser.add_argument("--threads", type=int, nargs="*", default=[1, 2])
    parser.add_argument("--json", help="worker mode: run one thread count, write JSON here")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--out", default="benchmarks/RESULTS.md")
    parser.add_argument("--only", help="run only the rows whose name contains this text")
    args = parser.parse_args(argv)
    if args.json:
        Path(args.json).write_text(json.dumps(run(args.threads[0], args.repeat, args.only)))
        return 0
    try:
        import sc_neurocore_engine  # noqa: F401
    except ImportError:
        print(
            "sc-neurocore-engine is not installed: pip install 'scgen[parity]' "
            "(or ./setup.sh) to compare against it",
            file=sys.stderr,
        )
        return 2
    results = []
    # Numba's on-disk cache in a fresh folder: the first worker compiles (cold first calls), the
    # next ones load the cache (what a second process of a user pays)
    cache = tempfile.mkdtemp(prefix="scgen-numba-cache-")
    env = {
        **os.environ,
        "SCGEN_NUMBA_CACHE": "1",
        "SCGEN_CACHE_DIR": cache,
    }
    for t in args.threads:
        tmp = Path(args.out).with_suffix(f".{t}T.json")
        tmp.parent.mkdir(parents=True, exist_ok=True)
        print(f"running with {t} thread(s) ...", flush=True)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "scgen.bench.engine",
                "--threads",
                str(t),
                "--json",
                str(tmp),
                "--repeat",
                str(args.repeat),
                *(["--only", args.only] if args.only else []),
            ],
            check=True,
            env=env,
        )
        results.append(json.loads(tmp.read_text()))
        tmp.unlink()
    shutil.rmtree(cache, ignore_errors=True)
    print(write_report(results, Path(args.out)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
