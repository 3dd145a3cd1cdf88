"""LLVM intrinsics Numba does not expose: hardware popcount, and AND+popcount accumulated over
the rows of a weight table in vector registers.

``llvm.ctpop.i64`` compiles to ``popcnt`` on x86-64 and, inside vectorisable loops, to LLVM's
vector popcount (AVX2 nibble look-up), both far faster than a SWAR formula.
"""

from __future__ import annotations

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

__all__ = ["and_popcount_tile8", "and_popcount_tile32", "and_popcount_tile128", "popcount64"]


@intrinsic
def popcount64(typingctx, x):
    """Return the number of set bits of a uint64 (as uint64)."""
    if x != types.uint64:
        return None

    def codegen(context, builder, signature, args):
        return builder.ctpop(args[0])

    return types.uint64(types.uint64), codegen


_TILE_ACCS = (16, 4, 1)  # <8 x i64> accumulators per tile: 128, 32 or 8 neurons


def _make_and_popcount_tile(vectors: int):
    lanes = 8 * vectors

    @intrinsic
    def tile(typingctx, wt, x, lo, hi, n0, acc):
        """``acc[n0 + j] += sum over rows r in [lo, hi) of popcount(wt[r, n0 + j] & x[r])``
        for ``j < 8 * vectors``; ``wt`` is a C-contiguous uint64 (rows, neurons) table, ``x``
        one word per row. The accumulators stay in vector registers for the whole loop (a
        Numba loop over an array reloads and stores them at every row)."""
        ok = (
            isinstance(wt, types.Array)
            and wt.dtype == types.uint64
            and wt.ndim == 2
            and wt.layout == "C"
            and isinstance(x, types.Array)
            and x.dtype == types.uint64
            and x.ndim == 1
            and x.layout == "C"
            and isinstance(acc, types.Array)
            and acc.dtype == types.uint64
            and acc.layout == "C"
            and all(isinstance(a, types.Integer) for a in (lo, hi, n0))
        )
        if not ok:
            return None

        def codegen(context, builder, sig, args):
            i64 = ir.IntType(64)
            vec = ir.VectorType(i64, 8)
            wt_a = context.make_array(sig.args[0])(context, builder, args[0])
            x_a = context.make_array(sig.args[1])(context, builder, args[1])
            acc_a = context.make_array(sig.args[5])(context, builder, args[5])
            lo_v, hi_v, n0_v = (
                context.cast(builder, args[k], sig.args[k], types.int64) for k in (2, 3, 4)
            )
            nn = builder.extract_value(wt_a.shape, 1)
            acc_p = builder.bitcast(builder.gep(acc_a.data, [n0_v]), vec.as_pointer())
            slots = []
            for v in range(vectors):
                slot = cgutils.alloca_once(builder, vec)
                builder.store(
                    builder.load(builder.gep(acc_p, [ir.Constant(i64, v)]), align=8), slot
                )
                slots.append(slot)
            ctpop = cgutils.get_or_insert_function(
                builder.module, ir.FunctionType(vec, [vec]), "llvm.ctpop.v8i64"
            )
            count = builder.sub(hi_v, lo_v)
            with cgutils.for_range(builder, count) as loop:
                r = builder.add(lo_v, loop.index)
                xw = builder.load(builder.gep(x_a.data, [r]))
                xb = builder.insert_element(ir.Constant(vec, ir.Undefined), xw, ir.Constant(i64, 0))
                xb = builder.shuffle_vector(
                    xb,
                    ir.Constant(vec, ir.Undefined),
                    ir.Constant(ir.VectorType(ir.IntType(32), 8), None),
                )
                base = builder.add(builder.mul(r, nn), n0_v)
                row = builder.bitcast(builder.gep(wt_a.data, [base]), vec.as_pointer())
                for v in range(vectors):
                    w = builder.load(builder.gep(row, [ir.Constant(i64, v)]), align=8)
                    c = builder.call(ctpop, [builder.and_(w, xb)])
                    builder.store(builder.add(builder.load(slots[v]), c), slots[v])
            for v in range(vectors):
                builder.store(
                    builder.load(slots[v]), builder.gep(acc_p, [ir.Constant(i64, v)]), align=8
                )
            return context.get_dummy_value()

        return types.void(wt, x, lo, hi, n0, acc), codegen

    tile.__name__ = f"and_popcount_tile{lanes}"
    return tile


and_popcount_tile128, and_popcount_tile32, and_popcount_tile8 = (
    _make_and_popcount_tile(v) for v in _TILE_ACCS
)
