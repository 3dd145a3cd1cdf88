"""The external tools scgen drives (Verilator, ccache, the venv's executables): finding them and
making them visible to child processes. Every layer that runs a tool asks here."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

__all__ = ["SimulatorNotFound", "toolchain_env", "verilator_available"]


class SimulatorNotFound(RuntimeError):
    """A simulator needed by a backend is not installed."""


def toolchain_env() -> None:
    """Make the venv's tools (``verilator``, ``python``) and ccache visible to child processes."""
    bindir = str(Path(sys.executable).parent)
    path = os.environ.get("PATH", "")
    if bindir not in path.split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + path
    os.environ.setdefault("AMARANTH_USE_YOSYS", "builtin")
    if shutil.which("ccache"):
        os.environ.setdefault("OBJCACHE", "ccache")
    # The PyPI wheel's verilated.mk leaves CFG_CXXFLAGS_PCH_I empty, so once a model is large
    # enough to be split into several .cpp files the precompiled header is passed as an input
    # file ("Vtop__pch.h.slow: linker input file not found"). Supply the missing flag.
    flags = os.environ.get("MAKEFLAGS", "")
    if "CFG_CXXFLAGS_PCH_I" not in flags:
        os.environ["MAKEFLAGS"] = (flags + " CFG_CXXFLAGS_PCH_I=-include").strip()


def verilator_available() -> bool:
    """Return True when a ``verilator`` executable is on PATH (after :func:`toolchain_env`)."""
    toolchain_env()
    return shutil.which("verilator") is not None
