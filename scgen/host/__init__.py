"""The host side of the board link: protocol encoder/decoder, line model and driver.

``HostLink(serial.Serial(...), graph)`` (or :meth:`HostLink.open`) identifies the board,
loads inputs, runs windows and reads outputs and counts; ``scgen run`` uses it
(:mod:`scgen.host.cli`). :mod:`scgen.host.sim` runs the same exchange against a simulated board.
"""

from .driver import HostLink
from .protocol import (
    BadReply,
    DeviceError,
    HostLinkError,
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
from .uart import FramingError, decode_line, frame_levels, line_levels

__all__ = [
    # driver
    "HostLink",
    # errors
    "BadReply",
    "DeviceError",
    "FramingError",
    "HostLinkError",
    "LinkTimeout",
    "WrongDesign",
    # protocol
    "Identity",
    "Readout",
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
    # line model
    "decode_line",
    "frame_levels",
    "line_levels",
]
