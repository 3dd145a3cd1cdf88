"""Twin of :class:`scgen.hw.Encoder`."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..params import EncoderParams, Encoding, LfsrParams, Ordering
from ._ports import as_stimulus, bit_range, check_params, finish, signed_range, unsigned_range
from .lfsr import lfsr
from .sobol import sobol

__all__ = ["EncoderTrace", "encoder", "encoder_packed"]


class EncoderTrace(NamedTuple):
    """Per-cycle output of an encoder: the stream bit ``o`` (uint8)."""

    o: np.ndarray


def encoder(
    params: EncoderParams,
    x: object,
    en: object = None,
    *,
    seeds: object = None,
) -> EncoderTrace:
    """Run the bit-exact twin of :class:`scgen.hw.Encoder`.

    Parameters
    ----------
    params : EncoderParams
    x : array_like of int
        Value to encode per cycle (unsigned, or signed for bipolar), ``(cycles,)`` or
        ``(batch, cycles)``; a scalar needs ``en`` as an array.
    en : array_like of 0/1, optional
        Advance the source this cycle; default all ones.
    seeds : array_like of int, optional
        One source seed per instance: the LFSR seed, or the Sobol scramble.

    Returns
    -------
    EncoderTrace
        ``o[t] = source value (during t) < x[t]`` in unsigned order (bipolar: sign bit of
        ``x`` flipped first). The source is the same for every value it encodes, so this is one
        source run plus a vectorised compare.
    """
    check_params("Encoder", EncoderParams, params)
    w = params.width
    x_range = signed_range(w) if params.encoding is Encoding.BIPOLAR else unsigned_range(w)
    if seeds is not None:
        seeds = np.atleast_1d(np.asarray(seeds))
    ins, one_d = as_stimulus(
        "Encoder",
        {"x": (x, x_range, np.int64), "en": (en, bit_range(), np.uint8)},
        batch=None if seeds is None else len(seeds),
        defaults={"en": 1},
    )
    src = params.source_params()
    if isinstance(src, LfsrParams):
        if seeds is not None and params.ordering is Ordering.BLUEPRINT:
            # every instance starts one step ahead of its own seed
            seeds = lfsr(params.source, cycles=2, seeds=seeds).value[:, 1]
        value = lfsr(src, ins["en"], seeds=seeds).value
    else:
        value = sobol(src, ins["en"], scrambles=seeds).value
    threshold = (ins["x"] & ((1 << w) - 1)) ^ params.x_offset()
    o = (value < threshold).view(np.uint8)
    return EncoderTrace(*finish(one_d, o))


def encoder_packed(params: EncoderParams, length: int, x: object) -> np.ndarray:
    """:func:`encoder` on packed streams: row ``r`` is the stream of ``x[r]`` held for
    ``length`` cycles from reset (``en = 1``), any source, ordering and encoding (one source
    run, compares 64 to a word; see :func:`scgen.sw.lfsr_encode.encode_lfsr`)."""
    from .lfsr_encode import encode_lfsr

    return encode_lfsr(params, np.asarray(x, dtype=np.int64).reshape(-1), length)
