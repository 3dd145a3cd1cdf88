"""scgen.nir Conv1d/Conv2d/SumPool2d/AvgPool2d/Flatten: read with NIR's shapes, evaluated
directly by the float reference, lowered to dense projections for the fixed-point twin and the
hardware; each checked against a plain per-element loop (graphs built with ``nir``, no torch)."""

import itertools
import warnings

import numpy as np
import pytest

nir = pytest.importorskip("nir")


import scgen.nir as sn  # noqa: E402
from scgen import snn  # noqa: E402
from scgen.nir.conv import dense, evaluate  # noqa: E402


def _graph(*middle, shape):
    """``Input(shape) -> middle... -> Output`` as a NIR graph (NIR's own type inference on)."""
    nodes = {"input": nir.Input(input_type={"input": np.array(shape)})}
    edges, prev = [], "input"
    for k, node in enumerate(middle):
        nodes[f"n{k}"] = node
        edges.append((prev, f"n{k}"))
        prev = f"n{k}"
    nodes["output"] = nir.Output(output_type={"output": None})
    edges.append((prev, "output"))
    return nir.NIRGraph(nodes=nodes, edges=edges, type_check=False)


def _conv_loop(x, w, b, stride, pad, dil, groups):
    """PyTorch's convolution, one output element at a time: ``x`` (C_in, *S), ``pad`` (d, 2)."""
    d = w.ndim - 2
    c_out, c_in_g = w.shape[:2]
    size = x.shape[1:]
    out = [
        (size[i] + pad[i][0] + pad[i][1] - dil[i] * (w.shape[2 + i] - 1) - 1) // stride[i] + 1
        for i in range(d)
    ]
    y = np.zeros((c_out, *out))
    for o in range(c_out):
        g = o // (c_out // groups)
        for pos in np.ndindex(*out):
            acc = b[o]
            for c in range(c_in_g):
                for k in np.ndindex(*w.shape[2:]):
                    at = [pos[i] * stride[i] - pad[i][0] + k[i] * dil[i] for i in range(d)]
                    if all(0 <= at[i] < size[i] for i in range(d)):
                        acc += w[o, c, *k] * x[g * c_in_g + c, *at]
            y[o, *pos] = acc
    return y


def _pool_loop(x, kernel, stride, pad, average):
    c, h, w = x.shape
    out = [
        (n + 2 * p - k) // s + 1 for n, k, s, p in zip((h, w), kernel, stride, pad, strict=False)
    ]
    y = np.zeros((c, *out))
    for ch in range(c):
        for i, j in np.ndindex(*out):
            for a, bb in np.ndindex(*kernel):
                r, q = i * stride[0] - pad[0] + a, j * stride[1] - pad[1] + bb
                if 0 <= r < h and 0 <= q < w:
                    y[ch, i, j] += x[ch, r, q]
    return y / (kernel[0] * kernel[1]) if average else y


RNG = np.random.default_rng(18)
# (NIR node, input shape, explicit (before, after) padding per axis, expected output shape)
CONVS = {
    "conv1d_stride_pad": (
        nir.Conv1d(input_shape=9, weight=RNG.normal(size=(3, 2, 3)), stride=2, padding=1,
                   dilation=1, groups=1, bias=RNG.normal(size=3)),
        (2, 9), [(1, 1)], (3, 5),
    ),
    "conv1d_same_even_kernel": (
        nir.Conv1d(input_shape=7, weight=RNG.normal(size=(2, 1, 4)), stride=1, padding="same",
                   dilation=1, groups=1, bias=RNG.normal(size=2)),
        (1, 7), [(1, 2)], (2, 7),
    ),
    "conv1d_same_dilated": (
        nir.Conv1d(input_shape=7, weight=RNG.normal(size=(2, 1, 3)), stride=1, padding="same",
                   dilation=2, groups=1, bias=RNG.normal(size=2)),
        (1, 7), [(2, 2)], (2, 7),
    ),
    "conv2d_same_even_kernel": (
        nir.Conv2d(input_shape=(5, 6), weight=RNG.normal(size=(2, 2, 2, 3)), stride=1,
                   padding="same", dilation=1, groups=1, bias=RNG.normal(size=2)),
        (2, 5, 6), [(0, 1), (1, 1)], (2, 5, 6),
    ),
    "conv2d_groups_stride_dilation": (
        nir.Conv2d(input_shape=(7, 6), weight=RNG.normal(size=(4, 1, 3, 2)), stride=(2, 1),
                   padding=(1, 0), dilation=(1, 2), groups=2, bias=RNG.normal(size=4)),
        (2, 7, 6), [(1, 1), (0, 0)], (4, 4, 4),
    ),
    "conv2d_valid": (
        nir.Conv2d(input_shape=(4, 4), weight=RNG.normal(size=(1, 3, 3, 3)), stride=1,
                   padding="valid", dilation=1, groups=1, bias=np.zeros(1)),
        (3, 4, 4), [(0, 0), (0, 0)], (1, 2, 2),
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(CONVS))
def test_nir_conv_read_direct_and_dense_equal_the_loop(case):
    node, shape, pad, out_shape = CONVS[case]
    net = sn.read(_graph(node, shape=shape), dt=1e-4)
    conv = net.nodes["n0"]
    assert conv.shape == out_shape
    if len(set(node.weight.shape[2:])) == 1:  # NIR 1.0.8 takes weight.shape[2] for every axis
        assert conv.shape == tuple(node.output_type["output"])
    assert conv.params["padding"].tolist() == [list(p) for p in pad]
    x = RNG.normal(size=(3, int(np.prod(shape))))
    stride, dil = conv.params["stride"].tolist(), conv.params["dilation"].tolist()
    want = np.stack([
        _conv_loop(s.reshape(shape), node.weight, node.bias, stride, pad, dil, node.groups).ravel()
        for s in x
    ])  # fmt: skip
    np.testing.assert_allclose(evaluate(conv.kind, conv.params, x), want, rtol=0, atol=1e-12)
    w, b = dense(conv.kind, conv.params)
    assert w.shape == (int(np.prod(out_shape)), int(np.prod(shape)))
    np.testing.assert_allclose(x @ w.T + b, want, rtol=0, atol=1e-12)


POOLS = {
    "sum_2x2": (nir.SumPool2d, (2, 2), (2, 2), (0, 0), (2, 6, 4), (2, 3, 2)),
    "sum_3x2_stride1_pad": (nir.SumPool2d, (3, 2), (1, 1), (1, 1), (1, 4, 5), (1, 4, 6)),
    "avg_2x2": (nir.AvgPool2d, (2, 2), (2, 2), (0, 0), (3, 4, 4), (3, 2, 2)),
    "avg_3x3_stride2_pad": (nir.AvgPool2d, (3, 3), (2, 2), (1, 1), (2, 5, 5), (2, 3, 3)),
}


@pytest.mark.parametrize("case", sorted(POOLS))
def test_nir_pool_read_direct_and_dense_equal_the_loop(case):
    cls, kernel, stride, pad, shape, out_shape = POOLS[case]
    node = cls(kernel_size=np.array(kernel), stride=np.array(stride), padding=np.array(pad))
    net = sn.read(_graph(node, shape=shape), dt=1e-4)
    pool = net.nodes["n0"]
    assert pool.shape == out_shape
    x = RNG.integers(0, 2, size=(3, int(np.prod(shape)))).astype(np.float64)
    average = cls is nir.AvgPool2d
    want = np.stack([_pool_loop(s.reshape(shape), kernel, stride, pad, average).ravel() for s in x])
    np.testing.assert_allclose(evaluate(pool.kind, pool.params, x), want, rtol=0, atol=1e-12)
    w, b = dense(pool.kind, pool.params)
    # sum pooling: weights 1; average pooling: 1 / (kh kw), padding counted
    assert set(np.unique(w)) == {0.0, 1.0 if not average else 1.0 / (kernel[0] * kernel[1])}
    np.testing.assert_allclose(x @ w.T + b, want, rtol=0, atol=1e-12)


def _if(shape, thr=1.0):
    return nir.IF(r=np.full(shape, 1e4), v_threshold=np.full(shape, thr),
                  v_reset=np.zeros(shape))  # fmt: skip


def _lif(shape):
    # dt / tau = 0.5 and r dt / tau = 1: v <- v / 2 + I at dt = 1e-4
    return nir.LIF(tau=np.full(shape, 2e-4), r=np.full(shape, 2.0), v_leak=np.zeros(shape),
                   v_threshold=np.full(shape, 1.0), v_reset=np.zeros(shape))  # fmt: skip


def _conv_net(rng):
    """Input(1x8x8) -> Conv2d(2 ch, 3x3, padding 1) -> IF -> SumPool2d(2) -> Flatten -> Affine
    -> LIF -> Output; weights multiples of 1/16, so that 4 fraction bits hold them exactly."""
    conv = nir.Conv2d(
        input_shape=(8, 8),
        weight=rng.integers(-4, 9, (2, 1, 3, 3)) / 16,
        stride=1,
        padding=1,
        dilation=1,
        groups=1,
        bias=np.array([0.0, 0.125]),
    )
    nodes = {
        "input": nir.Input(input_type={"input": np.array([1, 8, 8])}),
        "conv": conv,
        "if1": _if((2, 8, 8)),
        "pool": nir.SumPool2d(kernel_size=np.array([2, 2]), stride=np.array([2, 2]),
                              padding=np.array([0, 0])),
        "flat": nir.Flatten(input_type={"input": np.array([2, 4, 4])}, start_dim=0, end_dim=-1),
        "fc": nir.Affine(weight=rng.integers(-3, 5, (4, 32)) / 16, bias=np.zeros(4)),
        "lif2": _lif(4),
        "output": nir.Output(output_type={"output": np.array([4])}),
    }  # fmt: skip
    order = list(nodes)
    return nir.NIRGraph(nodes=nodes, edges=list(itertools.pairwise(order)))  # NIR type-checks it


def test_nir_conv_network_end_to_end(tmp_path):
    rng = np.random.default_rng(7)
    graph = _conv_net(rng)
    net = sn.read(graph, dt=1e-4)
    assert [net.nodes[n].shape for n in net.order] == [
        (1, 8, 8), (2, 8, 8), (2, 8, 8), (2, 4, 4), (32,), (4,), (4,), (4,)
    ]  # fmt: skip
    sn.write(net, tmp_path / "conv.nir")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the file passes NIR's own type check
        assert sn.read(tmp_path / "conv.nir", dt=1e-4) == net
    spikes = (rng.random((8, 6, 64)) < 0.4).astype(np.uint8)
    out, trace, _ = sn.simulate(net, spikes, record=True)
    assert trace["if1"].sum() > 50 and out.sum() > 5
    # the float reference of the lowered network: the same spikes, projections to rounding
    dense_net = sn.lower(net)
    assert dense_net.order == ("input", "conv", "if1", "fc", "lif2", "output")
    assert dense_net.nodes["conv"].params["weight"].shape == (128, 64)
    assert dense_net.nodes["fc"].params["weight"].shape == (4, 128)
    out2, trace2, _ = sn.simulate(dense_net, spikes, record=True)
    for name in ("conv", "fc"):
        np.testing.assert_allclose(trace2[name], trace[name], rtol=0, atol=1e-12)
    np.testing.assert_array_equal(trace2["if1"], trace["if1"])
    np.testing.assert_array_equal(out2, out)
    # fixed point: the IF layer's arithmetic is exact (dyadic weights, no leak)
    params, report = sn.quantize(net, spikes, fraction=4, pe=(16, 4))
    assert report.rows[0]["node"] == "if1" and report.rows[0]["spike_agreement"] == 1.0
    assert [la.n_in for la in params.layers] == [64, 128]
    twin = snn.run(params, spikes, backend="twin")
    assert twin.shape == (8, 6, 4) and twin.sum() > 5
    np.testing.assert_array_equal(snn.run(params, spikes[:, :2], backend="pysim"), twin[:, :2])
    # the IR graph (one sc.snn op) on its twin: the same spikes
    from scgen.ir.values import spike_array
    from scgen.sim import run_windows

    g = snn.network_graph(params, spikes.shape[0], name="conv")
    ir = run_windows(g, {"spikes": spikes.transpose(1, 0, 2)}).outputs["out"]
    ir_spikes = spike_array(g.result_types()[1], ir).transpose(1, 0, 2)
    np.testing.assert_array_equal(ir_spikes, twin)


def test_nir_conv_twin_equals_explicitly_dense_graph(tmp_path):
    rng = np.random.default_rng(3)
    graph = _conv_net(rng)
    net = sn.read(graph, dt=1e-4)
    conv, fc = graph.nodes["conv"], graph.nodes["fc"]
    # the dense graph, built by hand from unit vectors through the per-element loops
    eye = np.eye(64).reshape(64, 1, 8, 8)
    zero = np.zeros(2)
    w_conv = np.stack([_conv_loop(e, conv.weight, zero, [1, 1], [(1, 1), (1, 1)], [1, 1], 1)
                       .ravel() for e in eye], axis=1)  # fmt: skip
    b_conv = np.repeat(conv.bias, 64)
    pool = np.stack(
        [
            _pool_loop(e.reshape(2, 8, 8), (2, 2), (2, 2), (0, 0), False).ravel()
            for e in np.eye(128)
        ],
        axis=1,
    )
    nodes = {
        "input": nir.Input(input_type={"input": np.array([64])}),
        "conv": nir.Affine(weight=w_conv, bias=b_conv),
        "if1": _if(128),
        "fc": nir.Affine(weight=fc.weight @ pool, bias=fc.bias),
        "lif2": _lif(4),
        "output": nir.Output(output_type={"output": np.array([4])}),
    }
    order = list(nodes)
    by_hand = sn.read(nir.NIRGraph(nodes=nodes, edges=list(itertools.pairwise(order))), dt=1e-4)
    assert sn.lower(net) == by_hand
    sn.write(sn.lower(net), tmp_path / "dense.nir")  # the lowered network is plain NIR
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert sn.read(tmp_path / "dense.nir", dt=1e-4) == by_hand
    spikes = (rng.random((6, 5, 64)) < 0.4).astype(np.uint8)
    ours, _ = sn.quantize(net, spikes, fraction=4)
    theirs, _ = sn.quantize(by_hand, spikes, fraction=4)
    assert ours == theirs
    np.testing.assert_array_equal(snn.run(ours, spikes), snn.run(theirs, spikes))


def test_nir_conv_avgpool_weights_are_quantised_like_any_weight():
    # AvgPool2d(2) -> IF: the 1/4 taps times the IF gain become round(1/4 * 2**f)
    pool = nir.AvgPool2d(kernel_size=np.array([2, 2]), stride=np.array([2, 2]),
                         padding=np.array([0, 0]))  # fmt: skip
    net = sn.read(_graph(pool, _if((1, 2, 2), thr=0.3), shape=(1, 4, 4)), dt=1e-4)
    params, _ = sn.quantize(net, np.zeros((2, 1, 16)), fraction=3)
    (layer,) = params.layers
    assert np.unique(np.array(layer.weight)).tolist() == [0, 2]  # round(0.25 * 8)
    assert sorted(np.count_nonzero(layer.weight, axis=1).tolist()) == [4, 4, 4, 4]


def test_nir_conv1d_avgpool_flatten_round_trip(tmp_path):
    conv = CONVS["conv1d_same_even_kernel"][0]  # asymmetric 'same' padding
    g1 = _graph(conv, _lif((2, 7)), shape=(1, 7))
    pool = nir.AvgPool2d(kernel_size=np.array([2, 2]), stride=np.array([1, 2]),
                         padding=np.array([1, 0]))  # fmt: skip
    flat = nir.Flatten(input_type={"input": np.array([2, 5, 2])}, start_dim=1, end_dim=2)
    flat2 = nir.Flatten(input_type={"input": np.array([2, 10])}, start_dim=0, end_dim=-1)
    g2 = _graph(pool, flat, flat2, nir.Affine(weight=np.ones((3, 20)) / 8, bias=np.zeros(3)), _lif(3),
                shape=(2, 4, 4))  # fmt: skip
    for k, g in enumerate((g1, g2)):
        net = sn.read(g, dt=1e-4)
        sn.write(net, tmp_path / f"g{k}.nir")
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert sn.read(tmp_path / f"g{k}.nir", dt=1e-4) == net
    net = sn.read(g2, dt=1e-4)
    assert net.nodes["n0"].shape == (2, 5, 2)
    assert net.nodes["n1"].shape == (2, 10)  # Flatten(1, 2) of (2, 5, 2)
    assert net.nodes["n2"].shape == (20,)
    assert sn.lower(net).order == ("input", "n3", "n4", "output")


def test_nir_flatten_snntorch_style_end_dim():
    # snnTorch 1.0.0 writes nn.Flatten() as Flatten(0, -2): (C*H, W); the Affine takes C*H*W
    flat = nir.Flatten(input_type={"input": np.array([2, 3, 4])}, start_dim=0, end_dim=-2)
    net = sn.read(_graph(flat, nir.Affine(weight=np.ones((2, 24)), bias=np.zeros(2)), _lif(2),
                         shape=(2, 3, 4)), dt=1e-4)  # fmt: skip
    assert net.nodes["n0"].shape == (6, 4)
    assert sn.lower(net).order == ("input", "n1", "n2", "output")


def _conv2d(**kw):
    base = {"input_shape": (4, 4), "weight": np.ones((2, 2, 3, 3)), "stride": 1, "padding": 0,
            "dilation": 1, "groups": 1, "bias": np.zeros(2)}  # fmt: skip
    return nir.Conv2d(**{**base, **kw})


@pytest.mark.parametrize(
    ("node", "shape", "message"),
    [
        (_conv2d(input_shape=None), (32,),
         r"NIR node 'n0' field 'input_shape' is None and its source's shape \(32,\) is not "
         r"\(C_in = 2, spatial\), so the input's layout is unknown; give input_shape"),
        (_conv2d(padding="same", stride=2), (2, 4, 4),
         r"NIR node 'n0' field 'padding' = 'same' with stride \[2, 2\] is not supported \(only "
         r"'valid', numbers, or 'same' at stride 1, as in PyTorch\)"),
        (_conv2d(weight=np.ones((3, 1, 3, 3)), groups=2), (2, 4, 4),
         r"NIR node 'n0' field 'groups' = 2 must divide the 3 output channels"),
        (_conv2d(input_shape=(5, 4)), (2, 4, 4),
         r"NIR node 'n0' field 'input_shape' gives input shape \(2, 5, 4\), but its sources give "
         r"shape \(2, 4, 4\)"),
        (_conv2d(input_shape=None, stride=0), (2, 4, 4),
         r"NIR node 'n0' field 'stride' must be one integer or 2 integers, each at least 1, "
         r"not \(0, 0\)"),
        (_conv2d(weight=np.ones((2, 2, 5, 5))), (2, 4, 4),
         r"NIR node 'n0' field 'weight' has kernel \(5, 5\), larger than its padded input "
         r"\(2, 4, 4\): the output would be empty"),
        (nir.SumPool2d(kernel_size=np.array([2, 2]), stride=np.array([2, 2]),
                       padding=np.array([0, 0])), (32,),
         r"NIR node 'n0' \(SumPool2d\) needs a \(C, H, W\) input, but its sources give shape "
         r"\(32,\)"),
        (nir.Flatten(input_type={"input": np.array([2, 4, 4])}, start_dim=2, end_dim=1),
         (2, 4, 4),
         r"NIR node 'n0' field 'start_dim' = 2 comes after 'end_dim' = 1 in its input shape "
         r"\(2, 4, 4\)"),
    ],
)  # fmt: skip
def test_nir_conv_read_wrong(node, shape, message):
    with pytest.raises(sn.NIRImportError, match=f"^{message}$"):
        sn.read(_graph(node, shape=shape), dt=1e-4)


def test_nir_conv_nir_shape_bugs_read_with_a_warning(tmp_path):
    # NIR 1.0.8 infers C_in = weight.shape[1] (wrong for groups > 1) and takes weight.shape[2]
    # as the kernel of every axis (wrong for non-square kernels); scgen uses PyTorch's sizes
    node = CONVS["conv2d_groups_stride_dilation"][0]
    net = sn.read(_graph(node, _lif((4, 4, 4)), shape=(2, 7, 6)), dt=1e-4)
    sn.write(net, tmp_path / "grouped.nir")
    with pytest.warns(RuntimeWarning, match=r"fails NIR's type check \(Type inference error"):
        assert sn.read(tmp_path / "grouped.nir", dt=1e-4) == net
