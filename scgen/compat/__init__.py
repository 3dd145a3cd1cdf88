"""SC-NeuroCore engine API (sc-neurocore-engine 3.15.7): same names, signatures, defaults,
return types, dtypes, error types and messages, as thin wrappers over scgen.

Where scgen deliberately differs (engine panics become ``ValueError``; parameter sets that
describe no real register are refused), the wrapper's docstring says so. Migrating code changes
one import::

    import scgen.compat as sc_neurocore_engine
"""

from . import ir
from ._attention import StochasticAttention, StochasticGraphLayer
from ._bitstream import (
    pack_bitstream,
    pack_bitstream_numpy,
    popcount,
    popcount_numpy,
    simd_tier,
    unpack_bitstream,
    unpack_bitstream_numpy,
)
from ._dense import DenseLayer
from ._encode import BitstreamEncoder, Lfsr16, batch_encode, batch_encode_numpy
from ._grad import DifferentiableDenseLayer, SurrogateLif
from ._hdc import HDCVector
from ._kuramoto import KuramotoSolver, SCPNMetrics
from ._lif import FixedPointLif, batch_lif_run, batch_lif_run_multi, batch_lif_run_varying
from ._petri import PetriNetEngine
from ._runtime import set_num_threads
from ._tensor import BitStreamTensor

#: The engine release whose behaviour this module reproduces (the guide prints it).
__version__ = "3.15.7"

__all__ = [
    "__version__",
    "ir",
    # runtime
    "set_num_threads",
    "simd_tier",
    # bitstreams
    "pack_bitstream",
    "pack_bitstream_numpy",
    "popcount",
    "popcount_numpy",
    "unpack_bitstream",
    "unpack_bitstream_numpy",
    "BitStreamTensor",
    # encoders
    "BitstreamEncoder",
    "Lfsr16",
    "batch_encode",
    "batch_encode_numpy",
    # neurons
    "FixedPointLif",
    "batch_lif_run",
    "batch_lif_run_multi",
    "batch_lif_run_varying",
    # layers
    "DenseLayer",
    # learning
    "DifferentiableDenseLayer",
    "SurrogateLif",
    # oscillators
    "KuramotoSolver",
    "SCPNMetrics",
    # attention and graphs
    "StochasticAttention",
    "StochasticGraphLayer",
    # hyperdimensional computing and Petri nets
    "HDCVector",
    "PetriNetEngine",
]
