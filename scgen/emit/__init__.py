"""Emitters: Verilog/SystemVerilog text, lint, and board builds with the open toolchain.

* :func:`verilog` / :func:`lint`: the text of a graph or component, and Verilator's opinion;
* :data:`BOARDS` / :func:`board`: the board profiles of ``scgen/boards/``;
* :func:`build`: a graph on a board (host link, LEDs) through Yosys, nextpnr and the packer,
  with ``report.json`` and ``manifest.json``;
* :func:`measure`: resources and fmax of one block (for ``benchmarks/HARDWARE.md``).
"""

from .board_top import BoardTop, build, graph_manifest
from .boards import BOARDS, Board, board
from .build import BuildError, BuildResult, ToolNotFound, run_build
from .measure import Measurement, VerilogBlock, measure
from .outdir import UnsafeOutput, check_output_dir
from .verilog import LINT_WAIVERS, LintError, ir_hash, lint, verilog

__all__ = [
    # text
    "LINT_WAIVERS",
    "LintError",
    "ir_hash",
    "lint",
    "verilog",
    # boards
    "BOARDS",
    "Board",
    "BoardTop",
    "board",
    # builds
    "BuildError",
    "BuildResult",
    "ToolNotFound",
    "build",
    "graph_manifest",
    "run_build",
    "UnsafeOutput",
    "check_output_dir",
    # measurement
    "Measurement",
    "VerilogBlock",
    "measure",
]
