"""Board builds with the YoWASP tools from PyPI: Amaranth plan -> Yosys -> nextpnr -> packer.

:func:`run_build` runs the steps of an Amaranth build plan one by one (progress and elapsed time
per step) in a hidden staging folder next to the output folder. Only a build whose every step
passed replaces the output folder, so a failed or interrupted build never overwrites the last good
one and leaves no staging folder behind. An existing output folder must be an earlier scgen build
(:mod:`scgen.emit.outdir`), so nothing else is ever deleted. The output folder then holds the
bitstream, the logs, ``report.json`` (resources used/available and fmax per clock against the
board clock) and ``manifest.json`` (which lists every file the build wrote).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from .boards import TOOLS, Board
from .boards import board as _board
from .outdir import MANIFEST, check_output_dir, listed_files, replace_dir, staging_dir

__all__ = ["BuildError", "BuildResult", "ToolNotFound", "run_build"]


class BuildError(RuntimeError):
    """A toolchain step failed; the message names the step and shows the end of its log."""


class ToolNotFound(BuildError):
    """A tool a board build needs is not installed."""


@dataclass
class BuildResult:
    """What :func:`run_build` produced (all paths inside ``out``)."""

    out: Path
    bitstream: Path
    report: dict
    manifest: dict
    steps: list[tuple[str, float]]


def _tool(name: str) -> str:
    exe, package = TOOLS.get(name, (name, name))
    env = os.environ.get(name.upper().replace("-", "_"))
    for candidate in ([env] if env else []) + [exe, str(Path(sys.executable).parent / exe)]:
        found = shutil.which(candidate)
        if found:
            return found
    raise ToolNotFound(
        f"Board builds need {exe} ({name}), which was not found on PATH; install it with "
        f"pip install {package!r} (the fpga extra: pip install 'scgen[fpga]', or ./setup.sh)"
        if package.startswith(("yowasp", "Apycula"))
        else f"Board builds need {exe}, which was not found on PATH; install {package}"
    )


def _tool_versions(names: list[str]) -> dict[str, str]:
    out = {
        "amaranth": metadata.version("amaranth"),
        "amaranth-boards": metadata.version("amaranth-boards"),
    }
    for n in names:
        package = TOOLS.get(n, (n, n))[1]
        try:
            out[package] = metadata.version(package)
        except metadata.PackageNotFoundError:  # e.g. dfu-suffix, from Debian
            pass
    return out


# --------------------------------------------------------------------------------------------
# reports

_CELL_LINE = re.compile(r"^\s+(\d+)\s+(?:[\d.]+\s+)?(\S+)\s*$|^\s+(\S+)\s+(\d+)\s*$")


def yosys_cells(log: str) -> dict[str, int]:
    """Cell counts of the last "Printing statistics" block of a Yosys log (top module)."""
    block = log.rsplit("Printing statistics", 1)[-1]
    cells: dict[str, int] = {}
    started = False
    for line in block.splitlines():
        if "Number of cells" in line or re.match(r"^\s+\d+\s+cells\s*$", line):
            started = True
            continue
        if not started:
            continue
        m = _CELL_LINE.match(line)
        if m is None:
            if cells:
                break
            continue
        count, name = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        if name != "submodules":  # the hierarchy summary line, not a cell
            cells[name] = cells.get(name, 0) + int(count)
    return cells


# normalised resource name -> (nextpnr bel per family, yosys cell prefixes per family)
_BELS = {
    "ice40": {
        "logic_cells": "ICESTORM_LC",
        "bram": "ICESTORM_RAM",
        "dsp": "ICESTORM_DSP",
        "io": "SB_IO",
        "spram": "ICESTORM_SPRAM",
        "global_buffers": "SB_GB",
    },
    "ecp5": {
        "lut": "TRELLIS_COMB",
        "ff": "TRELLIS_FF",
        "bram": "DP16KD",
        "dsp": "MULT18X18D",
        "io": "TRELLIS_IO",
    },
    "gowin": {
        "lut": "LUT4",
        "ff": "DFF",
        "carry": "ALU",
        "bram": "BSRAM",
        "dsp": "MULT18X18",
        "io": "IOB",
    },
}
_CELLS = {
    "ice40": {"lut": ("SB_LUT4",), "ff": ("SB_DFF",), "carry": ("SB_CARRY",)},
    "ecp5": {"carry": ("CCU2C",)},
    "gowin": {},
}


def make_report(family: str, nextpnr: dict, yosys_log: str, clock_mhz: float) -> dict:
    """``report.json`` content from nextpnr's ``--report`` JSON and the Yosys log."""
    util = nextpnr.get("utilization", {})
    cells = yosys_cells(yosys_log)
    res: dict[str, dict] = {}
    for key, bel in _BELS[family].items():
        if bel in util:
            res[key] = {"used": util[bel]["used"], "available": util[bel]["available"]}
    for key, prefixes in _CELLS[family].items():
        used = sum(n for c, n in cells.items() if c.startswith(prefixes))
        if "logic_cells" in res:
            avail = res["logic_cells"]["available"]  # iCE40: one LUT, FF and carry per LC
        else:
            avail = res["lut"]["available"] // 2 if "lut" in res else None  # ECP5: CCU2C = 2 LUTs
        res[key] = {"used": used, "available": avail}
    fmax = {}
    for clk, f in nextpnr.get("fmax", {}).items():
        fmax[clk] = {
            "achieved_mhz": round(f["achieved"], 2),
            "constraint_mhz": round(f["constraint"], 2),
            "pass": f["achieved"] >= f["constraint"],
        }
    return {
        "family": family,
        "resources": res,
        "fmax": fmax,
        "board_clock_mhz": clock_mhz,
        "timing_ok": bool(fmax) and all(f["pass"] for f in fmax.values()),
        "yosys_cells": cells,
        "nextpnr_utilization": util,
    }


# --------------------------------------------------------------------------------------------
# the build


def _say(progress: Callable[[str], None] | None, text: str) -> None:
    if progress is not None:
        progress(text)


def _build_in(top, b: Board, staging: Path, out: Path, name, clock_mhz, manifest, progress):
    """Run every step of the build in ``staging``; return the report, manifest and step times."""
    steps: list[tuple[str, float]] = []
    platform = b.platform(clock_mhz)
    t0 = time.perf_counter()
    _say(progress, f"[{b.name}] elaborate ...")
    from ..toolchain import toolchain_env

    toolchain_env()
    # timing is reported (report.json "pass"), not fatal: a slow design still gets a bitstream
    opts: dict[str, str] = {"nextpnr_opts": f"--report {name}.report.json --timing-allow-fail"}
    if b.synth_opts:
        opts["synth_opts"] = " ".join(b.synth_opts)
    if b.family == "gowin":
        target = clock_mhz or b.clock_mhz
        opts["nextpnr_opts"] += f" --freq {target:g}"
    plan = platform.prepare(top, name=name, **opts)
    for fname, content in plan.files.items():
        path = staging / fname
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    commands = json.loads(plan.files[f"build_{name}.json"])["commands"]
    steps.append(("elaborate", time.perf_counter() - t0))
    _say(progress, f"[{b.name}] elaborate done in {steps[-1][1]:.1f} s")

    exes = [_tool(cmd[0]) for cmd in commands]  # every tool is checked before the first runs
    for cmd, exe in zip(commands, exes, strict=True):
        step = cmd[0]
        _say(progress, f"[{b.name}] {step} ...")
        t0 = time.perf_counter()
        log = staging / f"{step}.log"
        with open(log, "w") as fh:
            proc = subprocess.run([exe, *cmd[1:]], cwd=staging, stdout=fh, stderr=subprocess.STDOUT)
        steps.append((step, time.perf_counter() - t0))
        if proc.returncode != 0:
            # the staging folder goes when this error leaves run_build; the log's end goes with it
            tail = "\n".join(log.read_text(errors="replace").splitlines()[-25:])
            raise BuildError(
                f"{step} failed (exit code {proc.returncode}) building for {b.name}; the last "
                f"good build in {out} is unchanged; the end of {log.name}:\n{tail}"
            )
        _say(progress, f"[{b.name}] {step} done in {steps[-1][1]:.1f} s")

    nextpnr = json.loads((staging / f"{name}.report.json").read_text())
    rpt = staging / f"{name}.rpt"
    report = make_report(
        b.family, nextpnr, rpt.read_text() if rpt.exists() else "", clock_mhz or b.clock_mhz
    )
    report.update(
        board=b.name, device=b.device, steps=[{"step": s, "seconds": round(t, 2)} for s, t in steps]
    )
    from .. import __version__

    full_manifest = {
        "scgen": __version__,
        "board": b.name,
        "device": b.device,
        "bitstream": b.bitstream,
        "tools": _tool_versions([c[0] for c in commands]),
        **(manifest or {}),
    }
    (staging / "report.json").write_text(json.dumps(report, indent=2) + "\n")
    # the marker of an scgen build folder: every file written, so a rebuild replaces only those
    full_manifest["files"] = sorted({*listed_files(staging), MANIFEST})
    (staging / MANIFEST).write_text(json.dumps(full_manifest, indent=2) + "\n")
    return report, full_manifest, steps


def run_build(
    top,
    board: str | Board,
    out,
    *,
    name: str = "top",
    clock_mhz: float | None = None,
    manifest: dict | None = None,
    progress: Callable[[str], None] | None = print,
) -> BuildResult:
    """Build ``top`` (an Elaboratable using the board's resources) for ``board`` into ``out``.

    ``clock_mhz`` overrides the clock constraint given to nextpnr (default: the board's
    oscillator). ``manifest`` entries are written to ``manifest.json`` beside the tool versions.
    """
    b = _board(board)
    out = check_output_dir(out)
    t_all = time.perf_counter()
    with staging_dir(out) as staging:
        report, full_manifest, steps = _build_in(
            top, b, staging, out, name, clock_mhz, manifest, progress
        )
        replace_dir(staging, out)
    total = time.perf_counter() - t_all
    clk = ", ".join(
        f"{c}: {f['achieved_mhz']} MHz ({'PASS' if f['pass'] else 'FAIL'} at "
        f"{f['constraint_mhz']} MHz)"
        for c, f in report["fmax"].items()
    )
    _say(progress, f"[{b.name}] built in {total:.1f} s: {out / b.bitstream}; {clk}")
    return BuildResult(out, out / b.bitstream, report, full_manifest, steps)
