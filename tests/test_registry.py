# amaranth: UnusedElaboratable=no
"""The registry is the contract: names must line up between params, hardware and twin."""

import dataclasses
import inspect
import sys

import numpy as np
import pytest
from amaranth.lib.wiring import Flow

from scgen import hw
from scgen.primitives import PRIMITIVES, Primitive, register
from scgen.sim._top import port_specs

# Keyword arguments a twin may take besides params and input ports: the cycle count when every
# input is a scalar, per-instance source seeds for batches, and preallocated outputs.
TWIN_EXTRAS = {"cycles", "seeds", "scrambles", "out"}


def _ports(prim: Primitive):
    dut = prim.hw(prim.params())
    specs = port_specs(dut)
    ins = {n for n, f, *_ in specs if f is Flow.In}
    outs = {n for n, f, *_ in specs if f is Flow.Out}
    return ins, outs


def test_registry_covers_every_component():
    registered = {p.hw for p in PRIMITIVES.values()}
    assert {getattr(hw, n) for n in hw.__all__} == registered


@pytest.mark.parametrize("name", sorted(PRIMITIVES))
def test_registry_examples_are_valid_and_varied(name):
    prim = PRIMITIVES[name]
    examples = [prim.example(np.random.default_rng(seed)) for seed in range(40)]
    assert all(isinstance(p, prim.params) for p in examples)
    assert len(set(map(repr, examples))) > 10  # they reach more than a few corners
    for p in examples[:3]:
        prim.hw(p)._MustUse__silence = True  # every example builds


def test_registry_refuses_a_primitive_without_all_its_parts():
    lif = PRIMITIVES["lif"]
    with pytest.raises(
        TypeError,
        match=r"^Primitive 'lif2' lacks its example; a primitive is registered with params, "
        r"hw, twin, stimulus and example$",
    ):
        register(Primitive("lif2", lif.params, lif.hw, lif.twin, lif.stimulus))
    assert "lif2" not in PRIMITIVES


@pytest.mark.parametrize("name", sorted(PRIMITIVES))
def test_registry_twin_signature_matches_ports(name):
    prim = PRIMITIVES[name]
    ins, outs = _ports(prim)
    parameters = inspect.signature(prim.twin).parameters
    args = [n for n, p in parameters.items() if p.kind is not p.VAR_KEYWORD]
    # a primitive whose input ports depend on its params (the bundle's a0 .. a{n-1}) takes them
    # as **keywords; the twin checks the names against the params
    by_keyword = any(p.kind is p.VAR_KEYWORD for p in parameters.values())
    assert args[0] == "params"
    assert by_keyword or ins <= set(args[1:]), (
        f"twin {prim.twin.__name__} lacks input ports {ins - set(args)}"
    )
    assert set(args[1:]) <= ins | TWIN_EXTRAS
    trace_type = inspect.signature(prim.twin).return_annotation
    fields = (
        sys.modules[prim.twin.__module__].__dict__[trace_type]._fields
        if isinstance(trace_type, str)
        else trace_type._fields
    )
    assert set(fields) == outs


@pytest.mark.parametrize("name", sorted(PRIMITIVES))
def test_registry_kernel_arguments_are_params_or_ports(name):
    # the registry names each twin's kernels; every argument is a params field, a derived
    # params member, a port or a port's row index, so a kernel reads as the hardware it models
    prim = PRIMITIVES[name]
    ins, outs = _ports(prim)
    params_cls = prim.params
    names = {f.name for f in dataclasses.fields(params_cls)}
    derived = {n for n, _ in inspect.getmembers(params_cls) if not n.startswith("_")}
    for k in prim.kernels:
        fn = getattr(k, "py_func", k)  # a plain function under NUMBA_DISABLE_JIT=1
        assert fn.__module__ == prim.twin.__module__, f"{fn.__name__} is not the twin's own"
        for arg in inspect.signature(fn).parameters:
            # ``<port>_row``: which row of a table of held ``<port>`` values each cycle sees
            held = {f"{port}_row" for port in ins}
            assert arg in names | derived | ins | outs | held, f"{fn.__name__} argument {arg!r}"


@pytest.mark.parametrize("name", sorted(PRIMITIVES))
def test_registry_stimulus_fits_ports(name):
    prim = PRIMITIVES[name]
    ins, _ = _ports(prim)
    stim = prim.stimulus(prim.params(), np.random.default_rng(0), 100)
    assert set(stim) == ins
    assert all(v.shape == (100,) for v in stim.values())
    prim.run_twin(prim.params(), stim)  # accepted by the twin's range checks


def test_registry_duplicate_wrong():
    with pytest.raises(ValueError, match=r"^Primitive 'lif' is already registered$"):
        register(PRIMITIVES["lif"])


@pytest.mark.parametrize("name", sorted(n for n, p in PRIMITIVES.items() if p.ir is not None))
def test_registry_primitive_ops_reach_the_ir(name):
    from scgen.ir import OPS, flatten_params, params_from_attrs

    prim = PRIMITIVES[name]
    assert name in OPS
    ports = {n for n, f, *_ in port_specs(prim.hw(prim.params())) if f is Flow.In}
    spec = prim.ir
    assert set(spec.streams) | set(spec.values) | {p for p, _ in spec.tied} == ports
    assert params_from_attrs(prim, flatten_params(prim.params())) == prim.params()


def test_registry_every_primitive_reaches_the_ir():
    from scgen.ir import OPS

    # the counter is the IR's popcount and the LIF neuron its lif_step; a Hamming distance is
    # the popcount of a bind; every other primitive has an op of its own, generated from its
    # registry entry, except: the UART (the board's host link), the Kuramoto network (its own
    # step schedule, N**2 cycles per step) and the associative-memory query (a memory with its
    # own write/search protocol; it has its own end-to-end test)
    core = {
        "counter": "popcount",
        "lif": "lif_step",
        "hamming": "popcount",
        "dense": "dense_forward",
        "snn_network": "snn",  # the whole network, one sample per window (scgen.ir.snn_op)
    }
    not_ops = {"uart_rx", "uart_tx", "kuramoto", "assoc_query"}
    for name, prim in PRIMITIVES.items():
        if name not in not_ops:
            assert (name in OPS) if prim.ir is not None else core[name] in OPS
