import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scgen.emit import verilog
from scgen.ir import (
    OPS,
    Bitstream,
    Bool,
    Fixed,
    Graph,
    GraphBuilder,
    Op,
    ParseError,
    Rate,
    ScGraphBuilder,
    SInt,
    Tuple,
    TypeParseError,
    UInt,
    Vec,
    Words,
    parse,
    parse_type,
)

SEED_SYNAPSE = """sc.graph @sc_synapse {
  %0 = sc.input "x_prob" : rate
  %1 = sc.input "w_prob" : rate
  %2 = sc.encode %0, length=1024, seed=0xACE1 : bitstream<1024>
  %3 = sc.encode %1, length=1024, seed=0xBEEF : bitstream<1024>
  %4 = sc.and %2, %3 : bitstream
  %5 = sc.popcount %4 : u64
  %6 = sc.div_const %5, divisor=1024 : u64
  sc.output "firing_rate" %6
}
"""

SEED_DENSE = """sc.graph @sc_dense_layer {
  %0 = sc.input "x_input" : vec<rate,3>
  %1 = sc.input "weights" : vec<rate,3>
  %2 = sc.input "leak_k" : fixed<16,8>
  %3 = sc.input "gain_k" : fixed<16,8>
  %4 = sc.dense_forward %0, weights=%1, leak=%2, gain=%3, ni=3, nn=7, len=1024 : vec<bool,7>
  sc.output "spikes" %4
}
"""


def _seed_example():
    b = ScGraphBuilder("sc_synapse")
    x = b.input("x_prob", "rate")
    w = b.input("w_prob", "rate")
    sx = b.encode(x, length=1024, seed=0xACE1)
    sw = b.encode(w, length=1024, seed=0xBEEF)
    b.output("firing_rate", b.div_const(b.popcount(b.bitwise_and(sx, sw)), 1024))
    return b.build()


def test_ir_seed_example_builds_verifies_and_matches_the_seed_text():
    g = _seed_example()
    assert g.verify() == []
    assert parse(SEED_SYNAPSE) == g
    assert parse(g.to_text()) == g
    assert (len(g), len(g.inputs), len(g.outputs)) == (8, 2, 1)


def test_ir_seed_dense_text_parses_with_defaults():
    g = parse(SEED_DENSE)
    assert g.verify() == []
    op = g.ops[4]
    assert op.attr("n_neurons") == 7 and op.attr("y_max") == 256
    assert op.attr("weight_seed_base") == 0xBEEF
    assert parse(g.to_text()) == g


def test_ir_text_keeps_every_parameter():
    b = ScGraphBuilder("d")
    ids = [
        b.input(n, t)
        for n, t in (
            ("x", "vec<rate,3>"),
            ("w", "vec<rate,3>"),
            ("l", "fixed<16,8>"),
            ("g", "fixed<16,8>"),
        )
    ]
    b.output("s", b.dense_forward(*ids, seed_base=0x1234, y_max=65535, y_min=3))
    c = b.input("c", "i16")
    b.output("v", b.lif_step(c, c, c, c, v_rest=-5, v_reset=7, refractory_period=0))
    g = b.build()
    text = g.to_text()
    assert "y_max=65535" in text and "input_seed_base=0x1234" in text
    assert "weight_seed_base=0x1235" in text and "v_rest=-5" in text and "v_reset=7" in text
    assert parse(text) == g


# --- types --------------------------------------------------------------------------------------

types = st.deferred(
    lambda: st.one_of(
        st.builds(
            Bitstream,
            st.integers(0, 5000),
            st.sampled_from(["unipolar", "bipolar"]),
            st.sampled_from(["", "lfsr16:ace1", "sobol:1"]),
        ),
        st.builds(lambda w, f: Fixed(w, min(f, w)), st.integers(1, 64), st.integers(0, 64)),
        st.builds(UInt, st.integers(1, 64)),
        st.builds(SInt, st.integers(1, 64)),
        st.builds(Words, st.integers(1, 64), st.integers(0, 5000), st.sampled_from(["", "s:1"])),
        st.just(Bool()),
        st.just(Rate()),
        st.builds(Vec, types, st.integers(1, 300)),
        st.builds(lambda a, b: Tuple((a, b)), types, types),
    )
)


@settings(max_examples=300)
@given(t=types)
def test_ir_types_round_trip(t):
    assert parse_type(str(t)) == t
    assert parse_type(f"  {str(t).upper()} ") == t if '"' not in str(t) else True


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("float", "Unknown IR type: 'float'"),
        ("vec<bool>", "Unknown IR type: 'vec<bool>'"),
        ("u0", "Invalid IR type 'u0': UInt width must be between 1 and 64, not 0"),
        (
            "fixed<8,9>",
            "Invalid IR type 'fixed<8,9>': Fixed fraction must be between 0 and 8, not 9",
        ),
        (
            "bitstream<8, ternary>",
            "Invalid IR type 'bitstream<8, ternary>': Bitstream encoding "
            "must be 'unipolar' or 'bipolar', not 'ternary'",
        ),
    ],
)
def test_ir_types_wrong(text, message):
    with pytest.raises(TypeParseError, match=f"^{re.escape(message)}$"):
        parse_type(text)


# --- random graphs: round trip --------------------------------------------------------------------


@st.composite
def graphs(draw):
    """Random graphs from the seed's builder: ids may be wrong, types may not fit: the text
    format must round-trip every graph it can print."""
    b = ScGraphBuilder(draw(st.sampled_from(["g", "net", "sc_x"])))
    ids = [
        b.input(
            f"in{k}",
            draw(
                st.sampled_from(
                    ["rate", "u8", "i16", "fixed<16,8>", "vec<rate,3>", "bitstream<64>"]
                )
            ),
        )
        for k in range(draw(st.integers(1, 3)))
    ]
    some = st.sampled_from(ids) if ids else st.just(0)
    for _ in range(draw(st.integers(0, 10))):
        kind = draw(
            st.sampled_from(
                [
                    "encode",
                    "and",
                    "popcount",
                    "lif",
                    "dense",
                    "scale",
                    "offset",
                    "div",
                    "constf",
                    "consti",
                    "ref",
                ]
            )
        )
        some = st.one_of(st.sampled_from(ids), st.integers(0, 30))
        if kind == "encode":
            r = b.encode(
                draw(some), length=draw(st.integers(1, 4096)), seed=draw(st.integers(1, 0xFFFF))
            )
        elif kind == "and":
            r = b.bitwise_and(draw(some), draw(some))
        elif kind == "popcount":
            r = b.popcount(draw(some))
        elif kind == "lif":
            r = b.lif_step(
                draw(some),
                draw(some),
                draw(some),
                draw(some),
                data_width=draw(st.integers(2, 32)),
                fraction=draw(st.integers(0, 8)),
                v_threshold=draw(st.integers(-300, 300)),
                refractory_period=draw(st.integers(0, 9)),
                v_rest=draw(st.integers(-9, 9)),
                v_reset=draw(st.integers(-9, 9)),
            )
        elif kind == "dense":
            r = b.dense_forward(
                draw(some),
                draw(some),
                draw(some),
                draw(some),
                n_inputs=draw(st.integers(1, 9)),
                n_neurons=draw(st.integers(1, 9)),
                seed_base=draw(st.integers(0, 0xFFFF)),
                y_max=draw(st.integers(0, 70000)),
            )
        elif kind == "scale":
            r = b.scale(draw(some), draw(st.floats(-1e6, 1e6)))
        elif kind == "offset":
            r = b.offset(draw(some), draw(st.floats(-1e6, 1e6)))
        elif kind == "div":
            r = b.div_const(draw(some), draw(st.integers(1, 2**40)))
        elif kind == "constf":
            r = b.constant_f64(draw(st.floats(-1e9, 1e9)))
        elif kind == "consti":
            r = b.constant_i64(draw(st.integers(-(2**40), 2**40)))
        else:
            b.output(f"out{len(ids)}", draw(some))
            continue
        ids.append(r)
    return b.build()


@settings(max_examples=300)
@given(g=graphs())
def test_ir_text_round_trips(g):
    assert parse(g.to_text()) == g


# --- verification -------------------------------------------------------------------------------


def test_ir_verify_reports_every_problem():
    g = Graph(
        "bad",
        (
            Op("input", 0, (), (("name", "x"), ("type", Rate()))),
            Op("popcount", 1, (0,), (("width", 64),)),
            Op("and", 2, (0, 7), ()),
            Op("input", 2, (), (("name", "x"), ("type", Rate()))),
            Op("encode", 4, (5,), (("length", 8), ("seed", 1))),
            Op("encode", 5, (0,), (("length", 16), ("seed", 1))),
        ),
    )
    got = [str(p) for p in g.verify()]
    assert got == [
        "op[1] (popcount): operand 'input' must be a bitstream, not rate",
        "op[2] (and): operand 'rhs' %7 is not defined before use (defined nowhere)",
        "op[3] (input): %2 is already defined by op[2]",
        "op[3] (input): input name 'x' is already used by op[0]",
        "op[4] (encode): operand 'prob' %5 is not defined before use (defined later)",
    ]


def test_ir_verify_types_and_lengths():
    g = Graph(
        "t",
        (
            Op("input", 0, (), (("name", "p"), ("type", Rate()))),
            Op("encode", 1, (0,), (("length", 64), ("seed", 1))),
            Op("encode", 2, (0,), (("length", 128), ("seed", 2))),
            Op("and", 3, (1, 2), ()),
            Op("popcount", 4, (1,), (("width", 6),)),
            Op("input", 5, (), (("name", "c"), ("type", SInt(32)))),
            Op(
                "lif_step",
                6,
                (5, 5, 5, 5),
                tuple((a.name, a.default) for a in OPS["lif_step"].attrs),
            ),
        ),
    )
    got = [str(p) for p in g.verify()]
    assert got == [
        "op[3] (and): operands must have the same stream length, not 64 and 128",
        "op[4] (popcount): result width 6 cannot hold a count of up to 64; needs 7 bits",
        "op[6] (lif_step): operand 'current' is 32 bits wide, wider than the neuron's "
        "data_width 16",
        "op[6] (lif_step): operand 'leak' is 32 bits wide, wider than the neuron's data_width 16",
        "op[6] (lif_step): operand 'gain' is 32 bits wide, wider than the neuron's data_width 16",
        "op[6] (lif_step): operand 'noise' is 32 bits wide, wider than the neuron's data_width 16",
    ]


def test_ir_verify_warns_about_correlated_products():
    b = GraphBuilder("c")
    x = b.input("x")
    s = b.encode(x) & b.encode(x)
    b.output("o", b.popcount(s))
    problems = b.build().verify()
    assert [(p.severity, str(p)) for p in problems] == [
        (
            "warning",
            "op[3] (and): operands 'lhs' and 'rhs' come from the same source "
            "'lfsr16:fibonacci:b400:ace1': their product is correlated",
        )
    ]


def test_ir_graph_builder_checks_at_the_call_site():
    b = GraphBuilder("g")
    x = b.input("x")
    with pytest.raises(
        TypeError,
        match=r"^sc\.popcount: operand 'input' must be a bitstream, "
        r"not rate$",
    ):
        b.popcount(x)
    with pytest.raises(
        ValueError,
        match=r"^sc\.encode seed must be between 1 and 65535, "
        r"not 0$",
    ):
        b.encode(x, seed=0)
    with pytest.raises(ValueError, match=r"^Input name 'x' is already used$"):
        b.input("x")
    s = b.encode(x, length=64)
    assert b.popcount(s).type == UInt(7)


def test_ir_seed_builder_errors():
    b = ScGraphBuilder("g")
    with pytest.raises(ValueError, match=r"^Seed out of range for u16: 65536$"):
        b.encode(0, seed=65536)
    b.build()
    with pytest.raises(ValueError, match=r"^Builder already consumed by build\(\).$"):
        b.input("x")


# --- parser errors and fuzzing ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "line 1, column 1: empty input"),
        ("graph @x {\n}", "line 1, column 1: expected 'sc.graph @name {', found 'graph'"),
        (
            'sc.graph @x {\n  %0 = sc.input "a" : rate\n',
            "line 2, column 27: missing the closing '}'",
        ),
        ("sc.graph @x {\n  %0 = sc.foo %1\n}", "line 2, column 8: unknown op 'sc.foo'"),
        (
            "sc.graph @x {\n  %0 = sc.encode %1, length=x\n}",
            "line 2, column 29: expected a number, found 'x'",
        ),
        (
            "sc.graph @x {\n  %0 = sc.encode %1, colour=3\n}",
            "line 2, column 22: sc.encode has no argument 'colour'",
        ),
        (
            'sc.graph @x {\n  %0 = sc.input "a" : float\n}',
            "line 2, column 23: Unknown IR type: 'float'",
        ),
        (
            "sc.graph @x {\n  %0 = sc.and %1\n}",
            "line 2, column 17: sc.and is missing operand(s) rhs",
        ),
        (
            "sc.graph @x {\n  %0 = sc.encode %1, seed=0x10000\n}",
            "line 2, column 27: seed must be between 1 and 65535, not 65536",
        ),
        (
            'sc.graph @x {\n}\n%0 = sc.input "a" : rate',
            "line 3, column 1: text after the closing '}'",
        ),
    ],
)
def test_ir_parse_errors(text, message):
    with pytest.raises(ParseError, match=f"^{re.escape(message)}$"):
        parse(text)


def _fuzz(n: int, seed: int) -> int:
    rng = np.random.default_rng(seed)
    corpus = [SEED_SYNAPSE, SEED_DENSE, _seed_example().to_text()]
    alphabet = [*list('%=,:<>[]{}@"()-+.0123456789abcdefxsc_ \n'), "sc.", "%1", "0x", "bitstream"]
    parsed = 0
    for _ in range(n):
        text = list(corpus[rng.integers(len(corpus))])
        for _ in range(int(rng.integers(1, 6))):
            pos = int(rng.integers(0, len(text) + 1))
            op = rng.integers(3)
            if op == 0 and text:
                del text[min(pos, len(text) - 1)]
            elif op == 1:
                text.insert(pos, alphabet[rng.integers(len(alphabet))])
            elif text:
                text[min(pos, len(text) - 1)] = alphabet[rng.integers(len(alphabet))]
        if rng.random() < 0.1:  # pure noise lines too
            text = list("".join(alphabet[rng.integers(len(alphabet))] for _ in range(60)))
        try:
            g = parse("".join(text))
        except ParseError:
            continue
        parsed += 1
        g.verify()  # never raises
        assert parse(g.to_text()) == g
    return parsed


def test_ir_parser_fuzz():
    # 10**4 mutated and random inputs: nothing but ParseError may escape, and whatever parses
    # verifies without raising and round-trips
    assert _fuzz(10_000, 2026) > 100


@pytest.mark.slow
def test_ir_parser_fuzz_long():
    _fuzz(200_000, 7)


def test_ir_seed_example_runs_unchanged_through_emit():
    # the seed's README example: build, verify, emit
    g = _seed_example()
    assert g.verify() == []
    text = verilog(g, sv=False)
    assert "module sc_synapse(" in text
    for port in ("x_prob", "w_prob", "firing_rate", "start", "done", "clk"):
        assert re.search(rf"\b{port}\b", text)


def test_ir_verify_cycles_and_fixed_point():
    lif_attrs = tuple((a.name, a.default) for a in OPS["lif_step"].attrs)
    g = Graph(
        "c",
        (
            Op("input", 0, (), (("name", "k"), ("type", Fixed(16, 4)))),
            Op("and", 1, (2, 2), ()),
            Op("and", 2, (1, 1), ()),
            Op("lif_step", 3, (0, 0, 0, 0), lif_attrs),
        ),
    )
    got = [str(p) for p in g.verify()]
    assert got[:2] == [
        "op[1] (and): operand 'lhs' %2 forms a cycle: op[2] depends on this op",
        "op[1] (and): operand 'rhs' %2 forms a cycle: op[2] depends on this op",
    ]
    assert (
        "op[3] (lif_step): operand 'current' is fixed<16,4> but the neuron computes with 8 "
        "fraction bits" in got
    )
