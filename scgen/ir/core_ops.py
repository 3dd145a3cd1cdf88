"""The seed's ops (``input``, ``output``, ``constant``, ``encode``, ``and``, ``popcount``,
``lif_step``, ``dense_forward``, ``scale``, ``offset``, ``div_const``) as op objects.

Where a seed op is a registered primitive with fixed parameters it *is* that primitive: ``encode``
is the ``encoder`` on the seed's 16-bit LFSR, ``and`` is ``mul_and``, ``popcount`` is the window
``counter``, ``lif_step`` is the ``lif`` neuron and ``dense_forward`` is the ``dense`` layer, in
hardware and in the twin alike. The window protocol they run in is described in
:mod:`scgen.ir.lower`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from amaranth.hdl import Const, Mux, ResetInserter, Signal, signed

from ..params import (
    CounterParams,
    DenseParams,
    EncoderParams,
    LfsrParams,
    LifParams,
    MulAndParams,
)
from ..primitives import PRIMITIVES
from .graph import Op
from .ops import (
    OPS,
    AttrDef,
    HwContext,
    OpKind,
    Packed,
    PlanContext,
    TwinContext,
    register_op,
)
from .ports import const_value, const_windows, output_fields, per_cycle, port_shape
from .types import RATE_BITS, Bitstream, Bool, Fixed, Rate, SInt, Tuple, Type, UInt, Vec

__all__ = ["fold_constant", "wrap_signed"]


def wrap_signed(v: np.ndarray, width: int) -> np.ndarray:
    """``v`` as a ``width``-bit signed port holds it (two's complement wrap)."""
    lo, hi = -(1 << (width - 1)), (1 << (width - 1)) - 1
    if (v < lo).any() or (v > hi).any():
        return ((v - lo) & ((1 << width) - 1)) + lo
    return v


def fold_constant(ctx: HwContext, operand: int, width: int) -> int | None:
    """The value of ``operand`` as a ``width``-bit signed port sees it, when the op that
    defines it is a constant (so the hardware can fold it in); else None."""
    op = ctx.producer[operand]
    if not OPS[op.kind].is_constant:
        return None
    raw = const_value(op) & ((1 << width) - 1)
    return raw - (1 << width) if raw >> (width - 1) else raw


def _is_stream(t: Type) -> bool:
    return isinstance(t, Bitstream)


def _parallel(ctx: TwinContext) -> bool:
    """Whether a window-local op splits its windows over threads (its windows are independent
    whatever the graph carries): more than one thread, and enough stream cycles to pay for
    waking them (about 10 us)."""
    import numba

    return numba.get_num_threads() > 1 and ctx.windows * ctx.length >= 1 << 18


class _WindowOp(OpKind):
    """An op whose result in a window depends on that window alone (no state across windows)."""

    def carries_state(self, op: Op) -> bool:
        return False


# --------------------------------------------------------------------------------------------
# graph boundary


class Input(_WindowOp):
    kind = "input"
    attrs = (AttrDef("name", "str"), AttrDef("type", "type"))
    syntax = "named"

    def result(self, types: list[Type], attrs: dict) -> Type | None:
        return attrs["type"]

    def lowering_problems(self, op: Op, types: dict[int, Type]) -> list[str]:
        port_shape(op.attr("type"))  # raises LoweringError for a type without a port
        return []

    def hardware(self, ctx: HwContext, op: Op, args: list[Any]) -> Any:
        port = getattr(ctx.top, op.attr("name"))
        if not ctx.top.latch_inputs:
            return port
        reg = Signal(port_shape(op.attr("type")), name=f"in_{op.attr('name')}")
        with ctx.m.If(ctx.start):
            ctx.m.d.sync += reg.eq(port)
        return reg

    def plan_features(self, ctx: PlanContext, op: Op) -> tuple[dict[str, float], int] | None:
        return {"input_bits": float(ctx.bits(op.attr("type")))}, 0

    def twin(self, ctx: TwinContext, op: Op, args: list[Any]) -> Any:
        return ctx.ports[op.attr("name")]


class Output(_WindowOp):
    kind = "output"
    operands = ("source",)
    attrs = (AttrDef("name", "str"),)
    syntax = "named"
    has_result = False

    def result(self, types: list[Type], attrs: dict) -> Type | None:
        return None

    def hardware(self, ctx: HwContext, op: Op, args: list[Any]) -> Any:
        src = op.operands[0]
        t = ctx.types[src]
        producer = ctx.producer[src]
        # per-cycle values of ops with less latency than the graph are delayed to align
        delay = ctx.latency - OPS[producer.kind].latency(producer)
        for port, field in output_fields(op.attr("name"), t):
            value = args[0] if field is None else args[0][field]
            out = getattr(ctx.top, port)
            if per_cycle(t):
                for k in range(delay):
                    reg = Signal.like(out, name=f"{port}_d{k}")
                    ctx.m.d.sync += reg.eq(value)
                    value = reg
                ctx.m.d.comb += out.eq(value)
            else:
                with ctx.m.If(ctx.last):
                    ctx.m.d.sync += out.eq(value)
        return None

    def plan_features(self, ctx: PlanContext, op: Op) -> tuple[dict[str, float], int] | None:
        t = ctx.types[op.operands[0]]
        bits = sum(ctx.bits(x) for x in t.items) if isinstance(t, Tuple) else ctx.bits(t)
        return {"output_bits": float(1 if isinstance(t, Bitstream) else bits)}, 0

    def twin(self, ctx: TwinContext, op: Op, args: list[Any]) -> Any:
        t = ctx.types[op.operands[0]]
        for port, field in output_fields(op.attr("name"), t):
            ctx.outputs[port] = np.asarray(args[0] if field is None else args[0][field])
        return None

    def compiled(self, ctx: TwinContext, op: Op, args: list[Any]) -> Any:
        ctx.ran("unpacked" if isinstance(args[0], Packed) else "as is")
        return self.twin(ctx, op, [ctx.plain(a) for a in args])


class Constant(_WindowOp):
    kind = "constant"
    attrs = (AttrDef("value", "value"), AttrDef("type", "type"))
    syntax = "literal"
    is_constant = True

    def result(self, types: list[Type], attrs: dict) -> Type | None:
        return attrs["type"]

    def hardware(self, ctx: HwContext, op: Op, args: list[Any]) -> Any:
        return Const(const_value(op), port_shape(op.attr("type")))

    def plan_features(self, ctx: PlanContext, op: Op) -> tuple[dict[str, float], int] | None:
        return {}, 0  # folded into its consumers

    def twin(self, ctx: TwinContext, op: Op, args: list[Any]) -> Any:
        return const_windows(op, ctx.windows)


# --------------------------------------------------------------------------------------------
# streams


class Encode(_WindowOp):
    """The ``encoder`` primitive on the seed's 16-bit LFSR, reseeded at every window."""

    kind = "encode"
    operands = ("prob",)
    attrs = (
        AttrDef("length", "int", 1024, "", 1, 1 << 32),
        AttrDef("seed", "int", 0xACE1, "", 1, 0xFFFF, hex=True),
    )

    @staticmethod
    def params(op: Op) -> EncoderParams:
        return EncoderParams(source=LfsrParams(seed=op.attr("seed")))

    def result(self, types: list[Type], attrs: dict) -> Type | None:
        return Bitstream(attrs["length"], "unipolar", LfsrParams(seed=attrs["seed"]).identity())

    def check(self, types: list[Type], attrs: dict) -> list[str]:
        t = types[0]
        if not isinstance(t, Rate | UInt):
            return [f"operand 'prob' must be a rate or an unsigned integer, not {t}"]
        if isinstance(t, UInt) and t.bits > 16:
            return [
                f"operand 'prob' must be at most 16 bits wide to drive a 16-bit encoder, not {t}"
            ]
        return []

    def hardware(self, ctx: HwContext, op: Op, args: list[Any]) -> Any:
        enc = PRIMITIVES["encoder"].hw(self.params(op))
        ctx.m.submodules[ctx.name(op)] = ResetInserter(ctx.start)(enc)
        ctx.m.d.comb += [enc.x.eq(args[0]), enc.en.eq(1)]
        return enc.o

    def plan_features(self, ctx: PlanContext, op: Op) -> tuple[dict[str, float], int] | None:
        # a scale/offset in front is combinational: its path runs on into the comparator
        return {"encode": 1.0}, RATE_BITS + ctx.comb.get(op.operands[0], 0)

    def twin(self, ctx: TwinContext, op: Op, args: list[Any]) -> Any:
        x = np.broadcast_to(np.asarray(args[0])[:, None], (ctx.windows, ctx.length))
        return PRIMITIVES["encoder"].twin(self.params(op), x).o.reshape(ctx.windows, ctx.length)

    def compiled(self, ctx: TwinContext, op: Op, args: list[Any]) -> Any:
        # the LFSR runs the same sequence whatever it encodes: one source run, packed compares;
        # a constant operand is encoded once per graph
        from ..sw.lfsr_encode import encode_lfsr, encode_lfsr_seeds  # Numba: on first run

        params, src = self.params(op), ctx.producer[op.operands[0]]
        if OPS[src.kind].is_constant:
            key = ("encode", ctx.index)
            if key not in ctx.cache:
                ctx.cache[key] = encode_lfsr(params, np.asarray(args[0])[:1], ctx.length)
            ctx.ran("packed (constant, encoded once)")
            return Packed(ctx.cache[key], ctx.length)
        # every window's compares in one sequential kernel (the LFSR's cycle is read once):
        # equal to encode_lfsr, without waking a thread pool for a few words per window
        x = np.asarray(args[0], dtype=np.int64)[:, None]
        parallel = _parallel(ctx)
        words = encode_lfsr_seeds(
            LfsrParams(), [op.attr("seed")], x, ctx.length, parallel=parallel
        )[:, 0, :]
        ctx.ran("packed, windows in parallel" if parallel else "packed")
        return Packed(words, ctx.length)


class And(_WindowOp):
    """The ``mul_and`` primitive (one lane): the unipolar product of two streams."""

    kind = "and"
    operands = ("lhs", "rhs")
    positional = 2

    def result(self, types: list[Type], attrs: dict) -> Type | None:
        lhs = types[0]
        length = lhs.length if isinstance(lhs, Bitstream) else 0
        return Bitstream(length, "unipolar", "")

    def check(self, types: list[Type], attrs: dict) -> list[str]:
        out = []
        for name, t in zip(("lhs", "rhs"), types, strict=True):
            if not _is_stream(t):
                out.append(f"operand '{name}' must be a bitstream, not {t}")
        if out:
            return out
        lhs, rhs = types
        assert isinstance(lhs, Bitstream) and isinstance(rhs, Bitstream)
        if lhs.length and rhs.length and lhs.length != rhs.length:
            out.append(
                f"operands must have the same stream length, not {lhs.length} and {rhs.length}"
            )
        if lhs.encoding != "unipolar" or rhs.encoding != "unipolar":
            out.append("operands of an AND product must be unipolar streams")
        return out

    def hardware(self, ctx: HwContext, op: Op, args: list[Any]) -> Any:
        mul = PRIMITIVES["mul_and"].hw(MulAndParams())
        ctx.m.submodules[ctx.name(op)] = mul
        ctx.m.d.comb += [mul.a.eq(args[0]), mul.b.eq(args[1])]
        return mul.o

    def plan_features(self, ctx: PlanContext, op: Op) -> tuple[dict[str, float], int] | None:
        return {"and": 1.0}, 0

    def twin(self, ctx: TwinContext, op: Op, args: list[Any]) -> Any:
        return PRIMITIVES["mul_and"].twin(MulAndParams(), args[0], args[1]).o

    def compiled(self, ctx: TwinContext, op: Op, args: list[Any]) -> Any:
        lhs, rhs = (ctx.packed(a) for a in args)
        ctx.ran("packed")
        return Packed(lhs.words & rhs.words, ctx.length)


class Popcount(_WindowOp):
    """The window ``counter`` primitive: the ones of a whole stream."""

    kind = "popcount"
    operands = ("input",)
    attrs = (AttrDef("width", "int", 64, "", 1, 64),)

    def result(self, types: list[Type], attrs: dict) -> Type | None:
        return UInt(attrs["width"])

    def check(self, types: list[Type], attrs: dict) -> list[str]:
        t = types[0]
        if not isinstance(t, Bitstream):
            return [f"operand 'input' must be a bitstream, not {t}"]
        need = max(1, t.length.bit_length())
        if attrs["width"] < need:
            return [
                f"result width {attrs['width']} cannot hold a count of up to {t.length}; "
                f"needs {need} bits"
            ]
        return []

    def attrs_from_type(self, declared: Type, attrs: dict) -> None:
        if "width" not in attrs:
            attrs["width"] = getattr(declared, "bits", 64)

    def hardware(self, ctx: HwContext, op: Op, args: list[Any]) -> Any:
        cnt = PRIMITIVES["counter"].hw(CounterParams(window=ctx.length))
        ctx.m.submodules[ctx.name(op)] = cnt
        ctx.m.d.comb += [cnt.start.eq(ctx.start_d), cnt.x.eq(args[0])]
        value = Signal(op.attr("width"), name=f"v{op.result}")
        ctx.m.d.comb += value.eq(cnt.count)
        return value

    def plan_features(self, ctx: PlanContext, op: Op) -> tuple[dict[str, float], int] | None:
        bits = max(1, ctx.length.bit_length())
        assert op.result is not None
        ctx.value_bits[op.result] = bits
        return {"popcount": 1.0, "popcount_bits": float(bits)}, bits

    def twin(self, ctx: TwinContext, op: Op, args: list[Any]) -> Any:
        # the counter starts on the first stream cycle; its count is final one cycle after
        # the last one (the window's ``last`` cycle)
        w, n = ctx.windows, ctx.length
        x = np.zeros((w, n + 1), dtype=np.uint8)
        x[:, :n] = args[0]
        start = np.zeros((w, n + 1), dtype=np.uint8)
        start[:, 0] = 1
        count = PRIMITIVES["counter"].twin(CounterParams(window=n), start, x).count
        return count[:, n]  # verify() checked that the width holds a count of up to L

    def compiled(self, ctx: TwinContext, op: Op, args: list[Any]) -> Any:
        from ..sw.packed import popcount_streams

        words = ctx.packed(args[0]).words
        parallel = _parallel(ctx) and len(words) > 1
        counts = popcount_streams(words, parallel=parallel)
        ctx.ran("packed, windows in parallel" if parallel else "packed")
        return np.repeat(counts, ctx.windows) if len(counts) == 1 else counts


# --------------------------------------------------------------------------------------------
# neurons


_LIF_ATTRS = (
    AttrDef("data_width", "int", 16, "dw", 2, 32),
    AttrDef("fraction", "int", 8, "frac", 0, 31),
    AttrDef("v_threshold", "int", 256, "vt", -(1 << 31), (1 << 31) - 1),
    AttrDef("refractory_period", "int", 2, "rp", 0, (1 << 32) - 1),
    AttrDef("v_rest", "int", 0, "", -(1 << 31), (1 << 31) - 1),
    AttrDef("v_reset", "int", 0, "", -(1 << 31), (1 << 31) - 1),
)


def lif_neuron(ctx: HwContext, params: LifParams, leak: tuple, gain: tuple) -> Any:
    """A ``lif`` primitive whose leak and gain are folded in when they are graph constants
    (``leak``/``gain`` = (operand id, signal)); the others are wired to their signals."""
    folded, wired = {}, {}
    for port, (operand, signal) in (("leak_k", leak), ("gain_k", gain)):
        value = fold_constant(ctx, operand, params.data_width)
        if value is None:
            wired[port] = signal
        else:
            folded[port] = value
    lif = PRIMITIVES["lif"].hw(params, **folded)
    for port, signal in wired.items():
        ctx.m.d.comb += getattr(lif, port).eq(signal)
    return lif


class LifStep(OpKind):
    """The ``lif`` primitive, one step per window (its state carries from window to window)."""

    kind = "lif_step"
    operands = ("current", "leak", "gain", "noise")
    attrs = _LIF_ATTRS

    @staticmethod
    def params(op: Op) -> LifParams:
        a = dict(op.attrs)
        return LifParams(**{d.name: a[d.name] for d in _LIF_ATTRS})

    def result(self, types: list[Type], attrs: dict) -> Type | None:
        return Tuple((Bool(), Fixed(attrs["data_width"], attrs["fraction"])))

    def check(self, types: list[Type], attrs: dict) -> list[str]:
        out = []
        for name, t in zip(self.operands, types, strict=True):
            if not isinstance(t, Fixed | SInt | UInt):
                out.append(f"operand '{name}' must be a fixed-point or integer value, not {t}")
            elif isinstance(t, Fixed) and t.frac != attrs["fraction"]:
                out.append(
                    f"operand '{name}' is {t} but the neuron computes with {attrs['fraction']} "
                    f"fraction bits"
                )
            elif t.width > attrs["data_width"]:
                out.append(
                    f"operand '{name}' is {t.width} bits wide, wider than the neuron's "
                    f"data_width {attrs['data_width']}"
                )
        if attrs["fraction"] >= attrs["data_width"]:
            out.append(
                f"fraction {attrs['fraction']} must be below data_width {attrs['data_width']}"
            )
        return out

    def hardware(self, ctx: HwContext, op: Op, args: list[Any]) -> Any:
        cur, leak, gain, noise = args
        lif = lif_neuron(ctx, self.params(op), (op.operands[1], leak), (op.operands[2], gain))
        ctx.m.submodules[ctx.name(op)] = lif
        ctx.m.d.comb += [lif.en.eq(ctx.last), lif.I_t.eq(cur), lif.noise_in.eq(noise)]
        return {"spike": lif.spike, "v": lif.v}

    def plan_features(self, ctx: PlanContext, op: Op) -> tuple[dict[str, float], int] | None:
        dw = op.attr("data_width")
        wired = sum(not ctx.is_constant(o) for o in op.operands[1:3])  # leak, gain multipliers
        return {"lif": 1.0, "lif_dw": float(dw), "lif_wired_dw": float(wired * dw)}, dw * (
            1 + wired
        )

    def twin(self, ctx: TwinContext, op: Op, args: list[Any]) -> Any:
        p = self.params(op)
        # the ports truncate to data_width bits, as the hardware connection does
        current, leak, gain, noise = (wrap_signed(np.asarray(v), p.data_width) for v in args)
        trace = PRIMITIVES["lif"].twin(p, leak_k=leak, gain_k=gain, I_t=current, noise_in=noise)
        return {"spike": trace.spike.astype(np.int64), "v": trace.v.astype(np.int64)}

    def compiled(self, ctx: TwinContext, op: Op, args: list[Any]) -> Any:
        if not ctx.fresh:
            return super().compiled(ctx, op, args)
        # every window from reset: one neuron per window (a batch row), one step each
        p = self.params(op)
        current, leak, gain, noise = (
            wrap_signed(np.ascontiguousarray(v, dtype=np.int64).reshape(-1, 1), p.data_width)
            for v in args
        )
        trace = PRIMITIVES["lif"].twin(p, leak_k=leak, gain_k=gain, I_t=current, noise_in=noise)
        ctx.ran("twin, per window, each from reset")
        return {"spike": trace.spike.astype(np.int64)[:, 0], "v": trace.v.astype(np.int64)[:, 0]}


# --------------------------------------------------------------------------------------------
# window-level arithmetic


class _RateOp(_WindowOp):
    """``scale``/``offset`` on a rate held for the window, in integer arithmetic, clamped."""

    name = ""

    def result(self, types: list[Type], attrs: dict) -> Type | None:
        return Rate()

    def check(self, types: list[Type], attrs: dict) -> list[str]:
        t = types[0]
        if not isinstance(t, Rate | Fixed | UInt | SInt):
            return [f"operand 'input' must be a number, not {t}"]
        return []

    def lowering_problems(self, op: Op, types: dict[int, Type]) -> list[str]:
        t = types[op.operands[0]]
        if not isinstance(t, Rate):
            return [f"{op.kind} is lowered for rates only, not {t}"]
        return []

    def constant(self, op: Op) -> int:
        raise NotImplementedError

    def apply(self, x: Any, k: int) -> Any:
        raise NotImplementedError

    def hardware(self, ctx: HwContext, op: Op, args: list[Any]) -> Any:
        raw = Signal(signed(RATE_BITS + 40), name=f"raw{op.result}")
        ctx.m.d.comb += raw.eq(self.apply(args[0], self.constant(op)))
        value = Signal(RATE_BITS, name=f"v{op.result}")
        top = (1 << RATE_BITS) - 1
        ctx.m.d.comb += value.eq(Mux(raw < 0, 0, Mux(raw > top, top, raw)))
        return value

    def adders(self, op: Op) -> int:
        """Adder stages beyond the op's own: a constant multiply is one per bit of the
        constant past the first, its trailing zeros being a shift (0: no multiply)."""
        return 0

    def raw_range(self, op: Op, bits: int) -> tuple[int, int]:
        """The least and greatest raw value before the clamp, for a ``bits``-bit input."""
        k, top = self.constant(op), (1 << bits) - 1
        ends = (self.apply(0, k), self.apply(top, k))
        return min(ends), max(ends)

    def plan_features(self, ctx: PlanContext, op: Op) -> tuple[dict[str, float], int] | None:
        from ..mapping import dsp_multiply, odd_part

        assert op.result is not None
        n = self.adders(op)
        bits = ctx.operand_bits(op.operands[0])
        dsp = n > 0 and dsp_multiply(ctx.family, bits, self.constant(op))
        # a clamp whose comparison the raw value's range decides is folded away by Yosys
        lo, hi = self.raw_range(op, bits)
        clamps = (lo < 0) + (hi > (1 << RATE_BITS) - 1)
        chain = RATE_BITS * (1 + (n > 0))  # a multiply is one stage (a DSP or an adder tree)
        ctx.comb[op.result] = chain  # combinational: its consumer's path runs through it
        f = {
            "rate_op": 1.0,
            "rate_mul": float(dsp),  # in a DSP, as the family's synthesis decides
            "rate_clamps": float(clamps),
        }
        if n and not dsp:
            # a multiply in logic costs what Yosys makes of the constant, not a linear function
            # of its bits (Gowin, where these are the constants of 2 or 3 bits: x 3 is one
            # subtractor in carry cells and no LUT, x 5 28 LUTs, x 7 32): a coefficient per
            # odd part, each fitted on calibration builds
            f[f"rate_soft_mul{odd_part(self.constant(op))}"] = 1.0
        return f, chain

    def twin(self, ctx: TwinContext, op: Op, args: list[Any]) -> Any:
        y = self.apply(np.asarray(args[0]), self.constant(op))
        return np.clip(y, 0, (1 << RATE_BITS) - 1)


class Scale(_RateOp):
    """Multiply by ``trunc(factor * 256)`` and shift right by 8 (the seed's Q8.8 factor)."""

    kind = "scale"
    operands = ("input",)
    attrs = (AttrDef("factor", "float", 1.0, "", -(1 << 24), 1 << 24),)

    def constant(self, op: Op) -> int:
        return int(op.attr("factor") * 256)

    def adders(self, op: Op) -> int:
        from ..mapping import odd_part

        return max(0, odd_part(self.constant(op)).bit_length() - 1)  # a power of two: a shift

    def apply(self, x: Any, k: int) -> Any:
        return (x * k) >> 8


class Offset(_RateOp):
    """Add ``trunc(offset * 65536)``."""

    kind = "offset"
    operands = ("input",)
    attrs = (AttrDef("offset", "float", 0.0, "", -(1 << 16), 1 << 16),)

    def constant(self, op: Op) -> int:
        return int(op.attr("offset") * (1 << RATE_BITS))

    def apply(self, x: Any, k: int) -> Any:
        return x + k


class DivConst(_WindowOp):
    kind = "div_const"
    operands = ("input",)
    attrs = (AttrDef("divisor", "int", 1, "", 1, (1 << 64) - 1),)

    def result(self, types: list[Type], attrs: dict) -> Type | None:
        t = types[0]
        return t if isinstance(t, UInt) else UInt(64)

    def check(self, types: list[Type], attrs: dict) -> list[str]:
        if not isinstance(types[0], UInt):
            return [f"operand 'input' must be an unsigned integer, not {types[0]}"]
        return []

    def hardware(self, ctx: HwContext, op: Op, args: list[Any]) -> Any:
        assert op.result is not None
        t = ctx.types[op.result]
        assert isinstance(t, UInt)
        value = Signal(t.width, name=f"v{op.result}")
        ctx.m.d.comb += value.eq(args[0] // op.attr("divisor"))
        return value

    def plan_features(self, ctx: PlanContext, op: Op) -> tuple[dict[str, float], int] | None:
        # combinational; a power of two is a shift, any other divisor Yosys's generic divider
        # (one subtractor per quotient bit), over the bits of the operand that can be non-zero
        assert op.result is not None
        d, n = op.attr("divisor"), ctx.operand_bits(op.operands[0])
        ctx.value_bits[op.result] = max(1, n - d.bit_length() + 1)
        if d & (d - 1) == 0:
            return {}, 0
        ctx.comb[op.result] = n * n
        return {"div_const_bits2": float(n * n)}, n * n

    def twin(self, ctx: TwinContext, op: Op, args: list[Any]) -> Any:
        return np.asarray(args[0]) // op.attr("divisor")


# --------------------------------------------------------------------------------------------
# the dense layer

_U16 = dict(lo=0, hi=0xFFFF)


class DenseForward(OpKind):
    """The ``dense`` primitive: SC synapses driving LIF neurons, one spike word per cycle."""

    kind = "dense_forward"
    operands = ("inputs", "weights", "leak", "gain")
    attrs = (
        AttrDef("n_inputs", "int", 3, "ni", 1, 1 << 16),
        AttrDef("n_neurons", "int", 7, "nn", 1, 1 << 16),
        AttrDef("stream_length", "int", 1024, "len", 1, 1 << 32),
        AttrDef("data_width", "int", 16, "dw", 2, 32),
        AttrDef("input_seed_base", "int", 0xACE1, "", **_U16, hex=True),
        AttrDef("weight_seed_base", "int", 0xBEEF, "", **_U16, hex=True),
        AttrDef("y_min", "int", 0, "", 0, (1 << 32) - 1),
        AttrDef("y_max", "int", 256, "", 0, (1 << 32) - 1),
    )

    def result(self, types: list[Type], attrs: dict) -> Type | None:
        return Vec(Bool(), attrs["n_neurons"])

    def check(self, types: list[Type], attrs: dict) -> list[str]:
        out = []
        for name, t in zip(("inputs", "weights"), types[:2], strict=True):
            if not (isinstance(t, Vec) and isinstance(t.elem, Rate | Fixed | UInt)):
                out.append(f"operand '{name}' must be a vector of rates or numbers, not {t}")
        if out:
            return out
        x, w = types[0], types[1]
        assert isinstance(x, Vec) and isinstance(w, Vec)
        ni, nn = attrs["n_inputs"], attrs["n_neurons"]
        if x.n != ni:
            out.append(f"operand 'inputs' has {x.n} elements, expected n_inputs {ni}")
        if w.n not in (ni, ni * nn):
            out.append(
                f"operand 'weights' has {w.n} elements, expected n_inputs "
                f"({ni}) or n_inputs x n_neurons ({ni * nn})"
            )
        if attrs["data_width"] < 10:
            out.append(
                f"data_width must be at least 10 (the neurons' threshold "
                f"2**min(8, data_width - 1) is a signed data_width-bit value), not "
                f"{attrs['data_width']}"
            )
        return out

    def stream_length(self, op: Op) -> int | None:
        return op.attr("stream_length")

    def latency(self, op: Op) -> int:
        return 1

    def hardware(self, ctx: HwContext, op: Op, args: list[Any]) -> Any:
        return _dense_hardware(ctx, op, args)

    def plan_features(self, ctx: PlanContext, op: Op) -> tuple[dict[str, float], int] | None:
        p = _dense_params(op, ctx.types, ctx.producer)
        ni, nn, dw = p.n_inputs, p.n_neurons, p.data_width
        # with shared weights every neuron sees the same synapse count: Yosys merges the
        # count registers and the scaling behind them into one (the neurons keep their state)
        counts = 1 if p.shared_weights else nn
        # the count is scaled by (y_max - y_min) / n_inputs: a shift when n_inputs is a power
        # of two, else Yosys's generic divider, n stages of n-bit subtractors
        n = max(1, (p.y_max - p.y_min).bit_length()) + max(1, ni.bit_length())
        divider = 0 if ni & (ni - 1) == 0 else n * n
        f = {
            "dense_encoders": float(ni + (0 if p.uses_rom else p.n_weights)),
            "dense_neurons": float(nn),
            "dense_neuron_dw": float(nn * dw),
            "dense_count_bits": float(counts * max(1, ni.bit_length())),
            "dense_divider_bits2": float(counts * divider),
        }
        if p.uses_rom:  # the weight streams' ROM: block RAM or logic, as Yosys decides
            f.update(ctx.rom(p.n_weights, p.stream_length))
        return f, max(2 * dw, divider)

    def twin(self, ctx: TwinContext, op: Op, args: list[Any]) -> Any:
        return _dense_twin(ctx, op, args)

    def compiled(self, ctx: TwinContext, op: Op, args: list[Any]) -> Any:
        return _dense_compiled(ctx, op, args)


for _op in (
    Input(),
    Output(),
    Constant(),
    Encode(),
    And(),
    Popcount(),
    LifStep(),
    DenseForward(),
    Scale(),
    Offset(),
    DivConst(),
):
    register_op(_op)


def _dense_params(op: Op, types: dict[int, Type], producer: dict[int, Op]) -> DenseParams:
    """The ``dense`` primitive's params for a ``dense_forward`` op: its attributes, and the
    weights, leak and gain folded in where the graph gives them as constants."""
    a = dict(op.attrs)
    ni, nn, w = a["n_inputs"], a["n_neurons"], a["data_width"]
    shared = types[op.operands[1]].n == ni  # type: ignore[attr-defined]
    n_weights = ni if shared else ni * nn
    weights = None
    w_op = producer[op.operands[1]]
    if OPS[w_op.kind].is_constant:
        packed, mask = const_value(w_op), (1 << RATE_BITS) - 1
        weights = tuple((packed >> (RATE_BITS * k)) & mask for k in range(n_weights))
    factors = {}
    for name, operand in (("leak_k", op.operands[2]), ("gain_k", op.operands[3])):
        c = producer[operand]
        if OPS[c.kind].is_constant:
            raw = const_value(c) & ((1 << w) - 1)  # the port's view: wrapped to W bits
            factors[name] = raw - (1 << w) if raw >> (w - 1) else raw
    return DenseParams(
        n_inputs=ni,
        n_neurons=nn,
        stream_length=a["stream_length"],
        data_width=w,
        input_seed_base=a["input_seed_base"],
        weight_seed_base=a["weight_seed_base"],
        y_min=a["y_min"],
        y_max=a["y_max"],
        shared_weights=shared,
        weights=weights,
        **factors,
    )


def _dense_hardware(ctx: HwContext, op: Op, args: list[Any]) -> Any:
    p = _dense_params(op, ctx.types, ctx.producer)
    dense = PRIMITIVES["dense"].hw(p)
    ctx.m.submodules[ctx.name(op)] = dense
    xs, ws, leak, gain = args
    ctx.m.d.comb += [dense.start.eq(ctx.start), dense.en.eq(ctx.run), dense.x.eq(xs)]
    if p.weights is None:
        ctx.m.d.comb += dense.w.eq(ws)
    if p.leak_k is None:
        ctx.m.d.comb += dense.leak_k.eq(leak)
    if p.gain_k is None:
        ctx.m.d.comb += dense.gain_k.eq(gain)
    return dense.spikes


def _dense_twin(ctx: TwinContext, op: Op, args: list[Any]) -> Any:
    from ..sw.dense import dense_windows, unpack_fields

    p = _dense_params(op, ctx.types, ctx.producer)
    xs, ws, leak, gain = args
    return dense_windows(
        p,
        unpack_fields(xs, p.n_inputs, RATE_BITS),
        None if p.weights is not None else unpack_fields(ws, p.n_weights, RATE_BITS),
        None if p.leak_k is not None else wrap_signed(np.asarray(leak), p.data_width),
        None if p.gain_k is not None else wrap_signed(np.asarray(gain), p.data_width),
    )


def _dense_compiled(ctx: TwinContext, op: Op, args: list[Any]) -> Any:
    """The layer on packed synapse streams: per-cycle counts by bit-sliced adders, the neurons
    stepped per cycle on them (see :func:`scgen.sw.packed.dense_packed`)."""
    import numba

    from ..sw.dense import unpack_fields
    from ..sw.lfsr_encode import encode_lfsr_seeds
    from ..sw.packed import dense_packed

    key = ("dense", ctx.index)
    if key not in ctx.cache:  # what the graph fixes: params, synapse table, constant weights
        p = _dense_params(op, ctx.types, ctx.producer)
        table = np.array(p.weight_table(), dtype=np.int64).reshape(p.n_neurons, p.n_inputs)
        held = None
        if p.weights is not None:  # constant weights: their streams once per graph
            weights = np.array([p.weights], dtype=np.int64)
            held = encode_lfsr_seeds(LfsrParams(), p.weight_seeds(), weights, p.stream_length)
        ctx.cache[key] = (p, table, held)
    p, table, held = ctx.cache[key]
    xs, ws, leak, gain = args
    src, length, windows = LfsrParams(), p.stream_length, ctx.windows
    x = encode_lfsr_seeds(src, p.input_seeds(), unpack_fields(xs, p.n_inputs, RATE_BITS), length)
    if held is not None:
        w = held
    else:
        w = encode_lfsr_seeds(
            src, p.weight_seeds(), unpack_fields(ws, p.n_weights, RATE_BITS), length
        )
    factors = []
    for fixed, value in ((p.leak_k, leak), (p.gain_k, gain)):
        if fixed is not None:
            factors.append(np.full(windows, fixed, dtype=np.int64))
        else:
            factors.append(wrap_signed(np.asarray(value, dtype=np.int64), p.data_width))
    # a neuron's input for a count of c synapses, as the W-bit I_t port holds it
    counts = np.arange(p.n_inputs + 1, dtype=np.int64)
    current = wrap_signed(p.y_min + ((p.y_max - p.y_min) * counts) // p.n_inputs, p.data_width)
    groups = dense_packed(
        p.lif_config(),
        x,
        w,
        table,
        current,
        factors[0],
        factors[1],
        length,
        threads=numba.get_num_threads(),
        fresh=ctx.fresh,
    )
    ctx.ran("bit-sliced counts, LIF per cycle" + (", windows in parallel" if ctx.fresh else ""))
    if p.n_neurons <= 63:  # one int64 word per cycle, as the twin gives
        return groups[0].view(np.int64)
    words = np.zeros((windows, length), dtype=object)
    for g, bits in enumerate(groups):
        words = words + (bits.astype(object) << (64 * g))
    return words
