"""The demo pipeline: two encoders -> AND -> window counter -> LIF neuron, run three ways.

``scgen demo`` builds :class:`DemoPipeline` from the registered primitives, runs it on the twin,
on the Amaranth simulator and in Verilator with the same stimulus, writes its Verilog, and
prints which backends agree on every port of every stage, cycle for cycle.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from amaranth.back import verilog
from amaranth.hdl import Module, signed
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from . import hw, sim, sw
from .params import CounterParams, EncoderParams, LfsrParams, LifParams, MulAndParams

__all__ = ["STAGES", "DemoConfig", "DemoPipeline", "demo_stimulus", "demo_twin", "run_demo"]


@dataclass(frozen=True, kw_only=True)
class DemoConfig:
    """Parameters of the demo pipeline (all stages are registered primitives)."""

    encoder_x: EncoderParams = field(default_factory=EncoderParams)
    encoder_w: EncoderParams = field(
        default_factory=lambda: EncoderParams(source=LfsrParams(seed=0xBEEF, form="galois"))
    )
    counter: CounterParams = field(default_factory=lambda: CounterParams(window=256))
    lif: LifParams = field(default_factory=LifParams)


# stage name, primitive, pipeline output ports that show the stage's outputs
STAGES = (
    ("encoder x", "encoder", ("x_bit",)),
    ("encoder w", "encoder", ("w_bit",)),
    ("AND multiply", "mul_and", ("product",)),
    ("window counter", "counter", ("count", "done")),
    ("LIF neuron", "lif", ("spike", "v")),
)


class DemoPipeline(wiring.Component):
    """``x`` and ``w`` (Q0.16 probabilities) are encoded, ANDed and counted per window; each
    finished window steps the LIF neuron with ``I_t = count`` (Q8.8: the product's estimate).

    Members
    -------
    x, w : In(16)
        Values to encode (probability = value / 65536).
    start : In(1)
        Start a counting window.
    leak_k, gain_k : In(signed(16))
        LIF leak and gain.
    x_bit, w_bit, product : Out(1)
        The two streams and their product.
    count : Out(count_width), done : Out(1)
        Counter outputs.
    spike : Out(1), v : Out(signed(16))
        LIF outputs (one step per ``done``).
    """

    def __init__(self, config: DemoConfig | None = None):
        self._config = config = config or DemoConfig()
        dw = config.lif.data_width
        super().__init__(
            {
                "x": In(config.encoder_x.width),
                "w": In(config.encoder_w.width),
                "start": In(1),
                "leak_k": In(signed(dw)),
                "gain_k": In(signed(dw)),
                "x_bit": Out(1),
                "w_bit": Out(1),
                "product": Out(1),
                "count": Out(config.counter.count_width),
                "done": Out(1),
                "spike": Out(1),
                "v": Out(signed(dw)),
            }
        )

    def elaborate(self, platform):
        c = self._config
        m = Module()
        m.submodules.enc_x = enc_x = hw.Encoder(c.encoder_x)
        m.submodules.enc_w = enc_w = hw.Encoder(c.encoder_w)
        m.submodules.mul = mul = hw.MulAnd(MulAndParams())
        m.submodules.counter = cnt = hw.Counter(c.counter)
        m.submodules.lif = lif = hw.Lif(c.lif)
        m.d.comb += [
            enc_x.x.eq(self.x),
            enc_x.en.eq(1),
            enc_w.x.eq(self.w),
            enc_w.en.eq(1),
            mul.a.eq(enc_x.o),
            mul.b.eq(enc_w.o),
            cnt.start.eq(self.start),
            cnt.x.eq(mul.o),
            lif.en.eq(cnt.done),
            lif.I_t.eq(cnt.count),
            lif.noise_in.eq(0),
            lif.leak_k.eq(self.leak_k),
            lif.gain_k.eq(self.gain_k),
            self.x_bit.eq(enc_x.o),
            self.w_bit.eq(enc_w.o),
            self.product.eq(mul.o),
            self.count.eq(cnt.count),
            self.done.eq(cnt.done),
            self.spike.eq(lif.spike),
            self.v.eq(lif.v),
        ]
        return m


def demo_stimulus(config: DemoConfig, cycles: int, seed: int = 2026) -> dict[str, np.ndarray]:
    """Return pipeline inputs: a new (x, w) pair and a start every window."""
    rng = np.random.default_rng(seed)
    window = config.counter.window
    n_windows = -(-cycles // window)
    start = np.zeros(cycles, np.uint8)
    start[::window] = 1
    x = np.repeat(rng.integers(1 << 14, 1 << 16, n_windows), window)[:cycles]
    w = np.repeat(rng.integers(1 << 14, 1 << 16, n_windows), window)[:cycles]
    return {
        "x": x,
        "w": w,
        "start": start,
        "leak_k": np.full(cycles, 20),
        "gain_k": np.full(cycles, 256 * 4),
    }


def demo_twin(config: DemoConfig, inputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Compose the twins exactly as :class:`DemoPipeline` wires the components."""
    x_bit = sw.encoder(config.encoder_x, inputs["x"]).o
    w_bit = sw.encoder(config.encoder_w, inputs["w"]).o
    product = sw.mul_and(MulAndParams(), x_bit, w_bit).o
    cnt = sw.counter(config.counter, inputs["start"], product)
    neuron = sw.lif(config.lif, inputs["leak_k"], inputs["gain_k"], cnt.count, 0, cnt.done)
    return {
        "x_bit": x_bit,
        "w_bit": w_bit,
        "product": product,
        "count": cnt.count,
        "done": cnt.done,
        "spike": neuron.spike,
        "v": neuron.v,
    }


@dataclass
class DemoResult:
    cycles: int
    agree: dict[str, dict[str, bool]]  # stage -> backend -> equal to the twin on all its ports
    throughput: dict[str, float]  # backend -> cycles per second
    verilog_path: Path
    spikes: int
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def run_demo(
    cycles: int = 16384, out_dir: Path | str = "out/demo", *, verilator: bool = True
) -> DemoResult:
    """Run the demo pipeline on every backend and compare every stage's ports with the twin."""
    config = DemoConfig()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    inputs = demo_stimulus(config, cycles)

    demo_twin(config, {k: v[:64] for k, v in inputs.items()})  # compile the kernels first
    t0 = time.perf_counter()
    expected = demo_twin(config, inputs)
    throughput = {"twin": cycles / (time.perf_counter() - t0)}

    traces = {}
    (traces["pysim"],), seconds = sim.run_many([DemoPipeline(config)], [inputs], cycles)
    throughput["pysim"] = cycles / seconds

    verilog_path = out_dir / "demo_pipeline.v"
    sim.toolchain_env()
    verilog_path.write_text(
        verilog.convert(
            DemoPipeline(config), name="demo_pipeline", emit_src=False, strip_internal_attrs=True
        )
    )
    if verilator:
        (traces["verilator"],), seconds = sim.run_many(
            [DemoPipeline(config)],
            [inputs],
            cycles,
            backend="verilator",
            build_dir=out_dir / "verilator",
        )
        throughput["verilator"] = cycles / seconds

    agree, problems = {}, []
    for stage, _prim, ports in STAGES:
        agree[stage] = {}
        for backend, trace in traces.items():
            problem = sim.first_mismatch({p: expected[p] for p in ports}, trace)
            agree[stage][backend] = problem is None
            if problem:
                problems.append(f"{stage} on {backend}: {problem}")
    return DemoResult(
        cycles, agree, throughput, verilog_path, int(expected["spike"].sum()), problems
    )


def format_result(result: DemoResult) -> str:
    """Return the demo's summary table as text."""
    backends = list(result.throughput)
    lines = [f"{'stage':<16}{'ports':<14}{'cycles':>8}  agreeing with the twin"]
    for stage, _prim, ports in STAGES:
        ok = [b for b in backends[1:] if result.agree[stage][b]]
        bad = [b for b in backends[1:] if not result.agree[stage][b]]
        text = ", ".join(["twin", *ok]) + ("" if not bad else f"   MISMATCH: {', '.join(bad)}")
        lines.append(f"{stage:<16}{','.join(ports):<14}{result.cycles:>8}  {text}")
    lines.append("")
    lines.append(
        "throughput (whole pipeline, cycles/s): "
        + ",  ".join(f"{b} {v:,.0f}" for b, v in result.throughput.items())
    )
    lines.append(f"LIF spikes: {result.spikes}; Verilog: {result.verilog_path}")
    lines.extend(result.problems)
    return "\n".join(lines)
