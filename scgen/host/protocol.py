"""Host side of the link protocol: pure functions from values to command bytes and from reply
bytes to values (see :mod:`scgen.link.protocol` for the byte layout)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ..ir.graph import Graph
from ..ir.ports import input_ports
from ..ir.types import Rate, Spikes
from ..link.protocol import (
    ACK_BIT,
    CMD_CLEAR,
    CMD_IDENTIFY,
    CMD_LOAD,
    CMD_READ,
    CMD_START,
    COMMANDS,
    ERROR,
    ERROR_NAMES,
    HASH_BYTES,
    IDENTITY_BYTES,
    MAGIC,
    MAX_WINDOWS,
    Layout,
)

__all__ = [
    "BadReply",
    "DeviceError",
    "HostLinkError",
    "Identity",
    "LinkTimeout",
    "Readout",
    "WrongDesign",
    "decode_identity",
    "decode_read",
    "decode_reply",
    "encode_clear",
    "encode_identify",
    "encode_load",
    "encode_read",
    "encode_start",
    "port_values",
    "reply_length",
]


class HostLinkError(RuntimeError):
    """Something went wrong talking to a board over the host link."""


class LinkTimeout(HostLinkError):
    """The board did not answer in time."""


class BadReply(HostLinkError):
    """The board answered with bytes that are not a reply to the command sent."""


class WrongDesign(HostLinkError):
    """The board runs a different design from the graph the host was given."""


class DeviceError(HostLinkError):
    """The board answered with an error reply.

    Attributes
    ----------
    code : int
        The error code (1 unknown command, 2 framing error, 3 payload timeout).
    arg : int
        The byte the error is about.
    """

    def __init__(self, code: int, arg: int):
        self.code, self.arg = code, arg
        name = ERROR_NAMES.get(code, f"error code {code}")
        what = {
            1: f"the unknown command byte was 0x{arg:02X}",
            2: f"the bits received were 0x{arg:02X}",
            3: f"the incomplete command was 0x{arg:02X}",
        }.get(code, f"argument 0x{arg:02X}")
        super().__init__(f"The board replied with an error: {name}; {what}")


@dataclass(frozen=True)
class Identity:
    """The IDENTIFY reply: what design the board runs."""

    version: int
    hash_prefix: bytes
    in_bytes: int
    out_bytes: int
    n_counters: int
    count_width: int
    window_length: int


@dataclass(frozen=True)
class Readout:
    """The READ reply.

    Attributes
    ----------
    outputs : dict
        Window-level output port -> value of the last window (signed ports sign-extended).
    counts : dict
        Per-cycle output port -> int64 array, one count per bit (bit 0 first).
    """

    outputs: dict[str, int]
    counts: dict[str, np.ndarray]


def encode_identify() -> bytes:
    """Return the IDENTIFY command."""
    return bytes([CMD_IDENTIFY])


def encode_read() -> bytes:
    """Return the READ command."""
    return bytes([CMD_READ])


def encode_clear() -> bytes:
    """Return the CLEAR command."""
    return bytes([CMD_CLEAR])


def encode_start(windows: int) -> bytes:
    """Return the START command for ``windows`` windows back to back (0 to 65535)."""
    if not isinstance(windows, int | np.integer) or isinstance(windows, bool):
        raise TypeError(f"Window count must be an integer, not {windows!r}")
    if not 0 <= windows <= MAX_WINDOWS:
        raise ValueError(
            f"Window count must be between 0 and {MAX_WINDOWS} per START, not {windows!r}"
        )
    return bytes([CMD_START]) + int(windows).to_bytes(2, "little")


def port_values(graph: Graph, inputs: Mapping[str, object]) -> dict[str, int]:
    """Convert one value per graph input to its port value, as :func:`run_windows` does.

    Rates are probabilities in [0, 1], a ``vec<rate,n>`` is a sequence of ``n`` of them;
    integers and fixed point are raw integers.
    """
    names = [op.attr("name") for op in graph.inputs]
    unknown = sorted(set(inputs) - set(names))
    if unknown:
        raise ValueError(
            f"Graph {graph.name!r} has no input {unknown[0]!r}; its inputs are "
            f"{', '.join(names) or 'none'}"
        )
    per_window = {}
    for op in graph.inputs:
        name = op.attr("name")
        if name in inputs:
            t = op.attr("type")
            value = np.asarray(inputs[name])
            if isinstance(t, Spikes):  # one sample: steps x neurons spikes
                if value.size != t.width:
                    raise ValueError(
                        f"Input {name!r} of type {t} needs {t.steps} x {t.neurons} spikes, "
                        f"not {value.size} values"
                    )
                per_window[name] = value.reshape(1, t.steps, t.neurons)
                continue
            n = getattr(t, "n", None)
            if n is not None and value.size != n:
                raise ValueError(f"Input {name!r} of type {t} needs {n} values, not {value.size}")
            if n is None and value.size != 1:
                raise ValueError(f"Input {name!r} of type {t} needs one value, not {value.size}")
            rates = isinstance(t, Rate) or isinstance(getattr(t, "elem", None), Rate)
            if not rates and not np.issubdtype(value.dtype, np.integer):
                frac = getattr(t, "frac", None)
                hint = f" (the value times 2**{frac})" if frac is not None else ""
                raise ValueError(
                    f"Input {name!r} of type {t} takes a raw integer{hint}, not {inputs[name]!r}"
                )
            per_window[name] = value.reshape(1, -1) if n is not None else value.reshape(1)
    ports = input_ports(graph, per_window)
    return {name: int(v[0]) for name, v in ports.items()}


def encode_load(layout: Layout, values: Mapping[str, int]) -> bytes:
    """Return the LOAD command for port values (see :func:`port_values`) of every input."""
    payload = bytearray([CMD_LOAD])
    for f in layout.inputs:
        if f.name not in values:
            raise ValueError(f"Input {f.name!r} needs a value")
        v = int(values[f.name])
        lo = -(1 << (f.width - 1)) if f.signed else 0
        hi = (1 << (f.width - 1)) - 1 if f.signed else (1 << f.width) - 1
        if not lo <= v <= hi:
            kind = "signed" if f.signed else "unsigned"
            raise ValueError(
                f"Input {f.name!r} must be between {lo} and {hi} for its "
                f"{f.width}-bit {kind} port, not {v}"
            )
        payload += f.to_bytes(v)
    return bytes(payload)


def reply_length(command: bytes, layout: Layout) -> int:
    """Return the length of the reply to ``command`` when it succeeds."""
    if command[:1] == bytes([CMD_IDENTIFY]):
        return 1 + IDENTITY_BYTES
    if command[:1] == bytes([CMD_READ]):
        return 1 + layout.read_bytes
    return 1


def _check_head(command: int, data: bytes) -> None:
    if not data:
        raise LinkTimeout(f"No reply to {COMMANDS.get(command, hex(command))}")
    if data[0] == ERROR:
        if len(data) < 3:
            raise BadReply(f"Error reply must be 3 bytes, not {data.hex(' ')}")
        raise DeviceError(data[1], data[2])
    if data[0] != command | ACK_BIT:
        raise BadReply(
            f"Reply to {COMMANDS.get(command, hex(command))} must start with "
            f"0x{command | ACK_BIT:02X}, not 0x{data[0]:02X}"
        )


def decode_identity(data: bytes) -> Identity:
    """Decode an IDENTIFY reply (all of it, first byte included)."""
    _check_head(CMD_IDENTIFY, data)
    if len(data) != 1 + IDENTITY_BYTES:
        raise BadReply(f"IDENTIFY reply must be {1 + IDENTITY_BYTES} bytes, not {len(data)}")
    body = data[1:]
    if body[: len(MAGIC)] != MAGIC:
        raise BadReply(
            f"The board is not an scgen host link: its identity starts with "
            f"{bytes(body[: len(MAGIC)])!r}, not {MAGIC!r}"
        )
    k = len(MAGIC) + 1 + HASH_BYTES
    return Identity(
        version=body[len(MAGIC)],
        hash_prefix=bytes(body[len(MAGIC) + 1 : k]),
        in_bytes=int.from_bytes(body[k : k + 2], "little"),
        out_bytes=int.from_bytes(body[k + 2 : k + 4], "little"),
        n_counters=int.from_bytes(body[k + 4 : k + 6], "little"),
        count_width=body[k + 6],
        window_length=int.from_bytes(body[k + 7 : k + 11], "little"),
    )


def decode_read(layout: Layout, data: bytes) -> Readout:
    """Decode a READ reply (all of it, first byte included)."""
    _check_head(CMD_READ, data)
    if len(data) != 1 + layout.read_bytes:
        raise BadReply(f"READ reply must be {1 + layout.read_bytes} bytes, not {len(data)}")
    pos, outputs, counts = 1, {}, {}
    for f in layout.outputs:
        outputs[f.name] = f.from_bytes(data[pos : pos + f.nbytes])
        pos += f.nbytes
    cb = layout.count_bytes
    for f in layout.counted:
        values = [
            int.from_bytes(data[pos + cb * b : pos + cb * (b + 1)], "little")
            for b in range(f.width)
        ]
        counts[f.name] = np.array(values, dtype=np.int64)
        pos += cb * f.width
    return Readout(outputs, counts)


def decode_reply(command: bytes, layout: Layout, data: bytes):
    """Decode the reply to ``command``: an :class:`Identity`, a :class:`Readout` or None.

    Raises :class:`DeviceError` for an error reply and :class:`BadReply` for anything else
    that is not the reply expected.
    """
    code = command[0]
    if code == CMD_IDENTIFY:
        return decode_identity(data)
    if code == CMD_READ:
        return decode_read(layout, data)
    _check_head(code, data)
    if len(data) != 1:
        raise BadReply(f"Reply to {COMMANDS.get(code, hex(code))} must be 1 byte, not {len(data)}")
    return None
