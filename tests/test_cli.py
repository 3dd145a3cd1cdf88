# amaranth: UnusedElaboratable=no
import subprocess
import sys

import pytest

from scgen import __version__
from scgen.cli import main
from scgen.demo import DemoConfig, DemoPipeline, demo_stimulus, demo_twin


def test_cli_version():
    out = subprocess.run(
        [sys.executable, "-m", "scgen", "--version"], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == f"scgen {__version__}"


def test_cli_bad_cycles(capsys):
    with pytest.raises(SystemExit):
        main(["demo", "--cycles", "0"])
    assert capsys.readouterr().err == (
        "scgen demo: --cycles must be an integer between 1 and 4294967296, not '0' "
        "(see scgen demo --help)\n"
    )


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
    assert names == {
        "x",
        "w",
        "start",
        "leak_k",
        "gain_k",
        "x_bit",
        "w_bit",
        "product",
        "count",
        "done",
        "spike",
        "v",
    }


def test_bench_primitives_suite_runs():
    from scgen.bench.primitives import format_rows, run_benchmarks

    rows = run_benchmarks(
        cycles=2000,
        batch=4,
        batch_cycles=64,
        pysim_cycles=50,
        verilator=False,
        names=["lfsr", "lif"],
    )
    assert [r.name for r in rows] == ["lfsr", "lif"]
    assert all(r.twin > 0 and r.pysim > 0 and r.verilator is None for r in rows)
    assert "lif" in format_rows(rows)


def test_bench_engine_report(tmp_path):
    from scgen.bench.engine import write_report

    row = {
        "name": "x",
        "seed_s": 2e-3,
        "scgen_s": 1e-3,
        "first_call_s": 0.5,
        "limit": "write",
        "units": 1e6,
        "threads": 1,
    }
    res = [
        {
            "threads": t,
            "rows": [dict(row, threads=t)],
            "engine": "3.15.7",
            "simd": "avx2",
            "limits": {"and_popcount": 1e9, "rng": 1e9, "read": 1e10, "write": 1e10},
        }
        for t in (1, 2)
    ]
    text = write_report(res, tmp_path / "R.md")
    assert "| x | 2.000 | 1.000 | 2.00 | 2.000 | 1.000 | 2.00 | 10 % | 500.000 | 500.000 |" in text
    # sections other tools wrote below the table survive a new report
    (tmp_path / "R.md").write_text(text + "\n## Against Verilator\n\n| a | b |\n")
    again = write_report(res, tmp_path / "R.md")
    assert again.startswith(text) and again.endswith("\n## Against Verilator\n\n| a | b |\n")


SYNAPSE = """sc.graph @syn {
  %0 = sc.input "x" : rate
  %1 = sc.input "w" : rate
  %2 = sc.encode %0, length=64, seed=0xACE1 : bitstream<64>
  %3 = sc.encode %1, length=64, seed=0xBEEF : bitstream<64>
  %4 = sc.and %2, %3 : bitstream
  %5 = sc.popcount %4, width=7 : u7
  sc.output "hits" %5
}
"""


def test_cli_sim_runs_a_text_graph(tmp_path, capsys):
    path = tmp_path / "syn.scir"
    path.write_text(SYNAPSE)
    assert main(["sim", str(path), "--input", "x=0.5,1.0", "--input", "w=1.0"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "graph syn: 2 window(s) of 64 cycles on the twin"
    assert out[3].split()[:3] == ["1", "1", "1"]  # window 1: x = w = 1.0
    with pytest.raises(SystemExit, match=r"input 'w' needs values, e.g. --input w=0.5,0.25"):
        main(["sim", str(path), "--input", "x=0.5"])
    path.write_text(SYNAPSE.replace("sc.and", "sc.nand"))
    with pytest.raises(SystemExit, match=r"syn.scir: line 6, column 8: unknown op 'sc.nand'$"):
        main(["sim", str(path)])


def test_cli_sim_explain_and_engines(tmp_path, capsys):
    path = tmp_path / "syn.scir"
    path.write_text(SYNAPSE)
    args = ["sim", str(path), "--input", "x=0.5,1.0,0.25", "--input", "w=0.75"]
    assert main([*args, "--explain"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "graph syn: how each op ran on the compiled engine"
    assert out[1] == "windows: independent, each from reset (in parallel where an op can)"
    kinds = {line.split("sc.")[1].split()[0]: line.split("  ")[0] for line in out[2:]}
    assert kinds["encode"] == kinds["and"] == kinds["popcount"] == "packed"
    assert main(args) == 0
    compiled = capsys.readouterr().out
    assert main([*args, "--engine", "twin"]) == 0
    assert capsys.readouterr().out == compiled
    assert main([*args, "--state", "fresh"]) == 0  # no state across windows: the same bits
    assert capsys.readouterr().out == compiled


def test_cli_sim_fresh_state(capsys):
    # the demo's neuron carries state; --state fresh starts every window from reset
    from pathlib import Path

    demo = str(Path(__file__).parent.parent / "examples" / "demo.scir")
    args = ["sim", demo, "--input", "x=0.9,0.9,0.9", "--input", "w=0.9"]
    assert main([*args, "--explain"]) == 0
    assert capsys.readouterr().out.splitlines()[1] == (
        "windows: in order, state carried from window to window"
    )
    assert main([*args, "--state", "fresh", "--explain"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1] == "windows: independent, each from reset (in parallel where an op can)"
    assert any(line.startswith("twin, per window, each from reset") for line in out)
    assert main([*args, "--state", "fresh"]) == 0
    fresh = capsys.readouterr().out.splitlines()[2:]
    rows = [line.split()[1:] for line in fresh]
    assert rows[0] == rows[1] == rows[2]  # equal inputs, every window from reset: equal rows
    assert main(args) == 0
    carried = [line.split()[1:] for line in capsys.readouterr().out.splitlines()[2:]]
    assert carried != rows


@pytest.mark.verilator
def test_cli_verify_three_ways(tmp_path, capsys):
    path = tmp_path / "syn.scir"
    path.write_text(SYNAPSE)
    assert main(["verify", str(path), "--windows", "8", "--out", str(tmp_path / "vl")]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("hits"))
    assert line.split() == ["hits", "8", "twin,", "pysim,", "verilator"]


def test_cli_sim_reads_npy_records(tmp_path, capsys):
    import numpy as np

    path = tmp_path / "syn.scir"
    path.write_text(SYNAPSE)
    rec = np.zeros(3, dtype=[("x", "f8"), ("w", "f8")])
    rec["x"], rec["w"] = [0.5, 1.0, 0.0], [1.0, 1.0, 1.0]
    np.save(tmp_path / "in.npy", rec)
    assert main(["sim", str(path), "--inputs", str(tmp_path / "in.npy")]) == 0
    rows = capsys.readouterr().out.splitlines()[2:]
    assert [r.split()[3] for r in rows][1:] == ["64", "0"]
