"""Train a stochastic-computing classifier on handwritten digits and deploy it to hardware.

Data: the 8x8 digits bundled with scikit-learn (no download), pixels scaled to [0, 1], a fixed
stratified 80/20 split. Each image is fed as ``[x, 1 - x]`` so that non-negative SC weights
(probabilities) can still weigh a pixel up or down (the complement carries the bias).

Network: one dense SC layer, ``2 * pixels`` inputs to 10 neurons (:class:`scgen.learn.
DifferentiableDenseLayer`): ``y[n] = sum_i popcount(W[n, i] AND X[i]) / L``. The class is the
neuron that fires most. Training is surrogate-gradient training on the SC forward itself: every
mini-batch runs the layer at the training stream length (stochastic, quantised counts), the
readout spike "class c beats class m by a margin" is a Heaviside step of
``u = (y[c] - y[m]) - margin`` whose derivative is replaced by a surrogate (SuperSpike), and
the layer's backward carries the gradient to the weights, which stay clamped to [0, 1]. A
small decay on every weight removes the output that all classes share, which lowers the SC
variance and gives the integrate-and-fire readout more of its range.

Deployment: the trained weights become a constant of an IR graph whose ``dense_forward`` op is
the hardware layer (a 16-bit LFSR comparator per input and per weight, AND gates, and one
integrate-and-fire neuron per class that integrates the per-cycle hit count); the prediction is
the neuron with the most spikes in the window (ties: the lowest class; as in hardware, the
membranes carry over from one image to the next). The graph's twin
(:func:`scgen.sim.run_windows`) is the hardware-exact model; the emitted Verilog runs in
Verilator (:func:`scgen.sim.run_hardware`) and must give the same spike on every cycle.

Reported: test accuracy of a float baseline of the same shape (multinomial logistic regression,
pixels to 10 classes), of the trained network in float, of the SC software engine (scgen's
DenseLayer, engine-exact Bernoulli streams) at several stream lengths, and of the hardware-exact
twin. Writes ``accuracy.png``, ``summary.md`` and ``summary.json`` into the output directory.

Run: ``python examples/train_digits.py [--out out/train_digits] [--quick]``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from scgen.emit import verilog
from scgen.ir import GraphBuilder
from scgen.learn import DifferentiableDenseLayer, superspike
from scgen.nn import DenseLayer
from scgen.sim import run_hardware, run_windows

__all__ = [
    "Config",
    "build_graph",
    "load_data",
    "main",
    "predict_hardware",
    "quick_config",
    "readout_gain",
    "run",
    "spike_counts",
    "train",
]

N_CLASSES = 10


@dataclass
class Config:
    """Everything that fixes a run (all seeds included)."""

    pool: int | tuple[int, int] = 1  # average-pool the 8x8 images (2: 16 pixels, (2, 4): 8)
    epochs: int = 40
    batch: int = 32
    lr: float = 0.3
    margin: float = 0.5  # required lead of the true class, in expected hits per cycle
    decay: float = 1e-3  # pulls every weight down: removes the output common to all classes
    surrogate_k: float = 1.0
    train_length: int = 256  # stream length of the SC forward during training
    lengths: tuple[int, ...] = (16, 32, 64, 128, 256, 512, 1024, 2048)
    hardware_lengths: tuple[int, ...] = (64, 256, 1024)
    deploy_length: int = 1024
    rate_gain: int = 0  # I_t = rate_gain * (hits this cycle); 0 picks it from the data
    readout_drive: float = 96.0  # auto rate_gain: leading neuron's mean input per cycle, at most
    verilator_images: int = 360  # test images run through Verilator (0: skip)
    split_seed: int = 0
    weight_seed: int = 24301
    train_seed: int = 7
    eval_seed: int = 44257
    out: str = "out/train_digits"


# --------------------------------------------------------------------------------------------
# data


def load_data(cfg: Config):
    """Return ``(x_train, y_train, x_test, y_test)``; pixels in [0, 1]."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    x = digits.images / 16.0
    ph, pw = (cfg.pool, cfg.pool) if isinstance(cfg.pool, int) else cfg.pool
    x = x.reshape(len(x), 8 // ph, ph, 8 // pw, pw).mean(axis=(2, 4))
    x = x.reshape(len(x), -1)
    return train_test_split(
        x, digits.target, test_size=0.2, random_state=cfg.split_seed, stratify=digits.target
    )


def features(x: np.ndarray) -> np.ndarray:
    """The SC layer's inputs: every pixel and its complement."""
    return np.ascontiguousarray(np.hstack([x, 1.0 - x]))


def float_baseline(x_train, y_train, x_test, y_test) -> float:
    """Test accuracy of multinomial logistic regression (pixels -> 10 classes, float64)."""
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(max_iter=5000).fit(x_train, y_train)
    return float(model.score(x_test, y_test))


# --------------------------------------------------------------------------------------------
# training


def train(cfg: Config, f_train: np.ndarray, y_train: np.ndarray, log=print) -> np.ndarray:
    """Surrogate-gradient training of the SC layer; returns the weights (n_classes, inputs)."""
    layer = DifferentiableDenseLayer(
        f_train.shape[1], N_CLASSES, length=cfg.train_length, seed=cfg.weight_seed, surrogate=None
    )
    sur = superspike(cfg.surrogate_k)
    rng = np.random.default_rng(cfg.train_seed)
    rows = np.arange(cfg.batch)
    for epoch in range(cfg.epochs):
        lr = (
            cfg.lr
            * (0.5 if epoch >= 0.6 * cfg.epochs else 1.0)
            * (0.5 if epoch >= 0.85 * cfg.epochs else 1.0)
        )
        order = rng.permutation(len(f_train))
        hits = 0
        for start in range(0, len(order), cfg.batch):
            idx = order[start : start + cfg.batch]
            x, t = f_train[idx], y_train[idx]
            r = rows[: len(idx)]
            # the SC forward at the training length: stochastic and quantised
            y = layer.forward_batch(x, seed=int(rng.integers(0, 2**63)))
            hits += int((y.argmax(axis=1) == t).sum())
            # readout spike "true class beats class m by the margin": H(u), surrogate'(u)
            u = y[r, t][:, None] - y - cfg.margin
            missed = u < 0
            missed[r, t] = False
            d = sur.derivative(u).astype(np.float64) * missed
            g = d.copy()
            g[r, t] = -d.sum(axis=1)
            _, grad_w = layer.backward(g)
            layer.update_weights(grad_w / len(idx) + cfg.decay, lr)
        if log is not None and (epoch % 10 == 9 or epoch == cfg.epochs - 1):
            log(f"  epoch {epoch + 1:3d}: SC training accuracy {hits / len(f_train):.4f}")
    return layer.weights


# --------------------------------------------------------------------------------------------
# evaluation


def sc_engine_predictions(w: np.ndarray, f: np.ndarray, length: int, cfg: Config) -> np.ndarray:
    """Predictions of the SC software engine (engine-exact Bernoulli streams) at ``length``."""
    layer = DenseLayer(w.shape[1], w.shape[0], length=length, seed=cfg.weight_seed)
    layer.set_weights(w)
    return layer.forward_batch(f, seed=cfg.eval_seed).argmax(axis=1)


def readout_gain(w: np.ndarray, f_train: np.ndarray, cfg: Config) -> int:
    """The integrate-and-fire drive per hit: the largest power of two that keeps the leading
    neuron's mean input per cycle (99th percentile over the training set) within
    ``readout_drive``. The neuron fires at 256 and resets to 0, so the part of ``v`` above 256
    is lost at every spike; a small drive per cycle keeps that loss (and mode locking to
    integer firing periods) small, a large one gives more spikes per window."""
    if cfg.rate_gain:
        return cfg.rate_gain
    lead = float(np.percentile((f_train @ w.T).max(axis=1), 99))
    gain = 1
    while 2 * gain * lead <= cfg.readout_drive:
        gain *= 2
    return gain


def build_graph(w: np.ndarray, length: int, cfg: Config, name: str = "digits", *, gain: int = 1):
    """The deployed network as an IR graph: input ``x`` (the features), weights as a constant,
    one ``dense_forward`` layer whose neurons integrate ``gain`` per hit, output ``spikes`` (the
    spike word of every cycle)."""
    n_neurons, n_inputs = w.shape
    b = GraphBuilder(name)
    x = b.input("x", f"vec<rate,{n_inputs}>")
    weights = b.constant(tuple(float(v) for v in w.reshape(-1)), f"vec<rate,{w.size}>")
    leak_k, gain_k = b.constant(0, "i16"), b.constant(256, "i16")
    b.output(
        "spikes",
        b.dense_forward(
            x,
            weights,
            leak=leak_k,
            gain=gain_k,
            n_inputs=n_inputs,
            n_neurons=n_neurons,
            stream_length=length,
            y_max=gain * n_inputs,
        ),
    )
    return b.build().check()


def spike_counts(words: np.ndarray, n_neurons: int) -> np.ndarray:
    """Per-window spike counts ``(windows, n_neurons)`` from per-cycle spike words."""
    w = np.asarray(words).astype(np.int64)
    return np.stack([((w >> n) & 1).sum(axis=1) for n in range(n_neurons)], axis=1)


def predict_hardware(graph, f: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Run the hardware-exact twin over the images in order (the neurons keep their state from
    one window to the next, as in hardware); return ``(predictions, counts, spike words)``."""
    words = run_windows(graph, {"x": f}).outputs["spikes"]
    counts = spike_counts(words, N_CLASSES)
    return counts.argmax(axis=1), counts, words


def verilator_check(graph, f: np.ndarray, build_dir: Path) -> dict:
    """Run ``f`` through the graph's hardware in Verilator and compare with the twin; the
    model build (cached per design) is timed apart from the run."""
    from scgen.ir.lower import GraphTop
    from scgen.sim.native import build_native

    t0 = time.perf_counter()
    build_native([GraphTop(graph)])  # the model run_hardware uses, built (or found) first
    build_seconds = time.perf_counter() - t0
    t0 = time.perf_counter()
    hw = run_hardware([graph], [{"x": f}], backend="verilator", build_dir=build_dir)[0]
    seconds = time.perf_counter() - t0
    got = np.asarray(hw.outputs["spikes"]).astype(np.int64)
    pred, counts, words = predict_hardware(graph, f)
    hw_counts = spike_counts(got, N_CLASSES)
    return {
        "images": len(f),
        "cycles_equal": bool(np.array_equal(got, words.astype(np.int64))),
        "counts_equal": bool(np.array_equal(hw_counts, counts)),
        "predictions_equal": bool(np.array_equal(hw_counts.argmax(axis=1), pred)),
        "mismatched_windows": int((got != words).any(axis=1).sum()),
        "seconds": round(seconds, 1),
        "build_seconds": round(build_seconds, 1),
        "hw_predictions": hw_counts.argmax(axis=1),
    }


# --------------------------------------------------------------------------------------------
# report


def _plot(path: Path, lengths, sc_acc, hw_lengths, hw_acc, base, trained_float) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.0), dpi=120)
    ax.axhline(100 * base, color="0.3", ls="--", label="float baseline (logistic regression)")
    ax.axhline(100 * trained_float, color="tab:green", ls=":", label="trained SC net, float")
    ax.plot(lengths, [100 * a for a in sc_acc], "o-", label="SC software engine")
    ax.plot(
        hw_lengths,
        [100 * a for a in hw_acc],
        "s",
        ms=8,
        mfc="none",
        label="hardware-exact twin (LFSR, IF readout)",
    )
    ax.set_xscale("log", base=2)
    ax.set_xlabel("stream length L (cycles)")
    ax.set_ylabel("test accuracy (%)")
    ax.set_title("8x8 digits: one dense SC layer")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def run(cfg: Config, log=print) -> dict:
    """Train, evaluate and deploy; write the report into ``cfg.out``; return the summary."""
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    x_train, x_test, y_train, y_test = load_data(cfg)
    f_train, f_test = features(x_train), features(x_test)
    log(
        f"digits: {len(x_train)} train / {len(x_test)} test images, "
        f"{x_train.shape[1]} pixels -> {f_train.shape[1]} SC inputs -> {N_CLASSES} neurons"
    )
    base = float_baseline(x_train, y_train, x_test, y_test)
    log(f"float baseline (logistic regression): {base:.4f}")
    w = train(cfg, f_train, y_train, log)
    np.save(out / "weights.npy", w)
    trained_float = float(((f_test @ w.T).argmax(axis=1) == y_test).mean())
    sc_acc = [
        float((sc_engine_predictions(w, f_test, n, cfg) == y_test).mean()) for n in cfg.lengths
    ]
    gain = readout_gain(w, f_train, cfg)
    log(f"integrate-and-fire readout: {gain} per hit")
    hw_acc = []
    for n in cfg.hardware_lengths:
        pred, _, _ = predict_hardware(build_graph(w, n, cfg, gain=gain), f_test)
        hw_acc.append(float((pred == y_test).mean()))
    summary = {
        "config": asdict(cfg),
        "float_baseline": base,
        "trained_float": trained_float,
        "readout_gain": gain,
        "sc_engine": dict(zip(map(str, cfg.lengths), sc_acc, strict=True)),
        "hardware_twin": dict(zip(map(str, cfg.hardware_lengths), hw_acc, strict=True)),
    }
    if cfg.verilator_images:
        graph = build_graph(w, cfg.deploy_length, cfg, gain=gain)
        images = f_test[: cfg.verilator_images]
        (out / f"{graph.name}.v").write_text(verilog(graph, sv=False))
        (out / f"{graph.name}.scir").write_text(graph.to_text())
        check = verilator_check(graph, images, out / "verilator")
        check["accuracy"] = float((check.pop("hw_predictions") == y_test[: len(images)]).mean())
        summary["verilator"] = check
        log(
            f"Verilator: {check['images']} images at L={cfg.deploy_length}: spikes on every "
            f"cycle equal {check['cycles_equal']}, counts equal {check['counts_equal']}, "
            f"predictions equal {check['predictions_equal']} ({check['seconds']} s after a "
            f"{check['build_seconds']} s build)"
        )
    summary["seconds"] = round(time.perf_counter() - t0, 1)
    _plot(
        out / "accuracy.png", cfg.lengths, sc_acc, cfg.hardware_lengths, hw_acc, base, trained_float
    )
    table = _table(summary)
    (out / "summary.md").write_text(table)
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    log(table)
    return summary


def _table(s: dict) -> str:
    lines = [
        "| model | stream length | test accuracy |",
        "|---|---:|---:|",
        f"| float baseline (logistic regression, same shape) | - | "
        f"{100 * s['float_baseline']:.2f} % |",
        f"| trained SC network, float evaluation | - | {100 * s['trained_float']:.2f} % |",
    ]
    lines += [f"| SC software engine | {n} | {100 * a:.2f} % |" for n, a in s["sc_engine"].items()]
    lines += [
        f"| hardware-exact twin (LFSR encoders, IF readout) | {n} | {100 * a:.2f} % |"
        for n, a in s["hardware_twin"].items()
    ]
    v = s.get("verilator")
    if v:
        ok = v["cycles_equal"] and v["counts_equal"] and v["predictions_equal"]
        lines.append(
            f"| Verilator ({v['images']} images, {'identical' if ok else 'MISMATCH'} "
            f"to the twin) | {s['config']['deploy_length']} | "
            f"{100 * v['accuracy']:.2f} % |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=Config.out, help="output directory")
    ap.add_argument("--epochs", type=int, default=Config.epochs)
    ap.add_argument(
        "--verilator-images",
        type=int,
        default=Config.verilator_images,
        help="test images to run through Verilator (0 skips it)",
    )
    ap.add_argument(
        "--quick",
        action="store_true",
        help="4x2 pooled images, 10 epochs, 12 images in Verilator at L=64",
    )
    args = ap.parse_args(argv)
    cfg = Config(out=args.out, epochs=args.epochs, verilator_images=args.verilator_images)
    if args.quick:
        cfg = quick_config(args.out)
    summary = run(cfg)
    v = summary.get("verilator")
    return 0 if v is None or (v["cycles_equal"] and v["predictions_equal"]) else 1


def quick_config(out: str) -> Config:
    """The short form run by the test suite."""
    return Config(
        pool=(2, 4),
        epochs=10,
        lengths=(64, 256),
        hardware_lengths=(64,),
        deploy_length=64,
        verilator_images=12,
        out=out,
    )


if __name__ == "__main__":
    sys.exit(main())
