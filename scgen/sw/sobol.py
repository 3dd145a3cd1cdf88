"""Twin of :class:`scgen.hw.Sobol`."""

from __future__ import annotations

import numpy as np
from numba import prange

from ..params import SobolParams
from ._jit import parallel_kernel
from ._ports import as_stimulus, bit_range, check_params, finish, per_instance
from .lfsr import SourceTrace

__all__ = ["sobol"]


@parallel_kernel
def _sobol_kernel(width, start, start_value, direction_numbers, scramble, en, value):
    top = width - 1
    for b in prange(en.shape[0]):
        n = np.int64(start)
        x = np.int64(start_value)
        s = np.int64(scramble[b])
        for t in range(en.shape[1]):
            value[b, t] = x ^ s
            if en[b, t]:
                # Gray-code order: flip the direction number of the lowest zero bit of n; at the
                # end of the period (n all ones) bit width-1 brings x back to 0.
                c = 0
                while c < top and (n >> c) & 1:
                    c += 1
                x ^= direction_numbers[c]
                n = (n + 1) & ((1 << width) - 1)


def sobol(
    params: SobolParams,
    en: object = None,
    *,
    cycles: int | None = None,
    scrambles: object = None,
) -> SourceTrace:
    """Run the bit-exact twin of :class:`scgen.hw.Sobol`.

    ``en`` and ``cycles`` work as in :func:`scgen.sw.lfsr`; ``scrambles`` gives one digital shift
    per instance (batch) and overrides ``params.scramble``. ``value[t]`` is the point shown during
    cycle ``t``: the Sobol point of index ``start + (enabled cycles before t)``, XOR the scramble.
    """
    check_params("Sobol", SobolParams, params)
    if scrambles is None:
        scr, batch = None, None
    else:
        scr = per_instance(
            "Sobol", "scrambles", scrambles, 0, (1 << params.width) - 1, params.width
        )
        batch = len(scr)
    ins, one_d = as_stimulus(
        "Sobol", {"en": (en, bit_range(), np.uint8)}, cycles=cycles, batch=batch, defaults={"en": 1}
    )
    en_a = ins["en"]
    if batch is None:
        scr = np.full(en_a.shape[0], params.scramble, dtype=np.int64)
    value = np.empty(en_a.shape, dtype=np.uint32)
    dirs = np.array(params.direction_numbers(), dtype=np.int64)
    _sobol_kernel(params.width, params.start, params.start_value(), dirs, scr, en_a, value)
    return SourceTrace(*finish(one_d, value))
