"""The seed's ``PetriNetEngine`` (``sc_neurocore_engine.petri_net``): a stochastic Petri net on
two dense layers, places -> transitions -> places (SEED_BEHAVIOUR §10).

It runs on :class:`scgen.compat.DenseLayer` (scgen's dense kernels), whose ``forward`` draws the
same bits as the engine's, so markings match the engine's exactly. Shape mismatches raise
``AssertionError`` with the seed's text, as the seed does.
"""

from __future__ import annotations

import numpy as np

from ._dense import DenseLayer

__all__ = ["PetriNetEngine"]


class PetriNetEngine:
    """Stochastic Petri net engine.

    Parameters
    ----------
    artifacts : dict
        ``w_in`` (n_transitions, n_places) input arcs, ``w_out`` (n_places, n_transitions)
        output arcs, ``thresholds`` (n_transitions,) firing thresholds, optional ``marking``
        (n_places,) initial tokens (zeros by default).
    length : int
        Bitstream length of the dense layers.
    seed : int
        Seed of the places -> transitions layer; the other layer uses ``seed + 1``.
    """

    def __init__(self, artifacts: dict, length: int = 1024, seed: int = 24301):
        w_in = np.asarray(artifacts["w_in"], dtype=np.float64)
        w_out = np.asarray(artifacts["w_out"], dtype=np.float64)
        thresholds = np.asarray(artifacts["thresholds"], dtype=np.float64)
        self.n_transitions, self.n_places = w_in.shape
        if w_out.shape != (self.n_places, self.n_transitions):
            raise AssertionError(
                f"w_out shape {w_out.shape} must be ({self.n_places}, {self.n_transitions})"
            )
        if thresholds.shape != (self.n_transitions,):
            raise AssertionError(
                f"thresholds shape {thresholds.shape} must be ({self.n_transitions},)"
            )
        self.thresholds = thresholds.copy()
        self.length = length
        self._layer_in = DenseLayer(self.n_places, self.n_transitions, length, seed)
        self._layer_in.set_weights(w_in.clip(0, 1).tolist())
        self._layer_out = DenseLayer(self.n_transitions, self.n_places, length, seed + 1)
        self._layer_out.set_weights(w_out.clip(0, 1).tolist())
        self._w_in = np.asarray(self._layer_in.get_weights(), dtype=np.float64)
        if "marking" in artifacts:
            self._marking = np.asarray(artifacts["marking"], dtype=np.float64).copy()
        else:
            self._marking = np.zeros(self.n_places, dtype=np.float64)
        self._step_count = 0

    @property
    def marking(self) -> np.ndarray:
        """Current token marking (a copy)."""
        return self._marking.copy()

    @property
    def step_count(self) -> int:
        return self._step_count

    def _normalise_marking(self) -> np.ndarray:
        m = self._marking
        mx = m.max()
        return m / mx if mx > 0 else m

    def step(self, seed: int | None = None) -> np.ndarray:
        """Fire once: transitions whose activation exceeds their threshold consume tokens from
        their input places and produce into their output places; return the new marking."""
        s = seed if seed is not None else 44257 + self._step_count
        norm = self._normalise_marking()
        activation = np.array(self._layer_in.forward(norm.tolist(), s), dtype=np.float64)
        fired = (activation > self.thresholds).astype(np.float64)
        if fired.sum() > 0:
            production = np.array(self._layer_out.forward(fired, s + 1), dtype=np.float64)
        else:
            production = np.zeros(self.n_places, dtype=np.float64)
        consumption = np.zeros(self.n_places, dtype=np.float64)
        for t in range(self.n_transitions):  # in order: the float sums match the seed's
            if fired[t] > 0:
                consumption += self._w_in[t] * norm
        self._marking = np.maximum(0.0, self._marking - consumption + production)
        self._step_count += 1
        return self._marking.copy()

    def run(self, n_steps: int, seed: int | None = None) -> list[np.ndarray]:
        """Run ``n_steps`` steps (step ``i`` seeded ``seed + i``); return every marking."""
        history = []
        for i in range(n_steps):
            self.step((seed + i) if seed is not None else None)
            history.append(self._marking.copy())
        return history

    def reset(self, marking: np.ndarray | None = None) -> None:
        """Restore the given marking (zeros if None) and the step count 0."""
        if marking is not None:
            self._marking = np.asarray(marking, dtype=np.float64).copy()
        else:
            self._marking = np.zeros(self.n_places, dtype=np.float64)
        self._step_count = 0
