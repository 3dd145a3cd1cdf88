"""The typed SC compute-graph IR: types, op kinds, graph, builders, verification, text, hash.

Every op kind is an object (:mod:`scgen.ir.ops`) that owns its type rule, hardware and twin;
:mod:`scgen.ir.lower` builds a graph's hardware from them and :func:`scgen.sim.run_windows`
its twin.
"""

from .builder import GraphBuilder, ScGraphBuilder, Value
from .graph import OPS, Graph, Op, Problem, VerifyError, ir_hash
from .ops import AttrDef, HwContext, OpKind, TwinContext, register_op
from .ports import LoweringError
from .prims import PrimitiveOp, flatten_params, params_from_attrs
from .text import ParseError, parse, print_graph
from .types import (
    Bitstream,
    Bool,
    Fixed,
    Rate,
    SInt,
    Spikes,
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
    "ir_hash",
    # op kinds
    "AttrDef",
    "HwContext",
    "LoweringError",
    "OpKind",
    "PrimitiveOp",
    "TwinContext",
    "register_op",
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
    "Spikes",
    "Vec",
    "Words",
    "parse_type",
]
