"""scgen.compat known answers and scgen-side rules; runs without the engine installed."""

import numpy as np
import pytest

import scgen.compat as sc


def test_compat_bitstream_tensor_known_answers():
    # SEED_BEHAVIOUR §10
    t = sc.BitStreamTensor(100, seed=1)
    assert t.data == [13831547417831602964, 47438477008] and t.popcount() == 52
    assert repr(sc.BitStreamTensor()) == "BitStreamTensor(length=10000, popcount=5008)"
    a, b = sc.BitStreamTensor(64, 1), sc.BitStreamTensor(64, 2)
    assert sc.BitStreamTensor.bundle([a, b]).data == [a.data[0] & b.data[0]]  # N = 2 is AND
    assert sc.BitStreamTensor.bundle([a]).data == a.data


def test_compat_lif_known_answers():
    spikes, v = sc.batch_lif_run(10_000, leak_k=200, gain_k=256, i_t=300)
    assert spikes.dtype == np.int32 and v.dtype == np.int16 and spikes.sum() == 3334
    spikes, _ = sc.batch_lif_run(128, 20, 256, 128)
    assert np.flatnonzero(spikes).tolist() == list(range(2, 128, 5))
    f = sc.FixedPointLif()
    assert [f.step(20, 256, 128) for _ in range(3)] == [(0, 128), (0, 246), (1, 0)]
    assert f.get_state() == {"v": 0, "refractory_counter": 2}


def test_compat_encoders_known_answers():
    e = sc.BitstreamEncoder()
    assert [e.step(0x8000) for _ in range(16)] == [0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 1, 1, 0]
    lfsr = sc.Lfsr16()
    assert [lfsr.step() for _ in range(3)] == [0x59C3, 0xB387, 0x670F]
    lfsr.reset(5)
    lfsr.step()
    lfsr.reset()
    assert lfsr.reg == 5  # a seed given to reset() becomes the stored seed
    words = sc.batch_encode_numpy(np.array([0.0, 1.0]), 70, 1)
    assert words.tolist() == [[0, 0], [2**64 - 1, 63]]


def test_compat_dense_known_answers():
    d = sc.DenseLayer(3, 2, 128, 42)
    assert d.get_weights()[0] == [0.6818961923066714, 0.950275407672484, 0.4275164028565197]
    assert d.forward([0.5] * 3)[0] == 0.8984375
    assert d.forward_fast([0.5] * 3)[0] == 1.015625


@pytest.mark.parametrize(
    ("call", "exc", "message"),
    [
        (
            lambda: sc.batch_lif_run(3, 20, 256, 128, data_width=20),
            ValueError,
            "mask width must be 1..=32, got 40",
        ),
        (
            lambda: sc.batch_lif_run(3, 20, 256, 128, fraction=16),
            ValueError,
            "LIF fraction must be between 0 and 15 for data_width 16, not 16",
        ),
        (
            lambda: sc.batch_lif_run(3, 20, 256, 128, refractory_period=-1),
            ValueError,
            "LIF refractory_period must be between 0 and 4294967295, not -1",
        ),
        (
            lambda: sc.batch_lif_run(3, 20, 256, 128, data_width=8, fraction=4),
            ValueError,
            "LIF v_threshold must be between -128 and 127 for data_width 8, not 256",
        ),
        (
            lambda: sc.batch_lif_run(3, 20.0, 256, 128),
            TypeError,
            "argument 'leak_k': 'float' object cannot be interpreted as an integer",
        ),
        (
            lambda: sc.batch_lif_run(3, 20, 256, 40000),
            OverflowError,
            "out of range integral type conversion attempted",
        ),
        (
            lambda: sc.batch_lif_run(-3, 20, 256, 128),
            OverflowError,
            "can't convert negative int to unsigned",
        ),
        (lambda: sc.DenseLayer(3, 2, 0), ValueError, "bitstream length must be > 0"),
        (lambda: sc.BitStreamTensor.bundle([]), ValueError, "Cannot bundle zero vectors."),
        (lambda: sc.Lfsr16(0), ValueError, "LFSR seed must be non-zero."),
        (
            lambda: sc.batch_encode([0.5], 8, 1),
            TypeError,
            "argument 'probs': 'list' object is not an instance of 'ndarray'",
        ),
    ],
)
def test_compat_errors(call, exc, message):
    with pytest.raises(exc) as info:
        call()
    assert str(info.value) == message


def test_compat_set_num_threads_configures_once():
    import scgen.compat._runtime as rt

    rt._configured = False
    try:
        sc.set_num_threads(0)  # no-op
        sc.set_num_threads(1)
        with pytest.raises(
            ValueError,
            match=r"^Cannot set thread pool: The global thread pool "
            r"has already been initialized\.$",
        ):
            sc.set_num_threads(2)
    finally:
        import numba

        numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
        rt._configured = False
