"""SCPN metrics (SEED_BEHAVIOUR §9): weighted global coherence and the consciousness index."""

from __future__ import annotations

import math

import numpy as np

__all__ = ["SCPNMetrics"]


def _vector(name: str, values: object, n: int | None = None) -> np.ndarray:
    a = np.asarray(values, dtype=np.float64).reshape(-1)
    if n is not None and a.shape[0] != n:
        raise ValueError(f"expected a sequence of length {n} (got {a.shape[0]})")
    return a


class SCPNMetrics:
    """Static metrics over the seven SCPN layers."""

    @staticmethod
    def global_coherence(weights, metrics) -> float:
        """``sum(w * m) / sum(w)`` with ``w >= 0`` and ``m`` clamped to [0, 1]; 0 when the
        weights sum to 0. Seven weights and seven metrics."""
        w = np.maximum(_vector("weights", weights, 7), 0.0)
        m = np.clip(_vector("metrics", metrics, 7), 0.0, 1.0)
        total = float(w.sum())
        if total == 0.0:
            return 0.0
        return min(max(float((w * m).sum()) / total, 0.0), 1.0)

    @staticmethod
    def consciousness_index(phases_l4, glyph_l7) -> float:
        """``0.7 R(phases) + 0.3 min(|glyph| / sqrt(6), 1)``, clamped to [0, 1]; R = 0 for no
        phases. Six glyph values."""
        g = _vector("glyph_l7", glyph_l7, 6)
        p = _vector("phases_l4", phases_l4)
        r = 0.0
        if p.shape[0]:
            inv = 1.0 / p.shape[0]
            c, s = float(np.cos(p).sum()) * inv, float(np.sin(p).sum()) * inv
            r = math.sqrt(c * c + s * s)
        glyph = min(max(math.sqrt(float((g * g).sum())) / math.sqrt(6.0), 0.0), 1.0)
        return min(max(0.7 * r + 0.3 * glyph, 0.0), 1.0)
