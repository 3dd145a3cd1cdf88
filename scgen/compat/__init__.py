"""SC-NeuroCore engine API (sc-neurocore-engine 3.15.7): same names, signatures, defaults,
return types, dtypes, error types and messages, as thin wrappers over scgen.

Where scgen deliberately differs (engine panics become ``ValueError``; parameter sets that
describe no real register are refused), the wrapper's docstring says so. Migrating code changes
one import::

    import scgen.compat as sc_neurocore_engine

The engine's submodules that hold what scgen reproduces are here under the same names
(``ir``, ``layers``, ``neurons``, ``grad``, ``attention``, ``graphs``, ``scpn``, ``hdc``,
``petri_net``), and ``__all__`` lists the engine's names that exist here. Not reproduced: the
engine's zoo of ~110 other neuron models, its network runners and its DNA, photonics, quantum,
fault-injection and studio helpers (``py_*``); importing one of those names fails with
``AttributeError``/``ImportError``, not with a wrong result.

Distribution metadata: this module is part of the ``scgen`` distribution and does not claim the
name ``sc-neurocore-engine``; the real engine is installed beside it as the parity reference,
and two distributions owning one name would let pip remove or shadow either.
``importlib.metadata.version("sc-neurocore-engine")`` therefore answers for the engine;
:data:`__version__` is the release whose behaviour this module reproduces.
"""

# the engine's submodules (not in its __all__, so not in this one)
from . import attention as attention
from . import grad as grad
from . import graphs as graphs
from . import hdc as hdc
from . import ir as ir
from . import layers as layers
from . import neurons as neurons
from . import petri_net as petri_net
from . import scpn as scpn
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
from ._bridge import FixedPointLIFNeuron, VectorizedSCLayer
from ._dense import DenseLayer
from ._encode import BitstreamEncoder, Lfsr16, batch_encode, batch_encode_numpy
from ._grad import DifferentiableDenseLayer, SurrogateLif
from ._hdc import HDCVector
from ._kuramoto import KuramotoSolver, SCPNMetrics
from ._lif import FixedPointLif, batch_lif_run, batch_lif_run_multi, batch_lif_run_varying
from ._petri import PetriNetEngine
from ._runtime import set_num_threads
from ._tensor import BitStreamTensor
from .ir import ScGraph, ScGraphBuilder, parse_ir

#: The engine release whose behaviour this module reproduces (the guide prints it).
__version__ = "3.15.7"

__all__ = [
    "__version__",
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
    "FixedPointLIFNeuron",
    "batch_lif_run",
    "batch_lif_run_multi",
    "batch_lif_run_varying",
    # layers
    "DenseLayer",
    "VectorizedSCLayer",
    # IR
    "ScGraph",
    "ScGraphBuilder",
    "parse_ir",
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
