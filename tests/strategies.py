"""Hypothesis strategies for every registered primitive's params, reaching the corners."""

from hypothesis import strategies as st

from scgen.params import (
    AddMuxParams,
    AssocQueryParams,
    BindParams,
    BundleParams,
    CordivParams,
    CounterParams,
    DenseParams,
    EncoderParams,
    Encoding,
    HammingParams,
    KuramotoParams,
    LfsrForm,
    LfsrParams,
    LifParams,
    MulAndParams,
    MulXnorParams,
    Ordering,
    PermuteParams,
    SobolParams,
    UartRxParams,
    UartTxParams,
)


@st.composite
def lfsr_params(draw):
    w = draw(st.integers(2, 32))
    return LfsrParams(
        width=w, seed=draw(st.integers(1, (1 << w) - 1)), form=draw(st.sampled_from(LfsrForm))
    )


@st.composite
def sobol_params(draw):
    w = draw(st.integers(1, 32))
    top = (1 << w) - 1
    return SobolParams(
        width=w,
        dimension=draw(st.integers(0, 9)),
        start=draw(st.integers(0, top)),
        scramble=draw(st.integers(0, top)),
    )


encoder_params = st.builds(
    EncoderParams,
    source=st.one_of(lfsr_params(), sobol_params()),
    encoding=st.sampled_from(Encoding),
    ordering=st.sampled_from(Ordering),
)


def lane_params(kind):
    return st.builds(kind, lanes=st.integers(1, 64))


counter_params = st.builds(
    CounterParams,
    window=st.one_of(st.integers(1, 8), st.integers(1, 3000), st.just(1 << 32)),
)


@st.composite
def lif_params(draw):
    w = draw(st.integers(2, 32))
    lo, hi = -(1 << (w - 1)), (1 << (w - 1)) - 1
    value = st.integers(lo, hi)
    return LifParams(
        data_width=w,
        fraction=draw(st.integers(0, w - 1)),
        v_rest=draw(value),
        v_reset=draw(value),
        v_threshold=draw(st.one_of(value, st.sampled_from([lo, hi, 0, 1]))),
        refractory_period=draw(
            st.one_of(st.just(0), st.integers(0, 6), st.integers(0, (1 << 32) - 1))
        ),
        ordering=draw(st.sampled_from(Ordering)),
        diff_bits=draw(st.one_of(st.none(), st.integers(2, w + 2), st.just(16))),
    )


@st.composite
def kuramoto_params(draw):
    # N <= 4 keeps a step within 16 cycles, so 2000 pysim cycles cover 125 steps
    n = draw(st.integers(1, 4))
    p = draw(st.integers(4, 20))
    wk = draw(st.integers(2, 12))
    klo, khi = -(1 << (wk - 1)), (1 << (wk - 1)) - 1
    weight = st.one_of(st.integers(klo, khi), st.sampled_from([klo, khi, 0]))
    noise = draw(lfsr_params())
    return KuramotoParams(
        omega=tuple(draw(st.integers(-(1 << (p - 1)), (1 << (p - 1)) - 1)) for _ in range(n)),
        coupling=tuple(tuple(draw(weight) for _ in range(n)) for _ in range(n)),
        phases=draw(st.one_of(st.none(), st.tuples(*[st.integers(0, (1 << p) - 1)] * n))),
        phase_bits=p,
        lut_bits=draw(st.integers(2, min(p, 10))),
        sine_bits=draw(st.integers(2, 14)),
        weight_bits=wk,
        fraction=draw(st.one_of(st.integers(0, 16), st.just(48))),
        noise_bits=draw(st.integers(0, min(16, noise.width))),
        noise=noise,
    )


@st.composite
def bundle_params(draw):
    # wide bundles on few lanes, many lanes on narrow bundles: the simulators stay quick
    n = draw(st.one_of(st.integers(1, 7), st.integers(1, 15)))  # pysim drives ports slowly
    return BundleParams(n=n, lanes=draw(st.integers(1, 64 if n <= 7 else 3)))


@st.composite
def dense_params(draw):
    ni, nn, shared = draw(st.integers(1, 5)), draw(st.integers(1, 4)), draw(st.booleans())
    n_weights = ni if shared else ni * nn
    w = draw(st.integers(10, 32))
    factor = st.one_of(st.none(), st.integers(-(1 << (w - 1)), (1 << (w - 1)) - 1))
    u16 = st.integers(0, 0xFFFF)
    return DenseParams(
        n_inputs=ni,
        n_neurons=nn,
        stream_length=draw(st.one_of(st.integers(1, 8), st.integers(1, 80))),
        data_width=w,
        input_seed_base=draw(u16),
        weight_seed_base=draw(u16),
        y_min=draw(st.one_of(st.integers(0, 300), st.integers(0, (1 << 32) - 1))),
        y_max=draw(st.one_of(st.integers(0, 1000), st.integers(0, (1 << 32) - 1))),
        shared_weights=shared,
        weights=draw(st.one_of(st.none(), st.tuples(*[u16] * n_weights))),
        leak_k=draw(factor),
        gain_k=draw(factor),
    )


STRATEGIES = {
    "lfsr": lfsr_params(),
    "sobol": sobol_params(),
    "encoder": encoder_params,
    "mul_and": lane_params(MulAndParams),
    "mul_xnor": lane_params(MulXnorParams),
    "add_mux": lane_params(AddMuxParams),
    "counter": counter_params,
    "lif": lif_params(),
    "dense": dense_params(),
    # small clocks_per_bit keep many frames in a short run; 104 is 12 MHz at 115200 baud
    "uart_tx": st.builds(UartTxParams, clocks_per_bit=st.one_of(st.integers(1, 32), st.just(104))),
    "uart_rx": st.builds(UartRxParams, clocks_per_bit=st.one_of(st.integers(2, 32), st.just(104))),
    "cordiv": lane_params(CordivParams),
    "kuramoto": kuramoto_params(),
    "bind": lane_params(BindParams),
    "bundle": bundle_params(),
    "permute": st.builds(
        PermuteParams,
        words=st.integers(1, 24),
        lanes=st.integers(1, 20),
        shift=st.integers(-1000, 1000),
    ),
    "hamming": st.builds(
        HammingParams,
        words=st.one_of(st.integers(1, 8), st.integers(1, 300)),
        lanes=st.integers(1, 64),
    ),
    "assoc_query": st.builds(
        AssocQueryParams,
        items=st.integers(1, 6),
        words=st.sampled_from([1, 2, 4, 8, 16]),
        lanes=st.integers(1, 24),
    ),
}
