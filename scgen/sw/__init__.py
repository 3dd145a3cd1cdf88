"""Software twins: bit-exact, cycle-for-cycle Numba models of the :mod:`scgen.hw` primitives.

Each twin takes the primitive's params plus one array per input port (last axis = cycle, an
optional leading batch axis for independent instances) and returns a named tuple with one array
per output port: what the hardware shows on every cycle.
"""

from .assoc import AssocTrace, assoc_query
from .bernoulli import bernoulli_bytes, bernoulli_f64
from .bitstream import (
    and_popcount,
    bit_and,
    bit_mux,
    bit_not,
    bit_or,
    bit_xnor,
    bit_xor,
    pack,
    popcount,
    unpack,
)
from .cordiv import cordiv
from .counter import CounterTrace, counter
from .dense import DenseTrace, dense, dense_windows
from .encoder import EncoderTrace, encoder
from .hamming import HammingTrace, hamming
from .hdc import WordTrace, bind, bundle
from .jkdiv import jkdiv
from .kuramoto import KuramotoTrace, kuramoto, kuramoto_phases
from .lfsr import SourceTrace, lfsr
from .lfsr_encode import encode_lfsr, quantize
from .lif import LifTrace, lif
from .logic import LogicTrace, add_mux, mul_and, mul_xnor
from .permute import PermuteTrace, permute
from .rng import ChaCha8, Xoshiro256pp
from .snn import SnnTrace, snn, snn_steps
from .sobol import sobol
from .uart import UartRxTrace, UartTxTrace, uart_rx, uart_tx

__all__ = [
    # sources
    "SourceTrace",
    "lfsr",
    "sobol",
    # encoder
    "EncoderTrace",
    "encoder",
    # bitstream arithmetic
    "LogicTrace",
    "add_mux",
    "mul_and",
    "mul_xnor",
    "cordiv",
    "jkdiv",
    # counter
    "CounterTrace",
    "counter",
    # neuron
    "LifTrace",
    "lif",
    "DenseTrace",
    "dense",
    "dense_windows",
    "SnnTrace",
    "snn",
    "snn_steps",
    # host link
    "UartRxTrace",
    "UartTxTrace",
    "uart_rx",
    "uart_tx",
    # oscillator network
    "KuramotoTrace",
    "kuramoto",
    "kuramoto_phases",
    # packed bitstreams
    "and_popcount",
    "bit_and",
    "bit_mux",
    "bit_not",
    "bit_or",
    "bit_xnor",
    "bit_xor",
    "pack",
    "popcount",
    "unpack",
    # hyperdimensional computing
    "AssocTrace",
    "HammingTrace",
    "PermuteTrace",
    "WordTrace",
    "assoc_query",
    "bind",
    "bundle",
    "hamming",
    "permute",
    # whole-stream encoders and generators
    "ChaCha8",
    "Xoshiro256pp",
    "bernoulli_bytes",
    "bernoulli_f64",
    "encode_lfsr",
    "quantize",
]
