"""LLVM intrinsics Numba does not expose: hardware popcount.

``llvm.ctpop.i64`` compiles to ``popcnt`` on x86-64 and, inside vectorisable loops, to LLVM's
vector popcount (AVX2 nibble look-up), both far faster than a SWAR formula.
"""

from __future__ import annotations

from numba import types
from numba.extending import intrinsic

__all__ = ["popcount64"]


@intrinsic
def popcount64(typingctx, x):
    """Return the number of set bits of a uint64 (as uint64)."""
    if x != types.uint64:
        return None

    def codegen(context, builder, signature, args):
        return builder.ctpop(args[0])

    return types.uint64(types.uint64), codegen
