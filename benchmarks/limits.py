"""``python -m benchmarks.limits``: the four engine rows that were short at 1 thread, against
the machine limit that bounds each, side by side with the engine in one process.

For every row it measures, alternating engine / scgen / limit kernel and keeping the minimum of
the repeats (the machine is shared, and the minimum is the least disturbed sample; each turn
starts with an untimed call, so the timed ones find their data in cache as repeated calls do):

* dense 784x128x1024 ``forward_numpy``: the 12.8 MB of packed weights each call must read,
  against this machine's read bandwidth from a streaming XOR-reduce over a buffer of the same
  size; floor = bytes / bandwidth, best reachable ratio = engine time / floor;
* dense ``forward_batch_numpy`` 100 x (64->32): the per-call overhead (a 1-sample call) and
  the cost of the samples beyond it; the encode alone (Xoshiro draws, 8 generators a lane);
* ``batch_lif_run_varying`` 1e5 steps: ns per step, against the latency of the step's
  dependency chain (the kernel alone) and the call overhead (a 10-step call);
* attention ``forward_sc`` 128x128x64, L=256: the share of its ChaCha8 keystream.

Writes the section "Limits of the short engine rows" of RESULTS.md (the other writers keep it).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).parent / "RESULTS.md"
HEADING = "## Limits of the short engine rows"


def _min_ab(fns: dict, repeat: int = 9, inner: int = 5) -> dict[str, float]:
    """Best time of one call of each function, the functions alternating in every round.

    Each turn first makes one untimed call: the functions' data together exceed the L3 cache
    (three 12.8 MB weight sets in the dense row), so a function's first call after another's
    reads from DRAM; a user calling one layer repeatedly sees the timed, cached calls.
    """
    best = dict.fromkeys(fns, float("inf"))
    for _ in range(repeat):
        for name, f in fns.items():
            f()
            for _ in range(inner):
                t0 = time.perf_counter()
                f()
                best[name] = min(best[name], time.perf_counter() - t0)
    return best


def measure() -> list[str]:
    import numba
    import sc_neurocore_engine as eng
    from sc_neurocore_engine.attention import StochasticAttention as EngineAttention

    import scgen.compat as sc
    from scgen.nn import _sc
    from scgen.sw.bernoulli import TAIL_BLOCK, _bernoulli_bytes_kernel, chacha_blocks
    from scgen.sw.lif import _lif_drive_q88_kernel

    eng.set_num_threads(1)
    sc.set_num_threads(1)
    numba.set_num_threads(1)

    @numba.njit(nogil=True)
    def stream_read(a):
        acc = np.uint64(0)
        for i in range(a.shape[0]):
            acc ^= a[i]
        return acc

    rng = np.random.default_rng(0)
    out = []

    # dense 784x128x1024 forward_numpy: bound by reading the packed weights
    de, ds = eng.DenseLayer(784, 128, 1024), sc.DenseLayer(784, 128, 1024)
    x = rng.random(784)
    weights = ds._layer._packed_t
    flat = np.random.default_rng(1).integers(0, 2**63, weights.size, dtype=np.uint64)
    packed = np.empty((784, 16), dtype=np.uint64)
    t = _min_ab(
        {
            "engine": lambda: de.forward_numpy(x),
            "scgen": lambda: ds.forward_numpy(x),
            "read": lambda: stream_read(flat),
            "encode": lambda: _bernoulli_bytes_kernel(x, 1024, np.uint64(7), TAIL_BLOCK, packed),
        }
    )
    bw = flat.nbytes / t["read"]
    out.append(
        f"| dense 784x128x1024 forward_numpy | {t['engine'] * 1e3:.3f} | {t['scgen'] * 1e3:.3f} "
        f"| {t['engine'] / t['scgen']:.2f} | weights {weights.nbytes / 1e6:.1f} MB per call; "
        f"streaming read {bw / 1e9:.0f} GB/s gives a floor of {t['read'] * 1e3:.3f} ms, best "
        f"reachable ratio {t['engine'] / t['read']:.2f}; scgen reads at "
        f"{weights.nbytes / t['scgen'] / 1e9:.0f} GB/s ({100 * t['read'] / t['scgen']:.0f} % "
        f"of the bandwidth); its input encode alone takes {t['encode'] * 1e3:.3f} ms |"
    )

    # forward_batch_numpy 100 x (64 -> 32): overhead per call vs per sample
    de, ds = eng.DenseLayer(64, 32, 1024), sc.DenseLayer(64, 32, 1024)
    xs, x1 = rng.random((100, 64)), rng.random((1, 64))
    t = _min_ab(
        {
            "engine": lambda: de.forward_batch_numpy(xs),
            "scgen": lambda: ds.forward_batch_numpy(xs),
            "engine1": lambda: de.forward_batch_numpy(x1),
            "scgen1": lambda: ds.forward_batch_numpy(x1),
        }
    )
    per = (t["scgen"] - t["scgen1"]) / 99
    out.append(
        f"| dense forward_batch_numpy 100 x (64->32) | {t['engine'] * 1e3:.3f} | "
        f"{t['scgen'] * 1e3:.3f} | {t['engine'] / t['scgen']:.2f} | a 1-sample call "
        f"{t['scgen1'] * 1e6:.0f} us (engine {t['engine1'] * 1e6:.0f} us); each further sample "
        f"{per * 1e6:.1f} us = 8192 Xoshiro draws + 32 768 AND+popcount words, in L1/L2 |"
    )

    # batch_lif_run_varying 1e5 steps: latency of one step's dependency chain
    cur = rng.integers(0, 300, 100_000).astype(np.int16)
    short = cur[:10].copy()
    p = sc._lif._params(16, 8, 0, 0, 256, 2)
    cfg = p.kernel_config()
    zero = np.broadcast_to(np.zeros(1, np.int16), cur.shape)
    spikes, volts = np.empty(cur.shape, np.int32), np.empty(cur.shape, np.int16)
    t = _min_ab(
        {
            "engine": lambda: eng.batch_lif_run_varying(20, 256, cur),
            "scgen": lambda: sc.batch_lif_run_varying(20, 256, cur),
            "kernel": lambda: _lif_drive_q88_kernel(cfg, 20, 256, cur, zero, spikes, volts),
            "short": lambda: sc.batch_lif_run_varying(20, 256, short),
        }
    )
    out.append(
        f"| batch_lif_run_varying 1e5 steps | {t['engine'] * 1e3:.3f} | {t['scgen'] * 1e3:.3f} "
        f"| {t['engine'] / t['scgen']:.2f} | {t['scgen'] / 1e5 * 1e9:.2f} ns/step (engine "
        f"{t['engine'] / 1e5 * 1e9:.2f}); the kernel alone {t['kernel'] / 1e5 * 1e9:.2f} ns/step "
        f"= the step's dependency chain (v -> imul -> shift -> add -> sign-extend -> compare); "
        f"call overhead {t['short'] * 1e6:.0f} us |"
    )

    # attention forward_sc 128x128x64, L=256: ChaCha8 keystream share
    q, k, v = rng.random((128, 64)), rng.random((128, 64)), rng.random((128, 64))
    ea, sa = EngineAttention(64), sc.StochasticAttention(64)
    blocks = (3 * 8192 + 16384) * 4  # Q, K, V and the weights: 4 blocks of 64 bytes per element
    ks = np.empty(blocks * 16 + 2, dtype=np.uint32)
    key = _sc.new_rng(1)[:8]
    t = _min_ab(
        {
            "engine": lambda: ea.forward_sc(q, k, v, 256, 44257),
            "scgen": lambda: sa.forward_sc(q, k, v, 256, 44257),
            "keystream": lambda: chacha_blocks(key, 0, blocks, ks),
        },
        repeat=5,
        inner=2,
    )
    out.append(
        f"| attention forward_sc Q128xK128xd64 L=256 | {t['engine'] * 1e3:.3f} | "
        f"{t['scgen'] * 1e3:.3f} | {t['engine'] / t['scgen']:.2f} | of which the ChaCha8 "
        f"keystream ({blocks} blocks) {t['keystream'] * 1e3:.3f} ms |"
    )
    return out


def main() -> str:
    load = os.getloadavg()
    rows = measure()
    lines = [
        HEADING,
        "",
        "`python -m benchmarks.limits`: 1 thread, engine and scgen alternating in one process, "
        "minimum of the repeats (ms per call), load average "
        f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} at the start.",
        "",
        "| row | engine 1T | scgen 1T | ratio | limit |",
        "|---|---:|---:|---:|---|",
        *rows,
        "",
        "How scgen gets there (all bit-exact with the engine, tests/test_compat_engine.py): the "
        "byte-threshold encoder steps 8 Xoshiro256++ generators side by side in one <8 x i64> "
        "register and turns their 64 compare bits per word into 8 words with one byte "
        "transpose; the dense counts keep up to 128 neurons' AND+popcount sums in vector "
        "registers while the packed weights stream past once (a Numba loop over an array "
        "reloads and stores them per row), the inputs encoded (into L2) just before; the LIF "
        "step is branch-free (the refractory test is a select) and "
        "batch_lif_run_varying runs one neuron through its own loop with the Q8.8 widths as "
        "constants; SC attention reuses the dense tiles, makes its ChaCha8 keystream 16 blocks "
        "at a time in vector registers and compares keystream bytes straight from memory. The "
        "784x128 row is bound by reading its weights: 12.8 MB fit the 32 MB L3 of a quiet "
        "machine (about 95 GB/s, floor 0.13 ms) but not one whose L3 other jobs share (the "
        "read rate then falls towards DRAM's); the ratio this row can reach is the engine's "
        "time over the floor measured in the same run. scgen's remaining gap to that floor is "
        "mostly the input encode (about 0.04 ms), which runs before the weight reads, not under "
        "them (encoding between the reads, group by group, measured 10 % slower).",
    ]
    section = "\n".join(lines) + "\n"
    text = RESULTS.read_text() if RESULTS.exists() else ""
    before, _, rest = text.partition(HEADING)
    after = rest[rest.find("\n## ") :] if "\n## " in rest else ""
    RESULTS.write_text(before.rstrip("\n") + "\n\n" + section + after)
    print(section)
    return section


if __name__ == "__main__":
    main()
