"""Hyperdimensional computing (VSA) and fault-tolerant bitstream logic.

Batched operations on packed hypervectors (:mod:`.ops`), an associative item memory
(:class:`ItemMemory`) and Boolean logic on noisy bitstreams (:mod:`.fault`). The seed's classes
(``BitStreamTensor``, ``HDCVector``, ``PetriNetEngine``) are in :mod:`scgen.compat`.
"""

from .fault import (
    decode,
    false_stream,
    inject_noise,
    logic_and,
    logic_not,
    logic_or,
    true_stream,
)
from .memory import ItemMemory
from .ops import bind, bundle, distance, permute, random_hypervectors, similarity

__all__ = [
    # hypervectors
    "bind",
    "bundle",
    "distance",
    "permute",
    "random_hypervectors",
    "similarity",
    # associative memory
    "ItemMemory",
    # fault-tolerant logic
    "decode",
    "false_stream",
    "inject_noise",
    "logic_and",
    "logic_not",
    "logic_or",
    "true_stream",
]
