"""The compiled twin against the native Verilator backend, and the digits example through it.

``python benchmarks/bench_compiled.py [--windows N] [--repeat R] [--no-digits]`` measures

* the 64 x 32 dense graph at L = 1024 (``scgen.bench.rows_graphs.dense_graph``) on the compiled
  twin (``run_windows``, state carried as in hardware) and on GraphTop in the native Verilator
  backend (``backend="verilator"``, the cycle loop only, the build timed apart), with the same
  window protocol as ``run_hardware``; the outputs must be identical on every cycle;
* the 360 test images of ``examples/train_digits.py`` (trained with its default config) through
  the hardware-exact compiled twin at the deployed length, carrying state and with fresh state.

It writes the section "## The compiled twin against Verilator" of ``benchmarks/COMPILED.md``
(replacing an older one), with the machine's load before and after.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import time
from pathlib import Path

import numpy as np

HEADING = "## The compiled twin against Verilator"
HERE = Path(__file__).resolve().parent


def _load() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def _best(fn, repeat: int) -> float:
    fn()  # compile, fill the graph cache
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def dense_vs_verilator(windows: int, repeat: int) -> list[str]:
    """Rows: the dense graph's windows on the compiled twin and on Verilator."""
    import numba

    from scgen.bench.rows_graphs import dense_graph
    from scgen.ir.lower import GraphTop
    from scgen.ir.ports import input_ports
    from scgen.sim import collect_windows, run_many, run_windows, toolchain_env, window_stimulus

    toolchain_env()
    g = dense_graph()
    rng = np.random.default_rng(3)
    ins = {"xs": rng.random((windows, 64))}
    top = GraphTop(g)
    stim, starts = window_stimulus(top, input_ports(g, ins), rng)
    cycles = len(stim["start"])
    t0 = time.perf_counter()
    run_many([GraphTop(g)], [{k: v[:16] for k, v in stim.items()}], 16, backend="verilator")
    build_s = time.perf_counter() - t0
    traces, loop_s = run_many([top], [stim], cycles, backend="verilator")
    hw = collect_windows(top, traces[0], starts)
    rows = []
    before = numba.get_num_threads()
    try:
        for threads in sorted({1, min(2, numba.config.NUMBA_NUM_THREADS)}):
            numba.set_num_threads(threads)
            twin = run_windows(g, ins)
            same = np.array_equal(
                np.asarray(twin.outputs["spikes"]), np.asarray(hw.outputs["spikes"])
            )
            if not same:
                raise AssertionError("the compiled twin and Verilator differ on the dense graph")
            s = _best(lambda: run_windows(g, ins), repeat)
            rows.append(
                f"| dense 64x32 L=1024, {windows} windows ({cycles} cycles), {threads}T | "
                f"{1e3 * s:.1f} ms ({windows / s:.0f} windows/s) | {1e3 * loop_s:.1f} ms "
                f"({cycles / loop_s / 1e6:.2f} M cycles/s; build {build_s:.0f} s) | "
                f"{loop_s / s:.1f}x | identical on every cycle |"
            )
    finally:
        numba.set_num_threads(before)
    return rows


def _train_digits():
    path = HERE.parent / "examples" / "train_digits.py"
    spec = importlib.util.spec_from_file_location("train_digits", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["train_digits"] = module
    spec.loader.exec_module(module)
    return module


def digits(repeat: int) -> list[str]:
    """Rows: the digits example's test images through the compiled twin."""
    from scgen.sim import run_windows

    td = _train_digits()
    cfg = td.Config(verilator_images=0)
    x_train, x_test, y_train, y_test = td.load_data(cfg)
    f_train, f_test = td.features(x_train), td.features(x_test)
    w = td.train(cfg, f_train, y_train, log=lambda *a: None)
    graph = td.build_graph(w, cfg.deploy_length, cfg, gain=td.readout_gain(w, f_train, cfg))
    ins = {"x": f_test}
    pred, _, _ = td.predict_hardware(graph, f_test)
    accuracy = float((pred == y_test).mean())
    ni, nn = w.shape[1], w.shape[0]
    rows = []
    t0 = time.perf_counter()
    reference = run_windows(graph, ins, engine="twin")
    twin_s = time.perf_counter() - t0
    for state in ("carry", "fresh"):
        result = run_windows(graph, ins, state=state)
        if state == "carry" and not np.array_equal(
            np.asarray(result.outputs["spikes"]), np.asarray(reference.outputs["spikes"])
        ):
            raise AssertionError("the compiled twin and the twin differ on the digits graph")
        s = _best(lambda state=state: run_windows(graph, ins, state=state), repeat)
        rows.append(
            f"| digits: {len(f_test)} test images, {ni} inputs x {nn} neurons, "
            f"L={cfg.deploy_length}, state={state} | {1e3 * s:.1f} ms | "
            f"per-cycle twin {twin_s:.1f} s | {twin_s / s:.0f}x | "
            f"accuracy {100 * accuracy:.2f} % (state carried) |"
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--windows", type=int, default=200, help="dense graph windows (200)")
    ap.add_argument("--repeat", type=int, default=5, help="timed repeats, best kept (5)")
    ap.add_argument("--no-digits", action="store_true", help="skip the digits example")
    ap.add_argument("--out", default=str(HERE / "COMPILED.md"))
    args = ap.parse_args(argv)
    load_before = _load()
    rows = dense_vs_verilator(args.windows, args.repeat)
    if not args.no_digits:
        rows += digits(args.repeat)
    lines = [
        HEADING,
        "",
        f"Generated by `python benchmarks/bench_compiled.py` on {time.strftime('%Y-%m-%d %H:%M')}"
        f"; load average (1, 5, 15 min) {load_before} before, {_load()} after. Compiled: best "
        f"of {args.repeat} calls of `run_windows` (hardware-exact, state carried unless said); "
        "Verilator: the native backend's cycle loop for the same windows (GraphTop, the window "
        "protocol of `run_hardware`), its build apart.",
        "",
        "| graph | compiled twin | reference | reference / compiled | outputs |",
        "|---|---:|---:|---:|---|",
        *rows,
        "",
    ]
    section = "\n".join(lines)
    print(section)
    out = Path(args.out)
    text = out.read_text() if out.exists() else ""
    if HEADING in text:
        head, rest = text.split(HEADING, 1)
        at = rest.find("\n## ")
        text = head + section + (rest[at + 1 :] if at >= 0 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    out.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
