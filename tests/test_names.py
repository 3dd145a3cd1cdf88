"""Names and attribute values that reach the hardware (scgen.ir.names, issue 15 section 2)."""

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scgen.emit import lint, verilog
from scgen.ir import Fixed, Graph, GraphBuilder, Op, Rate, UInt, parse
from scgen.ir.names import ADDED_PORTS, KEYWORDS, name_rule


def _errors(graph: Graph) -> list[str]:
    return [str(p) for p in graph.verify() if p.severity == "error"]


def _synapse(x="x", w="w", out="count", name="synapse") -> Graph:
    b = GraphBuilder("synapse")
    xs, ws = b.input("x", "rate"), b.input("w", "rate")
    b.output("count", b.popcount(b.encode(xs, length=64) & b.encode(ws, length=64, seed=0xBEEF)))
    g = b.build()
    rename = {"x": x, "w": w, "count": out}
    ops = tuple(
        Op(op.kind, op.result, op.operands, (("name", rename[op.attr("name")]), *op.attrs[1:]))
        if op.kind in ("input", "output")
        else op
        for op in g.ops
    )
    return Graph(name, ops)


@pytest.mark.parametrize("port", ADDED_PORTS)
def test_names_added_port_wrong(port):
    assert _errors(_synapse(x=port)) == [
        f"op[0] (input): input name must not be one of the ports scgen adds (clk, rst, start, "
        f"busy, done), not {port!r}"
    ]
    assert _errors(_synapse(out=port)) == [
        f"op[6] (output): output name must not be one of the ports scgen adds (clk, rst, start, "
        f"busy, done), not {port!r}"
    ]


def test_names_output_like_input_wrong():
    assert _errors(_synapse(out="x")) == [
        "op[6] (output): port 'x' of output 'x' is already the port of op[0] (input 'x'); every "
        "port name must be unique"
    ]


def test_names_unicode_wrong():
    assert _errors(_synapse(x="é", name="π")) == [
        "graph name must be ASCII letters, digits and underscores starting with a letter, not 'π'",
        "op[0] (input): input name must be ASCII letters, digits and underscores starting with "
        "a letter, not 'é'",
    ]


@pytest.mark.parametrize("word", ["wire", "logic", "module", "class", "delete", "int"])
def test_names_keyword_wrong(word):
    assert word in KEYWORDS
    assert _errors(_synapse(w=word)) == [
        f"op[1] (input): input name must not be a Verilog, SystemVerilog or C++ keyword, "
        f"not {word!r}"
    ]
    assert _errors(_synapse(name=word)) == [
        f"graph name must not be a Verilog, SystemVerilog or C++ keyword, not {word!r}"
    ]


def test_names_component_attribute_and_length_wrong():
    assert _errors(_synapse(x="graph"))[0].endswith(
        "input name must not be an attribute of the graph's component (elaborate, graph, "
        "latency, length, metadata, signature), not 'graph'"
    )
    assert name_rule("input name", "a" * 1025) == (
        "input name must be at most 1024 characters, not 1025"
    )
    assert name_rule("input name", 7) == "input name must be a string, not 7"


def test_names_graph_name_and_instance_names_wrong():
    assert _errors(_synapse(x="synapse")) == [
        "op[0] (input): input name must differ from the graph's name 'synapse'"
    ]
    assert _errors(_synapse(out="op4_encode")) == [
        "op[6] (output): output name must not have the form opN_... of scgen's instance names, "
        "not 'op4_encode'"
    ]


def test_names_lif_ports_clash_wrong():
    b = GraphBuilder("g")
    count = b.popcount(b.encode(b.input("x"), length=16))
    c = b.constant(0, "fixed<16,8>")
    b.output("n", b.lif_step(count, leak=c, gain=c, noise=c))
    b.output("n__v", count)
    assert _errors(b.build()) == [
        "op[6] (output): port 'n__v' of output 'n__v' is already the port of op[5] (output 'n'); "
        "every port name must be unique"
    ]


def _scale_graph(factor) -> Graph:
    b = GraphBuilder("g")
    b.output("count", b.popcount(b.encode(b.scale(b.input("x"), 1.0), length=16)))
    g = b.build()
    ops = list(g.ops)
    ops[1] = Op("scale", 1, (0,), (("factor", factor),))
    return Graph("g", tuple(ops))


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_names_scale_nan_wrong(value):
    assert _errors(_scale_graph(value)) == [
        f"op[1] (scale): attribute 'factor' must be a finite number, not {value!r}"
    ]


def test_names_scale_range_wrong():
    assert _errors(_scale_graph(1e30)) == [
        "op[1] (scale): attribute 'factor' must be between -16777216 and 16777216, not 1e+30"
    ]


@pytest.mark.parametrize(
    ("value", "ty", "rule"),
    [
        (math.nan, Rate(), "must be finite and within [0, 1], not nan"),
        (1.5, Rate(), "must be finite and within [0, 1], not 1.5"),
        (256, UInt(8), "must be an integer value that fits it, not 256"),
        (0.5, Fixed(16, 8), "must be an integer raw value that fits it, not 0.5"),
    ],
)
def test_names_constant_wrong(value, ty, rule):
    g = Graph("g", (Op("constant", 0, (), (("value", value), ("type", ty))),))
    assert _errors(g) == [f"op[0] (constant): constant of type {ty} {rule}"]


# --------------------------------------------------------------------------------------------
# every graph that verifies prints, parses back identically, emits and lints

_POOL = [
    "x",
    "w",
    "count",
    "n",
    "n__spike",
    "clk",
    "rst",
    "start",
    "busy",
    "done",
    "wire",
    "logic",
    "class",
    "delete",
    "graph",
    "signature",
    "π",
    "é",
    "_x",
    "9a",
    "a b",
    'a"b',
    "",
    "x\u2028y",
    "op4_encode",
    "g",
]
_WILD_NAMES = st.one_of(st.sampled_from(_POOL), st.text(max_size=4))
_WILD_FLOATS = st.one_of(
    st.sampled_from([-0.5, 1.5, math.nan, math.inf, -math.inf, 1e300]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-3, 3),
)


_GOOD_NAMES = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,6}", fullmatch=True)


@st.composite
def _graphs(draw):
    """A synapse with a scaled input, a rate constant, a LIF on the count and pass-through.

    At most two of the ten fields (six names, four values) get a wild value, the rest a good
    one (names may still clash), so that about a third of the graphs verify.
    """
    wild = draw(st.sets(st.integers(0, 9), max_size=2))

    def pick(k, good, bad):
        return draw(bad if k in wild else good)

    n = draw(st.lists(_GOOD_NAMES, min_size=6, max_size=6, unique=True))
    n = [draw(st.one_of(_WILD_NAMES, st.sampled_from(n))) if k in wild else n[k] for k in range(6)]
    rate, factor = pick(6, st.floats(0, 1), _WILD_FLOATS), pick(7, st.floats(0, 1), _WILD_FLOATS)
    length = pick(8, st.sampled_from([8, 16]), st.sampled_from([0, -1, 1 << 40]))
    raw = pick(9, st.integers(-(1 << 15), (1 << 15) - 1), st.sampled_from([1 << 20, 0.5]))
    ops = [
        Op("input", 0, (), (("name", n[0]), ("type", Rate()))),
        Op("input", 1, (), (("name", n[1]), ("type", UInt(8)))),
        Op("constant", 2, (), (("value", rate), ("type", Rate()))),
        Op("scale", 3, (0,), (("factor", factor),)),
        Op("encode", 4, (3,), (("length", length), ("seed", 0xACE1))),
        Op("encode", 5, (2,), (("length", length), ("seed", 0xBEEF))),
        Op("and", 6, (4, 5), ()),
        Op("popcount", 7, (6,), (("width", 5),)),
        Op("constant", 8, (), (("value", raw), ("type", Fixed(16, 8)))),
        Op(
            "lif_step",
            9,
            (7, 8, 8, 8),
            (
                ("data_width", 16),
                ("fraction", 8),
                ("v_threshold", 256),
                ("refractory_period", 2),
                ("v_rest", 0),
                ("v_reset", 0),
            ),
        ),
        Op("output", None, (7,), (("name", n[2]),)),
        Op("output", None, (9,), (("name", n[3]),)),
        Op("output", None, (1,), (("name", n[4]),)),
    ]
    return Graph(n[5], tuple(ops))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_graphs())
def test_names_verified_graph_prints_parses_emits_and_lints(graph):
    problems = graph.verify()
    assert all("\n" not in str(p) for p in problems)
    if any(p.severity == "error" for p in problems):
        return
    text = graph.to_text()
    assert parse(text) == graph
    sv = verilog(graph)
    lint(sv)
