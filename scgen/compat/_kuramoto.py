"""The engine's ``KuramotoSolver`` (bridge ``sc_neurocore_engine.scpn``) and ``SCPNMetrics``."""

from __future__ import annotations

import math

import numpy as np

from ..nn.kuramoto import KuramotoSolver as _Native
from ..nn.scpn import SCPNMetrics
from ._args import int_arg

__all__ = ["KuramotoSolver", "SCPNMetrics"]


def _flat(name: str, value, n: int) -> np.ndarray:
    a = np.asarray(value, dtype=np.float64).reshape(-1)
    if a.shape[0] != n * n:
        raise ValueError(f"{name} must be shape ({n}, {n}) or flat length {n * n}")
    return a


def _dt(dt) -> float:
    """The engine's check of every step size (3.15.7 raises before it integrates)."""
    value = float(dt)
    if not (math.isfinite(value) and value > 0):
        raise ValueError("dt must be finite and positive")
    return value


class KuramotoSolver:
    """Kuramoto network with the engine's signature, defaults and error texts (3.15.7: the
    K-term is divided by N)."""

    def __init__(self, omega, coupling, phases, noise_amp=0.1):
        om = np.asarray(omega, dtype=np.float64).reshape(-1)
        if om.shape[0] == 0:
            raise ValueError("omega must not be empty.")
        n = om.shape[0]
        k = np.asarray(coupling, dtype=np.float64).reshape(-1)
        if k.shape[0] != n * n:
            raise ValueError(f"Flat coupling length mismatch: got {k.shape[0]}, expected {n * n}.")
        self._solver = _Native(om, k, self._checked_phases(phases, n), float(noise_amp))

    @staticmethod
    def _checked_phases(phases, n: int) -> np.ndarray:
        p = np.asarray(phases, dtype=np.float64).reshape(-1)
        if p.shape[0] != n:
            raise ValueError(f"phases length mismatch: got {p.shape[0]}, expected {n}.")
        return p

    def step(self, dt, seed=0):
        return self._solver.step(_dt(dt), int_arg("seed", seed, "u64"))

    def run(self, n_steps, dt, seed=0):
        return self._solver.run(
            int_arg("n_steps", n_steps, "u64"), _dt(dt), int_arg("seed", seed, "u64")
        )

    def _extras(self, W, h_munu):
        n = self._solver.n
        w = None if W is None or np.size(W) == 0 else _flat("W", W, n)
        h = None if h_munu is None or np.size(h_munu) == 0 else _flat("h_munu", h_munu, n)
        return w, h

    def step_ssgf(self, dt, seed=0, W=None, sigma_g=0.0, h_munu=None, pgbo_weight=0.0):
        w, h = self._extras(W, h_munu)
        return self._solver.step_ssgf(
            _dt(dt), int_arg("seed", seed, "u64"), w, float(sigma_g), h, float(pgbo_weight)
        )

    def run_ssgf(self, n_steps, dt, seed=0, W=None, sigma_g=0.0, h_munu=None, pgbo_weight=0.0):
        w, h = self._extras(W, h_munu)
        return self._solver.run_ssgf(
            int_arg("n_steps", n_steps, "u64"),
            _dt(dt),
            int_arg("seed", seed, "u64"),
            w,
            float(sigma_g),
            h,
            float(pgbo_weight),
        )

    def order_parameter(self):
        return self._solver.order_parameter()

    def set_field_pressure(self, f):
        self._solver.set_field_pressure(float(f))

    @property
    def phases(self):
        return self._solver.phases

    @phases.setter
    def phases(self, new_phases):
        self._solver.phases = self._checked_phases(new_phases, self._solver.n)
