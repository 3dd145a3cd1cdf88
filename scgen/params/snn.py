"""Parameters of a fixed-point multi-layer spiking network (:class:`scgen.snn.SnnNetwork`).

A network is a chain of layers; each layer is a synaptic projection (signed fixed-point weights
``[out, in]`` and a bias) feeding a population of LIF/IF neurons. Per time step and neuron ``j``::

    v0    = 0 if the step starts a sample else v[j]
    u     = sat(leak(v0) + bias[j] + sum_i s[i] * weight[j][i])      # sat: membrane_width bits
    spike = u > threshold[j]                                           # strict, as in NIR
    v[j]  = v_reset if spike (reset "zero") | sat(u - threshold[j]) if spike (reset "subtract")
            | u otherwise

with ``leak(v) = v - (v >> leak_shift)`` (beta = 1 - 2**-k), ``(v * beta) >> beta_fraction``
(floor), or ``v`` (IF, no leak). All values are raw integers at one scale per layer.
``beta``, ``alpha`` (below) and ``v_reset`` are one value per layer or, where the neurons
differ, one per neuron (``beta[j]``, ...): the twin reads them from its neuron array, the
hardware from the neuron ROM word of the lane, with a variable multiply for beta and alpha.

Synapses are ``exact`` (the sum above) or ``stochastic`` (per layer, the SC way): with the
layer's LFSR state ``S`` at the step's start (``seed`` on a sample's first step), pair
``c = i * L + k`` (synapse ``i``, ``k < L``) draws ``r_c``, the LFSR state ``(c + 1) * d`` steps
after ``S`` (``d = weight_width - 1``), and every neuron ``j`` adds
``sign(w[j][i]) << ((weight_width - 1) - log2 L)`` when ``s[i]`` and
``(r_c >> (lfsr_width - weight_width + 1)) < |w[j][i]|``: ``w[j][i]`` on average. All neurons
see the same ``r_c`` and the next step starts from ``r_{n_in L - 1}``, so the spikes do not
depend on the folding. ``d`` steps per draw make the compared top ``d`` bits of successive
draws disjoint windows of the LFSR's bit sequence (one step per draw would share ``d - 1`` bits
between neighbours: on the digits network at L = 16, T = 16 that cost 20 points of accuracy).

``neuron`` picks the population. ``Neuron.CUBA`` (NIR's CubaLIF) adds a synaptic current
``i[j]`` per neuron, through which the bias and the synaptic sum reach the membrane::

    i0    = 0 if the step starts a sample else i[j]
    i[j]  = sat(syn_leak(i0) + bias[j] + sum_i s[i] * weight[j][i])   # sat: membrane_width bits
    u     = sat(leak(v0) + i[j])                                       # then spike/reset as above

with ``syn_leak`` the same three forms (``syn_leak_shift``, or ``alpha`` over ``beta_fraction``).
``Neuron.LI`` (and ``Neuron.CUBA_LI``, with the current) never spikes: ``v[j] = u``, no threshold
or reset; only the last layer may be one, and the network's output is then its membranes.

The two choices compose: a stochastic layer's sum (the counted comparisons) takes the place of
``sum_i s[i] * weight[j][i]`` wherever it appears, so a stochastic CUBA layer feeds it to the
current. In hardware a group then spends ``n_in * L`` cycles on the synapses, and the neuron
stages (with the current's extra one) follow: ``n_in * L + 4 + (1 with a current)`` cycles.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

import numpy as np

from .lfsr import LfsrParams

__all__ = [
    "DEVICES",
    "Leak",
    "Neuron",
    "Reset",
    "SnnLayerParams",
    "Synapse",
    "SnnParams",
    "estimate",
    "fit",
    "from_dict",
    "to_dict",
]


class Reset(enum.Enum):
    """What a spike does to the membrane."""

    ZERO = "zero"  # to ``v_reset`` (NIR's semantics, snnTorch reset_mechanism="zero")
    SUBTRACT = "subtract"  # by the threshold (snnTorch's default, not expressible in NIR)


class Leak(enum.Enum):
    """How the membrane decays each step."""

    NONE = "none"  # integrate-and-fire: beta = 1
    SHIFT = "shift"  # v - (v >> leak_shift): beta = 1 - 2**-leak_shift, no multiplier
    MULTIPLY = "multiply"  # (v * beta) >> beta_fraction


class Synapse(enum.Enum):
    """How a projection's weights reach the membrane."""

    EXACT = "exact"  # fixed-point weights added for each input spike
    STOCHASTIC = "stochastic"  # |w| as a Bernoulli stream (LFSR comparator), counted with sign


class Neuron(enum.Enum):
    """The population's neuron model."""

    LIF = "lif"  # leaky (or, with Leak.NONE, plain) integrate-and-fire: NIR's LIF and IF
    CUBA = "cuba"  # current-based LIF, a synaptic current state per neuron: NIR's CubaLIF
    LI = "li"  # leaky integrator, never spikes (a readout): NIR's LI
    CUBA_LI = "cuba_li"  # leaky integrator behind a synaptic current: NIR's CubaLI


def _int(owner: str, name: str, value, lo: int, hi: int | None = None) -> None:
    if not isinstance(value, int | np.integer) or isinstance(value, bool):
        raise TypeError(f"{owner} {name} must be an integer, not {value!r}")
    if value < lo or (hi is not None and value > hi):
        rule = f"between {lo} and {hi}" if hi is not None else f"at least {lo}"
        raise ValueError(f"{owner} {name} must be {rule}, not {value!r}")


@dataclass(frozen=True, kw_only=True)
class SnnLayerParams:
    """One projection + population. Weights, bias, thresholds and membranes are raw integers."""

    weight: tuple[tuple[int, ...], ...]  # [out][in], signed weight_width bits
    bias: tuple[int, ...] | None = None  # per neuron, signed membrane_width bits; None = zeros
    threshold: tuple[int, ...]  # per neuron, signed membrane_width bits
    leak: Leak = Leak.SHIFT
    leak_shift: int = 3  # k for Leak.SHIFT (beta = 1 - 2**-k)
    # raw beta for Leak.MULTIPLY, in [0, 2**beta_fraction]: one for the layer, or a tuple with
    # one per neuron (a tuple whose entries are all equal becomes the one value)
    beta: int | tuple[int, ...] = 0
    beta_fraction: int = 8
    reset: Reset = Reset.ZERO
    v_reset: int | tuple[int, ...] = 0  # for Reset.ZERO; shared, or a tuple per neuron
    weight_width: int = 8
    membrane_width: int = 16
    pe: int = 1  # neurons computed per cycle (the folding knob); 1 = one synapse per cycle
    synapse: Synapse = Synapse.EXACT
    stream_length: int = 1  # L: comparisons per synapse and step (stochastic; 1 for exact)
    seed: int = 1  # the LFSR state on a sample's first step (stochastic)
    lfsr_width: int = 16  # the stochastic synapses' LFSR (maximal-length Fibonacci)
    neuron: Neuron = Neuron.LIF
    syn_leak: Leak = Leak.SHIFT  # the synaptic current's decay (Neuron.CUBA, Neuron.CUBA_LI)
    syn_leak_shift: int = 1  # k for syn_leak Leak.SHIFT (alpha = 1 - 2**-k)
    alpha: int | tuple[int, ...] = 0  # raw alpha for syn_leak MULTIPLY; shared, or per neuron

    def __post_init__(self):
        object.__setattr__(self, "leak", Leak(self.leak))
        object.__setattr__(self, "reset", Reset(self.reset))
        object.__setattr__(self, "neuron", Neuron(self.neuron))
        object.__setattr__(self, "syn_leak", Leak(self.syn_leak))
        _int("SNN layer", "weight_width", self.weight_width, 2, 16)
        _int("SNN layer", "membrane_width", self.membrane_width, 4, 32)
        w = np.asarray(self.weight, dtype=object)
        if w.ndim != 2 or w.shape[0] < 1 or w.shape[1] < 1:
            raise ValueError(
                f"SNN layer weight must be a non-empty [out][in] table, not shape {w.shape!r}"
            )
        object.__setattr__(self, "weight", tuple(tuple(int(x) for x in row) for row in w))
        n_out = w.shape[0]
        lo, hi = -(1 << (self.weight_width - 1)), (1 << (self.weight_width - 1)) - 1
        for j, row in enumerate(self.weight):
            for i, x in enumerate(row):
                if not lo <= x <= hi:
                    raise ValueError(
                        f"SNN layer weight[{j}][{i}] must fit {self.weight_width} signed bits "
                        f"([{lo}, {hi}]), not {x!r}"
                    )
        mlo, mhi = -(1 << (self.membrane_width - 1)), (1 << (self.membrane_width - 1)) - 1
        bias = (0,) * n_out if self.bias is None else self.bias
        for name, values in (("bias", bias), ("threshold", self.threshold)):
            if len(values) != n_out:
                raise ValueError(
                    f"SNN layer {name} must have one entry per neuron ({n_out}), "
                    f"not {len(values)!r}"
                )
            for j, x in enumerate(values):
                _int("SNN layer", f"{name}[{j}]", x, mlo, mhi)
        object.__setattr__(self, "bias", tuple(int(x) for x in bias))
        object.__setattr__(self, "threshold", tuple(int(x) for x in self.threshold))
        self._per_neuron("v_reset", n_out, mlo, mhi)
        _int("SNN layer", "leak_shift", self.leak_shift, 1, self.membrane_width - 1)
        _int("SNN layer", "beta_fraction", self.beta_fraction, 1, 16)
        self._per_neuron("beta", n_out, 0, 1 << self.beta_fraction)
        _int("SNN layer", "pe", self.pe, 1, n_out)
        _int("SNN layer", "syn_leak_shift", self.syn_leak_shift, 1, self.membrane_width - 1)
        self._per_neuron("alpha", n_out, 0, 1 << self.beta_fraction)
        self._check_synapse()

    def _per_neuron(self, name: str, n_out: int, lo: int, hi: int) -> None:
        """Check ``name``, an integer or one per neuron; equal entries become the one value."""
        value = getattr(self, name)
        if isinstance(value, list | tuple | np.ndarray):
            values = tuple(value)
            if len(values) != n_out:
                raise ValueError(
                    f"SNN layer {name} must be one integer or one per neuron ({n_out}), "
                    f"not {len(values)!r} values"
                )
            for j, x in enumerate(values):
                _int("SNN layer", f"{name}[{j}]", x, lo, hi)
            values = tuple(int(x) for x in values)
            object.__setattr__(self, name, values[0] if len(set(values)) == 1 else values)
        else:
            _int("SNN layer", name, value, lo, hi)

    def per_neuron(self, name: str) -> tuple[int, ...]:
        """``beta``, ``alpha`` or ``v_reset`` of every neuron (the shared value repeated)."""
        value = getattr(self, name)
        return value if isinstance(value, tuple) else (value,) * self.n_out

    def neuron_fields(self) -> tuple[tuple[str, int], ...]:
        """``(name, width)`` of the per-neuron values this layer's neurons use beyond bias and
        threshold, in ROM order: ``beta`` (with ``Leak.MULTIPLY``), ``alpha`` (with a current
        and ``syn_leak`` MULTIPLY), ``v_reset`` (spiking, ``Reset.ZERO``) when they differ."""
        fields = []
        if isinstance(self.beta, tuple) and self.leak is Leak.MULTIPLY:
            fields.append(("beta", self.beta_fraction + 1))
        if isinstance(self.alpha, tuple) and self.has_current and self.syn_leak is Leak.MULTIPLY:
            fields.append(("alpha", self.beta_fraction + 1))
        if isinstance(self.v_reset, tuple) and self.spiking and self.reset is Reset.ZERO:
            fields.append(("v_reset", self.membrane_width))
        return tuple(fields)

    def neuron_word_width(self) -> int:
        """Bits per lane of a neuron ROM word: bias, threshold and :meth:`neuron_fields`."""
        return 2 * self.membrane_width + sum(w for _, w in self.neuron_fields())

    def _check_synapse(self) -> None:
        if not isinstance(self.synapse, Synapse):
            names = ", ".join(repr(s.value) for s in Synapse)
            if self.synapse not in {s.value for s in Synapse}:
                raise ValueError(f"SNN layer synapse must be one of {names}, not {self.synapse!r}")
            object.__setattr__(self, "synapse", Synapse(self.synapse))
        top = 1 << (self.weight_width - 1)
        length = self.stream_length
        _int("SNN layer", "stream_length", length, 1)
        if self.synapse is Synapse.EXACT and length != 1:
            raise ValueError(
                f"SNN layer stream_length must be 1 for exact synapses, not {length!r}"
            )
        if length & (length - 1) or length > top:
            raise ValueError(
                f"SNN layer stream_length must be a power of two up to 2**(weight_width - 1) = "
                f"{top}, not {length!r}"
            )
        _int("SNN layer", "lfsr_width", self.lfsr_width, self.weight_width, 32)
        if self.seed == 0:
            raise ValueError("SNN layer seed must be non-zero, not 0; a zero state locks the LFSR")
        _int("SNN layer", "seed", self.seed, 1, (1 << self.lfsr_width) - 1)

    @property
    def stochastic(self) -> bool:
        return self.synapse is Synapse.STOCHASTIC

    def lfsr(self) -> LfsrParams:
        """The stochastic synapses' LFSR, reset to ``seed``."""
        return LfsrParams(width=self.lfsr_width, seed=self.seed)

    def compare_shift(self) -> int:
        """Right shift of the LFSR state before its comparison with ``|w|``."""
        return self.lfsr_width - self.weight_width + 1

    def draw_steps(self) -> int:
        """LFSR steps per stochastic draw: ``weight_width - 1``, the compared bits."""
        return self.weight_width - 1

    def stream_shift(self) -> int:
        """A stochastic synapse adds ``sign(w) << stream_shift()`` per comparison won."""
        return (self.weight_width - 1) - (self.stream_length.bit_length() - 1)

    def synapse_cycles(self) -> int:
        """Cycles of a group's synaptic phase: ``n_in * stream_length``."""
        return self.n_in * self.stream_length

    def synapse_config(self) -> tuple[int, ...]:
        """``(stochastic, L, seed, galois, lfsr_width, taps mask, compare shift, stream shift,
        draw steps)``, the twin's config columns for the synapses."""
        lfsr = self.lfsr()
        return (
            int(self.stochastic), self.stream_length, self.seed, int(lfsr.galois()),
            self.lfsr_width, lfsr.taps_mask(), self.compare_shift(), self.stream_shift(),
            self.draw_steps(),
        )  # fmt: skip

    @property
    def spiking(self) -> bool:
        """Whether the population spikes (LIF, CUBA) or only integrates (LI, CUBA_LI)."""
        return self.neuron in (Neuron.LIF, Neuron.CUBA)

    @property
    def has_current(self) -> bool:
        """Whether the neurons keep a synaptic current (CUBA, CUBA_LI)."""
        return self.neuron in (Neuron.CUBA, Neuron.CUBA_LI)

    @property
    def biases(self) -> tuple[int, ...]:
        """The bias of every neuron (zeros when none was given)."""
        return self.bias if self.bias is not None else (0,) * self.n_out

    @property
    def n_in(self) -> int:
        return len(self.weight[0])

    @property
    def n_out(self) -> int:
        return len(self.weight)

    def groups(self) -> int:
        """Neuron groups computed one after the other: ``ceil(n_out / pe)``."""
        return -(-self.n_out // self.pe)

    def group_cycles(self) -> int:
        """Cycles per group: the synaptic phase (:meth:`synapse_cycles`: one per input
        synapse, ``stream_length`` per synapse when stochastic), plus the pipeline's four (five
        with a synaptic current: the current is saturated one stage before the membrane)."""
        return self.synapse_cycles() + 4 + self.has_current

    def cycles(self) -> int:
        """Cycles this layer takes per time step."""
        return self.groups() * self.group_cycles()

    def acc_width(self) -> int:
        """Signed width of the synaptic sum: exact for ``n_in`` weights."""
        return self.weight_width + max(1, self.n_in.bit_length())

    def sum_width(self) -> int:
        """Signed width of ``leak(v) + bias + sum``: exact, saturated to the membrane after."""
        return max(self.membrane_width + 2, self.acc_width()) + 2

    def leak_config(self) -> tuple[int, int, int]:
        """``(mode, shift or beta_fraction, beta)`` as the twin's kernel takes it."""
        mode = {Leak.NONE: 0, Leak.SHIFT: 1, Leak.MULTIPLY: 2}[self.leak]
        shift = self.leak_shift if self.leak is Leak.SHIFT else self.beta_fraction
        return mode, shift, self.beta if isinstance(self.beta, int) else 0

    def syn_leak_config(self) -> tuple[int, int, int]:
        """``(mode, shift or beta_fraction, alpha)`` of the synaptic current's decay."""
        mode = {Leak.NONE: 0, Leak.SHIFT: 1, Leak.MULTIPLY: 2}[self.syn_leak]
        shift = self.syn_leak_shift if self.syn_leak is Leak.SHIFT else self.beta_fraction
        return mode, shift, self.alpha if isinstance(self.alpha, int) else 0

    def weight_words(self) -> list[int]:
        """ROM words ``g * n_in + i``: lane ``l`` holds ``weight[g * pe + l][i]`` (0 if padded)."""
        mask, words = (1 << self.weight_width) - 1, []
        for g in range(self.groups()):
            for i in range(self.n_in):
                word = 0
                for lane in range(self.pe):
                    j = g * self.pe + lane
                    x = self.weight[j][i] if j < self.n_out else 0
                    word |= (x & mask) << (lane * self.weight_width)
                words.append(word)
        return words

    def neuron_words(self) -> list[int]:
        """ROM words ``g``: lane ``l`` holds (bias, threshold) of neuron ``g * pe + l``, then
        its :meth:`neuron_fields` (per-neuron beta, alpha, v_reset), if any, in
        :meth:`neuron_word_width` bits per lane.

        Padded neurons get bias 0 and the largest threshold, so they never spike (and 0 for
        the rest).
        """
        mw, lane_bits = self.membrane_width, self.neuron_word_width()
        mask, top, words = (1 << mw) - 1, (1 << (mw - 1)) - 1, []
        extra = [(self.per_neuron(name), width) for name, width in self.neuron_fields()]
        for g in range(self.groups()):
            word = 0
            for lane in range(self.pe):
                j = g * self.pe + lane
                b, t = (self.biases[j], self.threshold[j]) if j < self.n_out else (0, top)
                bits, at = (b & mask) | ((t & mask) << mw), 2 * mw
                for values, width in extra:
                    x = values[j] if j < self.n_out else 0
                    bits |= (x & ((1 << width) - 1)) << at
                    at += width
                word |= bits << (lane * lane_bits)
            words.append(word)
        return words


@dataclass(frozen=True, kw_only=True)
class SnnParams:
    """A chain of :class:`SnnLayerParams`; layer ``k + 1`` takes layer ``k``'s spikes."""

    # the default (two inputs, one neuron) only makes the registry's default params; a real
    # network always gives its layers
    layers: tuple[SnnLayerParams, ...] = (SnnLayerParams(weight=((1, 1),), threshold=(1,)),)

    def __post_init__(self):
        layers = tuple(self.layers)
        if not layers:
            raise ValueError("SNN network must have at least one layer, not 0")
        for k, layer in enumerate(layers):
            if not isinstance(layer, SnnLayerParams):
                raise TypeError(f"SNN layer {k} must be an SnnLayerParams, not {layer!r}")
            if k and layer.n_in != layers[k - 1].n_out:
                raise ValueError(
                    f"SNN layer {k} must take {layers[k - 1].n_out} inputs (layer {k - 1}'s "
                    f"neurons), not {layer.n_in!r}"
                )
            if not layer.spiking and k != len(layers) - 1:
                raise ValueError(
                    f"SNN layer {k} neuron must spike ('lif' or 'cuba') unless it is the last "
                    f"layer, not {layer.neuron.value!r}"
                )
        object.__setattr__(self, "layers", layers)

    @property
    def n_in(self) -> int:
        return self.layers[0].n_in

    @property
    def n_out(self) -> int:
        return self.layers[-1].n_out

    @property
    def readout(self) -> bool:
        """Whether the output is the last layer's membranes (an LI readout), not its spikes."""
        return not self.layers[-1].spiking

    def step_cycles(self) -> int:
        """Busy cycles per time step: from the cycle after ``start`` to the last layer's last
        (the layers one after the other, with one cycle between two layers)."""
        return sum(layer.cycles() for layer in self.layers) + len(self.layers) - 1

    def with_pe(self, pe: tuple[int, ...] | int) -> SnnParams:
        """Return the same network with other folding (the same spikes, other timing)."""
        from dataclasses import replace

        pes = (pe,) * len(self.layers) if isinstance(pe, int) else tuple(pe)
        return SnnParams(
            layers=tuple(replace(la, pe=p) for la, p in zip(self.layers, pes, strict=True))
        )

    def with_synapse(self, synapse: Synapse | str, stream_length: int = 1) -> SnnParams:
        """Return the same network with every projection's synapses ``synapse``."""
        from dataclasses import replace

        # a name is checked (and converted) by SnnLayerParams, with its own message
        fields: dict[str, Any] = {"synapse": synapse, "stream_length": stream_length}
        return SnnParams(layers=tuple(replace(la, **fields) for la in self.layers))

    def layer_config(self) -> np.ndarray:
        """The twin's per-layer configuration rows (see :meth:`kernel_arrays`)."""
        return self.kernel_arrays()[0]

    def weight_values(self) -> np.ndarray:
        """Every layer's weights, ``[out][in]`` row by row, layer after layer."""
        return self.kernel_arrays()[1]

    def neuron_values(self) -> np.ndarray:
        """Every layer's biases then thresholds (then its per-neuron values), layer after layer."""
        return self.kernel_arrays()[2]

    def kernel_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(config, weights, neurons)`` as flat int64 arrays for the twin's kernels.

        ``config[k]``, one row of 27 columns per layer (the kernels read them by index)::

            0-3    n_in, n_out, weight offset, neuron offset
            4-6    leak mode (0 none, 1 shift, 2 multiply), leak shift or beta_fraction, beta
            7-9    reset mode (0 zero, 1 subtract), v_reset, membrane_width
            10     synaptic current (1 for CUBA, CUBA_LI)
            11-13  the current's leak (SnnLayerParams.syn_leak_config): mode, shift or
                   beta_fraction, alpha
            14     spiking (0 for LI, CUBA_LI)
            15-23  synapses (SnnLayerParams.synapse_config): stochastic, L, seed, galois,
                   lfsr_width, taps mask, compare shift, stream shift, draw steps
            24-26  offsets in ``neurons`` of the layer's per-neuron beta, alpha and v_reset
                   (n_out values each, after the thresholds), or -1 where the value is shared
                   (columns 6, 13 and 8 then hold it)

        ``neurons`` holds per layer its biases, its thresholds, then those per-neuron values.
        """
        config: list[tuple[int, ...]] = []
        weights: list[int] = []
        neurons: list[int] = []
        w_off = n_off = 0
        for la in self.layers:
            mode, shift, beta = la.leak_config()
            offsets: list[int] = []
            extra: list[int] = []
            for name in ("beta", "alpha", "v_reset"):
                value = getattr(la, name)
                if isinstance(value, tuple):
                    offsets.append(n_off + 2 * la.n_out + len(extra))
                    extra.extend(value)
                else:
                    offsets.append(-1)
            v_reset = la.v_reset if isinstance(la.v_reset, int) else 0
            config.append(
                (la.n_in, la.n_out, w_off, n_off, mode, shift, beta,
                 0 if la.reset is Reset.ZERO else 1, v_reset, la.membrane_width,
                 int(la.has_current), *la.syn_leak_config(), int(la.spiking),
                 *la.synapse_config(), *offsets)
            )  # fmt: skip
            weights.extend(x for row in la.weight for x in row)
            neurons.extend(la.biases)
            neurons.extend(la.threshold)
            neurons.extend(extra)
            w_off += la.n_in * la.n_out
            n_off += 2 * la.n_out + len(extra)
        return (
            np.array(config, dtype=np.int64),
            np.array(weights, dtype=np.int64),
            np.array(neurons, dtype=np.int64),
        )


def to_dict(params: SnnParams) -> dict:
    """``params`` as plain JSON-able data (enums by value); :func:`from_dict` reverses it."""
    from dataclasses import asdict

    layers = []
    for la in params.layers:
        d = asdict(la)
        d["leak"], d["reset"] = la.leak.value, la.reset.value
        d["synapse"] = la.synapse.value
        d["neuron"], d["syn_leak"] = la.neuron.value, la.syn_leak.value
        d["weight"] = [list(row) for row in la.weight]
        d["bias"], d["threshold"] = list(la.biases), list(la.threshold)
        for name in ("beta", "alpha", "v_reset"):
            if isinstance(d[name], tuple):
                d[name] = list(d[name])
        layers.append(d)
    return {"format": "scgen.snn/1", "layers": layers}


def from_dict(data: dict) -> SnnParams:
    """Rebuild :class:`SnnParams` from :func:`to_dict`'s output (every field checked again)."""
    if not isinstance(data, dict) or data.get("format") != "scgen.snn/1":
        got = data.get("format") if isinstance(data, dict) else data
        raise ValueError(f"SNN network file format must be 'scgen.snn/1', not {got!r}")
    return SnnParams(layers=tuple(SnnLayerParams(**d) for d in data["layers"]))


# logic cells and 4-kbit block RAMs of the devices the boards carry
DEVICES = {
    "iCE40UP5K-SG48": (5280, 30),
    "LFE5U-85F-6BG381C": (83640, 208),
    "LFE5U-85F-8MG285C": (83640, 208),
    "GW1NR-LV9QN88PC6/I5": (8640, 26),
}


def estimate(params: SnnParams) -> dict[str, int]:
    """Cycles per step and a rough LUT/FF/BRAM estimate, before any build.

    Flip-flops are counted from the registers (membrane ring, spike and input shift registers,
    per-lane pipeline); LUTs as twice the per-lane adder and saturation bits plus the ring's
    input multiplexers, a rule fitted to the iCE40 build of the digits network (442 LUT, 856 FF
    at pe = 1); block RAMs as 4-kbit blocks (at most 16 bits wide) for ROMs of 2 kbit or more
    (smaller ROMs become logic); stochastic synapses add their LFSR, its saved state and a
    comparator per lane, a synaptic current its ring and per-lane stage, both when a layer has
    both; an LI readout the held membranes. report.json of a build has the real figures.
    """
    lut = ff = bram = 0
    for la in params.layers:
        n_pad, mw = la.groups() * la.pe, la.membrane_width
        lane = la.acc_width() + 2 * la.sum_width() + mw
        ff += n_pad * (mw + 1) + la.n_in + la.pe * lane + 3 * la.n_in.bit_length() + 8
        lut += 2 * la.pe * (la.acc_width() + 2 * la.sum_width() + 3 * mw) + 40
        if la.stochastic:
            # the LFSR and its saved state; per lane |w|, the comparator and the +-2**shift mux
            ff += 2 * la.lfsr_width
            lut += la.lfsr_width + 2 * la.pe * la.weight_width
        if la.has_current:  # the current ring, its leak and sum registers and adders
            ff += n_pad * mw + la.pe * (la.sum_width() + mw)
            lut += 2 * la.pe * (la.sum_width() + 2 * mw)
        for width, depth in (
            (la.pe * la.weight_width, la.groups() * la.n_in),
            (la.pe * la.neuron_word_width(), la.groups()),
        ):
            if width * depth >= 2048:
                bram += max(-(-width * depth // 4096), -(-width // 16))
    ff += params.n_out + 3
    if params.readout:  # the held membranes of the readout
        ff += params.n_out * params.layers[-1].membrane_width
    return {"cycles_per_step": params.step_cycles() + 1, "lut": lut, "ff": ff, "bram": bram}


def fit(params: SnnParams, device: str, *, budget: float = 0.8, cost=None) -> SnnParams:
    """The folding with the fewest cycles per step whose estimate fits ``budget`` of ``device``.

    Greedy: double the ``pe`` of the slowest layer while the estimate still fits. ``cost``
    (``params -> (lut, ff, bram)``, e.g. the calibrated planner's figures for the whole design)
    replaces :func:`estimate`; its LUT + FF are packed at 0.85 per logic cell, what the
    iCEBreaker digits build measured (4 111 cells for 2 143 LUT and 2 777 FF).
    """
    if device not in DEVICES:
        raise ValueError(
            f"SNN fit device must be one of {', '.join(sorted(DEVICES))}, not {device!r}"
        )
    cells, blocks = DEVICES[device]

    def figures(p):
        if cost is None:
            e = estimate(p)
            return e["lut"], e["ff"], e["bram"]
        return cost(p)

    def fits(p):
        lut, ff, bram = figures(p)
        # a logic cell is one LUT4 and one flip-flop: measured builds packed into 0.85 to 0.87
        # of LUT + FF cells, so for the rough estimate the sum is the safe side
        cells_used = (lut + ff) * (1.0 if cost is None else 0.85)
        return cells_used <= budget * cells and bram <= budget * blocks

    best = params.with_pe(1)
    if not fits(best):
        lut, ff, bram = figures(best)
        raise ValueError(
            f"SNN network does not fit {device} even at pe = 1 (estimate {lut:.0f} LUT, "
            f"{ff:.0f} FF, {bram:.0f} BRAM)"
        )
    while True:
        pes = [la.pe for la in best.layers]
        order = sorted(range(len(pes)), key=lambda k: -best.layers[k].cycles())
        for k in order:
            la = best.layers[k]
            if la.pe >= la.n_out:
                continue
            trial = list(pes)
            trial[k] = min(la.n_out, 2 * la.pe)
            candidate = best.with_pe(tuple(trial))
            if fits(candidate):
                best = candidate
                break
        else:
            return best
