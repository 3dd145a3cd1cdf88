"""Kuramoto oscillator network with the SSGF extension (SEED_BEHAVIOUR §9), fast and seed-exact.

One explicit Euler step (t = theta)::

    dt_n = omega_n + s_K sum_m K_nm sin(t_m - t_n) [+ sigma_g sum_m W_nm sin(t_m - t_n)]
                   [+ w sum_m h_nm sin(t_m - t_n)] + F cos t_n + a xi_n
    t_n <- rem_euclid(t_n + dt_n * dt, 2 pi)

with ``s_K = 1/N`` (sc-neurocore-engine 3.15.7; ``coupling_scale="none"`` gives the v3.7 form) and
xi standard normals drawn from ChaCha8(seed) by Box-Muller. The seed evaluates N**2 sines per
step; here ``sin(t_m - t_n) = sin t_m cos t_n - cos t_m sin t_n`` turns every coupling sum into two
matrix-vector products with ``sin t`` and ``cos t`` (O(N) transcendental calls per step), which
stays within 1e-12 of the direct form. A whole ``run`` is one Numba kernel: sines, both products
(one pass over the coupling matrix), noise, Euler update and order parameter per step, on
preallocated buffers. Every sum has a fixed order.
"""

from __future__ import annotations

import math

import numpy as np

from ..sw._jit import kernel
from ..sw.rng import chacha_next_u32, chacha_seed, u64_to_f64

__all__ = ["KuramotoSolver", "gaussians"]

_TWO_PI = 2.0 * math.pi
_MIN_U1 = 2.2250738585072014e-308


@kernel
def _gaussians(seed, out):
    st = chacha_seed(seed)
    n = out.shape[0]
    # Draw every word first from one call site: the ChaCha block function is inlined once
    # instead of four times (u1 and u2, two words each), which cut compile time from 6.5 s.
    words = np.empty(2 * (n + (n & 1)), dtype=np.uint64)
    for j in range(words.shape[0]):
        words[j] = chacha_next_u32(st)
    for k in range(0, n, 2):
        # a u64 is two words, the first the low half; u1 then u2 per pair
        u1 = max(u64_to_f64(words[2 * k] | (words[2 * k + 1] << np.uint64(32))), _MIN_U1)
        u2 = u64_to_f64(words[2 * k + 2] | (words[2 * k + 3] << np.uint64(32)))
        r = math.sqrt(-2.0 * math.log(u1))
        t = _TWO_PI * u2
        out[k] = r * math.cos(t)
        if k + 1 < n:
            out[k + 1] = r * math.sin(t)


def gaussians(seed: int, n: int) -> np.ndarray:
    """Return ``n`` standard normals from ChaCha8(``seed``) by Box-Muller (pairs; an odd last
    value uses a fresh pair's cosine half), as the engine draws its Kuramoto noise."""
    out = np.empty(n, dtype=np.float64)
    _gaussians(np.uint64(seed % (1 << 64)), out)
    return out


@kernel
def _sincos(theta, s, c):
    for i in range(theta.shape[0]):
        s[i] = math.sin(theta[i])
        c[i] = math.cos(theta[i])


@kernel
def _order(s, c):
    """R from the sines and cosines of the phases: sums in index order, times 1/N."""
    inv = 1.0 / s.shape[0]
    ss, cs = 0.0, 0.0
    for i in range(s.shape[0]):
        ss += s[i]
        cs += c[i]
    sm, cm = ss * inv, cs * inv
    return math.sqrt(cm * cm + sm * sm)


# The coupling matrices are kept transposed (row m holds the pulls of oscillator m on every n),
# so that both products walk rows with independent lanes: a vectorised axpy, where the row-wise
# dot product would be a serial reduction (Numba may not reassociate; fastmath is banned).
# Measured at N = 1024, one thread: 92 us per step for both products, NumPy/BLAS 420 us.
# One thread: a step streams the coupling matrix once, and one core already saturates memory
# bandwidth here. Measured on the 2-core machine (N = 4096 and 10**4): two threads over
# oscillator blocks were 1.4x (idle machine) to 2x (loaded) slower than one, so there is no
# parallel build, and the bits cannot depend on the thread count.
@kernel
def _steps_kernel(mt, omega, theta, s, c, noise_amp, field, dt, seed, r):
    """Take ``r.shape[0]`` Euler steps in place (``s``, ``c``: sin and cos of ``theta``, kept
    current); step k draws its noise from ``seed + k`` (no noise when that is 0)."""
    n = theta.shape[0]
    ps, pc, xi = np.empty(n), np.empty(n), np.empty(n)
    for k in range(r.shape[0]):
        ps[:] = 0.0
        pc[:] = 0.0
        m = 0
        while m + 4 <= n:  # four rows per pass: a quarter of the ps/pc traffic
            s0, s1, s2, s3 = s[m], s[m + 1], s[m + 2], s[m + 3]
            c0, c1, c2, c3 = c[m], c[m + 1], c[m + 2], c[m + 3]
            r0, r1, r2, r3 = mt[m], mt[m + 1], mt[m + 2], mt[m + 3]
            for i in range(n):
                a0, a1, a2, a3 = r0[i], r1[i], r2[i], r3[i]
                ps[i] = (((ps[i] + a0 * s0) + a1 * s1) + a2 * s2) + a3 * s3
                pc[i] = (((pc[i] + a0 * c0) + a1 * c1) + a2 * c2) + a3 * c3
            m += 4
        while m < n:
            sm, cm, rm = s[m], c[m], mt[m]
            for i in range(n):
                ps[i] = ps[i] + rm[i] * sm
                pc[i] = pc[i] + rm[i] * cm
            m += 1
        step_seed = seed + np.uint64(k) if seed != 0 else np.uint64(0)
        noisy = step_seed != 0 and noise_amp != 0.0
        if noisy:
            _gaussians(step_seed, xi)
        for i in range(n):
            d = omega[i] + c[i] * ps[i] - s[i] * pc[i]
            if field != 0.0:
                d += field * c[i]
            if noisy:
                d += noise_amp * xi[i]
            t = np.fmod(theta[i] + d * dt, _TWO_PI)  # Rust's rem_euclid(2 pi)
            if t < 0.0:
                t += _TWO_PI
            theta[i] = t
        _sincos(theta, s, c)
        r[k] = _order(s, c)


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
        raise ValueError(f"Kuramoto {name} must have shape ({n}, {n}) or ({n * n},), not {a.shape}")
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

    def __init__(
        self, omega, coupling, phases, noise_amp: float = 0.1, *, coupling_scale: str = "mean"
    ):
        self._omega = _vector("omega", omega)
        n = self._omega.shape[0]
        if n == 0:
            raise ValueError("Kuramoto omega must have at least one value")
        if coupling_scale not in ("mean", "none"):
            raise ValueError(
                f"Kuramoto coupling_scale must be 'mean' or 'none', not {coupling_scale!r}"
            )
        self._scale = 1.0 / n if coupling_scale == "mean" else 1.0
        self._mt = np.empty((n, n))  # (scale * K) transposed
        self.set_coupling(coupling)
        self._s, self._c = np.empty(n), np.empty(n)
        self.phases = phases
        self.noise_amp = float(noise_amp)
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
        self._theta = _vector("phases", value, self.n).copy()
        _sincos(self._theta, self._s, self._c)

    def apply_phases(self, value) -> float:
        """Set the phases and return the order parameter."""
        self.phases = value
        return self.order_parameter()

    def set_coupling(self, coupling) -> None:
        """Replace the coupling matrix."""
        np.multiply(_matrix("coupling", coupling, self.n).T, self._scale, out=self._mt)

    def set_field_pressure(self, f: float) -> None:
        """Set the field-pressure strength F (the ``F cos θ`` term)."""
        self.field_pressure = float(f)

    def order_parameter(self) -> float:
        """R = |mean of exp(iθ)|, computed as the engine does: sums times 1/N."""
        return float(_order(self._s, self._c))

    def _run(self, mt: np.ndarray, n_steps: int, dt: float, seed: int) -> np.ndarray:
        r = np.empty(int(n_steps))
        _steps_kernel(
            mt,
            self._omega,
            self._theta,
            self._s,
            self._c,
            self.noise_amp,
            self.field_pressure,
            float(dt),
            np.uint64(int(seed) % (1 << 64)),
            r,
        )
        return r

    def _ssgf_matrix(self, w, sigma_g: float, h, pgbo_weight: float) -> np.ndarray:
        extras = []
        if w is not None and np.size(w) and sigma_g != 0.0:
            extras.append((_matrix("W", w, self.n), float(sigma_g)))
        if h is not None and np.size(h) and pgbo_weight != 0.0:
            extras.append((_matrix("h_munu", h, self.n), float(pgbo_weight)))
        if not extras:
            return self._mt
        mt = self._mt.copy()
        for a, weight in extras:  # ((scale K + sigma_g W) + w h), in the engine's order
            np.add(mt, weight * a.T, out=mt)
        return mt

    def step(self, dt: float, seed: int = 0) -> float:
        """One Euler step (noise from ChaCha8(seed) unless seed is 0); returns R."""
        return float(self._run(self._mt, 1, dt, seed)[0])

    def run(self, n_steps: int, dt: float, seed: int = 0) -> np.ndarray:
        """``n_steps`` steps; step k uses seed ``seed + k`` (0 stays 0). Returns R per step."""
        return self._run(self._mt, n_steps, dt, seed)

    def step_ssgf(
        self,
        dt: float,
        seed: int = 0,
        W=None,
        sigma_g: float = 0.0,
        h_munu=None,
        pgbo_weight: float = 0.0,
    ) -> float:
        """One step with the geometry (sigma_g W) and PGBO (w h) couplings and the field term."""
        mt = self._ssgf_matrix(W, sigma_g, h_munu, pgbo_weight)
        return float(self._run(mt, 1, dt, seed)[0])

    def run_ssgf(
        self,
        n_steps: int,
        dt: float,
        seed: int = 0,
        W=None,
        sigma_g: float = 0.0,
        h_munu=None,
        pgbo_weight: float = 0.0,
    ) -> np.ndarray:
        """``n_steps`` of :meth:`step_ssgf` with the per-step seeding of :meth:`run`."""
        mt = self._ssgf_matrix(W, sigma_g, h_munu, pgbo_weight)
        return self._run(mt, n_steps, dt, seed)
