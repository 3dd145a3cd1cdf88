"""The host link driver: talk to a board running :class:`scgen.link.HostLinkTop`."""

from __future__ import annotations

import time
from collections.abc import Mapping

from ..ir.graph import Graph
from ..link.protocol import ERROR, MAX_WINDOWS, VERSION, ir_hash, layout
from .protocol import (
    DeviceError,
    Identity,
    LinkTimeout,
    Readout,
    WrongDesign,
    decode_identity,
    decode_read,
    decode_reply,
    encode_clear,
    encode_identify,
    encode_load,
    encode_read,
    encode_start,
    port_values,
    reply_length,
)

__all__ = ["HostLink"]


class HostLink:
    """Drive a board's host link over a byte transport.

    Parameters
    ----------
    transport
        Any object with ``write(bytes)`` and ``read(n) -> bytes`` (``read`` may return fewer
        bytes, or none, when nothing has arrived yet), e.g. a ``serial.Serial`` with a short
        ``timeout``; see :meth:`open`.
    graph : Graph
        The graph the board is expected to run: it gives the byte layout, and its IR hash is
        checked by :meth:`identify`.
    timeout : float
        Seconds to wait for a reply before raising :class:`LinkTimeout`.
    clock_hz : float, optional
        The board clock; when given, :meth:`run` waits longer by the windows' running time.
    count_width : int
        Counter width the board was built with (16 by default).
    """

    def __init__(
        self,
        transport,
        graph: Graph,
        *,
        timeout: float = 2.0,
        clock_hz: float | None = None,
        count_width: int = 16,
    ):
        if not (hasattr(transport, "read") and hasattr(transport, "write")):
            raise TypeError(
                f"Host link transport must have read and write methods, not {transport!r}"
            )
        if not isinstance(graph, Graph):
            raise TypeError(f"Host link needs a Graph, not {graph!r}")
        self._io = transport
        self._graph = graph
        self._layout = layout(graph, count_width=count_width)
        self._timeout = float(timeout)
        self._clock_hz = clock_hz

    @classmethod
    def open(cls, port: str, graph: Graph, *, baud: int = 115200, **kwargs) -> HostLink:
        """Open serial port ``port`` (a device or a pyserial URL) at ``baud`` (8N1) and return a
        link on it."""
        try:
            import serial
        except ImportError:
            raise ImportError(
                "The host link needs pyserial; install it with 'pip install pyserial'"
            ) from None
        return cls(serial.serial_for_url(port, baudrate=baud, timeout=0.05), graph, **kwargs)

    @property
    def layout(self):
        return self._layout

    def close(self) -> None:
        """Close the transport (when it can be closed)."""
        close = getattr(self._io, "close", None)
        if close is not None:
            close()

    # ----------------------------------------------------------------------------------------

    def _read(self, n: int, deadline: float, what: str, head: bytes = b"") -> bytes:
        data = bytearray(head)
        while len(data) < n:
            chunk = self._io.read(n - len(data))
            if chunk:
                data += chunk
            elif time.monotonic() > deadline:
                got = f"; got {bytes(data).hex(' ')}" if data else ""
                raise LinkTimeout(
                    f"No complete reply to {what} within {self._timeout:g} s "
                    f"({len(data)} of {n} bytes{got}); is the board connected, "
                    f"programmed and at the right baud rate?"
                )
        return bytes(data)

    def _exchange(self, command: bytes, what: str, extra_seconds: float = 0.0) -> bytes:
        self._io.write(command)
        deadline = time.monotonic() + self._timeout + extra_seconds
        head = self._read(1, deadline, what)
        n = 3 if head[0] == ERROR else reply_length(command, self._layout)
        return self._read(n, deadline, what, head)

    def identify(self) -> Identity:
        """Ask the board what it runs; raise :class:`WrongDesign` unless it is this graph.

        Stale input is discarded first. A board left inside an unfinished command (another
        session stopped mid-LOAD) takes the IDENTIFY byte as payload and answers with an error
        once its payload timeout passes; the IDENTIFY is then sent once more.
        """
        reset = getattr(self._io, "reset_input_buffer", None)
        if reset is not None:
            reset()
        try:
            ident = decode_identity(self._exchange(encode_identify(), "IDENTIFY"))
        except DeviceError:
            ident = decode_identity(self._exchange(encode_identify(), "IDENTIFY"))
        if ident.version != VERSION:
            raise WrongDesign(
                f"The board speaks host link protocol version {ident.version}, "
                f"not {VERSION}; rebuild it with this scgen"
            )
        want = self._layout
        if ident.hash_prefix != want.hash_prefix:
            raise WrongDesign(
                f"The board runs a design with IR hash {ident.hash_prefix.hex()}..., not graph "
                f"{self._graph.name!r} (IR hash {ir_hash(self._graph)[:16]}...); build and "
                f"program this graph"
            )
        got = (
            ident.in_bytes,
            ident.out_bytes,
            ident.n_counters,
            ident.count_width,
            ident.window_length,
        )
        expected = (
            want.in_bytes,
            want.out_bytes,
            want.n_counters,
            want.count_width,
            want.window_length,
        )
        if got != expected:
            raise WrongDesign(
                f"The board's layout (in, out, counters, count width, window) is "
                f"{got}, not {expected}; it was built with other link options"
            )
        return ident

    def write_inputs(self, inputs: Mapping[str, object]) -> None:
        """Load one value for every graph input (rates as probabilities, see
        :func:`scgen.host.protocol.port_values`)."""
        missing = [f.name for f in self._layout.inputs if f.name not in inputs]
        if missing:
            raise ValueError(f"Input {missing[0]!r} of graph {self._graph.name!r} needs a value")
        command = encode_load(self._layout, port_values(self._graph, inputs))
        decode_reply(command, self._layout, self._exchange(command, "LOAD"))

    def run(self, windows: int = 1) -> None:
        """Run ``windows`` windows back to back (several START commands past 65535)."""
        if not isinstance(windows, int) or isinstance(windows, bool) or windows < 0:
            raise ValueError(f"Window count must be a non-negative integer, not {windows!r}")
        left = windows
        while True:
            n = min(left, MAX_WINDOWS)
            command = encode_start(n)
            seconds = (
                n * (self._layout.window_length + 2) / self._clock_hz if self._clock_hz else 0.0
            )
            decode_reply(command, self._layout, self._exchange(command, "START", seconds))
            left -= n
            if left == 0:
                return

    def read(self) -> Readout:
        """Read the last window's outputs and the counts since the last :meth:`clear`."""
        return decode_read(self._layout, self._exchange(encode_read(), "READ"))

    def clear(self) -> None:
        """Zero the board's counters."""
        command = encode_clear()
        decode_reply(command, self._layout, self._exchange(command, "CLEAR"))
