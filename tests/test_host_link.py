"""The host link end to end without a board: the host-side encoder drives a simulated
HostLinkTop through the bit-level line model, and the values read back over the simulated UART
equal the twin (run_windows) exactly."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scgen.host import (
    BadReply,
    DeviceError,
    FramingError,
    HostLink,
    LinkTimeout,
    WrongDesign,
    decode_line,
    decode_reply,
    encode_clear,
    encode_identify,
    encode_load,
    encode_read,
    encode_start,
    frame_levels,
    line_levels,
    port_values,
)
from scgen.host.sim import ScriptedTransport, simulate, simulate_many
from scgen.ir import GraphBuilder
from scgen.link import HostLinkTop, ir_hash, layout
from scgen.link.protocol import CMD_LOAD, IDENTITY_BYTES, MAGIC
from scgen.sim import run_windows

from .test_ir_lower import graphs as ir_graphs

CPB = 4  # clocks per bit: short frames keep the simulations quick


def demo_graph(length=64):
    """The demo's datapath: encode x, encode w, AND, popcount; the product stream too."""
    b = GraphBuilder("demo")
    x, w = b.input("x"), b.input("w")
    product = b.encode(x, length=length, seed=0xACE1) & b.encode(w, length=length, seed=0xBEEF)
    b.output("hits", b.popcount(product))
    b.output("product", product)
    return b.build()


def neuron_graph(length=40):
    """A dense layer (3 inputs, 4 neurons, a weight each) and a LIF step with signed ports."""
    b = GraphBuilder("neurons")
    xs, ws = b.input("xs", "vec<rate,3>"), b.input("ws", "vec<rate,12>")
    b.output(
        "spikes",
        b.dense_forward(
            xs,
            ws,
            leak=b.constant(12, "i16"),
            gain=b.constant(300, "i16"),
            n_inputs=3,
            n_neurons=4,
            stream_length=length,
            input_seed_base=0x1234,
            weight_seed_base=0x4321,
            y_max=500,
        ),
    )
    count = b.popcount(b.encode(b.input("r"), length=length, seed=0x2D2D))
    b.output(
        "n",
        b.lif_step(
            count,
            leak=b.input("leak", "i16"),
            gain=b.constant(256, "i16"),
            noise=b.input("noise", "i8"),
            refractory_period=1,
            v_threshold=60,
        ),
    )
    return b.build()


DEMO_INPUTS = {"x": 0.6, "w": 0.7}
NEURON_INPUTS = {
    "xs": [0.9, 0.5, 0.7],
    "ws": [0.8, 0.95, 0.6, 0.2, 0.5, 0.9, 1.0, 0.3, 0.7, 0.1, 0.6, 0.4],
    "r": 0.3,
    "leak": 20,
    "noise": -60,
}


def _session(graph, inputs):
    """The host's commands: identify, load, clear, run 3, read, run 2, read, clear, run 1,
    read, and what the driver calls for each."""
    lay = layout(graph)
    commands = [
        encode_identify(),
        encode_load(lay, port_values(graph, inputs)),
        encode_clear(),
        encode_start(3),
        encode_read(),
        encode_start(2),
        encode_read(),
        encode_clear(),
        encode_start(1),
        encode_read(),
    ]
    return commands


def _drive(link, inputs):
    link.identify()
    link.write_inputs(inputs)
    link.clear()
    link.run(3)
    first = link.read()
    link.run(2)
    second = link.read()
    link.clear()
    link.run(1)
    return first, second, link.read()


def _expected(graph, inputs, count_width=16):
    """Twin values after windows 3, 5 and 6, with counts since the clears (saturating)."""
    per_window = {
        k: np.array([v] * 6, dtype=float if not isinstance(v, int) else np.int64)
        for k, v in inputs.items()
    }
    twin = run_windows(graph, per_window).outputs
    lay = layout(graph)
    reads = []
    for first, last in ((0, 3), (0, 5), (5, 6)):
        outputs = {f.name: int(twin[f.name][last - 1]) for f in lay.outputs}
        top = (1 << count_width) - 1
        counts = {
            f.name: np.array(
                [
                    min(top, int(((twin[f.name][first:last].astype(object) >> b) & 1).sum()))
                    for b in range(f.width)
                ]
            )
            for f in lay.counted
        }
        reads.append((outputs, counts))
    return reads


def _check_session(graph, inputs, result, count_width=16):
    commands = _session(graph, inputs)
    transport = ScriptedTransport(commands, result.replies)
    reads = _drive(HostLink(transport, graph, count_width=count_width), inputs)
    assert transport.done
    expected = _expected(graph, inputs, count_width)
    for got, (outputs, counts) in zip(reads, expected, strict=True):
        assert got.outputs == outputs
        assert sorted(got.counts) == sorted(counts)
        for name, want in counts.items():
            assert got.counts[name].tolist() == want.tolist(), name
    return expected


def test_host_link_demo_graph_pysim():
    g = demo_graph()
    top = HostLinkTop(g, clocks_per_bit=CPB)
    expected = _check_session(g, DEMO_INPUTS, simulate(top, _session(g, DEMO_INPUTS)))
    assert expected[1][0]["hits"] > 0 and expected[2][1]["product"][0] > 0  # not all zero


def test_host_link_counts_saturate_pysim():
    g = demo_graph()
    top = HostLinkTop(g, clocks_per_bit=CPB, count_width=5)
    expected = _check_session(g, DEMO_INPUTS, simulate(top, _session(g, DEMO_INPUTS)), 5)
    assert [e[1]["product"][0] for e in expected] == [31, 31, 19]  # 57 and 95 ones saturate


def test_host_link_neuron_graph_pysim():
    g = neuron_graph()
    top = HostLinkTop(g, clocks_per_bit=CPB, leds=6)
    result = simulate(top, _session(g, NEURON_INPUTS))
    expected = _check_session(g, NEURON_INPUTS, result)
    # LEDs: one per counter (lit when non-zero), then the window-level output bits
    outputs, counts = expected[2]
    sources = [int(c > 0) for c in counts["spikes"]] + [outputs["n__spike"], outputs["n__v"] & 1]
    assert int(result.leds[-1]) == sum(bit << k for k, bit in enumerate(sources))
    assert expected[1][1]["spikes"].tolist() == [150, 120, 160, 65]  # neurons differ
    assert [r[0]["n__v"] for r in expected] == [-134, -207, -239]  # sign-extended bytes


def _error_commands():
    """Malformed traffic, each followed by an IDENTIFY that must still succeed."""
    bad_frame = frame_levels(0x5A, CPB, stop=0)
    return [
        bytes([0x00]),
        encode_identify(),
        bytes([0x72]),
        bad_frame,
        encode_identify(),
        bytes([CMD_LOAD, 0x12]),
        encode_identify(),
        encode_start(0),
    ]


def _check_errors(graph, result):
    r = result.replies
    assert r[0] == bytes([0xEE, 1, 0x00])
    assert r[1][: 1 + len(MAGIC)] == bytes([0xC9]) + MAGIC
    assert r[2] == bytes([0xEE, 1, 0x72])
    assert r[3] == bytes([0xEE, 2, 0x5A])
    assert r[5] == bytes([0xEE, 3, CMD_LOAD])
    assert r[4] == r[6] == r[1]
    assert r[7] == bytes([0xD3])
    assert len(r[1]) == 1 + IDENTITY_BYTES
    assert r[1][1 + len(MAGIC) + 1 :][:8] == bytes.fromhex(ir_hash(graph))[:8]


def _error_waits(top):
    # the incomplete LOAD waits past the payload timeout
    return [None, None, None, None, None, top.timeout + 40 * CPB, None, None]


def test_host_link_error_replies_pysim():
    g = demo_graph(length=16)
    top = HostLinkTop(g, clocks_per_bit=CPB, timeout=300)
    _check_errors(g, simulate(top, _error_commands(), waits=_error_waits(top)))


@pytest.mark.verilator
def test_host_link_verilator(tmp_path):
    # both sessions and the error traffic share one Verilator build
    demo, neurons, small = demo_graph(), neuron_graph(), demo_graph(length=16)
    tops = [
        HostLinkTop(demo, clocks_per_bit=CPB),
        HostLinkTop(neurons, clocks_per_bit=CPB, leds=6),
        HostLinkTop(small, clocks_per_bit=CPB, timeout=300),
    ]
    results = simulate_many(
        tops,
        [_session(demo, DEMO_INPUTS), _session(neurons, NEURON_INPUTS), _error_commands()],
        waits=[None, None, _error_waits(tops[2])],
        backend="verilator",
        build_dir=tmp_path,
    )
    _check_session(demo, DEMO_INPUTS, results[0])
    _check_session(neurons, NEURON_INPUTS, results[1])
    _check_errors(small, results[2])


# ---------------------------------------------------------------------------------------------
# host-side errors, without a simulation


def _identity_reply(graph, **kw):
    return bytes([0xC9]) + layout(graph, **kw).identity()


def test_host_link_wrong_design():
    link = HostLink(
        ScriptedTransport([encode_identify()], [_identity_reply(neuron_graph())]), demo_graph()
    )
    with pytest.raises(
        WrongDesign,
        match=r"^The board runs a design with IR hash [0-9a-f]{16}"
        r"\.\.\., not graph 'demo' \(IR hash [0-9a-f]{16}"
        r"\.\.\.\); build and program this graph$",
    ):
        link.identify()


def test_host_link_wrong_layout_and_version():
    g = demo_graph()
    link = HostLink(ScriptedTransport([encode_identify()], [_identity_reply(g, count_width=8)]), g)
    with pytest.raises(
        WrongDesign,
        match=r"^The board's layout \(in, out, counters, count "
        r"width, window\) is \(4, 1, 1, 8, 64\), not "
        r"\(4, 1, 1, 16, 64\); it was built with other link "
        r"options$",
    ):
        link.identify()
    reply = bytearray(_identity_reply(g))
    reply[1 + len(MAGIC)] = 7
    link = HostLink(ScriptedTransport([encode_identify()], [bytes(reply)]), g)
    with pytest.raises(
        WrongDesign,
        match=r"^The board speaks host link protocol version 7, "
        r"not 1; rebuild it with this scgen$",
    ):
        link.identify()


def test_host_link_bad_replies():
    g = demo_graph()
    link = HostLink(ScriptedTransport([encode_identify()], [b"\xc9" + b"ABCD" + bytes(20)]), g)
    with pytest.raises(
        BadReply,
        match=r"^The board is not an scgen host link: its identity "
        r"starts with b'ABCD', not b'SCGN'$",
    ):
        link.identify()
    link = HostLink(ScriptedTransport([encode_clear()], [b"\x49"]), g)
    with pytest.raises(BadReply, match=r"^Reply to CLEAR must start with 0xC3, not 0x49$"):
        link.clear()
    with pytest.raises(BadReply, match=r"^Reply to START must be 1 byte, not 2$"):
        decode_reply(encode_start(1), layout(g), b"\xd3\x00")


def test_host_link_device_error():
    g = demo_graph()
    link = HostLink(ScriptedTransport([encode_read()], [bytes([0xEE, 2, 0x5A])]), g)
    with pytest.raises(
        DeviceError,
        match=r"^The board replied with an error: framing error; "
        r"the bits received were 0x5A$",
    ) as info:
        link.read()
    assert (info.value.code, info.value.arg) == (2, 0x5A)


class _Silent:
    def __init__(self, reply=b""):
        self.reply = bytearray(reply)

    def write(self, data):
        return len(data)

    def read(self, n):
        out = bytes(self.reply[:n])
        del self.reply[:n]
        return out


def test_host_link_timeout():
    g = demo_graph()
    with pytest.raises(
        LinkTimeout,
        match=r"^No complete reply to IDENTIFY within 0.01 s \(0 of "
        r"1 bytes\); is the board connected, programmed and "
        r"at the right baud rate\?$",
    ):
        HostLink(_Silent(), g, timeout=0.01).identify()
    with pytest.raises(
        LinkTimeout,
        match=r"^No complete reply to READ within 0.01 s \(2 of 4 "
        r"bytes; got d2 13\)",
    ):
        HostLink(_Silent(b"\xd2\x13"), g, timeout=0.01).read()


def test_host_link_input_errors():
    g, n = demo_graph(), neuron_graph()
    link = HostLink(_Silent(), g)
    with pytest.raises(ValueError, match=r"^Input 'w' of graph 'demo' needs a value$"):
        link.write_inputs({"x": 0.5})
    with pytest.raises(ValueError, match=r"^Graph 'demo' has no input 'y'; its inputs are x, w$"):
        port_values(g, {"x": 0.5, "w": 0.5, "y": 1})
    with pytest.raises(
        ValueError,
        match=r"^Input 'xs' of type vec<rate,3> needs 3 values, "
        r"not 2$",
    ):
        port_values(n, {"xs": [0.1, 0.2]})
    with pytest.raises(
        ValueError,
        match=r"^Input 'leak' of type i16 takes a raw integer, not "
        r"2.5$",
    ):
        port_values(n, {"leak": 2.5})
    with pytest.raises(
        ValueError,
        match=r"^Input 'leak' must be between -32768 and 32767 for "
        r"its 16-bit signed port, not 40000$",
    ):
        encode_load(layout(n), {"xs": 0, "ws": 0, "r": 0, "leak": 40000, "noise": 0})
    with pytest.raises(
        ValueError,
        match=r"^Window count must be between 0 and 65535 per "
        r"START, not 65536$",
    ):
        encode_start(65536)
    with pytest.raises(
        ValueError,
        match=r"^Window count must be a non-negative integer, "
        r"not -1$",
    ):
        link.run(-1)
    with pytest.raises(
        TypeError,
        match=r"^Host link transport must have read and write "
        r"methods, not 3$",
    ):
        HostLink(3, g)


def test_host_link_runs_past_one_start():
    g = demo_graph()
    commands = [encode_start(65535), encode_start(5)]
    transport = ScriptedTransport(commands, [b"\xd3", b"\xd3"])
    HostLink(transport, g).run(65540)
    assert transport.done  # both STARTs were sent and both replies read


def test_host_link_top_arguments_wrong():
    g = demo_graph()
    with pytest.raises(
        ValueError,
        match=r"^UART receiver clocks_per_bit must be between 2 and "
        r"16777216, not 1$",
    ):
        HostLinkTop(g, clocks_per_bit=1)
    with pytest.raises(ValueError, match=r"^Host link leds must be between 0 and 64, not 65$"):
        HostLinkTop(g, clocks_per_bit=4, leds=65)
    with pytest.raises(
        ValueError,
        match=r"^Host link count_width must be between 1 and 32, "
        r"not 0$",
    ):
        HostLinkTop(g, clocks_per_bit=4, count_width=0)
    with pytest.raises(TypeError, match=r"^Host link needs a Graph, not 'g'$"):
        HostLinkTop("g", clocks_per_bit=4)
    top = HostLinkTop(g, clocks_per_bit=4)
    top._MustUse__silence = True  # inspected, not built
    assert "leds" not in top.signature.members


def test_host_link_ir_hash_is_sha256_of_the_text():
    import hashlib

    g = demo_graph()
    assert ir_hash(g) == hashlib.sha256(g.to_text().encode()).hexdigest()
    assert ir_hash(g) != ir_hash(demo_graph(length=32))


def test_host_link_line_model_round_trip():
    data = bytes(range(0, 256, 7))
    for cpb in (2, 5, 104):
        levels = line_levels(data, cpb)
        assert len(levels) == 10 * cpb * len(data)
        frames = decode_line(np.concatenate([levels, np.ones(cpb, np.uint8)]), cpb)
        assert bytes(b for _, b, _ in frames) == data
        assert [t for t, _, _ in frames] == [10 * cpb * k for k in range(len(data))]
    bad = np.concatenate([frame_levels(0x41, 4, stop=0), np.ones(8, np.uint8)])
    with pytest.raises(FramingError, match=r"^The frame at cycle 0 has a stop bit of 0$"):
        decode_line(bad, 4)
    assert decode_line(bad, 4, strict=False) == [(0, 0x41, False)]


# ---------------------------------------------------------------------------------------------
# scgen run


def _run_args(*argv):
    import argparse

    from scgen.host import cli

    parser = argparse.ArgumentParser(prog="scgen")
    cli.add_parser(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(["run", *argv])


def test_host_link_cli_run_on_a_simulated_board(tmp_path, capsys):
    from scgen.host import cli

    g = demo_graph()
    path = tmp_path / "demo.scir"
    path.write_text(g.to_text())
    lay = layout(g)
    commands = [
        encode_identify(),
        encode_load(lay, port_values(g, DEMO_INPUTS)),
        encode_clear(),
        encode_start(4),
        encode_read(),
    ]
    replies = simulate(HostLinkTop(g, clocks_per_bit=CPB), commands).replies
    args = _run_args(
        str(path),
        "--board",
        "icebreaker",
        "--port",
        "sim",
        "--input",
        "x=0.6",
        "--input",
        "w=0.7",
        "--windows",
        "4",
    )
    transport = ScriptedTransport(commands, replies)
    assert cli.main(args, transport=transport) == 0
    assert transport.done
    twin = run_windows(g, {"x": np.full(4, 0.6), "w": np.full(4, 0.7)}).outputs
    out = capsys.readouterr().out
    assert f"  hits             {int(twin['hits'][-1])}\n" in out
    assert f"  product          ones per bit over 256 cycles: {int(twin['product'].sum())}\n" in out


def test_host_link_cli_errors(tmp_path, capsys):
    from scgen.host import cli

    path = tmp_path / "demo.scir"
    path.write_text(demo_graph().to_text())
    # a loopback port echoes the command: not a reply
    args = _run_args(
        str(path),
        "--board",
        "icebreaker",
        "--port",
        "loop://",
        "--timeout",
        "0.05",
        "--input",
        "x=0.5",
        "--input",
        "w=0.5",
    )
    assert cli.main(args) == 1
    assert capsys.readouterr().err == (
        "scgen: No complete reply to IDENTIFY within 0.05 s (1 of 25 bytes; got 49); is the "
        "board connected, programmed and at the right baud rate?\n"
    )
    with pytest.raises(
        SystemExit,
        match=r"^scgen: --input x values must be numbers, not "
        r"'half'$",
    ):
        cli.main(_run_args(str(path), "--board", "b", "--port", "loop://", "--input", "x=half"))
    assert cli.parse_inputs(["xs=0.5,0.25", "n=-3", "m=0x10"]) == {
        "xs": [0.5, 0.25],
        "n": -3,
        "m": 16,
    }


@settings(max_examples=4, suppress_health_check=[HealthCheck.too_slow])
@given(g=ir_graphs(), seed=st.integers(0, 2**32 - 1))
def test_host_link_random_graphs_pysim(g, seed):
    # random lowerable graphs (rate arithmetic, products, counts, dense layers, LIF steps)
    rng = np.random.default_rng(seed)
    inputs = {}
    for f in layout(g).inputs:
        t = str(next(op for op in g.inputs if op.attr("name") == f.name).attr("type"))
        if t == "rate":
            inputs[f.name] = float(rng.random())
        elif t.startswith("vec<rate,"):
            inputs[f.name] = rng.random(f.width // 16).tolist()
        else:
            inputs[f.name] = int(rng.integers(-(1 << (f.width - 1)), 1 << (f.width - 1)))
    top = HostLinkTop(g, clocks_per_bit=CPB)
    _check_session(g, inputs, simulate(top, _session(g, inputs)))


def test_host_link_identify_recovers_from_an_unfinished_command():
    g = demo_graph()
    timeout_reply = bytes([0xEE, 3, CMD_LOAD])  # the IDENTIFY byte ended a stale LOAD
    link = HostLink(
        ScriptedTransport([encode_identify()] * 2, [timeout_reply, _identity_reply(g)]), g
    )
    assert link.identify().window_length == 64
    link = HostLink(ScriptedTransport([encode_identify()] * 2, [timeout_reply] * 2), g)
    with pytest.raises(
        DeviceError,
        match=r"^The board replied with an error: payload timeout; "
        r"the incomplete command was 0x4C$",
    ):
        link.identify()
