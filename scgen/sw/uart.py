"""Twins of the UART primitives (one module each, so that each kernel sits with its own
primitive's names): :func:`uart_tx` and :func:`uart_rx`."""

from .uart_rx import UartRxTrace, uart_rx
from .uart_tx import UartTxTrace, uart_tx

__all__ = ["UartRxTrace", "UartTxTrace", "uart_rx", "uart_tx"]
