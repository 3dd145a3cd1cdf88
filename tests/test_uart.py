"""UART transmitter and receiver: validation and known answers (equivalence is registry-driven).

The expected line levels are written out by hand from the 8N1 frame definition here, never
taken from the helpers that scgen.hw or scgen.sw use.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scgen import sw
from scgen.params import UartRxParams, UartTxParams


def _frame(byte, cpb, stop=1):
    bits = [0] + [(byte >> k) & 1 for k in range(8)] + [stop]
    return [b for b in bits for _ in range(cpb)]


@pytest.mark.parametrize("cpb", [1, 3, 8])
def test_uart_tx_frames_back_to_back(cpb):
    n = 2 + 30 * cpb
    data = np.zeros(n, int)
    valid = np.zeros(n, np.uint8)
    valid[1:] = 1  # offer 0x53 and 0xA0 from cycle 1 on
    data[:] = 0x53
    data[1 + 10 * cpb :] = 0xA0  # the second byte is offered once the first is taken
    out = sw.uart_tx(UartTxParams(clocks_per_bit=cpb), data, valid)
    accepted = np.flatnonzero(valid & out.ready)
    assert accepted[:3].tolist() == [1, 1 + 10 * cpb, 1 + 20 * cpb]
    want = [1, 1, *_frame(0x53, cpb), *_frame(0xA0, cpb)]
    assert out.tx[: len(want)].tolist() == want


def test_uart_tx_idle_line_is_high():
    out = sw.uart_tx(UartTxParams(clocks_per_bit=4), np.full(50, 0xFF), np.zeros(50, np.uint8))
    assert out.tx.tolist() == [1] * 50
    assert out.ready.tolist() == [1] * 50


def _rx_line(frames, cpb, lead=5):
    line = [1] * lead
    starts = []
    for byte, stop, gap in frames:
        starts.append(len(line))
        line += _frame(byte, cpb, stop) + [1] * gap
    return np.array(line + [1] * (3 * cpb), np.uint8), starts


@pytest.mark.parametrize("cpb", [2, 3, 7, 16])
def test_uart_rx_decodes_frames_and_flags_bad_stop_bits(cpb):
    frames = [(0x00, 1, 0), (0xFF, 1, 3), (0x5A, 0, cpb), (0xC3, 1, 1)]
    line, starts = _rx_line(frames, cpb)
    out = sw.uart_rx(UartRxParams(clocks_per_bit=cpb), line)
    # two cycles of synchronizer, half a bit to the start sample, nine bits to the stop sample
    when = [s + 3 + cpb // 2 + 9 * cpb for s in starts]
    events = np.flatnonzero(out.valid | out.error).tolist()
    assert events == when
    assert out.valid[when].tolist() == [1, 1, 0, 1]
    assert out.error[when].tolist() == [0, 0, 1, 0]
    assert out.data[when].tolist() == [0x00, 0xFF, 0x5A, 0xC3]


def test_uart_rx_ignores_a_glitch_shorter_than_half_a_bit():
    cpb = 8
    line = np.ones(200, np.uint8)
    line[10:13] = 0  # 3 cycles low: the start bit is not confirmed 4 cycles after its edge
    out = sw.uart_rx(UartRxParams(clocks_per_bit=cpb), line)
    assert out.valid.sum() == 0 and out.error.sum() == 0


def test_uart_rx_break_is_a_framing_error():
    cpb = 4
    line = np.ones(120, np.uint8)
    line[10:60] = 0
    out = sw.uart_rx(UartRxParams(clocks_per_bit=cpb), line)
    first = np.flatnonzero(out.valid | out.error)[0]
    assert first == 10 + 3 + cpb // 2 + 9 * cpb
    assert (out.error[first], out.data[first]) == (1, 0)


@pytest.mark.parametrize(("kind", "lo"), [(UartTxParams, 1), (UartRxParams, 2)])
def test_uart_clocks_per_bit_wrong(kind, lo):
    name = kind.NAME
    with pytest.raises(
        ValueError,
        match=rf"^{name} clocks_per_bit must be between {lo} and "
        rf"16777216, not {lo - 1}$",
    ):
        kind(clocks_per_bit=lo - 1)
    with pytest.raises(TypeError, match=rf"^{name} clocks_per_bit must be an integer, not 9.6$"):
        kind(clocks_per_bit=9.6)


def test_uart_twin_params_wrong():
    with pytest.raises(
        TypeError,
        match=r"^UART receiver parameters must be an instance of "
        r"UartRxParams, not 4$",
    ):
        sw.uart_rx(4, [1, 1])
    with pytest.raises(
        ValueError,
        match=r"^UART transmitter input 'data' must be between 0 "
        r"and 255, not 256$",
    ):
        sw.uart_tx(UartTxParams(), [256], [1])


@settings(max_examples=30)
@given(cpb=st.integers(2, 40), data=st.binary(min_size=1, max_size=12), gap=st.integers(0, 5))
def test_uart_tx_into_rx_recovers_the_bytes(cpb, data, gap):
    # the transmitter offers byte k on cycle gap * k (or as soon as it is ready)
    n = (len(data) + 2) * (10 * cpb + gap) + 8
    t, k, sent = 0, 0, []
    txd, txv = np.zeros(n, int), np.zeros(n, np.uint8)
    p = UartTxParams(clocks_per_bit=cpb)
    # drive cycle by cycle through the twin: offer the next byte until it is accepted
    while k < len(data):
        txd[t:], txv[t:] = data[k], 1
        ready = sw.uart_tx(p, txd, txv).ready
        accepted = t + int(np.flatnonzero(ready[t:])[0])
        txv[accepted + 1 :] = 0
        sent.append(accepted)
        t, k = accepted + 1 + gap, k + 1
    line = sw.uart_tx(p, txd, txv).tx
    assert [int(line[s + 1]) for s in sent] == [0] * len(data)  # start bits
    rx = sw.uart_rx(UartRxParams(clocks_per_bit=cpb), line)
    assert bytes(rx.data[rx.valid == 1].tolist()) == data
    assert rx.error.sum() == 0
