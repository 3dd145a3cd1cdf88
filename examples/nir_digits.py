"""snnTorch -> NIR -> fixed-point SNN hardware on scikit-learn's digits, verified spike for spike.

The 64-32-10 network (zero reset, beta = 0.875, T = 16, 8x8 pixels as Bernoulli spikes) was
trained in snnTorch 1.0.0 and exported to NIR by tests/fixtures/nir/make_fixtures.py; its .nir
file and the 360 test images' input spikes ship with the tests, so this example needs no torch.

    python examples/nir_digits.py [--verilator N] [--uart N] [--build DIR] [--pe 8,4]
                                  [--stochastic] [--encode lfsr|sobol]

prints the float reference's, the fixed-point twin's and (for the first N test images) the
Verilator model's accuracy, their spike agreement, the cycles per step and the throughput at a
given clock. The network runs as an IR graph (``sc.snn``, one image per window) like any other:
the twin runs it through ``scgen.sim.run_windows``; ``--verilator N`` runs the graph's hardware
(and its emitted SystemVerilog) in Verilator; ``--uart N`` drives the board's host link
(:class:`scgen.link.HostLinkTop`) over a simulated UART in Verilator, as ``scgen run`` does a
board; ``--encode lfsr|sobol`` feeds the test images' pixel intensities as rates (scikit-learn's
digits, the fixture's split) to the on-chip encoder instead of the Bernoulli spikes and reports
the twin's accuracy (and with ``--verilator N`` Verilator's agreement); ``--build DIR`` builds
the bitstream for the iCEBreaker (host link included) and reports its resources and fmax beside
Spiker+'s published MNIST figures. The same from the shell::

    scgen nir import tests/fixtures/nir/digits.nir --dt 1e-4 --calibration calib.npz \
        --fraction 5 --fit icebreaker -o digits.scir
    scgen sim digits.scir --inputs test.npz          # test.npz: spikes (16, batch, 64)
    scgen verify digits.scir && scgen build digits.scir --board icebreaker --clock-mhz 50
    scgen run digits.scir --board icebreaker --port /dev/ttyUSB1 --inputs test.npz
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
    ap.add_argument("--uart", type=int, default=0, help="test images over the simulated UART")
    ap.add_argument("--build", help="build the iCEBreaker bitstream into this folder")
    ap.add_argument("--board-mhz", type=float, default=12.0, help="board clock (12 MHz)")
    ap.add_argument(
        "--stochastic", action="store_true", help="accuracy of stochastic synapses against L, T"
    )
    ap.add_argument("--encode", choices=("lfsr", "sobol"), help="pixels as rates, encoded on chip")
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
    if args.stochastic:
        # every projection stochastic (synapse="stochastic", its own LFSR per layer): the same
        # spikes in the twin and the hardware, at any folding
        print("stochastic synapses: accuracy by stream length L and time steps T")
        for length in (4, 16, 64, 128):
            sc_params = params.with_synapse("stochastic", length)
            for steps in (8, 16):
                sc = snn.run(sc_params, spikes[:steps])
                acc = float((sc.sum(0).argmax(1) == labels).mean())
                result[f"stochastic_L{length}_T{steps}_accuracy"] = acc
            result[f"stochastic_L{length}_cycles_per_step"] = sc_params.step_cycles() + 1
        if args.verilator:
            n, sc_params = args.verilator, params.with_synapse("stochastic", 16)
            with tempfile.TemporaryDirectory(prefix="scgen-nir-digits-sc-") as tmp:
                hw = snn.run(sc_params, spikes[:, :n], backend="verilator", build_dir=tmp)
            twin = snn.run(sc_params, spikes[:, :n])
            result["stochastic_L16_verilator_equals_twin"] = bool(np.array_equal(hw, twin))
    _graph_path(args, params, spikes, labels, out, result)
    if args.encode:
        result.update(_encoded(args, params, labels, spikes.shape[0]))
    for key, value in result.items():
        print(f"{key}: {value:.4f}" if isinstance(value, float) else f"{key}: {value}")
    return result


# Spiker+ (Carpegna et al., 2024) on MNIST: a Xilinx part, another data set and network, so
# not the same task; the figures are the paper's
SPIKER_PLUS = {"logic_cells": 7612, "bram": 18, "accuracy": 0.9385}


def _graph_path(args, params, spikes, labels, out, result) -> None:
    """The network as an IR graph: twin, Verilator, the host link over a simulated UART, the
    board build."""
    from scgen.ir import parse
    from scgen.ir.values import spike_array
    from scgen.sim import run_hardware, run_windows

    steps = spikes.shape[0]
    graph = snn.network_graph(params, steps, name="digits")
    assert parse(graph.to_text()) == graph
    spike_type = graph.result_types()[graph.outputs[0].operands[0]]

    def as_steps(values):  # (windows,) port values -> (T, batch, n_out)
        return spike_array(spike_type, values).transpose(1, 0, 2)

    windows = {"spikes": spikes.transpose(1, 0, 2)}
    t0 = time.perf_counter()
    twin = as_steps(run_windows(graph, windows).outputs["out"])
    result["graph_twin_seconds"] = time.perf_counter() - t0
    result["graph_twin_equals_snn_run"] = bool(np.array_equal(twin, out))
    length = _window(graph)
    result["window_cycles"] = length
    result["images_per_s_board_clock"] = args.board_mhz * 1e6 / (length + 2)
    if args.verilator:
        n = args.verilator
        with tempfile.TemporaryDirectory(prefix="scgen-nir-digits-graph-") as tmp:
            small = {"spikes": windows["spikes"][:n]}
            for emitted in (False, True):
                hw = run_hardware(
                    [graph], [small], backend="verilator", build_dir=Path(tmp) / str(emitted),
                    emitted=emitted,
                )[0]  # fmt: skip
                key = "graph_emitted_verilator" if emitted else "graph_verilator"
                result[f"{key}_equals_twin"] = bool(
                    np.array_equal(as_steps(hw.outputs["out"]), twin[:, :n])
                )
    if args.uart:
        result.update(_uart(graph, spikes[:, : args.uart], twin[:, : args.uart], length))
    if args.build:
        result.update(_build(graph, args.build, length))


def test_pixels(labels) -> np.ndarray:
    """The test images' pixel intensities in [0, 1], ``(360, 64)``: scikit-learn's digits split
    as tests/fixtures/nir/make_fixtures.py splits them (the labels are checked)."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    data = load_digits()
    _, xte, _, yte = train_test_split(
        data.data / 16.0, data.target, test_size=360, random_state=0, stratify=data.target
    )
    if not np.array_equal(yte, labels):
        raise SystemExit("nir_digits: scikit-learn's split no longer matches the fixture's labels")
    return xte


def _encoded(args, params, labels, steps) -> dict:
    """The twin (and Verilator) on the pixels as rates, encoded on chip by ``args.encode``."""
    from scgen.ir.values import spike_array
    from scgen.sim import run_hardware, run_windows

    rates = test_pixels(labels)
    graph = snn.network_graph(params, steps, name="digits_encoded", encode=args.encode)
    spike_type = graph.result_types()[graph.outputs[0].operands[0]]
    twin = spike_array(spike_type, run_windows(graph, {"rates": rates}).outputs["out"])
    key = f"encode_{args.encode}"
    result = {
        f"{key}_twin_accuracy": float((twin.sum(1).argmax(1) == labels).mean()),
        f"{key}_window_cycles": _window(graph),
    }
    if args.verilator:
        n = args.verilator
        with tempfile.TemporaryDirectory(prefix="scgen-nir-digits-encode-") as tmp:
            hw = run_hardware([graph], [{"rates": rates[:n]}], backend="verilator", build_dir=tmp)[
                0
            ]
        got = spike_array(spike_type, hw.outputs["out"])
        result[f"{key}_verilator_equals_twin"] = bool(np.array_equal(got, twin[:n]))
    return result


def _window(graph) -> int:
    from scgen.ir.lower import window_length

    return window_length(graph)


def _uart(graph, spikes, want, length) -> dict:
    """``scgen run --inputs`` against the host link simulated in Verilator (every bit on the
    UART line); the board's link runs at 115200 baud, 12 MHz / 115200 = 104 clocks per bit."""
    from scgen.emit import board
    from scgen.host import (
        HostLink,
        encode_clear,
        encode_identify,
        encode_load,
        encode_read,
        encode_start,
        port_values,
    )
    from scgen.host.sim import ScriptedTransport, simulate
    from scgen.ir.values import spike_array
    from scgen.link import HostLinkTop, layout

    b = board("icebreaker")
    lay = layout(graph)
    commands = [encode_identify()]
    for w in range(spikes.shape[1]):
        load = encode_load(lay, port_values(graph, {"spikes": spikes[:, w]}))
        commands += [load, encode_clear(), encode_start(1), encode_read()]
    with tempfile.TemporaryDirectory(prefix="scgen-nir-digits-uart-") as tmp:
        top = HostLinkTop(graph, clocks_per_bit=b.clocks_per_bit)
        replies = simulate(top, commands, backend="verilator", build_dir=tmp).replies
    link = HostLink(ScriptedTransport(commands, replies), graph)
    link.identify()
    spike_type = graph.result_types()[graph.outputs[0].operands[0]]
    got = []
    for w in range(spikes.shape[1]):
        link.write_inputs({"spikes": spikes[:, w]})
        link.clear()
        link.run(1)
        got.append(link.read().outputs["out"])
    uart = spike_array(spike_type, got).transpose(1, 0, 2)
    # per image: LOAD (1 + in_bytes), CLEAR, START (3), READ (1) out; 4 one-byte acks and the
    # READ reply back; 10 bits a byte on the line, both directions at once (full duplex)
    sent = (1 + lay.in_bytes) + 1 + 3 + 1
    back = 3 + 1 + lay.read_bytes
    seconds = max(sent, back) * 10 / b.baud + (length + 2) / b.clock_hz
    return {
        "uart_images": spikes.shape[1],
        "uart_equals_twin": bool(np.array_equal(uart, want)),
        "link_bytes_per_image": sent + back,
        "images_per_s_link_bound": 1 / seconds,
    }


def _build(graph, out, length) -> dict:
    """Build the bitstream for the iCEBreaker (host link included) at a 50 MHz constraint."""
    from scgen.emit import build

    r = build(graph, board="icebreaker", out=out, clock_mhz=50.0).report
    res = r["resources"]
    fmax = max(v["achieved_mhz"] for v in r["fmax"].values())
    print(
        f"iCE40UP5K with host link: {res['logic_cells']['used']} logic cells, "
        f"{res['bram']['used']} BRAM, fmax {fmax:.1f} MHz (Spiker+ on MNIST, a Xilinx part and "
        f"another task: {SPIKER_PLUS['logic_cells']} logic cells, {SPIKER_PLUS['bram']} BRAM, "
        f"{SPIKER_PLUS['accuracy']:.2%})"
    )
    return {
        "build_logic_cells": res["logic_cells"]["used"],
        "build_bram": res["bram"]["used"],
        "build_fmax_mhz": fmax,
        "images_per_s_at_fmax": fmax * 1e6 / (length + 2),
    }


if __name__ == "__main__":
    main()
