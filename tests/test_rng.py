import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scgen.sw.rng import ChaCha8, Xoshiro256pp

from .reference import chacha8_words, xoshiro_u64s


def test_rng_reference_values():
    # SEED_BEHAVIOUR §2.1
    assert ChaCha8(0).next_u64(2).tolist() == [0xB585F767A79A3B6C, 0x7746A55FBAD8C037]
    assert Xoshiro256pp(0).next_u64(2).tolist() == [0x53175D61490B23DF, 0x61DA6F3DC380D507]
    assert ChaCha8(0xACE1).next_f64(2).tolist() == [0.3616072622125184, 0.934232314018562]


@settings(max_examples=30)
@given(seed=st.integers(0, 2**64 - 1), n=st.integers(0, 70))
def test_rng_chacha8_matches_reference(seed, n):
    words = chacha8_words(seed, 2 * n + 1)
    c = ChaCha8(seed)
    assert c.next_u32(1).tolist() == words[:1]
    u64 = c.next_u64(n).tolist()  # crosses block boundaries at odd offsets
    assert u64 == [words[1 + 2 * k] | (words[2 + 2 * k] << 32) for k in range(n)]


@settings(max_examples=30)
@given(seed=st.integers(0, 2**64 - 1), n=st.integers(0, 50))
def test_rng_xoshiro_matches_reference(seed, n):
    ref = xoshiro_u64s(seed, n)
    assert Xoshiro256pp(seed).next_u64(n).tolist() == ref
    assert Xoshiro256pp(seed).next_f64(n).tolist() == [(x >> 11) * 2.0**-53 for x in ref]


@pytest.mark.parametrize("n", [0, 1, 3, 4, 5, 7, 8, 9, 12, 13, 64])
def test_rng_fill_bytes_partial_word_rules(n):
    seed = 99
    # ChaCha8: whole words, little-endian, the rest of a partly used word is discarded
    c = ChaCha8(seed)
    words = chacha8_words(seed, (n + 3) // 4 + 1)
    expect = b"".join(w.to_bytes(4, "little") for w in words)[:n]
    assert c.fill_bytes(n).tobytes() == expect
    assert c.next_u32(1)[0] == words[(n + 3) // 4]
    # Xoshiro: 8-byte chunks; a 5-7 byte tail is a prefix of next_u64, 1-4 of next_u32
    x = Xoshiro256pp(seed)
    ref = xoshiro_u64s(seed, n // 8 + 1)
    expect = b"".join(v.to_bytes(8, "little") for v in ref[: n // 8])
    rem = n % 8
    if rem > 4:
        expect += ref[n // 8].to_bytes(8, "little")[:rem]
    elif rem:
        expect += (ref[n // 8] >> 32).to_bytes(4, "little")[:rem]
    assert x.fill_bytes(n).tobytes() == expect


def test_rng_draw_count_wrong():
    with pytest.raises(ValueError, match=r"^Draw count must be a non-negative integer, not -1$"):
        ChaCha8(1).next_u64(-1)
    with pytest.raises(ValueError, match=r"^Draw count must be a non-negative integer, not 2.0$"):
        Xoshiro256pp(1).next_f64(2.0)


def test_rng_state_continues_across_calls():
    a = ChaCha8(5)
    joined = np.concatenate([a.next_u32(7), a.next_u32(30)])
    assert joined.tolist() == ChaCha8(5).next_u32(37).tolist()
