"""The host-link byte protocol: command codes, the byte layout of a graph, and the IR hash.

Both sides read these definitions: :class:`scgen.link.HostLinkTop` builds its reply bytes from
a :class:`Layout`, and :mod:`scgen.host` encodes commands and decodes replies with the same one.
The protocol itself is described in the README ("Host link").

Every exchange is one command from the host and one reply from the device; the host sends the
next command only after the reply has arrived.

===========  =====  ==============================  ========================================
command      code   payload (host -> device)        reply (device -> host)
===========  =====  ==============================  ========================================
IDENTIFY     0x49   none                            0xC9, identity (24 bytes, below)
LOAD         0x4C   ``in_bytes`` input bytes        0xCC
START        0x53   windows: u16                    0xD3 once the last window is done
READ         0x52   none                            0xD2, ``out_bytes`` output bytes,
                                                    ``n_counters`` counts of ``count_bytes``
CLEAR        0x43   none                            0xC3 (counts are zero)
===========  =====  ==============================  ========================================

Errors reply ``0xEE, code, arg``: code 1 unknown command (arg: the byte), 2 framing error (arg:
the bits received), 3 payload timeout (arg: the command whose payload stopped). All integers are
little-endian.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..ir.graph import Graph, ir_hash
from ..ir.lower import graph_ports

__all__ = [
    "ACK_BIT",
    "CMD_CLEAR",
    "CMD_IDENTIFY",
    "CMD_LOAD",
    "CMD_READ",
    "CMD_START",
    "COMMANDS",
    "ERR_FRAMING",
    "ERR_TIMEOUT",
    "ERR_UNKNOWN",
    "ERROR",
    "ERROR_NAMES",
    "HASH_BYTES",
    "IDENTITY_BYTES",
    "MAGIC",
    "MAX_WINDOWS",
    "VERSION",
    "Field",
    "Layout",
    "ir_hash",
    "layout",
]

MAGIC = b"SCGN"
VERSION = 1
HASH_BYTES = 8  # IR hash prefix in the identity

CMD_IDENTIFY = 0x49  # 'I'
CMD_LOAD = 0x4C  # 'L'
CMD_START = 0x53  # 'S'
CMD_READ = 0x52  # 'R'
CMD_CLEAR = 0x43  # 'C'
COMMANDS = {
    CMD_IDENTIFY: "IDENTIFY",
    CMD_LOAD: "LOAD",
    CMD_START: "START",
    CMD_READ: "READ",
    CMD_CLEAR: "CLEAR",
}
ACK_BIT = 0x80  # a command's reply starts with its code | 0x80
ERROR = 0xEE  # an error reply: ERROR, code, arg
ERR_UNKNOWN = 1
ERR_FRAMING = 2
ERR_TIMEOUT = 3
ERROR_NAMES = {
    ERR_UNKNOWN: "unknown command",
    ERR_FRAMING: "framing error",
    ERR_TIMEOUT: "payload timeout",
}
MAX_WINDOWS = 0xFFFF  # START's u16 count

# identity: magic, version, hash prefix, in_bytes u16, out_bytes u16, n_counters u16,
# count_width u8, window_length u32
IDENTITY_BYTES = len(MAGIC) + 1 + HASH_BYTES + 2 + 2 + 2 + 1 + 4


@dataclass(frozen=True)
class Field:
    """One port in a byte layout: ``width`` bits, sent in ``nbytes`` little-endian bytes."""

    name: str
    width: int
    signed: bool = False

    @property
    def nbytes(self) -> int:
        return (self.width + 7) // 8

    def to_bytes(self, value: int) -> bytes:
        """Return ``value`` (wrapped to the port's width) as the field's bytes."""
        value = int(value) & ((1 << self.width) - 1)
        return value.to_bytes(self.nbytes, "little")

    def from_bytes(self, data: bytes) -> int:
        """Return the port value of the field's bytes (sign-extended for a signed port)."""
        return int.from_bytes(data, "little", signed=self.signed)


@dataclass(frozen=True)
class Layout:
    """The bytes a design exchanges with the host.

    Attributes
    ----------
    inputs : tuple of Field
        Every graph input port in graph order: the LOAD payload.
    outputs : tuple of Field
        Every window-level output port (counts, LIF spikes and membranes, ...) in port order:
        the first part of the READ reply; each is sign-extended to whole bytes.
    counted : tuple of Field
        Every per-cycle output port (bitstreams, source words, spike words): one counter per
        bit (bit 0 first, port by port) counts the cycles on which that bit was 1 while the
        stream section ran, since the last CLEAR, saturating at ``2**count_width - 1``.
    count_width : int
        Bits of every counter.
    window_length : int
        Stream length ``L``: a window takes ``L + 2`` cycles.
    hash_prefix : bytes
        The first :data:`HASH_BYTES` bytes of the IR hash.
    """

    inputs: tuple[Field, ...]
    outputs: tuple[Field, ...]
    counted: tuple[Field, ...]
    count_width: int
    window_length: int
    hash_prefix: bytes

    @property
    def in_bytes(self) -> int:
        return sum(f.nbytes for f in self.inputs)

    @property
    def out_bytes(self) -> int:
        return sum(f.nbytes for f in self.outputs)

    @property
    def n_counters(self) -> int:
        return sum(f.width for f in self.counted)

    @property
    def count_bytes(self) -> int:
        return (self.count_width + 7) // 8

    @property
    def read_bytes(self) -> int:
        """Length of the READ reply after its first byte."""
        return self.out_bytes + self.n_counters * self.count_bytes

    def identity(self) -> bytes:
        """Return the IDENTIFY reply after its first byte."""
        return (
            MAGIC
            + bytes([VERSION])
            + self.hash_prefix
            + self.in_bytes.to_bytes(2, "little")
            + self.out_bytes.to_bytes(2, "little")
            + self.n_counters.to_bytes(2, "little")
            + bytes([self.count_width])
            + self.window_length.to_bytes(4, "little")
        )


def layout(graph: Graph, *, count_width: int = 16) -> Layout:
    """Return the host-link byte layout of ``graph`` (which must lower to hardware)."""
    if not isinstance(count_width, int) or isinstance(count_width, bool):
        raise TypeError(f"Host link count_width must be an integer, not {count_width!r}")
    if not 1 <= count_width <= 32:
        raise ValueError(f"Host link count_width must be between 1 and 32, not {count_width!r}")
    ports = graph_ports(graph)
    length = ports.length
    inputs = [Field(name, shape.width, shape.signed) for name, shape in ports.inputs.items()]
    outputs, counted = [], []
    for name, (shape, per_cycle) in ports.outputs.items():
        (counted if per_cycle else outputs).append(Field(name, shape.width, shape.signed))
    prefix = bytes.fromhex(ir_hash(graph))[:HASH_BYTES]
    result = Layout(tuple(inputs), tuple(outputs), tuple(counted), count_width, length, prefix)
    for what, n in (
        ("input bytes", result.in_bytes),
        ("output bytes", result.out_bytes),
        ("counted bits", result.n_counters),
    ):
        if n > 0xFFFF:
            raise ValueError(
                f"Graph {graph.name!r} has {n} {what}; the host link carries at most 65535"
            )
    if length >= 1 << 32:
        raise ValueError(
            f"Graph {graph.name!r} window length must be below 2**32 for the host "
            f"link, not {length}"
        )
    return result
