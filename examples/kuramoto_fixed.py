"""How closely the fixed-point Kuramoto network follows the float solver.

For N = 8 and 16 oscillators, phase widths of 8, 12 and 16 bits and two couplings (K = 1, just
above the critical coupling of the frequency spread, where R(t) keeps fluctuating; K = 2, where
the network locks), the same float model
(natural frequencies ω, coupling K, step dt) runs on :class:`scgen.nn.KuramotoSolver` (float64)
and, quantised by :meth:`KuramotoParams.from_float`, on the bit-exact twin of the
:class:`scgen.hw.Kuramoto` primitive. The script prints max and mean |R_fixed(t) - R_float(t)|
of the order parameter and plots R(t) for both.

    python examples/kuramoto_fixed.py [out/kuramoto_fixed.png] [--steps 2000]
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import numpy as np

from scgen.nn import KuramotoSolver
from scgen.params import KuramotoParams
from scgen.sw import kuramoto_phases

__all__ = ["compare", "model", "order_parameter"]

DT = 0.05
WIDTHS = (8, 12, 16)
SIZES = (8, 16)
COUPLINGS = (1.0, 2.0)


def model(n: int, seed: int = 0, k: float = 2.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return ``(omega, K, phases)``: frequencies 1 ± 0.5 rad/s, all-to-all coupling ``k``
    (divided by N in the solver), random initial phases."""
    rng = np.random.default_rng(seed)
    omega = 1.0 + 0.5 * rng.standard_normal(n)
    coupling = np.full((n, n), k)
    return omega, coupling, rng.uniform(0, 2 * math.pi, n)


def order_parameter(phases: np.ndarray, phase_bits: int) -> np.ndarray:
    """R per row of integer phases (units of 2π / 2**phase_bits)."""
    theta = phases * (2 * math.pi / (1 << phase_bits))
    return np.abs(np.exp(1j * theta).mean(axis=-1))


def compare(
    n: int, phase_bits: int, steps: int, *, seed: int = 0, k: float = 2.0
) -> tuple[np.ndarray, np.ndarray, KuramotoParams]:
    """Return R(t) after each of ``steps`` steps for the float solver and the fixed-point
    twin of the same model, and the fixed-point parameters."""
    omega, coupling, phases = model(n, seed, k)
    r_float = KuramotoSolver(omega, coupling, phases, 0.0).run(steps, DT)
    params = KuramotoParams.from_float(omega, coupling, DT, phases=phases, phase_bits=phase_bits)
    r_fixed = order_parameter(kuramoto_phases(params, steps)[1:], phase_bits)
    return r_float, r_fixed, params


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("png", nargs="?", default="out/kuramoto_fixed.png")
    parser.add_argument("--steps", type=int, default=2000)
    args = parser.parse_args(argv)

    runs = {}
    print(f"dt = {DT}, {args.steps} steps, ω = 1 ± 0.5 rad/s, all-to-all K (divided by N)")
    print("|  K |  N | phase bits | lut/sine/weight bits | fraction | max |ΔR| | mean |ΔR| |")
    print("|---:|---:|---:|---|---:|---:|---:|")
    for k in COUPLINGS:
        for n in SIZES:
            for pb in WIDTHS:
                r_float, r_fixed, p = compare(n, pb, args.steps, k=k)
                err = np.abs(r_fixed - r_float)
                runs[k, n, pb] = (r_float, r_fixed)
                print(
                    f"| {k:g} | {n:2d} | {pb:2d} | {p.lut_bits}/{p.sine_bits}/{p.weight_bits} "
                    f"| {p.fraction} | {err.max():.4f} | {err.mean():.4f} |"
                )

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t = DT * np.arange(1, args.steps + 1)
    fig, axes = plt.subplots(
        len(COUPLINGS), len(SIZES), figsize=(11, 7), sharex=True, squeeze=False
    )
    for row, k in zip(axes, COUPLINGS, strict=True):
        for ax, n in zip(row, SIZES, strict=True):
            ax.plot(t, runs[k, n, WIDTHS[0]][0], "k", lw=2.5, label="float64")
            for pb in WIDTHS:
                ax.plot(t, runs[k, n, pb][1], lw=1, label=f"fixed, {pb}-bit phase")
            ax.set_title(f"N = {n}, K = {k:g}")
            ax.grid(alpha=0.3)
        row[0].set_ylabel("order parameter R(t)")
    for ax in axes[-1]:
        ax.set_xlabel("t")
    axes[0][0].legend(loc="lower right")
    fig.tight_layout()
    path = Path(args.png)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
