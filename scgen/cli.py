"""The ``scgen`` command."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__

__all__ = ["main"]


def _demo(args: argparse.Namespace) -> int:
    from .demo import format_result, run_demo

    print(f"scgen {__version__} demo: encoders -> AND -> counter -> LIF, {args.cycles} cycles")
    result = run_demo(args.cycles, args.out, verilator=not args.no_verilator)
    print(format_result(result))
    return 0 if result.ok else 1


def _bench(args: argparse.Namespace) -> int:
    if args.hardware or args.suite == "hardware":
        from .bench.hardware import main as hardware_main

        return hardware_main(["--out", args.hardware_report, "--boards"])
    if args.suite == "engine":
        from .bench.engine import main as engine_main

        return engine_main(["--out", args.report, "--repeat", str(args.repeat)])
    from .bench.primitives import format_rows, run_benchmarks

    rows = run_benchmarks(
        cycles=args.cycles, batch=args.batch, verilator=not args.no_verilator, build_root=args.out
    )
    print(format_rows(rows))
    return 0


def load_graph(path: str):
    from ._cli_util import load_graph as load  # lazily: `scgen --help` stays instant

    return load(path)


def _window_inputs(graph, given: list[str], npz: str | None, windows: int | None):
    import numpy as np

    values: dict[str, np.ndarray] = {}
    names = [op.attr("name") for op in graph.inputs]
    if npz and npz.endswith(".npy"):
        data = np.load(npz)
        if data.dtype.names:  # a record array: one field per input
            values.update({k: np.atleast_1d(data[k]) for k in data.dtype.names})
        elif len(names) == 1:
            values[names[0]] = np.atleast_1d(data)
        else:
            raise SystemExit(
                f"scgen: {npz} must be a record array with fields "
                f"{', '.join(names)} (the graph has {len(names)} inputs)"
            )
    elif npz:
        with np.load(npz) as data:
            values.update({k: np.atleast_1d(data[k]) for k in data.files})
    for item in given:
        name, sep, text = item.partition("=")
        if not sep:
            raise SystemExit(f"scgen: --input must be NAME=V1,V2,..., not {item!r}")
        try:
            values[name] = np.array(
                [float(v) if "." in v or "e" in v.lower() else int(v, 0) for v in text.split(",")]
            )
        except ValueError:
            raise SystemExit(
                f"scgen: --input {name} values must be numbers, not {text!r}"
            ) from None
    missing = [n for n in names if n not in values]
    if missing:
        raise SystemExit(
            f"scgen: input {missing[0]!r} needs values, e.g. --input {missing[0]}=0.5,0.25"
        )
    n = windows or max((len(values[n]) for n in names), default=1)
    out = {}
    for name in names:
        v = values[name]
        if len(v) not in (1, n):
            raise SystemExit(f"scgen: input {name!r} has {len(v)} values; give 1 or {n}")
        out[name] = np.resize(v, n)
    return out


def _sim(args: argparse.Namespace) -> int:
    from .ir.ports import LoweringError
    from .sim import explain, run_windows

    graph = load_graph(args.graph)
    errors = [p for p in graph.verify() if p.severity == "error"]
    if errors:
        print("\n".join(f"scgen: {p}" for p in errors), file=sys.stderr)
        return 1
    inputs = _window_inputs(graph, args.input, args.inputs, args.windows)
    try:
        result = run_windows(graph, inputs, engine=args.engine)
    except LoweringError as exc:
        raise SystemExit(f"scgen: {exc}") from None
    if args.explain:
        print(f"graph {graph.name}: how each op ran on the {args.engine} engine")
        print(explain(graph, result))
        return 0
    names = list(inputs) + list(result.outputs)
    print(
        f"graph {graph.name}: {len(next(iter(inputs.values()), [0]))} window(s) of "
        f"{result.length} cycles on the twin"
    )
    print("window  " + "  ".join(f"{n:>12}" for n in names))
    for w in range(len(next(iter(result.outputs.values())))):
        cells = [f"{inputs[n][w]:>12.6g}" for n in inputs]
        for v in result.outputs.values():
            cells.append(
                f"{int(v[w].sum()):>9}/{v.shape[1]:<2}" if v.ndim == 2 else f"{int(v[w]):>12}"
            )
        print(f"{w:>6}  " + "  ".join(cells))
    return 0


def _verify(args: argparse.Namespace) -> int:
    import numpy as np

    from .ir.ports import LoweringError, random_inputs
    from .sim import run_hardware, run_windows

    graph = load_graph(args.graph)
    problems = graph.verify()
    for p in problems:
        print(f"{p.severity}: {p}")
    if any(p.severity == "error" for p in problems):
        return 1
    try:
        inputs = random_inputs(graph, args.windows, np.random.default_rng(args.seed))
        twin = run_windows(graph, inputs)
        backends = ["pysim"] + ([] if args.no_verilator else ["verilator"])
        results = {
            b: run_hardware([graph], [inputs], backend=b, build_dir=args.out, seed=args.seed)[0]
            for b in backends
        }
    except LoweringError as exc:
        raise SystemExit(f"scgen: {exc}") from None
    print(
        f"graph {graph.name}: {args.windows} windows of {twin.length} cycles, random inputs "
        f"(seed {args.seed})"
    )
    print(f"{'output':<16}{'values':>8}  agreeing with the twin")
    ok = True
    for name, want in twin.outputs.items():
        agree = [
            b
            for b, r in results.items()
            if np.array_equal(r.outputs[name].astype(np.int64), want.astype(np.int64))
        ]
        bad = [b for b in results if b not in agree]
        ok &= not bad
        print(
            f"{name:<16}{want.size:>8}  "
            + ", ".join(["twin", *agree])
            + (f"   MISMATCH: {', '.join(bad)}" if bad else "")
        )
    return 0 if ok else 1


def _checked_graph(path: str):
    graph = load_graph(path)
    errors = [p for p in graph.verify() if p.severity == "error"]
    if errors:
        raise SystemExit("\n".join(f"scgen: {path}: {p}" for p in errors))
    return graph


def _emit(args: argparse.Namespace) -> int:
    from .emit import LintError, lint, verilog
    from .ir.ports import LoweringError

    graph = _checked_graph(args.graph)
    try:
        text = verilog(graph, sv=not args.verilog, name=args.name)
    except LoweringError as exc:
        raise SystemExit(f"scgen: {args.graph}: {exc}") from None
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    print(f"wrote {out} ({len(text.splitlines())} lines, module {args.name or graph.name})")
    if args.lint:
        try:
            waived = lint(text)
        except LintError as exc:
            print(f"scgen: {exc}", file=sys.stderr)
            return 1
        print(
            f"verilator --lint-only -Wall: clean ({len(waived)} waived findings of the kinds "
            f"documented in scgen.emit.LINT_WAIVERS)"
        )
    return 0


def _boards(args: argparse.Namespace) -> int:
    from .emit import BOARDS

    print(f"{'board':<16}{'device':<22}{'clock':>9}  host link")
    for b in BOARDS.values():
        print(f"{b.name:<16}{b.device:<22}{b.clock_mhz:>6g} MHz  UART {b.baud} baud, {b.link_via}")
    return 0


def _build(args: argparse.Namespace) -> int:
    from .emit import BuildError, board, build
    from .ir.ports import LoweringError

    graph = _checked_graph(args.graph)
    try:
        b = board(args.board)
    except ValueError as exc:
        raise SystemExit(f"scgen: {exc}") from None
    out = args.output or f"out/build/{graph.name}-{b.name}"
    try:
        result = build(graph, board=b, out=out, clock_mhz=args.clock_mhz)
    except (BuildError, LoweringError) as exc:
        raise SystemExit(f"scgen: {exc}") from None
    r = result.report
    used = ", ".join(
        f"{k} {v['used']}/{v['available']}" for k, v in r["resources"].items() if v["used"]
    )
    print(f"resources: {used}")
    print(
        f"timing: {'PASS' if r['timing_ok'] else 'FAIL'} at {r['board_clock_mhz']:g} MHz "
        f"(see {Path(out) / 'report.json'})"
    )
    return 0 if r["timing_ok"] else 1


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, not {value}")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="scgen",
        description="Stochastic-computing hardware generator: Amaranth components with "
        "bit-exact Numba twins.",
    )
    parser.add_argument("--version", action="version", version=f"scgen {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="run the demo pipeline on twin, pysim and Verilator")
    demo.add_argument("--cycles", type=_positive, default=16384, help="cycles to run (16384)")
    demo.add_argument("--out", default="out/demo", help="output folder (out/demo)")
    demo.add_argument("--no-verilator", action="store_true", help="skip the Verilator run")
    demo.set_defaults(func=_demo)

    bench = sub.add_parser(
        "bench", help="benchmarks: scgen vs sc-neurocore-engine, or every primitive's cycle rate"
    )
    bench.add_argument(
        "--suite",
        choices=["engine", "primitives", "hardware"],
        default="engine",
        help="engine: side by side with sc-neurocore-engine 3.15.7 (default); "
        "primitives: cycles/s on twin, pysim and Verilator; hardware: "
        "resources and fmax on UP5K and ECP5 85F, the seed's Verilog "
        "beside, and builds for all four boards",
    )
    bench.add_argument("--hardware", action="store_true", help="the same as --suite hardware")
    bench.add_argument(
        "--hardware-report",
        default="benchmarks/HARDWARE.md",
        help="hardware suite: report file (benchmarks/HARDWARE.md)",
    )
    bench.add_argument(
        "--report",
        default="benchmarks/RESULTS.md",
        help="engine suite: report file (benchmarks/RESULTS.md)",
    )
    bench.add_argument("--repeat", type=_positive, default=7, help="engine suite: samples (7)")
    bench.add_argument(
        "--cycles",
        type=_positive,
        default=1 << 20,
        help="primitives suite: twin cycles per stream (1048576)",
    )
    bench.add_argument(
        "--batch",
        type=_positive,
        default=4096,
        help="primitives suite: instances in the batched twin run (4096)",
    )
    bench.add_argument(
        "--out", default="out/bench", help="primitives suite: Verilator build folder (out/bench)"
    )
    bench.add_argument(
        "--no-verilator", action="store_true", help="primitives suite: skip the Verilator runs"
    )
    bench.set_defaults(func=_bench)

    simp = sub.add_parser("sim", help="run a text graph (.scir) on the twin, window by window")
    simp.add_argument("graph", help="graph text file")
    simp.add_argument(
        "--input",
        action="append",
        default=[],
        metavar="NAME=V1,V2,...",
        help="values of an input, one per window (rates as probabilities)",
    )
    simp.add_argument(
        "--inputs",
        help=".npz file with one array per input, or a .npy array "
        "(a record array with one field per input)",
    )
    simp.add_argument("--windows", type=_positive, help="number of windows (default: longest)")
    simp.add_argument(
        "--engine",
        choices=("compiled", "twin"),
        default="compiled",
        help="compiled: packed streams and bit-sliced dense counts (default); twin: every "
        "op's per-cycle twin, the reference",
    )
    simp.add_argument(
        "--explain",
        action="store_true",
        help="print how each op ran (packed, bit-sliced, twin per cycle or per window) "
        "instead of the results",
    )
    simp.set_defaults(func=_sim)

    ver = sub.add_parser("verify", help="verify a text graph and check twin = pysim = Verilator")
    ver.add_argument("graph", help="graph text file")
    ver.add_argument("--windows", type=_positive, default=20, help="random windows (20)")
    ver.add_argument("--seed", type=int, default=1, help="seed of the random inputs (1)")
    ver.add_argument("--out", default="out/verify", help="Verilator build folder (out/verify)")
    ver.add_argument("--no-verilator", action="store_true", help="skip the Verilator run")
    ver.set_defaults(func=_verify)

    emit = sub.add_parser("emit", help="write a text graph's hardware as SystemVerilog")
    emit.add_argument("graph", help="graph text file (.scir)")
    emit.add_argument("-o", "--output", required=True, help="output file (.sv or .v)")
    emit.add_argument("--verilog", action="store_true", help="write Verilog-2005 instead")
    emit.add_argument("--name", help="module name (default: the graph's name)")
    emit.add_argument("--lint", action="store_true", help="check it with verilator -Wall")
    emit.set_defaults(func=_emit)

    boards = sub.add_parser("boards", help="list the boards scgen builds for")
    boards.set_defaults(func=_boards)

    build = sub.add_parser("build", help="build a text graph into a bitstream for a board")
    build.add_argument("graph", help="graph text file (.scir)")
    build.add_argument("--board", required=True, help="board name (see `scgen boards`)")
    build.add_argument("-o", "--output", help="output folder (out/build/GRAPH-BOARD)")
    build.add_argument(
        "--clock-mhz",
        type=float,
        help="clock constraint for nextpnr (default: the board's oscillator)",
    )
    build.set_defaults(func=_build)

    from .host.cli import add_parser as add_run_parser

    add_run_parser(sub)  # scgen run: a graph on a board, over its host link
    from .snn.cli import add_parser as add_nir_parser

    add_nir_parser(sub)  # scgen nir import|run: spiking networks from NIR files

    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
