"""snnTorch -> NIR -> fixed-point SNN hardware on scikit-learn's digits, verified spike for spike.

The 64-32-10 network (zero reset, beta = 0.875, T = 16, 8x8 pixels as Bernoulli spikes) was
trained in snnTorch 1.0.0 and exported to NIR by tests/fixtures/nir/make_fixtures.py; its .nir
file and the 360 test images' input spikes ship with the tests, so this example needs no torch.

    python examples/nir_digits.py [--verilator N] [--pe 1,1] [--stochastic]

prints the float reference's, the fixed-point twin's and (for the first N test images) the
Verilator model's accuracy, their spike agreement, the cycles per step and the throughput at a
given clock.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

import scgen.nir as sn
from scgen import snn

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "nir"


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--verilator", type=int, default=0, help="test images run in Verilator")
    ap.add_argument("--pe", default="1,1", help="neurons per cycle in each layer")
    ap.add_argument("--fraction", type=int, default=5, help="fraction bits of the fixed point")
    ap.add_argument("--clock-mhz", type=float, default=50.0, help="clock for the throughput")
    ap.add_argument(
        "--stochastic", action="store_true", help="accuracy of stochastic synapses against L, T"
    )
    args = ap.parse_args(argv)

    data = np.load(FIXTURES / "digits.npz")
    spikes, labels = data["spikes"], data["labels"]
    net = sn.read(FIXTURES / "digits.nir", dt=1e-4)
    ref = sn.simulate(net, spikes)
    acc_float = float((ref.sum(0).argmax(1) == labels).mean())
    same_as_snntorch = bool(np.array_equal(ref, data["out"]))

    pe = tuple(int(x) for x in args.pe.split(","))
    # calibrate on the first 120 test images' spikes (only ranges are taken from them)
    params, report = sn.quantize(net, spikes[:, :120], fraction=args.fraction, pe=pe)
    snn.run(params, spikes[:, :1])  # compile the kernel before timing it
    t0 = time.perf_counter()
    out = snn.run(params, spikes)
    seconds = time.perf_counter() - t0
    acc_twin = float((out.sum(0).argmax(1) == labels).mean())
    result = {
        "float_accuracy": acc_float,
        "float_equals_snntorch": same_as_snntorch,
        "twin_accuracy": acc_twin,
        "spike_agreement_float_twin": float((out == ref).mean()),
        "argmax_agreement_float_twin": float((out.sum(0).argmax(1) == ref.sum(0).argmax(1)).mean()),
        "twin_images_per_s": spikes.shape[1] / seconds,
        "cycles_per_step": params.step_cycles() + 1,
        "images_per_s_at_clock": args.clock_mhz * 1e6 / (16 * (params.step_cycles() + 1)),
    }
    print(report.table())
    if args.verilator:
        n = args.verilator
        with tempfile.TemporaryDirectory(prefix="scgen-nir-digits-") as tmp:
            t0 = time.perf_counter()
            hw = snn.run(params, spikes[:, :n], backend="verilator", build_dir=tmp)
            result["verilator_seconds"] = time.perf_counter() - t0
        result["verilator_images"] = n
        result["verilator_equals_twin"] = bool(np.array_equal(hw, out[:, :n]))
        result["verilator_accuracy"] = float((hw.sum(0).argmax(1) == labels[:n]).mean())
    if args.stochastic:  # twin only: stochastic synapses have no hardware yet
        print("stochastic synapses: accuracy by stream length L and time steps T")
        for length in (4, 16, 64, 128):
            for steps in (8, 16):
                sc, _ = snn.snn_steps(params, spikes[:steps], stream_length=length)
                acc = float((sc[:, :, -params.n_out :].sum(0).argmax(1) == labels).mean())
                result[f"stochastic_L{length}_T{steps}_accuracy"] = acc
    for key, value in result.items():
        print(f"{key}: {value:.4f}" if isinstance(value, float) else f"{key}: {value}")
    return result


if __name__ == "__main__":
    main()
