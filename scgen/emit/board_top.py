"""A graph on a board: the graph's hardware behind the UART host link, LEDs showing activity,
and :func:`build`, which turns a graph into a bitstream with its report and manifest."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from amaranth.hdl import Elaboratable, Module

from .boards import Board, led_pins, uart_pins
from .boards import board as _board
from .build import BuildResult, run_build
from .verilog import ir_hash

__all__ = ["BoardTop", "build", "graph_manifest"]


class BoardTop(Elaboratable):
    """The board's top level: :class:`scgen.link.HostLinkTop` on the board's UART and LEDs.

    Clock and reset come from the platform (the board oscillator; power-on reset from the
    registers' initial values).
    """

    def __init__(self, graph, board: str | Board):
        from ..link import HostLinkTop

        self.board = _board(board)
        self.graph = graph
        self.link = HostLinkTop(
            graph, clocks_per_bit=self.board.clocks_per_bit, leds=self.board.led_count
        )

    def elaborate(self, platform):
        m = Module()
        m.submodules.link = link = self.link
        rx, tx = uart_pins(m, platform, self.board)
        m.d.comb += [link.rx.eq(rx), tx.eq(link.tx)]
        for k, led in enumerate(led_pins(m, platform, self.board)):
            m.d.comb += led.eq(link.leds[k])
        return m


def _seeds(graph) -> list[dict]:
    out = []
    for i, op in enumerate(graph.ops):
        a = dict(op.attrs)
        seeds = {k: v for k, v in a.items() if "seed" in k}
        if "source" in a and isinstance(a["source"], str):
            seeds["source"] = a["source"]
        if seeds:
            out.append({"op": i, "kind": op.kind, **seeds})
    return out


def _jsonable(values) -> list:
    return [
        int(v) if not isinstance(v, float | np.floating) else float(v)
        for v in np.asarray(values, dtype=object).ravel().tolist()
    ]


def _output_vector(values: np.ndarray):
    """A window-level value as is; a per-cycle output (a stream, spike words) as its sum over
    the window and its first 64 cycles."""
    values = np.asarray(values)  # a wide port's value is a Python int
    if values.ndim == 0:
        return _jsonable(values)[0]
    return {"sum": int(values.astype(np.int64).sum()), "first_64": _jsonable(values[:64])}


def graph_manifest(graph, *, vectors: int = 3, seed: int = 1) -> dict:
    """The graph's part of ``manifest.json``: IR hash and text, seeds, and twin test vectors
    (random inputs for ``vectors`` windows and the outputs the twin gives for them)."""
    from ..ir.ports import input_ports, random_inputs
    from ..sim import run_windows

    inputs = random_inputs(graph, vectors, np.random.default_rng(seed))
    result = run_windows(graph, inputs)
    ports = input_ports(graph, inputs)
    tests = []
    for w in range(vectors):
        tests.append(
            {
                "window": w,
                "inputs": {k: _jsonable(np.asarray(v, dtype=object)[w]) for k, v in ports.items()},
                "outputs": {k: _output_vector(np.asarray(v)[w]) for k, v in result.outputs.items()},
            }
        )
    return {
        "graph": graph.name,
        "ir_sha256": ir_hash(graph),
        "ir_text": graph.to_text(),
        "window_length": result.length,
        "seeds": _seeds(graph),
        "twin_vectors": {
            "seed": seed,
            "note": "input port values (rates as 16-bit full "
            "scale) and the twin's outputs, window by window",
            "windows": tests,
        },
    }


def build(
    graph, *, board: str | Board, out, clock_mhz: float | None = None, progress=print
) -> BuildResult:
    """Build ``graph`` for ``board`` into the folder ``out``: bitstream, ``report.json``,
    ``manifest.json`` and the tool logs (see :func:`scgen.emit.build.run_build`)."""
    b = _board(board)
    graph.check()
    top = BoardTop(graph, b)
    manifest = graph_manifest(graph)
    manifest["host_link"] = {
        "uart": b.link_resource,
        "baud": b.baud,
        "clocks_per_bit": b.clocks_per_bit,
        "via": b.link_via,
    }
    return run_build(top, b, Path(out), clock_mhz=clock_mhz, manifest=manifest, progress=progress)
