"""Parameters of every scgen primitive: the single source of truth for hardware and twin.

Each primitive has one frozen, keyword-only dataclass, in the module of its stem
(``scgen/params/<stem>.py``, beside ``scgen/hw/<stem>.py`` and ``scgen/sw/<stem>.py``). It
validates its fields in ``__post_init__`` (``TypeError`` for a wrong kind, ``ValueError`` for a
wrong value, one sentence naming the field, the rule and the offending value) and derives every
constant that both the Amaranth component (:mod:`scgen.hw`) and the Numba twin (:mod:`scgen.sw`)
need, so that the two sides can never disagree on a tap mask, a direction number or a register
width.

This package imports nothing but the standard library.
"""

from ._common import Encoding, LfsrForm, Ordering, _int
from .cordiv import CordivParams
from .counter import CounterParams
from .dense import DenseParams
from .encoder import SOURCES, EncoderParams, SourceParams
from .hdc import AssocQueryParams, BindParams, BundleParams, HammingParams, PermuteParams
from .jkdiv import JkDivParams
from .kuramoto import KuramotoParams
from .lfsr import MAXIMAL_TAPS, LfsrParams
from .lif import LifParams
from .logic import AddMuxParams, MulAndParams, MulXnorParams, _LaneParams
from .snn import SnnLayerParams, SnnParams
from .sobol import SOBOL_POLYNOMIALS, SobolParams
from .uart import UART_MAX_CLOCKS_PER_BIT, UartRxParams, UartTxParams

__all__ = [
    "Ordering",
    "Encoding",
    "LfsrForm",
    "MAXIMAL_TAPS",
    "LfsrParams",
    "SOBOL_POLYNOMIALS",
    "SobolParams",
    "SourceParams",
    "SOURCES",
    "EncoderParams",
    "MulAndParams",
    "MulXnorParams",
    "AddMuxParams",
    "CordivParams",
    "CounterParams",
    "LifParams",
    "UART_MAX_CLOCKS_PER_BIT",
    "UartTxParams",
    "UartRxParams",
    "JkDivParams",
    "KuramotoParams",
    "DenseParams",
    "SnnLayerParams",
    "SnnParams",
    "BindParams",
    "BundleParams",
    "PermuteParams",
    "HammingParams",
    "AssocQueryParams",
    "_int",
    "_LaneParams",
]
