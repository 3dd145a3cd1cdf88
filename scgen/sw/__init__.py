"""Software twins: bit-exact, cycle-for-cycle Numba models of the :mod:`scgen.hw` primitives.

Each twin takes the primitive's params plus one array per input port (last axis = cycle, an
optional leading batch axis for independent instances) and returns a named tuple with one array
per output port: what the hardware shows on every cycle.
"""

from .counter import CounterTrace, counter
from .encoder import EncoderTrace, encoder
from .lfsr import SourceTrace, lfsr
from .lif import LifTrace, lif
from .logic import LogicTrace, add_mux, mul_and, mul_xnor
from .sobol import sobol

__all__ = [
    # sources
    "SourceTrace", "lfsr", "sobol",
    # encoder
    "EncoderTrace", "encoder",
    # bitstream arithmetic
    "LogicTrace", "add_mux", "mul_and", "mul_xnor",
    # counter
    "CounterTrace", "counter",
    # neuron
    "LifTrace", "lif",
]
