"""``scgen nir import`` and ``scgen nir run``: a NIR file to a fixed-point network file, and
that network on the twin, pysim or Verilator."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

__all__ = ["add_parser", "network_graph"]


def _spikes(path: str) -> np.ndarray:
    try:
        with np.load(path) as data:
            if "spikes" not in data:
                raise SystemExit(f"scgen: {path} must hold an array 'spikes', not {sorted(data)!r}")
            return data["spikes"]
    except OSError as exc:
        raise SystemExit(f"scgen: cannot read {path}: {exc}") from None


def _steps(text: str) -> int:
    from ..limits import int_option

    return int_option("--steps", text, 1, 1 << 16)


def _graph_name(path: str) -> str:
    """A graph name from a file name: its stem with other characters as ``_``."""
    stem = "".join(c if c.isalnum() or c == "_" else "_" for c in Path(path).stem)
    return stem if stem[:1].isalpha() else f"net_{stem}"


def network_graph(
    params,
    steps: int,
    *,
    name: str = "snn",
    encode: str = "",
    seed: int | None = None,
    dimension: int | None = None,
):
    """The IR graph of a network: input ``spikes`` (``spikes<T, n_in>``, one sample per
    window) through ``sc.snn`` to output ``out`` (the last population's spikes per step, or an
    LI readout's membranes after the last step). With ``encode`` (``"lfsr"`` seeded ``seed``,
    ``"sobol"`` of ``dimension``) the input is ``rates`` (``vec<rate, n_in>``), encoded on
    chip."""
    from ..ir import GraphBuilder

    b = GraphBuilder(name)
    if encode:
        x = b.input("rates", f"vec<rate, {params.n_in}>")
    else:
        x = b.input("spikes", f"spikes<{steps}, {params.n_in}>")
    out = b.snn(x, params, encode=encode, steps=steps, seed=seed, dimension=dimension)
    b.output("out", out)
    return b.build()


# the host link's share of the iCEBreaker digits build (board build minus the planned graph)
LINK_LUT, LINK_FF = 433, 110


def _fit(params, board_name: str, steps: int):
    """The folding that fits ``board_name`` with its host link, from the calibrated planner."""
    from ..emit.boards import board
    from ..sweep import plan
    from . import fit

    def cost(p):
        total = plan(network_graph(p, steps), board_name).total
        return total["lut"] + LINK_LUT, total["ff"] + LINK_FF, total["bram"]

    # the planner is calibrated (digits at pe = (4, 2): 2 200 LUT, 2 863 FF planned with the
    # link, 2 144 and 2 777 built), so it keeps a smaller margin than the rough estimate's 0.8:
    # that build used 78 % of the UP5K and placed, (8, 4) at a planned 98 % did not
    return fit(params, board(board_name).device, cost=cost, budget=0.85)


def _import(args: argparse.Namespace) -> int:
    import scgen.nir as sn

    from . import estimate, to_dict

    try:
        net = sn.read(args.model, dt=args.dt)
        if args.calibration:
            calib = _spikes(args.calibration)
        else:  # no spikes given: ranges from 16 steps of random spikes at rate 0.5
            n_in = net.nodes[net.inputs[0]].size
            calib = (np.random.default_rng(0).random((16, 64, n_in)) < 0.5).astype(np.uint8)
        if args.stream_length is not None and args.synapse != "stochastic":
            raise SystemExit("scgen: --stream-length needs --synapse stochastic")
        params, report = sn.quantize(
            net, calib, fraction=args.fraction, weight_width=args.weight_width, reset=args.reset,
            synapse=args.synapse, stream_length=args.stream_length or 16,
        )  # fmt: skip
        if args.fit:
            params = _fit(params, args.fit, args.steps or calib.shape[0])
    except (ValueError, TypeError) as exc:
        raise SystemExit(f"scgen: {exc}") from None
    print(report.table())
    e = estimate(params)
    print(
        f"folding pe = {[la.pe for la in params.layers]}: {e['cycles_per_step']} cycles per "
        f"step; estimate {e['lut']} LUT, {e['ff']} FF, {e['bram']} BRAM"
    )
    if Path(args.output).suffix == ".scir":
        steps = args.steps or (calib.shape[0] if args.calibration else None)
        if steps is None:
            raise SystemExit(
                "scgen: a .scir network needs its time steps per sample: give --steps or "
                "--calibration spikes (T, batch, n_in)"
            )
        text = network_graph(params, steps, name=_graph_name(args.output)).to_text()
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        Path(args.output).write_text(json.dumps(to_dict(params)), encoding="utf-8")
    if args.report:
        Path(args.report).write_text(report.to_json(), encoding="utf-8")
    return 0


def _run(args: argparse.Namespace) -> int:
    from . import from_dict, run

    try:
        params = from_dict(json.loads(Path(args.network).read_text(encoding="utf-8")))
    except OSError as exc:
        raise SystemExit(f"scgen: cannot read {args.network}: {exc.strerror}") from None
    except ValueError as exc:
        raise SystemExit(f"scgen: {exc}") from None
    spikes = _spikes(args.inputs)
    try:
        out = run(params, spikes, backend=args.backend, build_dir=args.out)
    except (ValueError, TypeError) as exc:
        raise SystemExit(f"scgen: {exc}") from None
    # spike counts per sample, or the LI readout's membranes after the last step
    label, rows = ("membranes", out[-1]) if params.readout else ("counts", out.sum(0))
    for b, row in enumerate(rows):
        print(f"sample {b}: {label} {row.tolist()} argmax {int(row.argmax())}")
    if args.save:
        np.savez_compressed(args.save, **{"membranes" if params.readout else "spikes": out})
    return 0


def add_parser(sub) -> None:
    """Add ``scgen nir import|run`` to the ``scgen`` command's sub-parsers."""
    nir = sub.add_parser("nir", help="spiking networks from NIR files (needs the nir extra)")
    verbs = nir.add_subparsers(dest="verb", required=True)
    imp = verbs.add_parser("import", help="quantise a NIR file into a fixed-point network file")
    imp.add_argument("model", help="NIR file (.nir)")
    imp.add_argument("--dt", type=float, help="time step in seconds (required; NIR has none)")
    imp.add_argument("--calibration", help=".npz with 'spikes' (T, batch, n_in)")
    imp.add_argument("--fraction", type=int, help="fraction bits (default: fit the weights)")
    imp.add_argument("--weight-width", type=int, default=8, help="weight bits (8)")
    imp.add_argument("--reset", choices=("zero", "subtract"), default="zero", help="reset (zero)")
    imp.add_argument("--fit", metavar="BOARD", help="choose the folding that fits BOARD")
    imp.add_argument(
        "--synapse",
        choices=("exact", "stochastic"),
        default="exact",
        help="synapse arithmetic of every projection (exact)",
    )
    imp.add_argument(
        "--stream-length",
        type=int,
        metavar="L",
        help="comparisons per stochastic synapse and step, a power of two (16)",
    )
    imp.add_argument("--report", help="write the quantisation report as JSON here")
    imp.add_argument(
        "--steps",
        type=_steps,
        help="time steps per sample of a .scir graph (default: calibration's)",
    )
    imp.add_argument(
        "-o",
        "--output",
        required=True,
        help="NET.scir: a graph for scgen sim/verify/emit/build/run; NET.json: scgen nir run's",
    )
    imp.set_defaults(func=_import)
    run = verbs.add_parser("run", help="run a network file on spikes")
    run.add_argument("network", help="network file from 'scgen nir import'")
    run.add_argument("--inputs", required=True, help=".npz with 'spikes' (T, batch, n_in)")
    run.add_argument(
        "--backend", choices=("twin", "pysim", "verilator"), default="twin", help="(twin)"
    )
    run.add_argument("--out", default="out/nir", help="Verilator build folder (out/nir)")
    run.add_argument("--save", help="write the output spikes to this .npz")
    run.set_defaults(func=_run)
