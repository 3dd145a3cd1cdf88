"""Parameters of every scgen primitive: the single source of truth for hardware and twin.

Each primitive has one frozen, keyword-only dataclass. It validates its fields in
``__post_init__`` (``TypeError`` for a wrong kind, ``ValueError`` for a wrong value, one sentence
naming the field, the rule and the offending value) and derives every constant that both the
Amaranth component (:mod:`scgen.hw`) and the Numba twin (:mod:`scgen.sw`) need, so that the two
sides can never disagree on a tap mask, a direction number or a register width.

This module imports nothing but the standard library.
"""

from __future__ import annotations

import enum
import math
import operator
from dataclasses import dataclass, field, replace
from typing import ClassVar

__all__ = [
    "MAXIMAL_TAPS",
    "SOBOL_POLYNOMIALS",
    "SOURCES",
    "AddMuxParams",
    "CordivParams",
    "CounterParams",
    "EncoderParams",
    "Encoding",
    "KuramotoParams",
    "LfsrForm",
    "LfsrParams",
    "LifParams",
    "MulAndParams",
    "MulXnorParams",
    "Ordering",
    "SobolParams",
    "UartRxParams",
    "UartTxParams",
]


class Ordering(enum.Enum):
    """Which of SC-NeuroCore's two behaviours a primitive follows.

    ``HARDWARE`` (the default) is what the seed's Verilog, its v2 models and engine 3.15.7 do:
    an encoder compares the current source value and then steps; a LIF neuron checks its
    refractory counter first. ``BLUEPRINT`` is the v3.7 engine's documented behaviour: an encoder
    steps and then compares; a LIF neuron applies the refractory override after the threshold.
    """

    HARDWARE = "hardware"
    BLUEPRINT = "blueprint"


class Encoding(enum.Enum):
    """How an encoder maps its binary input to a probability.

    ``UNIPOLAR``: ``x`` is unsigned and ``P(o = 1) = x / 2**width``.
    ``BIPOLAR``: ``x`` is signed, the stream encodes ``x / 2**(width - 1)`` in [-1, 1) and
    ``P(o = 1) = (x + 2**(width - 1)) / 2**width``.
    """

    UNIPOLAR = "unipolar"
    BIPOLAR = "bipolar"


class LfsrForm(enum.Enum):
    """LFSR structure. Both forms use the same tap mask (see :meth:`LfsrParams.taps_mask`).

    ``FIBONACCI`` shifts left and feeds the parity of the tapped bits into bit 0 (the seed's
    ``Lfsr16``). ``GALOIS`` shifts right and XORs the tap mask in when the bit shifted out is 1.
    """

    FIBONACCI = "fibonacci"
    GALOIS = "galois"


# Exponents of a primitive polynomial x**n + ... + 1 for every width n (the constant term is
# implied). Width 16 is the seed's x^16 + x^14 + x^13 + x^11 + 1. tests/test_lfsr.py proves each
# entry primitive over GF(2) and brute-forces the period of both forms up to width 20.
MAXIMAL_TAPS: dict[int, tuple[int, ...]] = {
    2: (2, 1),
    3: (3, 2),
    4: (4, 3),
    5: (5, 3),
    6: (6, 5),
    7: (7, 6),
    8: (8, 6, 5, 4),
    9: (9, 5),
    10: (10, 7),
    11: (11, 9),
    12: (12, 6, 4, 1),
    13: (13, 4, 3, 1),
    14: (14, 5, 3, 1),
    15: (15, 14),
    16: (16, 14, 13, 11),
    17: (17, 14),
    18: (18, 11),
    19: (19, 6, 2, 1),
    20: (20, 17),
    21: (21, 19),
    22: (22, 21),
    23: (23, 18),
    24: (24, 23, 22, 17),
    25: (25, 22),
    26: (26, 6, 2, 1),
    27: (27, 5, 2, 1),
    28: (28, 25),
    29: (29, 27),
    30: (30, 6, 4, 1),
    31: (31, 28),
    32: (32, 22, 2, 1),
}

# Sobol dimensions after the first (van der Corput): (degree s, coefficient bits a, initial
# direction integers m_1..m_s), the primitive polynomials and initial values of Joe and Kuo's
# "new-joe-kuo-6.21201" table.
SOBOL_POLYNOMIALS: tuple[tuple[int, int, tuple[int, ...]], ...] = (
    (1, 0, (1,)),
    (2, 1, (1, 3)),
    (3, 1, (1, 3, 1)),
    (3, 2, (1, 1, 1)),
    (4, 1, (1, 1, 3, 3)),
    (4, 4, (1, 3, 5, 13)),
    (5, 2, (1, 1, 5, 5, 17)),
    (5, 4, (1, 1, 5, 5, 5)),
    (5, 7, (1, 1, 7, 11, 19)),
)


def _enum(owner: str, name: str, value: object, kind: type[enum.Enum]) -> enum.Enum:
    try:
        return kind(value)
    except ValueError:
        choices = ", ".join(repr(m.value) for m in kind)
        raise ValueError(f"{owner} {name} must be one of {choices}, not {value!r}") from None


def _int(owner: str, name: str, value: object, lo: int, hi: int, hint: str = "") -> int:
    if not isinstance(value, int | bool) and hasattr(type(value), "__index__"):
        value = operator.index(value)  # numpy integers are integers too
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{owner} {name} must be an integer, not {value!r}")
    if not lo <= value <= hi:
        raise ValueError(f"{owner} {name} must be between {lo} and {hi}{hint}, not {value!r}")
    return value


def _signed_range(width: int) -> tuple[int, int]:
    return -(1 << (width - 1)), (1 << (width - 1)) - 1


# --------------------------------------------------------------------------------------------
# Sources


@dataclass(frozen=True, kw_only=True)
class LfsrParams:
    """Linear-feedback shift register.

    Parameters
    ----------
    width : int
        Register width in bits, 2 to 32.
    seed : int
        State after reset; non-zero and below ``2**width``.
    form : LfsrForm or str
        ``"fibonacci"`` (default, the seed's form) or ``"galois"``.
    taps : tuple of int, optional
        Exponents of the feedback polynomial without the constant term, e.g. ``(16, 14, 13, 11)``
        for x^16 + x^14 + x^13 + x^11 + 1; must contain ``width``. Default: the maximal-length
        polynomial of :data:`MAXIMAL_TAPS`.

    The default is the seed's 16-bit LFSR seeded 0xACE1 (0x59C3, 0xB387, ...; period 65535).
    """

    NAME: ClassVar[str] = "LFSR"

    width: int = 16
    seed: int = 0xACE1
    form: LfsrForm = LfsrForm.FIBONACCI
    taps: tuple[int, ...] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "width", _int(self.NAME, "width", self.width, 2, 32))
        hint = f" for width {self.width}"
        object.__setattr__(
            self, "seed", _int(self.NAME, "seed", self.seed, 0, (1 << self.width) - 1, hint)
        )
        if self.seed == 0:
            raise ValueError(
                f"{self.NAME} seed must be non-zero, not 0; a zero state locks the LFSR"
            )
        object.__setattr__(self, "form", _enum(self.NAME, "form", self.form, LfsrForm))
        if self.taps is not None:
            if not isinstance(self.taps, tuple | list) or not all(
                isinstance(e, int) and not isinstance(e, bool) for e in self.taps
            ):
                raise TypeError(f"{self.NAME} taps must be a tuple of integers, not {self.taps!r}")
            taps = tuple(sorted(set(self.taps), reverse=True))
            if not taps or len(taps) != len(self.taps) or taps[0] != self.width or taps[-1] < 1:
                raise ValueError(
                    f"{self.NAME} taps must be distinct exponents between 1 and the width "
                    f"{self.width}, including {self.width}, not {self.taps!r}"
                )
            object.__setattr__(self, "taps", taps)

    @property
    def exponents(self) -> tuple[int, ...]:
        """Exponents of the feedback polynomial (without the constant term), highest first."""
        return self.taps if self.taps is not None else MAXIMAL_TAPS[self.width]

    @property
    def maximal(self) -> bool:
        """True when the polynomial is the built-in maximal-length one (period ``2**width - 1``)."""
        return self.taps is None or self.taps == MAXIMAL_TAPS[self.width]

    def taps_mask(self) -> int:
        """Return the feedback mask: bit ``e - 1`` set for every exponent ``e``."""
        mask = 0
        for e in self.exponents:
            mask |= 1 << (e - 1)
        return mask

    def galois(self) -> bool:
        """Return True for the Galois form (the twin kernels take this flag)."""
        return self.form is LfsrForm.GALOIS

    def step(self, state: int) -> int:
        """Return the state after one step from ``state`` (plain Python, for derived seeds)."""
        mask, full = self.taps_mask(), (1 << self.width) - 1
        if self.form is LfsrForm.GALOIS:
            return (state >> 1) ^ (mask if state & 1 else 0)
        return ((state << 1) | (bin(state & mask).count("1") & 1)) & full

    def identity(self) -> str:
        """Name the sequence (form, polynomial, seed): equal names mean correlated streams."""
        return f"lfsr{self.width}:{self.form.value}:{self.taps_mask():x}:{self.seed:x}"

    def advanced(self, steps: int = 1) -> LfsrParams:
        """Return these parameters with the seed moved ``steps`` steps along the sequence."""
        state = self.seed
        for _ in range(steps):
            state = self.step(state)
        return replace(self, seed=state)


@dataclass(frozen=True, kw_only=True)
class SobolParams:
    """Sobol low-discrepancy source (one dimension), in Gray-code order.

    Parameters
    ----------
    width : int
        Output width in bits, 1 to 32; the sequence repeats after ``2**width`` values, each
        value appearing exactly once per period.
    dimension : int
        0 is the van der Corput sequence (0, 1/2, 3/4, 1/4, ...); 1 to 9 use the
        Joe-Kuo direction numbers of :data:`SOBOL_POLYNOMIALS`. Different dimensions give
        streams that are nearly uncorrelated with each other.
    start : int
        Sequence index after reset (0 to ``2**width - 1``); ``start=1`` skips the initial 0.
    scramble : int
        Digital shift XORed into every output (0 to ``2**width - 1``); keeps the
        low-discrepancy property and decorrelates equal-dimension sources.
    """

    NAME: ClassVar[str] = "Sobol"

    width: int = 16
    dimension: int = 0
    start: int = 0
    scramble: int = 0

    def __post_init__(self) -> None:
        _int(self.NAME, "width", self.width, 1, 32)
        _int(self.NAME, "dimension", self.dimension, 0, len(SOBOL_POLYNOMIALS))
        hint = f" for width {self.width}"
        _int(self.NAME, "start", self.start, 0, (1 << self.width) - 1, hint)
        _int(self.NAME, "scramble", self.scramble, 0, (1 << self.width) - 1, hint)

    def direction_numbers(self) -> tuple[int, ...]:
        """Return ``V[0..width-1]``: the value XORed in when bit ``k`` of the index flips."""
        w = self.width
        if self.dimension == 0:
            return tuple(1 << (w - 1 - k) for k in range(w))
        s, a, m_init = SOBOL_POLYNOMIALS[self.dimension - 1]
        m = list(m_init)
        for k in range(s, w):
            mk = m[k - s] ^ (m[k - s] << s)
            for j in range(1, s):
                if (a >> (s - 1 - j)) & 1:
                    mk ^= m[k - j] << j
            m.append(mk)
        # m_k is an odd integer below 2**k (1-based k); scale it to the output width.
        return tuple(m[k] << (w - 1 - k) for k in range(w))

    def start_value(self) -> int:
        """Return the unscrambled point at index ``start``: XOR of ``V`` over its Gray-code bits."""
        gray, x = self.start ^ (self.start >> 1), 0
        for k, v in enumerate(self.direction_numbers()):
            if (gray >> k) & 1:
                x ^= v
        return x

    def identity(self) -> str:
        """Name the sequence (dimension, start, scramble): equal names mean correlated streams."""
        return f"sobol{self.width}:d{self.dimension}:{self.start:x}:{self.scramble:x}"

    def advanced(self, steps: int = 1) -> SobolParams:
        """Return these parameters with the start index moved ``steps`` along the sequence."""
        return replace(self, start=(self.start + steps) % (1 << self.width))


SourceParams = LfsrParams | SobolParams

# The source params classes by short name (how the IR spells a nested source).
SOURCES: dict[str, type] = {"lfsr": LfsrParams, "sobol": SobolParams}


# --------------------------------------------------------------------------------------------
# Encoder


@dataclass(frozen=True, kw_only=True)
class EncoderParams:
    """Comparator stochastic number generator driven by a source.

    Parameters
    ----------
    source : LfsrParams or SobolParams
        The random or low-discrepancy source; its width is the width of ``x``.
        Default: the seed's 16-bit LFSR seeded 0xACE1.
    encoding : Encoding or str
        ``"unipolar"`` (default) or ``"bipolar"``.
    ordering : Ordering or str
        ``"hardware"`` (compare, then step; default) or ``"blueprint"`` (step, then compare).
    """

    NAME: ClassVar[str] = "Encoder"

    source: SourceParams = field(default_factory=LfsrParams)
    encoding: Encoding = Encoding.UNIPOLAR
    ordering: Ordering = Ordering.HARDWARE

    def __post_init__(self) -> None:
        if not isinstance(self.source, LfsrParams | SobolParams):
            raise TypeError(
                f"{self.NAME} source must be an LfsrParams or a SobolParams, not {self.source!r}"
            )
        object.__setattr__(self, "encoding", _enum(self.NAME, "encoding", self.encoding, Encoding))
        object.__setattr__(self, "ordering", _enum(self.NAME, "ordering", self.ordering, Ordering))

    @property
    def width(self) -> int:
        """Width of ``x`` and of the source."""
        return self.source.width

    def source_params(self) -> SourceParams:
        """Return the parameters of the source as instantiated.

        Step-then-compare is compare-then-step against a source that starts one step ahead, so
        the blueprint ordering needs no extra logic: only the reset state moves.
        """
        if self.ordering is Ordering.BLUEPRINT:
            return self.source.advanced(1)
        return self.source

    def x_offset(self) -> int:
        """Return the constant XORed into ``x`` before the unsigned compare (bipolar: sign bit)."""
        return 1 << (self.width - 1) if self.encoding is Encoding.BIPOLAR else 0


# --------------------------------------------------------------------------------------------
# Bitstream arithmetic


@dataclass(frozen=True, kw_only=True)
class _LaneParams:
    NAME: ClassVar[str] = ""

    lanes: int = 1

    def __post_init__(self) -> None:
        _int(self.NAME, "lanes", self.lanes, 1, 64)


@dataclass(frozen=True, kw_only=True)
class MulAndParams(_LaneParams):
    """Unipolar SC multiplier: ``o = a & b`` on ``lanes`` independent bit lanes."""

    NAME: ClassVar[str] = "AND multiplier"


@dataclass(frozen=True, kw_only=True)
class MulXnorParams(_LaneParams):
    """Bipolar SC multiplier: ``o = ~(a ^ b)`` on ``lanes`` independent bit lanes."""

    NAME: ClassVar[str] = "XNOR multiplier"


@dataclass(frozen=True, kw_only=True)
class AddMuxParams(_LaneParams):
    """Scaled SC adder: ``o = sel ? b : a`` per lane; ``P(o) = (1-s) P(a) + s P(b)``."""

    NAME: ClassVar[str] = "MUX adder"


@dataclass(frozen=True, kw_only=True)
class CordivParams(_LaneParams):
    """CORDIV sequential divider (Chen and Hayes): per lane ``o = a if b else q``, then
    ``q = o``; ``q`` is 0 after reset. When ``a``'s ones are a subset of ``b``'s,
    ``P(o) = P(a) / P(b)`` (0 while ``b`` has not yet been 1)."""

    NAME: ClassVar[str] = "CORDIV divider"


# --------------------------------------------------------------------------------------------
# Counter


@dataclass(frozen=True, kw_only=True)
class CounterParams:
    """Window counter: the ones of a stream over ``window`` cycles (the hardware popcount).

    Parameters
    ----------
    window : int
        Number of cycles counted after each ``start``, 1 to ``2**32``.
    """

    NAME: ClassVar[str] = "Counter"

    window: int = 256

    def __post_init__(self) -> None:
        _int(self.NAME, "window", self.window, 1, 1 << 32)

    @property
    def count_width(self) -> int:
        """Width of ``count``: enough for ``window`` ones."""
        return self.window.bit_length()


# --------------------------------------------------------------------------------------------
# LIF neuron


@dataclass(frozen=True, kw_only=True)
class LifParams:
    """Fixed-point leaky integrate-and-fire neuron (SEED_BEHAVIOUR §4), default Q8.8.

    Parameters
    ----------
    data_width : int
        Width W of the membrane and of every input, 2 to 32; arithmetic wraps at W bits.
    fraction : int
        Fraction bits F, 0 to W - 1; products are shifted right (arithmetic) by F.
    v_rest, v_reset, v_threshold : int
        Resting value, value after a spike, firing threshold (signed W-bit, raw fixed point).
    refractory_period : int
        Steps without integration after a spike, 0 to ``2**32 - 1``; default 2 everywhere.
    ordering : Ordering or str
        ``"hardware"`` (refractory checked first; default) or ``"blueprint"``.
    diff_bits : int, optional
        Wrap ``v_rest - v`` to this many bits before the leak multiply. Default ``None``: exact
        (W + 1 bits), as the seed's HDL computes it. ``16`` reproduces sc-neurocore-engine, which
        keeps the difference in an i16 and so wraps it when it overflows 16 bits.
    """

    NAME: ClassVar[str] = "LIF"

    data_width: int = 16
    fraction: int = 8
    v_rest: int = 0
    v_reset: int = 0
    v_threshold: int = 256
    refractory_period: int = 2
    ordering: Ordering = Ordering.HARDWARE
    diff_bits: int | None = None

    def __post_init__(self) -> None:
        w = _int(self.NAME, "data_width", self.data_width, 2, 32)
        if self.diff_bits is not None:
            _int(self.NAME, "diff_bits", self.diff_bits, 2, 64)
        _int(self.NAME, "fraction", self.fraction, 0, w - 1, f" for data_width {w}")
        lo, hi = _signed_range(w)
        for name in ("v_rest", "v_reset", "v_threshold"):
            _int(self.NAME, name, getattr(self, name), lo, hi, f" for data_width {w}")
        _int(self.NAME, "refractory_period", self.refractory_period, 0, (1 << 32) - 1)
        object.__setattr__(self, "ordering", _enum(self.NAME, "ordering", self.ordering, Ordering))

    def blueprint(self) -> bool:
        """Return True for the blueprint ordering (the twin kernels take this flag)."""
        return self.ordering is Ordering.BLUEPRINT

    def kernel_config(self) -> tuple:
        """Return the constants of the twin's step function, in its argument order."""
        return (
            self.blueprint(),
            self.data_width,
            self.fraction,
            self.v_rest,
            self.v_reset,
            self.v_threshold,
            self.refractory_period,
            self.diff_width(),
        )

    def diff_width(self) -> int:
        """Return the width in which ``v_rest - v`` is kept (W + 1 bits is exact)."""
        exact = self.data_width + 1
        return exact if self.diff_bits is None else min(self.diff_bits, exact)

    @property
    def counter_width(self) -> int:
        """Width of the refractory counter."""
        return max(1, self.refractory_period.bit_length())


# --------------------------------------------------------------------------------------------
# UART (the host link's serial line)

UART_MAX_CLOCKS_PER_BIT = 1 << 24


@dataclass(frozen=True, kw_only=True)
class UartTxParams:
    """UART transmitter, 8N1, least significant bit first.

    Parameters
    ----------
    clocks_per_bit : int
        Clock cycles per bit on the line (clock frequency / baud rate), 1 to ``2**24``.
    """

    NAME: ClassVar[str] = "UART transmitter"

    clocks_per_bit: int = 104

    def __post_init__(self) -> None:
        _int(self.NAME, "clocks_per_bit", self.clocks_per_bit, 1, UART_MAX_CLOCKS_PER_BIT)

    @property
    def frame_cycles(self) -> int:
        """Cycles of one frame: start bit, 8 data bits, stop bit."""
        return 10 * self.clocks_per_bit


@dataclass(frozen=True, kw_only=True)
class UartRxParams:
    """UART receiver, 8N1, least significant bit first, sampling each bit in its middle.

    Parameters
    ----------
    clocks_per_bit : int
        Clock cycles per bit on the line (clock frequency / baud rate), 2 to ``2**24``; the
        start bit is confirmed ``clocks_per_bit // 2`` cycles after its falling edge.
    """

    NAME: ClassVar[str] = "UART receiver"

    clocks_per_bit: int = 104

    def __post_init__(self) -> None:
        _int(self.NAME, "clocks_per_bit", self.clocks_per_bit, 2, UART_MAX_CLOCKS_PER_BIT)

    @property
    def half_bit(self) -> int:
        """Cycles from the start bit's first low sample to its confirming sample."""
        return self.clocks_per_bit // 2


# Kuramoto oscillator network


def _int_tuple(owner: str, name: str, value: object, lo: int, hi: int, hint: str) -> tuple:
    if not isinstance(value, tuple | list):
        raise TypeError(f"{owner} {name} must be a tuple of integers, not {value!r}")
    for v in value:
        if not isinstance(v, int) or isinstance(v, bool):
            raise TypeError(f"{owner} {name} must be a tuple of integers, not {value!r}")
        if not lo <= v <= hi:
            raise ValueError(
                f"{owner} {name} values must be between {lo} and {hi}{hint}, not {v!r}"
            )
    return tuple(value)


def _floats(value: object):
    """Yield the numbers of a nested sequence (lists, tuples, NumPy arrays) in row order."""
    if hasattr(value, "__iter__"):
        for v in value:
            yield from _floats(v)
    else:
        yield float(value)


@dataclass(frozen=True, kw_only=True)
class KuramotoParams:
    """Fixed-point Kuramoto network of N phase oscillators, time-multiplexed over one
    multiply-accumulate unit (one coupling term per cycle, N**2 cycles per Euler step).

    A phase is an unsigned ``phase_bits``-bit fraction of a turn (2**P = 2π), so it wraps
    modulo 2π by itself and ``θ_m - θ_n`` modulo 2**P is the phase difference. One step::

        acc_n  = sum_m coupling[n][m] * sine(θ_m - θ_n)          (exact, in index order of m)
        θ_n   <- θ_n + omega[n] + ((acc_n + 2**(F-1)) >> F) + noise_n   (mod 2**P)

    where ``sine(d)`` is :meth:`sine_table` at the top ``lut_bits`` bits of ``d``, rounded to
    the nearest entry; all new phases use the old ones. Build these parameters from a float
    model (ω, K, dt) with :meth:`from_float`.

    Parameters
    ----------
    omega : tuple of int
        Natural frequency of each oscillator as a phase increment per step, signed P-bit
        (1 to 64 oscillators).
    coupling : tuple of tuple of int
        ``coupling[n][m]``: the pull of oscillator m on n, signed ``weight_bits``-bit, NxN.
    phases : tuple of int, optional
        Phases after reset, unsigned P-bit; default all 0.
    phase_bits : int
        P, 4 to 32.
    lut_bits : int
        Address width of the sine table, 2 to min(P, 12).
    sine_bits : int
        Width of the signed sine samples (amplitude ``2**(sine_bits-1) - 1``), 2 to 18.
    weight_bits : int
        Width of the signed coupling weights, 2 to 18.
    fraction : int
        F, the right shift (rounding half up) from the coupling sum to phase units, 0 to 48.
    noise_bits : int
        b: each update adds ``2u - (2**b - 1)`` with u the low b bits of the noise LFSR (zero
        mean, odd values in ``±(2**b - 1)``); 0 (default) disables the noise and the LFSR.
    noise : LfsrParams
        The noise LFSR; it advances on every enabled cycle (N steps between two draws);
        its width must be at least ``noise_bits``.
    """

    NAME: ClassVar[str] = "Kuramoto"

    omega: tuple[int, ...] = (3, -2, 5, 1)
    coupling: tuple[tuple[int, ...], ...] = (
        (0, 40, 40, 40),
        (40, 0, 40, 40),
        (40, 40, 0, 40),
        (40, 40, 40, 0),
    )
    phases: tuple[int, ...] | None = None
    phase_bits: int = 12
    lut_bits: int = 8
    sine_bits: int = 8
    weight_bits: int = 8
    fraction: int = 8
    noise_bits: int = 0
    noise: LfsrParams = field(default_factory=LfsrParams)

    def __post_init__(self) -> None:
        p = _int(self.NAME, "phase_bits", self.phase_bits, 4, 32)
        _int(self.NAME, "lut_bits", self.lut_bits, 2, min(p, 12), f" for phase_bits {p}")
        _int(self.NAME, "sine_bits", self.sine_bits, 2, 18)
        wk = _int(self.NAME, "weight_bits", self.weight_bits, 2, 18)
        _int(self.NAME, "fraction", self.fraction, 0, 48)
        if not isinstance(self.noise, LfsrParams):
            raise TypeError(f"{self.NAME} noise must be an LfsrParams, not {self.noise!r}")
        _int(
            self.NAME,
            "noise_bits",
            self.noise_bits,
            0,
            min(16, self.noise.width),
            f" for a {self.noise.width}-bit noise LFSR",
        )
        lo, hi = _signed_range(p)
        omega = _int_tuple(self.NAME, "omega", self.omega, lo, hi, f" for phase_bits {p}")
        n = len(omega)
        if not 1 <= n <= 64:
            raise ValueError(f"{self.NAME} omega must have 1 to 64 oscillators, not {n}")
        object.__setattr__(self, "omega", omega)
        if (
            not isinstance(self.coupling, tuple | list)
            or len(self.coupling) != n
            or not all(isinstance(row, tuple | list) and len(row) == n for row in self.coupling)
        ):
            raise ValueError(
                f"{self.NAME} coupling must be {n} rows of {n} weights (one per "
                f"oscillator pair), not {self.coupling!r}"
            )
        klo, khi = _signed_range(wk)
        object.__setattr__(
            self,
            "coupling",
            tuple(
                _int_tuple(self.NAME, "coupling", row, klo, khi, f" for weight_bits {wk}")
                for row in self.coupling
            ),
        )
        if self.phases is not None:
            phases = _int_tuple(
                self.NAME, "phases", self.phases, 0, (1 << p) - 1, f" for phase_bits {p}"
            )
            if len(phases) != n:
                raise ValueError(
                    f"{self.NAME} phases must have {n} values (one per "
                    f"oscillator), not {len(phases)}"
                )
            object.__setattr__(self, "phases", phases)

    @property
    def n(self) -> int:
        """Number of oscillators N."""
        return len(self.omega)

    @property
    def index_bits(self) -> int:
        """Width of an oscillator index (and of ``sel``)."""
        return max(1, (self.n - 1).bit_length())

    @property
    def acc_width(self) -> int:
        """Width of the coupling sum: exact for N products plus the rounding constant."""
        return max(self.weight_bits + self.sine_bits + self.n.bit_length(), self.fraction + 1) + 1

    def initial_phases(self) -> tuple[int, ...]:
        """Return the phases after reset."""
        return self.phases if self.phases is not None else (0,) * self.n

    def sine_table(self) -> tuple[int, ...]:
        """Return ``round(A sin(2π a / 2**lut_bits))`` for every address a, A = 2**(S-1) - 1."""
        amp = (1 << (self.sine_bits - 1)) - 1
        size = 1 << self.lut_bits
        return tuple(math.floor(amp * math.sin(2 * math.pi * a / size) + 0.5) for a in range(size))

    def kernel_config(self) -> tuple[int, ...]:
        """Return the scalar constants of the twin: (P, lut_bits, F, noise_bits, noise LFSR
        galois flag, width, taps mask, seed)."""
        s = self.noise
        return (
            self.phase_bits,
            self.lut_bits,
            self.fraction,
            self.noise_bits,
            int(s.galois()),
            s.width,
            s.taps_mask(),
            s.seed,
        )

    def to_float(self, dt: float) -> tuple[list[float], list[list[float]], float]:
        """Return the float model these parameters quantise, for a step of ``dt``:
        ``(omega, K, noise_std)`` with ``dθ_n = ω_n + Σ_m K_nm sin(θ_m - θ_n)`` (no 1/N) and
        the noise as a per-step phase standard deviation in radians."""
        rad = 2 * math.pi / (1 << self.phase_bits)  # radians per phase unit
        amp = (1 << (self.sine_bits - 1)) - 1
        omega = [w * rad / dt for w in self.omega]
        k = [[c * amp * rad / (dt * (1 << self.fraction)) for c in row] for row in self.coupling]
        b = self.noise_bits
        std = math.sqrt((4**b - 1) / 3) * rad if b else 0.0
        return omega, k, std

    @classmethod
    def from_float(
        cls,
        omega,
        coupling,
        dt: float,
        *,
        phases=None,
        noise_amp: float = 0.0,
        coupling_scale: str = "mean",
        phase_bits: int = 12,
        lut_bits: int | None = None,
        sine_bits: int | None = None,
        weight_bits: int | None = None,
        noise: LfsrParams | None = None,
    ) -> KuramotoParams:
        """Quantise a float Kuramoto model (the :class:`scgen.nn.KuramotoSolver` arguments and
        its step ``dt``) to fixed point.

        Frequencies and phases are rounded to phase units (2π / 2**phase_bits); the weights
        ``s K dt`` (``s`` = 1/N for ``coupling_scale="mean"``) get the largest ``fraction``
        that keeps every one within ``weight_bits``; the float noise ``noise_amp * dt * ξ``
        (ξ standard normal) becomes the uniform LFSR noise whose standard deviation is nearest.
        ``lut_bits``, ``sine_bits`` and ``weight_bits`` default to min(phase_bits, 10),
        min(phase_bits, 12) and min(phase_bits, 12).
        """
        p = _int(cls.NAME, "phase_bits", phase_bits, 4, 32)
        lut_bits = min(p, 10) if lut_bits is None else lut_bits
        sine_bits = min(p, 12) if sine_bits is None else sine_bits
        weight_bits = min(p, 12) if weight_bits is None else weight_bits
        _int(cls.NAME, "sine_bits", sine_bits, 2, 18)
        _int(cls.NAME, "weight_bits", weight_bits, 2, 18)
        if not (isinstance(dt, int | float) and math.isfinite(dt) and dt > 0):
            raise ValueError(f"{cls.NAME} dt must be a positive finite number, not {dt!r}")
        om = list(_floats(omega))
        n = len(om)
        flat = list(_floats(coupling))
        if len(flat) == n * n and n:
            rows = [flat[i * n : (i + 1) * n] for i in range(n)]
        else:
            raise ValueError(f"{cls.NAME} coupling must have {n} x {n} values, not {len(flat)}")
        if coupling_scale not in ("mean", "none"):
            raise ValueError(
                f"{cls.NAME} coupling_scale must be 'mean' or 'none', not {coupling_scale!r}"
            )
        scale = 1.0 / n if coupling_scale == "mean" else 1.0
        unit = (1 << p) / (2 * math.pi)  # phase units per radian
        amp = (1 << (sine_bits - 1)) - 1
        real = [[k * scale * dt * unit / amp for k in row] for row in rows]  # units per sine step
        top = max((abs(k) for row in real for k in row), default=0.0)
        kmax = (1 << (weight_bits - 1)) - 1
        frac = 0
        if top > 0:
            # the largest F with round(top * 2**F) <= kmax
            frac = max(0, min(48, math.floor(math.log2((kmax + 0.5) / top))))
            while frac > 0 and math.floor(top * 2.0**frac + 0.5) > kmax:
                frac -= 1
        q = [[math.floor(k * 2.0**frac + 0.5) for k in row] for row in real]
        lo, hi = _signed_range(p)
        oq = [math.floor(w * dt * unit + 0.5) for w in om]
        if any(not lo <= w <= hi for w in oq):
            raise ValueError(
                f"{cls.NAME} omega * dt must stay within ±π for phase_bits {p}, "
                f"not {max(om, key=abs) * dt!r}"
            )
        ph = (
            None
            if phases is None
            else tuple(math.floor(float(t) * unit + 0.5) % (1 << p) for t in phases)
        )
        noise = LfsrParams() if noise is None else noise
        bits = 0
        if noise_amp:
            sigma = abs(noise_amp) * dt * unit  # per-step std in phase units
            bits = max(1, min(16, noise.width, round(math.log2(max(math.sqrt(3) * sigma, 1.0)))))
        return cls(
            omega=tuple(oq),
            coupling=tuple(tuple(r) for r in q),
            phases=ph,
            phase_bits=p,
            lut_bits=lut_bits,
            sine_bits=sine_bits,
            weight_bits=weight_bits,
            fraction=frac,
            noise_bits=bits,
            noise=noise,
        )
