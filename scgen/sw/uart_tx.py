"""Twin of :class:`scgen.hw.UartTx` (8N1, LSB first)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import prange

from ..params import UartTxParams
from ._jit import parallel_kernel
from ._ports import as_stimulus, bit_range, check_params, finish, unsigned_range

__all__ = ["UartTxTrace", "uart_tx"]


class UartTxTrace(NamedTuple):
    """Per-cycle outputs of the UART transmitter: ``ready`` and the line ``tx`` (uint8)."""

    ready: np.ndarray
    tx: np.ndarray


@parallel_kernel
def _uart_tx_kernel(clocks_per_bit, data, valid, ready, tx):
    for b in prange(data.shape[0]):
        line = np.int64(1)
        shreg = np.int64(0)
        left = np.int64(0)
        div = np.int64(0)
        for t in range(data.shape[1]):
            # comb
            rdy = left == 0 or (left == 1 and div == 0)
            ready[b, t] = rdy
            tx[b, t] = line
            # sync
            if valid[b, t] and rdy:
                line = 0
                shreg = np.int64(data[b, t]) | 0x100
                left = 10
                div = clocks_per_bit - 1
            elif left != 0:
                if div == 0:
                    left -= 1
                    line = shreg & 1
                    shreg = (shreg >> 1) | 0x100
                    div = clocks_per_bit - 1
                else:
                    div -= 1


def uart_tx(params: UartTxParams, data: object, valid: object) -> UartTxTrace:
    """Run the bit-exact twin of :class:`scgen.hw.UartTx`.

    ``data`` (0 to 255) and ``valid`` (0/1) are given per cycle, ``(cycles,)`` or
    ``(batch, cycles)``.
    """
    check_params("UART transmitter", UartTxParams, params)
    ins, one_d = as_stimulus(
        "UART transmitter",
        {"data": (data, unsigned_range(8), np.int64), "valid": (valid, bit_range(), np.uint8)},
    )
    shape = ins["data"].shape
    ready, tx = np.empty(shape, dtype=np.uint8), np.empty(shape, dtype=np.uint8)
    _uart_tx_kernel(params.clocks_per_bit, ins["data"], ins["valid"], ready, tx)
    return UartTxTrace(*finish(one_d, ready, tx))
