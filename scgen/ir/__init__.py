"""The typed SC compute-graph IR: types, graph, builders, verification and the text format.

Lowering to one Amaranth top and to the twin, and whole-graph equivalence, build on this
(issue 4, in progress).
"""

from .builder import GraphBuilder, ScGraphBuilder, Value
from .graph import OPS, Graph, Op, Problem, VerifyError
from .prims import flatten_params, params_from_attrs  # registers the primitive ops
from .text import ParseError, parse, print_graph
from .types import (
    Bitstream,
    Bool,
    Fixed,
    Rate,
    SInt,
    Tuple,
    Type,
    TypeParseError,
    UInt,
    Vec,
    Words,
    parse_type,
)

__all__ = [
    # graph
    "OPS",
    "Graph",
    "Op",
    "Problem",
    "VerifyError",
    # primitive ops
    "flatten_params",
    "params_from_attrs",
    # builders
    "GraphBuilder",
    "ScGraphBuilder",
    "Value",
    # text
    "ParseError",
    "parse",
    "print_graph",
    # types
    "Bitstream",
    "Bool",
    "Fixed",
    "Rate",
    "SInt",
    "Tuple",
    "Type",
    "TypeParseError",
    "UInt",
    "Vec",
    "Words",
    "parse_type",
]
