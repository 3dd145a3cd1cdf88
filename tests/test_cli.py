# amaranth: UnusedElaboratable=no
import subprocess
import sys

import pytest

from scgen import __version__
from scgen.cli import main
from scgen.demo import DemoConfig, DemoPipeline, demo_stimulus, demo_twin


def test_cli_version():
    out = subprocess.run([sys.executable, "-m", "scgen", "--version"], capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip() == f"scgen {__version__}"


def test_cli_bad_cycles(capsys):
    with pytest.raises(SystemExit):
        main(["demo", "--cycles", "0"])
    assert "argument --cycles: must be a positive integer, not 0" in capsys.readouterr().err


def test_demo_twin_is_the_product_estimate():
    config = DemoConfig()
    inputs = demo_stimulus(config, 256 * 8)
    out = demo_twin(config, inputs)
    counts = out["count"][out["done"] == 1]
    assert len(counts) == 7  # the 8th window finishes one cycle after the run
    window = config.counter.window
    for k, c in enumerate(counts):
        px = inputs["x"][k * window] / 65536
        pw = inputs["w"][k * window] / 65536
        assert abs(c / window - px * pw) < 5 * (0.25 / window) ** 0.5


@pytest.mark.verilator
def test_cli_demo_all_backends_agree(tmp_path, capsys):
    assert main(["demo", "--cycles", "3000", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    for stage in ("encoder x", "encoder w", "AND multiply", "window counter", "LIF neuron"):
        line = next(line for line in out.splitlines() if line.startswith(stage))
        assert line.endswith("twin, pysim, verilator")
    assert "MISMATCH" not in out
    text = (tmp_path / "demo_pipeline.v").read_text()
    assert "module demo_pipeline" in text


def test_demo_pipeline_ports():
    names = set(DemoPipeline().signature.members)
    assert names == {"x", "w", "start", "leak_k", "gain_k", "x_bit", "w_bit", "product",
                     "count", "done", "spike", "v"}
