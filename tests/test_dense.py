import numba
import numpy as np
import pytest

from scgen.nn import DenseLayer


def test_dense_known_answer_weights():
    # SEED_BEHAVIOUR §5.1: default seed, 4 inputs, 2 neurons
    d = DenseLayer(4, 2)
    assert d.weights.tolist() == [
        [0.6008361491993663, 0.8961409344383071, 0.4111782736781465, 0.109186280489312],
        [0.9073575345738991, 0.5277005635456624, 0.9901520412951337, 0.6417438901665148],
    ]


def test_dense_known_answer_worked_example():
    # §5.1 worked example (3, 2, 128, seed 42); neuron 0 packs from ChaCha8(43) in every engine
    # version, so its bits and outputs are the documented ones
    d = DenseLayer(3, 2, length=128, seed=42)
    assert d.weights[0].tolist() == [0.6818961923066714, 0.950275407672484, 0.4275164028565197]
    assert d.packed_weights[0, 0].tolist() == [0x0322BF5FCE73BDF8, 0x2FB7A7A5DFF3BA70]
    assert d.forward([0.5] * 3)[0] == 0.8984375
    assert d.forward_fast([0.5] * 3)[0] == 1.015625


def test_dense_output_is_and_popcount():
    d = DenseLayer(5, 3, length=200, seed=9)
    x = np.random.default_rng(0).random(5)
    packed = np.random.default_rng(1).integers(0, 2**63, (5, 4), dtype=np.uint64)
    y = d.forward_packed(packed)
    w = d.packed_weights
    # the engine (3.15.7) multiplies by 1/length rather than dividing: the last ulp differs
    expected = np.bitwise_count(w & packed[None]).sum(axis=(1, 2)) * (1 / 200)
    np.testing.assert_array_equal(y, expected)
    assert (
        d.forward_batch(np.stack([x, x]), seed=7)[0].tolist() == d.forward_fast(x, seed=7).tolist()
    )


def test_dense_constant_weights_draw_nothing():
    # weights <= 0 and >= 1 are constant streams and do not shift the bits of later weights
    d = DenseLayer(3, 1, length=100, seed=3)
    d.set_weights([[0.0, 1.0, 0.4]])
    e = DenseLayer(1, 1, length=100, seed=3)
    e.set_weights([[0.4]])
    assert d.packed_weights[0, 2].tolist() == e.packed_weights[0, 0].tolist()
    assert np.bitwise_count(d.packed_weights[0, 1]).sum() == 100


def test_dense_threads_do_not_change_results():
    d = DenseLayer(200, 150, length=1000, seed=1)
    xs = np.random.default_rng(0).random((6, 200))
    a = (d.forward(xs[0]), d.forward_fast(xs[0]), d.forward_batch(xs))
    numba.set_num_threads(1)
    try:
        d1 = DenseLayer(200, 150, length=1000, seed=1)
        b = (d1.forward(xs[0]), d1.forward_fast(xs[0]), d1.forward_batch(xs))
    finally:
        numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    for u, v in zip(a, b, strict=True):
        np.testing.assert_array_equal(u, v)


def test_dense_wrong():
    d = DenseLayer(3, 2, length=70)
    with pytest.raises(ValueError, match=r"^DenseLayer input must have 3 values, not 2$"):
        d.forward([0.1, 0.2])
    with pytest.raises(
        ValueError, match=r"^DenseLayer input must not contain NaN, found at index 0$"
    ):
        d.forward_fast([float("nan"), 0, 0])
    with pytest.raises(
        ValueError, match=r"^DenseLayer batch input must have shape \(samples, 3\), not \(3,\)$"
    ):
        d.forward_batch(np.zeros(3))
    with pytest.raises(
        ValueError, match=r"^DenseLayer packed input must have shape \(3, 2\), not \(3, 3\)$"
    ):
        d.forward_packed(np.zeros((3, 3), np.uint64))
    with pytest.raises(TypeError, match=r"^DenseLayer packed input must be uint64, not int64$"):
        d.forward_packed(np.zeros((3, 2), np.int64))
    with pytest.raises(
        ValueError, match=r"^DenseLayer weights must have shape \(2, 3\), not \(3, 2\)$"
    ):
        d.set_weights(np.zeros((3, 2)))
    with pytest.raises(ValueError, match=r"^DenseLayer length must be at least 1, not 0$"):
        DenseLayer(3, 2, length=0)
    with pytest.raises(TypeError, match=r"^DenseLayer n_inputs must be an integer, not 3.0$"):
        DenseLayer(3.0, 2)


def test_encode_lfsr_matches_the_encoder_twin():
    from scgen import sw
    from scgen.params import EncoderParams, SobolParams
    from scgen.sw.lfsr_encode import encode_lfsr

    for p in (
        EncoderParams(),
        EncoderParams(ordering="blueprint", encoding="bipolar"),
        EncoderParams(source=SobolParams(dimension=2, width=12)),
    ):
        w = p.width
        lo, hi = (
            (-(1 << (w - 1)), (1 << (w - 1)) - 1)
            if p.encoding.value == "bipolar"
            else (0, (1 << w) - 1)
        )
        xs = np.random.default_rng(0).integers(lo, hi, 20, endpoint=True)
        for length in (1, 63, 64, 100, 1024):
            bits = np.unpackbits(
                encode_lfsr(p, xs, length).view(np.uint8), axis=1, bitorder="little"
            )[:, :length]
            ref = sw.encoder(p, np.broadcast_to(xs[:, None], (20, length))).o
            np.testing.assert_array_equal(bits, ref)


# --------------------------------------------------------------------------------------------
# the dense primitive (scgen.params.DenseParams, scgen.hw.Dense, scgen.sw.dense)


def _dense_window_stimulus(p, windows, rng):
    span = p.stream_length + 2
    start = np.zeros(windows * span, np.uint8)
    start[::span] = 1
    en = np.zeros((windows, span), np.uint8)
    en[:, 1 : p.stream_length + 1] = 1
    x = rng.integers(0, 1 << 16, (windows, p.n_inputs))
    w = rng.integers(0, 1 << 16, (windows, p.n_weights))

    def packed(a):
        return np.array([sum(int(v) << (16 * k) for k, v in enumerate(r)) for r in a], dtype=object)

    per_cycle = {
        "start": start,
        "en": en.reshape(-1),
        "x": np.repeat(packed(x), span),
        "w": np.repeat(packed(w), span),
    }
    return x, w, per_cycle


@pytest.mark.parametrize("shared", [False, True])
def test_dense_windows_is_the_per_cycle_twin(shared):
    from scgen import sw
    from scgen.params import DenseParams

    rng = np.random.default_rng(3)
    p = DenseParams(n_inputs=5, n_neurons=4, stream_length=37, shared_weights=shared)
    x, w, ins = _dense_window_stimulus(p, 9, rng)
    leak, gain = rng.integers(-300, 300, 9), rng.integers(-300, 300, 9)
    span = p.stream_length + 2
    ins |= {"leak_k": np.repeat(leak, span), "gain_k": np.repeat(gain, span)}
    per_cycle = np.asarray(sw.dense(p, **ins).spikes).reshape(9, span)[:, 2:]
    windows = sw.dense_windows(p, x, w, leak, gain)
    np.testing.assert_array_equal(windows, per_cycle.astype(np.int64))
    assert windows.any()


def test_dense_rom_weights_are_the_encoded_weights():
    # constant weights in a ROM give the same spikes as the same weights through encoders
    from scgen import sw
    from scgen.params import DenseParams

    rng = np.random.default_rng(4)
    base = DenseParams(n_inputs=3, n_neurons=3, stream_length=50, leak_k=-20, gain_k=256)
    x, w, _ = _dense_window_stimulus(base, 6, rng)
    weights = tuple(int(v) for v in w[0])
    rom = DenseParams(**{**base.__dict__, "weights": weights})
    assert rom.uses_rom
    through_port = sw.dense_windows(base, x, np.repeat(w[:1], 6, axis=0), None, None)
    np.testing.assert_array_equal(sw.dense_windows(rom, x, None, None, None), through_port)


def test_dense_params_wrong():
    from scgen.params import DenseParams

    with pytest.raises(
        ValueError, match=r"^Dense layer data_width must be between 10 and 32, not 8$"
    ):
        DenseParams(data_width=8)
    with pytest.raises(ValueError, match=r"^Dense layer weights must be a tuple of 21 integers"):
        DenseParams(weights=(1, 2))
    with pytest.raises(ValueError, match=r"^Dense layer leak_k must be between -32768 and 32767"):
        DenseParams(leak_k=1 << 20)
