"""``scgen run GRAPH --board NAME --port DEV``: run a graph on a programmed board.

The command identifies the board (its design must be this graph), loads the inputs, clears the
counters, runs the windows back to back and prints the last window's outputs and the per-bit
counts. ``scgen.cli`` wires it in with :func:`add_parser`.
"""

from __future__ import annotations

import argparse
import sys

__all__ = ["add_parser", "main", "parse_inputs"]


def _baud(text: str) -> int:
    from ..limits import int_option

    return int_option("--baud", text, 1, 50_000_000)


def _windows(text: str) -> int:
    from ..limits import MAX_WINDOWS, int_option

    return int_option("--windows", text, 0, MAX_WINDOWS)


def _timeout(text: str) -> float:
    from ..limits import float_option

    return float_option("--timeout", text, 0.001, 3600.0)


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Add the ``run`` command to an ``argparse`` subparsers object and return its parser."""
    p = subparsers.add_parser("run", help="run a graph on a board over its host link (UART)")
    p.add_argument("graph", help="graph text file (the design programmed on the board)")
    p.add_argument("--board", required=True, help="board name (gives the default baud rate)")
    p.add_argument(
        "--port", required=True, help="serial port, e.g. /dev/ttyUSB1, COM3 or a pyserial URL"
    )
    p.add_argument("--baud", type=_baud, help="baud rate (default: the board's)")
    p.add_argument(
        "--input",
        action="append",
        default=[],
        metavar="NAME=VALUE[,VALUE...]",
        help="value of an input: rates as probabilities, a vector as "
        "comma-separated values, integers as raw values",
    )
    p.add_argument(
        "--inputs",
        help=".npz with one array per input, one value per window (spikes as (T, batch, N)): "
        "each window is loaded, run and read in turn",
    )
    p.add_argument("--save", help="with --inputs: write every window's outputs to this .npz")
    p.add_argument("--windows", type=_windows, default=1, help="windows to run back to back (1)")
    p.add_argument("--timeout", type=_timeout, default=2.0, help="seconds to wait for a reply (2)")
    p.set_defaults(func=main)
    return p


def parse_inputs(items: list[str]) -> dict[str, object]:
    """Parse ``NAME=VALUE[,VALUE...]`` items; raise ``ValueError`` with the offending item."""
    from ..ir.values import parse_number

    values: dict[str, object] = {}
    for item in items:
        name, sep, text = item.partition("=")
        if not sep or not name:
            raise ValueError(f"--input must be NAME=VALUE[,VALUE...], not {item!r}")
        try:
            parsed = [parse_number(v) for v in text.split(",")]
        except ValueError:
            raise ValueError(f"--input {name} values must be numbers, not {text!r}") from None
        values[name] = parsed if len(parsed) > 1 else parsed[0]
    return values


def _per_window(graph, path: str) -> dict:
    """The ``--inputs`` file's arrays, one row per window (spike arrays (T, batch, N) turned to
    (batch, T, N))."""
    import numpy as np

    from ..ir.types import Spikes

    types = {op.attr("name"): op.attr("type") for op in graph.inputs}
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {k: data[k] for k in data.files}
    except (OSError, ValueError) as exc:
        raise SystemExit(f"scgen: cannot read --inputs {path}: {exc}") from None
    for name, v in arrays.items():
        if name not in types:
            raise SystemExit(
                f"scgen: --inputs {path} has {name!r}, which is not an input of graph "
                f"{graph.name!r} (its inputs: {', '.join(types) or 'none'})"
            )
        t = types[name]
        if isinstance(t, Spikes) and v.ndim == 3 and v.shape[0] == t.steps:
            arrays[name] = v.transpose(1, 0, 2)
    counts = {len(v) for v in arrays.values()}
    if len(counts) != 1:
        raise SystemExit(
            f"scgen: --inputs {path} arrays must give the same number of windows, not "
            f"{sorted(counts)}"
        )
    return arrays


def _signed_values(t, values):
    """The elements ``(windows, n)`` of ``vec<iN, n>`` port values (an LI readout's
    membranes), or None for any other type."""
    from ..ir.types import SInt, Vec
    from ..sw.snn import unpack_membranes

    if isinstance(t, Vec) and isinstance(t.elem, SInt):
        return unpack_membranes(values, t.n, t.elem.width)
    return None


def _show(graph, readout) -> str:
    """One window's outputs: spike outputs as counts per neuron and the argmax, vectors of
    signed integers as their values and the argmax."""
    from ..ir.types import Spikes
    from ..ir.values import spike_array

    types = graph.result_types()
    cells = []
    for op in graph.outputs:
        name, t = op.attr("name"), types[op.operands[0]]
        if name not in readout.outputs:
            continue
        value = readout.outputs[name]
        signed = _signed_values(t, [value])
        if isinstance(t, Spikes):
            counts = spike_array(t, [value])[0].sum(axis=0)
            cells.append(f"{name} counts {counts.tolist()} argmax {int(counts.argmax())}")
        elif signed is not None:
            cells.append(f"{name} values {signed[0].tolist()} argmax {int(signed[0].argmax())}")
        else:
            cells.append(f"{name} {value}")
    return ", ".join(cells)


def _run_each(graph, link, arrays: dict, save: str | None) -> None:
    """Load, run and read every window of ``arrays`` in turn."""
    import numpy as np

    from ..ir.types import Spikes
    from ..ir.values import spike_array

    windows = len(next(iter(arrays.values())))
    outputs: dict[str, list] = {}
    for w in range(windows):
        link.write_inputs({name: v[w] for name, v in arrays.items()})
        link.clear()
        link.run(1)
        readout = link.read()
        print(f"  window {w}: {_show(graph, readout)}")
        for name, value in readout.outputs.items():
            outputs.setdefault(name, []).append(value)
    if save:
        types = graph.result_types()
        result = {}
        for op in graph.outputs:
            name, t = op.attr("name"), types[op.operands[0]]
            if name not in outputs:
                continue
            if isinstance(t, Spikes):
                result[name] = spike_array(t, outputs[name]).transpose(1, 0, 2)
            elif (values := _signed_values(t, outputs[name])) is not None:
                result[name] = values
            else:
                result[name] = np.array(outputs[name])
        np.savez_compressed(save, **result)


def main(args: argparse.Namespace, transport=None) -> int:
    """Run ``scgen run``; ``transport`` replaces the serial port (for tests)."""
    from .._cli_util import load_graph
    from ..emit.boards import board
    from ..ir import ir_hash
    from ..ir.ports import LoweringError
    from ..ir.types import Spikes
    from .driver import HostLink
    from .protocol import HostLinkError

    graph = load_graph(args.graph)
    if args.windows < 0:
        raise SystemExit(f"scgen: --windows must be a non-negative integer, not {args.windows}")
    try:
        inputs = parse_inputs(args.input)
        profile = board(args.board)
    except (ValueError, KeyError) as exc:
        raise SystemExit(f"scgen: {exc.args[0] if exc.args else exc}") from None
    baud = args.baud or profile.baud
    clock_hz = profile.clock_hz
    try:
        if transport is None:
            link = HostLink.open(
                args.port, graph, baud=baud, timeout=args.timeout, clock_hz=clock_hz
            )
        else:
            link = HostLink(transport, graph, timeout=args.timeout, clock_hz=clock_hz)
    except (OSError, ImportError, ValueError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise SystemExit(f"scgen: cannot open --port {args.port!r}: {reason}") from None
    except LoweringError as exc:
        raise SystemExit(f"scgen: {exc}") from None
    arrays = _per_window(graph, args.inputs) if getattr(args, "inputs", None) else None
    try:
        ident = link.identify()
        if arrays is not None:
            print(
                f"board {args.board} on {args.port} at {baud} baud: graph {graph.name} "
                f"(IR hash {ir_hash(graph)[:16]}), windows of {ident.window_length} cycles"
            )
            _run_each(graph, link, {**arrays}, getattr(args, "save", None))
            return 0
        link.write_inputs(inputs)
        link.clear()
        link.run(args.windows)
        readout = link.read()
    except (HostLinkError, ValueError) as exc:
        print(f"scgen: {exc}", file=sys.stderr)
        return 1
    finally:
        if transport is None:
            link.close()
    print(
        f"board {args.board} on {args.port} at {baud} baud: graph {graph.name} "
        f"(IR hash {ir_hash(graph)[:16]}), {args.windows} window(s) of "
        f"{ident.window_length} cycles"
    )
    spikes = (
        _show(graph, readout)
        if any(isinstance(graph.result_types().get(op.operands[0]), Spikes) for op in graph.outputs)
        else ""
    )
    for name, value in readout.outputs.items():
        print(f"  {name:<16} {value}")
    if spikes:
        print(f"  {spikes}")
    for name, counts in readout.counts.items():
        ones = ", ".join(str(int(c)) for c in counts)
        print(f"  {name:<16} ones per bit over {args.windows * ident.window_length} cycles: {ones}")
    return 0
