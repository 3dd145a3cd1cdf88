"""scgen.compat.ir against the engine's own ``sc_neurocore_engine.ir`` (differential)."""

import re

import pytest

from scgen.compat import ir as ours

engine = pytest.importorskip("sc_neurocore_engine.ir")

H = "sc.graph @g {\n"


def _outcome(fn):
    try:
        r = fn()
    except Exception as exc:
        return type(exc).__name__, str(exc)
    if isinstance(r, engine.ScGraph | ours.ScGraph):
        return "graph", r.to_text(), repr(r), len(r), r.name, r.num_inputs, r.num_outputs
    return "ok", r


def _build(mod):
    b = mod.ScGraphBuilder("g")
    ids = [
        b.input(f"x{i}", t)
        for i, t in enumerate(
            [
                "bool",
                "rate",
                "u32",
                "i16",
                "bitstream",
                "u7",
                "bitstream<8>",
                "fixed<16,8>",
                "vec<fixed<16,8>,3>",
                " RATE ",
                "Fixed<16, 8>",
                "vec<vec<u8,2>,3>",
            ]
        )
    ]
    c = b.constant_f64(1.0)
    b.constant_f64(1e-7, "fixed<16,8>")
    b.constant_i64(-3)
    b.constant_i64(5, "u32")
    b.constant_f64(2.5e20)
    b.constant_f64(float("nan"))
    b.constant_f64(-0.0)
    e = b.encode(ids[1], 256, 0xBEEF)
    p = b.popcount(b.bitwise_and(e, e))
    b.lif_step(c, c, c, c, v_rest=3, v_threshold=-5)
    b.dense_forward(c, c, c, c, seed_base=0xFFFF, n_neurons=4)
    d = b.div_const(b.offset(b.scale(p, 0.1), -0.25), 1024)
    b.output("out", d)
    b.output("out2", 99)
    return b.build()


def test_builder_graph_prints_and_reparses_as_the_engine():
    g, e = _build(ours), _build(engine)
    assert _outcome(lambda: g) == _outcome(lambda: e)
    assert ours.parse_ir(g.to_text()).to_text() == g.to_text()
    assert g.verify() == e.verify() == ["op[28]: operand %99 not defined before use in sc.output"]


SYNAPSE = """
b = mod.ScGraphBuilder("my_synapse")
x = b.input("x_prob", "rate")
w = b.input("w_prob", "rate")
x_enc = b.encode(x, length=1024, seed=0xACE1)
w_enc = b.encode(w, length=1024, seed=0xBEEF)
count = b.popcount(b.bitwise_and(x_enc, w_enc))
b.output("firing_rate", b.div_const(count, 1024))
g = b.build()
"""


def _synapse(mod):
    env = {"mod": mod}
    exec(SYNAPSE, env)
    return env["g"]


def test_synapse_example_verifies_and_emits_seed_module_names():
    g = _synapse(ours)
    assert g.verify() is None and _synapse(engine).verify() is None
    assert g.to_text() == _synapse(engine).to_text()
    sv = g.emit_sv()
    for name in ("sc_bitstream_encoder", "sc_bitstream_encoder_1", "sc_bitstream_synapse"):
        assert re.search(rf"^module {name} \(", sv, re.M), name
    assert "module my_synapse(" in sv and "\\my_synapse." not in sv


BUILDER_CALLS = [
    lambda b: b.input("a", "foo"),
    lambda b: b.input("a", "FOO"),
    lambda b: b.input("a", "vec<u8>"),
    lambda b: b.input("a", "fixed<16>"),
    lambda b: b.input("a", "bitstream<x>"),
    lambda b: b.input("a", "u"),
    lambda b: b.input("a", " vec<u8 ,x> "),
    lambda b: b.input(5),
    lambda b: b.encode(0, 10, 0x10000),
    lambda b: b.encode(0, 10, -1),
    lambda b: b.encode(0, -1, 1),
    lambda b: b.constant_i64(2**63),
    lambda b: b.constant_i64(1.5),
    lambda b: b.div_const(0, -1),
    lambda b: b.scale(0, "x"),
    lambda b: b.output("o", 3),
]


@pytest.mark.parametrize("call", BUILDER_CALLS)
def test_builder_errors_match_the_engine(call):
    assert _outcome(lambda: call(ours.ScGraphBuilder("g"))) == _outcome(
        lambda: call(engine.ScGraphBuilder("g"))
    )


def test_builder_used_after_build_raises_as_the_engine():
    for mod in (ours, engine):
        b = mod.ScGraphBuilder("g")
        b.build()
        with pytest.raises(ValueError, match=r"^Builder already consumed by build\(\)\.$"):
            b.input("x")
        with pytest.raises(ValueError, match=r"^Builder already consumed by build\(\)\.$"):
            b.build()


TEXTS = [
    "",
    "junk",
    "sc.graph @ {}",
    "sc.graph   @g{",
    "sc.graph @g x {",
    "sc.graph @ {",
    "  sc.graph @g {  \n\n}",
    H + '}\n}\n%0 = sc.input "a" : rate',
    H + "  foo\n}",
    H + '  %0 = sc.input "a" : blah\n}',
    H + "  %0 = sc.constant [1, 2.5] : vec<rate,2>\n  %1 = sc.constant [] : vec<rate,0>\n"
    " %2 = sc.constant 5 : u8\n %3 = sc.constant 5 : fixed<16,8>\n}",
    H + '  sc.output "o" %5\n  %0 = sc.input "a" : rate\n}',
    H + " %0 = sc.popcount %0 : u64\n %0 = sc.and %1, %2 : bitstream\n}",
    H + '  %0 = sc.input "a" : rate\n  sc.output "o" %0\n  %1 = sc.scale %0, factor=2 : rate\n}',
    H + '  %0 = sc.input "a" : rate\n  sc.output "o" %0\n  %0 = sc.scale %0, factor=2 : rate\n'
    "  %2 = sc.scale %5, factor=2 : rate\n  %5 = sc.scale %2, factor=2 : rate\n}",
    H + "%1 = sc.scale %2, factor=1 : rate\n%2 = sc.scale %3, factor=1 : rate\n"
    "%3 = sc.scale %2, factor=1 : rate\n}",
    H
    + '%0 = sc.input "a" : rate\n%1 = sc.scale %0, factor=1 : rate\n%1 = sc.scale %1, factor=1 : rate\n}',
    H + 'sc.output "o" %1\n sc.output "p" %1\n}',
    H + '%2 = sc.input "a" : rate\nsc.output "o" %2\nsc.output "p" %2\n}',
]
LINES = [
    "%0 = sc.encode %1, length=8 : bitstream",
    "%0 = sc.encode %1, seed=0X10, length=8 : bitstream",
    "%0 = sc.encode %1, length=8, seed=99999 : bitstream",
    "%0 = sc.encode %1, length=8, seed=12 : bitstream<3>",
    "%0 = sc.scale %1 : rate",
    "%0 = sc.scale %1, factor=abc : rate",
    "%0 = sc.offset %1, offset=1e3 : rate",
    "%0 = sc.div_const %1, divisor=-2 : u64",
    "%0 = sc.div_const %1 : u64",
    "%0 = sc.lif_step %1, leak=%2, gain=%3 : x",
    "%0 = sc.lif_step %1, leak=%2, gain=%3, noise=%4, vt=-5 : x",
    "%0 = sc.dense_forward %1, weights=%2, leak=%3 : x",
    "%0 = sc.dense_forward %1, weights=%2, leak=%3, gain=%4, nn=2 : x",
    "%0 = sc.and %1 : bitstream",
    "%0 = sc.and %1, 2 : bitstream",
    "%0 = sc.popcount : u64",
    "%0 = sc.popcount %x : u64",
    "%x = sc.popcount %1 : u64",
    "0 = sc.popcount %1 : u64",
    "%0 = sc.input a : rate",
    '%0 = sc.input "a"',
    '%0 = sc.input "a" rate',
    "sc.output o %1",
    'sc.output "o"',
    'sc.output "o" %1 extra',
    "%0 = sc.constant : rate",
    "%0 = sc.constant 1",
    "%0 = sc.constant x : rate",
    "%0 = sc.constant [1, x] : rate",
    "%0 = sc.constant 1.5 : u8",
    "%0 = sc.constant -1 : u8",
    "%0 = sc.constant 1e5 : rate",
    "%0 = sc.constant 7 : bool",
    "%0 = sc.constant [1.0, 2] : rate",
    '%0 = sc.input "a b" : vec<u8,2>',
    '  %0   =   sc.input   "a"   :   rate  ',
    '%0 = sc.input "a" : rate // c',
    "%-1 = sc.popcount %1 : u64",
    "%99999999999 = sc.popcount %1 : u64",
]


@pytest.mark.parametrize("text", TEXTS + [H + "  " + line + "\n}" for line in LINES])
def test_parse_print_verify_match_the_engine(text):
    assert _outcome(lambda: ours.parse_ir(text)) == _outcome(lambda: engine.parse_ir(text))
    try:
        e = engine.parse_ir(text).verify()
    except ValueError:
        return
    if e is not None:  # the engine's own problems: the same list
        assert ours.parse_ir(text).verify() == e


def test_ill_typed_graph_raises_with_scgen_problems():
    for mod in (ours, engine):
        b = mod.ScGraphBuilder("g")
        b.output("n", b.popcount(b.input("x", "rate")))
        g = b.build()
        if mod is engine:
            assert g.verify() is None  # the engine does not check types
        else:
            with pytest.raises(ValueError, match=r"^op\[1\]: operand .* rate"):
                g.verify()


def test_version_is_the_engines():
    import sc_neurocore_engine

    import scgen.compat

    assert scgen.compat.__version__ == sc_neurocore_engine.__version__ == "3.15.7"
    assert scgen.compat.ir is ours
