"""Fixed-point Kuramoto oscillator network parameters."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import ClassVar

from ._common import _floats, _int, _int_tuple, _signed_range
from .lfsr import LfsrParams

__all__ = ["KuramotoParams"]


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
