"""Emitters: Verilog/SystemVerilog text, lint, and board builds with the open toolchain."""

from .verilog import LINT_WAIVERS, LintError, ir_hash, lint, verilog

__all__ = ["LINT_WAIVERS", "LintError", "ir_hash", "lint", "verilog"]
