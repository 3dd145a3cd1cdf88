"""The ``scgen`` command."""

from __future__ import annotations

import argparse
import re
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
    if args.suite == "cosim":
        from .bench.cosim import main as cosim_main

        return cosim_main([])
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


def _check_work(what: str, graph, windows: int, copies: int = 1) -> None:
    """Refuse up front a run whose arrays would not fit the memory budget."""
    from .ir.lower import LoweringError, window_length
    from .limits import ResourceError, check_memory

    try:
        length = window_length(graph)
    except LoweringError as exc:
        raise SystemExit(f"scgen: {exc}") from None
    # one int64 per cycle for every op's result, as the twin holds them, per copy (traces)
    need = windows * (length + 3) * 8 * (len(graph.ops) + 2) * copies
    try:
        check_memory(f"{what} of {windows} window(s) of {length} cycles", need)
    except ResourceError as exc:
        raise SystemExit(f"scgen: {exc}") from None


def _load_arrays(path: str, names: list[str]) -> dict:
    """The arrays of an ``--inputs`` file (.npz: one per input; .npy: one, or a record array)."""
    import zipfile

    import numpy as np

    try:
        data = np.load(path, allow_pickle=False)
        if isinstance(data, np.lib.npyio.NpzFile):
            with data:
                return {k: data[k] for k in data.files}
    except OSError as exc:
        raise SystemExit(f"scgen: cannot read --inputs {path}: {exc.strerror or exc}") from None
    except (ValueError, EOFError, zipfile.BadZipFile) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise SystemExit(
            f"scgen: --inputs {path} must be a .npz or .npy file of numbers, not one that "
            f"numpy cannot load ({reason})"
        ) from None
    if data.dtype.names:  # a record array: one field per input
        return {k: data[k] for k in data.dtype.names}
    if len(names) == 1:
        return {names[0]: data}
    raise SystemExit(
        f"scgen: --inputs {path} must be a record array with fields "
        f"{', '.join(names)} (the graph has {len(names)} inputs)"
    )


def _window_inputs(
    graph, given: list[str], npz: str | None, windows: int | None, clamp: bool = False
):
    """Per-window input values from ``--input``/``--inputs``, checked against the ports."""
    import numpy as np

    from .ir import Spikes, Vec
    from .ir.values import parse_input_items, port_range, port_values

    names = [op.attr("name") for op in graph.inputs]
    types = {op.attr("name"): op.attr("type") for op in graph.inputs}
    values: dict[str, object] = _load_arrays(npz, names) if npz else {}
    for name, v in list(values.items()):
        # spikes in a file are (T, batch, N), as scgen.snn.run and snnTorch hold them
        t = types.get(name)
        if isinstance(t, Spikes) and np.ndim(v) == 3 and np.shape(v)[0] == t.steps:
            values[name] = np.asarray(v).transpose(1, 0, 2)
    unknown = [k for k in values if k not in names]
    if unknown:
        raise SystemExit(
            f"scgen: --inputs {npz} has {unknown[0]!r}, which is not an input of graph "
            f"{graph.name!r} (its inputs: {', '.join(names) or 'none'})"
        )
    try:
        values.update(parse_input_items(given, names, graph.name))
    except ValueError as exc:
        raise SystemExit(f"scgen: {exc}") from None
    missing = [n for n in names if n not in values]
    if missing:
        raise SystemExit(
            f"scgen: input {missing[0]!r} needs values, e.g. --input {missing[0]}=0.5,0.25"
        )
    counts = {}
    for name in names:
        try:
            counts[name] = len(port_values(name, types[name], values[name], clamp=True))
        except ValueError as exc:
            raise SystemExit(f"scgen: {exc}") from None
    n = windows or max(counts.values(), default=1)
    _check_work("scgen sim", graph, n)
    out = {}
    for name in names:
        v = np.asarray(values[name])
        if counts[name] not in (1, n):
            raise SystemExit(f"scgen: input {name!r} has {counts[name]} values; give 1 or {n}")
        if clamp:
            port_values(name, types[name], v, clamp=True, clamped=lambda s: print(f"note: {s}"))
            v = np.clip(v, *port_range(types[name]))
        try:
            port_values(name, types[name], v)
        except ValueError as exc:
            raise SystemExit(f"scgen: {exc}") from None
        t = types[name]
        if isinstance(t, Spikes):
            v = v.reshape(-1, t.steps, t.neurons)
        else:
            v = v.reshape(-1, t.n) if isinstance(t, Vec) else v.reshape(-1)
        out[name] = np.repeat(v, n, axis=0) if counts[name] == 1 and n > 1 else v
    return out


def _warmup(args: argparse.Namespace) -> int:
    from ._warmup import warmup

    warmup(lambda line: print(line, flush=True))
    return 0


def _sim(args: argparse.Namespace) -> int:
    import numpy as np

    from .ir.ports import LoweringError
    from .sim import explain, run_windows

    graph = load_graph(args.graph)
    errors = [p for p in graph.verify() if p.severity == "error"]
    if errors:
        print(f"scgen: {args.graph}: {_first_problem(errors)}", file=sys.stderr)
        return 1
    inputs = _window_inputs(graph, args.input, args.inputs, args.windows, args.clamp)
    if not graph.outputs:
        raise SystemExit(f"scgen: graph {graph.name!r} has no outputs, so there is nothing to show")
    try:
        result = run_windows(graph, inputs, engine=args.engine, state=args.state)
    except LoweringError as exc:
        raise SystemExit(f"scgen: {exc}") from None
    if args.explain:
        print(f"graph {graph.name}: how each op ran on the {args.engine} engine")
        print(explain(graph, result))
        return 0
    from .ir import SInt, Spikes, Vec
    from .ir.values import spike_array
    from .sw.snn import unpack_membranes

    in_types = {op.attr("name"): op.attr("type") for op in graph.inputs}
    names = list(inputs) + list(result.outputs)
    print(
        f"graph {graph.name}: {len(next(iter(inputs.values()), [0]))} window(s) of "
        f"{result.length} cycles on the twin"
    )
    # spike outputs show each neuron's spike count over the window and the argmax
    types = graph.result_types()
    spikes = {
        op.attr("name"): spike_array(t, result.outputs[op.attr("name")])
        for op in graph.outputs
        if isinstance(t := types[op.operands[0]], Spikes)
    }
    # vectors of signed integers (an LI readout's membranes) show their values and the argmax
    signed_vecs = {
        op.attr("name"): unpack_membranes(result.outputs[op.attr("name")], t.n, t.elem.width)
        for op in graph.outputs
        if isinstance(t := types[op.operands[0]], Vec) and isinstance(t.elem, SInt)
    }
    print("window  " + "  ".join(f"{n:>12}" for n in names))
    for w in range(len(next(iter(result.outputs.values())))):
        cells = []
        for n in inputs:
            x = inputs[n][w]
            if isinstance(in_types[n], Spikes):
                cells.append(f"{int(np.sum(x)):>6} spikes")
            else:
                cells.append(f"{x:>12.6g}" if np.ndim(x) == 0 else f"{x!s:>12}")
        for name, v in result.outputs.items():
            if name in spikes:
                counts = spikes[name][w].sum(axis=0)
                cells.append(f"counts {counts.tolist()} argmax {int(counts.argmax())}")
            elif name in signed_vecs:
                row = signed_vecs[name][w]
                cells.append(f"values {row.tolist()} argmax {int(row.argmax())}")
            else:
                cells.append(
                    f"{int(v[w].sum()):>9}/{v.shape[1]:<2}" if v.ndim == 2 else f"{int(v[w]):>12}"
                )
        print(f"{w:>6}  " + "  ".join(cells))
    if args.save:
        arrays = {}
        for name, v in result.outputs.items():
            # spikes as (T, batch, N), the layout the --inputs file has
            arrays[name] = spikes[name].transpose(1, 0, 2) if name in spikes else v
            arrays[name] = signed_vecs.get(name, arrays[name])
        np.savez_compressed(args.save, **arrays)
        print(f"wrote {args.save}")
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
    _check_work("scgen verify", graph, args.windows, copies=1 if args.no_verilator else 4)
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
        agree = [b for b, r in results.items() if _same_values(r.outputs[name], want)]
        bad = [b for b in results if b not in agree]
        ok &= not bad
        print(
            f"{name:<16}{want.size:>8}  "
            + ", ".join(["twin", *agree])
            + (f"   MISMATCH: {', '.join(bad)}" if bad else "")
        )
    from .sim.diverge import op_divergence, window_divergence

    for b, r in results.items():
        report = window_divergence(graph, twin.outputs, r.outputs)
        if report:
            print(f"{b}: {report}")
            # the debug build: a probe port per op, compared with the twin on every cycle
            out = Path(args.out)
            inner = op_divergence(
                graph,
                inputs,
                backend=b,
                build_dir=out / f"probe-{b}",
                seed=args.seed,
                vcd=out / f"divergence-{b}.vcd",
            )
            if inner is not None:
                print(inner)
    return 0 if ok else 1


def _same_values(a, b) -> bool:
    """Equal port values: int64 arrays, or Python ints where a port is wider than 63 bits."""
    import numpy as np

    a, b = np.asarray(a), np.asarray(b)
    if a.dtype == object or b.dtype == object:
        return a.shape == b.shape and all(
            int(x) == int(y) for x, y in zip(a.ravel().tolist(), b.ravel().tolist(), strict=True)
        )
    return np.array_equal(a.astype(np.int64), b.astype(np.int64))


def _first_problem(errors: list) -> str:
    """One line for a graph that does not verify: the first error, and how many more."""
    more = len(errors) - 1
    return f"{errors[0]}" + (f" (and {more} more; scgen verify lists them all)" if more else "")


def _checked_graph(path: str):
    graph = load_graph(path)
    errors = [p for p in graph.verify() if p.severity == "error"]
    if errors:
        raise SystemExit(f"scgen: {path}: {_first_problem(errors)}")
    return graph


def _write_file(out: Path, text: str) -> None:
    """Write ``text`` to ``out`` whole or not at all: a regular file through a temporary file
    renamed into place, anything else (``/dev/stdout``, a pipe) in place, never replaced."""
    import os
    import tempfile

    if out.is_dir():
        raise SystemExit(f"scgen: -o {str(out)!r} is a folder; give the path of a file to write")
    for parent in out.parents:
        if parent.exists() and not parent.is_dir():
            raise SystemExit(
                f"scgen: cannot write -o {str(out)!r}: {str(parent)!r} is a file, not a folder"
            )
    tmp = None
    try:
        if out.exists() and not out.is_file():
            with open(out, "w", encoding="utf-8") as fh:
                fh.write(text)
            return
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, out)
        tmp = None
    except OSError as exc:
        raise SystemExit(f"scgen: cannot write -o {str(out)!r}: {exc.strerror or exc}") from None
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


def _emit(args: argparse.Namespace) -> int:
    from .emit import LintError, lint, verilog
    from .ir.names import name_rule
    from .ir.ports import LoweringError

    graph = _checked_graph(args.graph)
    why = name_rule("--name (the module name)", args.name) if args.name is not None else None
    if why:
        raise SystemExit(f"scgen: {why}")
    try:
        text = verilog(graph, sv=not args.verilog, name=args.name)
    except LoweringError as exc:
        raise SystemExit(f"scgen: {args.graph}: {exc}") from None
    out = Path(args.output)
    _write_file(out, text)
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
    from .emit import BuildError, UnsafeOutput, board, build, check_output_dir
    from .ir.ports import LoweringError

    graph = _checked_graph(args.graph)
    try:
        b = board(args.board)
    except ValueError as exc:
        raise SystemExit(f"scgen: {exc}") from None
    out = args.output or f"out/build/{graph.name}-{b.name}"
    try:
        check_output_dir(out, protect=[args.graph])
    except UnsafeOutput as exc:
        print(f"scgen: {exc}", file=sys.stderr)
        return 2
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


def _clock_mhz(text: str) -> float:
    from .limits import float_option

    return float_option("--clock-mhz", text, 0.1, 1000.0)


def _int(name: str, lo: int, hi: int):
    """argparse ``type=`` for an integer option within [lo, hi] (see :mod:`scgen.limits`)."""
    from .limits import int_option

    return lambda text: int_option(name, text, lo, hi)


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line (exit code 2)."""

    def error(self, message: str):
        message = re.sub(r"^argument [^:]+: (?=-)", "", message)
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def _plan(args: argparse.Namespace) -> int:
    from .sweep import plan

    graph = _checked_graph(args.graph)
    try:
        print(plan(graph, args.board, error=args.error).format())
    except ValueError as exc:
        raise SystemExit(f"scgen: {exc}") from None
    return 0


def _sweep(args: argparse.Namespace) -> int:
    import numpy as np

    from .sweep import parse_param, run_sweep

    graph = _checked_graph(args.graph)
    try:
        params = [parse_param(p) for p in args.param]
        if args.board:
            params.append(parse_param(f"board={','.join(args.board)}"))
        inputs = _window_inputs(graph, [], args.inputs, None)
        labels = None
        if args.labels:
            with np.load(args.labels) as data:
                labels = {k: np.atleast_1d(data[k]) for k in data.files}
        table = run_sweep(
            graph,
            params,
            inputs,
            args.output,
            labels=labels,
            synth=args.synth,
            scheduler=args.scheduler,
            progress=lambda text: print(text, file=sys.stderr),
        )
    except ValueError as exc:
        raise SystemExit(f"scgen: {exc}") from None
    print(f"{len(table)} points; results in {Path(args.output) / 'results.csv'}")
    return 0


def main(argv: list[str] | None = None) -> int:
    from .limits import MAX_WINDOWS

    parser = _Parser(
        prog="scgen",
        description="Stochastic-computing hardware generator: Amaranth components with "
        "bit-exact Numba twins.",
    )
    parser.add_argument("--version", action="version", version=f"scgen {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="run the demo pipeline on twin, pysim and Verilator")
    demo.add_argument(
        "--cycles", type=_int("--cycles", 1, 1 << 32), default=16384, help="cycles to run (16384)"
    )
    demo.add_argument("--out", default="out/demo", help="output folder (out/demo)")
    demo.add_argument("--no-verilator", action="store_true", help="skip the Verilator run")
    demo.set_defaults(func=_demo)

    bench = sub.add_parser(
        "bench", help="benchmarks: scgen vs sc-neurocore-engine, or every primitive's cycle rate"
    )
    bench.add_argument(
        "--suite",
        choices=["engine", "primitives", "hardware", "cosim"],
        default="engine",
        help="engine: side by side with sc-neurocore-engine 3.15.7 (default); "
        "primitives: cycles/s on twin, pysim and Verilator; hardware: "
        "resources and fmax on UP5K and ECP5 85F, the seed's Verilog "
        "beside, and builds for all four boards; cosim: twin vs native Verilator vs cocotb",
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
    bench.add_argument(
        "--repeat", type=_int("--repeat", 1, 10_000), default=7, help="engine suite: samples (7)"
    )
    bench.add_argument(
        "--cycles",
        type=_int("--cycles", 1, 1 << 32),
        default=1 << 20,
        help="primitives suite: twin cycles per stream (1048576)",
    )
    bench.add_argument(
        "--batch",
        type=_int("--batch", 1, 1 << 24),
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
    simp.add_argument(
        "--windows",
        type=_int("--windows", 1, MAX_WINDOWS),
        help="number of windows (default: longest)",
    )
    simp.add_argument(
        "--clamp",
        action="store_true",
        help="clamp values that do not fit their port (and say so) instead of refusing them",
    )
    simp.add_argument(
        "--engine",
        choices=("compiled", "twin"),
        default="compiled",
        help="compiled: packed streams and bit-sliced dense counts (default); twin: every "
        "op's per-cycle twin, the reference",
    )
    simp.add_argument(
        "--state",
        choices=("carry", "fresh"),
        default="carry",
        help="carry: the neurons' state carries from window to window, as in hardware "
        "(default); fresh: every window starts from reset, as if run alone",
    )
    simp.add_argument(
        "--explain",
        action="store_true",
        help="print how each op ran (packed, bit-sliced, twin per cycle or per window) "
        "instead of the results",
    )
    simp.add_argument(
        "--save", help="write every output to this .npz (spike outputs as (T, batch, N))"
    )
    simp.set_defaults(func=_sim)

    ver = sub.add_parser("verify", help="verify a text graph and check twin = pysim = Verilator")
    ver.add_argument("graph", help="graph text file")
    ver.add_argument(
        "--windows", type=_int("--windows", 1, MAX_WINDOWS), default=20, help="random windows (20)"
    )
    ver.add_argument(
        "--seed",
        type=_int("--seed", 0, (1 << 64) - 1),
        default=1,
        help="seed of the random inputs (1)",
    )
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
        type=_clock_mhz,
        help="clock constraint for nextpnr (default: the board's oscillator)",
    )
    build.set_defaults(func=_build)

    planp = sub.add_parser("plan", help="estimate resources and fmax of a graph, no synthesis")
    planp.add_argument("graph", help="graph text file (.scir)")
    planp.add_argument("--board", required=True, help="board name (see `scgen boards`)")
    planp.add_argument(
        "--error", type=float, default=0.01, help="standard error for the stream length (0.01)"
    )
    planp.set_defaults(func=_plan)

    sweep = sub.add_parser("sweep", help="sweep graph attributes and boards on Dask")
    sweep.add_argument("graph", help="graph text file (.scir)")
    sweep.add_argument(
        "--param", action="append", default=[], metavar="NAME=V1,V2,...", help="%%ID.NAME=... too"
    )
    sweep.add_argument("--inputs", required=True, help=".npz with one array per input")
    sweep.add_argument("--labels", help=".npz with the reference value per window of outputs")
    sweep.add_argument("--synth", action="store_true", help="also build every point")
    sweep.add_argument("--board", action="append", help="board(s) (default icebreaker)")
    sweep.add_argument("--scheduler", help="an existing Dask scheduler, tcp://HOST:PORT")
    sweep.add_argument("-o", "--output", required=True, help="output folder")
    sweep.set_defaults(func=_sweep)

    warm = sub.add_parser(
        "warmup", help="compile scgen's kernels into the on-disk cache (./setup.sh runs it)"
    )
    warm.set_defaults(func=_warmup)

    args_in = sys.argv[1:] if argv is None else argv
    if not args_in or args_in[0] not in sub.choices:
        # `run` and `nir` (or --help, or a typo) need the parsers of the host link and of NIR:
        # importing them costs the IR, Amaranth and Numba, which a command of its own here
        # (`scgen plan`: in under a second) imports only if it uses them
        from .host.cli import add_parser as add_run_parser
        from .snn.cli import add_parser as add_nir_parser

        add_run_parser(sub)  # scgen run: a graph on a board, over its host link
        add_nir_parser(sub)  # scgen nir import|run: spiking networks from NIR files

    args = parser.parse_args(args_in)
    try:
        return args.func(args)
    except KeyboardInterrupt:  # Ctrl-C: each command has already cleaned up after itself
        print("scgen: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
