"""The board side of the host link: a UART protocol engine around a graph's hardware.

:class:`HostLinkTop` is what a board build wraps; :mod:`scgen.link.protocol` defines the bytes
both sides speak (the host side is :mod:`scgen.host`).
"""

from .protocol import Field, Layout, ir_hash, layout
from .top import HostLinkTop

__all__ = ["Field", "HostLinkTop", "Layout", "ir_hash", "layout"]
