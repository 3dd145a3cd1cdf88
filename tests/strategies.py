"""Hypothesis strategies for every registered primitive's params, reaching the corners."""

from hypothesis import strategies as st

from scgen.params import (
    AddMuxParams,
    CounterParams,
    EncoderParams,
    Encoding,
    LfsrForm,
    LfsrParams,
    LifParams,
    MulAndParams,
    MulXnorParams,
    Ordering,
    SobolParams,
)
from scgen.params_hdc import (
    AssocQueryParams,
    BindParams,
    BundleParams,
    HammingParams,
    PermuteParams,
)


@st.composite
def lfsr_params(draw):
    w = draw(st.integers(2, 32))
    return LfsrParams(width=w, seed=draw(st.integers(1, (1 << w) - 1)),
                      form=draw(st.sampled_from(LfsrForm)))


@st.composite
def sobol_params(draw):
    w = draw(st.integers(1, 32))
    top = (1 << w) - 1
    return SobolParams(width=w, dimension=draw(st.integers(0, 9)),
                       start=draw(st.integers(0, top)), scramble=draw(st.integers(0, top)))


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
def bundle_params(draw):
    # wide bundles on few lanes, many lanes on narrow bundles: the simulators stay quick
    n = draw(st.one_of(st.integers(1, 7), st.integers(1, 15)))  # pysim drives ports slowly
    return BundleParams(n=n, lanes=draw(st.integers(1, 64 if n <= 7 else 3)))


STRATEGIES = {
    "lfsr": lfsr_params(),
    "sobol": sobol_params(),
    "encoder": encoder_params,
    "mul_and": lane_params(MulAndParams),
    "mul_xnor": lane_params(MulXnorParams),
    "add_mux": lane_params(AddMuxParams),
    "counter": counter_params,
    "lif": lif_params(),
    "bind": lane_params(BindParams),
    "bundle": bundle_params(),
    "permute": st.builds(PermuteParams, words=st.integers(1, 24), lanes=st.integers(1, 20),
                         shift=st.integers(-1000, 1000)),
    "hamming": st.builds(HammingParams, words=st.one_of(st.integers(1, 8), st.integers(1, 300)),
                         lanes=st.integers(1, 64)),
    "assoc_query": st.builds(AssocQueryParams, items=st.integers(1, 6),
                             words=st.sampled_from([1, 2, 4, 8, 16]),
                             lanes=st.integers(1, 24)),
}
