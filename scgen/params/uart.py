"""UART transmitter and receiver parameters (the host link)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ._common import _int

__all__ = ["UART_MAX_CLOCKS_PER_BIT", "UartTxParams", "UartRxParams"]


UART_MAX_CLOCKS_PER_BIT = 1 << 24


@dataclass(frozen=True, kw_only=True)
class UartTxParams:
    """UART transmitter, 8N1, least significant bit first.

    Parameters
    ----------
    clocks_per_bit : int
        Clock cycles per bit on the line (clock frequency / baud rate), 1 to ``2**24``.
    """

    NAME: ClassVar[str] = "UART transmitter"

    clocks_per_bit: int = 104

    def __post_init__(self) -> None:
        _int(self.NAME, "clocks_per_bit", self.clocks_per_bit, 1, UART_MAX_CLOCKS_PER_BIT)

    @property
    def frame_cycles(self) -> int:
        """Cycles of one frame: start bit, 8 data bits, stop bit."""
        return 10 * self.clocks_per_bit


@dataclass(frozen=True, kw_only=True)
class UartRxParams:
    """UART receiver, 8N1, least significant bit first, sampling each bit in its middle.

    Parameters
    ----------
    clocks_per_bit : int
        Clock cycles per bit on the line (clock frequency / baud rate), 2 to ``2**24``; the
        start bit is confirmed ``clocks_per_bit // 2`` cycles after its falling edge.
    """

    NAME: ClassVar[str] = "UART receiver"

    clocks_per_bit: int = 104

    def __post_init__(self) -> None:
        _int(self.NAME, "clocks_per_bit", self.clocks_per_bit, 2, UART_MAX_CLOCKS_PER_BIT)

    @property
    def half_bit(self) -> int:
        """Cycles from the start bit's first low sample to its confirming sample."""
        return self.clocks_per_bit // 2
