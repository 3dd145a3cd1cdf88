"""Twins of the UART primitives: :func:`uart_tx` (8N1 transmitter) and :func:`uart_rx`
(receiver), bit-exact with :class:`scgen.hw.UartTx` and :class:`scgen.hw.UartRx`."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import prange

from ..params import UartRxParams, UartTxParams
from ._jit import parallel_kernel
from ._ports import as_stimulus, bit_range, check_params, finish, unsigned_range

__all__ = ["UartRxTrace", "UartTxTrace", "uart_rx", "uart_tx"]


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


class UartRxTrace(NamedTuple):
    """Per-cycle outputs of the UART receiver: ``data`` (int64), ``valid``, ``error`` (uint8)."""

    data: np.ndarray
    valid: np.ndarray
    error: np.ndarray


@parallel_kernel
def _uart_rx_kernel(clocks_per_bit, half_bit, rx, data, valid, error):
    for b in prange(rx.shape[0]):
        sync1 = np.int64(1)
        line = np.int64(1)
        phase = np.int64(0)
        div = np.int64(0)
        byte = np.int64(0)
        ok = np.int64(0)
        bad = np.int64(0)
        for t in range(rx.shape[1]):
            # comb
            data[b, t] = byte
            valid[b, t] = ok
            error[b, t] = bad
            # sync (every register reads its old value: the line before the synchronizer steps)
            ok = 0
            bad = 0
            if phase == 0:
                if line == 0:
                    phase = 1
                    div = half_bit - 1
            elif div != 0:
                div -= 1
            else:
                div = clocks_per_bit - 1
                if phase == 1:
                    phase = 0 if line else 2
                elif phase != 10:
                    byte = (byte >> 1) | (line << 7)
                    phase += 1
                else:
                    phase = 0
                    ok = line
                    bad = 1 - line
            line = sync1
            sync1 = rx[b, t]


def uart_rx(params: UartRxParams, rx: object) -> UartRxTrace:
    """Run the bit-exact twin of :class:`scgen.hw.UartRx`.

    ``rx`` is the line level (0/1) per cycle, ``(cycles,)`` or ``(batch, cycles)``.
    """
    check_params("UART receiver", UartRxParams, params)
    ins, one_d = as_stimulus("UART receiver", {"rx": (rx, bit_range(), np.uint8)})
    shape = ins["rx"].shape
    data = np.empty(shape, dtype=np.int64)
    valid, error = np.empty(shape, dtype=np.uint8), np.empty(shape, dtype=np.uint8)
    _uart_rx_kernel(params.clocks_per_bit, params.half_bit, ins["rx"], data, valid, error)
    return UartRxTrace(*finish(one_d, data, valid, error))
