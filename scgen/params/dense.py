"""Dense SC layer parameters (the IR's ``dense_forward``)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import ClassVar

from ._common import _int
from .lfsr import LfsrParams
from .lif import LifParams

__all__ = ["DenseParams"]

ROM_BITS = 1 << 20  # constant weight streams up to this many bits go into a ROM


@cache
def _lfsr_cycle() -> tuple[list[int], list[int]]:
    """The 16-bit LFSR's (maximal) state cycle from 1, and each state's position in it."""
    src = LfsrParams(seed=1)
    seq, s = [], 1
    for _ in range((1 << src.width) - 1):
        seq.append(s)
        s = src.step(s)
    pos = [0] * (1 << src.width)
    for t, state in enumerate(seq):
        pos[state] = t
    return seq, pos


@cache
def _rom_words(params: DenseParams) -> tuple[int, ...]:
    seq, pos = _lfsr_cycle()
    period = len(seq)
    assert params.weights is not None
    words = [0] * params.stream_length
    for k, (seed, w) in enumerate(zip(params.weight_seeds(), params.weights, strict=True)):
        p0, bit = pos[seed], 1 << k
        for t in range(params.stream_length):
            if seq[(p0 + t) % period] < w:
                words[t] |= bit
    return tuple(words)


@dataclass(frozen=True, kw_only=True)
class DenseParams:
    """A dense layer of LIF neurons over SC synapses (see :class:`scgen.hw.Dense`).

    Parameters
    ----------
    n_inputs, n_neurons : int
        Layer shape, 1 to 65536 each.
    stream_length : int
        Stream length ``L`` of a window, 1 to ``2**32`` (the ROM's depth).
    data_width : int
        Neuron width W, 10 to 32; the neurons compute with ``min(8, W - 1)`` fraction bits,
        threshold ``2**fraction``, no refractory period and no noise.
    input_seed_base, weight_seed_base : int
        Input ``i``'s encoder is the 16-bit LFSR seeded ``input_seed_base + 7 i``, weight
        ``k``'s the one seeded ``weight_seed_base + 13 k`` (mod ``2**16``; 0 becomes 1).
    y_min, y_max : int
        A neuron's current is ``y_min + (y_max - y_min) * count // n_inputs``, 0 to
        ``2**32 - 1`` each.
    shared_weights : bool
        One weight vector for every neuron (``n_inputs`` weights) instead of one per synapse.
    weights : tuple of int, optional
        Constant 16-bit full-scale weights (weight ``k = n * n_inputs + i``); None gives the
        layer a ``w`` port. Constant weights whose streams fit ``ROM_BITS`` come from a ROM.
    leak_k, gain_k : int, optional
        Constant neuron leak and gain (signed W-bit); None gives the layer a port for each.
    """

    NAME: ClassVar[str] = "Dense layer"
    RATE_BITS: ClassVar[int] = 16

    n_inputs: int = 3
    n_neurons: int = 7
    stream_length: int = 1024
    data_width: int = 16
    input_seed_base: int = 0xACE1
    weight_seed_base: int = 0xBEEF
    y_min: int = 0
    y_max: int = 256
    shared_weights: bool = False
    weights: tuple[int, ...] | None = None
    leak_k: int | None = None
    gain_k: int | None = None

    def __post_init__(self) -> None:
        n = self.NAME
        _int(n, "n_inputs", self.n_inputs, 1, 1 << 16)
        _int(n, "n_neurons", self.n_neurons, 1, 1 << 16)
        _int(n, "stream_length", self.stream_length, 1, 1 << 32)
        # the threshold 2**min(8, W - 1) must be a W-bit signed value
        _int(n, "data_width", self.data_width, 10, 32)
        _int(n, "input_seed_base", self.input_seed_base, 0, 0xFFFF)
        _int(n, "weight_seed_base", self.weight_seed_base, 0, 0xFFFF)
        _int(n, "y_min", self.y_min, 0, (1 << 32) - 1)
        _int(n, "y_max", self.y_max, 0, (1 << 32) - 1)
        if not isinstance(self.shared_weights, bool):
            raise TypeError(
                f"{n} shared_weights must be True or False, not {self.shared_weights!r}"
            )
        if self.weights is not None:
            if not isinstance(self.weights, tuple) or len(self.weights) != self.n_weights:
                raise ValueError(
                    f"{n} weights must be a tuple of {self.n_weights} integers, not "
                    f"{self.weights!r:.80}"
                )
            for k, w in enumerate(self.weights):
                _int(n, f"weights[{k}]", w, 0, (1 << self.RATE_BITS) - 1)
        lo, hi = -(1 << (self.data_width - 1)), (1 << (self.data_width - 1)) - 1
        for name in ("leak_k", "gain_k"):
            if getattr(self, name) is not None:
                _int(n, name, getattr(self, name), lo, hi, f" (signed {self.data_width}-bit)")

    @property
    def n_weights(self) -> int:
        """Number of distinct weights: ``n_inputs``, or ``n_inputs * n_neurons``."""
        return self.n_inputs if self.shared_weights else self.n_inputs * self.n_neurons

    def weight_index(self, neuron: int, i: int) -> int:
        """The weight of synapse ``(neuron, i)``."""
        return i if self.shared_weights else neuron * self.n_inputs + i

    def input_seeds(self) -> list[int]:
        return [((self.input_seed_base + 7 * i) & 0xFFFF) or 1 for i in range(self.n_inputs)]

    def weight_seeds(self) -> list[int]:
        return [((self.weight_seed_base + 13 * k) & 0xFFFF) or 1 for k in range(self.n_weights)]

    def weight_table(self) -> tuple[tuple[int, ...], ...]:
        """``weight_table()[n][i]``: the weight of synapse ``(n, i)``."""
        return tuple(
            tuple(self.weight_index(n, i) for i in range(self.n_inputs))
            for n in range(self.n_neurons)
        )

    def source_config(self) -> tuple[bool, int, int]:
        """The encoders' LFSR as the twin's kernel takes it: (galois, width, taps mask)."""
        src = LfsrParams()
        return src.galois(), src.width, src.taps_mask()

    def lif_config(self) -> tuple:
        """The neurons' :meth:`LifParams.kernel_config`."""
        return self.lif_params().kernel_config()

    def lif_params(self) -> LifParams:
        """The neurons' parameters."""
        f = min(8, self.data_width - 1)
        return LifParams(
            data_width=self.data_width, fraction=f, v_threshold=1 << f, refractory_period=0
        )

    @property
    def uses_rom(self) -> bool:
        """Constant weights whose streams (``n_weights * L`` bits) fit the ROM."""
        return self.weights is not None and self.n_weights * self.stream_length <= ROM_BITS

    def rom_words(self) -> list[int]:
        """The ROM's init: bit ``k`` of word ``t`` is weight ``k``'s stream bit ``t`` (its
        comparator encoder, reseeded at the window's start, on stream cycle ``t``)."""
        if self.weights is None:
            raise ValueError(f"{self.NAME} has no constant weights to put in a ROM")
        return list(_rom_words(self))
