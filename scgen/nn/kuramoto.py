"""Kuramoto oscillator network with the SSGF extension (SEED_BEHAVIOUR §9), fast and seed-exact.

One explicit Euler step (t = theta)::

    dt_n = omega_n + s_K sum_m K_nm sin(t_m - t_n) [+ sigma_g sum_m W_nm sin(t_m - t_n)]
                   [+ w sum_m h_nm sin(t_m - t_n)] + F cos t_n + a xi_n
    t_n <- rem_euclid(t_n + dt_n * dt, 2 pi)

with ``s_K = 1/N`` (sc-neurocore-engine 3.15.7; ``coupling_scale="none"`` gives the v3.7 form) and
xi standard normals drawn from ChaCha8(seed) by Box-Muller. The seed evaluates N**2 sines per
step; here ``sin(t_m - t_n) = sin t_m cos t_n - cos t_m sin t_n`` turns every coupling sum into one
matrix product with ``[sin t, cos t]`` (O(N) transcendental calls, BLAS for the rest), which stays
within 1e-12 of the direct form.
"""

from __future__ import annotations

import math

import numpy as np

from ..sw._jit import kernel
from ..sw.rng import chacha_next_u64, chacha_seed, u64_to_f64

__all__ = ["KuramotoSolver", "gaussians"]

_TWO_PI = 2.0 * math.pi
_MIN_U1 = 2.2250738585072014e-308


@kernel
def _gaussians(seed, out):
    st = chacha_seed(seed)
    n = out.shape[0]
    k = 0
    while k < n:
        u1 = max(u64_to_f64(chacha_next_u64(st)), _MIN_U1)
        u2 = u64_to_f64(chacha_next_u64(st))
        r = math.sqrt(-2.0 * math.log(u1))
        t = _TWO_PI * u2
        out[k] = r * math.cos(t)
        if k + 1 < n:
            out[k + 1] = r * math.sin(t)
        k += 2


def gaussians(seed: int, n: int) -> np.ndarray:
    """Return ``n`` standard normals from ChaCha8(``seed``) by Box-Muller (pairs; an odd last
    value uses a fresh pair's cosine half), as the engine draws its Kuramoto noise."""
    out = np.empty(n, dtype=np.float64)
    _gaussians(np.uint64(seed % (1 << 64)), out)
    return out


def _wrap(theta: np.ndarray) -> np.ndarray:
    """Rust's ``f64::rem_euclid(2 pi)``: fmod, then + 2 pi where negative."""
    r = np.fmod(theta, _TWO_PI)
    r[r < 0.0] += _TWO_PI
    return r


def _vector(name: str, value: object, n: int | None = None) -> np.ndarray:
    a = np.ascontiguousarray(value, dtype=np.float64).reshape(-1)
    if n is not None and a.shape[0] != n:
        raise ValueError(f"Kuramoto {name} must have {n} values, not {a.shape[0]}")
    if not np.isfinite(a).all():
        raise ValueError(f"Kuramoto {name} must be finite")
    return a


def _matrix(name: str, value: object, n: int) -> np.ndarray:
    a = np.asarray(value, dtype=np.float64)
    if a.shape not in ((n, n), (n * n,)):
        raise ValueError(f"Kuramoto {name} must have shape ({n}, {n}) or ({n * n},), not "
                         f"{a.shape}")
    if not np.isfinite(a).all():
        raise ValueError(f"Kuramoto {name} must be finite")
    return np.ascontiguousarray(a.reshape(n, n))


class KuramotoSolver:
    """N coupled phase oscillators (Euler steps, phases in [0, 2π)).

    Parameters
    ----------
    omega : array_like (N,)
        Natural frequencies (rad per unit time).
    coupling : array_like (N, N) or (N*N,)
        ``K[n, m]``: the pull of oscillator ``m`` on ``n``.
    phases : array_like (N,)
        Initial phases.
    noise_amp : float
        Amplitude ``a`` of the noise term (0 disables it).
    coupling_scale : "mean" or "none"
        ``"mean"`` divides the K-term by N (engine 3.15.7, default); ``"none"`` does not (v3.7).
    """

    def __init__(self, omega, coupling, phases, noise_amp: float = 0.1, *,
                 coupling_scale: str = "mean"):
        self._omega = _vector("omega", omega)
        n = self._omega.shape[0]
        if n == 0:
            raise ValueError("Kuramoto omega must have at least one value")
        self._k = _matrix("coupling", coupling, n)
        self._theta = _vector("phases", phases, n)
        self._sc: np.ndarray | None = None  # (N, 2): sin and cos of the current phases
        self.noise_amp = float(noise_amp)
        if coupling_scale not in ("mean", "none"):
            raise ValueError(f"Kuramoto coupling_scale must be 'mean' or 'none', not "
                             f"{coupling_scale!r}")
        self._scale = 1.0 / n if coupling_scale == "mean" else 1.0
        self.field_pressure = 0.0

    @property
    def n(self) -> int:
        return self._omega.shape[0]

    @property
    def phases(self) -> np.ndarray:
        """A copy of the phases."""
        return self._theta.copy()

    @phases.setter
    def phases(self, value) -> None:
        self._theta = _vector("phases", value, self.n)
        self._sc = None

    def _sincos(self) -> np.ndarray:
        if self._sc is None:
            sc = np.empty((self.n, 2))
            np.sin(self._theta, out=sc[:, 0])
            np.cos(self._theta, out=sc[:, 1])
            self._sc = sc
        return self._sc

    def apply_phases(self, value) -> float:
        """Set the phases and return the order parameter."""
        self.phases = value
        return self.order_parameter()

    def set_coupling(self, coupling) -> None:
        """Replace the coupling matrix."""
        self._k = _matrix("coupling", coupling, self.n)

    def set_field_pressure(self, f: float) -> None:
        """Set the field-pressure strength F (the ``F cos θ`` term)."""
        self.field_pressure = float(f)

    def order_parameter(self) -> float:
        """R = |mean of exp(iθ)|, computed as the engine does: sums times 1/N."""
        sc = self._sincos()
        inv = 1.0 / self.n
        s = float(sc[:, 0].sum()) * inv
        c = float(sc[:, 1].sum()) * inv
        return math.sqrt(c * c + s * s)

    def _advance(self, dt: float, seed: int, m: np.ndarray) -> float:
        sc = self._sincos()
        pulls = m @ sc  # (N, 2): sum_m M_nm sin t_m, sum_m M_nm cos t_m
        d = self._omega + sc[:, 1] * pulls[:, 0] - sc[:, 0] * pulls[:, 1]
        if self.field_pressure != 0.0:
            d += self.field_pressure * sc[:, 1]
        if seed != 0 and self.noise_amp != 0.0:
            d += self.noise_amp * gaussians(seed, self.n)
        self.phases = _wrap(self._theta + d * dt)
        return self.order_parameter()

    def _ssgf_matrix(self, w, sigma_g: float, h, pgbo_weight: float) -> np.ndarray:
        m = self._k * self._scale
        if w is not None and np.size(w) and sigma_g != 0.0:
            m = m + float(sigma_g) * _matrix("W", w, self.n)
        if h is not None and np.size(h) and pgbo_weight != 0.0:
            m = m + float(pgbo_weight) * _matrix("h_munu", h, self.n)
        return m

    def step(self, dt: float, seed: int = 0) -> float:
        """One Euler step (noise from ChaCha8(seed) unless seed is 0); returns R."""
        return self._advance(float(dt), int(seed), self._k * self._scale)

    def run(self, n_steps: int, dt: float, seed: int = 0) -> np.ndarray:
        """``n_steps`` steps; step k uses seed ``seed + k`` (0 stays 0). Returns R per step."""
        m = self._k * self._scale
        return np.array([self._advance(float(dt), 0 if seed == 0 else (seed + k) % (1 << 64), m)
                         for k in range(int(n_steps))])

    def step_ssgf(self, dt: float, seed: int = 0, W=None, sigma_g: float = 0.0,
                  h_munu=None, pgbo_weight: float = 0.0) -> float:
        """One step with the geometry (sigma_g W) and PGBO (w h) couplings and the field term."""
        return self._advance(float(dt), int(seed),
                             self._ssgf_matrix(W, sigma_g, h_munu, pgbo_weight))

    def run_ssgf(self, n_steps: int, dt: float, seed: int = 0, W=None,
                 sigma_g: float = 0.0, h_munu=None, pgbo_weight: float = 0.0) -> np.ndarray:
        """``n_steps`` of :meth:`step_ssgf` with the per-step seeding of :meth:`run`."""
        m = self._ssgf_matrix(W, sigma_g, h_munu, pgbo_weight)
        return np.array([self._advance(float(dt), 0 if seed == 0 else (seed + k) % (1 << 64), m)
                         for k in range(int(n_steps))])
