"""Resources and fmax of one block (an Amaranth component or a Verilog module) on a board.

Two numbers per block and family:

* **synthesis** of the block alone (``synth_ice40 -dsp`` / ``synth_ecp5``, then ``stat``): LUTs,
  flip-flops, carry cells, DSPs, block RAMs. Nothing outside the block is counted.
* **place and route** inside a small *shim* that gives every input port a register (a shift
  chain fed by one pin) and folds every output port through a register and a pipelined tree of
  4-input XORs into one pin, so no logic is optimised away and the reported fmax is the block's
  register-to-register speed. The shim's own flip-flops (one per port bit, and the tree's) are
  included in the P&R logic-cell count; every shim path is one LUT deep, so it does not limit
  fmax.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from amaranth.hdl import (
    Cat,
    ClockSignal,
    Elaboratable,
    Instance,
    Module,
    ResetSignal,
    Signal,
    Value,
)
from amaranth.lib import wiring

from .boards import board as _board
from .build import BuildError, _tool, run_build, yosys_cells

__all__ = ["Measurement", "VerilogBlock", "measure"]

_SYNTH = {"ice40": "synth_ice40 -dsp", "ecp5": "synth_ecp5", "gowin": "synth_gowin"}


@dataclass
class VerilogBlock:
    """A hand-written Verilog module to measure: its sources, top module and parameters."""

    top: str
    sources: dict[str, str]  # file name -> text
    parameters: dict[str, int] = field(default_factory=dict)
    clock: str = "clk"
    reset_n: str | None = "rst_n"


@dataclass
class Measurement:
    name: str
    family: str
    synth: dict[str, int] | None = None  # normalised synthesis counts of the block alone
    pnr: dict | None = None  # report.json of the shimmed build
    error: str | None = None
    seconds: float = 0.0

    @property
    def fmax_mhz(self) -> float | None:
        if not self.pnr:
            return None
        return min(f["achieved_mhz"] for f in self.pnr["fmax"].values())


def _yosys(script: str, workdir: Path) -> None:
    """Run a Yosys script in ``workdir``; its last ERROR line becomes a :class:`BuildError`."""
    proc = subprocess.run(
        [_tool("yosys"), "-q", "-p", script], cwd=workdir, capture_output=True, text=True
    )
    if proc.returncode != 0:
        lines = [ln for ln in (proc.stdout + proc.stderr).splitlines() if "ERROR" in ln]
        raise BuildError(lines[-1] if lines else (proc.stderr or proc.stdout)[-400:])


def _verilog_read(block: VerilogBlock) -> str:
    """The Yosys commands that read ``block``'s sources and set its parameters."""
    chparams = " ".join(f"-set {k} {v}" for k, v in block.parameters.items())
    return " ".join(f"read_verilog {n};" for n in block.sources) + (
        f" chparam {chparams} {block.top};" if chparams else ""
    )


def _verilog_ports(block: VerilogBlock, workdir: Path) -> list[tuple[str, str, int]]:
    """Ports (name, direction, width) of a Verilog module, via Yosys."""
    for name, text in block.sources.items():
        (workdir / name).write_text(text)
    _yosys(
        f"{_verilog_read(block)} hierarchy -top {block.top}; proc; write_json ports.json;", workdir
    )
    data = json.loads((workdir / "ports.json").read_text())
    top = next(
        m
        for m in data["modules"].values()
        if m.get("attributes", {}).get("top") in (1, "00000000000000000000000000000001")
    )
    return [(n, p["direction"], len(p["bits"])) for n, p in top["ports"].items()]


def _synth_counts(read: str, top: str, family: str, workdir: Path) -> dict[str, int]:
    _yosys(f"{read} {_SYNTH[family]} -top {top}; tee -o stat.txt stat", workdir)
    cells = yosys_cells("Printing statistics\n" + (workdir / "stat.txt").read_text())
    table: dict[str, dict[str, tuple[str, ...]]] = {
        "ice40": {
            "lut": ("SB_LUT4",),
            "ff": ("SB_DFF",),
            "carry": ("SB_CARRY",),
            "dsp": ("SB_MAC16",),
            "bram": ("SB_RAM40",),
        },
        "ecp5": {
            "lut": ("LUT4",),
            "ff": ("TRELLIS_FF",),
            "carry": ("CCU2C",),
            "dsp": ("MULT18X18D", "ALU54B"),
            "bram": ("DP16KD", "PDPW16KD"),
            "lutram": ("TRELLIS_DPR16X4",),
        },
        "gowin": {
            "lut": ("LUT",),
            "ff": ("DFF",),
            "carry": ("ALU",),
            "dsp": ("MULT",),
            "bram": ("BSRAM", "SDP", "DP", "SP"),
        },
    }
    groups = table[family]
    return {k: sum(n for c, n in cells.items() if c.startswith(v)) for k, v in groups.items()}


_FOLD = 4  # inputs of one LUT on every family measured (iCE40, ECP5, Gowin: LUT4)


def _fold_widths(bits: int) -> list[int]:
    """The widths of :func:`fold_tree`'s registered levels over ``bits`` bits."""
    widths: list[int] = []
    while bits > _FOLD:
        bits = -(-bits // _FOLD)
        widths.append(bits)
    return widths


def fold_ffs(bits: int) -> int:
    """The flip-flops of :func:`fold_tree` over ``bits`` bits (its registered levels)."""
    return sum(_fold_widths(bits))


def fold_levels(bits: int) -> int:
    """The registered levels of :func:`fold_tree` over ``bits`` bits."""
    return len(_fold_widths(bits))


def fold_tree(m: Module, bits) -> Value:
    """The XOR of ``bits`` through a tree of registered 4-input XORs: every level is one LUT
    deep, so the shim's own paths never limit fmax (a one-level reduction of a few hundred
    output bits is several LUTs and a chip-wide route deep; on Gowin it was slower than many
    blocks). The result is the XOR of the last level's (at most 4) bits, combinational: it
    lags ``bits`` by one cycle per level, :func:`fold_levels`."""
    for level, width in enumerate(_fold_widths(len(bits))):
        nxt = Signal(width, name=f"fold{level}")
        for g in range(width):
            m.d.sync += nxt[g].eq(bits[_FOLD * g : _FOLD * (g + 1)].xor())
        bits = nxt
    return bits.xor()


class _Shim(Elaboratable):
    def __init__(
        self,
        board,
        make_block,
        ports,
        clock: str | None,
        reset_n: str | None,
        files: dict[str, str],
    ):
        self._board, self._make, self._ports = board, make_block, ports
        self._clock, self._reset_n, self._files = clock, reset_n, files

    def elaborate(self, platform):
        m = Module()
        from .boards import uart_pins

        for name, text in self._files.items():  # a Verilog block's sources
            platform.add_file(name, text)
        rx, tx = uart_pins(m, platform, self._board)
        ins = [
            (n, w)
            for n, d, w in self._ports
            if d == "input" and n not in (self._clock, self._reset_n)
        ]
        outs = [(n, w) for n, d, w in self._ports if d == "output"]
        width_in = sum(w for _, w in ins) or 1
        chain = Signal(width_in)
        m.d.sync += chain.eq((chain << 1) | rx)
        values, at = {}, 0
        for n, w in ins:
            values[n] = chain[at : at + w]
            at += w
        outputs = self._make(m, values)
        folded = Signal()
        regs = []
        for n, w in outs:
            r = Signal(w, name=f"q_{n}")
            m.d.sync += r.eq(outputs[n])
            regs.append(r)
        m.d.sync += folded.eq(fold_tree(m, Cat(*regs)) if regs else 0)
        m.d.comb += tx.eq(folded)
        return m


def _component_maker(component: wiring.Component):
    def make(m, values):
        m.submodules.block = component
        for name, member in component.signature.members.items():
            if member.flow is wiring.In:
                m.d.comb += getattr(component, name).eq(values[name])
        return {
            n: getattr(component, n)
            for n, mem in component.signature.members.items()
            if mem.flow is wiring.Out
        }

    return make


def _instance_maker(block: VerilogBlock, ports):
    def make(m, values):
        outs = {n: Signal(w, name=f"o_{n}") for n, d, w in ports if d == "output"}
        kw = {f"p_{k}": v for k, v in block.parameters.items()}
        for n, d, _w in ports:
            if n == block.clock:
                kw[f"i_{n}"] = ClockSignal()
            elif n == block.reset_n:
                kw[f"i_{n}"] = ~ResetSignal(allow_reset_less=True)
            elif d == "input":
                kw[f"i_{n}"] = values[n]
            else:
                kw[f"o_{n}"] = outs[n]
        m.submodules.block = Instance(block.top, **kw)
        return outs

    return make


def measure(
    name: str, design, board: str, out, *, clock_mhz: float | None = None, progress=None
) -> Measurement:
    """Synthesise ``design`` alone and place-and-route it in the shim for ``board``.

    ``design`` is a flat :class:`wiring.Component` (a factory returning one is also accepted, so
    each step gets a fresh instance) or a :class:`VerilogBlock`. Errors (a block that does not
    synthesise, or does not fit) are recorded in the result, not raised.
    """
    import time

    b = _board(board)
    out = Path(out)
    t0 = time.perf_counter()
    result = Measurement(name, b.family)
    try:
        with tempfile.TemporaryDirectory(prefix="scgen-measure-") as tmp:
            work = Path(tmp)
            clock: str | None
            reset_n: str | None
            if isinstance(design, VerilogBlock):
                ports = _verilog_ports(design, work)
                result.synth = _synth_counts(_verilog_read(design), design.top, b.family, work)
                maker = _instance_maker(design, ports)
                clock, reset_n, files = design.clock, design.reset_n, dict(design.sources)
            else:
                from amaranth.back import rtlil

                from ..sim._top import port_specs
                from ..toolchain import toolchain_env

                def fresh():  # a new instance per use: synthesis alone, then the shim
                    return design if isinstance(design, wiring.Component) else design()

                toolchain_env()
                (work / "block.il").write_text(rtlil.convert(fresh(), name="block", emit_src=False))
                result.synth = _synth_counts("read_rtlil block.il;", "block", b.family, work)
                comp = fresh()
                ports = [
                    (n, "input" if f is wiring.Flow.In else "output", w)
                    for n, f, w, _s in port_specs(comp)
                ]
                maker = _component_maker(comp)
                clock = reset_n = None
                files = {}
        top = _Shim(b, maker, ports, clock, reset_n, files)
        result.pnr = run_build(top, b, out, clock_mhz=clock_mhz, progress=progress).report
        # the shim's own flip-flops: one per input bit, one per output bit, the folded output
        out_bits = sum(w for _n, d, w in ports if d == "output")
        result.pnr["shim_ffs"] = (
            1 + sum(w for n, _d, w in ports if n not in (clock, reset_n)) + fold_ffs(out_bits)
        )
    except BuildError as exc:
        # the tool's own ERROR line says why (e.g. nextpnr: more cells than the device has)
        lines = str(exc).splitlines()
        errors = [ln.strip() for ln in lines if "ERROR" in ln]
        result.error = (
            f"{lines[0].split(' (exit code')[0]}: {errors[-1]}" if errors else lines[0]
        )[:300]
    result.seconds = time.perf_counter() - t0
    return result
