"""Every Python code block of the engine's v3 migration guide (docs/v3_migration.md of
SC-NeuroCore), run unchanged with the engine's import lines pointed at scgen.compat through a
``sys.modules`` alias, in order in one namespace as a reader would run them.

The blocks are the guide's API examples as its users type them; the checks after each one are
the results the guide states in its comments.
"""

import sys

import numpy as np
import pytest

import scgen.compat
import scgen.compat.ir

SANITY = """
import sc_neurocore_engine; print(sc_neurocore_engine.__version__); print(sc_neurocore_engine.simd_tier())
"""

IR_BRIDGE = """
from sc_neurocore_engine.ir import ScGraphBuilder

b = ScGraphBuilder("my_synapse")
x = b.input("x_prob", "rate")
w = b.input("w_prob", "rate")
x_enc = b.encode(x, length=1024, seed=0xACE1)
w_enc = b.encode(w, length=1024, seed=0xBEEF)
product = b.bitwise_and(x_enc, w_enc)
count = b.popcount(product)
rate = b.div_const(count, 1024)
b.output("firing_rate", rate)

graph = b.build()
assert graph.verify() is None
sv_code = graph.emit_sv()
"""

ZERO_COPY = """
import numpy as np
import sc_neurocore_engine as v3

bits = np.random.randint(0, 2, 1_000_000, dtype=np.uint8)
packed = v3.pack_bitstream_numpy(bits)      # Zero-copy input
count = v3.popcount_numpy(packed)           # Zero-copy input
recovered = v3.unpack_bitstream_numpy(packed, len(bits))
"""

BATCH_LIF = """
# 100K LIF steps in one call (vs 100K per-step calls)
spikes, voltages = v3.batch_lif_run(
    100_000, leak_k=20, gain_k=256, i_t=128
)

# Per-step varying current
currents = np.array([128, 200, 150], dtype=np.int16)
spikes, voltages = v3.batch_lif_run_varying(
    leak_k=20, gain_k=256, currents=currents
)
"""

DENSE_TIERS = """
import numpy as np
import sc_neurocore_engine as v3

layer = v3.DenseLayer(64, 32, 1024)
inputs = np.random.uniform(0, 1, 64)

# Original (sequential encoding)
out = layer.forward(inputs.tolist())

# Fast (parallel encoding)
out = layer.forward_fast(inputs.tolist())

# Pre-packed (skip encoding)
packed = v3.batch_encode_numpy(inputs, length=1024, seed=42)
out = layer.forward_prepacked(packed)
"""

BATCH_ENCODE = """
probs = np.array([0.3, 0.5, 0.7, 0.9])
packed = v3.batch_encode_numpy(probs, length=1024, seed=42)
# packed.shape == (4, 16)  # 4 inputs x ceil(1024/64) words
# packed.dtype == np.uint64
"""

FORWARD_NUMPY = """
import numpy as np
import sc_neurocore_engine as v3

layer = v3.DenseLayer(64, 32, 1024)
inputs = np.random.uniform(0, 1, 64)

# Single FFI call: numpy in -> parallel encode -> parallel compute -> numpy out
out = layer.forward_numpy(inputs)
# out is a numpy float64 array of shape (32,)
"""

PARALLEL_ENCODE = """
probs = np.random.uniform(0, 1, 1000)
packed = v3.batch_encode_numpy(probs, length=1024, seed=42)
# Each probability encoded on its own thread
"""

PREPACKED_NUMPY = """
import numpy as np
import sc_neurocore_engine as v3

layer = v3.DenseLayer(64, 32, 1024)
probs = np.random.uniform(0, 1, 64)

# Encode once, forward many times (zero-copy)
packed = v3.batch_encode_numpy(probs, length=1024, seed=42)
out = layer.forward_prepacked_numpy(packed)
# out is a numpy float64 array, packed was never copied
"""

THREADS = """
v3.set_num_threads(4)  # Use 4 threads for all parallel ops
"""

SIMD_PACK = """
import numpy as np
import sc_neurocore_engine as v3

bits = np.random.randint(0, 2, 1_000_000, dtype=np.uint8)
packed = v3.pack_bitstream_numpy(bits)
"""

LIF_MULTI = """
import numpy as np
import sc_neurocore_engine as v3

currents = np.full(100, 128, dtype=np.int16)
spikes, voltages = v3.batch_lif_run_multi(
    100, 100_000, leak_k=20, gain_k=256, currents=currents
)
# spikes.shape == (100, 100000)
# voltages.shape == (100, 100000)
"""

FORWARD_BATCH = """
import numpy as np
import sc_neurocore_engine as v3

layer = v3.DenseLayer(64, 32, 1024)
inputs = np.random.uniform(0, 1, (100, 64)).astype(np.float64)
outputs = layer.forward_batch_numpy(inputs, seed=42)
# outputs.shape == (100, 32)
"""


def _check_ir(ns):
    assert "module my_synapse" in ns["sv_code"] and "sc_bitstream_encoder" in ns["sv_code"]


def _check_zero_copy(ns):
    assert ns["count"] == int(ns["bits"].sum())
    assert np.array_equal(ns["recovered"], ns["bits"])


def _check_batch_lif(ns):
    assert len(ns["spikes"]) == len(ns["voltages"]) == 3


def _check_encode(ns):
    assert ns["packed"].shape == (4, 16) and ns["packed"].dtype == np.uint64


def _check_forward_numpy(ns):
    assert ns["out"].dtype == np.float64 and ns["out"].shape == (32,)


def _check_parallel(ns):
    assert ns["packed"].shape == (1000, 16)


def _check_prepacked(ns):
    assert ns["out"].dtype == np.float64 and ns["out"].shape == (32,)


def _check_multi(ns):
    assert ns["spikes"].shape == ns["voltages"].shape == (100, 100000)


def _check_batch(ns):
    assert ns["outputs"].shape == (100, 32)


BLOCKS = [
    (SANITY, None),
    (IR_BRIDGE, _check_ir),
    (ZERO_COPY, _check_zero_copy),
    (BATCH_LIF, _check_batch_lif),
    (DENSE_TIERS, None),
    (BATCH_ENCODE, _check_encode),
    (FORWARD_NUMPY, _check_forward_numpy),
    (PARALLEL_ENCODE, _check_parallel),
    (PREPACKED_NUMPY, _check_prepacked),
    (THREADS, None),
    (SIMD_PACK, None),
    (LIF_MULTI, _check_multi),
    (FORWARD_BATCH, _check_batch),
]


@pytest.fixture
def engine_alias(monkeypatch):
    """Point the engine's import names at scgen.compat for the duration of one test."""
    monkeypatch.setitem(sys.modules, "sc_neurocore_engine", scgen.compat)
    monkeypatch.setitem(sys.modules, "sc_neurocore_engine.ir", scgen.compat.ir)


def test_every_guide_block_runs_unchanged(engine_alias, capsys):
    ns: dict = {}
    for source, check in BLOCKS:
        exec(compile(source, "<guide>", "exec"), ns)
        if check is not None:
            check(ns)
    printed = capsys.readouterr().out.split()
    assert printed[0] == "3.15.7" and printed[1] == scgen.compat.simd_tier()
    assert ns["v3"] is scgen.compat
