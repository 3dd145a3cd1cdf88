"""Fault-tolerant Boolean logic on bitstreams: decoding error against noise rate and length.

TRUE is a stream of ones, FALSE of zeros. Every input stream gets independent bit flips at the
noise rate; the gates AND, OR and NOT act word by word on the noisy streams and the result is
decoded by majority. The plot shows the fraction of wrong decodes (over all gates and random
inputs) for several stream lengths, with the Hoeffding bound ``exp(-2 L (1/2 - rate)**2)`` of
one noisy stream for reference. AND and OR combine two noisy streams, so their output density
crosses 1/2 at ``rate = 1 - 1/sqrt(2) ~ 0.293`` (TRUE AND TRUE has ones with probability
``(1 - rate)**2``): beyond that no stream length helps, which the plot shows as a wall.

    python examples/fault_tolerance.py [OUT.png] [--trials N]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from scgen import hdc

LENGTHS = (16, 64, 256, 1024)
RATES = np.round(np.linspace(0.0, 0.5, 21), 3)


def error_rates(length: int, rates, trials: int, seed: int = 0) -> np.ndarray:
    """Fraction of wrong decodes of AND, OR and NOT over ``trials`` random input pairs."""
    rng = np.random.default_rng(seed)
    t, f = hdc.true_stream(length), hdc.false_stream(length)
    out = []
    for k, rate in enumerate(rates):
        truth = rng.random((trials, 2)) < 0.5
        clean = np.where(truth[..., None], t, f)  # (trials, 2, words)
        noisy = hdc.inject_noise(clean, length, float(rate), seed=seed * 1000 + k)
        a, b = noisy[:, 0], noisy[:, 1]
        wrong = (
            (hdc.decode(hdc.logic_and(a, b), length) != (truth[:, 0] & truth[:, 1])).sum()
            + (hdc.decode(hdc.logic_or(a, b), length) != (truth[:, 0] | truth[:, 1])).sum()
            + (hdc.decode(hdc.logic_not(a, length), length) != ~truth[:, 0]).sum()
        )
        out.append(wrong / (3 * trials))
    return np.array(out)


def main(argv: list[str] | None = None) -> Path:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", nargs="?", default="out/fault_tolerance.png", type=Path)
    ap.add_argument("--trials", type=int, default=2000)
    args = ap.parse_args(argv)

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    floor = 1 / (3 * args.trials)
    print(f"{'length':>6} " + " ".join(f"{r:>6.3f}" for r in RATES[::4]))
    for i, length in enumerate(LENGTHS):
        err = error_rates(length, RATES, args.trials, seed=i)
        print(f"{length:>6} " + " ".join(f"{e:>6.3f}" for e in err[::4]))
        (line,) = ax.semilogy(RATES, np.maximum(err, floor / 2), "o-", ms=3, label=f"L = {length}")
        bound = np.exp(-2 * length * (0.5 - RATES) ** 2)
        ax.semilogy(RATES, np.maximum(bound, floor / 2), "--", color=line.get_color(), lw=0.8)
    ax.axvline(1 - 2**-0.5, color="grey", lw=0.5, ls=":")
    ax.axhline(floor, color="grey", lw=0.5)
    ax.text(0.0, floor * 1.15, f"1 error in {3 * args.trials} decodes", fontsize=7, color="grey")
    ax.set_xlabel("bit-flip rate")
    ax.set_ylabel("decoding error (AND, OR, NOT)")
    ax.set_ylim(floor / 2, 1)
    ax.set_title(
        "Majority decoding of noisy Boolean bitstreams\n(dashed: Hoeffding bound of one "
        "stream; dotted: AND/OR limit 1 - 1/sqrt 2)",
        fontsize=10,
    )
    ax.legend()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(args.out, dpi=120)
    print(f"wrote {args.out}")
    return args.out


if __name__ == "__main__":
    main()
