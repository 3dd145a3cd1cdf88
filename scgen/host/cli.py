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


def main(args: argparse.Namespace, transport=None) -> int:
    """Run ``scgen run``; ``transport`` replaces the serial port (for tests)."""
    from .._cli_util import load_graph
    from ..emit.boards import board
    from ..ir import ir_hash
    from ..ir.ports import LoweringError
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
    try:
        ident = link.identify()
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
    for name, value in readout.outputs.items():
        print(f"  {name:<16} {value}")
    for name, counts in readout.counts.items():
        ones = ", ".join(str(int(c)) for c in counts)
        print(f"  {name:<16} ones per bit over {args.windows * ident.window_length} cycles: {ones}")
    return 0
