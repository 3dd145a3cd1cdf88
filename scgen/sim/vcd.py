"""Cut a VCD file to a time range, so every backend's ``trace=(path, first, end)`` keeps only
the cycles asked for (the native harness dumps only those; Amaranth's simulator and cocotb's
Verilator dump whole runs, and :func:`cut_vcd` keeps the range)."""

from __future__ import annotations

import re
from pathlib import Path

__all__ = ["cut_vcd", "vcd_units_per_second"]

_UNITS = {"s": 1, "ms": 1e3, "us": 1e6, "ns": 1e9, "ps": 1e12, "fs": 1e15}


def vcd_units_per_second(header: str) -> float:
    """How many time units of a VCD header's ``$timescale`` make one second."""
    m = re.search(r"\$timescale\s+(\d+)\s*([munpf]?s)\s+\$end", header)
    if m is None:
        raise ValueError("VCD header has no $timescale; cannot map cycles to times")
    return _UNITS[m.group(2)] / int(m.group(1))


def cut_vcd(src: Path, dst: Path, begin: int, end: int | None) -> None:
    """Copy the VCD ``src`` to ``dst`` with only the times ``begin <= t < end``.

    The header (scopes and variables) is kept; the cut opens at ``#begin`` with a
    ``$dumpvars`` block holding every variable's value at that time, then every change
    before ``end`` follows with its own (absolute) time.
    """
    text = Path(src).read_text()
    head, sep, body = text.partition("$enddefinitions")
    if not sep:
        raise ValueError(f"{src} is not a VCD file (no $enddefinitions)")
    rest = body.split("$end", 1)[1] if "$end" in body else ""
    out = [head + "$enddefinitions $end"]
    state: dict[str, str] = {}
    time, opened = 0, False
    tokens = rest.split()
    i = 0

    def open_cut() -> None:
        out.append(f"#{begin}")
        out.append("$dumpvars")
        out.extend(f"{v} {k}" if v[0] in "bBrR" else f"{v}{k}" for k, v in sorted(state.items()))
        out.append("$end")

    while i < len(tokens):
        tok = tokens[i]
        i += 1
        if tok.startswith("#"):
            time = int(tok[1:])
            if end is not None and time >= end:
                break
            if time > begin and not opened:
                open_cut()
                opened = True
            if opened and time > begin:
                out.append(tok)
            continue
        if tok.startswith("$"):  # $dumpvars / $dumpall / $end / $comment markers
            if tok == "$comment":
                while i < len(tokens) and tokens[i] != "$end":
                    i += 1
                i += 1
            continue
        if tok[0] in "bBrR":
            value, ident = tok, tokens[i]
            i += 1
            line = f"{value} {ident}"
        else:
            value, ident = tok[0], tok[1:]
            line = tok
        state[ident] = value
        if opened:
            out.append(line)
    if not opened:
        open_cut()
    Path(dst).write_text("\n".join(out) + "\n")
