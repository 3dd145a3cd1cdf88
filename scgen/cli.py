"""The ``scgen`` command."""

from __future__ import annotations

import argparse
import sys

from . import __version__

__all__ = ["main"]


def _demo(args: argparse.Namespace) -> int:
    from .demo import format_result, run_demo

    print(f"scgen {__version__} demo: encoders -> AND -> counter -> LIF, {args.cycles} cycles")
    result = run_demo(args.cycles, args.out, verilator=not args.no_verilator)
    print(format_result(result))
    return 0 if result.ok else 1


def _bench(args: argparse.Namespace) -> int:
    if args.suite == "engine":
        from .bench.engine import main as engine_main

        return engine_main(["--out", args.report, "--repeat", str(args.repeat)])
    from .bench.primitives import format_rows, run_benchmarks

    rows = run_benchmarks(cycles=args.cycles, batch=args.batch, verilator=not args.no_verilator,
                          build_root=args.out)
    print(format_rows(rows))
    return 0


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, not {value}")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="scgen",
        description="Stochastic-computing hardware generator: Amaranth components with "
                    "bit-exact Numba twins.")
    parser.add_argument("--version", action="version", version=f"scgen {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="run the demo pipeline on twin, pysim and Verilator")
    demo.add_argument("--cycles", type=_positive, default=16384, help="cycles to run (16384)")
    demo.add_argument("--out", default="out/demo", help="output folder (out/demo)")
    demo.add_argument("--no-verilator", action="store_true", help="skip the Verilator run")
    demo.set_defaults(func=_demo)

    bench = sub.add_parser(
        "bench", help="benchmarks: scgen vs sc-neurocore-engine, or every primitive's cycle rate")
    bench.add_argument("--suite", choices=["engine", "primitives"], default="engine",
                       help="engine: side by side with sc-neurocore-engine 3.15.7 (default); "
                            "primitives: cycles/s on twin, pysim and Verilator")
    bench.add_argument("--report", default="benchmarks/RESULTS.md",
                       help="engine suite: report file (benchmarks/RESULTS.md)")
    bench.add_argument("--repeat", type=_positive, default=7, help="engine suite: samples (7)")
    bench.add_argument("--cycles", type=_positive, default=1 << 20,
                       help="primitives suite: twin cycles per stream (1048576)")
    bench.add_argument("--batch", type=_positive, default=4096,
                       help="primitives suite: instances in the batched twin run (4096)")
    bench.add_argument("--out", default="out/bench",
                       help="primitives suite: Verilator build folder (out/bench)")
    bench.add_argument("--no-verilator", action="store_true",
                       help="primitives suite: skip the Verilator runs")
    bench.set_defaults(func=_bench)

    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
